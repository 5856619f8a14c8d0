"""'Other model…' and the welcome page's 'Use another server…': the only ways in for a server on
another port. Driven as a user does: click, type, OK, send; the request must reach that server."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QPushButton

from client.ui.composer.model_picker import ModelChoice, OtherModelDialog
from tests.support.chat import simple_stream
from tests.support.replay import Reply
from tests.ui.conftest import CHAT_PATH, send, stream_reply
from tests.ui.dialogs import when_modal


def _fill_and_ok(model: str, url: str):
    def act(dialog):
        assert isinstance(dialog, OtherModelDialog)
        seen = (dialog.windowTitle(), dialog.provider_box.currentData(), dialog.hint.text())
        dialog.model_edit.setText(model)
        dialog.url_edit.setText(url)
        ok = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
        assert ok.isEnabled()
        ok.click()
        return seen

    return act


def test_use_another_server_reaches_a_server_on_another_port(qtbot, window, replay):
    qtbot.waitUntil(lambda: "No local model server" in window.welcome.servers_label.text())
    replay.add(CHAT_PATH, stream_reply(simple_stream("2 + 2 = 4.", "Four.")))
    url = replay.url + "/v1"
    done = when_modal(_fill_and_ok("my-local-model", url))
    qtbot.mouseClick(window.welcome.other_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(done))
    title, provider, hint = done[0]
    assert title == "Use another server" and provider == "openai-compatible"
    assert "needs no key" in hint and "THINKPANE_API_KEY" not in hint.split(".")[0]
    assert window.composer.choice == ModelChoice("openai-compatible", "my-local-model", url)
    assert window.centre_pages.currentWidget() is window.conversation
    send(qtbot, window, "What is 2 + 2?")
    qtbot.waitUntil(lambda: len(replay.requests_to(CHAT_PATH)) == 1, timeout=10_000)
    assert replay.requests_to(CHAT_PATH)[0].json["model"] == "my-local-model"


def test_other_model_changes_the_model_the_next_request_goes_to(qtbot, window, replay):
    window.composer.set_choice(ModelChoice("ollama", "old-model", "http://127.0.0.1:9"))
    replay.add(CHAT_PATH, stream_reply(simple_stream("r", "a")))
    url = replay.url + "/v1"

    def act(dialog):
        assert dialog.provider_box.currentData() == "ollama"  # the model in use, not OpenAI
        dialog.provider_box.setCurrentIndex(dialog.provider_box.findData("openai-compatible"))
        return _fill_and_ok("new-model", url)(dialog)

    done = when_modal(act)
    picker = window.composer.picker
    picker.activated.emit(picker.findText("Other model…"))  # what a pick in the list emits
    qtbot.waitUntil(lambda: bool(done))
    assert not isinstance(done[0], Exception), done[0]
    assert window.composer.choice == ModelChoice("openai-compatible", "new-model", url)
    send(qtbot, window, "Hello")
    qtbot.waitUntil(lambda: len(replay.requests_to(CHAT_PATH)) == 1, timeout=10_000)
    assert replay.requests_to(CHAT_PATH)[0].json["model"] == "new-model"


def test_cancel_changes_nothing(qtbot, window):
    window.composer.set_choice(ModelChoice("ollama", "kept"))

    def act(dialog):
        dialog.model_edit.setText("not-this-one")
        dialog.reject()

    done = when_modal(act)
    window.models.choose_other_model()
    qtbot.waitUntil(lambda: bool(done))
    assert window.composer.choice == ModelChoice("ollama", "kept")


def test_the_welcome_page_lists_servers_added_in_settings(qtbot, make_window, replay, store):
    url = replay.url + "/v1"
    replay.always("/v1/models", Reply.json(200, {"object": "list", "data": [{"id": "on-5005"}]}))
    store.set_setting("local_base_urls", [url])  # what Settings → Local servers saves
    window = make_window()
    qtbot.waitUntil(lambda: "Found on this computer" in window.welcome.servers_label.text())
    [button] = [b for b in window.welcome.findChildren(QPushButton) if "on-5005" in b.text()]
    assert url in button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert window.composer.choice == ModelChoice("openai-compatible", "on-5005", url)


def test_the_critic_dialog_starts_from_the_model_in_use(qtbot, store):
    from client.ui.audit.critic_dialog import CriticDialog

    in_use = ModelChoice("openai-compatible", "qwen3", "http://127.0.0.1:5005/v1")
    dialog = CriticDialog(store, None, in_use)
    qtbot.addWidget(dialog)
    assert dialog.provider_box.currentData() == "openai-compatible"
    assert (dialog.model_edit.text(), dialog.url_edit.text()) == ("qwen3", in_use.base_url)
    assert "needs no key" in dialog.key_hint.text()
    assert not dialog.key_hint.text().startswith("OpenAI-compatible server reads")
    dialog.url_edit.setText("https://api.example.com/v1")  # a remote server does need one
    assert "THINKPANE_API_KEY" in dialog.key_hint.text()


def test_a_hosted_provider_through_a_local_address_is_said_to_need_its_key(qtbot, window):
    """Sending refuses Mistral at a loopback address without a key; the dialog said none was
    needed."""
    from client.ui.composer.model_picker import OtherModelDialog

    dialog = OtherModelDialog(window, window.composer.choice)
    qtbot.addWidget(dialog)
    dialog.provider_box.setCurrentIndex(dialog.provider_box.findData("mistral"))
    dialog.url_edit.setText("http://127.0.0.1:4000/v1")
    assert "MISTRAL_API_KEY" in dialog.hint.text()
    assert "no key" not in dialog.hint.text()
    dialog.provider_box.setCurrentIndex(dialog.provider_box.findData("openai-compatible"))
    assert "needs no key" in dialog.hint.text()  # a server of one's own: none needed
