"""The database schema, as an ordered list of migrations.

Migration N (1-based) brings a database from `PRAGMA user_version` N-1 to N. Each is a small
function run once, inside the transaction that also records the new version, so a failed
migration leaves the file as it was. Never edit a released migration: append a new one.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence

Migration = Callable[[sqlite3.Connection], None]

_V1: tuple[str, ...] = (
    """
    CREATE TABLE conversations (
        id            TEXT PRIMARY KEY,
        title         TEXT NOT NULL DEFAULT '',
        created_at    TEXT NOT NULL,
        updated_at    TEXT NOT NULL,
        system        TEXT,
        settings_json TEXT NOT NULL DEFAULT '{}',
        deleted_at    TEXT
    )
    """,
    # `seq` is the rowid, declared so VACUUM can never renumber it: the full-text index below
    # refers to turns by rowid.
    """
    CREATE TABLE turns (
        seq             INTEGER PRIMARY KEY,
        id              TEXT NOT NULL UNIQUE,
        conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
        parent_id       TEXT REFERENCES turns(id) ON DELETE CASCADE,
        created_at      TEXT NOT NULL,
        updated_at      TEXT NOT NULL,
        purpose         TEXT NOT NULL DEFAULT 'chat' CHECK (purpose IN ('chat', 'critic')),
        provider        TEXT NOT NULL,
        model           TEXT NOT NULL,
        model_reported  TEXT,
        base_url        TEXT,
        prompt          TEXT NOT NULL DEFAULT '',
        answer          TEXT NOT NULL DEFAULT '',
        reasoning_text  TEXT NOT NULL DEFAULT '',
        visibility      TEXT NOT NULL DEFAULT 'none',
        trace_tokens    INTEGER,
        redacted_blocks INTEGER NOT NULL DEFAULT 0,
        opaque_json     TEXT NOT NULL DEFAULT '[]',
        status          TEXT NOT NULL,
        stop_reason     TEXT,
        note            TEXT,
        error_json      TEXT,
        input_tokens        INTEGER,
        cached_input_tokens INTEGER,
        cache_write_tokens  INTEGER,
        output_tokens       INTEGER,
        reasoning_tokens    INTEGER,
        cost_source     TEXT NOT NULL DEFAULT 'unknown',
        cost_currency   TEXT NOT NULL DEFAULT 'USD',
        cost_total      TEXT,
        cost_input      TEXT,
        cost_output     TEXT,
        cost_reasoning  TEXT,
        price_json      TEXT NOT NULL DEFAULT '{}',
        time_to_first_token_s        REAL,
        time_to_first_answer_token_s REAL,
        total_s                      REAL,
        reasoning_s                  REAL,
        settings_json   TEXT NOT NULL DEFAULT '{}'
    )
    """,
    "CREATE INDEX turns_by_conversation ON turns(conversation_id, created_at)",
    "CREATE INDEX turns_by_parent ON turns(parent_id)",
    "CREATE INDEX turns_by_created ON turns(created_at)",
    "CREATE INDEX conversations_by_updated ON conversations(updated_at)",
    """
    CREATE VIRTUAL TABLE turns_fts USING fts5(
        prompt, answer, reasoning_text,
        content='turns', content_rowid='seq',
        tokenize='unicode61 remove_diacritics 2'
    )
    """,
    """
    CREATE TRIGGER turns_fts_insert AFTER INSERT ON turns BEGIN
        INSERT INTO turns_fts(rowid, prompt, answer, reasoning_text)
        VALUES (new.seq, new.prompt, new.answer, new.reasoning_text);
    END
    """,
    """
    CREATE TRIGGER turns_fts_delete AFTER DELETE ON turns BEGIN
        INSERT INTO turns_fts(turns_fts, rowid, prompt, answer, reasoning_text)
        VALUES ('delete', old.seq, old.prompt, old.answer, old.reasoning_text);
    END
    """,
    # Only a change to the indexed text re-indexes: usage and cost updates stay cheap.
    """
    CREATE TRIGGER turns_fts_update AFTER UPDATE OF prompt, answer, reasoning_text ON turns BEGIN
        INSERT INTO turns_fts(turns_fts, rowid, prompt, answer, reasoning_text)
        VALUES ('delete', old.seq, old.prompt, old.answer, old.reasoning_text);
        INSERT INTO turns_fts(rowid, prompt, answer, reasoning_text)
        VALUES (new.seq, new.prompt, new.answer, new.reasoning_text);
    END
    """,
    """
    CREATE TABLE price_overrides (
        provider         TEXT NOT NULL,
        model            TEXT NOT NULL,
        input_mtok       TEXT NOT NULL,
        output_mtok      TEXT NOT NULL,
        cache_read_mtok  TEXT,
        cache_write_mtok TEXT,
        updated_at       TEXT NOT NULL,
        PRIMARY KEY (provider, model)
    )
    """,
    """
    CREATE TABLE step_verdicts (
        turn_id    TEXT NOT NULL REFERENCES turns(id) ON DELETE CASCADE,
        step_index INTEGER NOT NULL,
        verdict    TEXT NOT NULL CHECK (verdict IN ('sound', 'spurious', 'unsure')),
        note       TEXT NOT NULL DEFAULT '',
        updated_at TEXT NOT NULL,
        PRIMARY KEY (turn_id, step_index)
    )
    """,
    """
    CREATE TABLE settings (
        key        TEXT PRIMARY KEY,
        value_json TEXT NOT NULL
    )
    """,
)


def _v1_initial(conn: sqlite3.Connection) -> None:
    """Conversations, the turn tree, full-text search, price overrides, verdicts, settings."""
    for statement in _V1:
        conn.execute(statement)


def _v2_audit_summaries(conn: sqlite3.Connection) -> None:
    """What the auditor found in each turn, so search can offer "has audit findings"."""
    conn.execute(
        """
        CREATE TABLE turn_audits (
            turn_id          TEXT PRIMARY KEY REFERENCES turns(id) ON DELETE CASCADE,
            errors           INTEGER NOT NULL,
            warnings         INTEGER NOT NULL,
            notes            INTEGER NOT NULL,
            first_error_step INTEGER,
            version          INTEGER NOT NULL,
            audited_at       TEXT NOT NULL
        )
        """
    )


def _v3_cost_history(conn: sqlite3.Connection) -> None:
    """What a turn cost before it was repriced, and the price that computed it, so a reprice
    never loses the amount it replaced (every reprice adds one row per turn it changed)."""
    conn.execute(
        """
        CREATE TABLE cost_history (
            turn_id        TEXT NOT NULL REFERENCES turns(id) ON DELETE CASCADE,
            replaced_at    TEXT NOT NULL,
            cost_source    TEXT NOT NULL,
            cost_currency  TEXT NOT NULL,
            cost_total     TEXT,
            cost_input     TEXT,
            cost_output    TEXT,
            cost_reasoning TEXT,
            price_json     TEXT NOT NULL DEFAULT '{}'
        )
        """
    )
    conn.execute("CREATE INDEX cost_history_by_turn ON cost_history(turn_id, replaced_at)")


# v4: the word index with prefix indexes (search-as-you-type) and the substring index for
# scripts written without spaces. Both are filled by triggers; the substring index holds what
# the SQL function `thinkpane_unspaced` (client.store.scripts.unspaced_runs, registered on every
# connection the store opens) keeps of each text, and only for turns where that is not empty.
_V4_NEW = """
        INSERT INTO turns_trigram(rowid, prompt, answer, reasoning_text)
        SELECT new.seq, p, a, r FROM (
            SELECT thinkpane_unspaced(new.prompt) AS p, thinkpane_unspaced(new.answer) AS a,
                   thinkpane_unspaced(new.reasoning_text) AS r
        ) WHERE p != '' OR a != '' OR r != ''"""
_V4: tuple[str, ...] = (
    "DROP TRIGGER turns_fts_insert",
    "DROP TRIGGER turns_fts_delete",
    "DROP TRIGGER turns_fts_update",
    "DROP TABLE turns_fts",
    """
    CREATE VIRTUAL TABLE turns_fts USING fts5(
        prompt, answer, reasoning_text,
        content='turns', content_rowid='seq',
        tokenize='unicode61 remove_diacritics 2',
        prefix='2 3'
    )
    """,
    "INSERT INTO turns_fts(turns_fts) VALUES ('rebuild')",
    """
    CREATE VIRTUAL TABLE turns_trigram USING fts5(
        prompt, answer, reasoning_text,
        tokenize='trigram'
    )
    """,
    """
    INSERT INTO turns_trigram(rowid, prompt, answer, reasoning_text)
    SELECT seq, p, a, r FROM (
        SELECT seq, thinkpane_unspaced(prompt) AS p, thinkpane_unspaced(answer) AS a,
               thinkpane_unspaced(reasoning_text) AS r
        FROM turns
    ) WHERE p != '' OR a != '' OR r != ''
    """,
    f"""
    CREATE TRIGGER turns_fts_insert AFTER INSERT ON turns BEGIN
        INSERT INTO turns_fts(rowid, prompt, answer, reasoning_text)
        VALUES (new.seq, new.prompt, new.answer, new.reasoning_text);{_V4_NEW};
    END
    """,
    """
    CREATE TRIGGER turns_fts_delete AFTER DELETE ON turns BEGIN
        INSERT INTO turns_fts(turns_fts, rowid, prompt, answer, reasoning_text)
        VALUES ('delete', old.seq, old.prompt, old.answer, old.reasoning_text);
        DELETE FROM turns_trigram WHERE rowid = old.seq;
    END
    """,
    # Only a change to the indexed text re-indexes: usage and cost updates stay cheap.
    f"""
    CREATE TRIGGER turns_fts_update AFTER UPDATE OF prompt, answer, reasoning_text ON turns BEGIN
        INSERT INTO turns_fts(turns_fts, rowid, prompt, answer, reasoning_text)
        VALUES ('delete', old.seq, old.prompt, old.answer, old.reasoning_text);
        INSERT INTO turns_fts(rowid, prompt, answer, reasoning_text)
        VALUES (new.seq, new.prompt, new.answer, new.reasoning_text);
        DELETE FROM turns_trigram WHERE rowid = old.seq;{_V4_NEW};
    END
    """,
)


def _v4_search_as_typed(conn: sqlite3.Connection) -> None:
    """Rebuild the word index with prefix indexes; add the substring index for CJK, Thai…"""
    for statement in _V4:
        conn.execute(statement)


def _v5_ledger_index(conn: sqlite3.Connection) -> None:
    """The ledger's columns in an index of their own, so `thinkpane usage`, the spend view and
    crash recovery read a few hundred kilobytes instead of the whole history.

    In the turns table the figures (status, tokens, cost) come after the prompt, the answer and
    the reasoning, which spill into overflow pages: reading a figure walks past the text, so a
    sum over 10,000 turns of 15 KB reasoning read 300 MB. Two indexes (by time, by
    conversation) hold every column the ledger queries touch, so SQLite answers them from an
    index alone; crash recovery gets an index on the status.
    """
    figures = (
        "provider, model, visibility, input_tokens, cached_input_tokens, cache_write_tokens, "
        "output_tokens, reasoning_tokens, cost_source, cost_total, cost_reasoning"
    )
    # By time (a total, --since, days, weeks, months, models, providers) and by conversation.
    conn.execute(f"CREATE INDEX turns_ledger ON turns(created_at, conversation_id, {figures})")
    conn.execute(
        f"CREATE INDEX turns_ledger_by_conversation ON turns(conversation_id, created_at, {figures})"
    )
    # Crash recovery looks for turns left streaming: a lookup, not a walk through the text.
    conn.execute("CREATE INDEX turns_by_status ON turns(status)")


def _v6_comparisons(conn: sqlite3.Connection) -> None:
    """Comparisons: one prompt run in several columns (efforts, models) with several samples.

    Each run is an ordinary turn (a sibling under the comparison's parent); `comparison_runs`
    says which comparison, column and sample it answers. A run retried after a failure or a
    crash adds a row: the newest turn of a (column, sample) is the one that counts."""
    conn.execute(
        """
        CREATE TABLE comparisons (
            id              TEXT PRIMARY KEY,
            conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
            parent_id       TEXT REFERENCES turns(id) ON DELETE CASCADE,
            prompt          TEXT NOT NULL,
            columns_json    TEXT NOT NULL,
            samples         INTEGER NOT NULL,
            set_key         TEXT,
            created_at      TEXT NOT NULL
        )
        """
    )
    conn.execute("CREATE INDEX comparisons_by_conversation ON comparisons(conversation_id)")
    conn.execute("CREATE INDEX comparisons_by_set ON comparisons(set_key)")
    conn.execute(
        """
        CREATE TABLE comparison_runs (
            comparison_id TEXT NOT NULL REFERENCES comparisons(id) ON DELETE CASCADE,
            turn_id       TEXT NOT NULL UNIQUE REFERENCES turns(id) ON DELETE CASCADE,
            turn_seq      INTEGER NOT NULL,
            column_index  INTEGER NOT NULL,
            sample_index  INTEGER NOT NULL
        )
        """
    )
    conn.execute(
        "CREATE INDEX comparison_runs_by_comparison ON comparison_runs(comparison_id, column_index)"
    )
    # The ledger groups by comparison from its covering index, which holds a turn's seq (its
    # rowid), not its id.
    conn.execute("CREATE INDEX comparison_runs_by_seq ON comparison_runs(turn_seq, comparison_id)")


def _v7_ledger_queries(conn: sqlite3.Connection) -> None:
    """The ledger's indexes hold only the turns that were queries, so SQLite uses them.

    Every ledger sum counts only turns that reached the model (`ledger.IS_QUERY`), and that
    test reads the answer and the reasoning, which v5's indexes do not hold: SQLite walked the
    whole table again (50 ms on 10,000 turns, growing with the history, on every `thinkpane
    usage` and every start of the window). As partial indexes whose condition is that test,
    written exactly as the queries write it, they answer those queries alone (3 ms). The
    conversation list counts each conversation's chat turns from an index of its own.
    """
    from client.store.ledger import IS_QUERY  # the same text as the queries, or it is not used

    figures = (
        "provider, model, visibility, input_tokens, cached_input_tokens, cache_write_tokens, "
        "output_tokens, reasoning_tokens, cost_source, cost_total, cost_reasoning"
    )
    conn.execute("DROP INDEX turns_ledger")
    conn.execute("DROP INDEX turns_ledger_by_conversation")
    conn.execute(
        f"CREATE INDEX turns_ledger ON turns(created_at, conversation_id, {figures}) "
        f"WHERE {IS_QUERY}"
    )
    conn.execute(
        f"CREATE INDEX turns_ledger_by_conversation ON turns(conversation_id, created_at, "
        f"{figures}) WHERE {IS_QUERY}"
    )
    conn.execute("CREATE INDEX turns_purpose_by_conversation ON turns(conversation_id, purpose)")


MIGRATIONS: Sequence[Migration] = (
    _v1_initial,
    _v2_audit_summaries,
    _v3_cost_history,
    _v4_search_as_typed,
    _v5_ledger_index,
    _v6_comparisons,
    _v7_ledger_queries,
)
SCHEMA_VERSION = len(MIGRATIONS)
