"""The turn tree seen as branches: stepping between versions of a turn, and writing a whole tree.

A conversation's turns form a tree through `parent_id`. Editing a prompt or regenerating an
answer adds a sibling beside the turn it replaces, and the window shows one branch at a time
(`Store.branch`, root to leaf). To let the user step between versions ("2 of 3 ‹ ›") the window
needs the versions of a turn (`siblings`), where a branch leads once the user picks another
version (`leaf_of`: follow the newest child down), and the ends of every branch (`leaves`).

Critic turns (purpose "critic") hang under the chat turn they audit. They are never versions of a
chat turn, so these functions compare turns of the same purpose only, and `leaf_of` follows chat
turns only.

`insert_tree` writes a whole conversation, its turns and the user's step verdicts in one
transaction, identities and timestamps kept: importing an export either adds all of a
conversation or none of it. The functions take the store's connection; `Store` wraps each one
in its lock (and, for writes, its transaction).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping, Sequence

from client.core.conversation import Conversation, Turn, utc_now
from client.store.rows import INSERT_COLUMNS, to_json, turn_from_row, turn_values

# Newest first among children: the version the user made last is the one a branch continues in.
_NEWEST_CHAT_CHILD = """
    SELECT c.id FROM turns AS c
    WHERE c.parent_id = down.id AND c.purpose = 'chat'
    ORDER BY c.created_at DESC, c.seq DESC LIMIT 1
"""


def _require_turn(conn: sqlite3.Connection, turn_id: str) -> sqlite3.Row:
    row = conn.execute(
        "SELECT id, conversation_id, parent_id, purpose FROM turns WHERE id = ?", (turn_id,)
    ).fetchone()
    if row is None:
        raise KeyError(f"no turn {turn_id}")
    return row  # type: ignore[no-any-return]


def siblings(conn: sqlite3.Connection, turn_id: str) -> list[Turn]:
    """The versions of `turn_id`: turns with the same parent and purpose, oldest first.

    The turn itself is included, so the list is never empty and `index(turn)` is its position.
    First turns of a conversation (no parent) are siblings of each other.
    """
    turn = _require_turn(conn, turn_id)
    rows = conn.execute(
        "SELECT * FROM turns WHERE conversation_id = ? AND parent_id IS ? AND purpose = ?"
        " ORDER BY created_at, seq",
        (turn["conversation_id"], turn["parent_id"], turn["purpose"]),
    ).fetchall()
    return [turn_from_row(row) for row in rows]


def leaf_of(conn: sqlite3.Connection, turn_id: str) -> Turn:
    """The end of the branch through `turn_id`: from it, the newest chat child, repeatedly.

    A turn with no chat children is its own leaf. `Store.branch(conversation, leaf)` then gives
    the whole branch the window shows after the user switches to this version.
    """
    _require_turn(conn, turn_id)
    row = conn.execute(
        f"""
        WITH RECURSIVE down(id, depth) AS (
            SELECT ?, 0
            UNION ALL
            SELECT ({_NEWEST_CHAT_CHILD}), down.depth + 1 FROM down WHERE down.id IS NOT NULL
        )
        SELECT turns.* FROM down JOIN turns ON turns.id = down.id
        ORDER BY down.depth DESC LIMIT 1
        """,
        (turn_id,),
    ).fetchone()
    return turn_from_row(row)


def leaves(conn: sqlite3.Connection, conversation_id: str) -> list[Turn]:
    """The last turn of every chat branch of the conversation, oldest first ([] if none)."""
    rows = conn.execute(
        """
        SELECT t.* FROM turns AS t
        WHERE t.conversation_id = ? AND t.purpose = 'chat' AND NOT EXISTS (
            SELECT 1 FROM turns AS c WHERE c.parent_id = t.id AND c.purpose = 'chat'
        )
        ORDER BY t.created_at, t.seq
        """,
        (conversation_id,),
    ).fetchall()
    return [turn_from_row(row) for row in rows]


def insert_tree(
    conn: sqlite3.Connection,
    conversation: Conversation,
    turns: Sequence[Turn],
    verdicts: Mapping[str, Mapping[int, tuple[str, str]]],
) -> None:
    """Write `conversation` with its id and timestamps, then `turns` (parents before children),
    then `verdicts` (turn id → step index → (verdict, note)). Call inside one transaction.

    Raises ValueError, before writing anything, when the conversation or a turn id is taken, a
    turn belongs to another conversation or names a parent not written before it, or a verdict
    is for a turn not in `turns`.
    """
    _check_tree(conn, conversation, turns, verdicts)
    conn.execute(
        "INSERT INTO conversations (id, title, created_at, updated_at, system, settings_json)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (
            conversation.id,
            conversation.title,
            conversation.created_at,
            conversation.updated_at,
            conversation.system,
            to_json(conversation.settings),
        ),
    )
    columns = (*INSERT_COLUMNS, "updated_at")
    placeholders = ", ".join("?" * len(columns))
    now = utc_now()
    conn.executemany(
        f"INSERT INTO turns ({', '.join(columns)}) VALUES ({placeholders})",
        [(*(turn_values(t)[c] for c in INSERT_COLUMNS), now) for t in turns],
    )
    conn.executemany(
        "INSERT INTO step_verdicts (turn_id, step_index, verdict, note, updated_at)"
        " VALUES (?, ?, ?, ?, ?)",
        [
            (turn_id, step, verdict, note, now)
            for turn_id, by_step in verdicts.items()
            for step, (verdict, note) in sorted(by_step.items())
        ],
    )


def _check_tree(
    conn: sqlite3.Connection,
    conversation: Conversation,
    turns: Sequence[Turn],
    verdicts: Mapping[str, Mapping[int, tuple[str, str]]],
) -> None:
    taken = conn.execute("SELECT 1 FROM conversations WHERE id = ?", (conversation.id,))
    if taken.fetchone() is not None:
        raise ValueError(f"there is already a conversation {conversation.id}")
    written: set[str] = set()
    for turn in turns:
        if turn.conversation_id != conversation.id:
            raise ValueError(f"turn {turn.id} belongs to conversation {turn.conversation_id}")
        if turn.parent_id is not None and turn.parent_id not in written:
            raise ValueError(f"turn {turn.id} comes before its parent {turn.parent_id}")
        if turn.id in written:
            raise ValueError(f"turn {turn.id} appears twice")
        written.add(turn.id)
    if (existing := taken_turn(conn, written)) is not None:
        raise ValueError(f"there is already a turn {existing}")
    for turn_id in verdicts:
        if turn_id not in written:
            raise ValueError(f"verdicts for turn {turn_id}, which is not in this conversation")


def taken_turn(conn: sqlite3.Connection, turn_ids: Iterable[str]) -> str | None:
    """One of `turn_ids` that the store already has, or None when all are free."""
    ids = list(turn_ids)
    # In chunks: SQLite limits the number of parameters in one statement.
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        row = conn.execute(
            f"SELECT id FROM turns WHERE id IN ({', '.join('?' * len(chunk))}) LIMIT 1", chunk
        ).fetchone()
        if row is not None:
            return str(row["id"])
    return None
