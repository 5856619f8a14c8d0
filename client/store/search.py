"""Full-text search over prompts, answers and reasoning (FTS5), for Ctrl+K and `thinkpane search`.

What the user typed is read by client.store.search_query (prefixes, "phrases", -exclusions, OR;
everything else is text, never FTS5 syntax). Words go to the word index (`turns_fts`, unicode61:
case and accents do not matter); terms in scripts written without spaces go to the substring
index (`turns_trigram`, client.store.scripts), where 1 or 2 characters, too short for trigrams,
are found by reading that index's own text, which holds only those scripts.

Each result names its turn: the turn's own prompt, its version among its siblings ("version 2 of
3"), its conversation's title, the date, and the part that matched best (prompt, answer or
reasoning) with a snippet marking matches `[like this]`. Most relevant first (bm25), where turns
with all the words as one exact phrase come before the rest, or newest first.

Filters narrow the matches without changing their order: one conversation (find in the
conversation), a provider, a model (as asked for or as the provider reported it), a range of UTC
dates or instants, and whether the auditor found something.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

from client.store import audits, snippets
from client.store.search_query import Query, Term, parse

# The FTS columns, in order, by the names results use ("reasoning" is the reasoning_text column).
FIELDS = ("prompt", "answer", "reasoning")
_COLUMNS = ("prompt", "answer", "reasoning_text")

Order = Literal["relevance", "newest"]
ORDERS: tuple[Order, ...] = ("relevance", "newest")

_TRIGRAM = 3  # the substring index finds runs of at least this many characters
# Ranking by bm25 reads every occurrence of every word in every matching turn (and, for a
# phrase, checks every turn that has its words): for a word in nearly every turn of a long
# history that is most of the index, tens of milliseconds per keystroke. A query that matches
# at least this many turns tells them apart by nothing a person could see, so its matches come
# newest first (by the order they were stored); fewer matches are ranked by bm25.
RANKED_MATCHES = 500


def match_expression(text: str) -> str | None:
    """The FTS5 expression for the word index, or None when there is nothing to look for."""
    query = parse(text)
    return None if query.empty else query.fts()


def _brackets(snippet: str) -> str:
    return snippet.replace(snippets.OPEN, "[").replace(snippets.CLOSE, "]")


def _instant(moment: date, *, end_of_day: bool) -> str:
    """A bound comparable with the stored `created_at` text (ISO 8601 UTC with a Z).

    A date means the whole UTC day: `since` from its first instant, `until` to its last. A naive
    datetime is taken as UTC.
    """
    if isinstance(moment, datetime):
        if moment.tzinfo is not None:
            moment = moment.astimezone(UTC).replace(tzinfo=None)
        return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if end_of_day:
        return (moment + timedelta(days=1)).isoformat()  # compared with <, so the day is in
    return moment.isoformat()  # "2026-11-27" sorts before every instant of that day


def filter_clause(
    *,
    conversation_id: str | None = None,
    provider: str | None = None,
    model: str | None = None,
    since: date | None = None,
    until: date | None = None,
) -> tuple[str, list[Any]]:
    """SQL conditions on the turn `t` (each starting with AND) and their parameters."""
    conditions: list[str] = []
    values: list[Any] = []
    if conversation_id is not None:
        conditions.append("t.conversation_id = ?")
        values.append(conversation_id)
    if provider is not None:
        conditions.append("t.provider = ?")
        values.append(provider)
    if model is not None:
        conditions.append("(t.model = ? OR t.model_reported = ?)")
        values += [model, model]
    if since is not None:
        conditions.append("t.created_at >= ?")
        values.append(_instant(since, end_of_day=False))
    if until is not None:
        conditions.append(
            "t.created_at <= ?" if isinstance(until, datetime) else "t.created_at < ?"
        )
        values.append(_instant(until, end_of_day=True))
    return "".join(f" AND {c}" for c in conditions), values


def search(
    conn: sqlite3.Connection,
    query: str,
    limit: int = 20,
    *,
    order: Order = "relevance",
    conversation_id: str | None = None,
    provider: str | None = None,
    model: str | None = None,
    since: date | None = None,
    until: date | None = None,
    has_findings: bool | None = None,
) -> list[dict[str, Any]]:
    """The matching turns, as results: conversation_id, turn_id, field (the part that matched
    best), snippet, created_at, and the turn's own prompt, its `version` of `versions`, the
    conversation's title, `exact_phrase` and `ranked` (placed by relevance).

    By relevance: turns with all the words as one exact phrase first (newest stored first),
    then by bm25 (newer first among equals), or, when RANKED_MATCHES turns or more match, the
    newest stored first (`ranked` false). Or newest first by date. Deleted conversations and
    critic turns (whose prompts quote the audited reasoning) are skipped.

    Every filter left as None filters nothing; `since` and `until` are inclusive; `has_findings`
    keeps turns whose stored audit summary has errors or warnings (True) or none (False).
    """
    parsed = parse(query)
    if parsed.empty or limit <= 0:
        return []
    if order not in ORDERS:
        raise ValueError(f"order must be one of {ORDERS}, not {order!r}")
    where, values = filter_clause(
        conversation_id=conversation_id, provider=provider, model=model, since=since, until=until
    )
    scope = _Scope(where + audits.condition(has_findings), values)
    if parsed.unspaced:
        page = _substring_page(conn, parsed, scope, limit, order)
    else:
        page = _word_page(conn, parsed, scope, limit, order)
    phrase = parsed.phrase() if order == "newest" else None
    return _describe(conn, page, [t for group in parsed.groups for t in group], phrase)


@dataclass
class _Page:
    """The turns of a page of results, in order; those with the exact phrase; those placed by
    relevance (the others are newest first)."""

    seqs: list[int]
    exact: set[int] = field(default_factory=set)
    ranked: set[int] = field(default_factory=set)


@dataclass(frozen=True)
class _Scope:
    """The filters as SQL conditions on the turn `t` (each starting with AND) and their values."""

    where: str
    values: list[Any]

    def sql(self) -> str:
        return f"c.deleted_at IS NULL AND t.purpose = 'chat'{self.where}"


# The index drives these queries (CROSS JOIN keeps it the outer loop): for a rare word,
# walking the turns by date and asking the index about each one would read them all.
_MATCHES = """
    FROM turns_fts
    CROSS JOIN turns AS t ON t.seq = turns_fts.rowid
    CROSS JOIN conversations AS c ON c.id = t.conversation_id
    WHERE turns_fts MATCH ? AND {scope}
"""


def _ranked(
    conn: sqlite3.Connection,
    expression: str,
    scope: _Scope,
    limit: int,
    order: Order | Literal["stored"],
) -> tuple[list[int], bool]:
    """The turns (seq) the word-index expression matches, at most `limit`: by relevance, by
    date, or as stored (the newest stored first: the cheapest, read straight off the index).
    And whether they are in order of relevance (not when so many match: see RANKED_MATCHES)."""
    if limit <= 0:
        return [], order == "relevance"
    matches = _MATCHES.format(scope=scope.sql())
    if order == "stored":
        rows = conn.execute(
            f"SELECT t.seq {matches} ORDER BY turns_fts.rowid DESC LIMIT ?",
            (expression, *scope.values, limit),
        ).fetchall()
        return [row[0] for row in rows], False
    if order == "newest":
        # Walk the turns newest first and stop at the limit, checking each against the set of
        # matches (read once, without positions): joining every match to its turn to sort them
        # by date reads a page of every matching turn.
        rows = conn.execute(
            f"""
            SELECT t.seq FROM turns AS t INDEXED BY turns_by_created
            JOIN conversations AS c ON c.id = t.conversation_id
            WHERE t.seq IN (SELECT rowid FROM turns_fts WHERE turns_fts MATCH ?)
              AND {scope.sql()}
            ORDER BY t.created_at DESC, t.seq DESC LIMIT ?
            """,
            (expression, *scope.values, limit),
        ).fetchall()
        return [row[0] for row in rows], False
    common = conn.execute(
        f"SELECT t.seq {matches} ORDER BY turns_fts.rowid DESC LIMIT 1 OFFSET ?",
        (expression, *scope.values, RANKED_MATCHES - 1),
    ).fetchone()
    if common is not None:
        # So many turns match that ranking would read most of the index for nothing a person
        # could see: the newest stored come first.
        rows = conn.execute(
            f"SELECT t.seq {matches} ORDER BY turns_fts.rowid DESC LIMIT ?",
            (expression, *scope.values, limit),
        ).fetchall()
    else:
        rows = conn.execute(
            f"""
            SELECT t.seq, bm25(turns_fts) AS score {matches}
            ORDER BY score, t.created_at DESC, t.seq DESC LIMIT ?
            """,
            (expression, *scope.values, limit),
        ).fetchall()
    return [row[0] for row in rows], common is None


def _word_page(
    conn: sqlite3.Connection, query: Query, scope: _Scope, limit: int, order: Order
) -> _Page:
    """A page of turns for a query in the word index.

    By relevance, turns with every word as one phrase come first (the newest stored first),
    then the rest by bm25; newest first, the phrase is read from the page's texts.
    """
    phrase = query.phrase()
    if phrase is None or order == "newest":
        seqs, by_relevance = _ranked(conn, query.fts(), scope, limit, order)
        return _Page(seqs, ranked=set(seqs) if by_relevance else set())
    # The exact phrase, newest stored first: ranking it by bm25 would check the phrase in every
    # turn that has its words twice more (for its weight, then for the cut-off), and when its
    # words are common that is most of the index.
    exact_query = Query(((phrase,),), query.excluded)
    first, _ = _ranked(conn, exact_query.fts(), scope, limit, "stored")
    if len(first) == limit:
        return _Page(first, exact=set(first))
    # Every turn with the phrase is in `first`: the rest are the other matches. (Leaving them
    # out by number, not by a NOT in the expression, spares bm25 a pass over the phrase.)
    listed = ",".join(str(seq) for seq in first)
    rest = _Scope(f"{scope.where} AND t.seq NOT IN ({listed})", scope.values) if first else scope
    others, by_relevance = _ranked(conn, query.fts(), rest, limit - len(first), order)
    return _Page(first + others, exact=set(first), ranked=set(others) if by_relevance else set())


# Queries with terms in the substring index: each term is looked up on its own (its index, or
# a read of the substring index's text for 1–2 characters), and the sets are combined here.
# Such queries are rarer, and their terms match fewer turns than common English words do.


def _term_scores(conn: sqlite3.Connection, term: Term) -> dict[int, float]:
    """The turns one term matches, with its bm25 score (lower is better; 0 for a plain read)."""
    if not term.unspaced:
        sql = "SELECT rowid, bm25(turns_fts) FROM turns_fts WHERE turns_fts MATCH ?"
        return dict(conn.execute(sql, (term.fts(),)).fetchall())
    if len(term.text) >= _TRIGRAM:
        sql = "SELECT rowid, bm25(turns_trigram) FROM turns_trigram WHERE turns_trigram MATCH ?"
        return dict(conn.execute(sql, (term.fts(),)).fetchall())
    found = " OR ".join(f"instr(lower({column}), lower(:text)) > 0" for column in _COLUMNS)
    rows = conn.execute(
        f"SELECT rowid, 0.0 FROM turns_trigram WHERE {found}", {"text": term.text}
    ).fetchall()
    return dict(rows)


def _substring_page(
    conn: sqlite3.Connection, query: Query, scope: _Scope, limit: int, order: Order
) -> _Page:
    scores: dict[int, float] | None = None
    for group in query.groups:
        either: dict[int, float] = {}
        for term in group:
            for seq, score in _term_scores(conn, term).items():
                either[seq] = min(score, either.get(seq, score))
        scores = (
            either
            if scores is None
            else {seq: scores[seq] + score for seq, score in either.items() if seq in scores}
        )
    assert scores is not None  # a query that is not empty has a group
    for term in query.excluded:
        for seq in _term_scores(conn, term):
            scores.pop(seq, None)
    if not scores:
        return _Page([])
    rows = conn.execute(
        f"""
        SELECT t.seq, t.created_at FROM turns AS t
        JOIN conversations AS c ON c.id = t.conversation_id
        WHERE t.seq IN (SELECT value FROM json_each(?)) AND {scope.sql()}
        """,
        (json.dumps(list(scores)), *scope.values),
    ).fetchall()
    newest = sorted(rows, key=lambda row: (row[1], row[0]), reverse=True)
    if order == "newest":
        return _Page([row[0] for row in newest[:limit]])
    newest.sort(key=lambda row: scores[row[0]])  # stable: newer first among equals
    seqs = [row[0] for row in newest[:limit]]
    return _Page(seqs, ranked=set(seqs))


# What every result says about its turn.

_DESCRIBE = """
    SELECT t.seq, t.id, t.conversation_id, t.created_at, t.prompt, t.answer, t.reasoning_text,
        c.title,
        (SELECT count(*) FROM turns AS s
         WHERE s.conversation_id = t.conversation_id AND s.parent_id IS t.parent_id
           AND s.purpose = t.purpose
           AND (s.created_at < t.created_at OR (s.created_at = t.created_at AND s.seq <= t.seq))
        ) AS version,
        (SELECT count(*) FROM turns AS s
         WHERE s.conversation_id = t.conversation_id AND s.parent_id IS t.parent_id
           AND s.purpose = t.purpose
        ) AS versions
    FROM turns AS t JOIN conversations AS c ON c.id = t.conversation_id
    WHERE t.seq IN (SELECT value FROM json_each(?))
"""


def _describe(
    conn: sqlite3.Connection, page: _Page, terms: list[Term], phrase: Term | None = None
) -> list[dict[str, Any]]:
    """The results for the page's turns, in the page's order. `phrase`: a phrase to look for in
    the texts of turns not known to have it."""
    if not page.seqs:
        return []
    exact = set(page.exact)
    rows = {row["seq"]: row for row in conn.execute(_DESCRIBE, (json.dumps(page.seqs),))}
    found_by = snippets.finders(terms)
    phrase_finder = snippets.Finder(phrase) if phrase is not None else None
    results: list[dict[str, Any]] = []
    for seq in page.seqs:
        row = rows[seq]
        texts = [row["prompt"] or "", row["answer"] or "", row["reasoning_text"] or ""]
        part, snippet = snippets.best_part(texts, found_by)
        if phrase_finder is not None and phrase_finder.anywhere(texts):
            exact.add(seq)
        results.append(
            {
                "conversation_id": row["conversation_id"],
                "turn_id": row["id"],
                "field": FIELDS[part],
                "snippet": _brackets(snippet),
                "created_at": row["created_at"],
                "prompt": row["prompt"],
                "version": row["version"],
                "versions": row["versions"],
                "title": row["title"],
                "exact_phrase": seq in exact,
                "ranked": seq in page.ranked,
            }
        )
    return results
