"""What the user asks to send (`SendRequest`), which earlier turns go back with it (`sent_back`),
and what the turn controller hands a provider adapter (`TurnRequest`).

Every way of sending in the window (Send, Retry, Regenerate, Edit) builds one `SendRequest`; the
next-turn estimate is worked out for the same value, so what is counted is what is sent.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from client.core.conversation import Turn, TurnSettings
from client.core.events import TurnStatus

# Turns that go back to the model as history: answered (even in part) chat turns; never a
# failed turn or a critic's.
#: The one vocabulary of reasoning efforts, on the command line and in the window; each API takes
#: a subset (client/providers/controls.py says which).
EFFORTS = ("none", "minimal", "low", "medium", "high", "xhigh", "max")

SENT_BACK = frozenset({TurnStatus.COMPLETE, TurnStatus.LENGTH, TurnStatus.INTERRUPTED})


def sent_back(history: Iterable[Turn]) -> list[Turn]:
    """The turns of a branch that go back with the next prompt."""
    return [t for t in history if t.status in SENT_BACK and t.purpose == "chat"]


@dataclass(frozen=True)
class SendRequest:
    """What the user asked to send. `conversation_id` None starts a new conversation (with
    `settings.system` as its system prompt); `parent_id` is the last turn of the history (None:
    the newest branch's); `as_root` sends with no parent and no history (retrying a
    conversation's first turn)."""

    provider: str
    model: str
    prompt: str
    base_url: str | None = None
    conversation_id: str | None = None
    parent_id: str | None = None
    as_root: bool = False
    settings: TurnSettings = field(default_factory=TurnSettings)


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
