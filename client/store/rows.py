"""How core values map to table rows and back, exactly.

Kept apart from the queries so that "every field of a Turn round-trips" is one place to read:
each column a Turn has is written here and read back here. Money is stored as decimal text
(never REAL), so a cost reads back as the same Decimal it was written as.
"""

from __future__ import annotations

import json
import sqlite3
from decimal import Decimal
from typing import Any

from client.core.conversation import Conversation, ReasoningTrace, Timing, Turn, TurnSettings
from client.core.cost import Cost, CostSource
from client.core.errors import ErrorInfo
from client.core.events import TurnStatus, Visibility
from client.core.prices import PriceOverride
from client.core.usage import Usage


def dec_text(value: Decimal | None) -> str | None:
    """A Decimal as plain decimal text (no exponent), keeping every digit it has."""
    return None if value is None else format(value, "f")


def text_dec(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def to_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


# Columns written while a turn streams (checkpoint_turn): cheap, and all a crash can lose.
CHECKPOINT_COLUMNS = (
    "answer",
    "reasoning_text",
    "visibility",
    "trace_tokens",
    "redacted_blocks",
    "opaque_json",
    "input_tokens",
    "cached_input_tokens",
    "cache_write_tokens",
    "output_tokens",
    "reasoning_tokens",
)

# The cost columns of a turn (and of a cost_history row), in the order cost_values gives them.
COST_COLUMNS = (
    "cost_source",
    "cost_currency",
    "cost_total",
    "cost_input",
    "cost_output",
    "cost_reasoning",
    "price_json",
)


# Columns finalise_turn rewrites: everything but the turn's identity and place in the tree.
FINAL_COLUMNS = (
    "purpose",
    "provider",
    "model",
    "model_reported",
    "base_url",
    "prompt",
    *CHECKPOINT_COLUMNS,
    "status",
    "stop_reason",
    "note",
    "error_json",
    *COST_COLUMNS,
    "time_to_first_token_s",
    "time_to_first_answer_token_s",
    "total_s",
    "reasoning_s",
    "settings_json",
)

INSERT_COLUMNS = ("id", "conversation_id", "parent_id", "created_at", *FINAL_COLUMNS)


def turn_values(turn: Turn) -> dict[str, Any]:
    """Every column of a turn row (except updated_at, which the store sets)."""
    reasoning, usage, cost, timing = turn.reasoning, turn.usage, turn.cost, turn.timing
    return {
        "id": turn.id,
        "conversation_id": turn.conversation_id,
        "parent_id": turn.parent_id,
        "created_at": turn.created_at,
        "purpose": turn.purpose,
        "provider": turn.provider,
        "model": turn.model,
        "model_reported": turn.model_reported,
        "base_url": turn.base_url,
        "prompt": turn.prompt,
        "answer": turn.answer,
        "reasoning_text": reasoning.text,
        "visibility": str(reasoning.visibility),
        "trace_tokens": reasoning.tokens,
        "redacted_blocks": reasoning.redacted_blocks,
        "opaque_json": to_json(reasoning.opaque),
        "status": str(turn.status),
        "stop_reason": turn.stop_reason,
        "note": turn.note,
        "error_json": to_json(turn.error.to_json()) if turn.error else None,
        "input_tokens": usage.input_tokens,
        "cached_input_tokens": usage.cached_input_tokens,
        "cache_write_tokens": usage.cache_write_tokens,
        "output_tokens": usage.output_tokens,
        "reasoning_tokens": usage.reasoning_tokens,
        **dict(zip(COST_COLUMNS, cost_values(cost), strict=True)),
        "time_to_first_token_s": timing.time_to_first_token_s,
        "time_to_first_answer_token_s": timing.time_to_first_answer_token_s,
        "total_s": timing.total_s,
        "reasoning_s": timing.reasoning_s,
        "settings_json": to_json(turn.settings.to_json()),
    }


def cost_values(cost: Cost) -> tuple[str | None, ...]:
    return (
        str(cost.source),
        cost.currency,
        dec_text(cost.total),
        dec_text(cost.input),
        dec_text(cost.output),
        dec_text(cost.reasoning),
        to_json(cost.price),
    )


def cost_from_row(row: sqlite3.Row) -> Cost:
    price = json.loads(row["price_json"] or "{}")
    return Cost(
        source=CostSource(row["cost_source"]),
        currency=row["cost_currency"],
        total=text_dec(row["cost_total"]),
        input=text_dec(row["cost_input"]),
        output=text_dec(row["cost_output"]),
        reasoning=text_dec(row["cost_reasoning"]),
        price={str(k): str(v) for k, v in price.items()},
    )


def usage_from_row(row: sqlite3.Row) -> Usage:
    return Usage(
        input_tokens=row["input_tokens"],
        cached_input_tokens=row["cached_input_tokens"],
        cache_write_tokens=row["cache_write_tokens"],
        output_tokens=row["output_tokens"],
        reasoning_tokens=row["reasoning_tokens"],
    )


def turn_from_row(row: sqlite3.Row) -> Turn:
    error = json.loads(row["error_json"]) if row["error_json"] else None
    return Turn(
        id=row["id"],
        conversation_id=row["conversation_id"],
        parent_id=row["parent_id"],
        created_at=row["created_at"],
        purpose=row["purpose"],
        provider=row["provider"],
        model=row["model"],
        model_reported=row["model_reported"],
        base_url=row["base_url"],
        prompt=row["prompt"],
        answer=row["answer"],
        reasoning=ReasoningTrace(
            visibility=Visibility(row["visibility"]),
            text=row["reasoning_text"],
            tokens=row["trace_tokens"],
            redacted_blocks=row["redacted_blocks"],
            opaque=json.loads(row["opaque_json"] or "[]"),
        ),
        status=TurnStatus(row["status"]),
        stop_reason=row["stop_reason"],
        note=row["note"],
        error=ErrorInfo.from_json(error) if error else None,
        usage=usage_from_row(row),
        cost=cost_from_row(row),
        timing=Timing(
            time_to_first_token_s=row["time_to_first_token_s"],
            time_to_first_answer_token_s=row["time_to_first_answer_token_s"],
            total_s=row["total_s"],
            reasoning_s=row["reasoning_s"],
        ),
        settings=TurnSettings.from_json(json.loads(row["settings_json"] or "{}")),
    )


def conversation_from_row(row: sqlite3.Row) -> Conversation:
    return Conversation(
        id=row["id"],
        title=row["title"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        system=row["system"],
        settings=json.loads(row["settings_json"] or "{}"),
    )


def price_override_values(override: PriceOverride) -> dict[str, str | None]:
    return {
        "input_mtok": dec_text(override.input_mtok),
        "output_mtok": dec_text(override.output_mtok),
        "cache_read_mtok": dec_text(override.cache_read_mtok),
        "cache_write_mtok": dec_text(override.cache_write_mtok),
    }


def price_override_from_row(row: sqlite3.Row) -> PriceOverride:
    return PriceOverride(
        input_mtok=Decimal(row["input_mtok"]),
        output_mtok=Decimal(row["output_mtok"]),
        cache_read_mtok=text_dec(row["cache_read_mtok"]),
        cache_write_mtok=text_dec(row["cache_write_mtok"]),
        set_at=row["updated_at"],
    )
