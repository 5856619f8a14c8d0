"""Settings and first run: keys go to the keyring and nowhere else, a missing keyring is said in
a sentence, and a window with nothing configured offers a way forward."""

from __future__ import annotations

from PySide6.QtCore import Qt

from client.providers.discovery import LocalServer
from client.ui.composer.model_picker import ModelChoice
from tests.ui.conftest import send

SECRET = "sk-test-THINKPANE-0123456789abcdef"


def _files_containing(folder, needle: bytes) -> list[str]:
    return [str(p) for p in folder.rglob("*") if p.is_file() and needle in p.read_bytes()]


def test_a_key_saved_in_settings_lands_in_the_keyring_and_nowhere_else(
    qtbot, window, memory_keyring, thinkpane_home, store
):
    dialog = window.open_settings()
    qtbot.waitUntil(lambda: dialog.keyring_ok)
    row = dialog.key_rows["openai"]
    assert row.edit.echoMode() == row.edit.EchoMode.Password
    row.edit.setText(SECRET)
    qtbot.mouseClick(
        dialog.buttons.button(dialog.buttons.StandardButton.Save), Qt.MouseButton.LeftButton
    )
    qtbot.waitUntil(lambda: memory_keyring.secrets.get(("thinkpane", "openai")) == SECRET)
    qtbot.waitUntil(lambda: memory_keyring.secrets.get(("thinkpane", "openai-chat")) == SECRET)
    assert row.edit.text() == ""  # never left in (or shown by) the field

    again = window.open_settings()
    qtbot.waitUntil(lambda: again.keyring_ok)
    stored_row = again.key_rows["openai"]
    assert stored_row.edit.text() == ""
    assert "stored" in stored_row.edit.placeholderText()
    assert stored_row.forget_button.isEnabled()
    again.reject()

    window.close()  # flushes every background write
    store.close()
    assert _files_containing(thinkpane_home, SECRET.encode()) == []
    assert _files_containing(thinkpane_home, SECRET.encode("utf-16-le")) == []


def test_without_a_keyring_settings_says_so_and_offers_the_environment(qtbot, window):
    import keyring
    from keyring.backends import fail

    keyring.set_keyring(fail.Keyring())
    dialog = window.open_settings()
    qtbot.waitUntil(lambda: "No system keyring" in dialog.keyring_label.text())
    row = dialog.key_rows["anthropic"]
    assert not row.edit.isEnabled()
    assert "ANTHROPIC_API_KEY" in row.edit.placeholderText()
    dialog.reject()


def test_settings_change_the_theme_and_the_default_model(qtbot, window):
    dialog = window.open_settings()
    dialog.theme_box.setCurrentIndex(dialog.theme_box.findData("dark"))
    dialog.provider_box.setCurrentIndex(dialog.provider_box.findData("ollama"))
    dialog.model_edit.setText("qwen3:8b")
    qtbot.mouseClick(
        dialog.buttons.button(dialog.buttons.StandardButton.Save), Qt.MouseButton.LeftButton
    )
    assert window.theme.name == "dark"
    qtbot.waitUntil(
        lambda: window.palette().color(window.palette().ColorRole.Window).lightness() < 128
    )
    assert window.prefs.default_model == ModelChoice("ollama", "qwen3:8b")
    assert window.composer.choice == ModelChoice("ollama", "qwen3:8b")


def test_first_run_welcome_lists_local_servers_and_starts_a_conversation(
    qtbot, make_window, discovered, replay
):
    discovered.append(
        LocalServer("llama.cpp", replay.url + "/v1", "openai-compatible", ("qwen3-4b",))
    )
    window = make_window()
    qtbot.waitUntil(lambda: "Found on this computer" in window.welcome.servers_label.text())
    assert window.centre_pages.currentWidget() is window.welcome
    buttons = [
        b
        for b in window.welcome.findChildren(type(window.welcome.key_button))
        if "qwen3-4b" in b.text()
    ]
    assert len(buttons) == 1
    qtbot.mouseClick(buttons[0], Qt.MouseButton.LeftButton)
    assert window.composer.choice == ModelChoice(
        "openai-compatible", "qwen3-4b", replay.url + "/v1"
    )
    assert window.centre_pages.currentWidget() is window.conversation
    picker_texts = [
        window.composer.picker.itemText(i) for i in range(window.composer.picker.count())
    ]
    assert any("qwen3-4b" in t for t in picker_texts) and "Other model…" in picker_texts


def test_first_run_with_nothing_found_is_not_a_dead_end(qtbot, window):
    qtbot.waitUntil(lambda: "No local model server answered" in window.welcome.servers_label.text())
    assert window.centre_pages.currentWidget() is window.welcome
    for button in (
        window.welcome.key_button,
        window.welcome.other_button,
        window.welcome.discover_button,
    ):
        assert button.isVisibleTo(window) and button.isEnabled()


def test_a_turn_that_cannot_start_says_why_and_keeps_the_prompt(qtbot, window):
    window.composer.set_choice(ModelChoice("anthropic", "claude-sonnet-4-5"))
    send(qtbot, window, "Hello there")
    qtbot.waitUntil(lambda: window.banner.isVisibleTo(window))
    assert "No API key for Anthropic" in window.banner.label.text()
    assert window.banner.action_button.text() == "Settings…"
    assert window.composer.edit.toPlainText() == "Hello there"
    assert window.conversation.states() == []
    assert window.composer.send_button.isEnabled()
