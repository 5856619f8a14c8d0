"""Fixtures for store tests: a real database file under the temporary THINKPANE_HOME."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest

from client.core.conversation import ReasoningTrace, Timing, Turn, TurnSettings, new_id
from client.core.cost import Cost, CostSource
from client.core.errors import ErrorInfo, ErrorKind
from client.core.events import TurnStatus, Visibility
from client.core.usage import Usage
from client.store import Store


@pytest.fixture
def store() -> Iterator[Store]:
    with Store.open() as opened:
        yield opened


def full_turn(conversation_id: str, **changes: Any) -> Turn:
    """A finished turn with every field set to something other than its default."""
    values: dict[str, Any] = {
        "id": new_id("t"),
        "conversation_id": conversation_id,
        "prompt": "What is 17 × 23? Show your work.",
        "provider": "anthropic",
        "model": "claude-sonnet-4-5",
        "created_at": "2026-11-27T18:00:00.000000Z",
        "base_url": "https://api.anthropic.com",
        "model_reported": "claude-sonnet-4-5-20250929",
        "status": TurnStatus.COMPLETE,
        "answer": "**391**",
        "reasoning": ReasoningTrace(
            visibility=Visibility.SUMMARY,
            text="17 × 20 = 340; 17 × 3 = 51; 340 + 51 = 391.",
            tokens=1408,
            redacted_blocks=1,
            opaque=[
                {"type": "thinking", "thinking": "…", "signature": "EqQBCkYIBxgCKkB"},
                {"type": "redacted_thinking", "data": "EmwKAhgBEgy3va3pzix/LafPsn4a"},
            ],
        ),
        "usage": Usage(13, 0, 0, 1680, 1408),
        "cost": Cost(
            CostSource.PRICES,
            "USD",
            Decimal("0.025239"),
            Decimal("0.000039"),
            Decimal("0.0252"),
            Decimal("0.02112"),
            {"input_mtok": "3", "output_mtok": "15", "data_version": "0.2.3"},
        ),
        "timing": Timing(0.41, 3.2, 9.8, 2.79),
        "settings": TurnSettings("high", 8000, "auto", 16000, "Be brief."),
        "error": None,
        "stop_reason": "end_turn",
        "note": "a note",
        "purpose": "chat",
    }
    values.update(changes)
    return Turn(**values)


@pytest.fixture
def make_turn() -> Callable[..., Turn]:
    return full_turn


def an_error() -> ErrorInfo:
    return ErrorInfo(ErrorKind.RATE_LIMIT, "Slow down; try again in a minute.", True, 429)
