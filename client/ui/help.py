"""The Help menu: every keyboard shortcut in one window, About (version, data folder, the
licences of the libraries Thinkpane bundles) and the README.

The shortcuts window is built from the window's own actions, so it lists exactly what the menus
offer and can never drift from them. The README opens through the window's link policy (the
system's viewer), from the copy beside the code, or the project page when there is none.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, QUrl, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMainWindow,
    QMenu,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

# (distribution names to try, what it does for Thinkpane)
BUNDLED = (
    (("PySide6", "PySide6_Essentials", "PySide6-Essentials"), "Qt for Python: the window"),
    (("httpx",), "HTTP to the model providers"),
    (("keyring",), "API keys in the system keyring"),
    (("Markdown",), "Markdown rendering"),
    (("nh3",), "HTML sanitising"),
    (("Pygments",), "code highlighting"),
    (("platformdirs",), "the platform's data folder"),
    (("genai-prices",), "model prices"),
    (("ziamath",), "typesetting formulas"),
    (("latex2mathml",), "formulas in saved HTML"),
    (("sympy",), "the auditor's symbolic checks"),
    (("math-verify",), "telling equal answers apart from different ones"),
)
README_ONLINE = "https://github.com/thinkpane/thinkpane#readme"
# Keys that work in one place rather than through a menu: (command, keys), after the menus'.
KEYS_IN_PLACE = (
    ("Send the prompt", "Enter"),
    ("New line in the prompt", "Shift+Enter"),
    ("Next or previous control", "Tab, Shift+Tab"),
    ("Press the focused button", "Space"),
    ("Open the steps (on the audit line)", "Enter"),
    ("Previous or next step", "Up, Down"),
    ("Mark the step sound, spurious, unsure", "S, P, U"),
    ("Rename or delete a conversation (in the list)", "F2, Delete"),
    ("Close a dialog", "Escape"),
)


def licence_of(names: tuple[str, ...]) -> tuple[str, str] | None:
    """(version, licence) of the first installed distribution of `names`, or None."""
    import importlib.metadata as metadata  # 15 ms: when About opens, not at start-up

    for name in names:
        try:
            data: Any = metadata.metadata(name)  # an email Message: .get, .get_all
        except metadata.PackageNotFoundError:
            continue
        licence = data.get("License-Expression") or (data.get("License") or "").strip()
        if not licence or len(licence) > 60:  # some put the whole licence text there
            classifiers = [c for c in data.get_all("Classifier") or [] if c.startswith("License")]
            licence = classifiers[0].rsplit("::", 1)[-1].strip() if classifiers else "see its files"
        return data.get("Version") or "?", licence
    return None


def readme_url() -> QUrl:
    """The README beside the code (a source checkout), else the project's page."""
    local = Path(__file__).resolve().parents[2] / "README.md"
    return QUrl.fromLocalFile(str(local)) if local.is_file() else QUrl(README_ONLINE)


def shortcut_rows(window: QMainWindow) -> list[tuple[str, str]]:
    """(command, shortcut) for every action of the window that has a shortcut, by menu order."""
    rows: list[tuple[str, str]] = []
    seen: set[int] = set()

    def visit(actions: list[QAction]) -> None:
        for action in actions:
            menu = action.menu()
            if isinstance(menu, QMenu):
                visit(menu.actions())
            elif id(action) not in seen and not action.shortcut().isEmpty():
                seen.add(id(action))
                text = action.text().replace("&", "").rstrip("…").strip()
                native = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
                rows.append((text, native))

    visit(window.menuBar().actions())
    visit(window.actions())
    return rows


class ShortcutsDialog(QDialog):
    """Every keyboard shortcut, in a table (read-only)."""

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self.setWindowTitle("Keyboard shortcuts")
        rows = shortcut_rows(window) + list(KEYS_IN_PLACE)
        self.table = QTableWidget(len(rows), 2, self)
        self.table.setAccessibleName("Keyboard shortcuts")
        self.table.setTabKeyNavigation(False)  # arrows move in it; Tab goes on to Close
        self.table.setHorizontalHeaderLabels(["Command", "Shortcut"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for row, (command, keys) in enumerate(rows):
            self.table.setItem(row, 0, QTableWidgetItem(command))
            self.table.setItem(row, 1, QTableWidgetItem(keys))
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setStretchLastSection(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(460, 520)


def about_html(data_folder: str) -> str:
    from client import __version__

    rows = []
    for names, role in BUNDLED:
        found = licence_of(names)
        if found is not None:
            version, licence = found
            rows.append(f"<tr><td>{names[0]} {version}</td><td>{licence}</td><td>{role}</td></tr>")
    return (
        f"<h3>Thinkpane {__version__}</h3>"
        "<p>A chat client for reasoning models: the answer beside the reasoning, an audit of its "
        "steps, and a ledger of what every question cost. MIT licence.</p>"
        f"<p><b>Data folder:</b> {data_folder}</p>"
        "<p><b>Libraries bundled, and their licences:</b></p>"
        f"<table cellpadding='3'>{''.join(rows)}</table>"
    )


class HelpMenu(QObject):
    """What the Help menu's commands (declared in actions.py) do for one window."""

    def __init__(
        self,
        window: QMainWindow,
        keyboard_shortcuts: QAction,
        read_me: QAction,
        about: QAction,
        open_own: Callable[[QUrl], object],
        data_folder: str,
    ) -> None:
        super().__init__(window)
        self._window = window
        self._open_own = open_own
        self._data_folder = data_folder
        keyboard_shortcuts.triggered.connect(self._on_shortcuts_action_triggered)
        read_me.triggered.connect(self._on_readme_action_triggered)
        about.triggered.connect(self._on_about_action_triggered)
        self.dialog: QDialog | None = None

    @Slot()
    def _on_shortcuts_action_triggered(self) -> None:
        self.dialog = ShortcutsDialog(self._window)
        self.dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog.open()

    @Slot()
    def _on_readme_action_triggered(self) -> None:
        self._open_own(readme_url())

    @Slot()
    def _on_about_action_triggered(self) -> None:
        self.dialog = AboutDialog(self._window, self._data_folder)
        self.dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog.open()


class AboutDialog(QDialog):
    def __init__(self, parent: QWidget, data_folder: str) -> None:
        super().__init__(parent)
        self.setWindowTitle("About Thinkpane")
        self.label = QLabel(about_html(data_folder), self)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.label.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)
        layout.addWidget(buttons)
