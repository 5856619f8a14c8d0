"""Timing the GUI thread from inside Qt's event dispatch, for the window benchmarks.

A probe timer cannot see a stall for what it is: while the GUI thread is blocked the timer
cannot fire, so a 100 ms freeze shows up as one late sample among hundreds of punctual ones.
Here the application itself is the probe: `TimedApplication.notify` stamps the start and the
end of every top-level event the GUI thread dispatches (timers, queued signals, layout, paint,
input), so each stretch during which the window could not react to anything else is measured
for as long as it lasted. Nested events (a paint sent from inside a layout) belong to the
dispatch that sent them.

`Gaps` turns those stamps into the figures a user feels: the share of wall time spent inside
dispatches longer than one 60 Hz frame (each weighed by its length), and the longest one.
Paints of watched widgets are reported to a callback as they finish, for byte-to-pixel times.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication

FRAME_MS = 1000 / 60


class TimedApplication(QApplication):
    """A QApplication that records every top-level dispatch on its own thread: (start, end)."""

    def __init__(self, argv: list[str]) -> None:
        super().__init__(argv)
        self._gui_ident = threading.get_ident()
        self._depth = 0
        self.recording = False
        self.dispatches: list[tuple[float, float]] = []
        self.paint_watch: dict[int, Callable[[float], None]] = {}
        self.trace = bool(os.environ.get("THINKPANE_BENCH_TRACE"))
        self.long: list[tuple[float, str, str]] = []  # with trace: the long dispatches

    def notify(self, receiver: Any, event: Any) -> bool:  # noqa: N802 - Qt's name
        if not self.recording or threading.get_ident() != self._gui_ident:
            return super().notify(receiver, event)
        self._depth += 1
        started = time.perf_counter()
        try:
            return super().notify(receiver, event)
        finally:
            self._depth -= 1
            ended = time.perf_counter()
            if self.paint_watch and event.type() == QEvent.Type.Paint:
                callback = self.paint_watch.get(id(receiver))
                if callback is not None:
                    callback(ended)
            if self._depth == 0:
                self.dispatches.append((started, ended))
                if self.trace and ended - started > FRAME_MS / 1000:
                    name = f"{type(receiver).__name__}:{receiver.objectName()}"
                    self.long.append((round((ended - started) * 1000, 1), event.type().name, name))

    def watch_paint(self, widget: Any, callback: Callable[[float], None]) -> None:
        """Call `callback(end_time)` after each paint event `widget` receives."""
        self.paint_watch[id(widget)] = callback

    def busy_between(self, start: float, end: float) -> float:
        """Seconds spent dispatching between two moments (dispatches clipped to the span)."""
        total = 0.0
        for began, ended in self.dispatches:
            if ended <= start or began >= end:
                continue
            total += min(ended, end) - max(began, start)
        return total


def gap_figures(dispatches: list[tuple[float, float]], start: float, end: float) -> dict:
    """stall_time_share, stall_ms_max and friends for the dispatches inside [start, end]."""
    wall = max(end - start, 1e-9)
    lengths = [(min(e, end) - max(b, start)) * 1000 for b, e in dispatches if e > start and b < end]
    long = [ms for ms in lengths if ms > FRAME_MS]
    ordered = sorted(lengths)

    def pct(q: float) -> float:
        if not ordered:
            return 0.0
        return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]

    return {
        "stall_time_share": round(sum(long) / 1000 / wall, 4),
        "stall_ms_max": round(max(lengths, default=0.0), 2),
        "stall_ms_p50": round(pct(0.50), 3),
        "stall_ms_p99": round(pct(0.99), 2),
        "stalls_over_frame": len(long),
        "busy_share": round(sum(lengths) / 1000 / wall, 3),
    }


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]
