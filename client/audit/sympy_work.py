"""SymPy, loaded only when a claim needs it, and the time budget for its work.

SymPy takes most of a second to load, so it is never imported on the window's start-up path:
the first claim that needs it loads it, and loading is not charged to any audit's budget. A
tree becomes a SymPy expression built directly, never from text. Each audit's SymPy work is
timed against a budget; a claim that runs out of time, or fails inside SymPy, is left unjudged,
quietly.
"""

from __future__ import annotations

import re
import sys
import time
from fractions import Fraction
from typing import Any

from client.audit.exact import NeedsSympy, Unjudged, exact
from client.audit.latex import MAX_EXPONENT, Node
from client.audit.trees import mentions_pi

BUDGET_SECONDS = 0.25  # SymPy time for one audit; beyond it, claims are left unjudged


class Budget:
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
        importing = _IMPORT_SECONDS[0]
        try:
            return work()
        except (Unjudged, NeedsSympy):
            raise
        except Exception as exc:  # noqa: BLE001 - SymPy raises many kinds; none is a finding
            raise Unjudged(type(exc).__name__) from exc
        finally:
            # Loading SymPy once per process is not this claim's work: the first audit that
            # needs it keeps its whole budget for judging.
            self.used += time.perf_counter() - started - (_IMPORT_SECONDS[0] - importing)


def run_quietly(clock: Budget, work: Any) -> Any:
    try:
        return clock.run(work)
    except (Unjudged, NeedsSympy, RecursionError, ZeroDivisionError, ValueError, OverflowError):
        return None


_IMPORT_SECONDS = [0.0]  # how long loading SymPy took in this process


def load_sympy() -> Any:
    if "sympy" not in sys.modules:
        started = time.perf_counter()
        import sympy

        _IMPORT_SECONDS[0] += time.perf_counter() - started
    import sympy

    return sympy


def to_sympy(node: Node) -> Any:
    """The tree as an exact SymPy expression (built directly: no text is ever evaluated)."""
    sympy = load_sympy()
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
        if arg[0] != "deg" and not mentions_pi(arg):
            raise Unjudged("an angle without a unit")  # sin 30: degrees or radians?
        return getattr(sympy, name)(value)
    try:
        return sympy.Rational(*_as_pair(exact(node)))
    except NeedsSympy as exc:
        raise Unjudged(str(exc)) from exc


def shown(expression: Any) -> str:
    """A SymPy expression as a reader writes it: x^2 + 2x, not x**2 + 2*x."""
    text = load_sympy().sstr(expression).replace("**", "^")
    text = re.sub(r"\bpi\b", "π", text)
    return re.sub(r"(?<=\d)\*(?=[A-Za-zπ(])", "", text).replace("*", "·")


def _as_pair(value: Fraction) -> tuple[int, int]:
    return value.numerator, value.denominator
