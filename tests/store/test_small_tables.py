"""Step verdicts, price overrides and settings: the small tables beside the turns."""

from __future__ import annotations

from decimal import Decimal

import pytest

from client.core.prices import PriceOverride
from client.store import Store
from tests.store.conftest import full_turn


def test_verdicts_are_kept_per_step_and_replaced(store):
    conversation = store.create_conversation()
    turn = full_turn(conversation.id)
    store.insert_turn(turn)
    store.set_verdict(turn.id, 3, "spurious", "17 × 3 is 51, not 41")
    store.set_verdict(turn.id, 0, "sound")
    store.set_verdict(turn.id, 3, "unsure", "re-checking")
    assert store.verdicts(turn.id) == {0: ("sound", ""), 3: ("unsure", "re-checking")}
    assert list(store.verdicts(turn.id)) == [0, 3]
    store.clear_verdict(turn.id, 0)
    assert store.verdicts(turn.id) == {3: ("unsure", "re-checking")}


def test_a_verdict_must_be_a_known_word_on_a_known_turn(store):
    conversation = store.create_conversation()
    turn = full_turn(conversation.id)
    store.insert_turn(turn)
    with pytest.raises(ValueError, match="sound, spurious, unsure"):
        store.set_verdict(turn.id, 0, "wrong")
    with pytest.raises(KeyError):
        store.set_verdict("t_missing", 0, "sound")


def test_price_overrides_round_trip_exactly(thinkpane_home):
    cheap = PriceOverride(Decimal("0.15"), Decimal("0.60"), Decimal("0.075"), None)
    with Store.open() as store:
        store.set_price_override("openai-compatible", "my-model", cheap)
        store.set_price_override("ollama", "qwen3", PriceOverride(Decimal("0"), Decimal("1E-7")))
    with Store.open() as store:
        overrides = store.price_overrides()
        assert overrides[("openai-compatible", "my-model")] == cheap
        assert str(overrides[("openai-compatible", "my-model")].output_mtok) == "0.60"
        assert overrides[("ollama", "qwen3")].output_mtok == Decimal("0.0000001")
        store.set_price_override("ollama", "qwen3", cheap)
        assert store.price_overrides()[("ollama", "qwen3")] == cheap
        store.delete_price_override("ollama", "qwen3")
        assert list(store.price_overrides()) == [("openai-compatible", "my-model")]


def test_price_override_values_are_checked():
    assert PriceOverride("1.25", 10).input_mtok == Decimal("1.25")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        PriceOverride(Decimal("-1"), Decimal("1"))
    with pytest.raises(TypeError):
        PriceOverride(0.1, Decimal("1"))  # type: ignore[arg-type]


def test_settings_hold_json_values(thinkpane_home):
    geometry = {"x": 10, "y": 20, "splitter": [300, 700], "title": "Größe ✓"}
    with Store.open() as store:
        assert store.get_setting("window") is None
        assert store.get_setting("window", {"default": True}) == {"default": True}
        store.set_setting("window", geometry)
        store.set_setting("last_conversation", "c_123")
        store.set_setting("flag", False)
    with Store.open() as store:
        assert store.get_setting("window") == geometry
        assert store.get_setting("last_conversation") == "c_123"
        assert store.get_setting("flag", True) is False
        store.delete_setting("flag")
        assert store.get_setting("flag", True) is True
        with pytest.raises(TypeError):
            store.set_setting("bad", object())
