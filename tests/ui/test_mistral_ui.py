"""Mistral in the window: its key in Settings, its place among the providers, and an effort
control that shows exactly what is sent (none or high for Small 4, nothing for Magistral)."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from client.ui.composer.model_picker import ModelChoice, OtherModelDialog

SECRET = "mistral-test-0123456789"


def test_a_mistral_key_saved_in_settings_lands_in_the_keyring(qtbot, window, memory_keyring):
    dialog = window.settings.open_settings()
    qtbot.waitUntil(lambda: dialog.keyring_ok)
    row = dialog.key_rows["mistral"]
    assert row.edit.isEnabled() and row.edit.echoMode() == row.edit.EchoMode.Password
    row.edit.setText(SECRET)
    qtbot.mouseClick(
        dialog.buttons.button(dialog.buttons.StandardButton.Save), Qt.MouseButton.LeftButton
    )
    qtbot.waitUntil(lambda: memory_keyring.secrets.get(("thinkpane", "mistral")) == SECRET)


def test_mistral_is_among_the_providers_a_model_can_be_chosen_from(qtbot):
    dialog = OtherModelDialog()
    qtbot.addWidget(dialog)
    index = dialog.provider_box.findData("mistral")
    assert index >= 0 and dialog.provider_box.itemText(index) == "Mistral"


def test_the_effort_control_shows_what_mistral_is_sent(qtbot, window):
    composer = window.composer
    controls = composer.controls
    composer.set_choice(ModelChoice("mistral", "mistral-small-latest"))
    assert controls.effort_box.isEnabled() and not controls.budget_spin.isEnabled()
    controls.effort_box.setCurrentIndex(controls.effort_box.findData("high"))
    assert controls.sends_label.text() == 'Sends {"reasoning_effort": "high"}'
    assert controls.sendable
    controls.effort_box.setCurrentIndex(controls.effort_box.findData("low"))
    assert "takes --effort none or high" in controls.sends_label.text()
    assert not controls.sendable
    controls.effort_box.setCurrentIndex(controls.effort_box.findData("none"))
    assert controls.sends_label.text() == 'Sends {"reasoning_effort": "none"}'

    composer.set_choice(ModelChoice("mistral", "magistral-medium-latest"))
    assert not controls.effort_box.isEnabled()
    assert "always thinks" in controls.effort_box.toolTip()
    assert controls.sendable  # Magistral thinks by itself; nothing to send


def test_other_model_sets_the_model_it_names(qtbot, window):
    """The dialog was deleted on close before its choice was read: the choice was lost."""

    def fill_and_accept() -> None:
        dialog = next(
            w
            for w in QApplication.topLevelWidgets()
            if isinstance(w, OtherModelDialog) and w.isVisible()
        )
        dialog.provider_box.setCurrentIndex(dialog.provider_box.findData("mistral"))
        dialog.model_edit.setText("mistral-small-latest")
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)

    QTimer.singleShot(0, fill_and_accept)
    window.models.choose_other_model()
    assert window.composer.choice == ModelChoice("mistral", "mistral-small-latest")
    assert window.composer.picker.currentText() == "mistral-small-latest"
