"""Opening the database: migrations, backups, integrity checks and failures as sentences."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from client.core.conversation import new_id
from client.store import Store, StoreError, data_dir, database_path
from client.store.db import backup_path, open_database
from client.store.schema import MIGRATIONS, SCHEMA_VERSION
from tests.store.conftest import full_turn


def _user_version(path: Path) -> int:
    conn = sqlite3.connect(str(path))
    try:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
    finally:
        conn.close()


def _tables(path: Path) -> set[str]:
    conn = sqlite3.connect(str(path))
    try:
        return {
            row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
    finally:
        conn.close()


def test_data_dir_follows_thinkpane_home_and_is_created(tmp_path, monkeypatch):
    home = tmp_path / "not" / "yet" / "there"
    monkeypatch.setenv("THINKPANE_HOME", str(home))
    assert data_dir() == home
    assert home.is_dir()
    assert database_path() == home / "thinkpane.sqlite3"


def test_a_new_database_gets_the_whole_schema_and_no_backup(thinkpane_home):
    with Store.open() as store:
        conn = store._conn
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] > 0
    path = thinkpane_home / "thinkpane.sqlite3"
    assert _user_version(path) == SCHEMA_VERSION
    assert {
        "conversations",
        "turns",
        "turns_fts",
        "price_overrides",
        "step_verdicts",
        "settings",
    } <= (_tables(path))
    assert list(thinkpane_home.glob("*.bak-v*")) == []


def test_reopening_a_current_database_changes_nothing(thinkpane_home):
    with Store.open() as store:
        conversation = store.create_conversation("kept")
    path = thinkpane_home / "thinkpane.sqlite3"
    with Store.open() as store:
        assert store.get_conversation(conversation.id) == conversation
    assert _user_version(path) == SCHEMA_VERSION
    assert list(thinkpane_home.glob("*.bak-v*")) == []


def _add_column(conn: sqlite3.Connection) -> None:
    conn.execute("ALTER TABLE conversations ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0")


def test_an_older_database_is_backed_up_before_it_is_migrated(thinkpane_home):
    path = thinkpane_home / "thinkpane.sqlite3"
    with Store.open(path) as store:
        conversation = store.create_conversation("before the upgrade")
        store.insert_turn(full_turn(conversation.id))

    conn = open_database(path, [*MIGRATIONS, _add_column])
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1
        assert conn.execute("SELECT pinned FROM conversations").fetchone()[0] == 0
    finally:
        conn.close()

    backup = backup_path(path, SCHEMA_VERSION)
    assert backup.name == f"thinkpane.sqlite3.bak-v{SCHEMA_VERSION}"
    assert _user_version(backup) == SCHEMA_VERSION
    copy = sqlite3.connect(str(backup))
    try:
        assert copy.execute("SELECT title FROM conversations").fetchall() == [
            ("before the upgrade",)
        ]
        assert copy.execute("SELECT count(*) FROM turns").fetchone()[0] == 1
        columns = [row[1] for row in copy.execute("PRAGMA table_info(conversations)")]
        assert "pinned" not in columns
    finally:
        copy.close()


def test_an_unversioned_database_with_tables_is_backed_up_as_v0(thinkpane_home):
    path = thinkpane_home / "thinkpane.sqlite3"
    legacy = sqlite3.connect(str(path))
    legacy.execute("CREATE TABLE legacy_notes (body TEXT)")
    legacy.execute("INSERT INTO legacy_notes VALUES ('from an old build')")
    legacy.commit()
    legacy.close()

    Store.open().close()

    backup = thinkpane_home / "thinkpane.sqlite3.bak-v0"
    assert _user_version(backup) == 0
    assert _tables(backup) == {"legacy_notes"}
    assert _user_version(path) == SCHEMA_VERSION


def test_a_failed_migration_leaves_the_database_as_it_was(thinkpane_home):
    path = thinkpane_home / "thinkpane.sqlite3"
    Store.open(path).close()

    def broken(conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TABLE half_done (x)")
        raise RuntimeError("bug in a migration")

    with pytest.raises(RuntimeError):
        open_database(path, [*MIGRATIONS, broken])
    assert _user_version(path) == SCHEMA_VERSION
    assert "half_done" not in _tables(path)


def test_a_database_from_a_newer_thinkpane_is_refused_with_a_sentence(thinkpane_home):
    path = thinkpane_home / "thinkpane.sqlite3"
    conn = sqlite3.connect(str(path))
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(StoreError) as caught:
        Store.open(path)
    assert "newer version of Thinkpane" in caught.value.message
    assert str(path) in caught.value.message


def test_a_file_that_is_not_a_database_gives_a_sentence(thinkpane_home):
    path = thinkpane_home / "thinkpane.sqlite3"
    path.write_bytes(b"these are not the bytes you are looking for\n" * 200)
    with pytest.raises(StoreError) as caught:
        Store.open(path)
    message = str(caught.value)
    assert str(path) in message
    assert "damaged" in message
    assert "move that file aside" in message
    assert caught.value.path == path


def test_a_damaged_page_is_caught_on_open_and_the_backup_is_named(thinkpane_home):
    path = thinkpane_home / "thinkpane.sqlite3"
    with Store.open(path) as store:
        conversation = store.create_conversation()
        for i in range(60):
            store.insert_turn(full_turn(conversation.id, answer=f"answer {i} " * 200))
    backup = backup_path(path, 0)
    backup.write_bytes(b"")  # stands in for a backup an earlier migration left
    page_size = 4096
    data = bytearray(path.read_bytes())
    assert len(data) > 8 * page_size
    for offset in range(3 * page_size, 6 * page_size, 7):
        data[offset] = 0xA5
    path.write_bytes(bytes(data))

    with pytest.raises(StoreError) as caught, Store.open(path) as store:
        store.check_integrity()
    assert "damaged" in caught.value.message
    assert str(backup) in caught.value.message


def test_opening_reads_the_header_not_the_whole_file(thinkpane_home):
    # A damaged page deep in the history does not stop the open (that would mean reading every
    # page on every start); the integrity check, run in the background, finds it.
    path = thinkpane_home / "thinkpane.sqlite3"
    with Store.open(path) as store:
        conversation = store.create_conversation("Kept")
        for i in range(60):
            store.insert_turn(full_turn(conversation.id, answer=f"answer {i} " * 200))
        store.check_integrity()  # a sound file passes
    data = bytearray(path.read_bytes())
    # An overflow page of one answer's text points to a page that does not exist.
    page = data.index(b"answer 30 answer 30 answer 30") // 4096 * 4096
    data[page : page + 4] = b"\xff\xff\xff\x00"
    path.write_bytes(bytes(data))
    with Store.open(path) as store:
        assert [c.title for c in store.list_conversations()] == ["Kept"]
        with pytest.raises(StoreError) as caught:
            store.check_integrity()
    assert "damaged" in caught.value.message


def test_a_full_disk_is_a_sentence_and_nothing_half_written_stays(store):
    conversation = store.create_conversation()
    conn = store._conn
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages + 2}")  # SQLite then reports SQLITE_FULL
    huge = full_turn(conversation.id, answer="x" * 2_000_000)
    with pytest.raises(StoreError) as caught:
        store.insert_turn(huge)
    assert "is full" in caught.value.message
    assert "Free some space" in caught.value.message
    assert store.get_turn(huge.id) is None

    conn.execute("PRAGMA max_page_count = 1073741823")
    small = full_turn(conversation.id, id=new_id("t"))
    store.insert_turn(small)
    assert store.get_turn(small.id) == small


def test_a_folder_that_cannot_be_written_gives_a_sentence(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError) as caught:
        Store.open(blocker / "thinkpane.sqlite3")
    assert "THINKPANE_HOME" in caught.value.message
