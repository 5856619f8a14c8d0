"""Each link of an equality chain in LaTeX maths, judged exactly.

A link is either an evaluated function between numbers (`\\binom{9}{7} = 36`,
`\\sqrt{75} = 5\\sqrt{3}`, `\\sin 30^\\circ = \\frac{1}{2}`) or an identity between expressions:
in `(y+3)^2 = y^2 + 6y + 9 = y^2 + 9` the last link is false. A lone `a = b` between
expressions is usually an equation to solve, so it is judged as an identity only in a chain of
three or more sides, or when the sentence says it expands or factors. Plain arithmetic between
numbers is the arithmetic check's. One false link per chain is reported: later links repeat
the slip.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from client.audit.arithmetic import format_value
from client.audit.exact import NeedsSympy, Unjudged, exact, value_text
from client.audit.latex import MAX_EXPONENT, Chain, Node
from client.audit.sympy_work import Budget, load_sympy, shown, to_sympy
from client.audit.trees import (
    MAX_DEGREE,
    bracketed,
    children,
    degree,
    function_like,
    has_decimal,
    lone_name,
    mentions_pi,
    polynomial_like,
    size,
    symbols,
)
from client.core.audit import Finding, Severity

CHECK = "symbolic"
MAX_NODES = 80
_SMALL = Fraction(1, 100)


def _expands(a: Node, b: Node) -> bool:
    """One side bracketed ((x + 2)(x + 3), (a + b)^2), the other not, of one degree: the shape
    of expanding or factoring, where `a = b` claims an identity rather than poses an equation."""
    return bracketed(a) != bracketed(b) and degree(a) == degree(b) and degree(a) > 1


def check_chain(
    step: int,
    text: str,
    chain: Chain,
    trees: list[Node | None],
    rewriting: bool,
    clock: Budget,
) -> list[Finding]:
    findings: list[Finding] = []
    long_chain = len(chain.sides) >= 3
    for k in range(len(chain.sides) - 1):
        a, b = trees[k], trees[k + 1]
        if a is None or b is None or lone_name(a) or lone_name(b):
            continue
        try:
            identity = long_chain or rewriting and _expands(a, b)
            verdict = _judge_link(a, b, identity, clock)
        except (Unjudged, NeedsSympy, RecursionError, ZeroDivisionError, ValueError, OverflowError):
            continue
        if verdict is None:
            continue
        left, right = chain.sides[k], chain.sides[k + 1]
        if verdict.startswith("differ by "):
            message = f"{left.source(text)} and {right.source(text)} are not equal: they {verdict}."
        else:
            message = f"{left.source(text)} is {verdict}, not {right.source(text)}."
        findings.append(Finding(CHECK, Severity.ERROR, message, step, left.start, right.end))
        break  # one false link per chain: later links repeat the slip
    return findings


def _judge_link(a: Node, b: Node, long_chain: bool, clock: Budget) -> str | None:
    """None when the link holds or is not ours to judge; else the left side's true value."""
    if size(a) + size(b) > MAX_NODES:
        raise Unjudged("too big")
    symbols_a, symbols_b = symbols(a), symbols(b)
    if not symbols_a and not symbols_b:
        return _judge_numbers(a, b, clock)
    if not symbols_a or not symbols_b or symbols_a != symbols_b:
        return None  # an equation, or a relation between different quantities
    if has_decimal(a) or has_decimal(b) or not polynomial_like(a) or not polynomial_like(b):
        return None
    limit = MAX_DEGREE if len(symbols_a) == 1 else MAX_DEGREE // 2
    if degree(a) > limit or degree(b) > limit:
        return None
    return clock.run(lambda: _judge_identity(a, b, long_chain))


def _judge_numbers(a: Node, b: Node, clock: Budget) -> str | None:
    if a[0] == "pow" and b[0] == "pow" and a[2] == b[2] and _too_big(a):
        # (4 + 5/8)^55 = (33/8 + 5/8)^55: too big to evaluate, but the bases must agree.
        base = _judge_bases(a[1], b[1], clock)
        return None if base is None else f"({base})^{_written(a[2])}"
    if not (function_like(a) or function_like(b) or _unwritable(a) or _unwritable(b)):
        return None  # plain arithmetic: the arithmetic check's claim
    decimals = has_decimal(a) or has_decimal(b)
    try:
        va, vb = exact(a), exact(b)
    except NeedsSympy:
        return clock.run(lambda: _judge_numbers_sympy(a, b, decimals))
    if va == vb:
        return None
    if decimals and abs(va - vb) <= _SMALL * max(abs(va), abs(vb)):
        return None  # a rounded value
    return format_value(va)


def _unwritable(node: Node) -> bool:
    """A power whose exponent is too big to work out (`0^{(5^{90})}`): the arithmetic check
    cannot read it, so it is judged here when its value is known anyway."""
    if node[0] == "pow":
        try:
            power = exact(node[2])
        except NeedsSympy:
            return False
        except Unjudged:
            return True
        if abs(power) > MAX_EXPONENT:
            return True
    return any(_unwritable(child) for child in children(node))


def _judge_bases(a: Node, b: Node, clock: Budget) -> str | None:
    try:
        va, vb = exact(a), exact(b)
    except NeedsSympy:
        return clock.run(lambda: _judge_numbers_sympy(a, b, False))
    if va == vb or has_decimal(a) or has_decimal(b):
        return None
    return value_text(va)


def _too_big(node: Node) -> bool:
    try:
        exact(node)
    except Unjudged:
        return True
    except NeedsSympy:
        return False
    return False


def _written(node: Node) -> str:
    return format_value(node[1]) if node[0] == "num" else "n"


def _judge_numbers_sympy(a: Node, b: Node, decimals: bool) -> str | None:
    sympy = load_sympy()
    ea, eb = to_sympy(a), to_sympy(b)
    difference = sympy.N(ea - eb, 30)
    if not difference.is_number or difference.is_real is False:
        return None
    scale = max(abs(sympy.N(ea, 30)), abs(sympy.N(eb, 30)), 1)
    share = abs(difference) / scale
    if share < sympy.Float("1e-20", 30):
        return None
    if (decimals or mentions_pi(a) != mentions_pi(b)) and share <= 0.01:
        return None  # a rounded value, or π taken as 22/7 or 3.14
    if ea.is_Rational:
        return format_value(Fraction(int(ea.p), int(ea.q)))
    return f"about {sympy.N(ea, 6)}"


def _judge_identity(a: Node, b: Node, long_chain: bool) -> str | None:
    sympy = load_sympy()
    ea, eb = to_sympy(a), to_sympy(b)
    # Zero exactly when the expanded numerator over a common denominator is zero.
    numerator, denominator = sympy.fraction(sympy.together(ea - eb))
    numerator = sympy.expand(numerator)
    if numerator == 0:
        return None
    difference = numerator / sympy.expand(denominator)
    if difference.free_symbols and not long_chain:
        return None  # `a = b` alone is an equation to solve
    if difference.free_symbols and not _one_term(difference):
        # "a^3 + b^3 + c^3 = 3abc" when a + b + c = 0, "a^2 - ab + b^2 = 7^2 - 3ab" when
        # a + b = 7: sides that differ by a polynomial of several terms may differ by a
        # relation the reasoning knows. A slip in an identity leaves a single term (2x, 4r).
        return None
    # A constant difference: no value of the variables makes the two sides equal.
    return "differ by " + shown(sympy.expand(difference))


def _one_term(difference: Any) -> bool:
    """A difference that is one term (4r, -2πx^2, b^2/4), over any denominator."""
    sympy = load_sympy()
    numerator = sympy.fraction(difference)[0]
    return len(sympy.Add.make_args(numerator)) == 1
