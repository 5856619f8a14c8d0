"""The keyboard: every expected shortcut exists, shows in a menu, and does its job."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence

from client.core.events import TurnStatus
from tests.support.chat import simple_stream
from tests.ui.conftest import CHAT_PATH, send, stream_reply, use_replay

EXPECTED = {
    "new_conversation": "Ctrl+N",
    "find": "Ctrl+F",
    "search_everything": "Ctrl+K",
    "settings": "Ctrl+,",
    "stop": "Esc",
    "copy_answer": "Ctrl+Shift+C",
    "quit": "Ctrl+Q",
}


def test_menus_show_every_expected_shortcut(window):
    in_menus = {
        action
        for menu in window.menuBar().findChildren(type(window.menuBar().addMenu("x")))
        for action in menu.actions()
    }
    for name, keys in EXPECTED.items():
        action = getattr(window.actions_, name)
        assert action.shortcut() == QKeySequence(keys), name
        assert action in in_menus, name


def test_every_menu_item_is_a_command_of_the_actions_table(window):
    """Every command the menu bar offers (Compare, the Help menu and View → Theme included) is one
    of actions.py's, so the table lists all of them and the keyboard-shortcut list is complete."""
    declared = set()
    for value in vars(window.actions_).values():
        declared.update(value.values() if isinstance(value, dict) else [value])

    def items(menu):
        for action in menu.actions():
            if action.menu() is not None:
                yield from items(action.menu())
            elif not action.isSeparator():
                yield action

    offered = [a for top in window.menuBar().actions() for a in items(top.menu())]
    assert [a.text() for a in offered if a not in declared] == []
    assert window.actions_.compare in offered
    assert window.actions_.compare.shortcut() == QKeySequence("Ctrl+Shift+Return")
    assert {window.actions_.about, window.actions_.read_me} <= set(offered)


def test_copy_answer_find_and_search_everything(qtbot, window, replay, qapp):
    replay.always(
        CHAT_PATH, stream_reply(simple_stream("pondering the needle", "The **needle** is here."))
    )
    use_replay(window, replay)
    send(qtbot, window, "Where is the needle?")
    qtbot.waitUntil(
        lambda: bool(window.conversation.states()) and not window.runner.busy, timeout=10_000
    )
    state = window.conversation.states()[-1]
    qtbot.waitUntil(lambda: state.turn.status is TurnStatus.COMPLETE)
    conversation_id = window.current_id

    qtbot.keyClick(
        window,
        Qt.Key.Key_C,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert qapp.clipboard().text() == "The **needle** is here."

    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.conversation.find_bar.isVisibleTo(window)
    assert window.conversation.find("needle")
    widget = window.conversation.widget_for(state.id)
    selected = (
        widget.prompt_view.textCursor().selectedText()
        or widget.answer_view.textCursor().selectedText()
    )
    assert selected == "needle"
    qtbot.keyClick(window.conversation.find_bar.edit, Qt.Key.Key_Escape)
    assert not window.conversation.find_bar.isVisibleTo(window)

    window.conversations.new_conversation()
    qtbot.keyClick(window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    dialog = window.findChild(type(window), "") or None
    from client.ui.history.search_dialog import SearchDialog

    dialog = window.findChildren(SearchDialog)[-1]
    dialog.edit.setText("needle")
    qtbot.waitUntil(lambda: dialog.results.count() >= 1, timeout=5_000)
    dialog.results.setCurrentRow(0)
    dialog._on_edit_return_pressed()
    qtbot.waitUntil(
        lambda: window.current_id == conversation_id and bool(window.conversation.states())
    )
