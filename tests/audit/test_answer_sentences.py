"""A final answer written as a sentence states its number; no false alarm for "The total is $55."."""

from __future__ import annotations

import pytest

from client.audit import audit_trace

REASONING = "Step one: 5 × 11 = 55.\n\nThe answer is 55."


def mismatches(answer: str) -> list[str]:
    return [
        f.message
        for f in audit_trace(REASONING, answer=answer).findings
        if f.check == "answer_mismatch"
    ]


@pytest.mark.parametrize(
    "answer",
    ["The total is $55.", "So she pays $55 in total.", "**55**", "It costs $55.00.", "`55`", "$55"],
)
def test_an_answer_sentence_agreeing_with_the_reasoning_is_not_flagged(answer):
    assert mismatches(answer) == []


@pytest.mark.parametrize("answer", ["The total is $56.", "**56**"])
def test_an_answer_sentence_with_another_number_is_flagged(answer):
    assert any("concludes 55 (step 2), but the answer says 56" in m for m in mismatches(answer))


def test_a_sentence_with_several_numbers_is_not_compared_with_the_conclusion():
    assert not any("concludes" in m for m in mismatches("She has 3 apples and 55 pears."))
