"""Reasoning in context: the conversation's "Send Reasoning Back" changes what goes to the provider
(seen at the loopback server), and the one next-turn line under the prompt counts what the next
turn sends, the same way whichever figure it is set against, following the branch, the model, the
prompt and that setting."""

from __future__ import annotations

import re

from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QLabel

from client.core.context import context_usage, estimate_tokens
from client.core.events import TurnStatus
from client.ui.composer.model_picker import ModelChoice
from client.ui.history.controller import SEND_REASONING_TIP
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


def _line(window) -> str:
    return window.composer.estimate_label.text()


def _tokens(window) -> int:
    match = re.search(r"≈([\d,]+) tokens in", _line(window))
    assert match, _line(window)
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
    window.conversations.new_conversation()
    assert not action.isEnabled() and not action.isChecked()
    window.conversations.open_conversation(conversation_id)
    qtbot.waitUntil(lambda: action.isEnabled() and action.isChecked())


def _expected(store, window, prompt: str = "", send_reasoning: bool = False) -> int:
    """What the next turn sends, counted by client.core.context: every answered prompt and answer
    of the branch shown, the prompt typed, and the reasoning inside its answer's message."""
    leaf = window.conversation.states()[-1].id if window.conversation.states() else None
    turns = store.branch(window.current_id, leaf) if window.current_id else []
    texts = [text for t in turns for text in (t.prompt, t.answer)]
    reasoning = sum(estimate_tokens(t.reasoning.text) for t in turns) if send_reasoning else 0
    return context_usage(texts, prompt, None).tokens + reasoning


def test_one_next_turn_line_follows_branch_model_prompt_and_setting(qtbot, window, replay, store):
    replay.always(CHAT_PATH, stream_reply(simple_stream(LONG_REASONING, "A short answer.")))
    use_replay(window, replay)
    _ask(qtbot, window, "How long is this?", 1)
    label = window.composer.estimate_label
    qtbot.waitUntil(lambda: label.isVisible() and _tokens(window) == _expected(store, window))
    # A server on this machine: its model's window (qwen3's 32K) and no price.
    assert re.fullmatch(
        r"Next turn: ≈[\d,]+ tokens in \(<?\d+% of 32,768\) · local, \$0", _line(window)
    )
    assert "estimate" in label.toolTip() and "context window" in label.toolTip()
    assert "reasoning" not in label.toolTip()
    # One line, one place: no second count of the same thing anywhere in the window.
    counts = re.compile(r"Next turn|Context:|Estimate for")
    assert [w for w in window.findChildren(QLabel) if counts.search(w.text())] == [label]
    one_turn = _tokens(window)

    window.composer.edit.setPlainText("And what about a longer follow-up question?")
    grown = _expected(store, window, "And what about a longer follow-up question?")
    qtbot.waitUntil(lambda: _tokens(window) == grown)
    assert grown > one_turn

    _ask(qtbot, window, "And now?", 2)
    qtbot.waitUntil(lambda: _tokens(window) == _expected(store, window))
    two_turns = _tokens(window)
    assert two_turns > one_turn

    window.composer.set_choice(ModelChoice("anthropic", "claude-sonnet-4-5"))
    qtbot.waitUntil(lambda: "of 200,000)" in _line(window))
    assert _tokens(window) == two_turns and "local" not in _line(window)
    use_replay(window, replay, model="mystery-model")  # a window nobody knows: no share
    qtbot.waitUntil(lambda: " of " not in _line(window))
    assert _line(window) == f"Next turn: ≈{two_turns:,} tokens in · local, $0"
    window.composer.set_choice(ModelChoice("anthropic", "claude-sonnet-4-5"))

    window.history.send_reasoning_action.trigger()
    expected = _expected(store, window, send_reasoning=True)
    qtbot.waitUntil(lambda: _tokens(window) == expected)
    assert expected > two_turns + 500  # the reasoning goes back too
    assert "reasoning" in label.toolTip()

    window.conversations.new_conversation()
    qtbot.waitUntil(lambda: _tokens(window) == context_usage([], "", None).tokens)
    assert "of 200,000)" in _line(window)


def test_a_turn_too_long_for_the_model_says_so(qtbot, window, replay):
    use_replay(window, replay)
    window.composer.edit.setPlainText("x" * 140_000)  # about 35,000 tokens; qwen3 takes 32,768
    label = window.composer.estimate_label
    qtbot.waitUntil(lambda: "too long" in _line(window))
    assert re.match(
        r"⚠ Next turn: ≈35,004 tokens in \(107% of 32,768: too long for this model\)", _line(window)
    )
    assert label.foregroundRole() == QPalette.ColorRole.Text  # not the quiet placeholder grey
