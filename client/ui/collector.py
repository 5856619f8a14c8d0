"""The cyclic garbage collector runs on the GUI thread only.

Python's cyclic collector runs on whichever thread happens to allocate when a generation's
threshold is crossed. In this app that is often a worker thread (a streaming turn, the
auditor, the search index). If the garbage it finds holds Qt objects owned by Python (a
QTextDocument kept in a dict, a wrapper whose parent went away), their C++ destructors then
run on that worker, while the GUI thread may be painting them: Qt objects must be destroyed on
the thread they live in. That is the kind of crash that happens once in a thousand runs and
never in a debugger.

So the automatic collector is switched off and a timer on the GUI thread does its work: every
`INTERVAL_MS` it looks at the allocation counts and collects the generations whose thresholds
were crossed, exactly as the automatic collector would have, only on the right thread. Reference
counting still frees everything that is not in a cycle at once, on whatever thread drops it;
only cycles wait, at most `INTERVAL_MS`. (pyqtgraph and other long-lived PyQt/PySide apps do
the same.)
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer, Slot

INTERVAL_MS = 500


class GuiThreadCollector(QObject):
    """Owns the cyclic collector while it lives: off automatically, collected by a GUI timer."""

    def __init__(self, parent: QObject | None = None, *, was_enabled: bool | None = None) -> None:
        """`was_enabled`: whether the collector was automatic before whoever switched it off
        ahead of us (the app does, before its imports); by default, what it is now."""
        super().__init__(parent)
        self._was_enabled = gc.isenabled() if was_enabled is None else was_enabled
        gc.disable()
        self._timer = QTimer(self)
        self._timer.setInterval(INTERVAL_MS)
        self._timer.timeout.connect(self.collect_due)
        self._timer.start()
        self.collections = 0  # how many collections this collector ran (tests read it)

    @Slot()
    def collect_due(self) -> None:
        """Collect the oldest generation whose threshold is crossed (and the younger ones)."""
        thresholds = gc.get_threshold()
        counts = gc.get_count()
        due = -1
        for generation in range(len(counts)):
            # A threshold of 0 means "never by count" (Python 3.14's old generation).
            if thresholds[generation] > 0 and counts[generation] > thresholds[generation]:
                due = generation
        if due >= 0:
            gc.collect(due)
            self.collections += 1

    @Slot()
    def settle(self) -> None:
        """Once start-up is done: collect, then keep what is left out of every later collection.

        A full collection walks every object tracked, and after start-up that is some 80,000
        (modules, classes, the window's wrappers): 25-55 ms on the GUI thread, a stall of two or
        three frames each time one falls due while an answer streams. What start-up built lives
        as long as the app, so it is frozen (gc.freeze): later full collections walk only what
        came after, and take well under a millisecond.
        """
        gc.collect()
        gc.freeze()

    def stop(self) -> None:
        """Give the collector back to Python: collect once here, then automatic again."""
        self._timer.stop()
        gc.unfreeze()
        gc.collect()
        if self._was_enabled:
            gc.enable()
