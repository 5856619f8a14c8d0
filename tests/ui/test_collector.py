"""Cycles dropped on a worker thread are freed on the GUI thread, where Qt objects must die."""

from __future__ import annotations

import gc
import threading

from client.ui.collector import GuiThreadCollector


class _Cycle:
    freed_on: list[str] = []

    def __init__(self) -> None:
        self.me = self
        self.ballast = [object() for _ in range(50)]  # allocations that move the counts

    def __del__(self) -> None:
        _Cycle.freed_on.append(threading.current_thread().name)


def test_cycles_made_and_dropped_on_a_worker_are_freed_on_the_gui_thread(qtbot):
    _Cycle.freed_on.clear()
    collector = GuiThreadCollector()
    try:
        assert not gc.isenabled()

        def churn() -> None:
            for _ in range(5_000):  # far past every threshold of the automatic collector
                _Cycle()

        worker = threading.Thread(target=churn, name="worker")
        worker.start()
        worker.join()
        assert _Cycle.freed_on == []  # the worker crossed the thresholds and freed no cycle
        qtbot.waitUntil(lambda: len(_Cycle.freed_on) > 0, timeout=5_000)
        assert set(_Cycle.freed_on) == {threading.main_thread().name}
        assert collector.collections > 0
    finally:
        collector.stop()
    assert gc.isenabled()
    assert len(_Cycle.freed_on) == 5_000  # stop() collects what was left


def test_what_start_up_built_is_left_out_of_later_collections(qtbot):
    collector = GuiThreadCollector()
    try:
        built_at_start = [[i] for i in range(1_000)]
        collector.settle()
        assert gc.get_freeze_count() >= len(built_at_start)
    finally:
        collector.stop()
    assert gc.get_freeze_count() == 0  # stop() gives every object back to the collector


def test_the_app_switches_the_collector_off_before_its_imports_and_gives_it_back(qtbot):
    """run_app turns automatic collection off before it imports Qt and the window (start-up
    would otherwise walk its own objects again and again); the collector it hands over to puts
    it back as it found it."""
    assert gc.isenabled()
    gc.disable()  # as run_app does, before the imports
    collector = GuiThreadCollector(was_enabled=True)
    collector.stop()
    assert gc.isenabled()
