"""Conversations and turns: what the user asked, what came back, and what it cost.

A turn is one prompt and the model's response to it. Turns form a tree: each has a parent (the
turn before it in its branch), so editing a prompt or regenerating an answer makes a sibling and
overwrites nothing.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from client.core.cost import Cost
from client.core.errors import ErrorInfo
from client.core.events import TurnStatus, Visibility
from client.core.usage import Usage

if TYPE_CHECKING:
    from datetime import datetime


def new_id(prefix: str) -> str:
    """`c_…` for conversations, `t_…` for turns: short, URL-safe, unguessable enough to be unique."""
    # What secrets.token_hex(8) returns, without importing secrets (hmac, hashlib, random: 4 ms of
    # every start-up, bench/run.py startup).
    return f"{prefix}_{os.urandom(8).hex()}"


def utc_now() -> str:
    """Timestamps are ISO 8601 UTC strings with a Z, as in docs/cli.md."""
    from datetime import UTC, datetime  # on first use: the window shows before any stamp

    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def moment_of(stamp: str) -> datetime:
    """The instant a stored timestamp names (`utc_now`'s form, or any ISO 8601), with its zone:
    one written without a zone is read as UTC. ValueError when `stamp` is not a timestamp."""
    from datetime import UTC, datetime

    moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass
class ReasoningTrace:
    """The reasoning of one turn and how much of it the provider let us see."""

    visibility: Visibility = Visibility.NONE
    text: str = ""
    tokens: int | None = None
    redacted_blocks: int = 0
    # Provider state to echo back on the next turn (signatures, encrypted items), verbatim.
    opaque: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        """The contract's `reasoning` object (opaque state is not part of it)."""
        return {
            "visibility": str(self.visibility),
            "text": self.text,
            "tokens": self.tokens,
            "redacted_blocks": self.redacted_blocks,
        }


@dataclass
class Timing:
    time_to_first_token_s: float | None = None
    time_to_first_answer_token_s: float | None = None
    total_s: float | None = None
    # How long the model reasoned before answering, as far as the stream shows it.
    reasoning_s: float | None = None

    def to_json(self) -> dict[str, float | None]:
        def r(v: float | None) -> float | None:
            return None if v is None else round(v, 3)

        return {
            "time_to_first_token_s": r(self.time_to_first_token_s),
            "time_to_first_answer_token_s": r(self.time_to_first_answer_token_s),
            "total_s": r(self.total_s),
        }


@dataclass
class TurnSettings:
    """What the user asked the model for, as sent (the real values, not invented level names)."""

    effort: str | None = None
    thinking_budget: int | None = None
    summary: str | None = None
    max_output_tokens: int | None = None
    system: str | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "effort": self.effort,
            "thinking_budget": self.thinking_budget,
            "summary": self.summary,
            "max_output_tokens": self.max_output_tokens,
            "system": self.system,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> TurnSettings:
        data = data or {}
        return cls(
            effort=data.get("effort"),
            thinking_budget=data.get("thinking_budget"),
            summary=data.get("summary"),
            max_output_tokens=data.get("max_output_tokens"),
            system=data.get("system"),
        )


@dataclass
class Turn:
    id: str
    conversation_id: str
    prompt: str
    provider: str
    model: str
    parent_id: str | None = None
    created_at: str = field(default_factory=utc_now)
    base_url: str | None = None
    model_reported: str | None = None
    status: TurnStatus = TurnStatus.STREAMING
    answer: str = ""
    reasoning: ReasoningTrace = field(default_factory=ReasoningTrace)
    usage: Usage = field(default_factory=Usage)
    cost: Cost = field(default_factory=Cost.unknown)
    timing: Timing = field(default_factory=Timing)
    settings: TurnSettings = field(default_factory=TurnSettings)
    error: ErrorInfo | None = None
    stop_reason: str | None = None
    note: str | None = None
    # "chat" for the user's own turns; "critic" for a model critic's audit (counted in the ledger).
    purpose: str = "chat"

    def to_contract_json(self) -> dict[str, object]:
        """The `ask --json` object of docs/cli.md."""
        return {
            "conversation_id": self.conversation_id,
            "turn_id": self.id,
            "provider": self.provider,
            "model": self.model,
            "model_reported": self.model_reported,
            "status": str(self.status),
            "answer": self.answer,
            "reasoning": self.reasoning.to_json(),
            "usage": self.usage.to_json(),
            "cost": self.cost.to_json(),
            "timing": self.timing.to_json(),
            "error": self.error.to_json() if self.error else None,
        }


@dataclass
class Conversation:
    id: str
    title: str = ""
    created_at: str = field(default_factory=utc_now)
    updated_at: str = field(default_factory=utc_now)
    system: str | None = None
    # Per-conversation settings (default provider/model, whether earlier reasoning goes back, …).
    settings: dict[str, Any] = field(default_factory=dict)
