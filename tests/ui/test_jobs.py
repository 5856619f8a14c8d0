"""Background jobs: a window that closed hears nothing more from the jobs it started."""

from __future__ import annotations

import threading

import shiboken6

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


def _finished_but_undelivered(jobs: BackgroundJobs, release: threading.Event) -> None:
    release.set()
    assert jobs.wait(5_000)  # the work is done; its result is still on its way


def test_a_result_for_a_dialog_that_was_deleted_reaches_nothing(qtbot):
    from PySide6.QtWidgets import QDialog, QLabel

    jobs = BackgroundJobs()
    release = threading.Event()
    dialog = QDialog()
    label = QLabel(dialog)

    def fail() -> None:
        release.wait(5)
        raise OSError("the database was closed")

    jobs.run(fail, None, lambda exc: label.setText(f"No estimate: {exc}"), owner=dialog)
    _finished_but_undelivered(jobs, release)
    shiboken6.delete(dialog)  # closed and gone, with its label, before the result is delivered
    qtbot.waitUntil(lambda: not jobs.busy)  # delivered to nobody, and nothing raised
    assert not jobs.busy


def test_a_bound_method_callback_is_owned_by_its_widget(qtbot):
    from PySide6.QtWidgets import QLabel

    jobs = BackgroundJobs()
    release = threading.Event()
    label = QLabel()
    jobs.run(lambda: release.wait(5) and "12 turns", label.setText)
    _finished_but_undelivered(jobs, release)
    shiboken6.delete(label)
    qtbot.waitUntil(lambda: not jobs.busy)

    kept = QLabel()
    qtbot.addWidget(kept)
    again = threading.Event()
    jobs.run(lambda: again.wait(5) and "12 turns", kept.setText)
    _finished_but_undelivered(jobs, again)
    qtbot.waitUntil(lambda: kept.text() == "12 turns")
