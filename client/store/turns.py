"""The turns the Store keeps, and the tree they form: a turn stored as it starts, checkpointed as
it streams and finalised at its end; branches read root to leaf, versions side by side.

The branch queries that step between versions are client.store.branches's; this part wraps
them in the store's lock.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from client.core.conversation import Conversation, Turn, utc_now
from client.store import branches
from client.store.connection import StoreConnection
from client.store.rows import (
    CHECKPOINT_COLUMNS,
    FINAL_COLUMNS,
    INSERT_COLUMNS,
    turn_from_row,
    turn_values,
)


class Turns(StoreConnection):
    """The `Store`'s turn methods: one turn, a conversation's turns, branches and versions."""

    def insert_turn(self, turn: Turn) -> None:
        """Store a turn as it starts (usually still streaming); the conversation moves to the top."""
        values = turn_values(turn)
        now = utc_now()
        columns = (*INSERT_COLUMNS, "updated_at")
        with self._writing() as conn:
            exists = conn.execute(
                "SELECT 1 FROM conversations WHERE id = ?", (turn.conversation_id,)
            )
            if exists.fetchone() is None:
                raise KeyError(f"no conversation {turn.conversation_id}")
            if turn.parent_id is not None:
                parent = conn.execute(
                    "SELECT conversation_id FROM turns WHERE id = ?", (turn.parent_id,)
                ).fetchone()
                if parent is None or parent["conversation_id"] != turn.conversation_id:
                    raise KeyError(
                        f"no turn {turn.parent_id} in conversation {turn.conversation_id}"
                    )
            conn.execute(
                f"INSERT INTO turns ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                (*(values[c] for c in INSERT_COLUMNS), now),
            )
            conn.execute(
                "UPDATE conversations SET updated_at = ? WHERE id = ?", (now, turn.conversation_id)
            )

    def _update_turn(self, turn: Turn, columns: tuple[str, ...], bump_conversation: bool) -> None:
        values = turn_values(turn)
        now = utc_now()
        assignments = ", ".join(f"{c} = ?" for c in columns)
        with self._writing() as conn:
            cursor = conn.execute(
                f"UPDATE turns SET {assignments}, updated_at = ? WHERE id = ?",
                (*(values[c] for c in columns), now, turn.id),
            )
            if cursor.rowcount == 0:
                raise KeyError(f"no turn {turn.id}")
            if bump_conversation:
                conn.execute(
                    "UPDATE conversations SET updated_at = ? WHERE id = ?",
                    (now, turn.conversation_id),
                )

    def checkpoint_turn(self, turn: Turn) -> None:
        """Save what has streamed so far: answer, reasoning and usage. Cheap; at most once a second."""
        self._update_turn(turn, CHECKPOINT_COLUMNS, bump_conversation=False)

    def finalise_turn(self, turn: Turn) -> None:
        """Save the finished turn: everything, status, cost with its price and timing included."""
        self._update_turn(turn, FINAL_COLUMNS, bump_conversation=True)

    def get_turn(self, turn_id: str) -> Turn | None:
        with self._reading() as conn:
            row = conn.execute("SELECT * FROM turns WHERE id = ?", (turn_id,)).fetchone()
        return turn_from_row(row) if row else None

    def turns(self, conversation_id: str) -> list[Turn]:
        """Every turn of the conversation, every branch and critic turn, in creation order."""
        with self._reading() as conn:
            rows = conn.execute(
                "SELECT * FROM turns WHERE conversation_id = ? ORDER BY created_at, seq",
                (conversation_id,),
            ).fetchall()
        return [turn_from_row(row) for row in rows]

    def branch(self, conversation_id: str, leaf_id: str | None = None) -> list[Turn]:
        """The turns from the root down to `leaf_id` (default: the newest chat turn); [] if none."""
        with self._reading() as conn:
            if leaf_id is None:
                newest = conn.execute(
                    "SELECT id FROM turns WHERE conversation_id = ? AND purpose = 'chat'"
                    " ORDER BY created_at DESC, seq DESC LIMIT 1",
                    (conversation_id,),
                ).fetchone()
                if newest is None:
                    return []
                leaf_id = newest["id"]
            rows = conn.execute(
                """
                WITH RECURSIVE path(id, parent_id, depth) AS (
                    SELECT id, parent_id, 0 FROM turns WHERE id = ? AND conversation_id = ?
                    UNION ALL
                    SELECT t.id, t.parent_id, path.depth + 1
                    FROM turns AS t JOIN path ON t.id = path.parent_id
                )
                SELECT turns.* FROM path JOIN turns ON turns.id = path.id ORDER BY path.depth DESC
                """,
                (leaf_id, conversation_id),
            ).fetchall()
        if not rows:
            raise KeyError(f"no turn {leaf_id} in conversation {conversation_id}")
        return [turn_from_row(row) for row in rows]

    def children(self, turn_id: str) -> list[Turn]:
        """The turns whose parent is `turn_id` (its regenerations and follow-ups), oldest first."""
        with self._reading() as conn:
            rows = conn.execute(
                "SELECT * FROM turns WHERE parent_id = ? ORDER BY created_at, seq", (turn_id,)
            ).fetchall()
        return [turn_from_row(row) for row in rows]

    def siblings(self, turn_id: str) -> list[Turn]:
        """The versions of a turn (same parent, same purpose), itself included, oldest first."""
        with self._reading() as conn:
            return branches.siblings(conn, turn_id)

    def leaf_of(self, turn_id: str) -> Turn:
        """Where the branch through `turn_id` ends, following the newest chat child down."""
        with self._reading() as conn:
            return branches.leaf_of(conn, turn_id)

    def leaves(self, conversation_id: str) -> list[Turn]:
        """The last turn of every chat branch of the conversation, oldest first."""
        with self._reading() as conn:
            return branches.leaves(conn, conversation_id)

    def taken_turn(self, turn_ids: Iterable[str]) -> str | None:
        """One of `turn_ids` already in the store (any conversation), or None when all are free."""
        with self._reading() as conn:
            return branches.taken_turn(conn, turn_ids)

    def insert_conversation_tree(
        self,
        conversation: Conversation,
        turns: Sequence[Turn],
        verdicts: Mapping[str, Mapping[int, tuple[str, str]]] | None = None,
    ) -> None:
        """Add a whole conversation (an import) in one transaction, ids and timestamps kept.

        Turns come parents first; `verdicts` maps turn id → step index → (verdict, note).
        ValueError, with nothing written, if an id is taken or the tree does not hold together.
        """
        with self._writing() as conn:
            branches.insert_tree(conn, conversation, turns, verdicts or {})
