"""The `arithmetic` check: a false equality between numbers, evaluated exactly.

`claims.py` decides what counts as a plain claim; this module evaluates both sides with
fractions and decides how loudly to speak. An `error` is a claim off by more than about 1%. The
quieter `note`s are for what a careful reader would forgive or merely query: a rounded value
("20 ÷ 3600 = 0.0056"), integer division written as "=", a value off by a power of ten (often a
change of units), and a small difference that may be rounding carried along.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from fractions import Fraction
from functools import lru_cache
from math import log10

from client.audit.claims import (
    Binding,
    Claim,
    Side,
    find_bindings,
    find_claims,
    plain_clauses,
)
from client.audit.expr import Evaluation, NotArithmetic, Token, evaluate
from client.audit.normalize import Normalised, normalise
from client.core.audit import Finding, Severity, Step

CHECK = "arithmetic"
# Off by more than this share of the larger side is an error; below it, possibly rounding.
ERROR_SHARE = Fraction(1, 100)
# For "≈" the writer announced an approximation; only a clearly wrong one is an error.
APPROXIMATE_OK_SHARE = Fraction(2, 100)
APPROXIMATE_ERROR_SHARE = Fraction(10, 100)
_REDUNDANT_PARENS = re.compile(r"\((-?[\d.]+%?)\)")
_DOUBLED_PARENS = re.compile(r"\(\(([^()]*)\)\)")
_SPACES = re.compile(r"\s+")
_EMPTY = Normalised("", [], [])
# "17 times 3 is 41": a number, then "is" or "equals", then a number.
_CLAIM_IN_WORDS = re.compile(r"[\d%)]\s+(?:is|equals)\s+\$?\d")
_NEGATED = re.compile(r"\bnot\b|n't|\?")


def check_arithmetic(steps: Sequence[Step]) -> list[Finding]:
    """Findings for every false numeric equality in a trace.

    Bindings are scoped. A one-letter name given a value in a step (`x = -4`) reads as that
    value in the step's later clauses only: it is a claim about that sentence's objects, not a
    global variable. A name the trace works out as a defined quantity (`A = (-9 - 5) = -14`),
    once and never given another value, also reads as that value in later steps, so
    `A - B = -14 - 2` is checked too.
    """
    parsed = [_parse(step.text) for step in steps]
    step_bindings = [find_bindings(clauses) for _, clauses in parsed]
    first_bound: dict[str, int] = {}
    values: dict[str, set[Fraction | None]] = {}
    computed: dict[str, bool] = {}
    for step, bindings in zip(steps, step_bindings, strict=True):
        for binding in bindings:
            try:
                value: Fraction | None = evaluate(binding.value.tokens).value
            except NotArithmetic:
                value = None
            first_bound.setdefault(binding.name, step.index)
            values.setdefault(binding.name, set()).add(value)
            computed[binding.name] = computed.get(binding.name, True) and binding.computed
    findings: list[Finding] = []
    for step, (norm, clauses), local in zip(steps, parsed, step_bindings, strict=True):
        if not clauses:
            continue
        names: dict[str, Fraction] = {}
        for name, known in values.items():
            value = next(iter(known))
            if (
                len(known) == 1
                and value is not None
                and computed[name]
                and first_bound[name] < step.index
            ):
                names[name] = value
        findings.extend(_check_clauses(step.index, step.text, norm, clauses, names, local))
    return findings


def check_step(step: int, text: str, names: Mapping[str, Fraction] | None = None) -> list[Finding]:
    """Findings for the false numeric equalities in one step's text on its own."""
    norm, clauses = _parse(text)
    return _check_clauses(step, text, norm, clauses, names or {}, find_bindings(clauses))


@lru_cache(maxsize=2048)
def _parse(text: str) -> tuple[Normalised, list[list[Token]]]:
    """A step's normalised text and its claim clauses. Cached: reasoning repeats itself (the
    loop check exists for that), and a repeated step costs nothing to read again. Callers
    never change what it returns."""
    if (
        "=" not in text
        and "≈" not in text
        and "\\approx" not in text
        and not _claims_in_words(text)
    ):
        return _EMPTY, []
    norm = normalise(text)
    return norm, plain_clauses(norm.text)


def _claims_in_words(text: str) -> bool:
    """Might the text claim "17 times 3 is 41"? Not when it negates or asks ("… is 8, not 9"):
    such a step is a correction, and reading it costs a full normalisation."""
    return _CLAIM_IN_WORDS.search(text) is not None and _NEGATED.search(text) is None


def _check_clauses(
    step: int,
    text: str,
    norm: Normalised,
    clauses: list[list[Token]],
    names: Mapping[str, Fraction],
    local: Sequence[Binding] = (),
) -> list[Finding]:
    judged: list[tuple[Claim, Evaluation, Evaluation]] = []
    for claim in find_claims(clauses, names, local):
        try:
            judged.append((claim, evaluate(claim.left.tokens), evaluate(claim.right.tokens)))
        except NotArithmetic:
            continue
    recovered = _recovered_chains(judged)
    findings: list[Finding] = []
    for claim, left, right in judged:
        verdict = _judge(left, right, claim.approximate)
        if verdict is None:
            continue
        severity, reason = verdict
        start, end = norm.span(claim.left.start, claim.right.end)
        message = _message(reason, claim, left, right, text, norm)
        if severity is Severity.ERROR and claim.chain in recovered:
            severity = Severity.WARNING
            message = message[:-1] + "; the chain still ends at the value it started from."
        findings.append(Finding(CHECK, severity, message, step, start, end))
    return findings


def _recovered_chains(judged: list[tuple[Claim, Evaluation, Evaluation]]) -> set[int]:
    """Chains `a = b = c` whose first and last values agree although a link between is false:
    a slip in an intermediate line that did not carry into the result. Still reported, but as
    a warning; the step's result stands."""
    ends: dict[int, tuple[tuple[int, Fraction], tuple[int, Fraction]]] = {}
    for claim, left, right in judged:
        first, last = (claim.link, left.value), (claim.link + 1, right.value)
        if claim.chain in ends:
            known_first, known_last = ends[claim.chain]
            first, last = min(known_first, first), max(known_last, last)
        ends[claim.chain] = (first, last)
    return {
        chain
        for chain, (first, last) in ends.items()
        if last[0] - first[0] > 1 and first[1] == last[1]
    }


def _judge(left: Evaluation, right: Evaluation, approximate: bool) -> tuple[Severity, str] | None:
    """None when the claim holds; otherwise a severity and a reason for the message."""
    verdict = _compare(left, right, approximate)
    if verdict is not None and left.percent != right.percent:
        # "(60/160) × 100 = 37.5%": the number of percent, with the sign as a label.
        as_number = _percent_as_number(right if right.percent else left)
        plain = left if right.percent else right
        relabelled = _compare(plain, as_number, approximate)
        if relabelled is None or relabelled[1] == "rounded":
            return relabelled
    return verdict


def _percent_as_number(percent: Evaluation) -> Evaluation:
    return replace(
        percent, value=percent.value * 100, decimals=max(0, percent.decimals - 2), percent=False
    )


def _compare(left: Evaluation, right: Evaluation, approximate: bool) -> tuple[Severity, str] | None:
    if left.value == right.value:
        return None
    if left.integral and right.integral and not approximate:
        # Whole numbers under + - ×: neither rounding nor a dropped remainder can explain it.
        return (
            (Severity.NOTE, "power")
            if _power_of_ten(left.value, right.value)
            else (Severity.ERROR, "false")
        )
    if not approximate and _integer_division(left, right):
        return Severity.NOTE, "remainder"
    if _rounded(left, right) or _rounded(right, left):
        return None if approximate else (Severity.NOTE, "rounded")
    if _power_of_ten(left.value, right.value) is not None:
        return Severity.NOTE, "power"
    share = abs(left.value - right.value) / max(abs(left.value), abs(right.value))
    if not approximate and _exactly_writable(left, right):
        return Severity.ERROR, "false"  # no rounding can explain the difference
    if approximate:
        if share <= APPROXIMATE_OK_SHARE:
            return None
        return (
            (Severity.NOTE, "close")
            if share <= APPROXIMATE_ERROR_SHARE
            else (Severity.ERROR, "false")
        )
    return (Severity.NOTE, "close") if share <= ERROR_SHARE else (Severity.ERROR, "false")


def _integer_division(left: Evaluation, right: Evaluation) -> bool:
    """`17 / 5 = 3`: whole numbers divided, and the remainder dropped."""
    return (
        left.divides_integers
        and right.literal
        and right.decimals == 0
        and left.value.denominator != 1
        and right.value == int(left.value)  # int() truncates toward zero
    )


def _exactly_writable(left: Evaluation, right: Evaluation) -> bool:
    """Could the claim have been written exactly? Whole numbers under + - × always can, and
    so can any value with no more decimals than the written side shows (15.00 vs 14.99)."""
    if left.integral and right.integral:
        return True
    for shown, exact in ((right, left), (left, right)):
        if shown.literal and (exact.value * 10**shown.decimals).denominator == 1:
            return True
    return False


def _rounded(exact: Evaluation, shown: Evaluation) -> bool:
    """`shown` is `exact` written to fewer digits: rounded to its last place (half a unit
    either way) or cut off there. Anything else within a unit is no rounding: 1/(5/2) is 0.4,
    which rounds to 0, never to 1."""
    if not shown.literal:
        return False
    unit = Fraction(1, 10**shown.decimals)
    difference = abs(exact.value - shown.value)
    if difference <= unit / 2:
        return True
    cut = Fraction(int(exact.value / unit)) * unit  # int() truncates toward zero
    return shown.value == cut


def _power_of_ten(a: Fraction, b: Fraction) -> int | None:
    """The power of ten (10 to 10⁹) that `a` and `b` differ by, if that is all they differ by
    (within half a percent, so a rounded value still counts)."""
    if a == 0 or b == 0 or (a < 0) != (b < 0):
        return None
    ratio = float(abs(a / b))
    if ratio < 1:
        ratio = 1 / ratio
    exponent = round(log10(ratio))
    if 1 <= exponent <= 9 and abs(ratio / 10**exponent - 1) < 0.005:
        return 10**exponent
    return None


def _message(
    reason: str, claim: Claim, left: Evaluation, right: Evaluation, text: str, norm: Normalised
) -> str:
    shown_left = _display(claim.left, text, norm)
    shown_right = _display(claim.right, text, norm)
    if left.literal and not right.literal:  # "41 = 17 × 3" reads best from the expression
        shown_left, shown_right, left, right = shown_right, shown_left, right, left
    value = format_value(left.value)
    if reason == "remainder":
        return f"{shown_left} is {value}; writing {shown_right} drops the remainder."
    if reason == "rounded":
        return f"{shown_left} is {value}; {shown_right} is a rounded value."
    if reason == "power":
        power = _power_of_ten(left.value, right.value)
        return (
            f"{shown_left} is {value}, not {shown_right}: off by a factor of {power}, "
            "possibly a unit or decimal-point slip."
        )
    if not right.literal:
        narrowed = _differing_groups(claim.left, claim.right)
        if narrowed is not None:
            # "((3 * 4) * (7 - -7 * 4)) = ((3 * 4) * (7 - 28))": name the part that changed.
            inner_left, inner_right, left, right = narrowed
            shown_left, shown_right = (
                _display(inner_left, text, norm),
                _display(inner_right, text, norm),
            )
            value = format_value(left.value)
        return f"{shown_left} is {value}, but {shown_right} is {format_value(right.value)}."
    if reason == "close":
        share = abs(left.value - right.value) / max(abs(left.value), abs(right.value))
        return f"{shown_left} is {value}, not {shown_right} ({float(share):.1%} off; possibly rounding)."
    approx = "approximately " if claim.approximate else ""
    return f"{shown_left} is {value}, not {approx}{shown_right}."


def _differing_groups(left: Side, right: Side) -> tuple[Side, Side, Evaluation, Evaluation] | None:
    """The innermost parenthesised groups that hold everything two sides differ in, when the
    sides are otherwise written the same, with their values; None when that is the whole side."""
    a, b = left.tokens, right.tokens
    prefix = 0
    while prefix < min(len(a), len(b)) and a[prefix].text == b[prefix].text:
        prefix += 1
    suffix = 0
    while suffix < min(len(a), len(b)) - prefix and a[-1 - suffix].text == b[-1 - suffix].text:
        suffix += 1
    opener, depth = None, 0
    for i in range(prefix - 1, -1, -1):
        if a[i].kind == "rp":
            depth += 1
        elif a[i].kind == "lp":
            if depth == 0:
                opener = i
                break
            depth -= 1
    if opener is None:
        return None
    closer, depth = None, 0
    for k in range(opener, len(a)):
        depth += 1 if a[k].kind == "lp" else -1 if a[k].kind == "rp" else 0
        if depth == 0:
            closer = k
            break
    if closer is None or closer < len(a) - suffix or (opener == 0 and closer == len(a) - 1):
        return None
    group_a, group_b = a[opener : closer + 1], b[opener : len(b) - (len(a) - closer) + 1]
    try:
        value_a, value_b = evaluate(group_a), evaluate(group_b)
    except NotArithmetic:
        return None
    if value_a.value == value_b.value:
        return None
    return Side(group_a), Side(group_b), value_a, value_b


def _display(side: Side, text: str, norm: Normalised) -> str:
    """The side as the user wrote it, or tidied normalised text when it was LaTeX."""
    start, end = norm.span(side.start, side.end)
    shown = _SPACES.sub(" ", text[start:end]).strip()
    if any(ch in shown for ch in "\\{}$"):
        shown = _SPACES.sub(" ", norm.text[side.start : side.end].replace("*", "×")).strip()
        shown = shown.replace("( ", "(").replace(" )", ")")
        previous = None
        while previous != shown:
            previous = shown
            shown = _DOUBLED_PARENS.sub(r"(\1)", _REDUNDANT_PARENS.sub(r"\1", shown))
    return shown


def format_value(value: Fraction) -> str:
    """A value as a reader expects it: 51, 0.0056, or about 6.667 when it does not terminate."""
    if value.denominator == 1:
        return str(value.numerator)
    denominator = value.denominator
    for prime in (2, 5):
        while denominator % prime == 0:
            denominator //= prime
    if denominator == 1:
        places = 0
        while (value * 10**places).denominator != 1:
            places += 1
        if places <= 8:
            scaled = abs(value * 10**places).numerator
            whole, fraction = divmod(scaled, 10**places)
            sign = "-" if value < 0 else ""
            return f"{sign}{whole}.{fraction:0{places}d}"
    return f"about {float(value):.4g}"
