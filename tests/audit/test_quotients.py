"""Divisions with a remainder and floors and ceilings of numbers: false ones pinned, true
ones and those inside a larger expression or a doubting sentence left alone."""

from __future__ import annotations

import pytest

from client.audit import audit_trace
from client.audit.quotients import check_quotients
from client.audit.segment import from_texts
from client.core.audit import Severity


def flags(text: str) -> list[str]:
    return [f.message for f in check_quotients(from_texts([text]))]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "Divide 512 by 9: 512 ÷ 9 = 56 with a remainder of 6.",
            "512 ÷ 9 is 56 remainder 8, not 56 remainder 6 (56 × 9 + 6 is 510).",
        ),
        (
            r"First, $$437\div 8=53\;\mathrm{R}\;7.$$ So the last digit is 7.",
            "437 ÷ 8 is 54 remainder 5, not 53 remainder 7 (53 × 8 + 7 is 431).",
        ),
        (
            "Then 23 divided by 4 is 6 with a remainder of 3.",
            "23 ÷ 4 is 5 remainder 3, not 6 remainder 3 (6 × 4 + 3 is 27).",
        ),
        (
            "The digits:\n- \\(900 \\div 5^3 = 900 \\div 125 = 7\\) remainder \\(35\\)\n"
            "- \\(35 \\div 25 = 1\\) remainder \\(10\\)",
            "900 ÷ 125 is 7 remainder 25, not 7 remainder 35 (7 × 125 + 35 is 910).",
        ),
        (
            r"\[1,000 \div 7 = 142 \text{ remainder } 8,\]",
            "1000 ÷ 7 is 142 remainder 6, not 142 remainder 8 (142 × 7 + 8 is 1002).",
        ),
        (r"So \(\lceil 5.3 \rceil = 5\).", "The ceiling of 5.3 is 6, not 5."),
        (r"Then \(\lceil -2.4 \rceil = -3\).", "The ceiling of -2.4 is -2, not -3."),
        (
            r"\[ \left\lfloor \frac{500}{7} \right\rfloor = 72 \]",
            "The floor of 500/7 is 71, not 72.",
        ),
        (r"so $\lfloor\sqrt{40}\rfloor = 7$.", "The floor of √40 is 6, not 7."),
        ("Thus ⌈7/2⌉ = 3.", "The ceiling of 7/2 is 4, not 3."),
    ],
)
def test_false_claims_are_errors(text: str, message: str) -> None:
    assert flags(text) == [message]


@pytest.mark.parametrize(
    "text",
    [
        "512 ÷ 9 = 56 with a remainder of 8.",
        r"$$437\div 8=54\;\mathrm{R}\;5.$$",
        "23 divided by 4 is 5 with a remainder of 3.",
        # Not a reduced remainder, but the equation holds: not an error.
        "23 ÷ 4 = 4 remainder 7.",
        # Part of a larger expression.
        "2 × 23 ÷ 4 = 11 remainder 2 of the pairs.",
        # A sentence that doubts or corrects.
        "Is 23 ÷ 4 = 6 remainder 3? No.",
        "It is not true that 23 ÷ 4 = 6 with a remainder of 3.",
        # Floors and ceilings that are right, or not of a number.
        r"\(\lceil 5.3 \rceil = 6\) and \(\lfloor -2.4 \rfloor = -3\).",
        r"\(\lfloor \sqrt{49} \rfloor = 7\), \(\lceil \sqrt{50} \rceil = 8\)",
        r"\(\lceil x \rceil = 4\) means \(3 < x \le 4\).",
        r"\(\lfloor n + d \rfloor = n\)",
        r"\(\lceil 2.5 \rceil + \lceil -2.5 \rceil = 3 + (-2) = 1\)",
        r"\(\lceil 2.5 \rceil = 3 + 0\)",
        r"If \(\lceil 5.3 \rceil = 5\) were true we would be done.",
        # A floor closed by a ceiling is a typo, not a claim we read.
        r"\(\lfloor 5.3 \rceil = 5\)",
        # Decimals are not whole-number quotients.
        "23 ÷ 4 = 5.75, remainder 3.",
    ],
)
def test_true_or_unclear_claims_are_left_alone(text: str) -> None:
    assert flags(text) == []


def test_the_finding_points_at_the_claim_in_the_whole_audit() -> None:
    text = "Divide 100 by 7: 100 ÷ 7 = 14 with a remainder of 3. So the day is Tuesday."
    result = audit_trace(steps=["We need the weekday.", text])
    errors = [f for f in result.findings if f.severity is Severity.ERROR]
    assert result.first_error_step == 1
    assert len(errors) == 1
    start, end = errors[0].start, errors[0].end
    assert start is not None and end is not None
    assert text[start:end] == "100 ÷ 7 = 14 with a remainder of 3"
