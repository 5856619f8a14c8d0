"""Help → Keyboard Shortcuts: every command's keys, read from the menus themselves.

The list is built from the window's menu bar when it opens, so a command a feature adds later
(with `actions.add_command`) is listed without anyone remembering to; the keys that belong to
one place (the prompt box, the steps of an audit) are listed after them.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QMainWindow,
    QMenu,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from client.ui.actions import add_command

# Keys that work in one place rather than through a menu: (where, what, keys).
IN_PLACE = [
    ("Prompt", "Send", "Enter"),
    ("Prompt", "New line", "Shift+Enter"),
    ("Window", "Next or previous control", "Tab, Shift+Tab"),
    ("Window", "Press the focused button", "Space"),
    ("Audit line", "Open the steps", "Enter"),
    ("Steps", "Previous or next step", "Up, Down"),
    ("Steps", "Mark the step sound", "S"),
    ("Steps", "Mark the step spurious", "P"),
    ("Steps", "Mark the step unsure", "U"),
    ("Conversations", "Rename, delete", "F2, Delete"),
    ("Any dialog", "Close it", "Escape"),
]


def _plain(text: str) -> str:
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip("…").rstrip(".")


def menu_shortcuts(window: QMainWindow) -> list[tuple[str, str, str]]:
    """(menu, command, keys) for every menu command, in menu order; "" keys when it has none."""
    rows = []
    for top in window.menuBar().actions():
        menu = top.menu()
        if not isinstance(menu, QMenu):
            continue
        for action in menu.actions():
            if action.isSeparator() or action.menu() is not None:
                continue
            keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            rows.append((_plain(top.text()), _plain(action.text()), keys))
    return rows


class ShortcutsDialog(QDialog):
    """The table of keys. Signals: QDialog's."""

    def __init__(self, window: QMainWindow, parent: QWidget | None = None) -> None:
        super().__init__(parent or window)
        self.setWindowTitle("Keyboard Shortcuts")
        rows = [r for r in menu_shortcuts(window) if r[2]] + IN_PLACE
        self.table = QTableWidget(len(rows), 3, self)
        self.table.setAccessibleName("Keyboard shortcuts")
        self.table.setHorizontalHeaderLabels(["Where", "Command", "Keys"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        for row, cells in enumerate(rows):
            for column, text in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(text))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.resize(560, 520)
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)


def add_shortcuts_command(window: QMainWindow) -> QAction:
    """Help → Keyboard Shortcuts (Ctrl+/), which opens the table over the window."""
    action = add_command(
        window, "&Help", "&Keyboard Shortcuts", "Ctrl+/", "Every command and the keys that do it"
    )
    action.triggered.connect(lambda: ShortcutsDialog(window).open())
    return action
