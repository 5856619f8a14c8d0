"""The one event fold: a provider's StreamEvents, in order, become a turn.

The worker that streams a turn (client.session) and the window that shows it (the live state in
client/ui/conversation/live.py) both read the same events, and they must agree on what the turn
is: leading whitespace of the reasoning dropped as it arrives, a `Reclassify` moving everything
said so far into the reasoning, which reasoning the user could see (`reasoning_visibility` while it streams,
`visibility_of` once stored), and the
status the turn ends with. The rules live here once, pure and Qt-free; the two owners differ only
in what they do around it (the worker checkpoints and prices, the window repaints).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from decimal import Decimal

from client.core.conversation import Turn
from client.core.errors import ErrorInfo, ErrorKind
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
NO_FINAL_EVENT = "The stream ended without a final event."


def reasoning_visibility(
    reasoning: str | bool,
    kinds: Collection[Visibility] = (),
    *,
    local: bool = False,
    hidden_signs: bool = False,
) -> Visibility:
    """What the user can see of the model's reasoning, from what the stream brought: the rule.

    Text the model wrote is raw unless every part of it came as a provider's summary (a local
    server's reasoning is always its own words); no text but signs the model thought (opaque or
    redacted blocks, reasoning tokens billed) is hidden; nothing at all is none. `reasoning` is
    the text or whether there is any; blank text counts as none."""
    has_text = bool(reasoning.strip()) if isinstance(reasoning, str) else reasoning
    if has_text:
        if local or Visibility.SUMMARY not in kinds:
            return Visibility.RAW
        return Visibility.SUMMARY
    return Visibility.HIDDEN if hidden_signs else Visibility.NONE


def visibility_of(turn: Turn, *, has_text: bool | None = None) -> Visibility:
    """A turn's visibility, checked against its text: raw or summary reasoning whose text is
    blank (a turn stopped before its reasoning arrived) counts as none. `has_text` stands for the
    turn's own text when the caller holds the text elsewhere (the window's live picture)."""
    visibility = Visibility(turn.reasoning.visibility)
    if has_text is None:
        has_text = bool(turn.reasoning.text.strip())
    if visibility in (Visibility.RAW, Visibility.SUMMARY) and not has_text:
        return Visibility.NONE
    return visibility


@dataclass
class TextParts:
    """Text that grows by appending; `since(n)` is what came after the first n parts.

    Joining 100,000 characters on every token would cost more than showing them, so the text is
    kept as parts; `text()` joins only what arrived since it was last asked (the joined text is
    cached), which makes it O(new text). Parts are never merged: a viewer's count stays valid.
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


class TurnFold:
    """One turn's events folded into its text and figures (`apply`, in stream order).

    The fold writes what it learns about the turn into `turn` as it arrives (usage, opaque
    reasoning, the reported model); the text stays in `answer` and `reasoning` as parts until
    `sync_text()` writes it into the turn. `generation` changes when earlier text was rewritten
    (a `Reclassify`): viewers then start again from part 0. `local` says the provider is a
    local server (its reasoning is always raw).
    """

    def __init__(self, turn: Turn, *, local: bool = False) -> None:
        self.turn = turn
        self.local = local
        self.answer = TextParts()
        self.reasoning = TextParts()
        self.kinds: set[Visibility] = set()
        self.notices: list[str] = []
        self.generation = 0
        self.provider_cost: Decimal | None = None
        self.outcome: Finished | Failed | None = None
        self.output_seen = False
        self.first_token_at: float | None = None
        self.first_reasoning_at: float | None = None
        self.first_answer_at: float | None = None

    def apply(self, event: StreamEvent, now: float) -> StreamEvent | None:
        """Fold one event in at time `now`; returns the event as folded (reasoning with its
        leading whitespace dropped), or None when it adds nothing (blank leading reasoning)."""
        turn = self.turn
        if isinstance(event, ReasoningDelta):
            if not self.reasoning.length:
                text = event.text.lstrip()
                if not text:
                    # Blank leading reasoning is not output: the window never sees it, so it
                    # must not turn a failure into "interrupted after output" here either.
                    return None
                event = ReasoningDelta(text, event.kind)
                self.first_reasoning_at = self.first_reasoning_at or now
            self._saw_output(now)
            self.reasoning.append(event.text)
            self.kinds.add(event.kind)
        elif isinstance(event, AnswerDelta):
            self._saw_output(now)
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
            turn.reasoning.opaque.append(event.item)
            if event.redacted:
                turn.reasoning.redacted_blocks += 1
        elif isinstance(event, UsageReport):
            turn.usage = event.usage
            turn.reasoning.tokens = event.usage.reasoning_tokens
            self.provider_cost = event.provider_cost
            turn.model_reported = event.model_reported or turn.model_reported
        elif isinstance(event, Finished | Failed):
            if self.outcome is None:
                self.outcome = event
            if isinstance(event, Failed):
                turn.error = turn.error or event.error
            else:
                turn.stop_reason = event.stop_reason
                turn.model_reported = event.model_reported or turn.model_reported
        elif isinstance(event, Notice):
            self.notices.append(event.message)
        turn.reasoning.visibility = self.visibility
        return event

    def _saw_output(self, now: float) -> None:
        self.output_seen = True
        self.first_token_at = self.first_token_at or now

    @property
    def visibility(self) -> Visibility:
        turn = self.turn
        return reasoning_visibility(
            bool(self.reasoning.length),  # leading whitespace is dropped: non-empty means text
            self.kinds,
            local=self.local,
            hidden_signs=bool(
                turn.reasoning.opaque
                or turn.reasoning.redacted_blocks
                or (turn.usage.reasoning_tokens or 0) > 0
            ),
        )

    def sync_text(self, *, final: bool = False) -> None:
        """Write the text into the turn (O(new text)); at the end the reasoning loses trailing
        whitespace too."""
        reasoning = self.reasoning.text()
        self.turn.reasoning.text = reasoning.rstrip() if final else reasoning
        self.turn.answer = self.answer.text()

    def end(self) -> None:
        """Set the turn's end status from how the stream ended: its final event, a failure (after
        output: interrupted, keeping what arrived; a Stop: interrupted, said so), or no final
        event at all (a protocol fault)."""
        turn, outcome = self.turn, self.outcome
        if isinstance(outcome, Finished):
            turn.status = outcome.status
            turn.stop_reason = outcome.stop_reason
            turn.note = outcome.note
        elif isinstance(outcome, Failed):
            turn.error = outcome.error
            if outcome.error.kind is ErrorKind.CANCELLED:
                turn.status = TurnStatus.INTERRUPTED
                turn.note = STOPPED_NOTE
            elif outcome.after_output or self.output_seen:
                turn.status = TurnStatus.INTERRUPTED
            else:
                turn.status = TurnStatus.ERROR
        else:
            turn.status = TurnStatus.INTERRUPTED
            turn.error = ErrorInfo(ErrorKind.PROTOCOL, NO_FINAL_EVENT)
