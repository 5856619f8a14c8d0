"""The store: conversations, the turn tree, the ledger, search and small settings, in one SQLite file.

`Store` is thread-safe: it owns one connection and every use of it happens under one lock, so
writes are serialised and each is a single transaction. Calls are quick (a checkpoint is one
UPDATE), but they are still disk I/O: the window calls them off the GUI thread.

`Store` is one object to the rest of the app, assembled from parts that each keep one thing and
share the connection (client.store.connection): conversations, turns and their tree, costs,
judgements of reasoning. This module opens and closes the file and keeps what is left: settings,
search and comparisons.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from types import TracebackType
from typing import Any

from client.core.conversation import utc_now
from client.core.events import TurnStatus
from client.store import comparisons, ledger
from client.store import search as fts
from client.store.comparisons import StoredComparison
from client.store.connection import read_under_lock
from client.store.conversations import Conversations
from client.store.costs import Costs, RepriceRow
from client.store.db import check_integrity, open_database
from client.store.judgements import Judgements
from client.store.paths import database_path
from client.store.presence import Presence
from client.store.rows import to_json
from client.store.turns import Turns

__all__ = ["INTERRUPTED_NOTE", "RepriceRow", "Store"]  # RepriceRow: client.prices reads it here

INTERRUPTED_NOTE = "the app closed while this turn was streaming"


class Store(Conversations, Turns, Costs, Judgements):
    """Everything Thinkpane keeps about conversations, on one connection under one lock."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        super().__init__(conn, path)
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

    search = read_under_lock(fts.search)  # prompts, answers and reasoning (client.store.search)
