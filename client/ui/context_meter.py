"""How much of the model's context window the conversation already takes, shown above the composer.

A long conversation stops fitting at some point: the provider refuses it, or drops its start
without a word. The meter says "Context: ≈12,504 of 200,000 tokens (6%, estimated)" for the
branch shown and the model chosen, so the user can branch or start afresh in time. It counts
what would be sent again with the next prompt: the system prompt, every earlier prompt and
answer of the branch, and the earlier reasoning when the conversation sends it back. The figure
is client.core.context's estimate (no tokenizer), computed on a background job; a newer request
drops an older one's result.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QLabel, QWidget

from client.core.events import TurnStatus
from client.ui.jobs import BackgroundJobs, JobHandle
from client.ui.live import TurnState

# What the turn controller sends again as history (client.session): answered chat turns.
_SENT_AGAIN = {TurnStatus.COMPLETE, TurnStatus.LENGTH, TurnStatus.INTERRUPTED}

METER_TIP = (
    "An estimate of how much of the model's context window the next prompt starts with: the "
    "system prompt and every earlier prompt and answer of the branch shown{reasoning}. Counted "
    "at about four characters a token (one a character for Chinese, Japanese and Korean), so "
    "expect ±20%. Local servers often run with a smaller window than the model's own."
)


def history_texts(
    states: Iterable[TurnState], system: str | None, send_reasoning: bool
) -> list[str]:
    """The texts that go back with the next prompt, one message each."""
    texts = [system] if system else []
    for state in states:
        if state.turn.purpose != "chat" or state.status not in _SENT_AGAIN:
            continue
        texts.append(state.turn.prompt)
        if send_reasoning and state.reasoning.length:
            texts.append(state.reasoning.text())
        texts.append(state.answer.text())
    return texts


def context_line(texts: list[str], model: str) -> tuple[str, bool]:
    """The meter's words for these texts and model, and whether they overflow the window."""
    from client.core.context import context_usage, context_window

    usage = context_usage(texts, "", context_window(model))
    return f"Context: {usage.describe()}", usage.over


class ContextMeter(QLabel):
    """One line: the estimated context use of the branch shown, for the model chosen.

    Signals: none.
    """

    def __init__(self, jobs: BackgroundJobs, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("context_meter")
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.setContentsMargins(8, 2, 12, 0)
        self.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self._jobs = jobs
        self._job: JobHandle | None = None
        self.hide()

    def estimate(
        self,
        states: list[TurnState],
        system: str | None,
        model: str | None,
        send_reasoning: bool,
    ) -> None:
        """Work out the line for this branch and model, off the GUI thread ("" when no model)."""
        if self._job is not None:
            self._job.cancel()
            self._job = None
        if model is None:
            self.hide()
            return
        texts = history_texts(states, system, send_reasoning)  # references, not copies
        reasoning = ", and the earlier reasoning, which this conversation sends back"
        self.setToolTip(METER_TIP.format(reasoning=reasoning if send_reasoning else ""))
        self._job = self._jobs.run(lambda: context_line(texts, model), self._on_line_ready)

    def _on_line_ready(self, result: tuple[str, bool]) -> None:
        self._job = None
        text, over = result
        self.setText(("⚠ " if over else "") + text + (": too long for this model" if over else ""))
        role = QPalette.ColorRole.Text if over else QPalette.ColorRole.PlaceholderText
        self.setForegroundRole(role)
        self.show()

    @property
    def busy(self) -> bool:
        return self._job is not None
