"""Conversations and the turn tree: exact round trips, streaming checkpoints, crash recovery."""

from __future__ import annotations

import threading
from dataclasses import replace
from decimal import Decimal

import pytest

from client.core.conversation import ReasoningTrace, Turn, new_id
from client.core.cost import Cost, CostSource
from client.core.events import TurnStatus, Visibility
from client.core.usage import Usage
from client.store import Store
from client.store.store import INTERRUPTED_NOTE
from tests.store.conftest import an_error, full_turn


def test_every_field_of_a_turn_round_trips(store):
    conversation = store.create_conversation()
    turn = full_turn(conversation.id, error=an_error(), status=TurnStatus.ERROR)
    store.insert_turn(turn)
    assert store.get_turn(turn.id) == turn


def test_a_turn_with_every_field_unset_round_trips(store):
    conversation = store.create_conversation()
    turn = Turn(
        id=new_id("t"), conversation_id=conversation.id, prompt="", provider="ollama", model="qwen3"
    )
    store.insert_turn(turn)
    assert store.get_turn(turn.id) == turn


def test_unknown_turn_is_none(store):
    assert store.get_turn("t_missing") is None


def test_a_streaming_turn_is_checkpointed_then_finalised(store):
    conversation = store.create_conversation()
    turn = full_turn(
        conversation.id,
        status=TurnStatus.STREAMING,
        answer="",
        reasoning=ReasoningTrace(),
        usage=Usage(),
        cost=Cost.unknown(),
        stop_reason=None,
        note=None,
    )
    store.insert_turn(turn)

    turn.answer = "39"
    turn.reasoning = ReasoningTrace(Visibility.RAW, "17 × 23 = ", None, 0, [{"sig": "abc"}])
    turn.usage = Usage(input_tokens=13, output_tokens=40)
    turn.cost = Cost(CostSource.PRICES, total=Decimal("1"))  # not saved by a checkpoint
    store.checkpoint_turn(turn)
    saved = store.get_turn(turn.id)
    assert saved is not None
    assert (saved.answer, saved.reasoning, saved.usage) == (turn.answer, turn.reasoning, turn.usage)
    assert saved.status is TurnStatus.STREAMING
    assert saved.cost == Cost.unknown()

    finished = full_turn(conversation.id, id=turn.id, created_at=turn.created_at)
    store.finalise_turn(finished)
    assert store.get_turn(turn.id) == finished


def test_writing_a_turn_that_was_never_inserted_is_an_error(store):
    conversation = store.create_conversation()
    with pytest.raises(KeyError):
        store.checkpoint_turn(full_turn(conversation.id))
    with pytest.raises(KeyError):
        store.finalise_turn(full_turn(conversation.id))


def test_a_turn_needs_its_conversation_and_a_parent_in_it(store):
    with pytest.raises(KeyError):
        store.insert_turn(full_turn("c_missing"))
    first, second = store.create_conversation(), store.create_conversation()
    root = full_turn(first.id)
    store.insert_turn(root)
    with pytest.raises(KeyError):
        store.insert_turn(full_turn(second.id, parent_id=root.id))


def test_turns_left_streaming_by_a_crash_become_interrupted_on_open(thinkpane_home):
    with Store.open() as store:
        conversation = store.create_conversation()
        crashed = full_turn(conversation.id, status=TurnStatus.STREAMING, note=None)
        done = full_turn(conversation.id)
        store.insert_turn(crashed)
        store.insert_turn(done)
        crashed.answer = "what arrived before the crash"
        store.checkpoint_turn(crashed)
        # No finalise: the app "died" here.

    with Store.open() as store:
        recovered = store.get_turn(crashed.id)
        assert recovered is not None
        assert recovered.status is TurnStatus.INTERRUPTED
        assert recovered.note == INTERRUPTED_NOTE
        assert recovered.answer == "what arrived before the crash"
        assert store.get_turn(done.id) == done


def test_inserting_a_turn_moves_its_conversation_to_the_top(store):
    older = store.create_conversation("older")
    newer = store.create_conversation("newer")
    assert [c.id for c in store.list_conversations()] == [newer.id, older.id]
    store.insert_turn(full_turn(older.id))
    listed = store.list_conversations()
    assert [c.id for c in listed] == [older.id, newer.id]
    assert listed[0].updated_at > older.updated_at


def _tree(store: Store) -> tuple[str, dict[str, Turn]]:
    """root → a → (b1, b2 a regeneration) ; b1 → c ; a critic turn on b2, created last."""
    conversation = store.create_conversation()
    cid = conversation.id
    turns: dict[str, Turn] = {}
    stamps = iter(f"2026-11-27T18:00:0{i}.000000Z" for i in range(10))

    def add(name: str, parent: str | None, **kw: object) -> None:
        turn = full_turn(cid, created_at=next(stamps), prompt=name, **kw)
        turn.parent_id = turns[parent].id if parent else None
        store.insert_turn(turn)
        turns[name] = turn

    add("root", None)
    add("a", "root")
    add("b1", "a")
    add("c", "b1")
    add("b2", "a")
    add("critic", "b2", purpose="critic")
    return cid, turns


def test_the_tree_keeps_every_branch(store):
    cid, t = _tree(store)
    assert [x.prompt for x in store.turns(cid)] == ["root", "a", "b1", "c", "b2", "critic"]
    assert [x.prompt for x in store.children(t["a"].id)] == ["b1", "b2"]
    assert store.children(t["c"].id) == []
    # The newest chat turn (the critic turn is newer but is not chat) is the default leaf.
    assert [x.prompt for x in store.branch(cid)] == ["root", "a", "b2"]
    assert [x.prompt for x in store.branch(cid, t["c"].id)] == ["root", "a", "b1", "c"]
    assert [x.prompt for x in store.branch(cid, t["root"].id)] == ["root"]
    assert store.branch(cid, t["c"].id)[-1] == t["c"]


def test_branch_of_an_empty_conversation_is_empty_and_a_wrong_leaf_is_an_error(store):
    cid, t = _tree(store)
    empty = store.create_conversation()
    assert store.branch(empty.id) == []
    with pytest.raises(KeyError):
        store.branch(empty.id, t["c"].id)


def test_conversation_edits(store):
    conversation = store.create_conversation("draft", system="Be terse.", settings={"model": "m"})
    assert store.get_conversation(conversation.id) == conversation
    store.rename_conversation(conversation.id, "Ünïcödé title ✓")
    store.set_conversation_system(conversation.id, None)
    store.update_conversation_settings(conversation.id, {"send_reasoning": True})
    saved = store.get_conversation(conversation.id)
    assert saved is not None
    assert saved.title == "Ünïcödé title ✓"
    assert saved.system is None
    assert saved.settings == {"model": "m", "send_reasoning": True}
    with pytest.raises(KeyError):
        store.rename_conversation("c_missing", "x")
    with pytest.raises(KeyError):
        store.update_conversation_settings("c_missing", {})


def test_delete_is_soft_until_purged(store):
    kept = store.create_conversation("kept")
    gone = store.create_conversation("gone")
    turn = full_turn(gone.id)
    store.insert_turn(turn)
    store.set_verdict(turn.id, 0, "sound")

    store.delete_conversation(gone.id)
    assert [c.id for c in store.list_conversations()] == [kept.id]
    assert {c.id for c in store.list_conversations(include_deleted=True)} == {kept.id, gone.id}
    assert store.get_turn(turn.id) == turn  # undo is still possible

    store.restore_conversation(gone.id)
    assert {c.id for c in store.list_conversations()} == {kept.id, gone.id}

    store.delete_conversation(gone.id)
    assert store.purge_deleted() == 1
    assert store.get_conversation(gone.id) is None
    assert store.get_turn(turn.id) is None
    assert store.verdicts(turn.id) == {}
    assert store.get_conversation(kept.id) is not None


def test_writes_from_many_threads_are_serialised(store):
    conversation = store.create_conversation()
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(25):
                turn = full_turn(conversation.id, status=TurnStatus.STREAMING)
                store.insert_turn(turn)
                store.checkpoint_turn(replace(turn, answer="more"))
                store.finalise_turn(replace(turn, status=TurnStatus.COMPLETE))
                store.usage_report("model", None)
        except BaseException as exc:  # collected: a failure in a thread must fail the test
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    turns = store.turns(conversation.id)
    assert len(turns) == 200
    assert {t.status for t in turns} == {TurnStatus.COMPLETE}
