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
        # For each dispatch, the seconds the thread was runnable but had no CPU (other processes
        # had it): on a shared machine, part of a stall that is not the app's doing.
        self.waits: list[float] = []
        try:
            self._schedstat = os.open(f"/proc/self/task/{threading.get_native_id()}/schedstat", 0)
        except OSError:
            self._schedstat = -1
        self.paint_watch: dict[int, Callable[[float], None]] = {}
        self.trace = bool(os.environ.get("THINKPANE_BENCH_TRACE"))
        self.long: list[
            tuple[float, float, float, str, str]
        ] = []  # with trace: the long dispatches

    def notify(self, receiver: Any, event: Any) -> bool:  # noqa: N802 - Qt's name
        if not self.recording or threading.get_ident() != self._gui_ident:
            return super().notify(receiver, event)
        self._depth += 1
        queued = self._run_delay() if self._depth == 1 else 0.0
        started = time.perf_counter()
        cpu = time.thread_time() if self.trace and self._depth == 1 else 0.0
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
                waited = self._run_delay() - queued
                self.dispatches.append((started, ended))
                self.waits.append(waited)
                if self.trace and ended - started > FRAME_MS / 1000:
                    name = f"{type(receiver).__name__}:{receiver.objectName()}"
                    cpu_ms = round((time.thread_time() - cpu) * 1000, 1)
                    wall_ms = round((ended - started) * 1000, 1)
                    waited_ms = round(waited * 1000, 1)
                    self.long.append((wall_ms, cpu_ms, waited_ms, event.type().name, name))

    def _run_delay(self) -> float:
        """Seconds the GUI thread has spent runnable but not running (Linux schedstat)."""
        if self._schedstat < 0:
            return 0.0
        try:
            return int(os.pread(self._schedstat, 64, 0).split()[1]) / 1e9
        except (OSError, IndexError, ValueError):
            return 0.0

    def watch_paint(self, widget: Any, callback: Callable[[float], None]) -> None:
        """Call `callback(end_time)` after each paint event `widget` receives."""
        self.paint_watch[id(widget)] = callback

    def busy_between(self, start: float, end: float, own: bool = False) -> float:
        """Seconds spent dispatching between two moments (dispatches clipped to the span); with
        `own`, less the time the thread waited for a CPU held by other processes."""
        total = 0.0
        for (began, ended), waited in zip(self.dispatches, self.waits, strict=True):
            if ended <= start or began >= end:
                continue
            part = min(ended, end) - max(began, start)
            if own:
                part = max(0.0, part - waited * part / max(ended - began, 1e-9))
            total += part
        return total


def gap_figures(
    dispatches: list[tuple[float, float]], waits: list[float], start: float, end: float
) -> dict:
    """stall_time_share, stall_ms_max and friends for the dispatches inside [start, end].

    The `_own` figures count each dispatch without the time its thread waited for a CPU that
    other processes held (`waits`): what the app would show on a machine of its own.
    `cpu_wait_share` is that waiting, as a share of the wall time."""
    wall = max(end - start, 1e-9)
    lengths, own = [], []
    for (began, ended), waited in zip(dispatches, waits, strict=True):
        if ended <= start or began >= end:
            continue
        ms = (min(ended, end) - max(began, start)) * 1000
        lengths.append(ms)
        own.append(max(0.0, ms - waited * 1000))
    long = [ms for ms in lengths if ms > FRAME_MS]
    long_own = [ms for ms in own if ms > FRAME_MS]
    return {
        "stall_time_share": round(sum(long) / 1000 / wall, 4),
        "stall_ms_max": round(max(lengths, default=0.0), 2),
        "stall_ms_p99": round(percentile(lengths, 0.99), 2),
        "stalls_over_frame": len(long),
        "stall_time_share_own": round(sum(long_own) / 1000 / wall, 4),
        "stall_ms_max_own": round(max(own, default=0.0), 2),
        "cpu_wait_share": round((sum(lengths) - sum(own)) / 1000 / wall, 3),
        "busy_share": round(sum(lengths) / 1000 / wall, 3),
    }


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]
