"""Conversations: several streaming at once, switching, deleting with undo, renaming, and a
window that reopens where it was left and keeps what arrived when closed mid-stream."""

from __future__ import annotations

from PySide6.QtCore import Qt

from client.core.events import TurnStatus
from tests.support.chat import chunk, simple_stream, usage_chunk
from tests.ui.conftest import CHAT_PATH, send, stream_reply, use_replay


def _words_reply(prefix: str, count: int, delay: float = 0.0):
    events = [chunk(reasoning=f"{prefix} reasoning. ")]
    events += [chunk(content=f"{prefix}{i} ") for i in range(count)]
    events += [chunk(finish="stop"), usage_chunk(5, count)]
    return stream_reply(events, delay_s=delay)


def _expected(prefix: str, count: int) -> str:
    return "".join(f"{prefix}{i} " for i in range(count))


def _turns(window):
    return window.conversation.states()


def test_tokens_land_in_their_own_turn_while_switching_conversations(qtbot, window, replay, store):
    replay.add(CHAT_PATH, _words_reply("alpha", 150, delay=0.01), _words_reply("beta", 40))
    use_replay(window, replay)
    send(qtbot, window, "First conversation")
    qtbot.waitUntil(
        lambda: bool(_turns(window)) and _turns(window)[-1].answer.length > 10, timeout=10_000
    )
    alpha = _turns(window)[-1]
    first_conversation = window.current_id
    assert alpha.streaming

    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert window.current_id is None and _turns(window) == []
    assert window.composer.send_button.isVisibleTo(window)  # the new conversation is not busy
    send(qtbot, window, "Second conversation")
    qtbot.waitUntil(
        lambda: (
            bool(_turns(window))
            and _turns(window)[-1] is not alpha
            and _turns(window)[-1].turn.status is TurnStatus.COMPLETE
        ),
        timeout=10_000,
    )
    beta = _turns(window)[-1]
    assert beta.turn.conversation_id != first_conversation
    assert beta.answer.text() == _expected("beta", 40)
    assert "beta" not in alpha.answer.text()
    assert window.inspector.text().strip() == "beta reasoning."

    qtbot.waitUntil(lambda: not window.runner.busy, timeout=15_000)
    assert alpha.answer.text() == _expected("alpha", 150)
    assert store.get_turn(alpha.id).answer == _expected("alpha", 150)
    assert store.get_turn(beta.id).answer == _expected("beta", 40)

    window.conversations.open_conversation(first_conversation)
    qtbot.waitUntil(
        lambda: window.conversation.conversation_id == first_conversation and bool(_turns(window))
    )
    widget = window.conversation.widget_for(alpha.id)
    assert "alpha149" in widget.answer_view.toPlainText()
    assert "beta" not in widget.answer_view.toPlainText()


def test_delete_offers_undo_and_rename_is_stored(qtbot, window, replay, store):
    replay.always(CHAT_PATH, stream_reply(simple_stream("hm", "ok")))
    use_replay(window, replay)
    send(qtbot, window, "Keep me")
    qtbot.waitUntil(
        lambda: window.sidebar.list.count() == 1 and not window.runner.busy, timeout=10_000
    )
    conversation_id = window.current_id

    window.conversations._on_sidebar_rename_requested(conversation_id, "Renamed")
    qtbot.waitUntil(lambda: store.get_conversation(conversation_id).title == "Renamed")

    window.conversations.delete_conversation(conversation_id)
    qtbot.waitUntil(lambda: window.sidebar.list.count() == 0)
    assert window.sidebar.undo_bar.isVisibleTo(window)
    assert "Renamed" in window.sidebar.undo_label.text()
    assert store.list_conversations() == []
    assert window.current_id is None

    qtbot.mouseClick(window.sidebar.undo_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: window.sidebar.list.count() == 1 and window.current_id == conversation_id
    )
    qtbot.waitUntil(lambda: len(_turns(window)) == 1)
    assert [c.id for c in store.list_conversations()] == [conversation_id]


def test_closing_mid_stream_stops_and_saves_what_arrived(qtbot, window, replay, store):
    replay.add(CHAT_PATH, _words_reply("slow", 400, delay=0.02))
    use_replay(window, replay)
    send(qtbot, window, "Take your time")
    qtbot.waitUntil(
        lambda: bool(_turns(window)) and _turns(window)[-1].answer.length > 30, timeout=10_000
    )
    turn_id = _turns(window)[-1].id
    window.close()  # returns once the worker has stored the turn
    stored = store.get_turn(turn_id)
    assert stored.status is TurnStatus.INTERRUPTED
    assert stored.answer.startswith("slow0 slow1")
    assert "slow399" not in stored.answer
    assert stored.reasoning.text == "slow reasoning."


def test_window_reopens_where_it_was_left(qtbot, make_window, replay, store):
    first = make_window()
    replay.always(CHAT_PATH, stream_reply(simple_stream("r", "a")))
    use_replay(first, replay)
    send(qtbot, first, "Remember me")
    qtbot.waitUntil(lambda: first.current_id is not None and not first.runner.busy, timeout=10_000)
    remembered = first.current_id
    first.conversations.new_conversation()
    first.conversations.open_conversation(remembered)
    first.resize(790, 520)
    size = first.size()
    first.splitter.setSizes([120, 380, 200])
    sizes = first.splitter.sizes()
    first.close()

    second = make_window()
    qtbot.waitUntil(lambda: second.current_id == remembered and bool(second.conversation.states()))
    assert second.size() == size
    assert second.splitter.sizes() == sizes
    assert second.composer.choice is not None and second.composer.choice.model == "qwen3"


def test_an_empty_list_says_how_to_start_and_the_filter_narrows_it(qtbot, window, store):
    from client.ui.history.sidebar import EMPTY

    sidebar = window.sidebar
    window.conversations.refresh_conversations()
    qtbot.waitUntil(lambda: sidebar.empty_label.isVisibleTo(window))
    assert sidebar.empty_label.text() == EMPTY
    for title in ("Primes below 100", "Trip to Lisbon", "More primes"):
        store.create_conversation(title)
    window.conversations.refresh_conversations()
    qtbot.waitUntil(lambda: sidebar.list.count() == 3)
    assert not sidebar.empty_label.isVisibleTo(window)

    def shown() -> list[str]:
        items = [sidebar.list.item(r) for r in range(sidebar.list.count())]
        return sorted(i.text() for i in items if not i.isHidden())

    qtbot.keyClicks(sidebar.filter_edit, "PRIMES")
    assert shown() == ["More primes", "Primes below 100"]
    sidebar.filter_edit.setText("primes 100")
    assert shown() == ["Primes below 100"]
    sidebar.filter_edit.setText("Paris")
    assert shown() == [] and sidebar.empty_label.isVisibleTo(window)
    assert "Paris" in sidebar.empty_label.text()
    sidebar.filter_edit.clear()
    assert len(shown()) == 3
    assert sidebar.filter_edit.accessibleName()
