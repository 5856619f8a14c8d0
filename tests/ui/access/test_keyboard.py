"""The keyboard alone: Tab goes where the eye goes, in the window and in Settings; the steps
take arrows and S / P / U; Escape stops a stream and closes a dialog; and the whole first
path (choose a model, send, read, open the steps, give a verdict) needs no mouse at all."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QApplication, QWidget

from client.core.events import TurnStatus
from client.providers.discovery import LocalServer
from tests.support.chat import simple_stream
from tests.ui.audit.test_audit_integration import (
    CRITIC_REPLY,  # noqa: F401 - the same reasoning as the audit tests: one arithmetic error
    REASONING,
    stream_false_equation,
)
from tests.ui.conftest import CHAT_PATH, stream_reply

NAME = QAccessible.Text.Name


def _name(widget: QWidget | None) -> str:
    if widget is None:
        return "(nothing)"
    return QAccessible.queryAccessibleInterface(widget).text(NAME) or type(widget).__name__


def _focused() -> QWidget | None:
    return QApplication.focusWidget()


def _tab_round(qtbot, start: QWidget, limit: int = 60) -> list[str]:
    """Names of the widgets Tab visits from `start` until it comes back to it."""
    start.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(lambda: _focused() is start, timeout=2000)
    names = [_name(start)]
    for _ in range(limit):
        qtbot.keyClick(_focused(), Qt.Key.Key_Tab)
        if _focused() is start:
            return names
        names.append(_name(_focused()))
    raise AssertionError(f"Tab never came back: {names}")


class _NoMouse(QObject):
    """Fails the test if any mouse event reaches a widget."""

    MOUSE = {
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonRelease,
        QEvent.Type.MouseButtonDblClick,
    }

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[str] = []

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() in self.MOUSE:
            self.seen.append(f"{event.type().name} on {type(watched).__name__}")
        return False


def test_tab_in_the_window_goes_sidebar_conversation_composer_inspector(qtbot, window, replay):
    stream_false_equation(qtbot, window, replay)
    window.activateWindow()
    qtbot.waitUntil(lambda: window.isActiveWindow(), timeout=2000)
    names = _tab_round(qtbot, window.sidebar.new_button)
    strip = window.inspector.strip_text()
    assert names == [
        "New conversation",
        "Filter conversations by title",
        "Conversations",
        "Conversation",
        "Edit",
        "Regenerate",
        "Your prompt",
        "Answer",
        "qwen3",  # the model picker says the model chosen
        "System prompt",
        "default",  # a combo box is read by its current choice (Qt's rule; the label says Effort)
        "Prompt",
        strip,
        window.inspector.tabs.tabText(0),  # the inspector's first tab
        window.inspector.find_bar.edit.placeholderText(),
        "Previous",
        "Next",
        "Reasoning",  # the reasoning text
    ], names


def test_tab_in_settings_goes_tabs_then_fields_top_to_bottom_then_save(qtbot, window):
    dialog = window.settings.open_settings()
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(lambda: dialog.keyring_ok, timeout=5000)
    names = _tab_round(qtbot, dialog.tabs.tabBar())
    keys = [f"{row.label} API key" for row in dialog.key_rows.values()]
    fields = [
        "Local servers",
        "Look for local servers",
        _name(dialog.provider_box),
        "Model",
        "Base URL",
        _name(dialog.theme_box),
        "Font size",
    ]
    assert names[0] == "General"
    assert names[-2:] == ["Save", "Cancel"]
    # The key rows first (each field, then its Forget button when a key is stored), then the rest.
    assert [n for n in names if n in keys] == keys
    assert max(names.index(k) for k in keys) < names.index("Local servers")
    assert [n for n in names if n in fields] == fields


def test_the_steps_take_arrows_and_s_p_u_for_verdicts(qtbot, window, replay):
    stream_false_equation(qtbot, window, replay)
    window.audit.open_steps()
    view = window.audit.view
    steps = view.step_list
    steps.setFocus()
    first = steps.currentIndex().row()
    qtbot.keyClick(steps, Qt.Key.Key_Down)
    assert steps.currentIndex().row() == first + 1
    qtbot.keyClick(steps, Qt.Key.Key_Up)
    assert steps.currentIndex().row() == first
    step = view.verdict_panel.step.index
    for key, verdict in (
        (Qt.Key.Key_S, "sound"),
        (Qt.Key.Key_P, "spurious"),
        (Qt.Key.Key_U, "unsure"),
    ):
        with qtbot.waitSignal(view.sig_verdict_changed, timeout=5000) as changed:
            qtbot.keyClick(steps, key)
        assert changed.args[1:] == [step, verdict]
        assert view.verdict_panel.verdict == verdict
    assert steps.hasFocus()  # still in the list, ready for the next step


def test_escape_closes_a_dialog(qtbot, window):
    dialog = window.settings.open_settings()
    qtbot.waitExposed(dialog)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_the_first_hour_path_without_a_mouse(qtbot, make_window, discovered, replay):
    """Choose a model, send, read the answer and the reasoning, open the steps, give a verdict,
    open the spend view and search: keys only (a mouse event fails the test)."""
    replay.add(CHAT_PATH, stream_reply(simple_stream(REASONING, "The answer is 45.")))
    discovered.append(LocalServer("llama.cpp", replay.url + "/v1", "openai-compatible", ("qwen3",)))
    no_mouse = _NoMouse()
    app = QApplication.instance()
    app.installEventFilter(no_mouse)
    try:
        window = make_window()
        window.activateWindow()
        qtbot.waitUntil(lambda: window.isActiveWindow(), timeout=2000)
        picker = window.composer.picker
        # The local server's model is listed once discovery answered (before: Other model… only).
        qtbot.waitUntil(lambda: picker.findText("qwen3") >= 0, timeout=10_000)

        # Choose the model: Tab to the picker, Down until qwen3 is the choice.
        _tab_until(qtbot, window, picker)
        for _ in range(picker.count()):
            if picker.choice is not None and picker.choice.model == "qwen3":
                break
            key = (
                Qt.Key.Key_Down
                if picker.currentIndex() < picker.findText("qwen3")
                else Qt.Key.Key_Up
            )
            qtbot.keyClick(picker, key)  # never onto "Other model…", which opens a dialog
        assert window.composer.choice is not None and window.composer.choice.model == "qwen3"

        # Send: Tab to the prompt, type, Enter.
        _tab_until(qtbot, window, window.composer.edit)
        qtbot.keyClicks(window.composer.edit, "What do 17 notebooks at 3 and a pen at 4 cost?")
        qtbot.keyClick(window.composer.edit, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: window.audit.view.loaded is not None, timeout=10_000)
        state = window.conversation.states()[-1]
        assert state.turn.status is TurnStatus.COMPLETE

        # Read the answer and the reasoning: both are Tab stops with their text.
        turn = window.conversation.widget_for(state.id)
        _tab_until(qtbot, window, turn.answer_view)
        qtbot.waitUntil(lambda: "45" in turn.answer_view.toPlainText())
        _tab_until(qtbot, window, window.inspector.text_view)
        assert window.inspector.text_view.toPlainText().startswith("First, find")

        # Open the steps: Tab to the audit strip, Enter; then a verdict with P.
        _tab_until(qtbot, window, window.inspector.strip_label)
        qtbot.keyClick(window.inspector.strip_label, Qt.Key.Key_Return)
        view = window.audit.view
        assert window.inspector.tabs.currentWidget() is window.audit.page
        assert _focused() is view.step_list  # the strip hid; the steps have the focus
        with qtbot.waitSignal(view.sig_verdict_changed, timeout=5000) as changed:
            qtbot.keyClick(view.step_list, Qt.Key.Key_P)
        assert changed.args[2] == "spurious"

        # The spend view and search, from their shortcuts; Escape closes them.
        spend_keys = window.ledger.spend_action.shortcut()
        assert not spend_keys.isEmpty(), "the spend view has no shortcut"
        qtbot.keySequence(window, spend_keys)
        spend = window.ledger.spend_dialog
        qtbot.waitUntil(lambda: spend is not None and spend.view.report is not None, timeout=10_000)
        qtbot.keyClick(spend, Qt.Key.Key_Escape)
        assert not spend.isVisible()
        window.activateWindow()  # what the window manager does when a window closes
        qtbot.waitUntil(lambda: window.isActiveWindow(), timeout=2000)
        qtbot.keyClick(window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
        from client.ui.history.search_dialog import SearchDialog

        search = window.findChildren(SearchDialog)[-1]
        qtbot.waitUntil(lambda: _focused() is search.edit, timeout=2000)
        qtbot.keyClicks(search.edit, "notebooks")
        qtbot.waitUntil(lambda: search.results.count() >= 1, timeout=5000)
        qtbot.keyClick(search, Qt.Key.Key_Escape)
        assert not search.isVisible()
    finally:
        app.removeEventFilter(no_mouse)
    assert no_mouse.seen == []


def _tab_until(qtbot, window, target: QWidget, limit: int = 60) -> None:
    """Press Tab until `target` has the focus (fails after a full round)."""
    for _ in range(limit):
        if _focused() is target:
            return
        qtbot.keyClick(_focused() or window, Qt.Key.Key_Tab)
    raise AssertionError(f"Tab never reached {_name(target)}")


def test_after_choosing_another_model_the_prompt_has_the_focus(qtbot, window, replay):
    """Found by trying it under a window manager: the welcome page's button kept the focus while
    it was hidden, and what the user typed next went nowhere."""
    from PySide6.QtCore import QTimer

    from client.ui.composer.model_picker import OtherModelDialog

    window.activateWindow()
    qtbot.waitUntil(lambda: window.isActiveWindow(), timeout=2000)

    def fill_and_accept() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, OtherModelDialog)
        dialog.fields.fill("openai-compatible", "qwen3", replay.url + "/v1")
        qtbot.keyClick(dialog, Qt.Key.Key_Return)

    QTimer.singleShot(0, fill_and_accept)
    window.models.choose_other_model()
    assert window.composer.choice is not None, "the dialog was not accepted"
    qtbot.waitUntil(lambda: window.focusWidget() is window.composer.edit, timeout=2000)


def test_help_lists_every_menu_shortcut_and_the_steps_keys(qtbot, window):
    from client.ui.help import ShortcutsDialog, shortcut_rows

    window.activateWindow()
    qtbot.waitUntil(lambda: window.isActiveWindow(), timeout=2000)
    qtbot.keyClick(window, Qt.Key.Key_Slash, Qt.KeyboardModifier.ControlModifier)
    dialog = window.findChildren(ShortcutsDialog)[-1]
    qtbot.waitExposed(dialog)
    table = dialog.table
    rows = [tuple(table.item(r, c).text() for c in range(2)) for r in range(table.rowCount())]
    assert all(r in rows for r in shortcut_rows(window))
    keys = dict(rows)
    assert keys["Search Everything"] == "Ctrl+K"
    assert keys["Spend"] == "Ctrl+Shift+S"
    assert keys["Mark the step sound, spurious, unsure"] == "S, P, U"
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def _mnemonic(text: str) -> str | None:
    """The letter after a single '&' ("S&purious" -> "p"), None without one."""
    plain = text.replace("&&", "")
    at = plain.find("&")
    return plain[at + 1].lower() if 0 <= at < len(plain) - 1 else None


def test_no_two_alt_keys_in_the_window_share_a_letter(qtbot, window, replay):
    # Alt+letter goes to the first control holding the letter: a second one is never reached
    # (the audit's "Turning points" and "Export report" once took the Turn and Edit menus' T, E).
    from PySide6.QtWidgets import QAbstractButton, QLabel

    stream_false_equation(qtbot, window, replay)
    window.audit.open_steps()
    holders: dict[str, list[str]] = {}
    for action in window.menuBar().actions():
        letter = _mnemonic(action.text())
        if letter:
            holders.setdefault(letter, []).append(f"menu {action.text()}")
    for widget in window.findChildren(QAbstractButton) + window.findChildren(QLabel):
        if not widget.isVisibleTo(window):
            continue
        if isinstance(widget, QLabel) and widget.buddy() is None:
            continue  # a label's '&' is a key only when it has a buddy
        letter = _mnemonic(widget.text())
        if letter:
            holders.setdefault(letter, []).append(widget.text())
    shared = {letter: texts for letter, texts in holders.items() if len(texts) > 1}
    assert shared == {}


def test_walking_the_tab_order_leaves_no_layout_item_wrappers(qtbot, window, replay):
    # PySide keeps a wrapper for each layout item Python was given and never learns when the
    # layout deletes the item: a widget made later at that address came back from
    # QApplication.allWidgets() as a QWidgetItem, and every window test after it failed.
    import shiboken6
    from PySide6.QtWidgets import QWidgetItem

    from client.ui.tab_order import focus_order

    def item_wrappers() -> set[int]:
        return {id(w) for w in shiboken6.getAllValidWrappers() if isinstance(w, QWidgetItem)}

    stream_false_equation(qtbot, window, replay)
    before = item_wrappers()
    assert len(focus_order(window)) > 10
    assert item_wrappers() <= before  # the walk asked for dozens of items and kept none
