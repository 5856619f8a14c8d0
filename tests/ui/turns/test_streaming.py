"""Sending, streaming, stopping and retrying turns through the real window and the replay server."""

from __future__ import annotations

from PySide6.QtCore import Qt

from client.core.events import TurnStatus
from tests.support.chat import chunk, simple_stream, usage_chunk
from tests.ui.conftest import CHAT_PATH, send, stream_reply, use_replay

REASONING = "First I add two and two. That makes four, which I double check now."
ANSWER = "The answer is **4**.\n\nIt is an even number."


def _last_turn(window):
    states = window.conversation.states()
    return states[-1] if states else None


def test_send_streams_answer_to_the_pane_and_reasoning_to_the_inspector(
    qtbot, window, replay, store
):
    replay.add(CHAT_PATH, stream_reply(simple_stream(REASONING, ANSWER, prompt=12, completion=40)))
    use_replay(window, replay)
    send(qtbot, window, "What is 2 + 2?")
    qtbot.waitUntil(
        lambda: _last_turn(window) is not None and not window.runner.busy, timeout=10_000
    )
    state = _last_turn(window)
    widget = window.conversation.widget_for(state.id)
    qtbot.waitUntil(lambda: state.turn.status is TurnStatus.COMPLETE)
    qtbot.waitUntil(lambda: not widget.rendering)  # the answer's markdown renders on a thread

    answer_text = widget.answer_view.toPlainText()
    assert "The answer is 4." in answer_text
    assert "double check" not in answer_text  # reasoning never reaches the answer pane
    assert "double check" not in widget.prompt_view.toPlainText()
    assert window.inspector.text() == REASONING
    assert window.inspector.visibility_label.text() == "Raw"
    assert "thought for" in window.inspector.figures_label.text()
    assert "qwen3" in widget.meta_label.text() and "12 in" in widget.meta_label.text()
    assert not widget.retry_button.isVisible()
    stored = store.get_turn(state.id)
    assert stored.answer == ANSWER and stored.reasoning.text == REASONING
    assert window.composer.edit.toPlainText() == ""


def test_enter_sends_and_shift_enter_adds_a_line(qtbot, window, replay):
    replay.always(CHAT_PATH, stream_reply(simple_stream("ok", "fine")))
    use_replay(window, replay)
    edit = window.composer.edit
    edit.setFocus()
    qtbot.keyClicks(edit, "line one")
    qtbot.keyClick(edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClicks(edit, "line two")
    assert edit.toPlainText() == "line one\nline two"
    assert not replay.requests_to(CHAT_PATH)
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(replay.requests_to(CHAT_PATH)) == 1, timeout=10_000)
    assert replay.requests_to(CHAT_PATH)[0].json["messages"][-1]["content"] == "line one\nline two"
    qtbot.waitUntil(lambda: not window.runner.busy, timeout=10_000)


def _slow_reply(words: int = 400, delay: float = 0.02):
    events = [chunk(reasoning="Thinking. ")]
    events += [chunk(content=f"word{i} ") for i in range(words)]
    events += [chunk(finish="stop"), usage_chunk(10, words)]
    return stream_reply(events, delay_s=delay)


def test_escape_stops_at_once_and_keeps_what_arrived(qtbot, window, replay, store):
    replay.add(CHAT_PATH, _slow_reply())
    use_replay(window, replay)
    send(qtbot, window, "Count slowly")
    qtbot.waitUntil(
        lambda: _last_turn(window) is not None and _last_turn(window).answer.length > 20,
        timeout=10_000,
    )
    state = _last_turn(window)
    assert window.actions_.stop.isEnabled()
    qtbot.keyClick(window.composer.edit, Qt.Key.Key_Escape)
    assert (
        state.stopped and state.turn.status is TurnStatus.INTERRUPTED
    )  # at once, not after the worker
    shown = state.answer.length
    widget = window.conversation.widget_for(state.id)
    assert "Stopped" in widget.status_label.text()
    assert widget.retry_button.isVisibleTo(window)
    assert window.composer.send_button.isVisibleTo(window)
    qtbot.waitUntil(lambda: not window.runner.busy, timeout=10_000)
    assert state.answer.length == shown  # events after the stop were dropped
    stored = store.get_turn(state.id)
    assert stored.status is TurnStatus.INTERRUPTED
    assert stored.answer.startswith("word0 word1")
    assert "word399" not in stored.answer


def test_a_failed_turn_says_so_and_retry_replaces_it(qtbot, window, replay, store):
    from tests.support.replay import Reply

    replay.add(
        CHAT_PATH,
        Reply.json(
            400,
            {"error": {"message": "model 'nope' is not loaded", "type": "invalid_request_error"}},
        ),
    )
    replay.add(CHAT_PATH, stream_reply(simple_stream("retrying", "Second time lucky.")))
    use_replay(window, replay)
    send(qtbot, window, "Try me")
    qtbot.waitUntil(
        lambda: _last_turn(window) is not None and not window.runner.busy, timeout=10_000
    )
    failed = _last_turn(window)
    widget = window.conversation.widget_for(failed.id)
    qtbot.waitUntil(lambda: failed.turn.status is TurnStatus.ERROR)
    # The card is redrawn at the window's paced rate: the button may show a frame later.
    qtbot.waitUntil(lambda: widget.retry_button.isVisibleTo(window))
    assert widget.status_label.text().startswith("Failed:")
    assert "not loaded" in widget.status_label.text()

    qtbot.mouseClick(widget.retry_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: _last_turn(window) is not failed and not window.runner.busy, timeout=10_000
    )
    retried = _last_turn(window)
    qtbot.waitUntil(lambda: retried.turn.status is TurnStatus.COMPLETE)
    assert [s.id for s in window.conversation.states()] == [retried.id]  # the retry replaced it
    view = window.conversation.widget_for(retried.id).answer_view
    qtbot.waitUntil(lambda: "Second time lucky." in view.toPlainText())  # rendered on a thread
    assert retried.turn.parent_id is None
    assert [t.id for t in store.branch(retried.turn.conversation_id)] == [retried.id]


def test_the_system_prompt_of_a_new_conversation_is_sent_and_kept(qtbot, window, replay, store):
    replay.always(CHAT_PATH, stream_reply(simple_stream("ok", "Ahoy.")))
    use_replay(window, replay)
    window.conversations.set_system_prompt("Answer like a pirate.")
    assert window.composer.system_button.text() == "System prompt ✓"
    send(qtbot, window, "Hello")
    qtbot.waitUntil(
        lambda: window.current_id is not None and not window.runner.busy, timeout=10_000
    )
    messages = replay.requests_to(CHAT_PATH)[0].json["messages"]
    assert messages[0] == {"role": "system", "content": "Answer like a pirate."}
    assert store.get_conversation(window.current_id).system == "Answer like a pirate."

    send(qtbot, window, "Again")  # the conversation keeps it
    qtbot.waitUntil(
        lambda: len(replay.requests_to(CHAT_PATH)) == 2 and not window.runner.busy, timeout=10_000
    )
    assert (
        replay.requests_to(CHAT_PATH)[1].json["messages"][0]["content"] == "Answer like a pirate."
    )


def test_a_silent_stream_says_so_live_then_ends_after_the_idle_timeout(
    qtbot, window, replay, monkeypatch
):
    from client.core.events import TurnStatus
    from client.ui.conversation import describe
    from tests.support.chat import chunk
    from tests.support.replay import Reply, sse

    monkeypatch.setattr(describe, "SILENT_AFTER_S", 1.0)  # 15 s in use; a test waits less
    window.prefs.set("turns.idle_timeout_s", 3)
    window.settings._apply_idle_timeout()  # what saving Settings does
    replay.add(CHAT_PATH, Reply(chunks=sse(chunk(reasoning="Thinking about 17 × 23")), hang_s=30))
    use_replay(window, replay)
    send(qtbot, window, "17 × 23?")
    qtbot.waitUntil(lambda: bool(window.conversation.states()), timeout=10_000)
    state = window.conversation.states()[-1]
    widget = window.conversation.widget_for(state.id)
    qtbot.waitUntil(lambda: widget.status_label.text().startswith("No data for"), timeout=10_000)
    assert state.streaming and widget.status_label.isVisible()
    assert window.actions_.stop.isEnabled()  # Stop is at hand
    qtbot.waitUntil(lambda: not window.runner.busy, timeout=15_000)
    assert state.turn.status is TurnStatus.INTERRUPTED
    assert "No data from" in widget.status_label.text() and "for 3 s" in widget.status_label.text()
    assert "Thinking about 17 × 23" in state.reasoning.text()  # what arrived is kept


def test_a_growing_answer_is_painted_at_its_full_height(qtbot, window, replay):
    """Each write to the streaming answer settles the layouts it changes before the next paint:
    no frame shows new text cut off by its turn's old frame, or the conversation not yet
    scrolled down to it (then a second frame, grown and scrolled)."""
    from PySide6.QtCore import QEvent, QObject, QPoint
    from PySide6.QtWidgets import QScrollArea

    events = [chunk(reasoning="Thinking. ")]
    events += [chunk(content=f"Paragraph {i} has a few words in it.\n\n") for i in range(60)]
    events += [chunk(finish="stop"), usage_chunk(10, 600)]
    replay.add(CHAT_PATH, stream_reply(events, delay_s=0.02))
    use_replay(window, replay)
    send(qtbot, window, "Write many paragraphs")
    qtbot.waitUntil(lambda: _last_turn(window) is not None, timeout=10_000)
    turn = window.conversation.widget_for(_last_turn(window).id)
    view = turn.answer_view
    scroller = turn.parentWidget()
    while not isinstance(scroller, QScrollArea):
        scroller = scroller.parentWidget()
    bar = scroller.verticalScrollBar()
    paints: list[tuple[int, int, int, int]] = []  # answer bottom, turn height, scroll, its end

    class Watch(QObject):
        def eventFilter(self, _obj, event):  # noqa: N802 - Qt's name
            if event.type() == QEvent.Type.Paint:
                bottom = view.mapTo(turn, QPoint(0, view.height())).y()
                paints.append((bottom, turn.height(), bar.value(), bar.maximum()))
            return False

    watch = Watch(view)
    view.viewport().installEventFilter(watch)
    qtbot.waitUntil(lambda: not window.runner.busy, timeout=15_000)
    qtbot.wait(50)
    view.viewport().removeEventFilter(watch)
    assert len(paints) > 10
    cut = [p for p in paints if p[0] > p[1] or p[2] != p[3]]
    assert not cut, f"{len(cut)} of {len(paints)} paints cut the answer short: {cut[:3]}"


def test_a_fast_stream_wakes_the_window_once_per_update_not_once_per_read(
    qtbot, window, replay, monkeypatch
):
    """The worker wakes the GUI thread only when its outbox was empty, and the window empties it
    at its next update: so however many reads a stream takes, the window is woken about as often
    as it updates (about 30 times a second), and every word still arrives."""
    from client.ui.turns.runner import TurnRunner

    wakes, updates = [], []
    woken = TurnRunner._on_task_events_ready

    def counted(self, turn_id):  # type: ignore[no-untyped-def]
        wakes.append(turn_id)
        woken(self, turn_id)

    monkeypatch.setattr(TurnRunner, "_on_task_events_ready", counted)
    window.runner.sig_turns_updated.connect(updates.append)
    words = [f"word{i} " for i in range(600)]
    events = [chunk(reasoning="Thinking. ")] + [chunk(content=w) for w in words]
    events += [chunk(finish="stop"), usage_chunk(10, 600)]
    replay.add(CHAT_PATH, stream_reply(events, delay_s=0.002))  # a read every 2 ms or so
    use_replay(window, replay)
    send(qtbot, window, "Many words")
    qtbot.waitUntil(lambda: _last_turn(window) is not None, timeout=10_000)
    qtbot.waitUntil(lambda: not window.runner.busy, timeout=15_000)
    state = _last_turn(window)
    assert state.answer.text() == "".join(words)
    assert len(updates) < 200  # throttled: the stream took over a second
    assert len(wakes) <= len(updates) + 1, f"{len(wakes)} wakes for {len(updates)} updates"
