"""Full-text search over prompts, answers and reasoning (FTS5), for Ctrl+K and `thinkpane search`.

The user types words, not FTS5 syntax: each word is quoted as a phrase, so `c++`, `"`, `AND`
or `foo:bar` search for themselves and can never raise a syntax error. Matches are highlighted
`[like this]` in a short snippet of the field that matched best.

Filters narrow the matches without changing their order: one conversation (find in the
conversation), a provider, a model (as asked for or as the provider reported it), and a range of
UTC dates or instants. There is no "has audit findings" filter: findings are computed when a
trace is shown and are not stored, so nothing could be filtered on; the user's own step verdicts
are stored, but they are not findings. Add the filter here when an audit table arrives.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, timedelta
from typing import Any

from client.store import audits

# The FTS columns, in order, by the names results use ("reasoning" is the reasoning_text column).
FIELDS = ("prompt", "answer", "reasoning")

# Highlight markers that prose never contains (control characters), so we can tell which field
# matched even when the text itself has brackets, then show them as the user-visible [ and ].
_OPEN, _CLOSE = "\x02", "\x03"
_SNIPPET_TOKENS = 16


def match_expression(text: str) -> str | None:
    """The FTS5 query for the user's words (all must appear), or None when there are none."""
    cleaned = "".join(ch if ch.isprintable() or ch.isspace() else " " for ch in text)
    phrases = ['"' + word.replace('"', '""') + '"' for word in cleaned.split()]
    return " ".join(phrases) if phrases else None


def _best_field(snippets: list[str]) -> int:
    """The column with the most highlighted matches (the first such on a tie)."""
    counts = [snippet.count(_OPEN) for snippet in snippets]
    return counts.index(max(counts))


def _brackets(snippet: str) -> str:
    return snippet.replace(_OPEN, "[").replace(_CLOSE, "]")


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
    conversation_id: str | None = None,
    provider: str | None = None,
    model: str | None = None,
    since: date | None = None,
    until: date | None = None,
    has_findings: bool | None = None,
) -> list[dict[str, Any]]:
    """The most relevant turns first (bm25), newer first among equals; deleted conversations and
    critic turns (whose prompts quote the audited reasoning) skipped.

    Every filter left as None filters nothing; `since` and `until` are inclusive; `has_findings`
    keeps turns whose stored audit summary has errors or warnings (True) or none (False).
    """
    expression = match_expression(query)
    if expression is None or limit <= 0:
        return []
    where, values = filter_clause(
        conversation_id=conversation_id, provider=provider, model=model, since=since, until=until
    )
    where += audits.condition(has_findings)
    snippet_columns = ", ".join(
        f"snippet(turns_fts, {i}, char(2), char(3), '…', {_SNIPPET_TOKENS}) AS s{i}"
        for i in range(len(FIELDS))
    )
    # Rank first, then make snippets for the page of results only: snippet() is the expensive
    # part, and a common word matches thousands of turns.
    rows = conn.execute(
        f"""
        WITH page AS (
            SELECT turns_fts.rowid AS seq, bm25(turns_fts) AS score, t.created_at AS created_at
            FROM turns_fts
            JOIN turns AS t ON t.seq = turns_fts.rowid
            JOIN conversations AS c ON c.id = t.conversation_id
            WHERE turns_fts MATCH ? AND c.deleted_at IS NULL AND t.purpose = 'chat'{where}
            ORDER BY score, t.created_at DESC
            LIMIT ?
        )
        SELECT t.id, t.conversation_id, t.created_at, {snippet_columns}
        FROM page
        JOIN turns_fts ON turns_fts.rowid = page.seq
        JOIN turns AS t ON t.seq = page.seq
        WHERE turns_fts MATCH ?
        ORDER BY page.score, page.created_at DESC
        """,
        (expression, *values, limit, expression),
    ).fetchall()
    results: list[dict[str, Any]] = []
    for row in rows:
        snippets = [row[f"s{i}"] or "" for i in range(len(FIELDS))]
        best = _best_field(snippets)
        results.append(
            {
                "conversation_id": row["conversation_id"],
                "turn_id": row["id"],
                "field": FIELDS[best],
                "snippet": _brackets(snippets[best]),
                "created_at": row["created_at"],
            }
        )
    return results
