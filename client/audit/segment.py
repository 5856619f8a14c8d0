"""Split a reasoning trace into steps and say what kind of move each step is.

Paragraphs come first; inside a paragraph a new step starts at a sentence that opens with one of
the discourse markers that studies of R1- and o1-style traces found to mark a new move ("Wait",
"Hmm", "Alternatively", "Let me check", "But", "So"). Every step keeps its character offsets into
the original text, so a finding can be shown in place. A trace that arrives already split
(`steps` in `thinkpane audit` input) keeps its split.

Kinds (plan, compute, verify, reflect, switch, retract, conclude) come from cue phrases at the
start of the step, checked from the most specific move to the least.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from client.core.audit import Step, StepKind

_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")
_MARKERS = (
    r"wait|hmm+|alternatively|let me (?:check|verify|double[- ]check|re-?check|think|try|see)|"
    r"but|so|actually|hold on|on second thought|another (?:approach|way)|oh|okay|ok"
)
# A marker opens a new step when it starts a sentence: at a line start or after . ! ? and space.
_MARKER_START = re.compile(rf"(?:(?<=[.!?])[ \t]+|\n[ \t]*)(?=(?:{_MARKERS})\b)", re.IGNORECASE)

_RETRACT = re.compile(
    r"\b(?:that(?:'s| is| was) (?:wrong|incorrect|not right|a mistake)|i made (?:a|an) "
    r"(?:mistake|error)|i was wrong|scratch that|i miscalculated|my mistake|mistake (?:here|there)|"
    r"that can(?:'t|not) be right|correction)\b|^\W*wait,? no\b",
    re.IGNORECASE,
)
_SWITCH = re.compile(
    r"^\W*(?:alternatively|another (?:approach|way|method)|let me try (?:a )?(?:different|another)|"
    r"let's try (?:a )?(?:different|another)|instead,|a different approach|let me start over|"
    r"let's start over|let me approach)",
    re.IGNORECASE,
)
_VERIFY = re.compile(
    r"^\W*(?:let me (?:check|verify|double[- ]check|re-?check|confirm)|let's (?:check|verify|"
    r"double[- ]check)|to (?:check|verify|confirm)|checking|verif(?:y|ication)|double[- ]check|"
    r"sanity check|plugging (?:back|in))",
    re.IGNORECASE,
)
_CONCLUDE = re.compile(
    r"^\W*(?:therefore|thus|hence|in conclusion|so,? the (?:final )?answer|the (?:final )?answer"
    r" is|final answer)|\\boxed\{|\bthe (?:final )?answer is\b",
    re.IGNORECASE,
)
_REFLECT = re.compile(
    r"^\W*(?:wait|hmm+|hold on|actually|but|oh|on second thought|let me think|i wonder|maybe|"
    r"perhaps|i think|okay|ok)\b",
    re.IGNORECASE,
)
_PLAN = re.compile(
    r"^\W*(?:first|to (?:find|solve|determine|calculate|figure)|let's|let me|we need|i need|we "
    r"want|we (?:can|will|should)|the problem|step \d|let us|our goal|to answer)",
    re.IGNORECASE,
)
_DIGIT = re.compile(r"\d")
_COMPUTATION = re.compile(r"\d\s*(?:[-+*/×÷=^]|\\times|\\cdot|\\frac)|=\s*-?\d|\\frac")


def classify(text: str) -> StepKind:
    """The kind of move a step makes, from cue phrases at its start."""
    head = text[:300]
    if _RETRACT.search(head):
        return StepKind.RETRACT
    if _SWITCH.search(head):
        return StepKind.SWITCH
    if _VERIFY.search(head):
        return StepKind.VERIFY
    if _CONCLUDE.search(head) or "\\boxed{" in text:
        return StepKind.CONCLUDE
    if _REFLECT.search(head):
        return StepKind.REFLECT
    if _COMPUTATION.search(text) or _DIGIT.search(head):
        return StepKind.COMPUTE
    if _PLAN.search(head):
        return StepKind.PLAN
    return StepKind.REFLECT


def segment(reasoning: str) -> list[Step]:
    """Split raw reasoning into steps with offsets into `reasoning`; blank text gives none."""
    steps: list[Step] = []
    for start, end in _spans(reasoning):
        text = reasoning[start:end]
        steps.append(Step(len(steps), text, classify(text), start, end))
    return steps


def from_texts(texts: Sequence[str]) -> list[Step]:
    """Steps exactly as given (already split by the caller), each classified."""
    return [Step(i, text, classify(text), 0, len(text)) for i, text in enumerate(texts)]


def _spans(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    paragraph_start = 0
    for gap in _PARAGRAPH_BREAK.finditer(text):
        _split_paragraph(text, paragraph_start, gap.start(), spans)
        paragraph_start = gap.end()
    _split_paragraph(text, paragraph_start, len(text), spans)
    return spans


def _split_paragraph(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    cut = start
    for marker in _MARKER_START.finditer(text, start, end):
        _add(text, cut, marker.start(), spans)
        cut = marker.end()
    _add(text, cut, end, spans)


def _add(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    """Add [start, end) trimmed of surrounding whitespace, unless nothing is left."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start < end:
        spans.append((start, end))
