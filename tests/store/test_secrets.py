"""API keys: the environment wins, the keyring keeps them, and no keyring means a sentence."""

from __future__ import annotations

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail, null

from client.store import StoreError
from client.store.secrets import (
    SERVICE,
    delete_api_key,
    get_api_key,
    has_stored_key,
    keyring_available,
    set_api_key,
)

ENV = ("OPENAI_API_KEY",)


@pytest.fixture
def no_keyring():
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


def test_the_keyring_keeps_a_key_per_profile(memory_keyring):
    assert get_api_key("openai", ENV) is None
    assert not has_stored_key("openai")
    set_api_key("openai", "  sk-from-keyring\n")
    assert memory_keyring.secrets == {(SERVICE, "openai"): "sk-from-keyring"}
    assert get_api_key("openai", ENV) == "sk-from-keyring"
    assert has_stored_key("openai")
    assert get_api_key("anthropic", ("ANTHROPIC_API_KEY",)) is None
    delete_api_key("openai")
    assert get_api_key("openai", ENV) is None
    delete_api_key("openai")  # forgetting a key that is not there is fine


def test_the_environment_wins_over_the_keyring(monkeypatch):
    set_api_key("openai", "sk-from-keyring")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env")
    assert get_api_key("openai", ENV) == "sk-from-env"
    assert has_stored_key("openai")  # the stored key is still there, just not used


def test_an_empty_environment_variable_is_skipped(monkeypatch):
    set_api_key("gemini", "from-keyring")
    monkeypatch.setenv("GEMINI_API_KEY", "  ")
    monkeypatch.setenv("GOOGLE_API_KEY", "from-google-var")
    assert get_api_key("gemini", ("GEMINI_API_KEY", "GOOGLE_API_KEY")) == "from-google-var"
    monkeypatch.delenv("GOOGLE_API_KEY")
    assert get_api_key("gemini", ("GEMINI_API_KEY", "GOOGLE_API_KEY")) == "from-keyring"


def test_an_empty_key_is_refused():
    with pytest.raises(ValueError):
        set_api_key("openai", "   ")


def test_a_working_keyring_is_reported(memory_keyring):
    ok, sentence = keyring_available()
    assert ok
    assert sentence.startswith("API keys are kept in the system keyring")


def test_no_keyring_gives_a_sentence_offering_the_environment(no_keyring, monkeypatch):
    ok, sentence = keyring_available()
    assert not ok
    assert "No system keyring was found" in sentence
    assert "environment variable" in sentence
    assert get_api_key("openai", ENV) is None
    assert not has_stored_key("openai")
    with pytest.raises(StoreError) as caught:
        set_api_key("openai", "sk-nowhere-to-go")
    assert caught.value.message == sentence
    delete_api_key("openai")  # nothing to forget, and no traceback
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env")
    assert get_api_key("openai", ENV) == "sk-from-env"


def test_the_null_keyring_counts_as_none():
    previous = keyring.get_keyring()
    keyring.set_keyring(null.Keyring())
    try:
        assert keyring_available()[0] is False
    finally:
        keyring.set_keyring(previous)


class PlaintextKeyring(KeyringBackend):
    """Stands in for keyrings.alt's file backend: it would write keys in a readable file."""

    priority = 1  # type: ignore[assignment]

    def get_password(self, service, username):
        raise AssertionError("a plaintext keyring must not be read")

    def set_password(self, service, username, password):
        raise AssertionError("a plaintext keyring must not be written")

    def delete_password(self, service, username):
        raise AssertionError("a plaintext keyring must not be touched")


def test_a_plaintext_keyring_is_never_used():
    previous = keyring.get_keyring()
    keyring.set_keyring(PlaintextKeyring())
    try:
        ok, sentence = keyring_available()
        assert not ok and "plain file" in sentence
        with pytest.raises(StoreError):
            set_api_key("openai", "sk-secret")
        assert get_api_key("openai", ENV) is None
    finally:
        keyring.set_keyring(previous)


def test_a_key_never_reaches_the_data_folder(thinkpane_home):
    from client.store import Store

    with Store.open() as store:
        set_api_key("openai", "sk-very-secret-value")
        store.set_setting("provider", "openai")
    for path in thinkpane_home.rglob("*"):
        if path.is_file():
            assert b"sk-very-secret-value" not in path.read_bytes(), path
