"""The store: conversations, the turn tree, the ledger, search and small settings, in one SQLite file.

`Store` is thread-safe: it owns one connection and every use of it happens under one lock, so
writes are serialised and each is a single transaction. Calls are quick (a checkpoint is one
UPDATE), but they are still disk I/O: the window calls them off the GUI thread.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import TracebackType
from typing import Any

from client.core.audit import AuditSummary
from client.core.conversation import Conversation, Turn, new_id, utc_now
from client.core.cost import Cost
from client.core.events import TurnStatus
from client.core.prices import PriceOverride
from client.core.usage import Usage
from client.store import audits, branches, comparisons, ledger
from client.store import search as fts
from client.store.comparisons import StoredComparison
from client.store.db import check_integrity, open_database, translate_errors
from client.store.paths import database_path
from client.store.presence import Presence
from client.store.rows import (
    CHECKPOINT_COLUMNS,
    FINAL_COLUMNS,
    INSERT_COLUMNS,
    conversation_from_row,
    cost_from_row,
    cost_values,
    price_override_from_row,
    price_override_values,
    to_json,
    turn_from_row,
    turn_values,
    usage_from_row,
)


@dataclass(frozen=True)
class RepriceRow:
    """A stored turn as a reprice needs it: what it was, when it was priced, what it cost."""

    id: str
    provider: str
    model: str
    model_reported: str | None
    base_url: str | None
    asked_at: str  # ISO 8601 UTC: when the request was sent (time-of-day rates go by it)
    usage: Usage
    cost: Cost


INTERRUPTED_NOTE = "the app closed while this turn was streaming"
VERDICTS = ("sound", "spurious", "unsure")


class Store:
    """Everything Thinkpane keeps about conversations, on one connection under one lock."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self._conn = conn
        self._lock = threading.RLock()
        self.path = path
        self._presence: Presence | None = None
        ledger.install(conn)

    @classmethod
    def open(cls, path: Path | None = None) -> Store:
        """Open (create, check, migrate) the database; turns a crash left streaming become interrupted."""
        path = path if path is not None else database_path()
        store = cls(open_database(path), path)
        try:
            store._presence = Presence(path)
            if store._presence.alone:
                store._recover_interrupted()
        except BaseException:
            store.close()
            raise
        return store

    def check_integrity(self) -> None:
        """Read the whole file; StoreError if any of it is damaged (see db.check_integrity).

        Open checks only the header and the schema, so a damaged page deep in the history is
        found here, in the background, not by making every start read the whole file."""
        check_integrity(self.path)

    def close(self) -> None:
        with self._lock:
            self._conn.close()
            if self._presence is not None:
                self._presence.release()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @contextlib.contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        with self._lock, translate_errors(self.path):
            yield self._conn

    @contextlib.contextmanager
    def _writing(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; rolled back if anything in it fails (a full disk included)."""
        with self._lock, translate_errors(self.path):
            conn = self._conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise

    def _recover_interrupted(self) -> None:
        # Text that arrived before the crash was checkpointed and is kept; only the status changes.
        with self._writing() as conn:
            conn.execute(
                "UPDATE turns SET status = ?, note = ?, updated_at = ? WHERE status = ?",
                (
                    str(TurnStatus.INTERRUPTED),
                    INTERRUPTED_NOTE,
                    utc_now(),
                    str(TurnStatus.STREAMING),
                ),
            )

    # Conversations

    def create_conversation(
        self,
        title: str = "",
        system: str | None = None,
        settings: dict[str, Any] | None = None,
        conversation_id: str | None = None,
    ) -> Conversation:
        """A new conversation; `conversation_id` keeps an id drawn before it was stored."""
        now = utc_now()
        conversation = Conversation(
            id=conversation_id or new_id("c"),
            title=title,
            created_at=now,
            updated_at=now,
            system=system,
            settings=dict(settings or {}),
        )
        with self._writing() as conn:
            conn.execute(
                "INSERT INTO conversations (id, title, created_at, updated_at, system, settings_json)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (conversation.id, title, now, now, system, to_json(conversation.settings)),
            )
        return conversation

    def get_conversation(self, conversation_id: str) -> Conversation | None:
        """The conversation, deleted or not; None if there is no such conversation."""
        with self._reading() as conn:
            row = conn.execute(
                "SELECT * FROM conversations WHERE id = ?", (conversation_id,)
            ).fetchone()
        return conversation_from_row(row) if row else None

    def list_conversations(self, include_deleted: bool = False) -> list[Conversation]:
        """Most recently updated first."""
        where = "" if include_deleted else "WHERE deleted_at IS NULL"
        with self._reading() as conn:
            rows = conn.execute(
                f"SELECT * FROM conversations {where} ORDER BY updated_at DESC, created_at DESC, rowid DESC"
            ).fetchall()
        return [conversation_from_row(row) for row in rows]

    def _update_conversation(
        self, conversation_id: str, assignments: str, values: tuple[Any, ...]
    ) -> None:
        with self._writing() as conn:
            cursor = conn.execute(
                f"UPDATE conversations SET {assignments} WHERE id = ?", (*values, conversation_id)
            )
            if cursor.rowcount == 0:
                raise KeyError(f"no conversation {conversation_id}")

    def rename_conversation(self, conversation_id: str, title: str) -> None:
        self._update_conversation(conversation_id, "title = ?, updated_at = ?", (title, utc_now()))

    def set_conversation_system(self, conversation_id: str, system: str | None) -> None:
        self._update_conversation(
            conversation_id, "system = ?, updated_at = ?", (system, utc_now())
        )

    def update_conversation_settings(self, conversation_id: str, settings: dict[str, Any]) -> None:
        """Merge `settings` into the conversation's settings (keys not given are kept)."""
        with self._writing() as conn:
            row = conn.execute(
                "SELECT settings_json FROM conversations WHERE id = ?", (conversation_id,)
            ).fetchone()
            if row is None:
                raise KeyError(f"no conversation {conversation_id}")
            merged = {**json.loads(row["settings_json"] or "{}"), **settings}
            conn.execute(
                "UPDATE conversations SET settings_json = ?, updated_at = ? WHERE id = ?",
                (to_json(merged), utc_now(), conversation_id),
            )

    def delete_conversation(self, conversation_id: str) -> None:
        """Soft delete: hidden from the list and search until restored or purged."""
        self._update_conversation(
            conversation_id, "deleted_at = coalesce(deleted_at, ?)", (utc_now(),)
        )

    def restore_conversation(self, conversation_id: str) -> None:
        self._update_conversation(conversation_id, "deleted_at = NULL", ())

    def purge_deleted(self) -> int:
        """Remove deleted conversations for good, with their turns. Returns how many went."""
        with self._writing() as conn:
            return conn.execute("DELETE FROM conversations WHERE deleted_at IS NOT NULL").rowcount

    # Turns

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

    # Branches (see client.store.branches)

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

    # Ledger

    def usage_report(
        self, by: str | None = None, since: date | None = None, *, reasoning: bool = False
    ) -> dict[str, Any]:
        """docs/cli.md's `usage --json` object; `by` is conversation|model|provider|day|month.

        `reasoning` adds what reasoning and hidden reasoning cost to every group (see ledger)."""
        with self._reading() as conn:
            return ledger.usage_report(conn, by, since, reasoning)

    def conversation_totals(self, conversation_id: str) -> dict[str, Any]:
        with self._reading() as conn:
            return ledger.conversation_totals(conn, conversation_id)

    def conversation_list(self, limit: int | None = None) -> list[dict[str, Any]]:
        """`ledger.conversation_list`: newest first, with turns and cost."""
        with self._reading() as conn:
            return ledger.conversation_list(conn, limit)

    def models_in_ledger(self) -> list[dict[str, Any]]:
        """Every provider and model with turns, with counts, spend and stored prices (ledger)."""
        with self._reading() as conn:
            return ledger.models_in_ledger(conn)

    def turns_to_reprice(
        self,
        *,
        model: str | None = None,
        provider: str | None = None,
        since: date | None = None,
        until: date | None = None,
    ) -> list[RepriceRow]:
        """The turns a reprice covers, each with its usage and the cost it has now."""
        with self._reading() as conn:
            rows = ledger.turns_to_reprice(
                conn, model=model, provider=provider, since=since, until=until
            )
        return [
            RepriceRow(
                row["id"],
                row["provider"],
                row["model"],
                row["model_reported"],
                row["base_url"],
                row["created_at"],
                usage_from_row(row),
                cost_from_row(row),
            )  # fmt: skip
            for row in rows
        ]

    def replace_costs(self, changes: Mapping[str, Cost]) -> int:
        """Give turns new costs in one transaction, each keeping the cost it replaces in its
        history (`cost_history`). Returns how many turns changed."""
        values = [(turn_id, cost_values(cost)) for turn_id, cost in changes.items()]
        with self._writing() as conn:
            return ledger.replace_costs(conn, values, utc_now())

    def cost_history(self, turn_id: str) -> list[tuple[str, Cost]]:
        """What a turn cost before each reprice, oldest first: (replaced_at, cost)."""
        with self._reading() as conn:
            rows = conn.execute(
                "SELECT * FROM cost_history WHERE turn_id = ? ORDER BY replaced_at, rowid",
                (turn_id,),
            ).fetchall()
        return [(row["replaced_at"], cost_from_row(row)) for row in rows]

    # Price overrides

    def set_price_override(self, provider: str, model: str, override: PriceOverride) -> None:
        values = price_override_values(override)
        with self._writing() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO price_overrides (provider, model, input_mtok, output_mtok,"
                " cache_read_mtok, cache_write_mtok, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    provider,
                    model,
                    values["input_mtok"],
                    values["output_mtok"],
                    values["cache_read_mtok"],
                    values["cache_write_mtok"],
                    utc_now(),
                ),
            )

    def price_overrides(self) -> dict[tuple[str, str], PriceOverride]:
        with self._reading() as conn:
            rows = conn.execute("SELECT * FROM price_overrides ORDER BY provider, model").fetchall()
        return {(row["provider"], row["model"]): price_override_from_row(row) for row in rows}

    def delete_price_override(self, provider: str, model: str) -> None:
        with self._writing() as conn:
            conn.execute(
                "DELETE FROM price_overrides WHERE provider = ? AND model = ?", (provider, model)
            )

    # Step verdicts (the user's own judgement of each reasoning step)

    # Comparisons (client.store.comparisons)

    def create_comparison(
        self,
        comparison_id: str,
        conversation_id: str,
        parent_id: str | None,
        prompt: str,
        columns: list[dict[str, Any]],
        samples: int,
        set_key: str | None = None,
    ) -> None:
        with self._writing() as conn:
            comparisons.insert(
                conn, comparison_id, conversation_id, parent_id, prompt, columns, samples, set_key
            )

    def add_comparison_run(
        self, comparison_id: str, turn_id: str, column: int, sample: int
    ) -> None:
        with self._writing() as conn:
            comparisons.add_run(conn, comparison_id, turn_id, column, sample)

    def get_comparison(self, comparison_id: str) -> StoredComparison | None:
        with self._reading() as conn:
            return comparisons.get(conn, comparison_id)

    def comparisons(self, conversation_id: str) -> list[StoredComparison]:
        with self._reading() as conn:
            return comparisons.of_conversation(conn, conversation_id)

    def comparison_by_set_key(self, set_key: str) -> StoredComparison | None:
        with self._reading() as conn:
            return comparisons.by_set_key(conn, set_key)

    def earlier_prompts(self, limit: int = 500) -> list[str]:
        with self._reading() as conn:
            return comparisons.earlier_prompts(conn, limit)

    def output_history(
        self, provider: str, model: str, effort: str | None, limit: int = 50
    ) -> list[int]:
        with self._reading() as conn:
            return comparisons.output_history(conn, provider, model, effort, limit)

    def comparison_of_turn(self, turn_id: str) -> str | None:
        with self._reading() as conn:
            return comparisons.comparison_of_turn(conn, turn_id)

    def set_verdict(self, turn_id: str, step_index: int, verdict: str, note: str = "") -> None:
        if verdict not in VERDICTS:
            raise ValueError(f"a verdict is one of {', '.join(VERDICTS)}, not {verdict!r}")
        with self._writing() as conn:
            if conn.execute("SELECT 1 FROM turns WHERE id = ?", (turn_id,)).fetchone() is None:
                raise KeyError(f"no turn {turn_id}")
            conn.execute(
                "INSERT OR REPLACE INTO step_verdicts (turn_id, step_index, verdict, note, updated_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (turn_id, step_index, verdict, note, utc_now()),
            )

    def clear_verdict(self, turn_id: str, step_index: int) -> None:
        with self._writing() as conn:
            conn.execute(
                "DELETE FROM step_verdicts WHERE turn_id = ? AND step_index = ?",
                (turn_id, step_index),
            )

    def verdicts(self, turn_id: str) -> dict[int, tuple[str, str]]:
        """Step index → (verdict, note), in step order."""
        with self._reading() as conn:
            rows = conn.execute(
                "SELECT step_index, verdict, note FROM step_verdicts WHERE turn_id = ? ORDER BY step_index",
                (turn_id,),
            ).fetchall()
        return {row["step_index"]: (row["verdict"], row["note"]) for row in rows}

    def conversation_verdicts(self, conversation_id: str) -> dict[str, dict[int, tuple[str, str]]]:
        """`verdicts` of every turn of the conversation that has any, by turn id, in one query."""
        with self._reading() as conn:
            rows = conn.execute(
                "SELECT v.turn_id, v.step_index, v.verdict, v.note FROM step_verdicts AS v"
                " JOIN turns AS t ON t.id = v.turn_id WHERE t.conversation_id = ?"
                " ORDER BY v.turn_id, v.step_index",
                (conversation_id,),
            ).fetchall()
        by_turn: dict[str, dict[int, tuple[str, str]]] = defaultdict(dict)
        for row in rows:
            by_turn[row["turn_id"]][row["step_index"]] = (row["verdict"], row["note"])
        return dict(by_turn)

    # Audit summaries (what the auditor found, for search's "has audit findings")

    def set_audit_summary(self, turn_id: str, summary: AuditSummary) -> None:
        with self._writing() as conn:
            audits.save(conn, turn_id, summary)

    def audit_summary(self, turn_id: str) -> AuditSummary | None:
        with self._reading() as conn:
            return audits.load(conn, turn_id)

    def unaudited_turns(self, version: int, limit: int = 500) -> list[Turn]:
        """Finished chat turns with reasoning whose summary is missing or from an older auditor."""
        with self._reading() as conn:
            ids = audits.unaudited(conn, version, limit)
        return [t for t in (self.get_turn(i) for i in ids) if t is not None]

    # Settings (small JSON values: window geometry, the last conversation, default models)

    def get_setting(self, key: str, default: Any = None) -> Any:
        with self._reading() as conn:
            row = conn.execute("SELECT value_json FROM settings WHERE key = ?", (key,)).fetchone()
        return json.loads(row["value_json"]) if row else default

    def set_setting(self, key: str, value: Any) -> None:
        text = to_json(value)  # fails before the write for a value JSON cannot hold
        with self._writing() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO settings (key, value_json) VALUES (?, ?)", (key, text)
            )

    def delete_setting(self, key: str) -> None:
        with self._writing() as conn:
            conn.execute("DELETE FROM settings WHERE key = ?", (key,))

    # Search

    def search(
        self,
        query: str,
        limit: int = 20,
        *,
        order: fts.Order = "relevance",
        conversation_id: str | None = None,
        provider: str | None = None,
        model: str | None = None,
        since: date | None = None,
        until: date | None = None,
        has_findings: bool | None = None,
    ) -> list[dict[str, Any]]:
        """Full-text search over prompts, answers and reasoning (see client.store.search).

        `order`: "relevance" (an exact phrase first, then bm25) or "newest". The keyword filters
        default to none; `since`/`until` are inclusive UTC dates (a datetime
        is an exact instant).
        """
        with self._reading() as conn:
            return fts.search(
                conn,
                query,
                limit,
                order=order,
                conversation_id=conversation_id,
                provider=provider,
                model=model,
                since=since,
                until=until,
                has_findings=has_findings,
            )
