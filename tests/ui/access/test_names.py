"""Every control a screen reader reaches has a name: the main window and each dialog, read
through Qt's accessibility tree (what AT-SPI, UIA and NSAccessibility are handed).

The window is first brought to a state with content: a streamed turn with reasoning, audited,
with a finding; so the answer, the steps, the verdict panel and the cost line all exist.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox, QWidget

from tests.support.access import controls, unnamed_controls
from tests.ui.audit.test_audit_integration import stream_false_equation


def _check(window: QWidget, what: str) -> None:
    assert controls(window), f"{what}: the walk found no control at all"
    missing = unnamed_controls(window)
    assert not missing, f"{what}: controls a screen reader cannot name:\n" + "\n".join(missing)


def test_the_main_window_with_a_turn_names_every_control(qtbot, window, replay):
    stream_false_equation(qtbot, window, replay)
    _check(window, "main window (reasoning tab)")
    window.audit.open_steps()
    _check(window, "main window (steps tab)")
    tabs = window.inspector.tabs
    for index in range(tabs.count()):
        tabs.setCurrentIndex(index)
        _check(window, f"main window (inspector tab {tabs.tabText(index)})")
    window.conversation.open_find()
    _check(window, "main window (find bar)")


def test_the_first_screen_names_every_control(qtbot, make_window):
    window = make_window()
    _check(window, "first screen")
    window.conversations.new_conversation()
    _check(window, "an empty conversation")


def test_settings_names_every_control_on_every_tab(qtbot, window):
    dialog = window.settings.open_settings()
    qtbot.waitExposed(dialog)
    for index in range(dialog.tabs.count()):
        dialog.tabs.setCurrentIndex(index)
        _check(dialog, f"Settings, tab {dialog.tabs.tabText(index)}")


def test_spend_and_prices_name_every_control(qtbot, window, replay):
    stream_false_equation(qtbot, window, replay)
    spend = window.ledger.open_spend()
    qtbot.waitExposed(spend)
    qtbot.waitUntil(lambda: spend.view.report is not None, timeout=10_000)
    _check(spend, "spend view")
    prices = window.ledger.open_prices()
    qtbot.waitExposed(prices)
    _check(prices, "Prices page")


def test_search_critic_and_model_dialogs_name_every_control(qtbot, window):
    search = window.history.open_search()
    qtbot.waitExposed(search)
    search.edit.setText("anything")
    _check(search, "search (Ctrl+K)")
    search.close()

    from client.ui.audit.critic_dialog import CriticDialog
    from client.ui.composer.model_picker import OtherModelDialog
    from client.ui.help import AboutDialog, ShortcutsDialog

    for dialog, what in (
        (CriticDialog(window.store, window), "critic dialog"),
        (OtherModelDialog(window), "other model dialog"),
        (ShortcutsDialog(window), "keyboard shortcuts"),
        (AboutDialog(window, "/tmp/thinkpane"), "about"),
    ):
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        _check(dialog, what)
        dialog.close()


def test_message_boxes_name_every_control(qtbot, window, tmp_path):
    from client.store.db import StoreError
    from client.ui.ledger.budget_prompt import ask_to_cross
    from client.ui.recovery import Trouble, recovery_box

    seen: list[list[str]] = []

    def read_and_close() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        seen.append(unnamed_controls(box) + ([] if controls(box) else ["no control"]))
        box.reject()

    QTimer.singleShot(0, read_and_close)
    ask_to_cross(window, "This turn would cross your daily budget of $1.00.")
    assert seen == [[]], seen

    backup = tmp_path / "thinkpane.db.bak-v2"
    backup.write_bytes(b"")
    box, _ = recovery_box(Trouble(StoreError("damaged"), tmp_path / "thinkpane.db", backup), window)
    qtbot.addWidget(box)
    box.show()
    _check(box, "recovery dialog")


def test_import_and_export_file_dialogs_name_every_control(qtbot, window):
    """Qt's own file dialog (the one used where the platform has none)."""
    dialog = QFileDialog(window, "Export conversation")
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    _check(dialog, "file dialog")


def test_the_walk_finds_a_control_without_a_name(qtbot):
    """The check above can fail: a bare prompt box and list are reported, named ones are not."""
    from PySide6.QtWidgets import QListWidget, QPlainTextEdit, QVBoxLayout

    page = QWidget()
    qtbot.addWidget(page)
    layout = QVBoxLayout(page)
    edit, listing = QPlainTextEdit(page), QListWidget(page)
    layout.addWidget(edit)
    layout.addWidget(listing)
    page.show()
    assert len(unnamed_controls(page)) == 2
    edit.setAccessibleName("Prompt")
    listing.setAccessibleDescription("Conversations")
    assert unnamed_controls(page) == []
