"""Mistral in the window: its key in Settings, its chat models in the picker once the key is
saved, its place among the providers, and an effort control that shows exactly what is sent
(none or high for Small 4, nothing for Magistral)."""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from client.providers.registry import PROFILES
from client.ui.composer.catalog import _remote_lists
from client.ui.composer.model_picker import ModelChoice, OtherModelDialog
from tests.support.replay import Reply

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


def test_a_saved_mistral_key_lists_its_chat_models_in_the_picker(
    qtbot, make_window, replay, monkeypatch
):
    listing = {"object": "list", "data": [
        {"id": "mistral-small-latest", "capabilities": {"completion_chat": True}},
        {"id": "magistral-medium-latest", "capabilities": {"completion_chat": True}},
        {"id": "mistral-embed", "capabilities": {"completion_chat": False}},
    ]}  # fmt: skip
    replay.always("/v1/models", Reply.json(200, listing))
    here = dataclasses.replace(PROFILES["mistral"], default_base_url=replay.url + "/v1")
    monkeypatch.setitem(PROFILES, "mistral", here)
    window = make_window(list_remote=_remote_lists)
    picker = window.composer.picker

    def shown() -> list[str]:
        return [picker.itemText(i) for i in range(picker.count())]

    assert "Mistral" not in shown()  # no key yet: nothing listed
    dialog = window.settings.open_settings()
    qtbot.waitUntil(lambda: dialog.keyring_ok)
    dialog.key_rows["mistral"].edit.setText(SECRET)
    qtbot.mouseClick(
        dialog.buttons.button(dialog.buttons.StandardButton.Save), Qt.MouseButton.LeftButton
    )
    qtbot.waitUntil(lambda: "Mistral" in shown(), timeout=10_000)
    heading = shown().index("Mistral")
    assert shown()[heading + 1 : heading + 3] == ["magistral-medium-latest", "mistral-small-latest"]
    assert "mistral-embed" not in shown()
    assert replay.requests_to("/v1/models")[-1].headers["authorization"] == f"Bearer {SECRET}"
    picker.setCurrentIndex(heading + 2)
    picker.activated.emit(heading + 2)
    assert window.composer.choice == ModelChoice("mistral", "mistral-small-latest")
    assert window.composer.controls.effort_box.isEnabled()
