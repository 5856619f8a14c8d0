"""Spoken updates: one sentence for a screen reader when something ends, never one per token.

A person who cannot see the window still needs to know that the answer is complete, that a
turn failed, or that the audit found an error in the reasoning. Qt (6.8 and later) carries such
sentences to the platform's screen reader as a QAccessibleAnnouncementEvent: AT-SPI on Linux,
UIA notifications on Windows, NSAccessibility announcements on macOS. Polite ones wait until
the reader has finished what it is saying. The same sentence goes to the status bar, where a
sighted user sees it and where a reader's "read status bar" command finds it again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent

from client.core import format as fmt
from client.core.cost import CostSource
from client.core.events import TurnStatus
from client.ui.conversation import describe
from client.ui.conversation.live import TurnState

if TYPE_CHECKING:  # the window hands them over; typed only
    from PySide6.QtWidgets import QMainWindow

    from client.ui.audit.controller import AuditController
    from client.ui.turns.runner import TurnRunner

SHOWN_MS = 10_000  # how long the status bar keeps the sentence


def turn_sentence(state: TurnState) -> str:
    """What to say when a turn ends: "Answer complete, 1,680 tokens, $0.0037"."""
    turn = state.turn
    if turn.status is TurnStatus.COMPLETE:
        parts = ["Answer complete"]
        if turn.usage.output_tokens is not None and not turn.usage.is_empty:
            parts.append(fmt.tokens(turn.usage.output_tokens))
        cost = turn.cost
        if cost.source == CostSource.LOCAL:
            parts.append("free, a local model")
        elif cost.source != CostSource.UNKNOWN:
            parts.append(fmt.money(cost.total, cost.currency))
        return ", ".join(parts)
    return describe.status_sentence(state) or "The answer ended."


class Announcer(QObject):
    """Says a sentence to the screen reader and shows it in the window's status bar.

    It listens to the runner (a turn ended) and to the audit (an error found in the reasoning of
    a turn that just ended here; an old turn opened again is not announced a second time).

    Signals:
        sig_announced(str, bool): the sentence, and True when it interrupts (assertive).
    """

    sig_announced = Signal(str, bool)

    def __init__(
        self,
        window: QMainWindow,
        runner: TurnRunner,
        audit: AuditController,
        current_id: Callable[[], str | None],
    ) -> None:
        super().__init__(window)
        self._window = window
        self._current_id = current_id  # the conversation on screen
        self._awaiting_audit: set[str] = set()
        runner.sig_turn_finished.connect(self._on_runner_turn_finished)
        audit.sig_audit_shown.connect(self._on_audit_audit_shown)

    def say(self, sentence: str, assertive: bool = False) -> None:
        event = QAccessibleAnnouncementEvent(self._window, sentence)
        polite = QAccessible.AnnouncementPoliteness
        event.setPoliteness(polite.Assertive if assertive else polite.Polite)
        QAccessible.updateAccessibility(event)
        self._window.statusBar().showMessage(sentence, SHOWN_MS)
        self.sig_announced.emit(sentence, assertive)

    @Slot(object)
    def _on_runner_turn_finished(self, state: TurnState) -> None:
        if state.turn.conversation_id != self._current_id():
            self.say(f"In another conversation: {turn_sentence(state)}")
            return
        failed = state.turn.status in (TurnStatus.ERROR, TurnStatus.REFUSED)
        self.say(turn_sentence(state), assertive=failed)
        if state.turn.status is TurnStatus.COMPLETE:
            self._awaiting_audit.add(state.id)

    @Slot(str, object)
    def _on_audit_audit_shown(self, turn_id: str, audit: Any) -> None:
        if turn_id not in self._awaiting_audit:
            return
        self._awaiting_audit.discard(turn_id)
        step = audit.first_error_step
        if step is not None:
            shown = fmt.step_number(step)  # as the strip and the Steps view number it
            self.say(f"The audit found an error in the reasoning, at step {shown}.")
