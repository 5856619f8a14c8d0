"""Branches: Edit and Regenerate add a version beside a turn, nothing is overwritten, "‹ 2 / 3 ›"
steps between versions (showing each version's newest leaf below it), and the composer continues
the branch on screen."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from client.core.events import TurnStatus
from client.ui.composer.model_picker import ModelChoice
from tests.support.chat import simple_stream
from tests.ui.conftest import CHAT_PATH, send, stream_reply, use_replay


def _ids(window) -> list[str]:
    return [s.id for s in window.conversation.states()]


def _wait_done(qtbot, window, count: int | None = None) -> None:
    def done() -> bool:
        states = window.conversation.states()
        return (
            bool(states)
            and (count is None or len(states) == count)
            and not window.runner.busy
            and states[-1].turn.status is TurnStatus.COMPLETE
        )

    qtbot.waitUntil(done, timeout=10_000)


def _reply(answer: str):
    return stream_reply(simple_stream(f"thinking about {answer}", answer))


def _ask(qtbot, window, prompt: str, count: int):
    send(qtbot, window, prompt)
    qtbot.waitUntil(lambda: len(window.conversation.states()) == count, timeout=10_000)
    _wait_done(qtbot, window, count)
    return window.conversation.states()[-1]


def _edit(qtbot, window, state, text: str) -> None:
    widget = window.conversation.widget_for(state.id)
    qtbot.mouseClick(widget.edit_button, Qt.MouseButton.LeftButton)
    assert widget.editing() and widget.editor.toPlainText() == state.turn.prompt
    widget.editor.setPlainText(text)
    button = widget.findChild(QPushButton, "send_edit")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def _versions(window, turn_id: str) -> str:
    widget = window.conversation.widget_for(turn_id)
    return widget.version_label.text() if widget.version_label.isVisibleTo(widget) else ""


def _messages(replay) -> list[tuple[str, str]]:
    body = replay.requests_to(CHAT_PATH)[-1].json
    return [(m["role"], m["content"]) for m in body["messages"]]


def test_edit_sends_a_new_version_and_the_old_branch_stays(qtbot, window, replay, store):
    replay.add(CHAT_PATH, _reply("One."), _reply("Two."), _reply("Two, edited."))
    use_replay(window, replay)
    first = _ask(qtbot, window, "First question", 1)
    second = _ask(qtbot, window, "Second question", 2)

    _edit(qtbot, window, second, "Second question, said better")
    qtbot.waitUntil(lambda: _ids(window)[-1] != second.id, timeout=10_000)
    _wait_done(qtbot, window, 2)
    edited = window.conversation.states()[-1]
    assert _ids(window) == [first.id, edited.id]
    assert edited.turn.parent_id == first.id
    assert _messages(replay) == [
        ("user", "First question"),
        ("assistant", "One."),
        ("user", "Second question, said better"),
    ]
    assert [t.id for t in store.siblings(edited.id)] == [second.id, edited.id]
    kept = store.get_turn(second.id)  # the old version is untouched
    assert (kept.prompt, kept.answer) == ("Second question", "Two.")
    qtbot.waitUntil(lambda: _versions(window, edited.id) == "2 / 2")

    qtbot.mouseClick(
        window.conversation.widget_for(edited.id).previous_button, Qt.MouseButton.LeftButton
    )
    qtbot.waitUntil(lambda: _ids(window) == [first.id, second.id])
    widget = window.conversation.widget_for(second.id)
    qtbot.waitUntil(lambda: "Two." in widget.answer_view.toPlainText())
    assert _versions(window, second.id) == "1 / 2"
    assert not widget.previous_button.isEnabled() and widget.next_button.isEnabled()
    assert window.conversation.selected_state().id == second.id
    assert window.inspector.text() == "thinking about Two."

    qtbot.mouseClick(widget.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: _ids(window) == [first.id, edited.id])


def test_a_middle_version_shows_its_newest_leaf_and_the_composer_continues_it(
    qtbot, window, replay, store
):
    replay.always(CHAT_PATH, _reply("Fine."))
    use_replay(window, replay)
    first = _ask(qtbot, window, "one", 1)
    second = _ask(qtbot, window, "two", 2)
    third = _ask(qtbot, window, "three", 3)
    _edit(qtbot, window, second, "two, again")
    qtbot.waitUntil(lambda: len(_ids(window)) == 2 and _ids(window)[-1] != second.id)
    _wait_done(qtbot, window, 2)
    second_b = window.conversation.states()[-1]
    third_b = _ask(qtbot, window, "three, again", 3)
    assert _ids(window) == [first.id, second_b.id, third_b.id]

    window.conversation.select(second_b.id)
    window.history.previous_action.trigger()  # Alt+Left on the selected turn
    qtbot.waitUntil(lambda: _ids(window) == [first.id, second.id, third.id])
    assert _versions(window, second.id) == "1 / 2"

    # A prompt now continues the branch on screen, not the newest one.
    fourth = _ask(qtbot, window, "four", 4)
    assert fourth.turn.parent_id == third.id
    assert [m for m in _messages(replay) if m[0] == "user"] == [
        ("user", "one"),
        ("user", "two"),
        ("user", "three"),
        ("user", "four"),
    ]

    window.conversation.select(second.id)
    window.history.next_action.trigger()
    qtbot.waitUntil(lambda: _ids(window) == [first.id, second_b.id, third_b.id])
    assert [t.id for t in store.leaves(first.turn.conversation_id)] == [third_b.id, fourth.id]


def test_regenerate_with_another_model_adds_a_version(qtbot, window, replay, store):
    replay.add(CHAT_PATH, _reply("From qwen."), _reply("From the other."), _reply("Again."))
    use_replay(window, replay)
    asked = _ask(qtbot, window, "Which model are you?", 1)

    window.composer.set_choice(ModelChoice("openai-compatible", "other-model", replay.url + "/v1"))
    window.conversation.widget_for(asked.id).chosen_model_action.trigger()
    qtbot.waitUntil(lambda: _ids(window)[-1] != asked.id, timeout=10_000)
    _wait_done(qtbot, window, 1)
    other = window.conversation.states()[-1]
    assert other.turn.model == "other-model" and other.turn.parent_id is None
    assert replay.requests_to(CHAT_PATH)[-1].json["model"] == "other-model"
    view = window.conversation.widget_for(other.id).answer_view
    qtbot.waitUntil(lambda: "From the other." in view.toPlainText())  # rendered on a thread
    qtbot.waitUntil(lambda: _versions(window, other.id) == "2 / 2")

    # Regenerate (the button) asks again with the turn's own model.
    qtbot.mouseClick(
        window.conversation.widget_for(other.id).regenerate_button, Qt.MouseButton.LeftButton
    )
    qtbot.waitUntil(lambda: _ids(window)[-1] not in (asked.id, other.id), timeout=10_000)
    _wait_done(qtbot, window, 1)
    again = window.conversation.states()[-1]
    assert again.turn.model == "other-model"
    assert [t.model for t in store.siblings(asked.id)] == ["qwen3", "other-model", "other-model"]
    qtbot.waitUntil(lambda: _versions(window, again.id) == "3 / 3")
    assert store.get_turn(asked.id).answer == "From qwen."
