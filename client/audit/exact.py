"""Exact values of maths trees, without SymPy.

Most evaluated-function claims (`\\binom{9}{7} = 36`, `6! = 720`, `\\sqrt[3]{125} = 5`,
`\\log_3 81 = 4`, `\\gcd(12, 18) = 6`, `17 \\bmod 5 = 2`, `\\sum_{k=1}^{5} k^2 = 55`) have a
rational value: it is computed here with fractions, in microseconds. What is exact but
irrational (`\\sqrt{2}`, `\\pi`, `\\sin 20^\\circ`) raises `NeedsSympy`; what cannot be judged (a
free variable, a value beyond the size bounds) raises `Unjudged`.
"""

from __future__ import annotations

from fractions import Fraction
from math import comb, factorial, gcd, lcm

from client.audit.arithmetic import format_value
from client.audit.latex import MAX_BOUND_SPAN, MAX_EXPONENT, MAX_FACTORIAL, Node

_LIMIT = 10**60


class NeedsSympy(Exception):
    """Exact, but not a rational number: SymPy must judge it."""


class Unjudged(Exception):
    """Not a claim to judge (too big, refused, a variable where a number was needed)."""


def positive(node: Node) -> bool:
    """Is a tree of plain numbers certainly positive, without working it out (5^{90}, 2 · 3^{70})?"""
    kind = node[0]
    if kind == "num":
        return bool(node[1] > 0)
    if kind == "pow":
        return positive(node[1])
    if kind in ("add", "mul"):
        return all(positive(child) for child in node[1])
    if kind == "div":
        return positive(node[1]) and positive(node[2])
    return False


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
        base = exact(node[1], env)
        try:
            power = exact(node[2], env)
        except Unjudged:
            # 0 and 1 to a power too big to write: 0^{(5^{90})} is still 0, 1^{(7^{80})} is 1.
            if base == 1 or base == 0 and positive(node[2]):
                return base
            raise
        if power.denominator != 1:
            return _root(base, Fraction(power.denominator), int(power.numerator))
        if base in (0, 1) and power > 0:
            return base
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


def value_text(value: Fraction) -> str:
    """An exact value: 5, 0.25, or 23/3 (never rounded)."""
    shown = format_value(value)
    return f"{value.numerator}/{value.denominator}" if shown.startswith("about") else shown
