"""Stored comparisons: which turns answer which column and sample of a comparison.

A comparison runs one prompt in several columns (an effort, a model, or both), several samples
each. Every run is an ordinary turn, a sibling under the comparison's parent, counted in the
ledger like any turn. This module keeps only the grouping: the comparison (its prompt, columns
and samples) and one row per run. Reopening a conversation finds its comparisons here; resuming
a prompt set finds a comparison by its `set_key` and runs only what is missing.

The functions take the store's connection; `Store` wraps each in its lock (and, for writes, its
transaction).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from typing import Any

from client.core.conversation import Turn, utc_now
from client.store.rows import turn_from_row


@dataclass
class StoredComparison:
    """A comparison as stored. `runs[(column, sample)]` is the newest turn of that run."""

    id: str
    conversation_id: str
    parent_id: str | None
    prompt: str
    columns: list[dict[str, Any]]
    samples: int
    set_key: str | None
    created_at: str
    runs: dict[tuple[int, int], Turn] = field(default_factory=dict)


def insert(
    conn: sqlite3.Connection,
    comparison_id: str,
    conversation_id: str,
    parent_id: str | None,
    prompt: str,
    columns: list[dict[str, Any]],
    samples: int,
    set_key: str | None,
) -> None:
    conn.execute(
        "INSERT INTO comparisons (id, conversation_id, parent_id, prompt, columns_json, samples,"
        " set_key, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            comparison_id,
            conversation_id,
            parent_id,
            prompt,
            json.dumps(columns, ensure_ascii=False),
            samples,
            set_key,
            utc_now(),
        ),
    )


def add_run(
    conn: sqlite3.Connection, comparison_id: str, turn_id: str, column: int, sample: int
) -> None:
    """Link a stored turn to its place; a turn not stored (yet) raises KeyError."""
    cursor = conn.execute(
        "INSERT INTO comparison_runs (comparison_id, turn_id, turn_seq, column_index, sample_index)"
        " SELECT ?, id, seq, ?, ? FROM turns WHERE id = ?",
        (comparison_id, column, sample, turn_id),
    )
    if cursor.rowcount == 0:
        raise KeyError(f"no turn {turn_id}")


def _load(conn: sqlite3.Connection, row: sqlite3.Row) -> StoredComparison:
    stored = StoredComparison(
        id=row["id"],
        conversation_id=row["conversation_id"],
        parent_id=row["parent_id"],
        prompt=row["prompt"],
        columns=json.loads(row["columns_json"]),
        samples=int(row["samples"]),
        set_key=row["set_key"],
        created_at=row["created_at"],
    )
    runs = conn.execute(
        "SELECT r.column_index, r.sample_index, t.* FROM comparison_runs AS r"
        " JOIN turns AS t ON t.id = r.turn_id WHERE r.comparison_id = ?"
        " ORDER BY t.created_at, t.seq",
        (stored.id,),
    ).fetchall()
    for run in runs:  # oldest first: a retried run's newer turn replaces the older one
        stored.runs[(int(run["column_index"]), int(run["sample_index"]))] = turn_from_row(run)
    return stored


def get(conn: sqlite3.Connection, comparison_id: str) -> StoredComparison | None:
    row = conn.execute("SELECT * FROM comparisons WHERE id = ?", (comparison_id,)).fetchone()
    return _load(conn, row) if row else None


def of_conversation(conn: sqlite3.Connection, conversation_id: str) -> list[StoredComparison]:
    """The conversation's comparisons, oldest first."""
    rows = conn.execute(
        "SELECT * FROM comparisons WHERE conversation_id = ? ORDER BY created_at, rowid",
        (conversation_id,),
    ).fetchall()
    return [_load(conn, row) for row in rows]


def by_set_key(conn: sqlite3.Connection, set_key: str) -> StoredComparison | None:
    """The newest comparison stored under `set_key` (a prompt of a prompt set), if any."""
    row = conn.execute(
        "SELECT c.* FROM comparisons AS c JOIN conversations AS v ON v.id = c.conversation_id"
        " WHERE c.set_key = ? AND v.deleted_at IS NULL ORDER BY c.created_at DESC, c.rowid DESC"
        " LIMIT 1",
        (set_key,),
    ).fetchone()
    return _load(conn, row) if row else None


def comparison_of_turn(conn: sqlite3.Connection, turn_id: str) -> str | None:
    row = conn.execute(
        "SELECT comparison_id FROM comparison_runs WHERE turn_id = ?", (turn_id,)
    ).fetchone()
    return str(row["comparison_id"]) if row else None


def output_history(
    conn: sqlite3.Connection, provider: str, model: str, effort: str | None, limit: int = 50
) -> list[int]:
    """Output tokens (reasoning included) of this model's latest completed chat turns at this
    effort, newest first: what the estimate of a comparison goes by."""
    rows = conn.execute(
        "SELECT output_tokens FROM turns WHERE provider = ? AND model = ? AND purpose = 'chat'"
        " AND status = 'complete' AND output_tokens IS NOT NULL"
        " AND json_extract(settings_json, '$.effort') IS ?"
        " ORDER BY created_at DESC, seq DESC LIMIT ?",
        (provider, model, effort, limit),
    ).fetchall()
    return [int(row["output_tokens"]) for row in rows]


def earlier_prompts(conn: sqlite3.Connection, limit: int = 500) -> list[str]:
    """The user's earlier chat prompts, newest first, each once: what a prompt set is picked
    from in the window (deleted conversations left out)."""
    rows = conn.execute(
        "SELECT t.prompt, max(t.created_at) AS newest FROM turns AS t"
        " JOIN conversations AS v ON v.id = t.conversation_id"
        " WHERE t.purpose = 'chat' AND v.deleted_at IS NULL AND trim(t.prompt) != ''"
        " GROUP BY t.prompt ORDER BY newest DESC LIMIT ?",
        (limit,),
    ).fetchall()
    return [str(row["prompt"]) for row in rows]
