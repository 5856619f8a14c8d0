"""The `trajectory` check: the path of candidate answers through the reasoning.

Reasoning models try an answer, doubt it, try another. The path (12 → 15 → 12) shows how often
the model changed its mind; the step where the final answer first appears shows how much of the
trace came after it (checking, or overthinking). Both are notes: facts about the text, not
faults.
"""

from __future__ import annotations

from collections.abc import Sequence

from client.audit.answer import Conclusion, canonical, conclusions, final_value
from client.core.audit import Finding, Severity, Step
from client.core.format import step_number

CHECK = "trajectory"
# Report where the final answer was first reached only when this many steps came after it...
_MIN_STEPS_AFTER = 3
# ...and they are at least this share of the trace.
_MIN_SHARE_AFTER = 0.25
_SHOWN_IN_PATH = 6


def candidates(steps: Sequence[Step]) -> list[Conclusion]:
    """Every candidate answer in order, with consecutive repeats of one value collapsed."""
    path: list[Conclusion] = []
    for step in steps:
        for conclusion in conclusions(step):
            if not path or path[-1].key != conclusion.key:
                path.append(conclusion)
    return path


def check_trajectory(
    steps: Sequence[Step], answer: str | None
) -> tuple[list[tuple[int, str]], list[Finding]]:
    """The candidate path for `AuditResult.candidates`, and notes about it."""
    path = candidates(steps)
    findings: list[Finding] = []
    if len(path) > 1:
        shown = " → ".join(f"{c.text} (step {step_number(c.step)})" for c in path[:_SHOWN_IN_PATH])
        more = " → …" if len(path) > _SHOWN_IN_PATH else ""
        changes = len(path) - 1
        findings.append(
            Finding(
                CHECK,
                Severity.NOTE,
                f"The candidate answer changed {changes} time{'s' if changes != 1 else ''}: {shown}{more}.",
            )
        )
    final = final_value(answer) if answer else None
    final_key = canonical(final) if final is not None else (path[-1].key if path else None)
    first = next((c for c in path if c.key == final_key), None)
    if first is not None:
        after = len(steps) - 1 - first.step
        if after >= _MIN_STEPS_AFTER and after >= _MIN_SHARE_AFTER * len(steps):
            findings.append(
                Finding(
                    CHECK,
                    Severity.NOTE,
                    f"The final answer, {first.text}, is first reached here; {after} more steps follow.",
                    first.step,
                    first.start,
                    first.end,
                )
            )
    return [(c.step, c.text) for c in path], findings
