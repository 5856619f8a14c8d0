"""Reasoning in context: the conversation's "Send Reasoning Back" changes what goes to the provider
(seen at the loopback server), and the context meter above the composer follows the branch, the
model and that setting."""

from __future__ import annotations

import re

from client.core.events import TurnStatus
from client.ui.context_meter import context_line, history_texts
from client.ui.history import SEND_REASONING_TIP
from client.ui.model_picker import ModelChoice
from tests.support.chat import simple_stream
from tests.ui.conftest import CHAT_PATH, send, stream_reply, use_replay

LONG_REASONING = " ".join(f"step {i} weighs the two readings of the question" for i in range(60))


def _ask(qtbot, window, prompt: str, count: int) -> None:
    send(qtbot, window, prompt)
    qtbot.waitUntil(
        lambda: (
            len(window.conversation.states()) == count
            and not window.runner.busy
            and window.conversation.states()[-1].turn.status is TurnStatus.COMPLETE
        ),
        timeout=10_000,
    )


def _assistants(replay) -> list[dict]:
    body = replay.requests_to(CHAT_PATH)[-1].json
    return [m for m in body["messages"] if m["role"] == "assistant"]


def _tokens(window) -> int:
    match = re.search(r"≈([\d,]+)", window.history.context.text())
    assert match, window.history.context.text()
    return int(match.group(1).replace(",", ""))


def test_send_reasoning_back_changes_what_is_sent(qtbot, window, replay, store):
    replay.always(CHAT_PATH, stream_reply(simple_stream("I weighed both readings.", "Yes.")))
    use_replay(window, replay)
    _ask(qtbot, window, "First?", 1)
    action = window.history.send_reasoning_action
    qtbot.waitUntil(action.isEnabled)
    assert not action.isChecked()  # the default: only what the provider requires
    assert action.toolTip() == SEND_REASONING_TIP and "cost" in action.toolTip()
    turn_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Turn")
    assert action in turn_menu.actions() and turn_menu.toolTipsVisible()

    _ask(qtbot, window, "Second?", 2)
    assert [m.get("reasoning_content") for m in _assistants(replay)] == [None]

    action.trigger()  # on
    conversation_id = window.current_id
    qtbot.waitUntil(lambda: store.get_conversation(conversation_id).settings.get("send_reasoning"))
    _ask(qtbot, window, "Third?", 3)
    assert [m.get("reasoning_content") for m in _assistants(replay)] == [
        "I weighed both readings.",
        "I weighed both readings.",
    ]

    action.trigger()  # off again
    qtbot.waitUntil(
        lambda: store.get_conversation(conversation_id).settings.get("send_reasoning") is False
    )
    _ask(qtbot, window, "Fourth?", 4)
    assert all("reasoning_content" not in m for m in _assistants(replay))

    # The setting belongs to the conversation: shown again when it is reopened.
    action.trigger()
    qtbot.waitUntil(lambda: store.get_conversation(conversation_id).settings.get("send_reasoning"))
    window.new_conversation()
    assert not action.isEnabled() and not action.isChecked()
    window.open_conversation(conversation_id)
    qtbot.waitUntil(lambda: action.isEnabled() and action.isChecked())


def _expected(window, model: str, send_reasoning: bool = False) -> str:
    texts = history_texts(window.conversation.states(), None, send_reasoning)
    return context_line(texts, model)[0]


def test_the_context_meter_follows_branch_model_and_setting(qtbot, window, replay):
    replay.always(CHAT_PATH, stream_reply(simple_stream(LONG_REASONING, "A short answer.")))
    use_replay(window, replay)
    meter = window.history.context
    _ask(qtbot, window, "How long is this?", 1)
    qtbot.waitUntil(lambda: meter.isVisible() and meter.text() == _expected(window, "qwen3"))
    assert re.fullmatch(r"Context: ≈[\d,]+ of 32,768 tokens \(<?\d+%, estimated\)", meter.text())
    assert "estimate" in meter.toolTip()
    one_turn = _tokens(window)

    _ask(qtbot, window, "And now?", 2)
    qtbot.waitUntil(lambda: meter.text() == _expected(window, "qwen3"))
    two_turns = _tokens(window)
    assert two_turns > one_turn

    window.composer.set_choice(ModelChoice("anthropic", "claude-sonnet-4-5"))
    qtbot.waitUntil(lambda: meter.text() == _expected(window, "claude-sonnet-4-5"))
    assert "of 200,000 tokens" in meter.text() and _tokens(window) == two_turns

    window.history.send_reasoning_action.trigger()
    qtbot.waitUntil(lambda: meter.text() == _expected(window, "claude-sonnet-4-5", True))
    assert _tokens(window) > two_turns + 500  # the reasoning goes back too
    assert "reasoning" in meter.toolTip()

    window.new_conversation()
    qtbot.waitUntil(lambda: meter.text() == context_line([], "claude-sonnet-4-5")[0])
