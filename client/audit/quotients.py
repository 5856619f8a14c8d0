"""The `arithmetic` check, for whole-number results written beside an `=`: a division with a
remainder and a floor or ceiling of a number.

- "194 ÷ 11 = 17 with a remainder of 7", `355 \\div 6 = 59 \\;\\mathrm{R}\\; 1`, "9 divided by 6
  is 1 with a remainder of 3": the dividend must equal quotient × divisor + remainder.
- `\\lceil 4.2 \\rceil = 5`, `\\left\\lfloor \\frac{50}{7} \\right\\rfloor = 7`,
  `\\lfloor \\sqrt{50} \\rfloor = 7`: the floor or ceiling of a number, evaluated exactly.

Both are read where the plain arithmetic check stays silent (a remainder, a floor). Only a
claim standing alone is judged: one inside a larger expression (`2 × 17 ÷ 5 = 6 R 4`,
`\\lceil 2.5 \\rceil + 1 = 4`) or in a sentence that negates, asks or calls it wrong is left
alone. A remainder not smaller than the divisor is not an error when the equation holds.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from fractions import Fraction
from math import isqrt

from client.core.audit import Finding, Severity, Step

CHECK = "arithmetic"

# What LaTeX and Markdown put between the words and numbers of such a claim.
_GAP = r"(?:\s|\\[,;:! ]|\\quad|\\qquad|\\\(|\\\)|\$|\*\*|~)*"
_WHOLE = r"(\d{1,3}(?:,\d{3})+|\d+)(?![\d.,]\d)"
_DIVIDED = r"(?:÷|\\div|/|divided\s+by)"
_GIVES = r"(?:=|\bis\b|\bgives\b|\bequals\b)"
_REMAINDER_WORD = (
    r"(?:,?" + _GAP + r"(?:with" + _GAP + r")?(?:an?" + _GAP + r")?"
    r"(?:\\text\{\s*)?(?:remainder|rem\.?)(?:\s*\})?(?:" + _GAP + r"of)?"
    r"|\\mathrm\{\s*R\s*\}|\\text\{\s*R\s*\}|\bR\b|\br\b)"
)
_REMAINDER = re.compile(
    r"(?<![\w.^{}\\])"
    + _WHOLE
    + _GAP
    + _DIVIDED
    + _GAP
    + _WHOLE
    + _GAP
    + _GIVES
    + _GAP
    + _WHOLE
    + _GAP
    + _REMAINDER_WORD
    + _GAP
    + r":?"
    + _GAP
    + _WHOLE,
    re.IGNORECASE,
)
_ROUNDING = re.compile(
    r"(?:\\left\s*)?(?:\\l(?P<kind>floor|ceil)\b|(?P<glyph>[⌊⌈]))"
    r"(?P<inner>[^=<>≤≥\n]{1,60}?)"
    r"(?:\\right\s*)?(?:\\r(?P<close>floor|ceil)\b|(?P<close_glyph>[⌋⌉]))"
    r"\s*=\s*(?P<value>-?\d+)(?![\d.,]\d)"
)
# `a \bmod n = r`, `a ≡ r \pmod{n}` and `X = a \mod n` with `X = r` on the next line.
_INTEGER = r"(-?\d+)(?![\d.,]\d)"
_MOD_WORD = r"(?:\\[bp]?mod\b|\\operatorname\{\s*mod\s*\}|\\text\{\s*mod\s*\}|\bmod\b)"
_MODULUS = r"\{?\s*(\d+)\s*\}?(?![\d.,]\d)"
_PMOD = (
    r"(?:\(\s*"
    + _MOD_WORD
    + r"\s*"
    + _MODULUS
    + r"\s*\)|\\pmod\s*"
    + _MODULUS
    + r"|"
    + _MOD_WORD
    + r"\s*"
    + _MODULUS
    + r")"
)
# `a \bmod n = r` inline is the symbolic check's (client/audit/exact.py).
_MOD_INLINE = r"(?:\\mod\b|\\operatorname\{\s*mod\s*\}|\\text\{\s*mod\s*\}|\bmod\b)"
_MOD_CLAIM = re.compile(
    r"(?<![\w.^{}\\])"
    + _INTEGER
    + _GAP
    + _MOD_INLINE
    + _GAP
    + _MODULUS
    + _GAP
    + r"(?:=|\bis\b|\bequals\b)"
    + _GAP
    + _INTEGER
)
_CONGRUENCE = re.compile(
    r"(?<![\w.^{}\\])" + _INTEGER + _GAP + r"(?:\\equiv\b|≡)" + _GAP + _INTEGER + _GAP + _PMOD
)
# A name given a residue, then its value on the next line of display maths.
_NAMED_MOD = re.compile(
    r"(?<![\w\\])([A-Za-z])\s*=\s*"
    + _INTEGER
    + _GAP
    + _MOD_WORD
    + _GAP
    + _MODULUS
    + r"(?:\s|\\\]|\\\[|\\\)|\\\(|\$)*?(?:\\\]|\$|\n)(?:\s|\\\[|\\\(|\$)*"
    + r"\1\s*=\s*"
    + _INTEGER
)
# A word that makes the number after it part of a phrase: "the inverse of 5 mod 7 is 3".
_PHRASE_BEFORE = re.compile(
    r"\b(?:of|and|to|from|by|with|than|inverse|times|over|per)" + _GAP + r"$", re.IGNORECASE
)
_INNER_NUMBER = re.compile(r"(-?)(\d+(?:\.\d+)?)")
_INNER_FRACTION = re.compile(r"(-?)\\[dt]?frac\{(\d+)\}\{(\d+)\}|(-?)(\d+)/(\d+)")
_INNER_ROOT = re.compile(r"\\sqrt\{(\d+)\}")
# What may not stand right before a claim's first number or after its last: an operator joins
# the claim to a larger expression.
_OPERATOR_BEFORE = re.compile(r"(?:[-+*/×·÷^]|\\(?:cdot|times|div|frac|pm|mp))\s*$")
_BULLET = re.compile(r"\s*(?:[-*+]|\d+[.)])\s+(?:\\\(|\$)?\s*")
_OPERATOR_AFTER = re.compile(r"\s*(?:[-+*/×·÷^(]|\\(?:cdot|times|div|frac|pm|mp)\b)")
_DOUBT = re.compile(
    r"\bnot\b|n't|\?|\b(?:wrong|incorrect|mistake|suppose|assume|if|check|checking)\b",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"(?<!\d)[.!?](?=\s|$)|\n\s*\n")
_WINDOW = 200


def check_quotients(steps: Sequence[Step]) -> list[Finding]:
    """Findings for false divisions with a remainder and false floors and ceilings."""
    findings: list[Finding] = []
    for step in steps:
        text = step.text
        if "remainder" in text.lower() or "R" in text or "rem" in text:
            findings.extend(_remainders(step.index, text))
        if "floor" in text or "ceil" in text or "⌊" in text or "⌈" in text:
            findings.extend(_roundings(step.index, text))
        if "mod" in text:
            findings.extend(_residues(step.index, text))
    return findings


def _remainders(step: int, text: str) -> list[Finding]:
    found: list[Finding] = []
    for match in _REMAINDER.finditer(text):
        if not _alone(text, match.start(), match.end()) or _doubted(text, match.start()):
            continue
        dividend, divisor, quotient, remainder = (
            int(match.group(k).replace(",", "")) for k in range(1, 5)
        )
        if divisor == 0 or quotient * divisor + remainder == dividend:
            continue
        right_quotient, right_remainder = divmod(dividend, divisor)
        message = (
            f"{dividend} ÷ {divisor} is {right_quotient} remainder {right_remainder}, "
            f"not {quotient} remainder {remainder} ({quotient} × {divisor} + {remainder} is "
            f"{quotient * divisor + remainder})."
        )
        found.append(Finding(CHECK, Severity.ERROR, message, step, match.start(), match.end()))
    return found


def _roundings(step: int, text: str) -> list[Finding]:
    found: list[Finding] = []
    for match in _ROUNDING.finditer(text):
        opening = match.group("kind") or ("floor" if match.group("glyph") == "⌊" else "ceil")
        closing = match.group("close") or ("floor" if match.group("close_glyph") == "⌋" else "ceil")
        if opening != closing:
            continue
        if not _alone(text, match.start(), match.end()) or _doubted(text, match.start()):
            continue
        inner = match.group("inner").strip()
        floor, ceiling = _floor_and_ceiling(inner)
        if floor is None or ceiling is None:
            continue
        right = floor if opening == "floor" else ceiling
        claimed = int(match.group("value"))
        if claimed == right:
            continue
        name = "floor" if opening == "floor" else "ceiling"
        message = f"The {name} of {_shown(inner)} is {right}, not {claimed}."
        found.append(Finding(CHECK, Severity.ERROR, message, step, match.start(), match.end()))
    return found


def _residues(step: int, text: str) -> list[Finding]:
    """`a mod n = r` (or `X = a mod n` and then `X = r`) and `a ≡ r (mod n)` for whole
    numbers: false when a - r is not a multiple of n. A residue not reduced below n, or a
    negative one, is no error when the congruence holds."""
    found: list[Finding] = []
    for pattern, order in (
        (_MOD_CLAIM, (1, 2, 3)),
        (_CONGRUENCE, (1, 0, 2)),
        (_NAMED_MOD, (2, 3, 4)),
    ):
        for match in pattern.finditer(text):
            if _CONGRUENCE is pattern:
                number, modulus, claimed = match.group(1), _modulus(match), match.group(2)
            else:
                number, modulus, claimed = (match.group(k) for k in order)
            if modulus is None:
                continue
            start = match.start(order[0])
            if not _alone(text, start, match.end()) or _doubted(text, start):
                continue
            if pattern is _MOD_CLAIM and _PHRASE_BEFORE.search(text, max(0, start - 40), start):
                continue  # "the inverse of 5 mod 7 is 3": a phrase, not the residue of 5
            a, n, r = int(number), int(modulus), int(claimed)
            if n == 0 or (a - r) % n == 0:
                continue
            message = f"{a} mod {n} is {a % n}, not {r}."
            found.append(Finding(CHECK, Severity.ERROR, message, step, start, match.end()))
    return found


def _modulus(match: re.Match[str]) -> str | None:
    return next((g for g in match.groups()[2:] if g is not None), None)


def _floor_and_ceiling(inner: str) -> tuple[int | None, int | None]:
    """The floor and ceiling of a number written plainly, as a fraction or as the square root
    of a whole number; (None, None) for anything else."""
    inner = re.sub(r"\\left|\\right|\s+", "", inner)
    while inner.startswith("(") and inner.endswith(")"):
        inner = inner[1:-1]
    value: Fraction | None = None
    if match := _INNER_NUMBER.fullmatch(inner):
        value = Fraction(match.group(2)) * (-1 if match.group(1) else 1)
    elif match := _INNER_FRACTION.fullmatch(inner):
        sign, top, bottom = (
            (match.group(1), match.group(2), match.group(3))
            if match.group(2)
            else (match.group(4), match.group(5), match.group(6))
        )
        if int(bottom) == 0:
            return None, None
        value = Fraction(int(top), int(bottom)) * (-1 if sign else 1)
    elif match := _INNER_ROOT.fullmatch(inner):
        radicand = int(match.group(1))
        root = isqrt(radicand)
        return root, root + (root * root != radicand)
    if value is None:
        return None, None
    floor = value.numerator // value.denominator
    return floor, floor + (value.denominator != 1)


def _alone(text: str, start: int, end: int) -> bool:
    """Is the claim not part of a larger expression on its own line? A Markdown bullet
    (`- \\(17 \\div 5 = 3\\) remainder \\(2\\)`) before it is not a minus sign."""
    line_start = text.rfind("\n", 0, start) + 1
    before = text[max(line_start, start - 12) : start]
    before = re.sub(r"(?:\\\(|\$|\\\[)\s*$", "", before)
    if _OPERATOR_BEFORE.search(before) and not _BULLET.fullmatch(text[line_start:start]):
        return False
    line_end = text.find("\n", end)
    after = text[end : min(end + 12, line_end if line_end >= 0 else len(text))]
    after = re.sub(r"^\s*(?:\\\)|\$|\\\])", "", after)
    return not _OPERATOR_AFTER.match(after)


def _doubted(text: str, at: int) -> bool:
    """Does the sentence around `at` negate, ask, suppose or call something wrong?"""
    start = max(0, at - _WINDOW)
    for match in _SENTENCE_END.finditer(text, start, at):
        start = match.end()
    stop = text.find("\n", at)
    end = min(len(text), at + _WINDOW, stop if stop >= 0 else len(text))
    following = _SENTENCE_END.search(text, at, end)
    if following is not None:
        end = following.start()
    return _DOUBT.search(re.sub(r"\\[A-Za-z]+", " ", text[start:end])) is not None


def _shown(inner: str) -> str:
    shown = re.sub(r"\\[dt]?frac\{([^{}]*)\}\{([^{}]*)\}", r"\1/\2", inner)
    shown = re.sub(r"\\sqrt\{([^{}]*)\}", r"√\1", shown)
    return re.sub(r"\\left|\\right|\s+", "", shown)
