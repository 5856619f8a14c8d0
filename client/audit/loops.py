"""The `loop` check: a step that repeats an earlier one.

Long traces loop: the model re-derives what it already derived, in nearly the same words. Each
step becomes a set of word shingles (runs of consecutive words); an index from shingle to the
latest step that contained it finds the earlier step a new step overlaps most, in time linear in
the length of the trace, however many steps there are.

Parallel structure is not a loop: "First, the magazine that sends 12 issues…" and "Second, the
magazine that sends 6 issues…" share their wording but not their numbers. A repeat brings no
number the earlier step did not have.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from client.core.audit import Finding, Severity, Step, StepKind
from client.core.format import step_number

CHECK = "loop"
SHINGLE_WORDS = 5
# Steps with fewer shingles than this are too short to call a repeat ("Wait.", "So 12.").
MIN_SHINGLES = 8
# Share of a step's shingles found in one earlier step for it to count as a repeat.
REPEAT_SHARE = 0.6
_WORD = re.compile(r"\w+")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def shingles(text: str) -> set[int]:
    words = _WORD.findall(text.lower())
    return {
        hash(tuple(words[i : i + SHINGLE_WORDS])) for i in range(len(words) - SHINGLE_WORDS + 1)
    }


def check_loops(steps: Sequence[Step]) -> list[Finding]:
    findings: list[Finding] = []
    latest: dict[int, int] = {}  # shingle → latest step containing it
    for step in steps:
        own = shingles(step.text)
        # A conclusion restating the result it concludes from is not a loop.
        if len(own) >= MIN_SHINGLES and step.kind is not StepKind.CONCLUDE:
            seen = Counter(latest[s] for s in own if s in latest)
            if seen:
                earlier, shared = seen.most_common(1)[0]
                share = shared / len(own)
                new_numbers = set(_NUMBER.findall(step.text)) - set(
                    _NUMBER.findall(steps[earlier].text)
                )
                if share >= REPEAT_SHARE and not new_numbers:
                    findings.append(
                        Finding(
                            CHECK,
                            Severity.WARNING,
                            f"Repeats step {step_number(earlier)} ({share:.0%} of its wording is there).",
                            step.index,
                            0,
                            len(step.text),
                        )
                    )
        for shingle in own:
            latest[shingle] = step.index
    return findings
