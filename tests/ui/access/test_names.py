"""Every control a screen reader reaches has a name: the main window and each dialog, read
through Qt's accessibility tree (what AT-SPI, UIA and NSAccessibility are handed).

The window is first brought to a state with content: a streamed turn with reasoning, audited,
with a finding; so the answer, the steps, the verdict panel and the cost line all exist.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox, QWidget

from tests.support.access import controls, unnamed_controls, unnamed_stops
from tests.ui.audit.test_audit_integration import stream_false_equation


def _check(window: QWidget, what: str) -> None:
    assert controls(window), f"{what}: the walk found no control at all"
    missing = unnamed_controls(window) + unnamed_stops(window)
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
    from client.ui.history.conversations import system_prompt_dialog

    for dialog, what in (
        (CriticDialog(window.store, window), "critic dialog"),
        (OtherModelDialog(window), "other model dialog"),
        (ShortcutsDialog(window), "keyboard shortcuts"),
        (AboutDialog(window, "/tmp/thinkpane"), "about"),
        (system_prompt_dialog(window, "Be brief."), "system prompt"),
    ):
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        _check(dialog, what)
        dialog.close()


def test_the_compare_dialog_and_the_comparison_window_name_every_control(qtbot, compare_window):
    window = compare_window
    window.composer.edit.setPlainText("What is 2/4?")
    dialog = window.compare.open_setup()
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(lambda: dialog.estimate_label.text().startswith("9 runs:"), timeout=20_000)
    _check(dialog, "compare dialog")
    with qtbot.waitSignal(window.compare.sig_finished, timeout=60_000):
        dialog.accept()
    shown = window.compare.view_window
    qtbot.waitExposed(shown)
    _check(shown, "comparison window")


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


def test_the_data_folder_and_damaged_file_questions_name_every_control(qtbot, tmp_path):
    """Asked before any window exists: a data folder that cannot be used, a damaged file with
    no backup (the one with a backup is read above)."""
    from client.store.db import StoreError
    from client.store.paths import DataFolderError
    from client.ui.recovery import Trouble, folder_box, recovery_box

    folder, _ = folder_box(DataFolderError(f"{tmp_path / 'a-file'} is a file, not a folder."))
    damaged, _ = recovery_box(Trouble(StoreError("damaged"), tmp_path / "thinkpane.db", None))
    for box, what in ((folder, "data folder question"), (damaged, "damaged file, no backup")):
        qtbot.addWidget(box)
        box.show()
        qtbot.waitExposed(box)
        _check(box, what)
        box.close()


def test_the_upgrade_notice_is_read_whole(qtbot, qapp, thinkpane_home):
    """The window shown while a migration runs: no control, but its name and its sentence."""
    from client.store import Store
    from client.store.db import open_database
    from client.store.paths import database_path
    from client.store.schema import MIGRATIONS
    from client.ui.app import _upgrade_notice
    from tests.store.test_search_as_typed import BEFORE_SEARCH_AS_TYPED

    path = database_path()
    with Store(open_database(path, MIGRATIONS[:BEFORE_SEARCH_AS_TYPED]), path):
        pass
    notice = _upgrade_notice(qapp)
    assert notice is not None, "an older database did not bring up the notice"
    qtbot.addWidget(notice)
    iface = QAccessible.queryAccessibleInterface(notice)
    assert iface.text(QAccessible.Text.Name) == "Updating the database"
    assert "This happens once" in iface.text(QAccessible.Text.Description)
    notice.close()


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


def test_the_walk_finds_a_combo_box_read_only_as_its_item(qtbot):
    """A combo box is named by its current item ("qwen3"): without a label it is reported, even
    with an accessible name (Qt on Linux does not hand that to the screen reader)."""
    from PySide6.QtWidgets import QComboBox, QLabel, QVBoxLayout

    page = QWidget()
    qtbot.addWidget(page)
    layout = QVBoxLayout(page)
    box = QComboBox(page)
    box.addItem("qwen3")
    box.setAccessibleName("Model")
    layout.addWidget(box)
    page.show()
    assert [line.endswith("read only as its item 'qwen3'") for line in unnamed_controls(page)] == [
        True
    ]
    label = QLabel("&Model", page)
    label.setBuddy(box)
    layout.insertWidget(0, label)
    assert unnamed_controls(page) == []
