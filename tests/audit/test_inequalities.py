"""An inequality ends the equality chain before it: `(-2)(-3) = 5 > 0` claims (-2)(-3) = 5,
which is false. A name given a value beside an inequality is a case or a condition, never a
quantity the rest of the step reads."""

from __future__ import annotations

import pytest

from client.audit import audit_trace
from client.audit.arithmetic import check_step
from client.core.audit import Severity


def errors(text: str) -> list[str]:
    return [f.message for f in check_step(0, text) if f.severity is Severity.ERROR]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (r"At \(t = 4\): \((4-1)(4-6) = (3)(-2) = 6 > 0\).", "(3)(-2) is -6, not 6."),
        (r"\[ (1.5)(2.5)(-0.5) = -1.775 < 0 \]", "(1.5)(2.5)(-0.5) is -1.875, not -1.775."),
        (r"Then \(7^2 = 48 \geq 40\), so it works.", "7^2 is 49, not 48."),
        ("Since 5 + 5 = 11 > 10, we stop.", "5 + 5 is 10, not 11."),
        (r"We need 3 \times 4 = 13 \le 20.", "3 × 4 is 12, not 13."),
        (r"so \[ (x + y)^2 \le (2 + 3)^2 = 15^2 = 225 \]", "(2 + 3)^2 is 25, but 15^2 is 225."),
    ],
)
def test_an_equality_before_an_inequality_is_checked(text: str, message: str) -> None:
    assert errors(text) == [message]


@pytest.mark.parametrize(
    "text",
    [
        r"At \(t = 4\): \((4-1)(4-6) = (3)(-2) = -6 < 0\).",
        r"For \(0 \le a < 0.5\) we have \(A = 0\), and - \(A = 1\) if \(0.5 \le a < 1\).",
        r"If \(x > 3\) then \(x = 5\) works, and - \(x = 4\) too.",
        r"Since \(3 > 2\), we get \(2 + 3 = 5\).",
        r"\(n \geq 2 = k\) for every \(k\)",
        r"Cases: \(x = 1\) when \(y < 0\), \(x = 2\) when \(y > 0\).",
    ],
)
def test_true_equalities_and_conditions_beside_inequalities_stay_quiet(text: str) -> None:
    assert errors(text) == []


def test_a_condition_binds_no_name_for_later_steps() -> None:
    steps = [
        r"Let \(A = 1\) if \(0.5 \le a < 1\) and \(A = 0\) if \(a < 0.5\).",
        r"Then \(A + 2 = 2\) in the first case.",
    ]
    result = audit_trace(steps=steps)
    assert not [f for f in result.findings if f.severity is Severity.ERROR]
