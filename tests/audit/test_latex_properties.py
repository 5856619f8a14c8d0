"""Properties of the LaTeX reader and the symbolic check for any text: no exception, spans
inside the step covering an "=", the time budget respected, and exact judgement of
generated identities and evaluations."""

from __future__ import annotations

from math import comb, factorial

from hypothesis import given, settings
from hypothesis import strategies as st

from client.audit import audit_trace
from client.audit.latex import chains, parse
from client.audit.segment import from_texts
from client.audit.symbolic import Budget, check_symbolic

PIECES = [
    "1", "7", "12", "0.5", "10{,}000", "x", "y", "n", "k", "f", "=", " = ", "&=", "\\\\", "+",
    "-", "\\cdot", "\\times", "\\div", "/", "^", "^{", "_", "_{", "!", "(", ")", "{", "}", "[",
    "]", "\\left(", "\\right)", "\\frac{", "\\dfrac{", "\\binom{", "\\sqrt{", "\\sqrt[3]{",
    "\\sum_{k=1}^{", "\\prod_{k=1}^{", "\\log_", "\\ln", "\\sin", "\\cos", "^\\circ", "\\pi",
    "\\gcd(", "\\bmod", "\\pmod{", "\\ldots", "\\text{", "\\text{ or }", "\\operatorname{lcm}(",
    "\\boxed{", "\\|", "\\vec{", ",", " ", "\n", "- ", "$", "\\(", "\\)", "\\[", "\\]",
    "\\begin{align*}", "\\end{align*}", "Expanding, ", "so ", "not ", "check ",
]  # fmt: skip
latex_text = st.lists(st.sampled_from(PIECES), max_size=50).map("".join)
wrapped = latex_text.map(lambda body: f"So \\({body}\\) and \\[{body}\\].")
any_text = st.one_of(st.text(max_size=300), latex_text, wrapped)


@settings(max_examples=400, deadline=None)
@given(any_text)
def test_the_reader_never_raises_and_sides_lie_inside_the_text(text: str) -> None:
    for chain in chains(text):
        assert len(chain.sides) >= 2
        for side in chain.sides:
            assert 0 <= side.start < side.end <= len(text)
            parse(side)  # any tree or None, never an exception


@settings(max_examples=300, deadline=None)
@given(st.lists(any_text, max_size=5))
def test_symbolic_findings_point_at_an_equality_inside_their_step(steps: list[str]) -> None:
    split = from_texts(steps)
    for finding in check_symbolic(split):
        assert finding.step is not None and finding.start is not None and finding.end is not None
        text = split[finding.step].text
        assert 0 <= finding.start < finding.end <= len(text)
        assert "=" in text[finding.start : finding.end]


@settings(max_examples=100, deadline=None)
@given(st.lists(wrapped, min_size=1, max_size=5))
def test_the_budget_is_respected(steps: list[str]) -> None:
    clock = Budget(0.0)
    assert not clock.left()
    # With no time left, nothing that needs SymPy is judged, and the audit still completes.
    for finding in check_symbolic(from_texts(steps), budget=0.0):
        assert "are not equal" not in finding.message and "about" not in finding.message


@settings(max_examples=100, deadline=None)
@given(st.lists(any_text, max_size=4), st.one_of(st.none(), any_text))
def test_the_whole_audit_never_raises_on_latex(steps: list[str], answer: str | None) -> None:
    audit_trace(steps=steps, answer=answer)


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 30), st.integers(0, 30), st.integers(-3, 3))
def test_binomials_are_judged_exactly(n: int, k: int, slip: int) -> None:
    value = comb(n, k) + slip
    text = f"\\( \\binom{{{n}}}{{{k}}} = {value} \\)"
    found = [f.message for f in check_symbolic(from_texts([text]))]
    if value < 0:
        return  # "= -2" reads as a sign in front of a number; still judged, not asserted here
    assert (found == []) is (slip == 0)


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 20), st.integers(1, 5))
def test_factorials_are_judged_exactly(n: int, slip: int) -> None:
    right = f"\\( {n}! = {factorial(n)} \\)"
    wrong = f"\\( {n}! = {factorial(n) + slip} \\)"
    assert check_symbolic(from_texts([right])) == []
    assert len(check_symbolic(from_texts([wrong]))) == 1


@settings(max_examples=60, deadline=None)
@given(st.integers(-9, 9), st.integers(-9, 9), st.integers(-3, 3))
def test_expansions_of_a_square_are_judged_exactly(a: int, b: int, slip: int) -> None:
    # (a y + b)^2 = a^2 y^2 + 2ab y + b^2 (+ a slip in the middle coefficient)
    middle = 2 * a * b + slip
    text = f"Expanding, \\( ({a}y + {b})^2 = {a * a}y^2 + {middle}y + {b * b} \\)".replace(
        "+ -", "- "
    )
    found = check_symbolic(from_texts([text]))
    if a == 0 or b == 0 and slip == 0:
        return  # degenerate shapes (no square of a sum) are not expansion claims
    assert (found == []) is (slip == 0)
