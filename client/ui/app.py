"""Starting the desktop app: the window first, everything heavy after it is on screen.

`run_app()` opens the store, builds the window and shows it; genai-prices, keyring, the
renderer and the provider adapters are imported on a background thread once the event loop
runs (QTimer.singleShot(0, …)), so the first frame does not wait for them. A database that will
not open (damaged, from a newer Thinkpane, a full disk) gets a dialog with a way on, not a
traceback (client/ui/recovery.py).

THINKPANE_STARTUP_PROBE=1 prints a line when the window is on screen (bench/bench_startup.py
measures that); =quit also closes the window once the background start-up work is done and
the last conversation is open, printing when it asks (the benchmark times the quit from there).
Once the window is up, the whole database is checked in the background (BackgroundCheck); if
it is damaged, the same choice as at start is offered, and the app opens again after acting on
it.
THINKPANE_THEME=light|dark forces a theme (screenshots, tests).
"""

from __future__ import annotations

import os
import sys
import time
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:  # Qt is imported only once a display is known to work
    from PySide6.QtCore import QObject

    from client.ui.collector import GuiThreadCollector
    from client.ui.main_window import MainWindow

PROBE_MARKER = "thinkpane: window shown"
PROBE_CLOSING = "thinkpane: closing at"


def _probe() -> str:
    return os.environ.get("THINKPANE_STARTUP_PROBE", "").strip().lower()


def tune_interpreter() -> None:
    """Let the GUI thread get the GIL back within a fifth of a millisecond.

    A streaming turn's worker is busy Python (parsing SSE, joining text). Every time the GUI
    thread comes back from Qt into Python (a slot, an overridden event handler, sizeHint, an
    event filter) while the worker runs, it waits for the worker to give up the GIL, up to one
    switch interval; painting one frame makes dozens of such returns. Measured with
    bench/run.py stream, at the old 1 ms interval those waits made the paint of a frame take
    30-80 ms of wall time for 3-6 ms of work (the GUI thread's CPU time), and 0.2 ms brings
    the frame back under 16 ms. The worker loses nothing that matters: it is waiting on the
    network most of the time.
    """
    sys.setswitchinterval(0.0002)


def collect_on_gui_thread(app: QObject, window: MainWindow) -> GuiThreadCollector:
    """The cyclic collector on the GUI thread (client/ui/collector.py), settled once `window`
    is ready; one per app. The benchmarks call this too, so they measure what users run."""
    from client.ui.collector import GuiThreadCollector

    collector = app.findChild(GuiThreadCollector) or GuiThreadCollector(app)
    window.sig_ready.connect(collector.settle)
    return collector


def run_app(argv: list[str] | None = None, files: list[str] | None = None) -> int:
    from client.ui.display import display_problem

    problem = display_problem()  # before Qt: without a display it aborts the process
    if problem is not None:
        print(f"thinkpane: {problem}", file=sys.stderr)
        return 1
    tune_interpreter()
    # Start-up builds some 80,000 objects that live as long as the app (modules, classes, the
    # window's wrappers). The automatic collector would walk them again and again while they
    # are made, 10-20 ms of the first window (bench/run.py startup); the GUI-thread collector
    # takes over below and collects once, then freezes them, after the first frame.
    import gc

    was_collecting = gc.isenabled()
    gc.disable()
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    skip_feature_scan()
    from client.ui.collector import GuiThreadCollector

    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv[:1])
    if app.findChild(GuiThreadCollector) is None:
        GuiThreadCollector(app, was_enabled=was_collecting)
    app.setApplicationName("Thinkpane")
    app.setOrganizationName("Thinkpane")
    QGuiApplication.setDesktopFileName("io.github.thinkpane.Thinkpane")

    note = ""
    while True:  # once more after the background check found damage and the user chose
        settings = _settings_before_store()
        opening = _Opening(app, note, files or [])
        files = None  # opened once, not again after a recovery reopens the window
        if settings is None:  # a migration, a file or folder in doubt: the store first, as ever
            from client.ui.recovery import ask_for_folder, ask_what_to_do, open_store

            notice = _upgrade_notice(app)  # a migration may rebuild the search index: say so
            # A damaged file or an unusable data folder: a choice, not a traceback.
            store, recovered = open_store(ask_what_to_do, choose_folder=ask_for_folder)
            if notice is not None:
                notice.close()
            if store is None:
                return 1
            window = build_window(app, store)
            window.show()
            opening.opened(window, store, recovered)
        else:  # the window first, as it was left; the store opens right after the first frame
            window = build_window(app, None, settings=settings)
            window.show()
            opening.show_then_open(window)
        try:
            code = app.exec()
            if opening.check is not None:
                opening.check.stop()
        finally:
            if opening.store is not None:
                opening.store.close()
        if opening.store is None:  # closed before the store opened, or refused to open it
            return 1 if opening.refused else code
        check = opening.check
        if check is None or check.trouble is None or check.choice is None:
            return code
        from client.ui.recovery import act_on

        try:
            done = act_on(check.choice, check.trouble)
        except OSError as exc:
            print(f"thinkpane: {exc}", file=sys.stderr)
            return 1
        if done is None:
            return code
        note = done
        window.deleteLater()


def _settings_before_store() -> dict | None:
    """The settings the window shows with, read before the store opens (client.store.db), or
    None when the store must open first (a migration, a data folder or file in doubt)."""
    from client.store.errors import StoreError
    from client.store.paths import database_path

    try:
        path = database_path()
        if not path.exists():
            return {}  # a new data folder: the store creates the file (no SQLite before the window)
        from client.store.db import read_settings

        return read_settings(path)
    except (OSError, StoreError):
        return None


class _Opening:
    """One opening of the window and its store (run_app runs another after a recovery)."""

    def __init__(self, app, note: str, files: list[str]) -> None:  # type: ignore[no-untyped-def]
        self.app, self.note, self.files = app, note, files
        self.store: Any = None
        self.check: Any = None
        self.refused = False  # the user quit rather than choose what to do with the file

    def show_then_open(self, window) -> None:  # type: ignore[no-untyped-def]
        """The window is on screen without its store: open it once the first frame is out.
        Until then what the user does in the window waits (InputHold) and happens after."""
        from PySide6.QtCore import QTimer

        from client.ui.input_hold import InputHold

        hold = InputHold(window)
        self._marker()

        def open_store_now() -> None:
            try:
                if window.isVisible():  # not closed meanwhile
                    self._open_and_attach(window)
            finally:
                hold.release()

        QTimer.singleShot(0, open_store_now)

    def _open_and_attach(self, window) -> None:  # type: ignore[no-untyped-def]
        from client.ui.recovery import ask_for_folder, ask_what_to_do, open_store
        from client.ui.turns.runner import TurnRunner

        # A file found damaged, a folder that cannot be used: the same choice as ever.
        store, recovered = open_store(ask_what_to_do, choose_folder=ask_for_folder)
        if store is None:
            self.refused = True
            window.close()  # the user chose to quit
            return
        window.prefs.bind(store)
        runner = TurnRunner(store)
        runner.setParent(window)  # it lives and dies with the window
        window.attach(store, runner)
        self.opened(window, store, recovered, marked=True)

    def opened(self, window, store, recovered: str, marked: bool = False) -> None:  # type: ignore[no-untyped-def]
        """The window has its store: the background check, the collector, the start-up work."""
        from PySide6.QtCore import QTimer

        from client.ui.recovery import BackgroundCheck, ask_what_to_do

        self.store = store
        if recovered or self.note:
            window.statusBar().showMessage(recovered or self.note, 60_000)
        check = BackgroundCheck(store.path, partial(ask_what_to_do, parent=window), window)
        check.sig_recovery_chosen.connect(window.close)
        window.sig_ready.connect(check.start)  # after the first frame and the warm-up
        self.check = check
        collect_on_gui_thread(self.app, window)
        if not marked:
            self._marker()
        if _probe() == "quit":
            _close_for_probe(window)
        QTimer.singleShot(0, window.start)
        if self.files:  # handed over by the desktop: imported once the store is there
            QTimer.singleShot(0, partial(open_files, window, self.files))

    @staticmethod
    def _marker() -> None:
        if _probe():
            from PySide6.QtCore import QTimer

            QTimer.singleShot(0, lambda: _say(PROBE_MARKER))


def leave(code: int) -> NoReturn:
    """End the process now that the window is closed and the store with it.

    Everything the user keeps is on disk by then: running turns were stopped and stored when
    the window closed, pending store jobs finished, the database was closed. What is left is the
    interpreter taking every module's objects apart one by one, which took 0.8 s of a 1 s quit
    (bench/run.py startup, quit_s) and saves nothing. Qt's own teardown still runs (on X11 it
    hands a copied answer to the clipboard manager), and so do the atexit handlers (logging
    flushes its files there).
    """
    import atexit

    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is not None:
        import shiboken6

        shiboken6.delete(app)
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)


def skip_feature_scan() -> None:
    """Spare start-up PySide6's scan of modules it has no need to read.

    Once imported, PySide6 hooks every later `import` and, the first time it sees a module name,
    reads that module's whole source to find out whether it asks for `from __feature__ import
    snake_case` (an opt-in Thinkpane never uses): ≈0.2 ms a module, the first `import os` after
    Qt included. Modules loaded before Qt cannot ask for it, so they are entered in PySide's table
    as "ignore this module" (its meaning for -1) and never read. The first window came 10–18 ms
    sooner (bench/run.py startup). Should a PySide release drop the table, nothing changes.
    """
    try:
        from shibokensupport import feature  # type: ignore[import-not-found]
    except ImportError:
        return
    table = getattr(feature, "pyside_feature_dict", None)
    if isinstance(table, dict):
        for name in list(sys.modules):
            table.setdefault(name, -1)


def open_files(window, files: list[str]) -> None:  # type: ignore[no-untyped-def]
    """Files handed to the app by the desktop: a Thinkpane export is imported and opened (as
    File → Import does); anything else is said in the status bar, and nothing changes."""
    for name in files:
        if Path(name).is_file():
            window.history.exports.import_from(name)
        else:
            window.statusBar().showMessage(
                f"Thinkpane opens conversations exported as JSON; {name} is not a file here.",
                15_000,
            )


def _say(line: str) -> None:
    """A probe line on standard output. Whoever reads it may have stopped reading (`grep -q`
    exits at the first match): a closed pipe must not keep the app from going on, or quitting."""
    try:
        print(line, flush=True)
    except OSError:  # BrokenPipeError: nobody reads any more
        # What is still buffered goes nowhere, so the exit's own flush does not fail (120).
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def _close_for_probe(window):  # type: ignore[no-untyped-def]
    """The start-up benchmark's quit: once the background start-up is done and the last
    conversation is open (or a moment has passed: there may be none), ask the window to close,
    printing when (time.monotonic, the clock the benchmark reads too)."""
    from PySide6.QtCore import QTimer

    state = {"ready": False, "shown": False, "closed": False}

    def close() -> None:
        if not state["closed"]:
            state["closed"] = True
            _say(f"{PROBE_CLOSING} {time.monotonic():.6f}")
            window.close()

    def step(key: str) -> None:
        state[key] = True
        if state["ready"] and state["shown"]:
            QTimer.singleShot(0, close)
        elif state["ready"]:
            QTimer.singleShot(1500, close)

    window.sig_ready.connect(lambda: step("ready"))
    window.sig_conversation_shown.connect(lambda _id: step("shown"))


def _upgrade_notice(app):  # type: ignore[no-untyped-def]
    """A small window saying the database is being updated, shown only when opening it will
    run a migration (after an upgrade: rebuilding the search index of a long history takes
    seconds, and nothing else would be on screen)."""
    from client.store.db import StoreError, migration_pending
    from client.store.paths import database_path

    try:
        pending = migration_pending(database_path())
    except (OSError, StoreError):
        return None  # the folder cannot be used: open_store asks for another
    if not pending:
        return None
    from PySide6.QtWidgets import QLabel

    notice = QLabel(
        "Thinkpane is updating its database after an upgrade. This happens once; "
        "with a long history it takes a little while."
    )
    notice.setWindowTitle("Thinkpane")
    notice.setAccessibleName("Updating the database")
    notice.setAccessibleDescription(notice.text())  # the name alone would hide the sentence
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


def build_window(app, store, settings=None, **options):  # type: ignore[no-untyped-def]
    """The window with its collaborators (tests pass fakes for discovery and link opening).

    With no store, the window as it shows before the store opens, from `settings` read off the
    file (client.store.db.read_settings): `_Opening` attaches the store after the first frame."""
    from client.ui.icons import app_icon
    from client.ui.jobs import BackgroundJobs
    from client.ui.main_window import MainWindow
    from client.ui.prefs import Preferences
    from client.ui.theme import ThemeController

    jobs = BackgroundJobs(1)
    net_jobs = BackgroundJobs(4)
    prefs = Preferences(store, jobs, settings)
    theme = ThemeController(app, prefs.get("ui.theme"), int(prefs.get("ui.font_size") or 0) or None)
    runner = None
    if store is not None:
        from client.ui.turns.runner import TurnRunner

        runner = TurnRunner(store)
    app.setWindowIcon(app_icon())
    window = MainWindow(store, prefs, jobs, runner, theme, net_jobs=net_jobs, **options)
    for helper in (jobs, net_jobs, theme, runner):
        if helper is not None:
            helper.setParent(window)  # they live and die with the window
    return window
