"""Full-text search over prompts, answers and reasoning (FTS5), for Ctrl+K and `thinkpane search`.

The user types words, not FTS5 syntax: each word is quoted as a phrase, so `c++`, `"`, `AND`
or `foo:bar` search for themselves and can never raise a syntax error. Matches are highlighted
`[like this]` in a short snippet of the field that matched best.
"""

from __future__ import annotations

import sqlite3
from typing import Any

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


def search(conn: sqlite3.Connection, query: str, limit: int = 20) -> list[dict[str, Any]]:
    """The most relevant turns first (bm25), newer first among equals; deleted conversations skipped."""
    expression = match_expression(query)
    if expression is None or limit <= 0:
        return []
    snippet_columns = ", ".join(
        f"snippet(turns_fts, {i}, char(2), char(3), '…', {_SNIPPET_TOKENS}) AS s{i}"
        for i in range(len(FIELDS))
    )
    rows = conn.execute(
        f"""
        SELECT t.id, t.conversation_id, t.created_at, {snippet_columns}
        FROM turns_fts
        JOIN turns AS t ON t.seq = turns_fts.rowid
        JOIN conversations AS c ON c.id = t.conversation_id
        WHERE turns_fts MATCH ? AND c.deleted_at IS NULL
        ORDER BY bm25(turns_fts), t.created_at DESC
        LIMIT ?
        """,
        (expression, limit),
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
