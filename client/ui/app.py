"""Starting the desktop app: the window first, everything heavy after it is on screen.

`run_app()` opens the store, builds the window and shows it; genai-prices, keyring, the
renderer and the provider adapters are imported on a background thread once the event loop
runs (QTimer.singleShot(0, …)), so the first frame does not wait for them. A database that will
not open (damaged, from a newer Thinkpane, a full disk) gets a dialog with a way on, not a
traceback (client/ui/recovery.py).

THINKPANE_STARTUP_PROBE=1 prints a line when the window is on screen (bench/bench_startup.py
measures that); =quit also quits once the background start-up work is done.
THINKPANE_THEME=light|dark forces a theme (screenshots, tests).
"""

from __future__ import annotations

import os
import sys
import time

PROBE_MARKER = "thinkpane: window shown"


def _probe() -> str:
    return os.environ.get("THINKPANE_STARTUP_PROBE", "").strip().lower()


def tune_interpreter() -> None:
    """Let the GUI thread get the GIL back within a millisecond.

    A streaming turn's worker is busy Python (parsing SSE, joining text); at the default 5 ms
    switch interval, every return from Qt into Python on the GUI thread can wait that long,
    and a frame makes many such returns. 1 ms keeps the window responsive at full speed.
    """
    sys.setswitchinterval(0.001)


def run_app(argv: list[str] | None = None) -> int:
    tune_interpreter()
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv[:1])
    app.setApplicationName("Thinkpane")
    app.setOrganizationName("Thinkpane")
    app.setDesktopFileName("io.github.thinkpane.Thinkpane")

    from client.ui.recovery import ask_what_to_do, open_store

    notice = _upgrade_notice(app)  # a migration may rebuild the search index: say so first
    store, recovered = open_store(ask_what_to_do)  # a damaged file: a choice, not a traceback
    if notice is not None:
        notice.close()
    if store is None:
        return 1
    try:
        window = build_window(app, store)
        window.show()
        if recovered:
            window.statusBar().showMessage(recovered, 60_000)
        probe = _probe()
        if probe:
            QTimer.singleShot(0, lambda: print(PROBE_MARKER, flush=True))
            if probe == "quit":
                window.sig_ready.connect(lambda: QTimer.singleShot(0, window.close))
        QTimer.singleShot(0, window.start)
        return app.exec()
    finally:
        store.close()


def _upgrade_notice(app):  # type: ignore[no-untyped-def]
    """A small window saying the database is being updated, shown only when opening it will
    run a migration (after an upgrade: rebuilding the search index of a long history takes
    seconds, and nothing else would be on screen)."""
    from client.store.db import migration_pending
    from client.store.paths import database_path

    try:
        pending = migration_pending(database_path())
    except OSError:
        return None  # the folder cannot be made: open_store says so
    if not pending:
        return None
    from PySide6.QtWidgets import QLabel

    notice = QLabel(
        "Thinkpane is updating its database after an upgrade. This happens once; "
        "with a long history it takes a little while."
    )
    notice.setWindowTitle("Thinkpane")
    notice.setAccessibleName("Updating the database")
    notice.setMargin(24)
    notice.show()
    # The work that follows blocks this thread: wait (briefly) for the window to be on screen
    # and painted, or it would stay an empty frame until the update is done.
    deadline = time.monotonic() + 1.0
    while time.monotonic() < deadline:
        app.processEvents()
        handle = notice.windowHandle()
        if handle is not None and handle.isExposed():
            break
        time.sleep(0.01)
    notice.repaint()
    app.processEvents()
    return notice


def build_window(app, store, **options):  # type: ignore[no-untyped-def]
    """The window with its collaborators (tests pass fakes for discovery and link opening)."""
    from client.ui.icons import app_icon
    from client.ui.jobs import BackgroundJobs
    from client.ui.main_window import MainWindow
    from client.ui.prefs import Preferences
    from client.ui.theme import ThemeController
    from client.ui.turns.runner import TurnRunner

    jobs = BackgroundJobs(1)
    net_jobs = BackgroundJobs(4)
    prefs = Preferences(store, jobs)
    theme = ThemeController(app, prefs.get("ui.theme"), int(prefs.get("ui.font_size") or 0) or None)
    runner = TurnRunner(store)
    app.setWindowIcon(app_icon())
    window = MainWindow(store, prefs, jobs, runner, theme, net_jobs=net_jobs, **options)
    for helper in (jobs, net_jobs, theme, runner):
        helper.setParent(window)  # they live and die with the window
    return window
