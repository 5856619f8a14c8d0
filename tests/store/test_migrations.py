"""Migrations from a database made with an older schema: every row must survive the upgrade.

Generic over MIGRATIONS: for each schema version from the oldest (1) up to the current one, a
database is made at that version, filled with real rows through the Store, closed, and reopened
by today's `Store.open`, which migrates it. Every row of every table the old database had must
still be there with the same values in the columns it had, and the store must read the
conversations, turns, verdicts, settings, prices and search index back as they were written.

With only v1 today this checks that reopening a current database changes nothing. When v2
arrives the v1 case becomes a real upgrade. Should the Store of the day no longer be able to
write to an old schema, build the old rows with SQL in `_fill` for those versions instead,
rather than dropping the case.
"""

from __future__ import annotations

import sqlite3
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from client.core.conversation import ReasoningTrace
from client.core.events import TurnStatus, Visibility
from client.core.prices import PriceOverride
from client.store import Store
from client.store.db import backup_path, open_database
from client.store.schema import MIGRATIONS, SCHEMA_VERSION
from tests.store.conftest import an_error, full_turn

# FTS5's shadow tables hold the index, not rows of ours; the index is checked on its own.
_SHADOW = ("turns_fts_", "turns_trigram_")


def _snapshot(path: Path) -> dict[str, list[dict[str, Any]]]:
    """Every row of every ordinary table, as column → value, in rowid order."""
    conn = sqlite3.connect(str(path))
    conn.row_factory = sqlite3.Row
    try:
        tables = [
            row["name"]
            for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%'"
            )
            if not row["name"].startswith(_SHADOW) and not row["name"].startswith("sqlite_")
        ]
        return {
            table: [dict(row) for row in conn.execute(f"SELECT * FROM {table} ORDER BY rowid")]
            for table in tables
        }
    finally:
        conn.close()


def _fill(store: Store) -> dict[str, Any]:
    """Rows of every kind a user makes, through the store: what must come back."""
    conversation = store.create_conversation("Old times", "Be brief.", {"send_reasoning": True})
    deleted = store.create_conversation("In the bin")
    root = full_turn(conversation.id, created_at="2026-01-01T10:00:00.000000Z")
    error = full_turn(
        conversation.id,
        parent_id=root.id,
        status=TurnStatus.ERROR,
        error=an_error(),
        created_at="2026-01-01T10:01:00.000000Z",
    )
    branch = full_turn(
        conversation.id,
        parent_id=root.id,
        answer="Größe 日本語 answer",
        reasoning=ReasoningTrace(Visibility.RAW, "quaternion reasoning", 12, 0, []),
        created_at="2026-01-01T10:02:00.000000Z",
    )
    critic = full_turn(conversation.id, parent_id=branch.id, purpose="critic")
    binned = full_turn(deleted.id)
    for turn in (root, error, branch, critic, binned):
        store.insert_turn(turn)
    store.delete_conversation(deleted.id)
    store.set_verdict(branch.id, 0, "spurious", "that sum is wrong")
    store.set_setting("window", {"geometry": [1, 2, 3, 4]})
    store.set_price_override("ollama", "qwen3", PriceOverride(Decimal("0.1"), Decimal("0.4")))
    return {
        "conversations": [
            store.get_conversation(conversation.id),
            store.get_conversation(deleted.id),
        ],
        "turns": {
            conversation.id: store.turns(conversation.id),
            deleted.id: store.turns(deleted.id),
        },
        "verdicts": {branch.id: store.verdicts(branch.id)},
        "setting": store.get_setting("window"),
        "prices": store.price_overrides(),
        "branch": branch,
    }


@pytest.mark.parametrize("version", range(1, SCHEMA_VERSION + 1))
def test_every_row_survives_opening_with_the_current_schema(thinkpane_home, version):
    path = thinkpane_home / "old.sqlite3"
    with Store(open_database(path, MIGRATIONS[:version]), path) as old:
        written = _fill(old)
    before = _snapshot(path)
    assert before["turns"] and before["conversations"] and before["step_verdicts"]

    with Store.open(path) as store:
        assert store._conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        # Old columns keep their values; new columns may only be added.
        after = _snapshot(path)
        for table, rows in before.items():
            assert table in after, f"table {table} went missing"
            assert len(after[table]) == len(rows), table
            for old_row, new_row in zip(rows, after[table], strict=True):
                assert {k: new_row[k] for k in old_row} == old_row, table
        # And the store reads everything back as it was written.
        for conversation in written["conversations"]:
            assert store.get_conversation(conversation.id) == conversation
            assert store.turns(conversation.id) == written["turns"][conversation.id]
        assert {t: store.verdicts(t) for t in written["verdicts"]} == written["verdicts"]
        assert store.get_setting("window") == written["setting"]
        assert store.price_overrides() == written["prices"]
        live = written["conversations"][0]
        assert [c.id for c in store.list_conversations()] == [live.id]
        # The full-text index still matches the rows it indexes.
        store._conn.execute("INSERT INTO turns_fts(turns_fts, rank) VALUES ('integrity-check', 1)")
        hits = store.search("quaternion")
        assert [h["turn_id"] for h in hits] == [written["branch"].id]
        assert store.search("日本語")[0]["turn_id"] == written["branch"].id

    # A real upgrade keeps a copy of the database as it was.
    assert backup_path(path, version).exists() == (version < SCHEMA_VERSION)


def test_the_oldest_schema_is_the_first_migration():
    # The test above starts from MIGRATIONS[:1]; this keeps "oldest" meaning version 1.
    assert SCHEMA_VERSION == len(MIGRATIONS) >= 1
