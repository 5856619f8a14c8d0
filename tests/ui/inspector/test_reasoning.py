"""The reasoning inspector: hidden reasoning explained, live streaming, search, and controls that
show the exact reasoning settings a request will carry."""

from __future__ import annotations

from client.core.events import TurnStatus
from client.ui.composer.model_picker import ModelChoice
from tests.support.chat import chunk, simple_stream, usage_chunk
from tests.ui.conftest import CHAT_PATH, send, stream_reply, use_replay


def test_hidden_reasoning_is_labelled_and_explained(qtbot, window, replay):
    events = [chunk(content="Paris."), chunk(finish="stop"), usage_chunk(20, 300, reasoning=256)]
    replay.add(CHAT_PATH, stream_reply(events))
    use_replay(window, replay)
    send(qtbot, window, "Capital of France?")
    qtbot.waitUntil(
        lambda: bool(window.conversation.states()) and not window.runner.busy, timeout=10_000
    )
    state = window.conversation.states()[-1]
    qtbot.waitUntil(lambda: state.turn.status is TurnStatus.COMPLETE)
    inspector = window.inspector
    assert inspector.visibility_label.text() == "Hidden"
    explanation = inspector.message_label.text()
    assert "256 tokens of reasoning" in explanation and "none of its text" in explanation
    assert inspector.pages.currentIndex() == 1
    widget = window.conversation.widget_for(state.id)
    qtbot.waitUntil(lambda: not widget.rendering)  # the answer's markdown renders on a thread
    assert "Paris." in widget.answer_view.toPlainText()
    assert "256 reasoning" in window.conversation.widget_for(state.id).meta_label.text()


def test_reasoning_streams_live_and_can_be_searched(qtbot, window, replay):
    reasoning = " ".join(f"step{i} checks the sum" for i in range(200))
    replay.add(CHAT_PATH, stream_reply(simple_stream(reasoning, "Done."), delay_s=0.002))
    use_replay(window, replay)
    send(qtbot, window, "Think hard")
    seen_live = []
    qtbot.waitUntil(lambda: bool(window.conversation.states()), timeout=10_000)
    state = window.conversation.states()[-1]

    def check() -> bool:
        if state.streaming and window.inspector.text():
            seen_live.append(len(window.inspector.text()))
        return not window.runner.busy

    qtbot.waitUntil(check, timeout=20_000)
    assert seen_live and min(seen_live) < len(reasoning)  # it grew while streaming
    assert window.inspector.text().strip() == reasoning
    assert window.inspector.find("step150")
    assert window.inspector.text_view.textCursor().selectedText() == "step150"
    assert "1 found" in window.inspector.find_bar.result_label.text()
    assert not window.inspector.find("no such words")


def test_reasoning_controls_show_the_value_that_is_sent(qtbot, window):
    composer = window.composer
    composer.set_choice(ModelChoice("openai-chat", "gpt-5"))
    controls = composer.controls
    assert not controls.budget_spin.isEnabled()  # Chat Completions takes no budget
    assert "budget" in controls.budget_spin.toolTip().lower()
    controls.effort_box.setCurrentIndex(controls.effort_box.findData("high"))
    assert controls.sends_label.text() == 'Sends {"reasoning_effort": "high"}'
    composer.set_choice(ModelChoice("deepseek", "deepseek-reasoner"))
    assert "thinking" in controls.sends_label.text()


def test_a_turn_that_failed_before_any_output_says_the_request_failed(qtbot, window, replay):
    from tests.support.replay import Reply

    replay.add(CHAT_PATH, Reply.json(404, {"error": {"message": "model qwen3 not found"}}))
    use_replay(window, replay)
    send(qtbot, window, "Hello?")
    qtbot.waitUntil(
        lambda: bool(window.conversation.states()) and not window.runner.busy, timeout=10_000
    )
    state = window.conversation.states()[-1]
    qtbot.waitUntil(lambda: state.turn.status is TurnStatus.ERROR)
    window.inspector.show_turn(state)
    text = window.inspector.message_label.text()
    assert text.startswith("The request failed") and "model qwen3 not found" in text
    assert "answered directly" not in text
    assert not window.inspector.visibility_label.isVisible()  # no "No reasoning" badge
    # Nothing came back: not a query ("No queries yet.", not "1 query, none with a price").
    qtbot.waitUntil(lambda: "No queries yet." in window.ledger.summary_label.text())


def test_the_reasoning_search_is_reset_for_another_turn(qtbot, window, replay):
    replay.add(
        CHAT_PATH,
        stream_reply(simple_stream("alpha beta alpha", "One.")),
        stream_reply(simple_stream("gamma delta", "Two.")),
    )
    use_replay(window, replay)
    send(qtbot, window, "First")
    qtbot.waitUntil(lambda: len(window.conversation.states()) == 1 and not window.runner.busy)
    first = window.conversation.states()[0]
    window.inspector.show_turn(first)
    bar = window.inspector.find_bar
    bar.open_bar()
    bar.edit.setText("alpha")
    qtbot.waitUntil(lambda: "2 found" in bar.result_label.text())
    window.conversations.new_conversation()
    send(qtbot, window, "Second")
    qtbot.waitUntil(lambda: len(window.conversation.states()) == 1 and not window.runner.busy)
    window.inspector.show_turn(window.conversation.states()[0])
    assert bar.edit.text() == "" and bar.result_label.text() == ""
