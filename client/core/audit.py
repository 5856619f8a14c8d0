"""The values the reasoning auditor produces: steps, findings, and the result of one audit.

They live in core so the store can keep them, the window can show them, and the command line
can print them in docs/cli.md's `audit --json` shape, without any of those importing the auditor.
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


# The user's own verdict on a reasoning step, in the order the Steps view offers them: what the
# store accepts, an export carries and an import checks.
VERDICTS = ("sound", "spurious", "unsure")


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


@dataclass(frozen=True)
class AuditSummary:
    """The counts of one turn's audit, kept in the store so search can filter on findings.

    `version` is the auditor's version that produced it (client.audit.AUDITOR_VERSION): a newer
    auditor recomputes older summaries.
    """

    errors: int
    warnings: int
    notes: int
    first_error_step: int | None
    version: int

    @property
    def has_findings(self) -> bool:
        return self.errors + self.warnings > 0


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

    def summary(self, version: int) -> AuditSummary:
        def count(severity: Severity) -> int:
            return sum(1 for f in self.findings if f.severity is severity)

        return AuditSummary(
            count(Severity.ERROR),
            count(Severity.WARNING),
            count(Severity.NOTE),
            self.first_error_step,
            version,
        )

    def findings_for(self, step: int) -> list[Finding]:
        return [f for f in self.findings if f.step == step]

    def to_json(self) -> dict[str, object]:
        """docs/cli.md's `audit --json` object."""
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


@dataclass(frozen=True)
class CriticVerdict:
    """A model critic's verdict on one step, kept only when its quote is really in that step.

    `start`/`end` locate `quote` in the step's text, so the window can highlight it; `kind` is
    the critic's type of error (arithmetic, logic, assumption, misread, unsupported) or None.
    """

    step: int
    verdict: str  # "error" | "ok" | "unsure"
    kind: str | None
    quote: str
    why: str
    start: int
    end: int

    def to_json(self) -> dict[str, object]:
        return {
            "step": self.step,
            "verdict": self.verdict,
            "type": self.kind,
            "quote": self.quote,
            "why": self.why,
            "start": self.start,
            "end": self.end,
        }


@dataclass(frozen=True)
class CriticOpinion:
    """What a model critic said about a trace. Never merged with the deterministic findings
    (docs/auditor.md, principle 4): the window shows it beside them and marks where both agree.

    `first_error_step` is None when the critic gave no usable answer, -1 when it found no error.
    `source` says how the reply was read: "json", "boxed" (a bare step number), or "none".
    `dropped` counts verdicts thrown away: no real step, no known verdict, or a quote that is
    not in the step it names.
    """

    first_error_step: int | None = None
    verdicts: tuple[CriticVerdict, ...] = ()
    source: str = "none"
    dropped: int = 0

    @property
    def empty(self) -> bool:
        return self.first_error_step is None and not self.verdicts

    def to_json(self) -> dict[str, object]:
        return {
            "first_error_step": self.first_error_step,
            "verdicts": [v.to_json() for v in self.verdicts],
            "source": self.source,
            "dropped": self.dropped,
        }
