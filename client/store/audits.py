"""Audit summaries kept with turns: how many findings the auditor made, by severity.

The auditor runs on the text at any time and is fast, so its full result is never stored; only
these counts are, so that search can filter on "has audit findings" without auditing thousands
of turns per query. A summary records the auditor version that made it; a turn whose summary is
missing or older is "unaudited" and is audited again by client.audit_index (the store may not
import the auditor).
"""

from __future__ import annotations

import sqlite3

from client.core.audit import AuditSummary
from client.core.conversation import Turn, utc_now
from client.store.rows import turn_from_row


def save(conn: sqlite3.Connection, turn_id: str, summary: AuditSummary) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO turn_audits"
        " (turn_id, errors, warnings, notes, first_error_step, version, audited_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            turn_id,
            summary.errors,
            summary.warnings,
            summary.notes,
            summary.first_error_step,
            summary.version,
            utc_now(),
        ),
    )


def load(conn: sqlite3.Connection, turn_id: str) -> AuditSummary | None:
    row = conn.execute(
        "SELECT errors, warnings, notes, first_error_step, version FROM turn_audits WHERE turn_id = ?",
        (turn_id,),
    ).fetchone()
    if row is None:
        return None
    return AuditSummary(row[0], row[1], row[2], row[3], row[4])


def unaudited(conn: sqlite3.Connection, version: int, limit: int) -> list[Turn]:
    """Finished chat turns with reasoning text and no summary from this auditor version, newest first."""
    rows = conn.execute(
        """
        SELECT t.* FROM turns AS t
        LEFT JOIN turn_audits AS a ON a.turn_id = t.id
        WHERE t.purpose = 'chat' AND t.status != 'streaming' AND t.reasoning_text != ''
          AND (a.turn_id IS NULL OR a.version < ?)
        ORDER BY t.created_at DESC
        LIMIT ?
        """,
        (version, limit),
    ).fetchall()
    return [turn_from_row(row) for row in rows]


def condition(has_findings: bool | None) -> str:
    """A search condition on the turn `t` (starting with AND), or '' for no filter."""
    if has_findings is None:
        return ""
    exists = (
        "EXISTS (SELECT 1 FROM turn_audits AS a WHERE a.turn_id = t.id"
        " AND a.errors + a.warnings > 0)"
    )
    return f" AND {exists}" if has_findings else f" AND NOT {exists}"
