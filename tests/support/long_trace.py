"""A stored turn with a 1,500-step reasoning trace whose first error is at step 1,200 (index 1,199)."""

from __future__ import annotations

from client.core.conversation import ReasoningTrace, Turn, new_id
from client.core.events import TurnStatus, Visibility


def long_reasoning(steps: int = 1500, wrong: int = 1199) -> str:
    parts = []
    for i in range(steps):
        a, b = i + 2, 3
        value = a * b + (1 if i == wrong else 0)
        parts.append(
            f"Next we multiply the running factor by three, as before, and write the product down in full: {a} × {b} = {value}."
        )
    return "\n\n".join(parts)


def seed_long(store):
    c = store.create_conversation("A very long trace")
    turn = Turn(
        id=new_id("t"),
        conversation_id=c.id,
        prompt="Multiply everything by three, one at a time.",
        provider="ollama",
        model="qwen3:8b",
        status=TurnStatus.COMPLETE,
        answer="The last product is **4,503**.",
        reasoning=ReasoningTrace(Visibility.RAW, long_reasoning(), None),
    )
    store.insert_turn(turn)
    return c, turn
