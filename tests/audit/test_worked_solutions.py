"""A value claimed for the unknown and worked out in the same chain (`x = \\frac{12}{4} = 3`) is
substituted back into the equation it came from, like a plain `x = 3`."""

from __future__ import annotations

import pytest

from client.audit import audit_trace
from client.core.audit import Severity


def errors(*steps: str) -> list[str]:
    result = audit_trace(steps=list(steps))
    return [f.message for f in result.findings if f.severity is Severity.ERROR]


def test_a_worked_out_value_that_does_not_solve_its_equation_is_an_error() -> None:
    text = r"We have \(\frac{3}{5} = \frac{x}{8 - x} \Rightarrow x = \frac{10}{4} = \frac{5}{2}\)."
    assert errors(text) == [r"x = \frac{10}{4} does not solve \frac{3}{5} = \frac{x}{8 - x}."]


def test_a_linear_equation_solved_wrongly_in_a_chain() -> None:
    text = r"So \(7y - 4 = 24\), which gives \(y = \frac{20}{7} = \frac{20}{7}\)."
    assert len(errors(text)) == 1


@pytest.mark.parametrize(
    "text",
    [
        r"We have \(\frac{3}{5} = \frac{x}{8 - x} \Rightarrow x = \frac{24}{8} = 3\).",
        r"So \(7y - 4 = 24\), which gives \(y = \frac{28}{7} = 4\).",
        # Two roots worked out one after the other: neither is a restatement of the other.
        r"\[ x = \frac{-4 \pm 8}{2 \cdot 3} \] so \[ x = \frac{-4 + 8}{6} = \frac{4}{6} = "
        r"\frac{2}{3} \] \[ x = \frac{-4 - 8}{6} = \frac{-12}{6} = -2 \]",
        # Another case is another equation.
        r"If \(2x = 10\) then \(x = 5\); or if \(3x = 12\), \(x = \frac{12}{3} = 4\).",
    ],
)
def test_right_or_unrelated_worked_values_stay_quiet(text: str) -> None:
    assert errors(text) == []
