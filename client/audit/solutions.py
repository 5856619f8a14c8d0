"""Claimed solutions against the equations they solve, in one step's LaTeX maths.

`x = 5` is substituted back into the latest equation in x ("from `4w - 7 = 21` we get
`w = 6`": 6 does not solve it); a line of solving that changes the solution (`3z + 4 = 19`,
then `3z = 19 + 4`) is found by comparing the roots of consecutive linear equations; a value
worked out for a name (`23 \\cdot 47 = k`) must agree with the value claimed for it next
(`k = 1071`). Only words of a derivation may stand between the two: "or", "case", "suppose"
and the like start another equation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from client.audit.chain_links import CHECK
from client.audit.exact import NeedsSympy, Unjudged, exact, value_text
from client.audit.latex import Chain, Node
from client.audit.sympy_work import Budget, load_sympy, run_quietly, to_sympy
from client.audit.trees import (
    degree,
    function_like,
    has_decimal,
    lone_name,
    polynomial_like,
    symbols,
)
from client.core.audit import Finding, Severity

_ALTERNATIVE_EQUATIONS = 3

_SOLUTION_GAP = re.compile(
    r"\b(?:and|case|cases|if|when|suppose|assume|let|try|check|test|not|either|other|another|"
    r"second|first|also|where|for|since|because|both|each)\b|n't|\?",
    re.IGNORECASE,
)
_ALTERNATIVES = re.compile(r"\\text\{\s*(?:or|and)\s*\}|\bor\b|\\lor|\\vee")
# Between two lines of one derivation only these words may stand (or none): anything else
# ("or", "Solving these:", "the second case") may start another equation, not the next line.
_DERIVATION_WORDS = frozenset(
    [
        "so",
        "then",
        "thus",
        "hence",
        "therefore",
        "we",
        "get",
        "gives",
        "giving",
        "which",
        "simplifies",
        "simplifying",
        "to",
        "becomes",
        "subtracting",
        "adding",
        "dividing",
        "multiplying",
        "both",
        "sides",
        "by",
        "from",
        "this",
        "that",
        "is",
        "i",
        "e",
    ]
)


@dataclass(frozen=True)
class Equation:
    """An equation in one unknown met in a step: `3x + 2 = 14`, or `42 × 56 = c`."""

    name: str
    left: Node
    right: Node
    chain: Chain
    step: int  # the step it was met in, whose text is `text`
    text: str
    # Marks where a value was claimed for `name` ("x = 5"): the derivation before it is done,
    # and the next equation in `name` starts a new one (another case, another root).
    closes: bool = False

    def shown(self) -> str:
        return " = ".join(side.source(self.text) for side in self.chain.sides)

    def before(self, step: int, text: str, chain: Chain) -> str:
        """The text between this equation and `chain`: in one step, or from the end of the
        step before to the start of this one."""
        if step == self.step:
            return text[self.chain.sides[-1].end : chain.sides[0].start]
        return self.text[self.chain.sides[-1].end :] + "\n" + text[: chain.sides[0].start]


def check_solution(
    step: int,
    text: str,
    chain: Chain,
    trees: list[Node | None],
    equations: list[Equation],
    findings: list[Finding],
    clock: Budget,
) -> None:
    """Judge `x = value` against the latest equation in x, or a linear equation against the
    one before it (each step of solving keeps the solution); then remember the equation."""
    left, right = trees[0], trees[1]
    assert left is not None and right is not None
    if _alternatives(text, chain):
        return  # "a + 7 = 0 or a - 2 = 0": cases, not one line of solving
    if lone_name(left) and not symbols(right) and not has_decimal(right):
        latest = next((e for e in reversed(equations) if e.name == left[1]), None)
        previous = _previous(step, text, chain, left[1], equations)
        equations.append(Equation(left[1], left, right, chain, step, text, closes=True))
        if (
            latest is not None
            and latest.closes
            and _worked_out(latest.right)
            and _only_derivation(latest.before(step, text, chain))
        ):
            # "m = 23 \cdot 19, so m = 447": the value restated must be the one worked out.
            restated = _restated(latest, right)
            if restated is not None:
                claim = chain.sides[0].source(text) + " = " + chain.sides[1].source(text)
                worked = latest.chain.sides[-1].source(latest.text)
                findings.append(_finding(step, chain, f"{claim}, but {worked} is {restated}."))
            return
        if previous is None:
            return
        if (
            latest is not None
            and latest.closes
            and latest.right != right
            and not re.search(r"\bor\b", latest.before(step, text, chain))
        ):
            return  # "m = 4 … the new m = 5": the name was given another meaning
        # "x + 7 = 0 or x - 2 = 0, so x = -7": a value that solves any equation of the step
        # in that unknown is not wrong.
        others = [e for e in equations if e.name == left[1] and not e.closes]
        others = others[-_ALTERNATIVE_EQUATIONS:]
        verdicts = [
            run_quietly(clock, lambda e=e: _satisfies(e.left, e.right, left[1], right))
            for e in others
        ]
        if verdicts and all(v is False for v in verdicts):
            claim = chain.sides[0].source(text) + " = " + chain.sides[1].source(text)
            findings.append(_finding(step, chain, f"{claim} does not solve {previous.shown()}."))
        return
    names = symbols(left) | symbols(right)
    if len(names) != 1 or has_decimal(left) or has_decimal(right):
        return
    if lone_name(right) and not lone_name(left) and function_like(left) is False:
        # "42 × 56 = c": the value of c, worked out; a later "c = 2336" must agree.
        if left[0] in ("add", "mul", "div", "pow", "neg"):
            equations.append(Equation(right[1], left, right, chain, step, text))
        return
    if lone_name(left) or lone_name(right):
        return
    if not (polynomial_like(left) and polynomial_like(right)):
        return
    if max(degree(left), degree(right)) > 4:
        return
    equation = Equation(next(iter(names)), left, right, chain, step, text)
    previous = _previous(step, text, chain, equation.name, equations, derivation=True)
    if previous is not None:
        verdict = run_quietly(clock, lambda: _same_linear_solution(previous, equation))
        if verdict is not None:
            findings.append(
                _finding(
                    step,
                    chain,
                    f"{equation.shown()} does not follow from {previous.shown()}: "
                    f"that gives {equation.name} = {verdict[0]}, this {equation.name} = "
                    f"{verdict[1]}.",
                )
            )
    equations.append(equation)


def _finding(step: int, chain: Chain, message: str) -> Finding:
    return Finding(CHECK, Severity.ERROR, message, step, chain.sides[0].start, chain.sides[-1].end)


def _alternatives(text: str, chain: Chain) -> bool:
    segment = text[chain.segment_start : chain.segment_end]
    return bool(_ALTERNATIVES.search(segment))


def _previous(
    step: int,
    text: str,
    chain: Chain,
    name: str,
    equations: list[Equation],
    derivation: bool = False,
) -> Equation | None:
    """The latest equation in `name`, if only words of a derivation stand between."""
    previous = next((e for e in reversed(equations) if e.name == name), None)
    if previous is None or previous.closes and derivation:
        return None
    if previous.closes:  # a claim "x = 5" between: judge against the equation before it
        previous = next((e for e in reversed(equations) if e.name == name and not e.closes), None)
        if previous is None:
            return None
    between = previous.before(step, text, chain)
    words = re.sub(r"\\[A-Za-z]+", " ", between)
    if len(between) > 400 or _SOLUTION_GAP.search(words):
        return None
    if derivation and not _only_derivation(between):
        return None
    return previous


def _only_derivation(between: str) -> bool:
    """Do only words of a derivation ("so", "which gives") stand between two chains?"""
    if len(between) > 400:
        return False
    words = re.sub(r"\\[A-Za-z]+", " ", between).lower()
    return all(w in _DERIVATION_WORDS for w in re.findall(r"[a-z]+", words))


def _worked_out(node: Node) -> bool:
    """An expression to work out (23 · 19, 2^5 - 1), not a value written down."""
    return node[0] in ("add", "mul", "div", "pow", "neg") and not (
        node[0] == "neg" and node[1][0] == "num"
    )


def _restated(worked: Equation, value: Node) -> str | None:
    """None when `value` is what `worked` works out to (or either is not exact); else the
    worked-out value."""
    try:
        expected, claimed = exact(worked.right), exact(value)
    except (NeedsSympy, Unjudged):
        return None
    return None if expected == claimed else value_text(expected)


def _same_linear_solution(before: Equation, after: Equation) -> tuple[str, str] | None:
    """Two linear equations in one unknown, one derived from the other: None when their
    solutions agree (or either is not linear), else the two solutions."""
    first, second = _linear_root(before), _linear_root(after)
    if first is None or second is None or first == second:
        return None
    return value_text(first), value_text(second)


def _linear_root(equation: Equation) -> Fraction | None:
    """The root of a linear equation a·x + b = c·x + d, read exactly at x = 0 and x = 1."""
    if degree(equation.left) > 1 or degree(equation.right) > 1:
        return None
    name = equation.name
    try:
        at0 = exact(equation.left, {name: Fraction(0)}) - exact(equation.right, {name: Fraction(0)})
        at1 = exact(equation.left, {name: Fraction(1)}) - exact(equation.right, {name: Fraction(1)})
    except NeedsSympy:
        return None
    slope = at1 - at0
    if slope == 0:
        return None
    return -at0 / slope


def _satisfies(left: Node, right: Node, name: str, value: Node) -> bool | None:
    try:
        v = exact(value)
        return exact(left, {name: v}) == exact(right, {name: v})
    except NeedsSympy:
        pass
    sympy = load_sympy()
    symbol = sympy.Symbol(name)
    ev = to_sympy(value)
    difference = sympy.simplify((to_sympy(left) - to_sympy(right)).subs(symbol, ev))
    if not difference.is_number:
        return None
    return bool(abs(sympy.N(difference, 30)) < sympy.Float("1e-20", 30))
