"""What a provider adapter yields while a turn streams: already in canonical form.

An adapter turns one wire format into this small vocabulary; the turn controller, the store,
the window and the command line understand only these.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from client.core.errors import ErrorInfo
from client.core.usage import Usage


class Visibility(StrEnum):
    """How much of the model's reasoning the user can see (docs/cli.md `reasoning.visibility`)."""

    RAW = "raw"  # the model's own chain of thought
    SUMMARY = "summary"  # a provider-made summary
    HIDDEN = "hidden"  # billed, but no text came back (or only encrypted/redacted blocks)
    NONE = "none"  # no reasoning happened


class TurnStatus(StrEnum):
    STREAMING = "streaming"  # stored while the turn runs; never the final word
    COMPLETE = "complete"
    LENGTH = "length"
    REFUSED = "refused"
    INTERRUPTED = "interrupted"
    ERROR = "error"


@dataclass(frozen=True)
class ReasoningDelta:
    """More reasoning text. `kind` is RAW or SUMMARY: what this text is."""

    text: str
    kind: Visibility = Visibility.RAW


@dataclass(frozen=True)
class AnswerDelta:
    text: str


@dataclass(frozen=True)
class Reclassify:
    """Everything streamed as answer so far was reasoning after all (an orphan `</think>`)."""


@dataclass(frozen=True)
class OpaqueReasoning:
    """Reasoning state the provider needs back on the next turn, kept verbatim.

    `item` is the provider's own JSON (an Anthropic thinking/redacted_thinking block, an OpenAI
    reasoning item, OpenRouter reasoning_details, a Gemini part with its thoughtSignature).
    `redacted` marks a block whose text the user can never see.
    """

    item: dict[str, Any]
    redacted: bool = False


@dataclass(frozen=True)
class UsageReport:
    """The latest usage the provider reported (cumulative: the last one wins)."""

    usage: Usage
    provider_cost: Decimal | None = None  # what the provider says it charged, in USD
    model_reported: str | None = None


@dataclass(frozen=True)
class Finished:
    status: TurnStatus
    stop_reason: str | None = None
    note: str | None = None
    model_reported: str | None = None


@dataclass(frozen=True)
class Failed:
    """The stream ended in an error. What arrived before it is kept by the controller."""

    error: ErrorInfo
    # True when text had already streamed: the turn is interrupted, not a plain error.
    after_output: bool = False


@dataclass(frozen=True)
class Notice:
    """Something the user may want to know that is not output (a retry, a clamp of a setting)."""

    message: str
    extra: dict[str, Any] = field(default_factory=dict)


StreamEvent = (
    ReasoningDelta
    | AnswerDelta
    | Reclassify
    | OpaqueReasoning
    | UsageReport
    | Finished
    | Failed
    | Notice
)
