"""What was judged of a turn's reasoning, as the Store keeps it: the user's verdict on each step,
and the auditor's summary (its counts, which search's "has audit findings" filters on).
"""

from __future__ import annotations

from collections import defaultdict

from client.core.audit import VERDICTS, AuditSummary
from client.core.conversation import Turn, utc_now
from client.store import audits
from client.store.connection import StoreConnection


class Judgements(StoreConnection):
    """The `Store`'s step-verdict and audit-summary methods."""

    # Step verdicts (the user's own judgement of each reasoning step)

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
            return audits.unaudited(conn, version, limit)
