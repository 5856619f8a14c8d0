"""'≠' between plain values: false when the values are equal, silent otherwise."""

from __future__ import annotations

import pytest

from client.audit import audit_trace
from client.audit.segment import from_texts
from client.audit.unequal import check_unequal


def flags(text: str) -> list[str]:
    return [f.message for f in check_unequal(from_texts([text]))]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            r"Testing \(y = 2\): \[3(2)^2 - 5(2) - 2 = 12 - 10 - 2 \neq 0.\]",
            "12 - 10 - 2 is 0, so it is not ≠ 0.",
        ),
        ("So 7 × 8 ≠ 56 and we move on.", "7 × 8 is 56, so it is not ≠ 56."),
        (
            r"\(\frac{1}{4} + \frac{1}{4} \ne \frac{1}{2}\)",
            "(1/4) + (1/4) is 0.5, so it is not ≠ (1/2).",
        ),
    ],
)
def test_an_equal_pair_called_unequal_is_an_error(text: str, message: str) -> None:
    assert flags(text) == [message]


@pytest.mark.parametrize(
    "text",
    [
        r"\[3(3)^2 - 5(3) - 2 = 27 - 15 - 2 \neq 0.\]",
        r"Since \(x \neq 0\), we divide by \(x\).",
        r"\(a_1 \neq 3\)",
        r"If \(4 + 4 \neq 8\), something is off.",
        "Is 3 × 3 ≠ 9?",
        r"\(\sin^2\theta \ne 0\)",
        "The answer 12 ≠ 13, the expected one.",
        "We have 2 apples ≠ 2 pears.",
    ],
)
def test_true_or_unread_inequations_are_left_alone(text: str) -> None:
    assert flags(text) == []


def test_the_whole_audit_pins_the_step() -> None:
    steps = ["Try the root 1.", r"\[1^3 - 1 = 1 - 1 \neq 0,\] so 1 is not a root."]
    result = audit_trace(steps=steps)
    assert result.first_error_step == 1


@pytest.mark.parametrize("text", [r"\(a_3 \neq 3\)", r"\(2x \neq 2\)", r"\(3 \neq 3y\)"])
def test_a_number_glued_to_a_name_is_not_read(text: str) -> None:
    assert flags(text) == []
