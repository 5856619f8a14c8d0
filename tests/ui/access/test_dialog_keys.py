"""Every dialog a user reaches, from the keyboard alone: Tab visits its controls in reading order
(top to bottom, left to right), comes back round (nothing keeps it: a table or a text box that
took Tab for itself would), reaches the dialog's buttons, and Escape closes it.

The names asserted are ones that cannot change while a test runs: fixed words, and a combo box's
item only where the test chose it (a background answer must not rename what the test expects).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QMessageBox, QWidget

from tests.ui.access.test_keyboard import _name, _tab_round
from tests.ui.audit.test_audit_integration import stream_false_equation


def _show(qtbot, dialog: QWidget) -> None:
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=3000)
    # Every button within reach: no dialog taller or wider than the screen it opens on.
    room = dialog.screen().availableGeometry()
    frame = dialog.frameGeometry()
    assert frame.height() <= room.height() and frame.width() <= room.width(), (
        f"{dialog.windowTitle()}: {frame.width()}x{frame.height()} on {room.width()}x{room.height()}"
    )


def _round_from(qtbot, dialog: QWidget, start: QWidget) -> list[str]:
    """The Tab round from `start`; a date edit's sections (year, month, day: Tab steps through
    them, as in any Qt date field) count once."""
    names = _tab_round(qtbot, start)
    return [n for i, n in enumerate(names) if i == 0 or n != names[i - 1]]


def _escape_closes(qtbot, dialog: QWidget) -> None:
    qtbot.keyClick(QApplication.focusWidget() or dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=2000)


def _is_subsequence(wanted: list[str], names: list[str]) -> bool:
    found = iter(names)
    return all(name in found for name in wanted)


def test_other_model_dialog(qtbot, window, replay):
    from client.ui.composer.model_picker import OtherModelDialog

    dialog = OtherModelDialog(window)
    qtbot.addWidget(dialog)
    _show(qtbot, dialog)
    dialog.fields.fill("openai-compatible", "qwen3", replay.url + "/v1")  # OK is enabled
    provider = _name(dialog.provider_box)
    assert provider == "OpenAI-compatible server"
    names = _round_from(qtbot, dialog, dialog.provider_box)
    assert names == [provider, "Model id", "Base URL", "OK", "Cancel"], names
    _escape_closes(qtbot, dialog)
    assert dialog.result() == QDialog.DialogCode.Rejected


def test_critic_dialog(qtbot, window, replay):
    from client.ui.audit.critic_dialog import CriticDialog

    dialog = CriticDialog(window.store, window)
    qtbot.addWidget(dialog)
    _show(qtbot, dialog)
    dialog.fields.fill("openai-compatible", "qwen3", replay.url + "/v1")
    provider = _name(dialog.provider_box)
    names = _round_from(qtbot, dialog, dialog.provider_box)
    assert names == [provider, "Model", "Base URL", "Ask", "Cancel"], names
    _escape_closes(qtbot, dialog)
    assert dialog.result() == QDialog.DialogCode.Rejected


def test_search_everything(qtbot, window):
    search = window.history.open_search()
    _show(qtbot, search)
    search.since_check.setChecked(True)  # its date field takes part once ticked
    names = _round_from(qtbot, search, search.edit)
    assert names == [
        "Search words",
        _name(search.provider_box),  # "Any provider"; the label before it says Provider
        "Model",
        "Since a date",
        "Since date",
        "Until a date",  # its date field is off until ticked
        "Only turns with audit findings",
        "Newest first",
        "Results",
    ], names
    _escape_closes(qtbot, search)


def test_spend_view(qtbot, window, replay):
    stream_false_equation(qtbot, window, replay)
    spend = window.ledger.open_spend()
    qtbot.waitUntil(lambda: spend.view.report is not None, timeout=10_000)
    _show(qtbot, spend)
    view = spend.view
    names = _round_from(qtbot, spend, view.period_box)
    assert names == [
        _name(view.period_box),
        _name(view.group_box),
        "Export CSV…",
        "Spend table",  # arrows move in it; Tab goes on
        "Prices",  # on the line under the table
        "Close",
    ], names
    _escape_closes(qtbot, spend)


def test_prices_page(qtbot, window):
    prices = window.ledger.open_prices()
    _show(qtbot, prices)
    page = prices.page
    names = _round_from(qtbot, prices, page.refresh_button)
    assert names == [
        "Refresh price data",
        "Prices of every model in the ledger",
        _name(page.provider_box),
        "Model of your price",
        "Your input price",
        "Your cached price",
        "Your cache write price",
        "Your output price",
        "Use my price",  # Remove my price is off: no model with your price is selected
        _name(page.reprice_model_box),
        "First day to reprice",
        "Last day to reprice",
        "Preview the reprice",  # Reprice is off until a preview
        "Close",
    ], names
    _escape_closes(qtbot, prices)


def test_budgets_in_settings(qtbot, window):
    dialog = window.settings.open_settings()
    _show(qtbot, dialog)
    dialog.tabs.setCurrentIndex(
        next(i for i in range(dialog.tabs.count()) if dialog.tabs.tabText(i) == "Costs")
    )
    names = _round_from(qtbot, dialog, dialog.tabs.tabBar())
    assert names == [
        "Costs",
        "Monthly ($)",
        "Per conversation ($)",
        "Ask before sending a turn that would cross a budget",
        "Save",
        "Cancel",
    ], names
    _escape_closes(qtbot, dialog)


def _in_modal(qtbot, act: Callable[[QWidget], None]) -> list[BaseException]:
    """Run `act` on the modal box once it is up (a QMessageBox runs its own loop)."""
    failures: list[BaseException] = []

    def run() -> None:
        box = QApplication.activeModalWidget()
        try:
            assert box is not None, "no modal box came up"
            act(box)
        except BaseException as exc:  # noqa: BLE001 - reported by the test, not lost in Qt
            failures.append(exc)
            if box is not None:
                box.reject()

    QTimer.singleShot(0, run)
    return failures


def _buttons_round_and_escape(qtbot, box: QWidget, buttons: set[str]) -> None:
    box.activateWindow()
    qtbot.waitUntil(box.isActiveWindow, timeout=3000)
    start = QApplication.focusWidget()
    assert start is not None and start.window() is box
    assert set(_tab_round(qtbot, start)) == buttons
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)


def test_the_budget_question(qtbot, window):
    from client.ui.ledger.budget_prompt import ask_to_cross

    failures = _in_modal(
        qtbot, lambda box: _buttons_round_and_escape(qtbot, box, {"Send anyway", "Cancel"})
    )
    sent = ask_to_cross(window, "This turn would cross your daily budget of $1.00.")
    assert failures == []
    assert sent is False  # Escape is Cancel


def test_the_recovery_questions(qtbot, tmp_path):
    from client.store.db import StoreError
    from client.store.paths import DataFolderError
    from client.ui.recovery import (
        QUIT,
        QUIT_FOLDER,
        Trouble,
        ask_what_to_do,
        folder_box,
    )

    backup = tmp_path / "thinkpane.db.bak-v2"
    backup.write_bytes(b"")
    trouble = Trouble(StoreError("damaged"), tmp_path / "thinkpane.db", backup)
    everything = {"Open the Latest Backup", "Start with an Empty Database", "Quit"}
    failures = _in_modal(qtbot, lambda box: _buttons_round_and_escape(qtbot, box, everything))
    assert ask_what_to_do(trouble) == QUIT  # Escape is Quit, never a change to the file
    assert failures == []

    box, choices = folder_box(DataFolderError(f"{tmp_path / 'a-file'} is a file."))
    qtbot.addWidget(box)
    failures = _in_modal(
        qtbot,
        lambda shown: _buttons_round_and_escape(qtbot, shown, {"Choose Another Folder…", "Quit"}),
    )
    box.exec()
    assert failures == []
    assert choices.get(box.clickedButton()) == QUIT_FOLDER


def test_the_export_file_dialog(qtbot, window):
    """Qt's own file dialog (where the platform has none): Tab reaches Save and Cancel."""
    dialog = QFileDialog(window, "Export conversation")
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.selectFile("conversation.md")  # Save needs a name (typed, a completer would pop up)
    qtbot.addWidget(dialog)
    _show(qtbot, dialog)
    start = QApplication.focusWidget()
    assert start is not None
    names = _tab_round(qtbot, start)
    assert {"Save", "Cancel"} <= set(names), names
    _escape_closes(qtbot, dialog)


def test_the_compare_dialog_and_the_comparison_window(qtbot, compare_window):
    window = compare_window
    window.composer.edit.setPlainText("What is 2/4?")
    dialog = window.compare.open_setup()
    _show(qtbot, dialog)
    qtbot.waitUntil(lambda: dialog.estimate_label.text().startswith("9 runs:"), timeout=20_000)
    first = next(box for box in dialog.effort_boxes.values() if box.isEnabled())
    names = _round_from(qtbot, dialog, first)
    efforts = [_name(box) for box in dialog.effort_boxes.values() if box.isEnabled()]
    assert names[: len(efforts)] == efforts, names
    assert _is_subsequence(["Other models", "Samples per column"], names), names
    # ...then the buttons, and round to the top: the choice of one prompt or a set of them.
    assert names[-3:] == ["Start the comparison", "Cancel the comparison", "Compare this prompt"]
    with qtbot.waitSignal(window.compare.sig_finished, timeout=60_000):
        dialog.accept()

    shown = window.compare.view_window
    assert shown is not None
    _show(qtbot, shown)
    view = shown.view
    names = _round_from(qtbot, shown, QApplication.focusWidget() or shown)
    label = "gpt-5-mini @ low"
    assert _is_subsequence(
        [
            f"Continue the conversation with {label}",
            f"{label} sample 1 answer",
            f"Open {label} sample 1 in the inspector",
            f"{label} sample 2 answer",
            "Continue the conversation with gpt-5-mini @ medium",
        ],
        names,
    ), names
    assert view is not None
    _escape_closes(qtbot, shown)


def test_the_steps_view_and_its_verdict_controls(qtbot, window, replay):
    stream_false_equation(qtbot, window, replay)
    window.audit.open_steps()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=3000)
    names = _tab_round(qtbot, window.sidebar.new_button)
    steps_tab = window.inspector.tabs.tabText(window.inspector.tabs.currentIndex())
    at = names.index("Prompt")
    assert names[at:] == [
        "Prompt",
        steps_tab,  # the inspector's tab bar, on the steps
        "Audit of the reasoning",  # the page: arrows scroll it in a narrow inspector
        "Turning points only",
        "Ask a critic…",
        "Export report…",
        "Steps",
        "Sound",  # the verdicts are one group: Tab enters it, arrows choose
        "Clear",
        "Your note on this step",
    ], names
    # Tab to the verdicts, Right to the next one (they sit in a row), Space to give it.
    view = window.audit.view
    _tab_until_named(qtbot, "Sound")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Right)
    assert _name(QApplication.focusWidget()) == "Spurious"
    with qtbot.waitSignal(view.sig_verdict_changed, timeout=5000) as changed:
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Space)
    assert changed.args[2] == "spurious"
    assert view.verdict_panel.verdict == "spurious"


def _tab_until_named(qtbot, name: str, limit: int = 60) -> None:
    for _ in range(limit):
        if _name(QApplication.focusWidget()) == name:
            return
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    raise AssertionError(f"Tab never reached {name}")


def test_the_shortcuts_and_about_windows(qtbot, window):
    from client.ui.help import AboutDialog, ShortcutsDialog

    shortcuts = ShortcutsDialog(window)
    qtbot.addWidget(shortcuts)
    _show(qtbot, shortcuts)
    assert _round_from(qtbot, shortcuts, shortcuts.table) == ["Keyboard shortcuts", "Close"]
    _escape_closes(qtbot, shortcuts)
    about = AboutDialog(window, "/tmp/thinkpane")
    qtbot.addWidget(about)
    _show(qtbot, about)
    start = QApplication.focusWidget()
    assert start is not None and _round_from(qtbot, about, start) == ["Close"]
    _escape_closes(qtbot, about)


def test_a_message_box_is_walked_too(qtbot, window):
    """The helpers above can fail: a box whose buttons Tab never reaches is reported."""
    box = QMessageBox(window)
    box.addButton("One", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("Two", QMessageBox.ButtonRole.RejectRole)
    qtbot.addWidget(box)
    failures = _in_modal(qtbot, lambda shown: _buttons_round_and_escape(qtbot, shown, {"One"}))
    box.exec()
    assert len(failures) == 1 and isinstance(failures[0], AssertionError)


def test_the_system_prompt_editor(qtbot, window):
    from client.ui.history.conversations import system_prompt_dialog

    dialog = system_prompt_dialog(window, "Be brief.")
    qtbot.addWidget(dialog)
    _show(qtbot, dialog)
    start = QApplication.focusWidget()
    assert start is not None
    assert _round_from(qtbot, dialog, start) == ["System prompt", "OK", "Cancel"]
    _escape_closes(qtbot, dialog)
    assert dialog.result() == QDialog.DialogCode.Rejected
