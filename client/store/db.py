"""Opening the SQLite file: pragmas, a cheap check, backups and schema migrations.

Opening reads the file's header and its schema, never the whole file: a start-up or a command
must not take longer as the history grows. The full check (`check_integrity`, SQLite's
quick_check, which reads every page) runs apart: the window runs it in the background after its
first frame.

Also where a database failure becomes a sentence. A full disk, a damaged file or a folder we may
not write to are things the user can fix, so they become a `StoreError` saying what happened and
what to do; anything else is a bug and stays a loud exception.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

from client.store.errors import StoreError
from client.store.schema import MIGRATIONS, Migration

BUSY_TIMEOUT_MS = 5000


def backup_path(path: Path, version: int) -> Path:
    """Where the copy taken before migrating a database at `version` goes."""
    return path.with_name(f"{path.name}.bak-v{version}")


def _existing_backups(path: Path) -> list[Path]:
    return sorted(path.parent.glob(f"{path.name}.bak-v*"), key=lambda p: p.stat().st_mtime)


def _primary_code(exc: sqlite3.Error) -> int | None:
    code = getattr(exc, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(code, int) else None


def _damaged(path: Path, detail: str) -> StoreError:
    backups = _existing_backups(path)
    if backups:
        remedy = (
            f"Quit Thinkpane and replace it with the backup {backups[-1]} "
            "(or move it aside to start with an empty database)."
        )
    else:
        remedy = "Quit Thinkpane and move that file aside; a new, empty database will be created."
    return StoreError(
        f"Thinkpane's database at {path} is damaged ({detail}), so it cannot be used. {remedy}",
        path=path,
    )


def user_error(exc: sqlite3.Error, path: Path) -> StoreError | None:
    """The sentence for a failure the user can fix, or None for a bug."""
    code = _primary_code(exc)
    text = str(exc).lower()
    if code == sqlite3.SQLITE_FULL or "database or disk is full" in text:
        return StoreError(
            f"The disk holding Thinkpane's database ({path}) is full, so the last change was not "
            "saved. Free some space and try again; what was saved before is intact.",
            path=path,
        )
    if (
        code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)
        or "malformed" in text
        or "not a database" in text
    ):
        return _damaged(path, str(exc))
    if code == sqlite3.SQLITE_READONLY or "readonly" in text:
        return StoreError(
            f"Thinkpane's database at {path} is read-only, so nothing can be saved. "
            "Check the file's permissions, or set THINKPANE_HOME to a folder you can write to.",
            path=path,
        )
    if code in (sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_PERM):
        return StoreError(
            f"Thinkpane could not read or write its database at {path} ({exc}). Check that the "
            "folder exists and that you may write to it, or set THINKPANE_HOME to another folder.",
            path=path,
        )
    return None


@contextlib.contextmanager
def translate_errors(path: Path) -> Iterator[None]:
    """Turn SQLite failures the user can fix into a StoreError; let bugs through unchanged."""
    try:
        yield
    except sqlite3.Error as exc:
        error = user_error(exc, path)
        if error is None:
            raise
        raise error from exc


def _has_objects(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] > 0


def _take_backup(conn: sqlite3.Connection, path: Path, version: int) -> Path:
    """Copy the whole database (a consistent snapshot, WAL included) before changing its schema."""
    target = backup_path(path, version)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    copy = sqlite3.connect(str(partial))
    try:
        conn.backup(copy)
    finally:
        copy.close()
    os.replace(partial, target)
    return target


def migration_pending(path: Path, migrations: Sequence[Migration] = MIGRATIONS) -> bool:
    """Whether opening the database at `path` will migrate it (a file with an older schema), so
    the app can say it is busy first: a migration may rebuild an index over the whole history.
    Reads only the version in the file's header; False when there is no file or it cannot be read.
    """
    if not path.is_file():
        return False
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error:
        return False
    return 0 < version < len(migrations)


def read_settings(path: Path, migrations: Sequence[Migration] = MIGRATIONS) -> dict | None:
    """The settings table as the file holds it, read without opening the store, so the window can
    show with its theme and layout while the store opens after the first frame (client/ui/app.py).

    {} when there is no file yet (the store creates it). None when the file will be migrated or
    does not read cleanly (its header, its schema, a value that is not JSON): the caller then opens
    the store first, as it always did, with its dialogs. Read-only: nothing is created or changed.
    """
    import json

    if not path.is_file():
        return {}
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            if int(conn.execute("PRAGMA user_version").fetchone()[0]) != len(migrations):
                return None
            _check_header(conn, path)
            rows = conn.execute("SELECT key, value_json FROM settings").fetchall()
        finally:
            conn.close()
        return {str(key): json.loads(value) for key, value in rows}
    except (sqlite3.Error, StoreError, OSError, ValueError, TypeError):
        return None


def migrate(
    conn: sqlite3.Connection, path: Path, migrations: Sequence[Migration] = MIGRATIONS
) -> int:
    """Run the migrations this database has not had yet. Returns the version it started at."""
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if version > len(migrations):
        raise StoreError(
            f"Thinkpane's database at {path} was written by a newer version of Thinkpane "
            f"(schema {version}; this one knows up to {len(migrations)}). Update Thinkpane to open "
            "it; nothing in it was changed.",
            path=path,
        )
    if version == len(migrations):
        return version
    if version > 0 or _has_objects(conn):
        _take_backup(conn, path, version)
    for index in range(version, len(migrations)):
        conn.execute("BEGIN IMMEDIATE")
        try:
            migrations[index](conn)
            # user_version lives in the file header and is part of this transaction.
            conn.execute(f"PRAGMA user_version = {index + 1}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return version


_HEADER = b"SQLite format 3\x00"


def _check_header(conn: sqlite3.Connection, path: Path) -> None:
    """What can be checked without reading the whole file: the header and the schema."""
    try:
        with path.open("rb") as file:
            header = file.read(100)
    except OSError:
        header = b""
    if header and not header.startswith(_HEADER):
        raise _damaged(path, "the file does not start like an SQLite database")
    # Reading the schema parses every table's definition: a damaged first page fails here.
    conn.execute("SELECT count(*) FROM sqlite_master").fetchone()


class IntegrityCheck:
    """Reads the whole database (SQLite's quick_check) and says whether any of it is damaged.

    Seconds on a large history, so it runs off the GUI thread, on a read-only connection of its
    own: the store stays free for the window meanwhile (WAL lets them read and write side by
    side). `cancel()`, from any thread, stops it at once (quitting never waits for it).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._cancelled = False

    def run(self) -> bool:
        """True when the whole file was read and is sound, False when cancelled; StoreError
        (the same sentence as at open) when something is damaged."""
        path = self.path
        with translate_errors(path):
            conn = sqlite3.connect(
                f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000
            )
            with self._lock:
                if self._cancelled:
                    conn.close()
                    return False
                self._conn = conn
            try:
                problems = [row[0] for row in conn.execute("PRAGMA quick_check").fetchall()]
            except sqlite3.OperationalError:
                if self._cancelled:
                    return False
                raise
            finally:
                with self._lock:
                    self._conn = None
                conn.close()
        if problems != ["ok"]:
            raise _damaged(path, "; ".join(str(p) for p in problems[:3]))
        return True

    def cancel(self) -> None:
        with self._lock:
            self._cancelled = True
            if self._conn is not None:
                self._conn.interrupt()


def check_integrity(path: Path) -> None:
    """Read the whole database; StoreError if any of it is damaged (see IntegrityCheck)."""
    IntegrityCheck(path).run()


def open_database(path: Path, migrations: Sequence[Migration] = MIGRATIONS) -> sqlite3.Connection:
    """Open (creating if needed), check the header of and migrate the database at `path`.

    The connection is in autocommit mode (`isolation_level=None`): callers open their own
    transactions, so each write is exactly one transaction. It may be used from any thread, but
    only under the caller's lock.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(
            f"Thinkpane could not create the folder for its database, {path.parent} "
            f"({exc.strerror or exc}); set THINKPANE_HOME to a folder you can write to.",
            path=path,
        ) from exc
    conn: sqlite3.Connection | None = None
    try:
        with translate_errors(path):
            conn = sqlite3.connect(
                str(path),
                timeout=BUSY_TIMEOUT_MS / 1000,
                isolation_level=None,
                check_same_thread=False,
            )
            conn.row_factory = sqlite3.Row
            # The search triggers call it to fill the substring index (client.store.scripts).
            from client.store.scripts import SQL_FUNCTION, unspaced_runs

            conn.create_function(SQL_FUNCTION, 1, unspaced_runs, deterministic=True)
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA journal_mode = WAL")  # the first read: a non-database fails here
            conn.execute("PRAGMA foreign_keys = ON")
            # In WAL mode NORMAL survives an application crash; a power cut may lose the last commit.
            conn.execute("PRAGMA synchronous = NORMAL")
            _check_header(conn, path)
            migrate(conn, path, migrations)
    except BaseException:
        if conn is not None:
            conn.close()
        raise
    return conn
