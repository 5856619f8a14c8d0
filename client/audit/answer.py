"""Where the reasoning concludes, and the `answer_mismatch` check.

A conclusion is a `\\boxed{…}` or an "the answer is …" phrase. The trajectory check reads the
sequence of them; this module compares the last one with the final answer the user saw, and
lists numbers the answer states that the reasoning never mentions (an answer that does not
follow from its own reasoning).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property, lru_cache

from client.audit.expr import NotArithmetic, evaluate, parse_decimal, tokenize
from client.audit.normalize import matching_braces, normalise
from client.core.audit import Finding, Severity, Step, StepKind
from client.core.format import step_number

CHECK = "answer_mismatch"
_BOXED = re.compile(r"\\(?:boxed|fbox)\s*\{")
_ANSWER_PHRASE = re.compile(
    r"\b(?:the\s+)?(?:final\s+)?answer\s*(?:is|:|=)\s*:?\s*(?:\*\*)?\s*", re.IGNORECASE
)
_PHRASE_END = re.compile(r"(?:\.(?=\s|$)|\n|;|,\s|\*\*|$)")
_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?:/\d+)?%?(?![\w])")
_RAW_NUMBER = re.compile(r"(?<![\w.,])-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:/\d+)?%?")
# "the answer is $1,200.50", "the answer is: -3/4", "answer = 25%": the number it states.
_STATED_NUMBER = re.compile(r"[\s$*(\\]*(-?\$?\d(?:[\d,]*\d)?(?:\.\d+)?(?:/\d+)?%?)")
_SHORT_PHRASE = 30  # a stated answer without a number must be short to be one ("B", "yes")
_SHORT_PHRASE_WORDS = 3
_NOT_AN_ANSWER = frozenset({"not", "no", "never", "that", "which", "because", "still", "unclear"})
_SHORT_ANSWER = 40  # an answer this short is its own value ("42", "$1,200", "B")
_EMPHASIS = re.compile(r"[*_`]+")
# "36 m²", "12 cm^3": the power squares or cubes a unit of length, it is no number of the answer.
_UNIT_POWER = re.compile(r"(?<=\d)(\s*(?:[kcm]?m|ft|in|yd|mi))\^[23](?![\d.])")
_TRIVIAL = 10  # small whole numbers appear everywhere (list numbers, "2 steps"); not evidence
_MAX_UNSUPPORTED = 3


@dataclass(frozen=True)
class Conclusion:
    """A candidate answer stated in a step: its text and span within the step."""

    step: int
    start: int
    end: int
    text: str

    @cached_property
    def key(self) -> str:
        """The comparable form of the value (see `canonical`)."""
        return canonical(self.text)


def conclusions(step: Step) -> list[Conclusion]:
    """The candidate answers stated in one step, in order."""
    found: list[Conclusion] = []
    boxed_spans: list[tuple[int, int]] = []
    braces = matching_braces(step.text) if "\\boxed" in step.text or "\\fbox" in step.text else {}
    for match in _BOXED.finditer(step.text):
        end = braces.get(match.end() - 1)
        if end is None:
            continue
        inner = step.text[match.end() : end].strip()
        if inner:
            found.append(Conclusion(step.index, match.end(), end, inner))
        boxed_spans.append((match.start(), end))
    for match in _ANSWER_PHRASE.finditer(step.text):
        start = match.end()
        stop = _PHRASE_END.search(step.text, start)
        end = min(stop.start() if stop else len(step.text), start + 80)
        if any(a <= end and start <= b for a, b in boxed_spans):
            continue
        number = _STATED_NUMBER.match(step.text, start, end)
        if number is not None:
            found.append(Conclusion(step.index, number.start(1), number.end(1), number.group(1)))
            continue
        text = step.text[start:end].strip()
        if _stated_phrase(text):
            found.append(
                Conclusion(step.index, start, start + len(step.text[start:end].rstrip()), text)
            )
    found.sort(key=lambda c: c.start)
    return found


def _stated_phrase(text: str) -> bool:
    """A short answer without a number ("B", "yes", "Paris"), not the start of a sentence
    ("not 12", "that we need more")."""
    words = text.split()
    return (
        0 < len(words) <= _SHORT_PHRASE_WORDS
        and len(text) <= _SHORT_PHRASE
        and any(ch.isalnum() for ch in text)
        and words[0].lower() not in _NOT_AN_ANSWER
    )


@lru_cache(maxsize=4096)
def canonical(value: str) -> str:
    """A comparable form of an answer: the exact number when it leads with one, else the text
    lowercased without spaces or LaTeX dressing ("$1,200.00" and "1200" agree)."""
    plain = normalise(value).text.strip().rstrip(".")
    tokens = [t for t in tokenize(plain) if t.kind != "brk"]
    arithmetic = []
    for token in tokens:
        if token.kind not in ("num", "op", "lp", "rp", "pct", "sqrt"):
            break
        arithmetic.append(token)
    if arithmetic:
        try:
            return str(evaluate(arithmetic).value)
        except NotArithmetic:
            pass
    return re.sub(r"[\s|()]+", "", plain).lower()


def final_value(answer: str) -> str | None:
    """The value a final answer states, if it states one clearly."""
    stated = conclusions(Step(0, answer, StepKind.CONCLUDE, 0, len(answer)))
    if stated:
        return stated[-1].text
    stripped = _EMPHASIS.sub("", answer).strip()
    if not 0 < len(stripped) <= _SHORT_ANSWER:
        return None
    # A short sentence ("The total is $55.", "It costs $55.00") states its one number; with
    # several different numbers it is not clear which is the answer, so say nothing.
    plain = _UNIT_POWER.sub(r"\1", normalise(stripped).text)
    written = [m.group() for m in _RAW_NUMBER.finditer(plain)]
    values = {v for v in (_number(w.replace(",", "")) for w in written) if v is not None}
    if len(values) == 1:
        return written[0]
    if values:
        return None
    return stripped if _stated_phrase(stripped.rstrip(".")) else None


def check_answer(steps: Sequence[Step], answer: str | None, problem: str | None) -> list[Finding]:
    """The reasoning's last conclusion against the final answer, and unsupported numbers."""
    if not answer or not answer.strip():
        return []
    findings: list[Finding] = []
    stated = final_value(answer)
    last = next((c for s in reversed(steps) for c in reversed(conclusions(s))), None)
    if stated is not None and last is not None and not _same(stated, last.text):
        findings.append(
            Finding(
                CHECK,
                Severity.WARNING,
                f"The reasoning concludes {last.text} (step {step_number(last.step)}), but the answer says {stated}.",
            )
        )
    known = numbers_in(" ".join(s.text for s in steps)) | numbers_in(problem or "")
    stated_numbers = numbers_in(answer)
    unsupported: list[str] = []
    attempts = 0
    for match in _NUMBER.finditer(normalise(answer).text):
        value = _number(match.group())
        if value is None or _trivial(value) or match.group() in unsupported:
            continue
        if {value, value * 100, value / 100} & known:
            continue
        attempts += 1
        if attempts <= _MAX_DERIVATIONS and _derived(
            value, match.group(), (known | stated_numbers) - {value}
        ):
            continue  # "1,001 ÷ 2 | 500.5": the answer works it out itself
        unsupported.append(match.group())
    for number in unsupported[:_MAX_UNSUPPORTED]:
        findings.append(
            Finding(
                CHECK,
                Severity.NOTE,
                f"The answer states {number}, which appears nowhere in the reasoning.",
            )
        )
    return findings


def _same(stated: str, concluded: str) -> bool:
    from client.audit.final_answer import same_answer  # it imports this module

    return same_answer(stated, concluded)


_MAX_OPERANDS = 60
_MAX_DERIVATIONS = 12  # numbers of one answer tried as derived; the rest stay unsupported


def _derived(value: Fraction, written: str, operands: set[Fraction]) -> bool:
    """Is `value` one operation (+ - × ÷) away from two numbers the texts already hold, to the
    precision it is written with ("333.67" for 1001 ÷ 3)?"""
    decimals = len(written.split(".")[1].rstrip("%")) if "." in written else 0
    tolerance = Fraction(1, 2 * 10**decimals) if decimals else Fraction(0)
    pool = sorted(operands, key=abs)[:_MAX_OPERANDS]
    for a in pool:
        for b in pool:
            candidates = [a + b, a - b, a * b]
            if b != 0:
                candidates.append(a / b)
            if any(abs(c - value) <= tolerance for c in candidates):
                return True
    return False


def numbers_in(text: str) -> set[Fraction]:
    """Every number written in `text` ("1,200", "2.5", "3/4", "20%"), as exact values."""
    written = {match.replace(",", "") for match in _RAW_NUMBER.findall(text)}
    return {value for value in map(_number, written) if value is not None}


def _number(text: str) -> Fraction | None:
    """A number as written: optional sign, decimals, a "/d" fraction, a percent sign."""
    body = text.rstrip("%")
    negative = body.startswith("-")
    body = body.lstrip("-")
    top, _, bottom = body.partition("/")
    try:
        value = parse_decimal(top)[0]
        if bottom:
            value /= int(bottom)
    except (ValueError, ZeroDivisionError):
        return None
    value = -value if negative else value
    return value / 100 if text.endswith("%") else value


def _trivial(value: Fraction) -> bool:
    return value.denominator == 1 and abs(value) <= _TRIVIAL
