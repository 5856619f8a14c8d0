"""The `symbolic` check: equalities in LaTeX maths that plain arithmetic cannot read.

Three kinds of claim, each judged exactly (fractions or SymPy, never floats):

- an evaluated function: `\\binom{9}{7} = 36`, `5! = 120`, `\\sqrt{112} = 4\\sqrt{7}`,
  `\\log_2 8 = 3`, `\\sin 30^\\circ = \\frac{1}{2}`, `\\gcd(12, 18) = 6`, `17 \\bmod 5 = 2`,
  `\\sum_{k=1}^{4} k^2 = 30`;
- a symbolic equality inside a chain: `(x+1)^2 = x^2 + 2x + 1 = ...` holds, `= x^2 + 1` does
  not. A lone `a = b` between expressions is usually an equation to solve, not an identity, so
  it is judged only in a chain of three or more sides, or when the two sides differ by a
  non-zero constant (no value of the variables can make them equal);
- a claimed solution substituted back: `3x + 2 = 14` then `x = 5` in the same step.

Plain arithmetic between numbers is left to the arithmetic check. The parser (latex.py)
refuses what it does not read, bounds every size, and SymPy is imported only when a claim
needs it (never on the window's start-up path). Each audit gets a time budget: when it runs
out, the remaining claims are left unjudged, quietly.
"""

from __future__ import annotations

import re
import time
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from math import comb, factorial, gcd, lcm
from typing import Any

from client.audit.arithmetic import format_value
from client.audit.latex import (
    MAX_BOUND_SPAN,
    MAX_EXPONENT,
    MAX_FACTORIAL,
    Chain,
    Node,
    chains,
    parse,
)
from client.core.audit import Finding, Severity, Step

CHECK = "symbolic"
BUDGET_SECONDS = 0.25  # SymPy time for one audit; beyond it, claims are left unjudged
MAX_NODES = 80
MAX_DEGREE = 24  # in one variable; with several, half that
_LIMIT = 10**60
# A sentence that tests, supposes or negates is not asserting its equalities.
_SKIP_WORDS = re.compile(
    r"\b(?:check|checking|plug|plugging|plugged|not|suppose|supposing|assume|assuming|try|"
    r"trying|test|testing|wrong|incorrect|mistake|whether|"
    r"false|contradiction|impossible|no solution|mod|modulo|remainder|approximately|"
    r"approx|roughly|incorrectly)\b|n't|\?",
    re.IGNORECASE,
)
_ALTERNATIVE_EQUATIONS = 3
_SOLUTION_GAP = re.compile(
    r"\b(?:and|case|cases|if|when|suppose|assume|let|try|check|test|not|either|other|another|"
    r"second|first|also|where|for|since|because|both|each)\b|n't|\?",
    re.IGNORECASE,
)
_REWRITING = re.compile(
    r"\b(?:expand\w*|factor(?:s|ed|ing|i[sz]e[sd]?|i[sz]ing|ization|isation)?|simplif\w*|"
    r"rewrit\w*|multiply\w* out|identity)\b",
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
_SENTENCE_END = re.compile(r"(?<!\d)[.!?](?=\s|$)|\n\s*\n")
_WINDOW = 400  # characters of a sentence read either side of a chain
_SMALL = Fraction(1, 100)


class NeedsSympy(Exception):
    """Exact, but not a rational number: SymPy must judge it."""


class Unjudged(Exception):
    """Not a claim to judge (too big, refused, a variable where a number was needed)."""


def check_symbolic(steps: Sequence[Step], budget: float = BUDGET_SECONDS) -> list[Finding]:
    """Findings for false symbolic equalities and wrong substituted solutions in a trace."""
    clock = _Budget(budget)
    findings: list[Finding] = []
    for step in steps:
        if "=" not in step.text or ("\\" not in step.text and "$" not in step.text):
            continue
        findings.extend(_check_step(step, clock))
    return findings


class _Budget:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.used = 0.0

    def left(self) -> bool:
        return self.used < self.seconds

    def run(self, work: Any) -> Any:
        """`work()`, timed against the budget; any failure inside SymPy leaves it unjudged."""
        if not self.left():
            raise Unjudged("out of time")
        started = time.perf_counter()
        try:
            return work()
        except (Unjudged, NeedsSympy):
            raise
        except Exception as exc:  # noqa: BLE001 - SymPy raises many kinds; none is a finding
            raise Unjudged(type(exc).__name__) from exc
        finally:
            self.used += time.perf_counter() - started


def _check_step(step: Step, clock: _Budget) -> list[Finding]:
    text = step.text
    findings: list[Finding] = []
    equations: list[_Equation] = []
    sentences = _Sentences(text)
    for chain in chains(text):
        if sentences.skipped(chain):
            continue
        trees = [parse(side) for side in chain.sides]
        rewriting = _REWRITING.search(sentences.lead_in(chain)) is not None
        findings.extend(_check_chain(step.index, text, chain, trees, rewriting, clock))
        if len(trees) == 2 and trees[0] is not None and trees[1] is not None:
            _solution(step.index, text, chain, trees, equations, findings, clock)
    return findings


class _Sentences:
    """Where the sentences of one step start and end, found once (a step may be 100,000
    characters of maths: nothing here may rescan it per chain). A sentence is read at most
    `_WINDOW` characters either side of a chain."""

    def __init__(self, text: str) -> None:
        self.text = text
        found = [(m.start(), m.end()) for m in _SENTENCE_END.finditer(text)]
        self.starts = [start for start, _ in found]
        self.ends = [end for _, end in found]

    def start_before(self, at: int) -> int:
        k = bisect_right(self.ends, at) - 1
        return max(self.ends[k] if k >= 0 else 0, at - _WINDOW)

    def end_after(self, at: int) -> int:
        k = bisect_left(self.starts, at)
        end = self.ends[k] if k < len(self.ends) else len(self.text)
        return min(end, at + _WINDOW)

    def skipped(self, chain: Chain) -> bool:
        """Does the sentence around the chain test, suppose or negate? For displayed maths,
        only the words leading into it count: what follows a display is the next remark."""
        at = chain.sides[0].start
        start = self.start_before(at)
        if _displayed(self.text, chain.segment_start):
            end = min(chain.segment_end, at + _WINDOW)
        else:
            end = self.end_after(at)
        sentence = re.sub(r"\\[A-Za-z]+", " ", self.text[start:end])
        return bool(_SKIP_WORDS.search(sentence))

    def lead_in(self, chain: Chain) -> str:
        """The words of the sentence before the chain ("Expanding, we get")."""
        at = chain.sides[0].start
        return self.text[self.start_before(at) : at]


def _expands(a: Node, b: Node) -> bool:
    """One side bracketed ((x + 2)(x + 3), (a + b)^2), the other not, of one degree: the shape
    of expanding or factoring, where `a = b` claims an identity rather than poses an equation."""
    return _bracketed(a) != _bracketed(b) and _degree(a) == _degree(b) and _degree(a) > 1


def _bracketed(node: Node) -> bool:
    kind = node[0]
    if kind == "mul" and any(child[0] == "add" for child in node[1]):
        return True
    if kind == "pow" and node[1][0] == "add":
        return True
    return any(_bracketed(child) for child in _children(node))


def _displayed(text: str, segment_start: int) -> bool:
    lead = text[max(0, segment_start - 24) : segment_start]
    return lead.endswith(("\\[", "$$")) or bool(re.search(r"\\begin\{[a-z*]+\}$", lead))


def _check_chain(
    step: int,
    text: str,
    chain: Chain,
    trees: list[Node | None],
    rewriting: bool,
    clock: _Budget,
) -> list[Finding]:
    findings: list[Finding] = []
    long_chain = len(chain.sides) >= 3
    for k in range(len(chain.sides) - 1):
        a, b = trees[k], trees[k + 1]
        if a is None or b is None or _lone_name(a) or _lone_name(b):
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


def _lone_name(node: Node) -> bool:
    return node[0] == "sym"


def _judge_link(a: Node, b: Node, long_chain: bool, clock: _Budget) -> str | None:
    """None when the link holds or is not ours to judge; else the left side's true value."""
    if _size(a) + _size(b) > MAX_NODES:
        raise Unjudged("too big")
    symbols_a, symbols_b = _symbols(a), _symbols(b)
    if not symbols_a and not symbols_b:
        return _judge_numbers(a, b, clock)
    if not symbols_a or not symbols_b or symbols_a != symbols_b:
        return None  # an equation, or a relation between different quantities
    if _has_decimal(a) or _has_decimal(b) or not _polynomial_like(a) or not _polynomial_like(b):
        return None
    limit = MAX_DEGREE if len(symbols_a) == 1 else MAX_DEGREE // 2
    if _degree(a) > limit or _degree(b) > limit:
        return None
    return clock.run(lambda: _judge_identity(a, b, long_chain))


def _judge_numbers(a: Node, b: Node, clock: _Budget) -> str | None:
    if a[0] == "pow" and b[0] == "pow" and a[2] == b[2] and _too_big(a):
        # (4 + 5/8)^55 = (33/8 + 5/8)^55: too big to evaluate, but the bases must agree.
        base = _judge_bases(a[1], b[1], clock)
        return None if base is None else f"({base})^{_written(a[2])}"
    if not (_function_like(a) or _function_like(b)):
        return None  # plain arithmetic: the arithmetic check's claim
    decimals = _has_decimal(a) or _has_decimal(b)
    try:
        va, vb = exact(a), exact(b)
    except NeedsSympy:
        return clock.run(lambda: _judge_numbers_sympy(a, b, decimals))
    if va == vb:
        return None
    if decimals and abs(va - vb) <= _SMALL * max(abs(va), abs(vb)):
        return None  # a rounded value
    return format_value(va)


def _judge_bases(a: Node, b: Node, clock: _Budget) -> str | None:
    try:
        va, vb = exact(a), exact(b)
    except NeedsSympy:
        return clock.run(lambda: _judge_numbers_sympy(a, b, False))
    if va == vb or _has_decimal(a) or _has_decimal(b):
        return None
    return _value_text(va)


def _value_text(value: Fraction) -> str:
    """An exact value: 5, 0.25, or 23/3 (never rounded)."""
    shown = format_value(value)
    return f"{value.numerator}/{value.denominator}" if shown.startswith("about") else shown


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
    sympy = _sympy()
    ea, eb = to_sympy(a), to_sympy(b)
    difference = sympy.N(ea - eb, 30)
    if not difference.is_number or difference.is_real is False:
        return None
    scale = max(abs(sympy.N(ea, 30)), abs(sympy.N(eb, 30)), 1)
    share = abs(difference) / scale
    if share < sympy.Float("1e-20", 30):
        return None
    if (decimals or _mentions_pi(a) != _mentions_pi(b)) and share <= 0.01:
        return None  # a rounded value, or π taken as 22/7 or 3.14
    if ea.is_Rational:
        return format_value(Fraction(int(ea.p), int(ea.q)))
    return f"about {sympy.N(ea, 6)}"


def _judge_identity(a: Node, b: Node, long_chain: bool) -> str | None:
    sympy = _sympy()
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
    return "differ by " + _shown(sympy.expand(difference))


def _one_term(difference: Any) -> bool:
    """A difference that is one term (4r, -2πx^2, b^2/4), over any denominator."""
    sympy = _sympy()
    numerator = sympy.fraction(difference)[0]
    return len(sympy.Add.make_args(numerator)) == 1


def _shown(expression: Any) -> str:
    """A SymPy expression as a reader writes it: x^2 + 2x, not x**2 + 2*x."""
    text = _sympy().sstr(expression).replace("**", "^")
    text = re.sub(r"\bpi\b", "π", text)
    return re.sub(r"(?<=\d)\*(?=[A-Za-zπ(])", "", text).replace("*", "·")


@dataclass(frozen=True)
class _Equation:
    """An equation in one unknown met in a step: `3x + 2 = 14`, or `42 × 56 = c`."""

    name: str
    left: Node
    right: Node
    chain: Chain
    # Marks where a value was claimed for `name` ("x = 5"): the derivation before it is done,
    # and the next equation in `name` starts a new one (another case, another root).
    closes: bool = False

    def shown(self, text: str) -> str:
        return " = ".join(side.source(text) for side in self.chain.sides)


def _solution(
    step: int,
    text: str,
    chain: Chain,
    trees: list[Node | None],
    equations: list[_Equation],
    findings: list[Finding],
    clock: _Budget,
) -> None:
    """Judge `x = value` against the latest equation in x, or a linear equation against the
    one before it (each step of solving keeps the solution); then remember the equation."""
    left, right = trees[0], trees[1]
    assert left is not None and right is not None
    if _alternatives(text, chain):
        return  # "a + 7 = 0 or a - 2 = 0": cases, not one line of solving
    if _lone_name(left) and not _symbols(right) and not _has_decimal(right):
        latest = next((e for e in reversed(equations) if e.name == left[1]), None)
        previous = _previous(text, chain, left[1], equations)
        equations.append(_Equation(left[1], left, right, chain, closes=True))
        if previous is None:
            return
        if latest is not None and latest.closes and latest.right != right:
            between = text[latest.chain.sides[-1].end : chain.sides[0].start]
            if not re.search(r"\bor\b", between):
                return  # "m = 4 … the new m = 5": the name was given another meaning
        # "x + 7 = 0 or x - 2 = 0, so x = -7": a value that solves any equation of the step
        # in that unknown is not wrong.
        others = [e for e in equations if e.name == left[1] and not e.closes]
        others = others[-_ALTERNATIVE_EQUATIONS:]
        verdicts = [
            _run_quietly(clock, lambda e=e: _satisfies(e.left, e.right, left[1], right))
            for e in others
        ]
        if verdicts and all(v is False for v in verdicts):
            claim = chain.sides[0].source(text) + " = " + chain.sides[1].source(text)
            findings.append(
                _finding(step, chain, f"{claim} does not solve {previous.shown(text)}.")
            )
        return
    names = _symbols(left) | _symbols(right)
    if len(names) != 1 or _has_decimal(left) or _has_decimal(right):
        return
    if _lone_name(right) and not _lone_name(left) and _function_like(left) is False:
        # "42 × 56 = c": the value of c, worked out; a later "c = 2336" must agree.
        if left[0] in ("add", "mul", "div", "pow", "neg"):
            equations.append(_Equation(right[1], left, right, chain))
        return
    if _lone_name(left) or _lone_name(right):
        return
    if not (_polynomial_like(left) and _polynomial_like(right)):
        return
    if max(_degree(left), _degree(right)) > 4:
        return
    equation = _Equation(next(iter(names)), left, right, chain)
    previous = _previous(text, chain, equation.name, equations, derivation=True)
    if previous is not None:
        verdict = _run_quietly(clock, lambda: _same_linear_solution(previous, equation))
        if verdict is not None:
            findings.append(
                _finding(
                    step,
                    chain,
                    f"{equation.shown(text)} does not follow from {previous.shown(text)}: "
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
    text: str,
    chain: Chain,
    name: str,
    equations: list[_Equation],
    derivation: bool = False,
) -> _Equation | None:
    """The latest equation in `name`, if only words of a derivation stand between."""
    previous = next((e for e in reversed(equations) if e.name == name), None)
    if previous is None or previous.closes and derivation:
        return None
    if previous.closes:  # a claim "x = 5" between: judge against the equation before it
        previous = next((e for e in reversed(equations) if e.name == name and not e.closes), None)
        if previous is None:
            return None
    between = text[previous.chain.sides[-1].end : chain.sides[0].start]
    words = re.sub(r"\\[A-Za-z]+", " ", between)
    if len(between) > 400 or _SOLUTION_GAP.search(words):
        return None
    if derivation and any(w not in _DERIVATION_WORDS for w in re.findall(r"[a-z]+", words.lower())):
        return None
    return previous


def _run_quietly(clock: _Budget, work: Any) -> Any:
    try:
        return clock.run(work)
    except (Unjudged, NeedsSympy, RecursionError, ZeroDivisionError, ValueError, OverflowError):
        return None


def _same_linear_solution(before: _Equation, after: _Equation) -> tuple[str, str] | None:
    """Two linear equations in one unknown, one derived from the other: None when their
    solutions agree (or either is not linear), else the two solutions."""
    first, second = _linear_root(before), _linear_root(after)
    if first is None or second is None or first == second:
        return None
    return _value_text(first), _value_text(second)


def _linear_root(equation: _Equation) -> Fraction | None:
    """The root of a linear equation a·x + b = c·x + d, read exactly at x = 0 and x = 1."""
    if _degree(equation.left) > 1 or _degree(equation.right) > 1:
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
    sympy = _sympy()
    symbol = sympy.Symbol(name)
    ev = to_sympy(value)
    difference = sympy.simplify((to_sympy(left) - to_sympy(right)).subs(symbol, ev))
    if not difference.is_number:
        return None
    return bool(abs(sympy.N(difference, 30)) < sympy.Float("1e-20", 30))


# --- exact evaluation without SymPy --------------------------------------------------------


def exact(node: Node, env: dict[str, Fraction] | None = None) -> Fraction:
    """The exact rational value of a tree, NeedsSympy when it is exact but irrational (√2,
    π, sin 20°), Unjudged when it has a free variable or is too big."""
    kind = node[0]
    if kind == "num":
        return node[1]  # type: ignore[no-any-return]
    if kind == "sym":
        if env and node[1] in env:
            return env[node[1]]
        raise Unjudged("variable")
    if kind == "add":
        return _checked(sum((exact(n, env) for n in node[1]), Fraction(0)))
    if kind == "mul":
        value = Fraction(1)
        for n in node[1]:
            value = _checked(value * exact(n, env))
        return value
    if kind == "div":
        bottom = exact(node[2], env)
        if bottom == 0:
            raise Unjudged("division by zero")
        return _checked(exact(node[1], env) / bottom)
    if kind == "neg":
        return -exact(node[1], env)
    if kind == "pow":
        base, power = exact(node[1], env), exact(node[2], env)
        if power.denominator != 1:
            return _root(base, Fraction(power.denominator), int(power.numerator))
        if abs(power) > MAX_EXPONENT or (base == 0 and power < 0):
            raise Unjudged("power")
        return _checked(base ** int(power))
    if kind == "root":
        return _root(exact(node[1], env), exact(node[2], env), 1)
    if kind == "fact":
        n = _whole(exact(node[1], env))
        if not 0 <= n <= MAX_FACTORIAL:
            raise Unjudged("factorial")
        return Fraction(factorial(n))
    if kind == "binom":
        n, k = _whole(exact(node[1], env)), _whole(exact(node[2], env))
        if not 0 <= n <= 10_000 or k < 0:
            raise Unjudged("binomial")
        return _checked(Fraction(comb(n, k)))
    if kind in ("gcd", "lcm"):
        values = [_whole(exact(n, env)) for n in node[1]]
        return Fraction(gcd(*values) if kind == "gcd" else lcm(*values))
    if kind == "mod":
        a, n = _whole(exact(node[1], env)), _whole(exact(node[2], env))
        if n == 0:
            raise Unjudged("mod 0")
        return Fraction(a % n)
    if kind in ("sum", "prod"):
        return _big_operator(node, env)
    if kind == "fn" and node[1] in ("log", "lg"):
        return _log(node, env)
    raise NeedsSympy(kind)


def _big_operator(node: Node, env: dict[str, Fraction] | None) -> Fraction:
    kind, var, low, high, body = node
    lo, hi = _whole(exact(low, env)), _whole(exact(high, env))
    if hi - lo > MAX_BOUND_SPAN:
        raise Unjudged("too many terms")
    scope = dict(env or {})
    value = Fraction(0 if kind == "sum" else 1)
    for i in range(lo, hi + 1):
        scope[var] = Fraction(i)
        term = exact(body, scope)
        value = _checked(value + term if kind == "sum" else value * term)
    return value


def _log(node: Node, env: dict[str, Fraction] | None) -> Fraction:
    _, name, arg, base = node
    if base is None:
        if name == "lg":
            b = Fraction(10)
        else:
            raise NeedsSympy("log base")  # \log x is base 10 or e by convention: SymPy decides
    else:
        b = exact(base, env)
    x = exact(arg, env)
    if b <= 0 or b == 1 or x <= 0:
        raise Unjudged("log domain")
    for power in range(-MAX_EXPONENT, MAX_EXPONENT + 1):
        if b**power == x:
            return Fraction(power)
        if power > 0 and b > 1 and b**power > x:
            break
    raise NeedsSympy("irrational log")


def _root(value: Fraction, index: Fraction, power: int) -> Fraction:
    if index.denominator != 1 or not 1 <= index <= MAX_EXPONENT or abs(power) > MAX_EXPONENT:
        raise Unjudged("root")
    n = int(index)
    if value < 0:
        if n % 2 == 0:
            raise Unjudged("negative root")
        return _checked(-(_root(-value, index, 1) ** power))
    top, bottom = _nth_root(value.numerator, n), _nth_root(value.denominator, n)
    if top is None or bottom is None:
        raise NeedsSympy("irrational root")
    return _checked(Fraction(top, bottom) ** power)


def _nth_root(value: int, n: int) -> int | None:
    """The whole n-th root of `value` when there is one (exact integer search, no floats)."""
    if value < 2:
        return value
    low, high = 1, 1 << (value.bit_length() // n + 1)
    while low <= high:
        middle = (low + high) // 2
        power = middle**n
        if power == value:
            return middle
        if power < value:
            low = middle + 1
        else:
            high = middle - 1
    return None


def _whole(value: Fraction) -> int:
    if value.denominator != 1:
        raise Unjudged("not whole")
    return int(value)


def _checked(value: Fraction) -> Fraction:
    if abs(value.numerator) > _LIMIT or value.denominator > _LIMIT:
        raise Unjudged("too large")
    return value


# --- the shape of a tree ------------------------------------------------------------------


def _children(node: Node) -> list[Node]:
    kind = node[0]
    if kind in ("add", "mul", "gcd", "lcm"):
        return list(node[1])
    if kind in ("div", "pow", "binom", "mod"):
        return [node[1], node[2]]
    if kind in ("neg", "fact", "deg"):
        return [node[1]]
    if kind == "root":
        return [node[1], node[2]]
    if kind == "fn":
        return [node[2]] + ([node[3]] if node[3] is not None else [])
    if kind in ("sum", "prod"):
        return [node[2], node[3], node[4]]
    return []


def _size(node: Node) -> int:
    return 1 + sum(_size(child) for child in _children(node))


def _symbols(node: Node) -> frozenset[str]:
    if node[0] == "sym":
        return frozenset({node[1]})
    found: frozenset[str] = frozenset()
    for child in _children(node):
        found |= _symbols(child)
    if node[0] in ("sum", "prod"):
        found -= {node[1]}
    return found


def _has_decimal(node: Node) -> bool:
    if node[0] == "num":
        return bool(node[2])
    return any(_has_decimal(child) for child in _children(node))


def _function_like(node: Node) -> bool:
    """Anything beyond + - × ÷ and whole powers of plain numbers."""
    if node[0] in ("root", "fact", "binom", "gcd", "lcm", "mod", "sum", "prod", "fn", "pi"):
        return True
    return any(_function_like(child) for child in _children(node))


def _polynomial_like(node: Node) -> bool:
    """Rational expressions in the variables with whole-number powers: what `cancel` decides."""
    kind = node[0]
    if kind in ("num", "sym", "pi"):
        return True
    if kind == "pow":
        exponent = node[2]
        if exponent[0] != "num" or exponent[1].denominator != 1 or abs(exponent[1]) > MAX_DEGREE:
            return _polynomial_like(node[1]) and not _symbols(exponent) and not _symbols(node[1])
        return _polynomial_like(node[1])
    if kind in ("add", "mul", "div", "neg"):
        return all(_polynomial_like(child) for child in _children(node))
    return not _symbols(node)  # \sqrt{2} x is fine; \sqrt{x} is not a polynomial


def _degree(node: Node) -> int:
    kind = node[0]
    if kind == "sym":
        return 1
    if kind in ("add",):
        return max(_degree(child) for child in node[1])
    if kind == "mul":
        return sum(_degree(child) for child in node[1])
    if kind == "div":
        return _degree(node[1]) + _degree(node[2])
    if kind == "neg":
        return _degree(node[1])
    if kind == "pow":
        exponent = node[2]
        if exponent[0] == "num" and exponent[1].denominator == 1:
            return _degree(node[1]) * abs(int(exponent[1]))
        return 0 if not _symbols(node) else MAX_DEGREE + 1
    return 0


# --- SymPy, imported only when a claim needs it ----------------------------------------------


def _sympy() -> Any:
    import sympy

    return sympy


def to_sympy(node: Node) -> Any:
    """The tree as an exact SymPy expression (built directly: no text is ever evaluated)."""
    sympy = _sympy()
    kind = node[0]
    if kind == "num":
        return sympy.Rational(node[1].numerator, node[1].denominator)
    if kind == "sym":
        return sympy.Symbol(node[1])
    if kind == "pi":
        return sympy.pi
    if kind == "add":
        return sympy.Add(*[to_sympy(n) for n in node[1]])
    if kind == "mul":
        return sympy.Mul(*[to_sympy(n) for n in node[1]])
    if kind == "div":
        return to_sympy(node[1]) / to_sympy(node[2])
    if kind == "neg":
        return -to_sympy(node[1])
    if kind == "pow":
        base, exponent = to_sympy(node[1]), to_sympy(node[2])
        if exponent.is_number and abs(exponent) > MAX_EXPONENT:
            raise Unjudged("power")
        return sympy.Pow(base, exponent)
    if kind == "root":
        return sympy.root(to_sympy(node[1]), to_sympy(node[2]))
    if kind == "deg":
        return to_sympy(node[1]) * sympy.pi / 180
    if kind == "fn":
        _, name, arg, base = node
        value = to_sympy(arg)
        if name in ("log", "ln", "lg"):
            if name == "log" and base is None:
                raise Unjudged("log without a base")  # base 10 or e: conventions differ
            b = sympy.E if name == "ln" else 10 if base is None else to_sympy(base)
            return sympy.log(value, b)
        if arg[0] != "deg" and not _mentions_pi(arg):
            raise Unjudged("an angle without a unit")  # sin 30: degrees or radians?
        return getattr(sympy, name)(value)
    try:
        return sympy.Rational(*_as_pair(exact(node)))
    except NeedsSympy as exc:
        raise Unjudged(str(exc)) from exc


def _mentions_pi(node: Node) -> bool:
    return node[0] == "pi" or any(_mentions_pi(child) for child in _children(node))


def _as_pair(value: Fraction) -> tuple[int, int]:
    return value.numerator, value.denominator
