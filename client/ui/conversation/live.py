"""What the window shows of one turn, kept up to date as its events arrive.

A running turn's `Turn` belongs to the worker thread that streams it, so the window keeps its own
picture of the turn: the stored record it started from, the text as a list of parts (joining
100,000 characters on every token would cost more than rendering them), and the status. Widgets
remember how many parts they have shown and ask only for the rest, so each update costs what
arrived, not what came before. Stored turns get the same picture, with one part each.
"""

from __future__ import annotations

import time

from client.core.conversation import Turn
from client.core.errors import ErrorInfo
from client.core.events import StreamEvent, TurnStatus, Visibility
from client.core.fold import STOPPED_NOTE, TextParts, TurnFold, visibility_of

__all__ = ["STOPPED_NOTE", "TextParts", "TurnState"]


class TurnState(TurnFold):
    """One turn as the window sees it: the shared event fold (client.core.fold, the same rules
    the worker applies), plus what only the window knows: whether it is still live, and whether
    the user stopped it."""

    def __init__(self, turn: Turn, *, live: bool, local: bool = False) -> None:
        super().__init__(turn, local=local)
        self.live = live
        self.stopped = False
        self.last_event_at = time.monotonic()  # how long the stream has been silent
        if not live:
            if turn.answer:
                self.answer.append(turn.answer)
            if turn.reasoning.text:
                self.reasoning.append(turn.reasoning.text)

    @property
    def id(self) -> str:
        return self.turn.id

    @property
    def status(self) -> TurnStatus:
        return self.turn.status

    @property
    def streaming(self) -> bool:
        return self.live and not self.stopped and self.turn.status is TurnStatus.STREAMING

    @property
    def visibility(self) -> Visibility:
        return super().visibility if self.live else self.turn.reasoning.visibility

    def reasoning_seconds(self) -> float | None:
        """How long the model has thought: stored once finished, measured while streaming."""
        if self.turn.timing.reasoning_s is not None and not self.streaming:
            return self.turn.timing.reasoning_s
        if self.first_reasoning_at is None:
            return None
        return (self.first_answer_at or time.monotonic()) - self.first_reasoning_at

    # Applying events (GUI thread only)

    def silent_for(self) -> float:
        """Seconds since the last event of a streaming turn (0 when it is not streaming)."""
        return time.monotonic() - self.last_event_at if self.streaming else 0.0

    def apply(self, event: StreamEvent, now: float | None = None) -> StreamEvent | None:
        now = time.monotonic() if now is None else now
        self.last_event_at = now
        return super().apply(event, now)

    def mark_stopped(self) -> None:
        """The user pressed Stop: the turn is over for the window, whatever the worker does next."""
        self.stopped = True
        self.turn.status = TurnStatus.INTERRUPTED
        self.turn.note = STOPPED_NOTE

    def finish(self, final: Turn) -> None:
        """The worker is done and the turn is stored; take its figures (and status unless stopped)."""
        self.live = False
        turn = self.turn
        turn.usage, turn.cost, turn.timing = final.usage, final.cost, final.timing
        turn.model_reported = final.model_reported
        turn.reasoning.tokens = final.reasoning.tokens
        turn.reasoning.redacted_blocks = final.reasoning.redacted_blocks
        turn.reasoning.visibility = self.visibility_from(final)
        if not self.stopped:
            turn.status, turn.error = final.status, final.error
            turn.note, turn.stop_reason = final.note, final.stop_reason

    def visibility_from(self, final: Turn) -> Visibility:
        # The stored verdict, unless the window dropped text the worker kept after a stop.
        return (
            visibility_of(final, has_text=bool(self.reasoning.length))
            if self.stopped
            else (final.reasoning.visibility)
        )

    def fail(self, error: ErrorInfo) -> None:
        """The worker itself broke (a bug, not a provider error): show it as the turn's error."""
        self.live = False
        self.turn.error = error
        has_output = bool(self.answer.length or self.reasoning.length)
        self.turn.status = TurnStatus.INTERRUPTED if has_output else TurnStatus.ERROR
