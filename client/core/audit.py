"""The values the reasoning auditor produces: steps, findings, and the result of one audit.

They live in core so the store can keep them, the window can show them, and the command line
can print them in CONTRACT.md's `audit --json` shape, without any of those importing the auditor.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class StepKind(StrEnum):
    PLAN = "plan"
    COMPUTE = "compute"
    VERIFY = "verify"
    REFLECT = "reflect"
    SWITCH = "switch"  # a new approach
    RETRACT = "retract"
    CONCLUDE = "conclude"


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"  # "possible": shown quietly, never counted as an error


@dataclass(frozen=True)
class Finding:
    """One thing a check found. `start`/`end` are character offsets into the step's text.

    `step` is None for findings about the whole trace (an answer that does not follow from it).
    """

    check: str
    severity: Severity
    message: str
    step: int | None = None
    start: int | None = None
    end: int | None = None

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {
            "check": self.check,
            "severity": str(self.severity),
            "message": self.message,
        }
        if self.start is not None:
            data["start"] = self.start
            data["end"] = self.end
        data["step"] = self.step
        return data


@dataclass(frozen=True)
class Step:
    index: int
    text: str
    kind: StepKind
    # Offsets of this step in the original reasoning text (equal to 0/len when given pre-split).
    start: int = 0
    end: int = 0


@dataclass
class AuditResult:
    steps: list[Step]
    findings: list[Finding] = field(default_factory=list)
    # The path of candidate answers: (step index, value) in order of appearance.
    candidates: list[tuple[int, str]] = field(default_factory=list)

    @property
    def first_error_step(self) -> int | None:
        errors = [
            f.step for f in self.findings if f.severity is Severity.ERROR and f.step is not None
        ]
        return min(errors) if errors else None

    def findings_for(self, step: int) -> list[Finding]:
        return [f for f in self.findings if f.step == step]

    def to_json(self) -> dict[str, object]:
        """CONTRACT.md's `audit --json` object."""
        return {
            "steps": [
                {
                    "index": s.index,
                    "text": s.text,
                    "kind": str(s.kind),
                    "findings": [
                        {k: v for k, v in f.to_json().items() if k != "step"}
                        for f in self.findings_for(s.index)
                    ],
                }
                for s in self.steps
            ],
            "findings": [f.to_json() for f in self.findings if f.step is None],
            "first_error_step": self.first_error_step,
        }
