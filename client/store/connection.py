"""The one SQLite connection, under one lock, that every part of the `Store` reads and writes through.

`Store` is assembled from parts that each keep one thing (conversations, turns, costs, the
judgements of reasoning); they share this base, so there is still one connection and one lock:
writes are serialised and each is a single transaction, rolled back whole if any of it fails.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

from client.store.db import translate_errors


class StoreConnection:
    """The connection and its lock; `_reading` and `_writing` are the only ways to use it."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self._conn = conn
        self._lock = threading.RLock()
        self.path = path

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
