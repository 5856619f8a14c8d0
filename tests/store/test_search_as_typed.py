"""Search as people type it, against a real store: the last word as a prefix, phrases, -words,
OR, any punctuation as text, an exact phrase ranked first, Japanese, Chinese, Korean and
accented text, and results that name their turn and its version."""

from __future__ import annotations

import string
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from client.core.conversation import ReasoningTrace
from client.core.events import TurnStatus, Visibility
from tests.store.conftest import full_turn

PROMPT = "Nuwenhej zorfamabven tilquiost: is the naïve café estimate right?"


def _before_search_as_typed() -> int:
    """The schema version just before the migration that made search work as typed."""
    from client.store.schema import MIGRATIONS

    return next(i for i, m in enumerate(MIGRATIONS) if m.__name__.endswith("search_as_typed"))


BEFORE_SEARCH_AS_TYPED = _before_search_as_typed()


@pytest.fixture
def history(store):
    """One conversation: a first turn, two versions of the second, and a Japanese turn."""
    conversation = store.create_conversation("Estimates")
    first = full_turn(
        conversation.id,
        prompt=PROMPT,
        answer="Probably not; the Größe was rounded twice.",
        reasoning=ReasoningTrace(Visibility.RAW, "Check the dividing step, then the primes."),
        created_at="2026-11-01T10:00:00.000000Z",
    )
    second = full_turn(
        conversation.id,
        parent_id=first.id,
        prompt="And the second estimate?",
        answer="A theorem about odd numbers helps.",
        reasoning=ReasoningTrace(Visibility.RAW, "Odd numbers are not even."),
        created_at="2026-11-02T10:00:00.000000Z",
    )
    second_again = full_turn(
        conversation.id,
        parent_id=first.id,
        prompt="And the second estimate, once more?",
        answer="Even numbers: a lemma about quokkas.",
        reasoning=ReasoningTrace(Visibility.RAW, "Quokkas count evenly."),
        created_at="2026-11-03T10:00:00.000000Z",
    )
    japanese = full_turn(
        conversation.id,
        parent_id=second_again.id,
        prompt="東京の天気は晴れですか",
        answer="我们首先验证这个结果。검증을 마쳤습니다.",
        reasoning=ReasoningTrace(Visibility.RAW, "天気予報を確認してから答える。"),
        created_at="2026-11-04T10:00:00.000000Z",
    )
    turns = {"first": first, "second": second, "again": second_again, "japanese": japanese}
    for turn in turns.values():
        store.insert_turn(turn)
    return store, conversation, turns


def _ids(results):
    return [r["turn_id"] for r in results]


def test_the_last_word_matches_while_it_is_being_typed(history):
    store, _, turns = history
    for typed in ("Nuwenhej zor", "Nuwenhej zo", "nuwenhej ZORFAM", "zorf", "tilq"):
        assert _ids(store.search(typed)) == [turns["first"].id], typed
    # Finished words match whole words only; a starred word matches as a prefix anywhere.
    assert store.search("Nuwenhej zor ") == []
    assert _ids(store.search("zor* Nuwenhej ")) == [turns["first"].id]
    hit = store.search("Nuwenhej zor")[0]
    assert hit["snippet"].startswith("[Nuwenhej] [zorfamabven] tilquiost")
    assert hit["field"] == "prompt"


def test_every_word_of_a_turn_is_found_by_its_first_letters(history):
    store, _, turns = history
    first = turns["first"]
    for field, text in (
        ("prompt", first.prompt),
        ("answer", first.answer),
        ("reasoning", first.reasoning.text),
    ):
        for word in text.replace(";", " ").replace(",", " ").split():
            word = word.strip(".?:")
            if len(word) < 3 or word.lower() in {"the", "not", "then", "was"}:
                continue
            hits = store.search(word[:3])
            assert first.id in _ids(hits), (field, word)
            assert next(h for h in hits if h["turn_id"] == first.id)["field"] in FIELDS_WITH(
                first, word[:3]
            ), (field, word)


def FIELDS_WITH(turn, start):  # noqa: N802 - reads as a set of names
    """The parts of `turn` that have a word starting with `start` (case aside)."""
    texts = {"prompt": turn.prompt, "answer": turn.answer, "reasoning": turn.reasoning.text}
    found = set()
    for name, text in texts.items():
        for word in text.replace(";", " ").replace(",", " ").split():
            if word.strip(".?:").lower().startswith(start.lower()):
                found.add(name)
    return found


def test_quoted_phrases_need_the_words_together_in_order(history):
    store, _, turns = history
    assert _ids(store.search('"naïve café"')) == [turns["first"].id]
    assert store.search('"café naïve"') == []
    assert _ids(store.search('"odd numbers" theorem')) == [turns["second"].id]


def test_a_minus_leaves_out_turns_with_that_word(history):
    store, _, turns = history
    assert set(_ids(store.search("estimate "))) == {
        turns["first"].id,
        turns["second"].id,
        turns["again"].id,
    }
    assert set(_ids(store.search("estimate -theorem"))) == {turns["first"].id, turns["again"].id}
    assert _ids(store.search('estimate -"once more" -naïve')) == [turns["second"].id]
    assert store.search("-estimate") == []  # only leaving out: nothing to look for


def test_or_finds_either(history):
    store, _, turns = history
    assert set(_ids(store.search("quokkas OR theorem"))) == {turns["second"].id, turns["again"].id}
    assert _ids(store.search("quokkas OR theorem lemma")) == [turns["again"].id]
    assert store.search("quokkas or theorem") == []  # lower-case "or" is a word to find


@pytest.mark.parametrize("p", list(string.punctuation))
def test_every_ascii_punctuation_is_text_alone_and_inside_words(history, p):
    store, _, turns = history
    first = turns["first"].id
    assert store.search(p) == []
    assert isinstance(store.search(p * 2 + " " + p), list)
    assert first in _ids(store.search(f"naïve{p}café")), "inside a word: the words together"
    assert first in _ids(store.search(f"zorfamabven{p}"))
    if p != "-":  # a leading minus leaves the word out
        assert first in _ids(store.search(f"{p}zorfamabven"))
    assert first in _ids(store.search(f"Nuwenhej {p} zorfamabven"))


@pytest.mark.parametrize(
    "query", ["NEAR(naïve café", "naïve AND", "(café", "café)", "{prompt}: café", "café^", '"']
)
def test_fts5_syntax_typed_by_a_user_is_text(history, query):
    store, _, _ = history
    assert isinstance(store.search(query), list)


def test_an_exact_phrase_ranks_first(store):
    conversation = store.create_conversation()
    scattered = full_turn(
        conversation.id,
        prompt="proof of the theorem; " + "theorem and proof again, proof theorem " * 5,
        answer="",
        created_at="2026-11-05T10:00:00.000000Z",
    )
    exact = full_turn(
        conversation.id,
        prompt="a long prompt that mentions a theorem proof once " + "filler " * 40,
        answer="",
        created_at="2026-11-01T10:00:00.000000Z",
    )
    for turn in (scattered, exact):
        store.insert_turn(turn)
    # bm25 alone prefers the turn full of both words; the exact phrase comes first anyway.
    assert _ids(store.search("proof theorem")) == [scattered.id, exact.id]
    results = store.search("theorem proof")
    assert _ids(results) == [exact.id, scattered.id]
    assert [r["exact_phrase"] for r in results] == [True, False]
    # While the last word is still being typed, too.
    assert _ids(store.search("theorem pro")) == [exact.id, scattered.id]
    newest = store.search("theorem proof", order="newest")
    assert _ids(newest) == [scattered.id, exact.id]
    assert [r["exact_phrase"] for r in newest] == [False, True]


def test_japanese_chinese_and_korean_inside_longer_runs(history):
    store, _, turns = history
    japanese = turns["japanese"].id
    for query, field, marked in (
        ("天気", "prompt", "[天気]"),  # two characters, inside the run 東京の天気は晴れですか
        ("天", "prompt", "[天]"),
        ("晴れです", "prompt", "[晴れです]"),
        ("予報を確認", "reasoning", "[予報を確認]"),
        ("验证", "answer", "[验证]"),
        ("这个结果", "answer", "[这个结果]"),
        ("검증", "answer", "[검증]"),
    ):
        hits = store.search(query)
        assert _ids(hits) == [japanese], query
        assert hits[0]["field"] == field, query
        assert marked in hits[0]["snippet"], (query, hits[0]["snippet"])
    assert store.search("天気 -验证") == []
    assert set(_ids(store.search("天気 OR zorfamabven"))) == {japanese, turns["first"].id}
    assert store.search("天気 zorfamabven") == []
    assert store.search("曇り") == []


def test_accents_and_case_do_not_matter(history):
    store, _, turns = history
    for query in ("cafe", "CAFÉ", "naive", "NAÏVE", "größe", "GRÖSSE" * 0 + "Größe"):
        hits = store.search(query)
        assert _ids(hits) == [turns["first"].id], query
    assert "[café]" in store.search("cafe")[0]["snippet"]
    assert "[Größe]" in store.search("grö")[0]["snippet"]


def test_results_name_their_turn_its_version_and_conversation(history):
    store, conversation, turns = history
    (hit,) = store.search("quokkas")
    assert hit["turn_id"] == turns["again"].id
    assert hit["prompt"] == "And the second estimate, once more?"
    assert (hit["version"], hit["versions"]) == (2, 2)
    assert hit["title"] == "Estimates"
    assert hit["created_at"] == "2026-11-03T10:00:00.000000Z"
    assert hit["field"] == "answer"
    (hit,) = store.search("theorem")
    assert (hit["turn_id"], hit["version"], hit["versions"]) == (turns["second"].id, 1, 2)
    (hit,) = store.search("tilquiost")
    assert (hit["version"], hit["versions"]) == (1, 1)


def test_a_query_matching_very_many_turns_comes_newest_first(store, monkeypatch):
    from client.store import search

    monkeypatch.setattr(search, "RANKED_MATCHES", 3)  # instead of filling the store with 500
    conversation = store.create_conversation()
    turns = [
        full_turn(
            conversation.id,
            prompt="lemma " * (5 - i)
            + "filler",  # the oldest has the most: bm25 would put it first
            created_at=f"2026-11-0{i + 1}T10:00:00.000000Z",
        )
        for i in range(4)
    ]
    for turn in turns:
        store.insert_turn(turn)
    results = store.search("lemma ")
    assert _ids(results) == [t.id for t in reversed(turns)]
    assert not any(r["ranked"] for r in results)
    results = store.search("lemma ", limit=2, provider="nobody")
    assert results == []
    few = store.search("lemma ", since=date(2026, 11, 3))
    assert [r["ranked"] for r in few] == [True, True]  # two matches: ranked by bm25


def test_newest_first(history):
    store, _, turns = history
    assert _ids(store.search("estimate", order="newest")) == [
        turns["again"].id,
        turns["second"].id,
        turns["first"].id,
    ]
    with pytest.raises(ValueError):
        store.search("estimate", order="oldest")  # type: ignore[arg-type]


def test_the_substring_index_follows_checkpoints_and_deletes(store):
    conversation = store.create_conversation()
    turn = full_turn(conversation.id, answer="", status=TurnStatus.STREAMING)
    store.insert_turn(turn)
    assert store.search("天気予報") == []
    turn.answer = "明日の天気予報は雨です"
    store.checkpoint_turn(turn)
    assert _ids(store.search("天気予報")) == [turn.id]
    assert _ids(store.search("雨")) == [turn.id]
    turn.answer = "No Japanese any more."
    store.finalise_turn(turn)
    assert store.search("天気予報") == [] and store.search("雨") == []
    assert store._conn.execute("SELECT count(*) FROM turns_trigram").fetchone()[0] == 0
    turn.answer = "雨です"
    store.finalise_turn(turn)
    store.delete_conversation(conversation.id)
    assert store.search("雨") == []
    store.purge_deleted()
    assert store._conn.execute("SELECT count(*) FROM turns_trigram").fetchone()[0] == 0
    store._conn.execute("INSERT INTO turns_trigram(turns_trigram) VALUES ('integrity-check')")


def test_the_migration_rebuilds_the_index_of_an_existing_database_after_a_backup(thinkpane_home):
    import sqlite3

    from client.store import Store
    from client.store.db import backup_path, open_database
    from client.store.schema import MIGRATIONS, SCHEMA_VERSION

    before = BEFORE_SEARCH_AS_TYPED
    path = thinkpane_home / "before-search-as-typed.sqlite3"
    with Store(open_database(path, MIGRATIONS[:before]), path) as old:
        conversation = old.create_conversation("Old")
        turn = full_turn(
            conversation.id,
            prompt=PROMPT,
            answer="明日の天気予報は雨です。",
            reasoning=ReasoningTrace(Visibility.RAW, "검증을 마쳤습니다."),
        )
        old.insert_turn(turn)

    with Store.open(path) as store:
        conn = store._conn
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert (
            "prefix='2 3'"
            in conn.execute("SELECT sql FROM sqlite_master WHERE name = 'turns_fts'").fetchone()[0]
        )
        conn.execute("INSERT INTO turns_fts(turns_fts, rank) VALUES ('integrity-check', 1)")
        conn.execute("INSERT INTO turns_trigram(turns_trigram) VALUES ('integrity-check')")
        assert _ids(store.search("Nuwenhej zorf")) == [turn.id]
        assert _ids(store.search("天気")) == [turn.id]
        assert _ids(store.search("검증")) == [turn.id]
        assert store.search("天気予報")[0]["field"] == "answer"

    # The copy taken first is the database as it was, untouched.
    backup = sqlite3.connect(str(backup_path(path, before)))
    try:
        assert backup.execute("PRAGMA user_version").fetchone()[0] == before
        assert backup.execute("SELECT id, answer FROM turns").fetchall() == [
            (turn.id, "明日の天気予報は雨です。")
        ]
        tables = {row[0] for row in backup.execute("SELECT name FROM sqlite_master")}
        assert "turns_trigram" not in tables
    finally:
        backup.close()


@pytest.fixture(scope="module")
def filled(tmp_path_factory):
    """A real store with Latin, accented and CJK text, shared by the property test below."""
    from client.store import Store

    with Store.open(tmp_path_factory.mktemp("search") / "property.sqlite3") as store:
        conversation = store.create_conversation("Mixed")
        for i, text in enumerate(
            (
                "naïve café c++ std::vector<int>",
                "東京の天気は晴れ 검증을 验证",
                "a (b) [c] {d} \"e\" 'f'",
            )
        ):
            store.insert_turn(
                full_turn(
                    conversation.id,
                    prompt=text,
                    answer=text[::-1],
                    created_at=f"2026-11-0{i + 1}T10:00:00.000000Z",
                )
            )
        yield store


QUERY_ALPHABET = string.printable + "éüßø東京天気晴れ검증验证«»—…\u200b\x00"


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(alphabet=QUERY_ALPHABET, max_size=30), newest=st.booleans())
def test_any_text_searches_a_real_store_without_raising(filled, text, newest):
    results = filled.search(text, order="newest" if newest else "relevance")
    assert isinstance(results, list)
    for result in results:
        assert result["field"] in {"prompt", "answer", "reasoning"}


def test_an_older_database_is_known_to_need_a_migration_before_it_is_opened(thinkpane_home):
    from client.store import Store
    from client.store.db import migration_pending, open_database
    from client.store.schema import MIGRATIONS

    path = thinkpane_home / "older.sqlite3"
    assert not migration_pending(path)  # no file yet: a new database, nothing to update
    with Store(open_database(path, MIGRATIONS[:BEFORE_SEARCH_AS_TYPED]), path):
        pass
    assert migration_pending(path)
    with Store.open(path):
        pass
    assert not migration_pending(path)
    (thinkpane_home / "not-a-database.sqlite3").write_text("hello")
    assert not migration_pending(thinkpane_home / "not-a-database.sqlite3")
