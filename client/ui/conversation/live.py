"""What the window shows of one turn, kept up to date as its events arrive.

A running turn's `Turn` belongs to the worker thread that streams it, so the window keeps its own
picture of the turn: the stored record it started from, the text as a list of parts (joining
100,000 characters on every token would cost more than rendering them), and the status. Widgets
remember how many parts they have shown and ask only for the rest, so each update costs what
arrived, not what came before. Stored turns get the same picture, with one part each.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from client.core.conversation import Turn
from client.core.errors import ErrorInfo
from client.core.events import (
    AnswerDelta,
    Failed,
    Finished,
    Notice,
    OpaqueReasoning,
    ReasoningDelta,
    Reclassify,
    StreamEvent,
    TurnStatus,
    UsageReport,
    Visibility,
)

STOPPED_NOTE = "stopped by the user"


@dataclass
class TextParts:
    """Text that grows by appending; `since(n)` is what came after the first n parts.

    Parts are never merged (a viewer's count must stay valid); the joined text is cached.
    """

    parts: list[str] = field(default_factory=list)
    length: int = 0
    _joined: str = ""
    _joined_parts: int = 0

    def append(self, text: str) -> None:
        self.parts.append(text)
        self.length += len(text)

    def since(self, count: int) -> str:
        return "".join(self.parts[count:])

    def text(self) -> str:
        if self._joined_parts < len(self.parts):
            self._joined += "".join(self.parts[self._joined_parts :])
            self._joined_parts = len(self.parts)
        return self._joined

    def __len__(self) -> int:
        return len(self.parts)


class TurnState:
    """One turn as the window sees it. `generation` changes when earlier text was rewritten
    (a `Reclassify` moved the answer into the reasoning): viewers then start again from part 0."""

    def __init__(self, turn: Turn, *, live: bool, local: bool = False) -> None:
        self.turn = turn
        self.live = live
        self.local = local
        self.stopped = False
        self.generation = 0
        self.answer = TextParts()
        self.reasoning = TextParts()
        self.kinds: set[Visibility] = set()
        self.notices: list[str] = []
        self.first_reasoning_at: float | None = None
        self.first_answer_at: float | None = None
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
        if not self.live:
            return self.turn.reasoning.visibility
        if self.reasoning.length:
            if self.local or Visibility.SUMMARY not in self.kinds:
                return Visibility.RAW
            return Visibility.SUMMARY
        if self.turn.reasoning.redacted_blocks or (self.turn.usage.reasoning_tokens or 0) > 0:
            return Visibility.HIDDEN
        return Visibility.NONE

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

    def apply(self, event: StreamEvent) -> None:
        now = time.monotonic()
        self.last_event_at = now
        if isinstance(event, ReasoningDelta):
            text = event.text if self.reasoning.length else event.text.lstrip()
            if not text:
                return
            self.first_reasoning_at = self.first_reasoning_at or now
            self.reasoning.append(text)
            self.kinds.add(event.kind)
        elif isinstance(event, AnswerDelta):
            self.first_answer_at = self.first_answer_at or now
            self.answer.append(event.text)
        elif isinstance(event, Reclassify):
            moved = (self.reasoning.text() + self.answer.text()).lstrip()
            self.reasoning, self.answer = TextParts(), TextParts()
            if moved:
                self.reasoning.append(moved)
            self.kinds.add(Visibility.RAW)
            self.first_reasoning_at = self.first_reasoning_at or self.first_answer_at
            self.first_answer_at = None
            self.generation += 1
        elif isinstance(event, OpaqueReasoning):
            if event.redacted:
                self.turn.reasoning.redacted_blocks += 1
        elif isinstance(event, UsageReport):
            self.turn.usage = event.usage
            self.turn.reasoning.tokens = event.usage.reasoning_tokens
        elif isinstance(event, Failed):
            self.turn.error = event.error
        elif isinstance(event, Finished):
            self.turn.stop_reason = event.stop_reason
        elif isinstance(event, Notice):
            self.notices.append(event.message)

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
        if (
            self.stopped
            and not self.reasoning.length
            and final.reasoning.visibility in (Visibility.RAW, Visibility.SUMMARY)
        ):
            return Visibility.NONE
        return final.reasoning.visibility

    def fail(self, error: ErrorInfo) -> None:
        """The worker itself broke (a bug, not a provider error): show it as the turn's error."""
        self.live = False
        self.turn.error = error
        has_output = bool(self.answer.length or self.reasoning.length)
        self.turn.status = TurnStatus.INTERRUPTED if has_output else TurnStatus.ERROR
