"""Full-text search: the field that matched, [highlights], any text the user types, kept in sync."""

from __future__ import annotations

import pytest

from client.core.conversation import ReasoningTrace
from client.core.events import TurnStatus, Visibility
from client.store.search import match_expression
from tests.store.conftest import full_turn


@pytest.fixture
def searchable(store):
    conversation = store.create_conversation()
    turns = {
        "prompt": full_turn(
            conversation.id,
            prompt="Why is the naïve café's Größe estimate off?",
            answer="Because of rounding.",
            reasoning=ReasoningTrace(Visibility.RAW, "check the numbers"),
            created_at="2026-11-27T10:00:00.000000Z",
        ),
        "answer": full_turn(
            conversation.id,
            prompt="Translate please",
            answer="日本語 の テスト: use std::vector<int> [not an array] in C++",
            reasoning=ReasoningTrace(Visibility.RAW, "the user wants Japanese"),
            created_at="2026-11-27T11:00:00.000000Z",
        ),
        "reasoning": full_turn(
            conversation.id,
            prompt="Is 97 prime?",
            answer="Yes.",
            reasoning=ReasoningTrace(
                Visibility.SUMMARY,
                "Try dividing by primes up to √97 ≈ 9.8: 2, 3, 5, 7. None divide.",
            ),
            created_at="2026-11-27T12:00:00.000000Z",
        ),
    }
    for turn in turns.values():
        store.insert_turn(turn)
    return store, conversation, turns


def _one(results):
    assert len(results) == 1, results
    return results[0]


def test_each_field_is_found_and_highlighted(searchable):
    store, conversation, turns = searchable
    hit = _one(store.search("estimate"))
    assert hit == {
        "conversation_id": conversation.id,
        "turn_id": turns["prompt"].id,
        "field": "prompt",
        "snippet": "Why is the naïve café's Größe [estimate] off?",
        "created_at": "2026-11-27T10:00:00.000000Z",
        "prompt": "Why is the naïve café's Größe estimate off?",
        "version": 1,
        "versions": 3,  # the three first turns of the conversation are versions of each other
        "title": "",
        "exact_phrase": False,
        "ranked": True,
    }
    assert _one(store.search("rounding"))["field"] == "answer"
    hit = _one(store.search("dividing primes"))
    assert (hit["turn_id"], hit["field"]) == (turns["reasoning"].id, "reasoning")
    assert "[dividing]" in hit["snippet"] and "[primes]" in hit["snippet"]


def test_non_ascii_words_match_with_or_without_accents(searchable):
    store, _, turns = searchable
    for query in ("café", "cafe", "NAIVE", "größe", "日本語", "テスト"):
        assert _one(store.search(query))["turn_id"] in {turns["prompt"].id, turns["answer"].id}, (
            query
        )
    assert _one(store.search("cafe"))["snippet"].count("[café") == 1


def test_literal_brackets_in_the_text_do_not_confuse_the_field(searchable):
    store, _, turns = searchable
    hit = _one(store.search("array"))
    assert (hit["turn_id"], hit["field"]) == (turns["answer"].id, "answer")
    assert "[not an [array]]" in hit["snippet"]


@pytest.mark.parametrize(
    "query",
    [
        "c++",
        '"',
        '""',
        "'",
        "(",
        ")",
        "*",
        "^",
        ":",
        "-",
        "+",
        "NEAR(a b)",
        "AND",
        "OR NOT",
        "prompt:estimate",
        "{answer}: x",
        "√97 ≈ 9.8",
        "std::vector<int>",
        "\x00",
        "a\x00b",
        "  ",
        "",
        "100%",
        "?!",
        "\\",
        "\u200b",
        "🙂",
    ],
)
def test_any_text_the_user_types_searches_without_raising(searchable, query):
    store, _, _ = searchable
    assert isinstance(store.search(query), list)


def test_punctuation_inside_words_still_finds_them(searchable):
    store, _, turns = searchable
    assert _one(store.search("C++"))["turn_id"] == turns["answer"].id
    assert _one(store.search("std::vector"))["turn_id"] == turns["answer"].id
    assert _one(store.search("prime?"))["turn_id"] == turns["reasoning"].id


def test_every_word_must_appear(searchable):
    store, _, _ = searchable
    assert store.search("estimate rounding")  # prompt + answer of one turn
    assert store.search("estimate japanese") == []


def test_more_relevant_first_then_newer_and_the_limit(store):
    conversation = store.create_conversation()
    weak = full_turn(
        conversation.id,
        prompt="a theorem " + "filler " * 50,
        answer="",
        created_at="2026-11-27T12:00:00.000000Z",
    )
    strong = full_turn(
        conversation.id,
        prompt="theorem theorem theorem",
        answer="",
        created_at="2026-11-27T10:00:00.000000Z",
    )
    older_twin = full_turn(
        conversation.id, prompt="lemma", created_at="2026-11-27T08:00:00.000000Z"
    )
    newer_twin = full_turn(
        conversation.id, prompt="lemma", created_at="2026-11-27T09:00:00.000000Z"
    )
    for turn in (weak, strong, older_twin, newer_twin):
        store.insert_turn(turn)
    assert [r["turn_id"] for r in store.search("theorem")] == [strong.id, weak.id]
    assert [r["turn_id"] for r in store.search("lemma")] == [newer_twin.id, older_twin.id]
    assert len(store.search("theorem", limit=1)) == 1
    assert store.search("theorem", limit=0) == []


def test_the_index_follows_checkpoints_deletes_and_purges(store):
    conversation = store.create_conversation()
    turn = full_turn(conversation.id, answer="", status=TurnStatus.STREAMING)
    store.insert_turn(turn)
    assert store.search("quaternion") == []
    turn.answer = "A quaternion has four parts."
    store.checkpoint_turn(turn)
    assert _one(store.search("quaternion"))["turn_id"] == turn.id
    turn.answer = "Rewritten."
    store.finalise_turn(turn)
    assert store.search("quaternion") == []

    store.delete_conversation(conversation.id)
    assert store.search("rewritten") == []
    store.restore_conversation(conversation.id)
    assert _one(store.search("rewritten"))["turn_id"] == turn.id
    store.delete_conversation(conversation.id)
    store.purge_deleted()
    conn = store._conn
    conn.execute("INSERT INTO turns_fts(turns_fts, rank) VALUES ('integrity-check', 1)")
    assert (
        conn.execute("SELECT count(*) FROM turns_fts WHERE turns_fts MATCH 'rewritten'").fetchone()[
            0
        ]
        == 0
    )


def test_match_expression_quotes_every_word():
    assert match_expression('say "hi" AND c++') == '"say" AND "hi" AND "AND" AND "c"'
    assert match_expression("  \t ") is None
    assert match_expression("-only") is None


def test_critic_turns_are_not_search_results(tmp_path):
    from client.core.conversation import Turn, new_id
    from client.store.store import Store

    with Store.open(tmp_path / "critic.sqlite3") as store:
        conversation = store.create_conversation("c")
        chat = Turn(
            id=new_id("t"),
            conversation_id=conversation.id,
            prompt="p",
            provider="ollama",
            model="m",
        )
        chat.reasoning.text = "the zanzibar method"
        store.insert_turn(chat)
        store.finalise_turn(chat)
        critic = Turn(
            id=new_id("t"),
            conversation_id=conversation.id,
            parent_id=chat.id,
            purpose="critic",
            prompt="[0] the zanzibar method",
            provider="ollama",
            model="m",
        )
        store.insert_turn(critic)
        store.finalise_turn(critic)
        assert [r["turn_id"] for r in store.search("zanzibar")] == [chat.id]
