"""The one audit of a turn: `audit_of(turn)`, computed once and shared by everyone who asks.

A finished turn is audited by the worker that stored it (for search's findings filter), by the
window when it is selected (the steps view and the strip), by the critic (its prompt numbers the
same steps), and by the report. Auditing a 100,000-character trace takes a noticeable moment,
and every caller must see the same steps, so the result is kept per turn and auditor version
(and the text it read: a turn still growing is audited again). Callers must treat the result as
read-only. Thread-safe: the worker, the window's pool and the critic's job may ask at once.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from client.audit import AUDITOR_VERSION, audit_trace
from client.core.audit import AuditResult
from client.core.conversation import Turn
from client.core.events import TurnStatus, Visibility
from client.core.fold import visibility_of

# Audits kept: the turns a user moves between in one sitting. An audit holds its steps' text,
# so this bounds the memory to a few traces' worth.
KEPT = 64

_Key = tuple[str, int, TurnStatus, int, int, str, str]
_kept: OrderedDict[_Key, AuditResult] = OrderedDict()
_lock = threading.Lock()


def _key(turn: Turn) -> _Key:
    text = turn.reasoning.text
    # Text lengths and ends stand for the text: cheap, and a turn's text only grows.
    return (
        turn.id,
        AUDITOR_VERSION,
        turn.status,
        len(text),
        len(turn.answer),
        text[-64:],
        turn.answer[-64:],
    )


def has_trace(turn: Turn) -> bool:
    """Whether the turn shows reasoning text to audit (raw, or a provider's summary)."""
    return visibility_of(turn) in (Visibility.RAW, Visibility.SUMMARY)


def audit_of(turn: Turn, *, apart: bool = False) -> AuditResult:
    """The audit of the turn's reasoning text (no steps when it has none).

    A trace not kept yet is audited in this thread, or with `apart` (the window's threads) by
    `audit_apart`: a long trace in the auditor's own process."""
    if not turn.reasoning.text.strip():
        return AuditResult(steps=[])
    key = _key(turn)
    with _lock:
        if key in _kept:
            _kept.move_to_end(key)
            return _kept[key]
    result = (audit_apart if apart else audit_trace)(
        turn.reasoning.text,
        problem=turn.prompt or None,
        answer=turn.answer or None,
        truncated=turn.status is TurnStatus.LENGTH,
    )
    with _lock:
        result = _kept.setdefault(key, result)  # two callers at once: the first one's is kept
        _kept.move_to_end(key)
        while len(_kept) > KEPT:
            _kept.popitem(last=False)
    return result


def forget() -> None:
    """Drop every kept audit (a test's fresh start; the auditor's checks replaced)."""
    with _lock:
        _kept.clear()


def audit_apart(
    reasoning: str,
    *,
    problem: str | None = None,
    answer: str | None = None,
    truncated: bool = False,
) -> AuditResult:
    """`audit_trace`, in the auditor's process (client.audit.process) for a long trace: for the
    window's threads, whose audits must not hold the interpreter lock the GUI thread needs. A
    short trace, or one no process could take, is audited in this thread."""
    from client.audit.process import PROCESS_CHARS, AuditProcess, AuditUnavailable

    if len(reasoning) >= PROCESS_CHARS:
        try:
            return AuditProcess.shared().audit(
                reasoning, problem=problem, answer=answer, truncated=truncated
            )
        except AuditUnavailable:
            pass
    return audit_trace(reasoning, problem=problem, answer=answer, truncated=truncated)
