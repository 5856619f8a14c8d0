"""The shape of a parsed maths tree (latex.py's tuples): its children, size, variables and
degree, and whether it holds decimals or functions.

The symbolic checks look at the shape before judging anything: it says whether a claim is an
identity between polynomials, an evaluated function, or plain arithmetic between numbers,
which is the arithmetic check's.
"""

from __future__ import annotations

from client.audit.latex import Node

MAX_DEGREE = 24  # in one variable; with several, half that


def children(node: Node) -> list[Node]:
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


def size(node: Node) -> int:
    return 1 + sum(size(child) for child in children(node))


def symbols(node: Node) -> frozenset[str]:
    if node[0] == "sym":
        return frozenset({node[1]})
    found: frozenset[str] = frozenset()
    for child in children(node):
        found |= symbols(child)
    if node[0] in ("sum", "prod"):
        found -= {node[1]}
    return found


def lone_name(node: Node) -> bool:
    return node[0] == "sym"


def has_decimal(node: Node) -> bool:
    if node[0] == "num":
        return bool(node[2])
    return any(has_decimal(child) for child in children(node))


def function_like(node: Node) -> bool:
    """Anything beyond + - × ÷ and whole powers of plain numbers."""
    if node[0] in ("root", "fact", "binom", "gcd", "lcm", "mod", "sum", "prod", "fn", "pi"):
        return True
    return any(function_like(child) for child in children(node))


def polynomial_like(node: Node) -> bool:
    """Rational expressions in the variables with whole-number powers: what `cancel` decides."""
    kind = node[0]
    if kind in ("num", "sym", "pi"):
        return True
    if kind == "pow":
        power = whole_exponent(node[2])
        if power is None or abs(power) > MAX_DEGREE:
            return polynomial_like(node[1]) and not symbols(node[2]) and not symbols(node[1])
        return polynomial_like(node[1])
    if kind in ("add", "mul", "div", "neg"):
        return all(polynomial_like(child) for child in children(node))
    return not symbols(node)  # \sqrt{2} x is fine; \sqrt{x} is not a polynomial


def degree(node: Node) -> int:
    kind = node[0]
    if kind == "sym":
        return 1
    if kind in ("add",):
        return max(degree(child) for child in node[1])
    if kind == "mul":
        return sum(degree(child) for child in node[1])
    if kind == "div":
        return degree(node[1]) + degree(node[2])
    if kind == "neg":
        return degree(node[1])
    if kind == "pow":
        power = whole_exponent(node[2])
        if power is not None:
            return degree(node[1]) * abs(power)
        return 0 if not symbols(node) else MAX_DEGREE + 1
    return 0


def whole_exponent(exponent: Node) -> int | None:
    """A whole-number exponent, negative ones included (`a^{-1}`); None for anything else."""
    sign = 1
    if exponent[0] == "neg":
        sign, exponent = -1, exponent[1]
    if exponent[0] == "num" and exponent[1].denominator == 1:
        return sign * int(exponent[1])
    return None


def bracketed(node: Node) -> bool:
    kind = node[0]
    if kind == "mul" and any(child[0] == "add" for child in node[1]):
        return True
    if kind == "pow" and node[1][0] == "add":
        return True
    return any(bracketed(child) for child in children(node))


def mentions_pi(node: Node) -> bool:
    return node[0] == "pi" or any(mentions_pi(child) for child in children(node))
