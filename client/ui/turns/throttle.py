"""Run a function at most once per interval, however often it is asked to.

Tokens arrive hundreds of times a second, but a person reads at most a few dozen frames a
second; re-rendering on every token would spend the GUI thread on frames nobody sees. A
Throttle runs the first call at once, folds every call that comes during the following interval
into one run at its end, and so never drops the last update. The idea is qutebrowser's
`misc/throttle.py`, reduced to what the window needs.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QTimer

#: About 30 updates a second: smooth to the eye, cheap for the GUI thread.
UPDATE_INTERVAL_MS = 33


class Throttle(QObject):
    """Calls `func` at most once every `interval_ms`; a call during the interval runs at its end.

    Signals: none (a plain callable object; `flush()` runs a pending call now).
    """

    def __init__(
        self,
        func: Callable[[], None],
        interval_ms: int = UPDATE_INTERVAL_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._func = func
        self._pending = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._on_timer_timeout)

    def __call__(self) -> None:
        if self._timer.isActive():
            self._pending = True
            return
        self._run()

    def flush(self) -> None:
        """Run a pending call now instead of at the end of the interval."""
        if self._pending:
            self._timer.stop()
            self._run()

    def cancel(self) -> None:
        self._pending = False
        self._timer.stop()

    def _run(self) -> None:
        self._pending = False
        self._timer.start()  # the interval counts from this run, so bursts cannot pile up
        self._func()

    def _on_timer_timeout(self) -> None:
        if self._pending:
            self._run()
