"""Auditing a turn off the GUI thread, so a 100,000-character trace never freezes the window.

`load_audit` is everything the audit view needs about one turn: the audit itself, the user's
stored verdicts, and the latest stored critic review. It is plain Python; small traces run it
inline, big ones on a QThreadPool through `AuditTask`. A task that is cancelled is disconnected
first (Orange3's rule), so a late result can never reach a view that has moved on to another
turn; the view also checks the generation each result carries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QThreadPool, Signal

from client.core.audit import AuditResult
from client.core.conversation import Turn
from client.store.db import StoreError
from client.store.store import Store

if TYPE_CHECKING:  # client.critic brings the turn controller and keyring: loaded when used
    from client.critic import CriticReview

# Traces longer than this are audited on a pool thread (about 60 ms of auditing on a laptop).
INLINE_CHARS = 20_000


@dataclass(frozen=True)
class AuditLoad:
    """One turn's audit, verdicts and latest critic review, tagged with the request it answers."""

    turn_id: str
    generation: int
    audit: AuditResult
    verdicts: dict[int, tuple[str, str]] = field(default_factory=dict)
    critic: CriticReview | None = None
    problem: str = ""  # a sentence when the store could not be read; the audit is still good


def load_audit(
    store: Store | None, turn: Turn, generation: int = 0, *, apart: bool = False
) -> AuditLoad:
    """The turn's audit (client.audit.service: audited once, whoever asks first) and what the
    store keeps about it. Runs on any thread; with `apart` (a pool thread), a long trace is
    audited in the auditor's own process."""
    from client.audit.service import audit_of, has_trace
    from client.critic import latest_review

    audit = audit_of(turn, apart=apart) if has_trace(turn) else AuditResult(steps=[])
    if store is None:
        return AuditLoad(turn.id, generation, audit)
    try:
        verdicts = store.verdicts(turn.id)
        review = latest_review(store, turn)
    except StoreError as exc:
        return AuditLoad(turn.id, generation, audit, problem=f"Verdicts could not be read: {exc}")
    return AuditLoad(turn.id, generation, audit, verdicts, review)


class AuditTask(QObject):
    """One `load_audit` call on a pool thread, reporting back on the GUI thread.

    The task is a child of the view that started it, so the pool thread never owns it: the view
    deletes it (deleteLater) once it has settled. To cancel, the view disconnects its slots from
    `sig_audit_loaded`/`sig_audit_failed` first, then calls `cancel()`: a job still queued then
    skips the work.

    Signals:
        sig_audit_loaded(object): the AuditLoad, when the audit finished.
        sig_audit_failed(str): a sentence, when auditing raised (a bug in a check, not the text).
        sig_task_settled(): after either of the above, or instead of them once cancelled.
    """

    sig_audit_loaded = Signal(object)
    sig_audit_failed = Signal(str)
    sig_task_settled = Signal()

    def __init__(self, work: Callable[[], AuditLoad], parent: QObject) -> None:
        super().__init__(parent)
        self._work = work
        self.cancelled = False

    def start(self, pool: QThreadPool) -> None:
        # A plain callable: the pool wraps it in a C++ runnable it deletes itself.
        pool.start(self._run)

    def cancel(self) -> None:
        self.cancelled = True

    def _run(self) -> None:
        """On the pool thread."""
        if not self.cancelled:
            try:
                self.sig_audit_loaded.emit(self._work())
            except Exception as exc:  # a sentence in the view, never a crash of the window
                self.sig_audit_failed.emit(failed_sentence(exc))
        self.sig_task_settled.emit()


def failed_sentence(exc: Exception) -> str:
    """What the view says when an audit raised (a bug in a check, or the auditor's process
    gave up): "The audit failed: ZeroDivisionError: …"."""
    from client.audit.process import AuditFailed  # loaded with the auditor

    # The auditor's process names the error itself.
    named = str(exc) if isinstance(exc, AuditFailed) else f"{type(exc).__name__}: {exc}"
    return f"The audit failed: {named}"
