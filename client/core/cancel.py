"""A cancel token: how the user's Stop reaches a stream running on another thread.

Stop must be immediate for the user, so cancelling runs the registered callbacks (which close the
HTTP response) at once, on the caller's thread; the stream's reader then sees a closed socket.
"""

from __future__ import annotations

import threading
from collections.abc import Callable


class CancelToken:
    def __init__(self) -> None:
        self._event = threading.Event()
        self._lock = threading.Lock()
        self._callbacks: list[Callable[[], None]] = []

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def cancel(self) -> None:
        with self._lock:
            if self._event.is_set():
                return
            self._event.set()
            callbacks, self._callbacks = self._callbacks, []
        for callback in callbacks:
            try:
                callback()
            except Exception:  # closing a half-dead socket may raise; the stop still stands
                pass

    def on_cancel(self, callback: Callable[[], None]) -> Callable[[], None]:
        """Run `callback` when cancelled (at once if already). Returns a function that unregisters it."""
        with self._lock:
            if not self._event.is_set():
                self._callbacks.append(callback)

                def remove() -> None:
                    with self._lock:
                        if callback in self._callbacks:
                            self._callbacks.remove(callback)

                return remove
        callback()
        return lambda: None

    def wait(self, seconds: float) -> bool:
        """Sleep up to `seconds`, waking early on cancel. True if cancelled."""
        return self._event.wait(seconds)
