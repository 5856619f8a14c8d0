"""The `retraction` check: a value the model took back and then used anyway.

Reasoning models say "wait, that's wrong" and often carry on with the very number they just
rejected. A retraction names its value ("17 × 3 is 51, not 41", "41 is wrong", "instead of
41"), or points back at the previous step ("Wait, that's wrong."), in which case the value is
the last result that step stated. Any later plain use of that value, or a final answer equal to
it, is reported. Numbers given in the problem and small whole numbers are left alone: they
turn up for honest reasons.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from client.audit.answer import canonical, final_value, numbers_in
from client.core.audit import Finding, Severity, Step
from client.core.format import step_number

CHECK = "retraction"
_NUM = r"-?\d+(?:\.\d+)?"
_RETRACTION = re.compile(
    r"\b(?:that(?:'s| is| was) (?:wrong|incorrect|not right|a mistake)|i made (?:a|an) "
    r"(?:mistake|error)|i was wrong|scratch that|i miscalculated|my mistake|that can(?:'t|not) be "
    r"right)\b|^\W*(?:(?:hmm+|oh|ah|um+|okay|ok)\W+)?wait,? no\b",
    re.IGNORECASE,
)
# Phrases that name the rejected value.
_NAMED = re.compile(
    rf"(?:\bnot|\bisn't|\binstead of|\brather than)\s+\$?({_NUM})\b(?!\.\d)"
    rf"|\$?({_NUM})\s+(?:is|was)\s+(?:wrong|incorrect|a mistake)",
    re.IGNORECASE,
)
_CORRECTED = re.compile(
    rf"\b(?:should be|is actually|is really|correct (?:value|answer) is)\s+\$?({_NUM})"
)
_RESULT = re.compile(rf"=\s*\$?({_NUM})(?!\d|\.\d)")
# A later sentence that mentions the value only to reject it again is not a use of it.
_NEGATED = re.compile(
    r"\b(?:not|wrong|incorrect|mistake|instead|rather|earlier|before|previous(?:ly)?|retract)\b|n't",
    re.IGNORECASE,
)
# A calculation and its value: "17 × 3 = 41", "17 × 3 is 51".
_RESTATED = re.compile(
    rf"(\d+(?:\.\d+)?(?:\s*[-+×x*/÷]\s*\d+(?:\.\d+)?)+)\s*(?:=|is|equals)\s*\$?({_NUM})(?!\d|\.\d)"
)
_SPACES = re.compile(r"\s+")
_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+|\n|$)")
_TRIVIAL = 10
_MENTION = re.compile(rf"(?<![\w.]){_NUM}(?![\w]|\.\d)")


@dataclass(frozen=True)
class Retraction:
    step: int
    value: str


def find_retractions(steps: Sequence[Step]) -> list[Retraction]:
    """The values the reasoning explicitly takes back, with the step that takes each back."""
    found: list[Retraction] = []
    stated: dict[str, list[tuple[int, str]]] | None = None  # built on the first retraction
    for step in steps:
        cue = _RETRACTION.search(step.text)
        if cue is None:
            continue
        named = [m.group(1) or m.group(2) for m in _NAMED.finditer(step.text)]
        corrected = {m.group(1) for m in _CORRECTED.finditer(step.text)}
        restated = list(_RESTATED.finditer(step.text))
        if not named and restated:
            # "Wait, that's wrong: 17 × 3 is 51." takes back what 17 × 3 was said to be.
            stated = _stated_results(steps) if stated is None else stated
            for match in restated:
                key = _SPACES.sub("", match.group(1))
                earlier = [
                    v for i, v in stated.get(key, []) if i < step.index and v != match.group(2)
                ]
                named += earlier[-1:]
                corrected.add(match.group(2))
        if not named and cue.start() < 40 and step.index > 0:
            previous = _RESULT.findall(steps[step.index - 1].text)
            named = previous[-1:]
        for value in named:
            if value not in corrected:
                found.append(Retraction(step.index, value))
    return found


def _stated_results(steps: Sequence[Step]) -> dict[str, list[tuple[int, str]]]:
    """Each written calculation ("17 × 3", spaces ignored) → the steps and values it was given."""
    stated: dict[str, list[tuple[int, str]]] = {}
    for step in steps:
        for match in _RESTATED.finditer(step.text):
            stated.setdefault(_SPACES.sub("", match.group(1)), []).append(
                (step.index, match.group(2))
            )
    return stated


def check_retractions(
    steps: Sequence[Step], answer: str | None, problem: str | None
) -> list[Finding]:
    """Later uses of a retracted value, and a final answer equal to one."""
    retractions = find_retractions(steps)
    if not retractions:
        return []
    findings: list[Finding] = []
    given = numbers_in(problem or "")
    answer_value = final_value(answer) if answer else None
    mentions = _mentions(steps)
    for retraction in retractions:
        value = Fraction(retraction.value)
        if value in given or (value.denominator == 1 and abs(value) <= _TRIVIAL):
            continue
        use = _first_use(steps, retraction, mentions.get(retraction.value, []))
        if use is not None:
            step, start, end = use
            findings.append(
                Finding(
                    CHECK,
                    Severity.WARNING,
                    f"Uses {retraction.value}, which step {step_number(retraction.step)} retracted.",
                    step,
                    start,
                    end,
                )
            )
        if answer_value is not None and canonical(answer_value) == str(value):
            findings.append(
                Finding(
                    CHECK,
                    Severity.WARNING,
                    f"The answer is {retraction.value}, the value step {step_number(retraction.step)} retracted.",
                )
            )
    return findings


def _mentions(steps: Sequence[Step]) -> dict[str, list[int]]:
    """Each number as written → the steps that mention it, in order (one pass over the trace)."""
    index: dict[str, list[int]] = {}
    for step in steps:
        for number in set(_MENTION.findall(step.text)):
            index.setdefault(number, []).append(step.index)
    for listed in index.values():
        listed.sort()
    return index


def _first_use(
    steps: Sequence[Step], retraction: Retraction, mentioned_in: list[int]
) -> tuple[int, int, int] | None:
    for index in mentioned_in[bisect_right(mentioned_in, retraction.step) :]:
        step = steps[index]
        if _RETRACTION.search(step.text):
            return None  # retracted again, or a new retraction: the story moved on
        for sentence in _SENTENCE.finditer(step.text):
            if _NEGATED.search(sentence.group()):
                continue
            for match in _MENTION.finditer(step.text, sentence.start(), sentence.end()):
                if match.group() == retraction.value:
                    return step.index, match.start(), match.end()
    return None
