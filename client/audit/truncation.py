"""The `truncated` check: reasoning that stops before it finishes.

The provider tells us when the output budget ran out (`truncated=True`, the `length` status);
that is a warning about everything the audit did not see. Otherwise the text itself can show it:
a last step that ends on an operator, a comma, an open bracket or formula, or a word that
cannot end a sentence ("and", "the", "of"). A last step ending on a plain word or number is not
reported: pre-split traces often drop the final full stop.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from client.core.audit import Finding, Severity, Step

CHECK = "truncated"
_DANGLING = (
    "a an the and or but of to for with by from in on at so then that which because we i is are "
    "was be let if as than into"
)
_DANGLING_WORDS = frozenset(_DANGLING.split())
_LAST_WORD = re.compile(r"(\w+)\W*$")
_OPEN_ENDING = re.compile(r"(?:[=+\-/×÷,:(\[{]|\\times|\\cdot|\\frac)\s*$")
_SHOWN_TAIL = 40


def check_truncation(steps: Sequence[Step], truncated: bool) -> list[Finding]:
    if truncated:
        return [
            Finding(
                CHECK,
                Severity.WARNING,
                "The reasoning stopped at the output budget; whatever came after is not here to audit.",
            )
        ]
    if not steps:
        return []
    last = steps[-1]
    text = last.text.rstrip()
    if not _stops_mid_sentence(text):
        return []
    tail = text[-_SHOWN_TAIL:]
    word = _LAST_WORD.search(text)
    start = word.start(1) if word and _OPEN_ENDING.search(text) is None else len(text) - 1
    return [
        Finding(
            CHECK,
            Severity.NOTE,
            f'The reasoning stops mid-sentence ("…{tail.strip()}").',
            last.index,
            max(0, start),
            len(text),
        )
    ]


def _stops_mid_sentence(text: str) -> bool:
    if not text:
        return False
    if _OPEN_ENDING.search(text):
        return True
    if text.count("{") > text.count("}") or text.count("\\(") > text.count("\\)"):
        return True
    if text.count("\\[") > text.count("\\]"):
        return True
    word = _LAST_WORD.search(text)
    return bool(word and word.end(1) == len(text) and word.group(1).lower() in _DANGLING_WORDS)
