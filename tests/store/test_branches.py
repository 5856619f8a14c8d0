"""Branches: the versions of a turn, where a branch leads, and writing a whole tree at once."""

from __future__ import annotations

import pytest

from client.core.conversation import Conversation, new_id
from tests.store.conftest import full_turn


def _at(minute: int) -> str:
    return f"2026-11-27T18:{minute:02d}:00.000000Z"


@pytest.fixture
def tree(store):
    """
    a ─┬─ b1 ── c1
       ├─ b2 ─┬─ c2
       │      ├─ c3        (the newest leaf)
       │      └─ critic    (a critic's review of b2, newer than c3)
       └─ b3               (created between b2 and c2)
    root2                  (another first turn: the first prompt was edited)
    """
    conversation = store.create_conversation("Branches")
    turns = {}

    def add(name, parent, minute, **changes):
        turn = full_turn(
            conversation.id,
            parent_id=turns[parent].id if parent else None,
            created_at=_at(minute),
            prompt=f"prompt {name}",
            **changes,
        )
        store.insert_turn(turn)
        turns[name] = turn

    add("a", None, 0)
    add("b1", "a", 1)
    add("c1", "b1", 2)
    add("b2", "a", 3)
    add("b3", "a", 4)
    add("c2", "b2", 5)
    add("c3", "b2", 6)
    add("critic", "b2", 7, purpose="critic")
    add("root2", None, 8)
    return store, conversation, turns


def _ids(turns):
    return [t.id for t in turns]


def test_siblings_are_the_versions_of_a_turn_oldest_first(tree):
    store, _, t = tree
    versions = [t["b1"].id, t["b2"].id, t["b3"].id]
    for name in ("b1", "b2", "b3"):
        assert _ids(store.siblings(t[name].id)) == versions
    assert _ids(store.siblings(t["c2"].id)) == [t["c2"].id, t["c3"].id]
    assert _ids(store.siblings(t["c1"].id)) == [t["c1"].id]


def test_first_turns_are_siblings_of_each_other(tree):
    store, _, t = tree
    assert _ids(store.siblings(t["a"].id)) == [t["a"].id, t["root2"].id]


def test_a_critic_turn_is_not_a_version_of_a_chat_turn(tree):
    store, _, t = tree
    assert t["critic"].id not in _ids(store.siblings(t["c3"].id))
    assert _ids(store.siblings(t["critic"].id)) == [t["critic"].id]


def test_siblings_come_back_whole(tree):
    store, _, t = tree
    assert store.siblings(t["b2"].id)[1] == t["b2"]


def test_siblings_of_a_turn_in_another_conversation_stay_apart(tree):
    store, _, t = tree
    other = store.create_conversation()
    lone = full_turn(other.id)
    store.insert_turn(lone)
    assert _ids(store.siblings(lone.id)) == [lone.id]
    assert lone.id not in _ids(store.siblings(t["a"].id))


def test_leaf_of_follows_the_newest_chat_child_down(tree):
    store, conversation, t = tree
    assert store.leaf_of(t["a"].id).id == t["b3"].id  # b3 is a's newest child, and a leaf
    assert store.leaf_of(t["b1"].id).id == t["c1"].id
    assert store.leaf_of(t["b2"].id).id == t["c3"].id  # the critic's review is not followed
    assert store.leaf_of(t["b3"].id).id == t["b3"].id
    assert store.leaf_of(t["c1"].id) == t["c1"]
    assert store.leaf_of(t["critic"].id).id == t["critic"].id
    branch = store.branch(conversation.id, store.leaf_of(t["b1"].id).id)
    assert _ids(branch) == [t["a"].id, t["b1"].id, t["c1"].id]


def test_moving_to_another_version_shows_that_versions_branch(tree):
    store, conversation, t = tree
    versions = store.siblings(t["b2"].id)
    chosen = versions[versions.index(t["b2"]) - 1]  # "‹": the previous version
    branch = store.branch(conversation.id, store.leaf_of(chosen.id).id)
    assert _ids(branch) == [t["a"].id, t["b1"].id, t["c1"].id]


def test_leaves_are_the_ends_of_every_chat_branch(tree):
    store, conversation, t = tree
    assert _ids(store.leaves(conversation.id)) == [
        t[n].id for n in ("c1", "b3", "c2", "c3", "root2")
    ]
    assert store.leaves(store.create_conversation().id) == []


def test_unknown_turns_are_a_key_error(store):
    with pytest.raises(KeyError):
        store.siblings("t_missing")
    with pytest.raises(KeyError):
        store.leaf_of("t_missing")


def test_a_long_branch_is_followed_to_its_end(store):
    conversation = store.create_conversation()
    parent = None
    for index in range(300):
        turn = full_turn(conversation.id, parent_id=parent, created_at=f"2026-11-27T{index:06d}")
        store.insert_turn(turn)
        parent = turn.id
    first = store.branch(conversation.id)[0]
    assert store.leaf_of(first.id).id == parent


# Writing a whole tree (what an import does)


def _conversation(**changes):
    values = dict(
        id=new_id("c"),
        title="Imported",
        created_at=_at(0),
        updated_at=_at(30),
        system="Be brief.",
        settings={"send_reasoning": True},
    )
    values.update(changes)
    return Conversation(**values)


def test_a_tree_is_written_whole_with_its_ids_and_timestamps(store):
    conversation = _conversation()
    a = full_turn(conversation.id, created_at=_at(1))
    b = full_turn(conversation.id, parent_id=a.id, created_at=_at(2))
    store.insert_conversation_tree(
        conversation, [a, b], {b.id: {0: ("sound", ""), 2: ("spurious", "no")}}
    )
    assert store.get_conversation(conversation.id) == conversation  # updated_at not bumped
    assert store.turns(conversation.id) == [a, b]
    assert store.verdicts(b.id) == {0: ("sound", ""), 2: ("spurious", "no")}
    assert store.search("work")[0]["conversation_id"] == conversation.id


@pytest.mark.parametrize(
    "problem", ["conversation taken", "turn taken", "child first", "twice", "stranger", "verdict"]
)
def test_a_tree_that_does_not_hold_together_writes_nothing(store, problem):
    existing = store.create_conversation()
    old = full_turn(existing.id)
    store.insert_turn(old)
    conversation = _conversation(id=existing.id if problem == "conversation taken" else new_id("c"))
    a = full_turn(conversation.id, id=old.id if problem == "turn taken" else new_id("t"))
    b = full_turn(conversation.id, parent_id=a.id)
    turns = {
        "child first": [b, a],
        "twice": [a, a],
        "stranger": [a, full_turn(existing.id)],
    }.get(problem, [a, b])
    verdicts = {"t_elsewhere": {0: ("sound", "")}} if problem == "verdict" else {}
    before = len(store.list_conversations())
    with pytest.raises(ValueError):
        store.insert_conversation_tree(conversation, turns, verdicts)
    assert len(store.list_conversations()) == before
    assert store.get_turn(b.id) is None


def test_a_failure_half_way_rolls_the_whole_tree_back(store):
    conversation = _conversation()
    a = full_turn(conversation.id)
    with pytest.raises(Exception):  # noqa: B017 - the database's own CHECK on verdicts
        store.insert_conversation_tree(conversation, [a], {a.id: {0: ("wrong", "")}})
    assert store.get_conversation(conversation.id) is None
    assert store.get_turn(a.id) is None
