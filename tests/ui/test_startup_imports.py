"""The first frame waits for no heavy library: they load on a worker once the window is up.

Start-up time is measured in bench/ (never here); what a test can hold is the cause of most of
it. A module the window imports at start-up that pulls in httpx, keyring, genai-prices, the
Markdown renderer or the auditor adds tens of milliseconds each to every start, and it happens
by accident: one new top-level import in a room is enough (the comparison view once pulled in
the session, and with it httpx and keyring).
"""

from __future__ import annotations

import subprocess
import sys

HEAVY = (
    "httpx", "keyring", "genai_prices", "pydantic", "markdown", "pygments", "nh3",
    "sympy", "math_verify", "ziamath", "latex2mathml",
    "client.session", "client.audit", "client.pricing", "multiprocessing",
    # Not heavy each, but 4-5 ms apiece that the first frame does not need.
    "secrets", "concurrent.futures", "client.compare.runner", "client.ui.compare.setup_dialog",
    # 2-3 ms each, used by nothing on screen at the first frame (a preview, a link, a stamp).
    "json", "html", "datetime",
    # Formula pictures: loaded after the first frame (startup.load_widgets_later) or with a formula.
    "client.ui.conversation.formula_images", "client.render.maths", "client.render.typeset",
    # The store and the controllers: the window shows first, they are wired after (app.py).
    "client.store.store", "client.store.scripts", "client.ui.recovery",
    "client.ui.ledger.controller", "client.ui.turns.sending", "client.ui.audit.controller",
)  # fmt: skip


def _python(code: str) -> str:
    """What `code` prints, run by a fresh interpreter (nothing imported yet), offscreen."""
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"},
    ).stdout


def test_building_the_window_imports_no_heavy_library():
    code = (
        "import sys\n"
        "import client.ui.app, client.ui.main_window\n"
        f"print(' '.join(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    assert _python(code).split() == []


def test_modules_loaded_before_qt_are_never_read_again_by_pysides_feature_scan():
    """PySide6 reads the whole source of each module it first sees imported after it, looking
    for `from __feature__ import …`; start-up tells it the ones already loaded cannot ask."""
    code = (
        "import sys, json\n"
        "import PySide6.QtWidgets\n"
        "from client.ui.app import skip_feature_scan\n"
        "from shibokensupport import feature\n"
        "loaded = [m for m in sys.modules if m not in feature.pyside_feature_dict]\n"
        "skip_feature_scan()\n"
        "print(json.dumps([m for m in loaded if feature.pyside_feature_dict.get(m) != -1]))\n"
    )
    assert _python(code).strip() == "[]"


def test_nothing_in_thinkpane_asks_for_a_pyside_feature():
    # skip_feature_scan marks modules "ignore": right only while no module of ours opts in.
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "client"
    opt_in = re.compile(r"^\s*(from|import) __feature__", re.MULTILINE)
    asking = [p for p in root.rglob("*.py") if opt_in.search(p.read_text(encoding="utf-8"))]
    assert asking == []


def test_a_new_data_folder_shows_the_window_without_loading_sqlite(tmp_path):
    """The settings are read off the database before the window shows; a folder with no database
    yet has none to read, and SQLite loads with the store, after the first frame."""
    code = (
        "import os, sys\n"
        f"os.environ['THINKPANE_HOME'] = {str(tmp_path / 'new')!r}\n"
        "from client.ui.app import _settings_before_store\n"
        "print(_settings_before_store(), 'sqlite3' in sys.modules)\n"
    )
    assert _python(code).split() == ["{}", "False"]


def test_an_input_hold_watches_the_window_not_the_application(tmp_path):
    """Holding input while the store opens (client/ui/input_hold.py) filters the window's own
    objects: an application-wide Python filter made PySide build a Python class for every Qt
    widget class it knows before the first frame."""
    code = (
        "import os\n"
        f"os.environ['THINKPANE_HOME'] = {str(tmp_path)!r}\n"
        "from PySide6.QtCore import QTimer\n"
        "from PySide6.QtWidgets import QApplication\n"
        "import PySide6.QtWidgets as widgets\n"
        "from client.ui.app import build_window\n"
        "from client.ui.input_hold import InputHold\n"
        "app = QApplication([])\n"
        "window = build_window(app, None, settings={})\n"
        "window.show()\n"
        "hold = InputHold(window)\n"
        "QTimer.singleShot(0, app.quit)\n"
        "app.exec()\n"
        "print(*(name in widgets.__dict__ for name in ('QGraphicsScene', 'QGraphicsItem')))\n"
    )
    assert _python(code).split() == ["False", "False"]


def test_the_command_with_no_arguments_loads_no_argument_parser():
    """`thinkpane` alone (the menu entry) opens the window: argparse (8 ms) is for commands."""
    code = "import sys\nimport client.cli, client.ui.app\nprint('argparse' in sys.modules)\n"
    assert _python(code).strip() == "False"
