"""The idle watchdog: a stream silent for too long is ended as the network failure it is.

Reasoning models can think silently for minutes, but a connection that sends nothing at all for
longer than the idle timeout has died somewhere the socket cannot tell. The watchdog watches
when the last event arrived; when the silence runs out it cancels the adapter's token, and
rewords the adapter's "Stopped" as a network failure (the user did not press Stop), what arrived
kept. Qt-free: the turn controller runs it beside the stream on the worker thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from client.core.cancel import CancelToken
from client.core.errors import ErrorInfo, ErrorKind
from client.core.events import Failed, StreamEvent

# How long a stream may stay silent (no event at all) before it is ended as a network failure.
# Reasoning models can think silently for minutes, so this is generous; `ask --idle-timeout` and
# the window's setting change it.
DEFAULT_IDLE_TIMEOUT_S = 600.0


class IdleWatchdog:
    """Ends a stream that has been silent (no event at all) for `timeout_s`, by cancelling the
    adapter's token; the controller then records a network failure, keeping what arrived.

    `last_activity` and `clock` read when the last event came and the time now (the same
    clock); `provider` names who went silent."""

    def __init__(
        self,
        cancel: CancelToken,
        user_cancel: CancelToken,
        timeout_s: float | None,
        *,
        last_activity: Callable[[], float],
        clock: Callable[[], float],
        provider: str,
    ) -> None:
        self.cancel, self.user_cancel, self.timeout_s = cancel, user_cancel, timeout_s
        self._last_activity, self._clock, self._provider = last_activity, clock, provider
        self.expired = False
        self._done = threading.Event()
        if timeout_s is not None and timeout_s > 0:
            threading.Thread(target=self._watch, name="idle-watchdog", daemon=True).start()

    def _watch(self) -> None:
        assert self.timeout_s is not None
        while True:
            remaining = self._last_activity() + self.timeout_s - self._clock()
            if remaining <= 0:
                self.expired = True
                self.cancel.cancel()
                return
            if self._done.wait(remaining):
                return

    def stop(self) -> None:
        self._done.set()

    def reword(self, event: StreamEvent, output_seen: bool) -> StreamEvent:
        """The adapter's "Stopped" after the watchdog ended the stream, as the network failure it
        is (the user did not press Stop); any other event unchanged."""
        if not (
            self.expired
            and not self.user_cancel.cancelled
            and isinstance(event, Failed)
            and event.error.kind is ErrorKind.CANCELLED
        ):
            return event
        error = ErrorInfo(
            ErrorKind.NETWORK,
            f"No data from {self._provider} for {self.timeout_s:g} s, so the stream was ended; "
            "what arrived is kept. Try again, or allow a longer silence (the idle timeout "
            "setting, or ask --idle-timeout).",
            retryable=True,
        )
        return Failed(error, after_output=event.after_output or output_seen)
