"""What a provider adapter is, and the half every adapter shares.

The session, the command line and the window talk to every API through the same three calls:
`body()` builds the request (and refuses, before anything is sent, a setting the model cannot
take), `stream()` runs it and yields canonical StreamEvents, `list_models()` says what can be
chosen. `Adapter` is that interface. `HTTPAdapter` is the shared half of the five adapters: one
streamed POST with retries before the first byte (`stream`, from the pieces each adapter
describes: `url`, `headers`, `reader`), and the model listing with or without pages. An
adapter keeps only what differs: its request body, its wire reader, where its models are.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any, ClassVar, Protocol, runtime_checkable

import httpx

from client.core.cancel import CancelToken
from client.core.errors import ErrorKind, ThinkpaneError
from client.core.events import Notice, StreamEvent
from client.core.request import TurnRequest
from client.providers.http import (
    RetryPolicy,
    StreamReader,
    get_json,
    open_stream,
    stream_response,
)
from client.providers.registry import ProviderProfile

MAX_MODEL_PAGES = 20


@runtime_checkable
class Adapter(Protocol):
    """One provider's API, as the rest of Thinkpane uses it."""

    profile: ProviderProfile

    def body(self, request: TurnRequest) -> dict[str, Any]:
        """The JSON request body, built without I/O; raises UsageError for a setting refused."""
        ...

    def stream(self, request: TurnRequest, cancel: CancelToken) -> Iterator[StreamEvent]:
        """Run the turn: StreamEvents, ending in exactly one Finished or Failed."""
        ...

    def list_models(self, base_url: str | None, api_key: str | None) -> list[str]: ...


def as_int(value: Any) -> int | None:
    """A token count from JSON: an int (or a whole float), never a bool."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def cut_short(provider: str, before: str) -> ThinkpaneError:
    """The error for a stream that ended `before` its end ("message_stop"): a network failure
    worth retrying, what arrived kept."""
    return ThinkpaneError(
        ErrorKind.NETWORK,
        f"The stream from {provider} ended before {before}; what arrived is kept.",
        retryable=True,
    )


def parsed_frame(data: str, provider: str, what: str) -> Any:
    """One streamed frame's JSON; a ThinkpaneError (protocol) naming the `what` ("event",
    "line", "chunk") `provider` sent when it is not JSON."""
    try:
        return json.loads(data)
    except ValueError:
        raise ThinkpaneError(
            ErrorKind.PROTOCOL, f"{provider} sent a {what} that is not JSON: {data[:80]!r}"
        ) from None


def frame_object(data: str, provider: str, what: str) -> dict[str, Any]:
    """`parsed_frame`, which must be a JSON object (an unexpected `what` otherwise)."""
    frame = parsed_frame(data, provider, what)
    if not isinstance(frame, dict):
        raise ThinkpaneError(
            ErrorKind.PROTOCOL, f"{provider} sent an unexpected {what}: {data[:80]!r}"
        )
    return frame


def _keep_all(_model: dict[str, Any]) -> bool:
    return True


def _no_next_page(_page: Any) -> dict[str, str] | None:
    return None


class HTTPAdapter:
    """The shared half of an adapter over HTTP. Subclasses say where (`url`), with which
    headers, how to read the stream (`reader`), and build the body (`body` or `plan`)."""

    # Content types accepted for the stream; anything else is an error page or an error object.
    expected: ClassVar[tuple[str, ...]] = ("event-stream",)
    # The request headers (`headers`): what the stream is asked for as, and how the key goes.
    accept: ClassVar[str] = "text/event-stream"
    key_header: ClassVar[str] = "Authorization"
    key_prefix: ClassVar[str] = "Bearer "

    def __init__(
        self,
        profile: ProviderProfile,
        client: httpx.Client | None = None,
        policy: RetryPolicy | None = None,
    ) -> None:
        self.profile = profile
        self._client = client
        self.policy = policy

    # -- what each adapter says --------------------------------------------------------------

    def headers(self, api_key: str | None) -> dict[str, str]:
        """`Accept`, and the key (when there is one) in `key_header` after `key_prefix`."""
        headers = {"Accept": self.accept}
        if api_key:
            headers[self.key_header] = f"{self.key_prefix}{api_key}"
        return headers

    def url(self, request: TurnRequest) -> str:
        raise NotImplementedError

    def params(self, request: TurnRequest) -> dict[str, str] | None:
        return None

    def reader(self, request: TurnRequest, url: str) -> StreamReader:
        raise NotImplementedError

    def body(self, request: TurnRequest) -> dict[str, Any]:
        return self.plan(request)[0]

    def plan(self, request: TurnRequest) -> tuple[dict[str, Any], list[str]]:
        """The body and notices about settings that were translated (override this or body)."""
        return self.body(request), []

    # -- what they share ---------------------------------------------------------------------

    def stream(self, request: TurnRequest, cancel: CancelToken) -> Iterator[StreamEvent]:
        body, notices = self.plan(request)  # refused settings raise here, before any I/O
        for notice in notices:
            yield Notice(notice)
        url, label, key_hint = self.url(request), self.profile.label, self.profile.key_hint
        yield from stream_response(
            open_stream(
                "POST",
                url,
                provider=label,
                cancel=cancel,
                json_body=body,
                params=self.params(request),
                headers=self.headers(request.api_key),
                key_hint=key_hint,
                policy=self.policy,
                client=self._client,
            ),
            self.reader(request, url),
            cancel,
            expected=self.expected,
            provider=label,
            key_hint=key_hint,
        )

    def model_pages(
        self,
        url: str,
        api_key: str | None,
        *,
        field: str = "data",
        name: Callable[[dict[str, Any]], Any] = lambda m: m.get("id"),
        keep: Callable[[dict[str, Any]], bool] = _keep_all,
        first: dict[str, str] | None = None,
        next_page: Callable[[dict[str, Any]], dict[str, str] | None] = _no_next_page,
        what: str = "a model list",
    ) -> list[str]:
        """Model names from `GET url`, following pages while `next_page` gives the next query."""
        names: list[str] = []
        params = first
        for _page in range(MAX_MODEL_PAGES):
            data = get_json(
                url,
                provider=self.profile.label,
                headers=self.headers(api_key),
                params=params,
                client=self._client,
                key_hint=self.profile.key_hint,
            )
            models = data.get(field) if isinstance(data, dict) else None
            if not isinstance(models, list):
                raise ThinkpaneError(ErrorKind.PROTOCOL, f"{url} did not answer with {what}.")
            for model in models:
                if isinstance(model, dict) and name(model) and keep(model):
                    names.append(str(name(model)))
            params = next_page(data)
            if params is None:
                break
        return sorted(names)
