"""Reading what the user typed in a search box: prefixes, phrases, exclusions, OR, and any other
text taken as text. The FTS5 it makes is checked against a real FTS5 table: it never fails."""

from __future__ import annotations

import sqlite3
import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from client.store.scripts import unspaced_runs
from client.store.search_query import Query, Term, parse, words_of


def _groups(text: str) -> list[list[tuple[str, bool]]]:
    return [[(term.text, term.prefix) for term in group] for group in parse(text).groups]


def _excluded(text: str) -> list[str]:
    return [term.text for term in parse(text).excluded]


def test_words_must_all_appear_and_the_last_one_is_still_being_typed():
    assert _groups("Nuwenhej zor") == [[("Nuwenhej", False)], [("zor", True)]]
    # A space after it: the word is finished.
    assert _groups("Nuwenhej zor ") == [[("Nuwenhej", False)], [("zor", False)]]
    # One letter is too little to mean a word being typed.
    assert _groups("prime n") == [[("prime", False)], [("n", False)]]
    assert _groups("zor* fam*") == [[("zor", True)], [("fam", True)]]


def test_phrases_exclusions_and_or():
    assert _groups('"naïve café" estimate') == [[("naïve café", False)], [("estimate", True)]]
    assert _groups('"naïve ca"* x') == [[("naïve ca", True)], [("x", False)]]
    assert _groups("cat OR dog bird") == [[("cat", False), ("dog", False)], [("bird", True)]]
    assert _groups("a OR b OR c") == [[("a", False), ("b", False), ("c", False)]]
    assert _excluded('prime -even -"odd number"') == ["even", "odd number"]
    assert _groups('prime -even -"odd number"') == [[("prime", False)]]
    # An exclusion is never a prefix by itself: "-ev" while typing leaves out "ev", not "every".
    assert parse("prime -ev").excluded == (Term(("ev",)),)


def test_or_not_between_two_terms_is_a_word_and_a_trailing_one_waits():
    assert _groups("OR") == [[("OR", False)]]
    assert _groups("OR cat") == [[("OR", False)], [("cat", True)]]
    assert _groups("cat OR") == [[("cat", False)]]  # the next word is being typed
    assert _groups("cat OR -dog") == [[("cat", False)], [("OR", False)]]
    assert _groups("cat or dog") == [[("cat", False)], [("or", False)], [("dog", True)]]


def test_fts5_syntax_is_text():
    assert _groups('NEAR(a b) AND "x') == [
        [("NEAR a", False)],
        [("b", False)],
        [("AND", False)],
        [("x", False)],
    ]
    assert _groups("prompt:estimate") == [[("prompt estimate", True)]]
    assert _groups("{answer}: ^x") == [[("answer", False)], [("x", False)]]
    assert _groups("c++ std::vector<int>") == [[("c", False)], [("std vector int", True)]]
    assert parse('- * " ( ) ^ : ""').empty
    assert parse("-only -exclusions").empty


def test_exact_phrase_is_every_word_in_order():
    assert parse("Nuwenhej zor").phrase() == Term(("Nuwenhej", "zor"), True)
    assert parse('prime "odd number" -x').phrase() == Term(("prime", "odd", "number"), False)
    assert parse("one").phrase() is None
    assert parse("cat OR dog bird").phrase() is None
    assert parse("東京 天気").phrase() is None  # the substring index matches runs anyway


def test_the_fts5_expression_quotes_every_term():
    assert parse('say "hi" AND c++').fts() == '"say" AND "hi" AND "AND" AND "c"'
    assert parse("a OR b -c zor").fts() == '(("a" OR "b") AND "zor"*) NOT ("c")'
    query = parse("cat dog")
    assert query.fts(without=query.phrase()) == '("cat" AND "dog"*) NOT ("cat dog"*)'


def test_words_split_where_the_index_splits():
    assert words_of("it's a co-op, naïve—café_bar") == (
        "it",
        "s",
        "a",
        "co",
        "op",
        "naïve",
        "café",
        "bar",
    )
    assert words_of("東京の天気は、晴れ") == ("東京の天気は", "晴れ")
    assert words_of("नमस्ते") == ("नमस्ते",)  # combining vowel signs stay in the word


def test_terms_in_scripts_without_spaces_are_marked():
    assert [t.unspaced for t in parse("天気 weather 검증").terms] == [True, False, True]
    assert Term(("天気",), True).fts() == '"天気"'  # a substring is a prefix already


def test_unspaced_runs_keeps_only_those_stretches():
    assert unspaced_runs("plain English only") == ""
    assert unspaced_runs(None) == ""
    text = "Tokyo: 東京の天気は晴れ today, then 검증 결과를 and 中文."
    assert unspaced_runs(text) == "東京の天気は晴れ\n검증 결과를\n中文."


ASCII_PUNCTUATION = list(string.punctuation)


@pytest.fixture(scope="module")
def fts5():
    conn = sqlite3.connect(":memory:")
    conn.execute(
        "CREATE VIRTUAL TABLE t USING fts5(a, tokenize='unicode61 remove_diacritics 2', prefix='2 3')"
    )
    conn.execute("INSERT INTO t VALUES ('the naïve café, c++ and std::vector<int> OR more')")
    yield conn
    conn.close()


def _runs(conn: sqlite3.Connection, query: Query) -> int:
    if query.empty:
        return 0
    expression = query.fts()
    phrase = query.phrase()
    if phrase is not None:
        conn.execute("SELECT count(*) FROM t WHERE t MATCH ?", (query.fts(without=phrase),))
    return conn.execute("SELECT count(*) FROM t WHERE t MATCH ?", (expression,)).fetchone()[0]


@pytest.mark.parametrize("p", ASCII_PUNCTUATION)
def test_every_ascii_punctuation_alone_and_inside_words_is_valid_fts5(fts5, p):
    for text in (
        p,
        p * 3,
        f"naïve{p}café",
        f"{p}naïve",
        f"naïve{p}",
        f"naïve {p} café",
        f"{p}{p}c",
    ):
        _runs(fts5, parse(text))
    assert _runs(fts5, parse(f"naïve{p}café")) == 1  # a phrase: the two words together
    assert _runs(fts5, parse(f"std{p}vector")) == 1


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40))
def test_any_text_parses_into_valid_fts5(fts5, text):
    query = parse(text)
    _runs(fts5, query)
    for term in query.terms:
        assert term.words and all(words_of(word) == (word,) for word in term.words)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.text(alphabet=string.ascii_letters + string.digits + "éßø", min_size=1, max_size=8),
        min_size=1,
        max_size=6,
    )
)
def test_plain_words_each_become_one_term_in_order(words):
    words = [w for w in words if w != "OR"]
    query = parse(" ".join(words) + " ")
    assert [term.text for term in query.terms] == words
    assert not any(term.prefix for term in query.terms)
