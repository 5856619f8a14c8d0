"""A screen reader hears when a turn ends, once, not on every token: complete (with its tokens
and cost), failed, and when the audit finds an error in the reasoning of a turn just answered."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt

from client.core import format as fmt
from client.core.events import TurnStatus
from client.core.prices import PriceOverride
from tests.support.chat import simple_stream
from tests.support.replay import Reply
from tests.ui.audit.test_audit_integration import stream_false_equation
from tests.ui.conftest import CHAT_PATH, send, stream_reply, use_replay


def _record(window) -> list[tuple[str, bool]]:
    said: list[tuple[str, bool]] = []
    window.announcer.sig_announced.connect(lambda text, assertive: said.append((text, assertive)))
    return said


def test_a_complete_answer_is_announced_once_with_its_tokens_and_cost(qtbot, window, replay, store):
    store.set_price_override(
        "openai-compatible", "qwen3", PriceOverride(Decimal("1"), Decimal("2"))
    )
    said = _record(window)
    long_answer = " ".join(f"word{i}" for i in range(200))  # many chunks, one announcement
    replay.add(
        CHAT_PATH, stream_reply(simple_stream("Let me think.", long_answer, completion=1680))
    )
    use_replay(window, replay)
    send(qtbot, window, "Say many words")
    qtbot.waitUntil(lambda: bool(said), timeout=10_000)
    state = window.conversation.states()[-1]
    assert state.turn.status is TurnStatus.COMPLETE
    cost = fmt.money(state.turn.cost.total)
    assert cost.startswith("$0.00")
    assert said == [(f"Answer complete, 1,680 tokens, {cost}", False)]
    assert window.statusBar().currentMessage() == said[0][0]


def test_a_failed_turn_is_announced_at_once(qtbot, window, replay):
    said = _record(window)
    replay.add(CHAT_PATH, Reply.json(401, {"error": {"message": "bad key"}}))
    use_replay(window, replay)
    send(qtbot, window, "Hello?")
    qtbot.waitUntil(lambda: bool(said), timeout=10_000)
    assert len(said) == 1
    sentence, assertive = said[0]
    assert sentence.startswith("Failed: ") and assertive


def test_a_stopped_answer_says_what_was_kept(qtbot, window, replay):
    said = _record(window)
    replay.add(CHAT_PATH, stream_reply(simple_stream("hmm " * 50, "slow " * 200), delay_s=0.05))
    use_replay(window, replay)
    with qtbot.waitSignal(window.runner.sig_turn_started, timeout=10_000):
        send(qtbot, window, "Take your time")
    qtbot.keyClick(window.composer.edit, Qt.Key.Key_Escape)  # Esc stops the stream
    qtbot.waitUntil(lambda: bool(said), timeout=10_000)
    assert said == [("Stopped. What arrived before you stopped it is kept.", False)]


def test_an_error_found_by_the_audit_is_announced_for_a_new_answer_only(qtbot, window, replay):
    said = _record(window)
    stream_false_equation(qtbot, window, replay)
    qtbot.waitUntil(lambda: len(said) == 2, timeout=10_000)
    assert said[0][0].startswith("Answer complete, 40 tokens")
    assert said[1] == ("The audit found an error in the reasoning, at step 2.", False)
    conversation_id = window.current_id
    window.conversations.new_conversation()
    window.conversations.open_conversation(conversation_id)  # seen again: nothing new to say
    qtbot.waitUntil(lambda: window.audit.view.loaded is not None, timeout=10_000)
    assert len(said) == 2
