"""Settings and first run: keys go to the keyring and nowhere else, a missing keyring is said in
a sentence, and a window with nothing configured offers a way forward."""

from __future__ import annotations

from PySide6.QtCore import Qt

from client.providers.discovery import LocalServer
from client.ui.composer.model_picker import ModelChoice
from tests.support.replay import Reply
from tests.ui.conftest import send

SECRET = "sk-test-THINKPANE-0123456789abcdef"


def _files_containing(folder, needle: bytes) -> list[str]:
    return [str(p) for p in folder.rglob("*") if p.is_file() and needle in p.read_bytes()]


def test_a_key_saved_in_settings_lands_in_the_keyring_and_nowhere_else(
    qtbot, window, memory_keyring, thinkpane_home, store
):
    dialog = window.settings.open_settings()
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

    again = window.settings.open_settings()
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


def test_without_a_keyring_a_key_is_kept_in_memory_until_the_app_closes(
    qtbot, window, thinkpane_home, store, tmp_path
):
    import keyring
    from keyring.backends import fail

    from client.store import secrets

    keyring.set_keyring(fail.Keyring())
    dialog = window.settings.open_settings()
    qtbot.waitUntil(lambda: "No system keyring" in dialog.keyring_label.text())
    sentence = dialog.keyring_label.text()
    assert (
        "environment variable" in sentence and "kept in memory until Thinkpane closes" in sentence
    )
    row = dialog.key_rows["anthropic"]
    qtbot.waitUntil(row.edit.isEnabled)  # a key can be entered in the window
    assert "ANTHROPIC_API_KEY" in row.note.text()
    assert "kept in memory" in row.edit.placeholderText()
    row.edit.setText(SECRET)
    qtbot.mouseClick(
        dialog.buttons.button(dialog.buttons.StandardButton.Save), Qt.MouseButton.LeftButton
    )
    try:
        assert secrets.get_api_key("anthropic", ("ANTHROPIC_API_KEY",)) == SECRET
        assert row.edit.text() == ""
        again = window.settings.open_settings()
        qtbot.waitUntil(lambda: "No system keyring" in again.keyring_label.text())
        qtbot.waitUntil(lambda: again.key_rows["anthropic"].forget_button.isEnabled())
        again.key_rows["anthropic"].forget_button.click()
        assert secrets.get_api_key("anthropic", ("ANTHROPIC_API_KEY",)) is None
        again.reject()
        again.key_rows["anthropic"].edit.setText(SECRET)  # typed again, then the app closes
        again.save_keys()
        window.close()
        store.close()
        assert _files_containing(thinkpane_home, SECRET.encode()) == []
        assert _files_containing(thinkpane_home, SECRET.encode("utf-16-le")) == []
    finally:
        secrets.forget_session_key("anthropic")


def test_settings_change_the_theme_and_the_default_model(qtbot, window):
    dialog = window.settings.open_settings()
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


def test_the_idle_timeout_is_a_setting(qtbot, window):
    from PySide6.QtWidgets import QDialogButtonBox

    assert window.runner.idle_timeout_s == 600.0  # the default, as `ask --idle-timeout`
    dialog = window.settings.open_settings()
    dialog.idle_spin.setValue(120)
    dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    assert window.runner.idle_timeout_s == 120.0
    qtbot.waitUntil(lambda: window.store.get_setting("turns.idle_timeout_s") == 120)
    dialog = window.settings.open_settings()
    assert dialog.idle_spin.value() == 120
    dialog.idle_spin.setValue(0)  # "Never"
    assert dialog.idle_spin.text() == "Never"
    dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    assert window.runner.idle_timeout_s is None


def test_what_discovery_found_is_a_line_of_its_own_and_the_button_keeps_its_name(qtbot, window):
    dialog = window.settings.open_settings()
    window.catalog.sig_servers_found.emit([])
    assert dialog.discover_status.text() == "No local server answered."
    assert dialog.discover_button.text() == "Look for local servers"
    found = LocalServer("ollama", "http://127.0.0.1:11434", "ollama", ("qwen3:4b",))
    window.catalog.sig_servers_found.emit([found])
    assert "ollama at http://127.0.0.1:11434" in dialog.discover_status.text()
    assert dialog.discover_button.text() == "Look for local servers"
    dialog.reject()


def test_look_for_local_servers_asks_the_addresses_as_typed_before_save(qtbot, window, replay):
    url = replay.url + "/v1"
    replay.always("/v1/models", Reply.json(200, {"object": "list", "data": [{"id": "on-5077"}]}))
    dialog = window.settings.open_settings()
    dialog.local_urls_edit.setPlainText(url)  # typed, not saved yet
    qtbot.mouseClick(dialog.discover_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: url in dialog.discover_status.text(), timeout=10_000)
    assert dialog.discover_status.text().startswith("Found ")
    dialog.reject()


def test_settings_says_what_the_last_look_for_local_servers_found_as_it_opens(
    qtbot, make_window, discovered
):
    discovered.append(LocalServer("ollama", "http://127.0.0.1:11434", "ollama", ("qwen3:4b",)))
    window = make_window()
    qtbot.waitUntil(lambda: window.catalog.discovered)
    dialog = window.settings.open_settings()
    assert "Found ollama at http://127.0.0.1:11434" in dialog.discover_status.text()
    dialog.reject()


def test_settings_fits_the_screen_and_scrolls_to_the_field_tab_reaches(qtbot, window):
    """Its General page is taller than a laptop's screen: Save was below the bottom edge."""
    from PySide6.QtWidgets import QDialogButtonBox

    dialog = window.settings.open_settings()
    qtbot.waitExposed(dialog)
    room = dialog.screen().availableGeometry()
    save = dialog.buttons.button(QDialogButtonBox.StandardButton.Save)
    assert dialog.frameGeometry().height() <= room.height()
    assert room.contains(save.mapToGlobal(save.rect().bottomRight()))
    idle = dialog.idle_spin  # the last field of the page, below the fold
    idle.setFocus()
    qtbot.waitUntil(lambda: not idle.visibleRegion().isEmpty())
    dialog.reject()
