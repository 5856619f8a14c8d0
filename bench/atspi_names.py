"""atspi_names: what a Linux screen reader is really given, read over AT-SPI from the running app.

The pytest walk (tests/support/access.py) reads Qt's accessibility interfaces inside the
process; this reads the other end of the bridge, as Orca does: the app is started on a display
with Qt's AT-SPI bridge forced on, the desktop's accessibility tree is read with pyatspi, and
every showing node a user can focus or act on is listed when it has no name. Combo boxes are
listed apart: on Linux Qt gives a combo box its current item as name ("qwen3"), so what it *is*
("Model") reaches the screen reader only through a labelled-by relation (a label whose buddy it
is); a combo box without one is reported.

Besides the main window it opens, through AT-SPI's own actions on the menu items (no mouse, no
key presses), the dialogs a user reaches from the menus, reads each and closes it with Escape.

Not a test and not run in CI: it needs a display, a session D-Bus and the system's pyatspi.

    apt-get install -y at-spi2-core python3-pyatspi xvfb
    Xvfb :11 -screen 0 1400x900x24 &
    DISPLAY=:11 dbus-run-session -- /usr/bin/python3 bench/atspi_names.py

Exit status 1 when any node is unnamed or a combo box has no label.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyatspi  # the system's (python3-pyatspi), not the project's venv

ROOT = Path(__file__).resolve().parents[1]
APP_NAME = "Thinkpane"

# Menu items whose dialog is read (the item's text without its ampersand, as AT-SPI names it).
# Compare… needs a model and a prompt first: the pytest walk reads its dialog.
DIALOGS = (
    "Settings…",
    "Search Everything…",
    "Spend…",
    "Prices…",
    "Keyboard Shortcuts",
    "About Thinkpane",
)

R = pyatspi
INTERACTIVE = {
    R.ROLE_PUSH_BUTTON,
    R.ROLE_TOGGLE_BUTTON,
    R.ROLE_CHECK_BOX,
    R.ROLE_RADIO_BUTTON,
    R.ROLE_COMBO_BOX,
    R.ROLE_TEXT,
    R.ROLE_ENTRY,
    R.ROLE_PASSWORD_TEXT,
    R.ROLE_SPIN_BUTTON,
    R.ROLE_LIST,
    R.ROLE_LIST_BOX,
    R.ROLE_TABLE,
    R.ROLE_TREE,
    R.ROLE_TREE_TABLE,
    R.ROLE_PAGE_TAB,
    R.ROLE_PAGE_TAB_LIST,
    R.ROLE_SLIDER,
}


def _wait_for(what, timeout: float = 30.0):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = what()
        if found:
            return found
        time.sleep(0.3)
    return None


def _app():  # type: ignore[no-untyped-def]
    desktop = pyatspi.Registry.getDesktop(0)
    for i in range(desktop.childCount):
        child = desktop.getChildAtIndex(i)
        if child is not None and child.name == APP_NAME:
            return child
    return None


def _walk(node, depth: int = 0):  # type: ignore[no-untyped-def]
    if node is None or depth > 80:
        return
    try:
        states = node.getState()
        if not states.contains(R.STATE_SHOWING):
            return
        yield node
        children = [node.getChildAtIndex(i) for i in range(node.childCount)]
    except Exception:  # noqa: BLE001 - a node can go away while it is read
        return
    for child in children:
        yield from _walk(child, depth + 1)


def _path(node) -> str:  # type: ignore[no-untyped-def]
    parts = []
    parent = node.parent
    while parent is not None and len(parts) < 4:
        parts.append(
            f"{parent.getRoleName()}({parent.name!r})" if parent.name else parent.getRoleName()
        )
        parent = parent.parent
    return " in " + " / ".join(parts)


def _labels(node) -> list[str]:  # type: ignore[no-untyped-def]
    names = []
    for relation in node.getRelationSet():
        if relation.getRelationType() == R.RELATION_LABELLED_BY:
            for i in range(relation.getNTargets()):
                target = relation.getTarget(i)
                if target is not None:
                    names.append(target.name)
    return names


def read_window(window) -> tuple[int, list[str], list[str]]:  # type: ignore[no-untyped-def]
    """(controls seen, unnamed controls, combo boxes without a label) below one window."""
    seen, unnamed, unlabelled = 0, [], []
    for node in _walk(window):
        role = node.getRole()
        focusable = node.getState().contains(R.STATE_FOCUSABLE)
        if role not in INTERACTIVE and not (focusable and role != R.ROLE_FRAME):
            continue
        if role in (R.ROLE_LIST_ITEM, R.ROLE_TABLE_CELL, R.ROLE_MENU_ITEM):
            continue  # items are read by their text; their list or table is the control
        seen += 1
        name = (node.name or "").strip()
        description = (node.description or "").strip()
        if not name and not description:
            inside = [node.getChildAtIndex(i) for i in range(min(node.childCount, 3))]
            first = ", ".join(f"{c.getRoleName()}({c.name!r})" for c in inside if c is not None)
            unnamed.append(f"{node.getRoleName()} holding [{first}]{_path(node)}")
        if role == R.ROLE_COMBO_BOX:
            labels = _labels(node)
            if not labels:
                unlabelled.append(f"combo box {name!r}{_path(node)}")
            else:
                print(f"  combo box {name!r} labelled by {' / '.join(map(repr, labels))}")
    return seen, unnamed, unlabelled


def _menu_item(app, text: str):  # type: ignore[no-untyped-def]
    def find(node, depth=0):  # type: ignore[no-untyped-def]
        if node is None or depth > 12:
            return None
        if node.getRole() == R.ROLE_MENU_ITEM and (node.name or "").replace("&", "") == text:
            return node
        for i in range(node.childCount):
            if (found := find(node.getChildAtIndex(i), depth + 1)) is not None:
                return found
        return None

    for i in range(app.childCount):
        window = app.getChildAtIndex(i)
        if window is not None and (found := find(window)) is not None:
            return found
    return None


def _windows(app) -> list:  # type: ignore[no-untyped-def]
    found = []
    for i in range(app.childCount):
        window = app.getChildAtIndex(i)
        if window is not None and window.getState().contains(R.STATE_SHOWING):
            found.append(window)
    return found


def _press_escape() -> None:
    subprocess.run(["xdotool", "key", "Escape"], check=False)


def main() -> int:
    if not os.environ.get("DISPLAY") or not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        print(__doc__, file=sys.stderr)
        return 2
    home = tempfile.mkdtemp(prefix="thinkpane-atspi-")
    env = dict(os.environ, QT_LINUX_ACCESSIBILITY_ALWAYS_ON="1", THINKPANE_HOME=home)
    thinkpane = os.environ.get("THINKPANE", str(ROOT / ".venv" / "bin" / "thinkpane"))
    process = subprocess.Popen([thinkpane], env=env, stderr=subprocess.DEVNULL)
    problems = 0
    try:
        app = _wait_for(lambda: _app() if _app() is not None and _app().childCount else None)
        if app is None:
            print("the app never appeared on the accessibility bus", file=sys.stderr)
            return 2
        time.sleep(3)  # discovery and the first paint settle
        main_window = _windows(app)[0]
        reports = [("main window", main_window)]
        results = [(what, *read_window(window)) for what, window in reports]
        for text in DIALOGS:
            item = _menu_item(app, text)
            if item is None:
                results.append((text, 0, [f"no menu item {text!r}"], []))
                continue
            before = {w.name for w in _windows(app)}
            item.queryAction().doAction(0)
            dialog = _wait_for(
                lambda b=before: next((w for w in _windows(app) if w.name not in b), None), 10
            )
            if dialog is None:
                results.append((text, 0, ["no window opened"], []))
                continue
            time.sleep(1.5)  # the dialog's content (a spend report, a key check) arrives
            results.append((f"{text} ({dialog.name})", *read_window(dialog)))
            _press_escape()
            _wait_for(lambda d=dialog.name: d not in {w.name for w in _windows(app)}, 5)
        for what, seen, unnamed, unlabelled in results:
            print(
                f"{what}: {seen} controls, {len(unnamed)} unnamed, {len(unlabelled)} combo boxes without a label"
            )
            for line in unnamed:
                print(f"  unnamed: {line}")
            for line in unlabelled:
                print(f"  no label: {line}")
            problems += len(unnamed) + len(unlabelled)
    finally:
        process.terminate()
        process.wait(10)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
