"""Background jobs: a window that closed hears nothing more from the jobs it started."""

from __future__ import annotations

import threading

from client.ui.jobs import BackgroundJobs


def test_a_result_that_arrives_after_the_window_closed_reaches_nothing(qtbot):
    jobs = BackgroundJobs()
    release = threading.Event()
    heard: list[object] = []

    def fail() -> None:
        release.wait(5)
        raise OSError("the database was closed")

    jobs.run(lambda: release.wait(5) or "estimate", heard.append, heard.append)
    jobs.run(fail, heard.append, heard.append)
    release.set()
    assert jobs.wait(5_000)  # the work is done; its results are still on their way
    jobs.drop_callbacks()
    qtbot.wait(50)  # the event loop delivers them, and they go nowhere
    assert heard == []
    assert not jobs.busy
