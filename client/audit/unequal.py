"""The `arithmetic` check, for "≠" between numbers: `162 - 108 - 45 - 6 - 3 \\neq 0` claims
two values differ, and is false when they are equal.

Only plain arithmetic on both sides is read (no names, no words), each side ending at the
clause around it or at the "=" that leads into it (`2(-3)^4 - 3 = 162 - 165 \\neq 0` reads
`162 - 165 ≠ 0`). A sentence that supposes or asks is left alone. Normalising a step costs time,
so only a step holding "≠" is read.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from fractions import Fraction

from client.audit.arithmetic import format_value
from client.audit.expr import NotArithmetic, evaluate, tokenize
from client.audit.normalize import normalise
from client.core.audit import Finding, Severity, Step

CHECK = "arithmetic"

_ARITHMETIC = frozenset({"num", "op", "pct", "sqrt", "lp", "rp"})
_LEFT_END = re.compile(r"[=≈|¦\n:,;<>≤≥≡]")
_RIGHT_END = re.compile(r"[=≈|¦\n,;:<>≤≥≡]|\.(?!\d)")
_DOUBT = re.compile(
    r"\?|\b(?:if|suppose|supposing|assume|assuming|wrong|incorrect|mistake|whether)\b",
    re.IGNORECASE,
)
_SENTENCE = re.compile(r"[?!\n]|\.(?!\d)")


def check_unequal(steps: Sequence[Step]) -> list[Finding]:
    """Findings for a "≠" between two plain values that are equal."""
    findings: list[Finding] = []
    for step in steps:
        text = step.text
        if "≠" not in text and "\\ne" not in text:
            continue
        norm = normalise(text)
        plain = norm.text
        for at in (i for i, ch in enumerate(plain) if ch == "≠"):
            left_start = max((m.end() for m in _LEFT_END.finditer(plain, 0, at)), default=0)
            stop = _RIGHT_END.search(plain, at + 1)
            right_end = stop.start() if stop else len(plain)
            left = _value(plain, left_start, at, left=True)
            right = _value(plain, at + 1, right_end, left=False)
            if left is None or right is None or left[0] != right[0]:
                continue
            if _doubted(plain, left_start, right_end):
                continue
            start, end = norm.span(left[1], right[2])
            message = (
                f"{_tidy(plain[left[1] : at])} is {format_value(left[0])}, "
                f"so it is not ≠ {_tidy(plain[at + 1 : right[2]])}."
            )
            findings.append(Finding(CHECK, Severity.ERROR, message, step.index, start, end))
    return findings


def _value(plain: str, start: int, end: int, left: bool) -> tuple[Fraction, int, int] | None:
    """The exact value of the plain arithmetic that ends plain[start:end] (`left`) or starts
    it, with where it starts and ends; None when there is none or it is glued to a name
    (`a_3`, `2x`)."""
    tokens = tokenize(plain, start, end)
    if left:
        k = len(tokens)
        while k > 0 and tokens[k - 1].kind in _ARITHMETIC:
            k -= 1
        if 0 < k < len(tokens) and not tokens[k].spaced:
            return None
        side = tokens[k:]
    else:
        k = 0
        while k < len(tokens) and tokens[k].kind in _ARITHMETIC:
            k += 1
        if 0 < k < len(tokens) and not tokens[k].spaced:
            return None
        side = tokens[:k]
    if not any(t.kind == "num" for t in side):
        return None
    try:
        value = evaluate(side).value
    except NotArithmetic:
        return None
    return value, side[0].start, side[-1].end


def _doubted(plain: str, start: int, end: int) -> bool:
    """Does the sentence around plain[start:end] suppose, ask or call something wrong?"""
    earliest = max(0, start - 200)
    begin = max((m.end() for m in _SENTENCE.finditer(plain, earliest, start)), default=earliest)
    stop = _SENTENCE.search(plain, end)
    return _DOUBT.search(plain[begin : stop.start() if stop else len(plain)]) is not None


def _tidy(side: str) -> str:
    """Normalised arithmetic as a reader writes it: 7 × 8, (1/4)."""
    side = re.sub(r"\((-?[\d.]+)\)", r"\1", side.strip())
    side = re.sub(r"\(([\d.]+)/([\d.]+)\)", r"(\1/\2)", side)
    return " ".join(side.replace("*", "×").split())
