"""The window's menus and keyboard shortcuts, in one table.

Every command a desktop user expects has a menu entry showing its shortcut (ARCHITECTURE.md:
Ctrl+N, Ctrl+F, Ctrl+K, Ctrl+,, Esc, Ctrl+Shift+C, Ctrl+Q), so the shortcuts are discoverable
and there is one QAction per command: the menu item, the shortcut and any button share it.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu


@dataclass
class WindowActions:
    new_conversation: QAction
    rename_conversation: QAction
    delete_conversation: QAction
    settings: QAction
    quit: QAction
    copy_answer: QAction
    find: QAction
    search_everything: QAction
    stop: QAction
    retry: QAction
    system_prompt: QAction
    show_conversations: QAction
    show_inspector: QAction


def _action(
    window: QMainWindow, text: str, shortcut: QKeySequence | str | None = None, tip: str = ""
) -> QAction:
    action = QAction(text, window)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    if tip:
        action.setStatusTip(tip)
    window.addAction(action)  # shortcuts work even when the menu bar is hidden
    return action


def build_actions(window: QMainWindow) -> WindowActions:
    """Create the actions and the menu bar that shows them."""
    a = WindowActions(
        new_conversation=_action(window, "&New Conversation", "Ctrl+N", "Start a new conversation"),
        rename_conversation=_action(
            window, "&Rename Conversation", "F2", "Rename this conversation"
        ),
        delete_conversation=_action(
            window, "&Delete Conversation", None, "Delete this conversation (Undo brings it back)"
        ),
        settings=_action(
            window, "&Settings…", "Ctrl+,", "API keys, local servers, default model, theme"
        ),
        quit=_action(
            window, "&Quit", "Ctrl+Q", "Quit Thinkpane; streaming answers are stopped and kept"
        ),
        copy_answer=_action(
            window, "&Copy Answer", "Ctrl+Shift+C", "Copy the selected answer as markdown"
        ),
        find=_action(window, "&Find in Conversation…", "Ctrl+F", "Find text in this conversation"),
        search_everything=_action(
            window, "&Search Everything…", "Ctrl+K", "Search all prompts, answers and reasoning"
        ),
        stop=_action(window, "S&top", "Esc", "Stop the answer; what arrived is kept"),
        retry=_action(window, "&Retry", None, "Send the selected prompt again"),
        system_prompt=_action(
            window, "S&ystem Prompt…", None, "The instructions sent before every prompt"
        ),
        show_conversations=_action(
            window, "&Conversations", "Ctrl+Shift+L", "Show or hide the conversation list"
        ),
        show_inspector=_action(
            window, "&Reasoning Inspector", "Ctrl+Shift+R", "Show or hide the reasoning inspector"
        ),
    )
    a.stop.setEnabled(False)
    for toggle in (a.show_conversations, a.show_inspector):
        toggle.setCheckable(True)
        toggle.setChecked(True)
    bar = window.menuBar()
    file_menu = bar.addMenu("&File")
    for action in (a.new_conversation, a.rename_conversation, a.delete_conversation):
        file_menu.addAction(action)
    file_menu.addSeparator()
    file_menu.addAction(a.settings)
    file_menu.addSeparator()
    file_menu.addAction(a.quit)
    edit_menu = bar.addMenu("&Edit")
    for action in (a.copy_answer, a.find, a.search_everything):
        edit_menu.addAction(action)
    turn_menu = bar.addMenu("&Turn")
    for action in (a.stop, a.retry, a.system_prompt):
        turn_menu.addAction(action)
    view_menu = bar.addMenu("&View")
    view_menu.addAction(a.show_conversations)
    view_menu.addAction(a.show_inspector)
    return a


def add_command(
    window: QMainWindow, menu_title: str, text: str, shortcut: str | None = None, tip: str = ""
) -> QAction:
    """A command a feature's controller adds after the table above: an action with its shortcut,
    at the end of the menu titled `menu_title` ("&Turn"), which is made if there is none."""
    action = _action(window, text, shortcut, tip)
    menu = menu_titled(window, menu_title) or window.menuBar().addMenu(menu_title)
    menu.addAction(action)
    return action


def menu_titled(window: QMainWindow, menu_title: str) -> QMenu | None:
    """The menu bar's menu titled `menu_title` ("&Turn"), or None when there is none."""
    return next(
        (
            a.menu()
            for a in window.menuBar().actions()
            if a.menu() is not None and a.text() == menu_title
        ),
        None,
    )
