"""What the turn controller hands a provider adapter: one turn to send, with its history."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class HistoryTurn:
    """An earlier turn of the branch, as the adapter may need to send it back.

    `opaque` is the reasoning state that provider stored (only echoed to the same provider and
    model); `reasoning` is the visible text, sent back only where a provider requires it.
    """

    prompt: str
    answer: str
    provider: str
    model: str
    reasoning: str = ""
    opaque: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True)
class TurnRequest:
    provider: str
    model: str
    prompt: str
    base_url: str | None = None
    api_key: str | None = field(default=None, repr=False)  # never printed, never stored
    history: tuple[HistoryTurn, ...] = ()
    system: str | None = None
    effort: str | None = None
    thinking_budget: int | None = None
    summary: str | None = None
    max_output_tokens: int | None = None
    # Send earlier visible reasoning back too (the conversation's "reasoning in context" choice).
    send_reasoning: bool = False
