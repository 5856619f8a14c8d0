"""What synthetic or long division gives is an identity (`P = (x - a)Q + r`), not an equation
to solve: a lone `=` after such words is judged like one after "factoring"."""

from __future__ import annotations

import pytest

from client.audit import audit_trace
from client.core.audit import Severity


def errors(text: str) -> list[str]:
    result = audit_trace(steps=[text])
    return [f.message for f in result.findings if f.severity is Severity.ERROR]


@pytest.mark.parametrize(
    "text",
    [
        r"Using synthetic division by \((x-2)\), we get: \[ x^3 - 3x^2 + 5x - 5 = (x-2)(x^2 - x + 3). \]",
        r"By long division, \[ x^3 + 2x + 1 = (x - 1)(x^2 + x + 3) + 5. \]",
    ],
)
def test_a_false_quotient_from_division_is_an_error(text: str) -> None:
    assert len(errors(text)) == 1


@pytest.mark.parametrize(
    "text",
    [
        r"Using synthetic division by \((x-2)\), we get: \[ x^3 - 3x^2 + 5x - 6 = (x-2)(x^2 - x + 3). \]",
        r"By long division, \[ x^3 + 2x + 1 = (x - 1)(x^2 + x + 3) + 4. \]",
        # Dividing both sides is solving, not a division of polynomials: an equation stays one.
        r"Dividing both sides by 2, we get: \[ x^2 + 3 = (x - 1)(x + 2) \]",
    ],
)
def test_true_divisions_and_plain_equations_stay_quiet(text: str) -> None:
    assert errors(text) == []
