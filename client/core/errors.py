"""The error kinds of docs/cli.md, as one exception every layer can raise and every front end can show.

A provider failure is never a traceback for the user: it is a kind (what went wrong), a sentence
(what to do next), whether retrying may help, and the HTTP status when there was one.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ErrorKind(StrEnum):
    AUTH = "auth"
    QUOTA = "quota"
    RATE_LIMIT = "rate_limit"
    OVERLOADED = "overloaded"
    CONTEXT_LENGTH = "context_length"
    BAD_REQUEST = "bad_request"
    NOT_FOUND = "not_found"
    SERVER = "server"
    NETWORK = "network"
    TIMEOUT = "timeout"
    PROTOCOL = "protocol"
    CANCELLED = "cancelled"


# Exit statuses of docs/cli.md for a failed `ask`.
_REFUSED_KINDS = {
    ErrorKind.AUTH,
    ErrorKind.QUOTA,
    ErrorKind.RATE_LIMIT,
    ErrorKind.OVERLOADED,
    ErrorKind.CONTEXT_LENGTH,
    ErrorKind.BAD_REQUEST,
    ErrorKind.NOT_FOUND,
    ErrorKind.SERVER,
}


@dataclass(frozen=True)
class ErrorInfo:
    """What went wrong with a request, as stored with a turn and printed in `ask --json`."""

    kind: ErrorKind
    message: str
    retryable: bool = False
    status: int | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "kind": str(self.kind),
            "message": self.message,
            "retryable": self.retryable,
            "status": self.status,
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> ErrorInfo:
        status = data.get("status")
        return cls(
            kind=ErrorKind(str(data["kind"])),
            message=str(data.get("message", "")),
            retryable=bool(data.get("retryable", False)),
            status=int(status) if isinstance(status, int) else None,
        )

    @property
    def exit_status(self) -> int:
        """3 when the provider refused, 4 for network trouble, 130 when the user stopped it."""
        if self.kind is ErrorKind.CANCELLED:
            return 130
        if self.kind in _REFUSED_KINDS:
            return 3
        return 4


class ThinkpaneError(Exception):
    """Raised by any layer for a failure the user should read as a sentence."""

    def __init__(
        self,
        kind: ErrorKind,
        message: str,
        *,
        retryable: bool = False,
        status: int | None = None,
        retry_after_s: float | None = None,
    ) -> None:
        super().__init__(message)
        self.info = ErrorInfo(kind, message, retryable, status)
        self.retry_after_s = retry_after_s

    @property
    def kind(self) -> ErrorKind:
        return self.info.kind

    @property
    def message(self) -> str:
        return self.info.message


class UsageError(Exception):
    """A request the user asked for that cannot be sent as it is (exit status 2)."""
