"""The audit index: the summary of each finished turn's audit, kept with the turn in the store.

Search's "has audit findings" filter cannot audit thousands of turns per query, so the counts of
every finished chat turn's audit are stored beside it: recorded as the turn is finalised (by the
turn controller, on the worker) and backfilled for turns stored before this auditor version
(older turns, imports) when search first needs them. The audit itself is the one
client.audit.service keeps, so the window that shows the turn next does not audit it again.
Here because it needs both the auditor and the store, which may not import each other.
"""

from __future__ import annotations

from client.core.conversation import Turn
from client.core.events import TurnStatus
from client.store.store import Store


def record_audit(store: Store, turn: Turn, *, apart: bool = False) -> bool:
    """Keep the summary of a finished chat turn's audit for search (the audit itself is the one
    client.audit.service keeps, so the window that shows the turn next does not audit it again).
    With `apart` (the window's turns), a long trace is audited in the auditor's own process.
    The audit is only an index here: a failure of it must never cost the user their turn, so it
    is swallowed."""
    if turn.purpose != "chat" or not turn.reasoning.text or turn.status is TurnStatus.STREAMING:
        return False
    from client.audit import AUDITOR_VERSION
    from client.audit.service import audit_of

    try:
        store.set_audit_summary(turn.id, audit_of(turn, apart=apart).summary(AUDITOR_VERSION))
    except Exception:
        return False
    return True


def backfill_audits(store: Store, limit: int = 500) -> int:
    """Audit stored turns that have no summary from this auditor yet (older turns, imports)."""
    from client.audit import AUDITOR_VERSION

    return sum(record_audit(store, turn) for turn in store.unaudited_turns(AUDITOR_VERSION, limit))
