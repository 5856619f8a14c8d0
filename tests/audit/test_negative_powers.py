"""A negative whole exponent (`a^{-1}`, `x^{-2}`) is a rational expression, read like `1/a`: a
claimed solution is substituted into an equation with one."""

from __future__ import annotations

from fractions import Fraction

import pytest

from client.audit import audit_trace
from client.audit.latex import chains, parse
from client.audit.trees import degree, polynomial_like, whole_exponent
from client.core.audit import Severity


def errors(text: str) -> list[str]:
    result = audit_trace(steps=[text])
    return [f.message for f in result.findings if f.severity is Severity.ERROR]


def test_a_wrong_solution_of_an_equation_with_a_reciprocal() -> None:
    text = r"So \(\frac{1}{4} + b^{-1} = 1 \Rightarrow b^{-1} = \frac{3}{4} \Rightarrow b = \frac{3}{4}\)."
    assert errors(text) == [r"b = \frac{3}{4} does not solve b^{-1} = \frac{3}{4}."]


@pytest.mark.parametrize(
    "text",
    [
        r"So \(\frac{1}{4} + b^{-1} = 1 \Rightarrow b^{-1} = \frac{3}{4} \Rightarrow b = \frac{4}{3}\).",
        r"Then \(x^{-2} \cdot x^{3} = x\) for every nonzero \(x\).",
        r"Note \((t^{-1})^{2} = t^{-2} = \frac{1}{t^2}\).",
    ],
)
def test_true_claims_with_negative_powers_stay_quiet(text: str) -> None:
    assert errors(text) == []


def test_whole_exponents() -> None:
    assert whole_exponent(("neg", ("num", Fraction(3), False))) == -3
    assert whole_exponent(("sym", "n")) is None
    (chain,) = chains(r"\(a^{-2} + 1 = 5\)")
    tree = parse(chain.sides[0])
    assert tree is not None and polynomial_like(tree) and degree(tree) == 2
