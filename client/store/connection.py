"""The one SQLite connection, under one lock, that every part of the `Store` reads and writes through.

`Store` is assembled from parts that each keep one thing (conversations, turns, costs, the
judgements of reasoning); they share this base, so there is still one connection and one lock:
writes are serialised and each is a single transaction, rolled back whole if any of it fails.
"""

from __future__ import annotations

import contextlib
import functools
import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Concatenate, ParamSpec, TypeVar

from client.store.db import translate_errors

P = ParamSpec("P")
R = TypeVar("R")


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


def read_under_lock(
    query: Callable[Concatenate[sqlite3.Connection, P], R],
) -> Callable[Concatenate[StoreConnection, P], R]:
    """A `Store` method that runs `query(conn, …)` under the lock, with its parameters and
    docstring: a query function's long signature is written once, not again in the Store."""

    @functools.wraps(query)
    def method(self: StoreConnection, *args: P.args, **kwargs: P.kwargs) -> R:
        with self._reading() as conn:
            return query(conn, *args, **kwargs)

    return method
