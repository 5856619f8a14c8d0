"""`thinkpane audit [FILE|-] [--json] [--fail-on-findings]`: audit reasoning traces.

Input (docs/cli.md): a JSON object with `reasoning` (text to split) or `steps` (already split),
optionally `problem` and `answer`; or plain text, taken as reasoning; or JSON Lines, one such
object per line, audited in order in one process. The object `thinkpane ask --json` prints is
accepted too (its reasoning text, answer and `length` status), so the two commands pipe.

`--json` prints the contract's result object (one per line for JSON Lines); without it, a
report a person can read, its steps numbered from 1 (the JSON `index` stays 0-based). Input
that is none of these exits with status 2 and a sentence; with `--fail-on-findings`, a trace
with an error finding exits 1.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from typing import Any

from client.audit import PRINCIPLE, audit_trace
from client.core.audit import AuditResult, Severity
from client.core.format import step_number

_MARKS = {Severity.ERROR: "✗ error", Severity.WARNING: "! warning", Severity.NOTE: "· note"}
_SHOWN_STEP_CHARS = 160


class BadInput(Exception):
    """The input is not something `audit` can read; the message is a sentence for the user."""


@dataclass(frozen=True)
class Trace:
    """One trace to audit, as read from the input."""

    reasoning: str | None = None
    steps: list[str] | None = None
    problem: str | None = None
    answer: str | None = None
    truncated: bool = False
    visibility: str | None = None  # from an `ask --json` object: raw, summary, hidden, none

    def audit(self) -> AuditResult:
        return audit_trace(
            self.reasoning,
            steps=self.steps,
            problem=self.problem,
            answer=self.answer,
            truncated=self.truncated,
        )


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "audit",
        help="audit reasoning steps for false arithmetic and spurious logic",
        description=(
            "Audit reasoning traces: split them into steps and report false arithmetic, answers "
            "that do not follow from the reasoning, retracted values used anyway, repeated steps, "
            "hedging and truncation. " + PRINCIPLE
        ),
    )
    parser.add_argument(
        "file", nargs="?", default="-", help="a file to read, or - for stdin (default)"
    )
    parser.add_argument(
        "--json", action="store_true", help="print the result as JSON (one object per trace)"
    )
    parser.add_argument(
        "--fail-on-findings",
        action="store_true",
        help="exit with status 1 when an error was found in any trace (for scripts and CI)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        text = _read(args.file)
        traces = parse_input(text)
    except BadInput as exc:
        print(f"thinkpane audit: {exc}", file=sys.stderr)
        return 2
    found_error = False
    for trace in traces:
        result = trace.audit()
        found_error = (
            found_error
            or result.first_error_step is not None
            or any(f.severity is Severity.ERROR for f in result.findings)
        )
        if args.json:
            # One line per result, so JSON Lines in gives JSON Lines out.
            print(json.dumps(result.to_json(), ensure_ascii=False))
        else:
            print(render_report(result, trace))
    return 1 if args.fail_on_findings and found_error else 0


def _read(path: str) -> str:
    try:
        if path == "-":
            return sys.stdin.read()
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except FileNotFoundError:
        raise BadInput(f"there is no file {path!r}.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput(f"cannot read {path!r} as UTF-8 text ({exc}).") from None


def parse_input(text: str) -> list[Trace]:
    """The traces in the input: one object, plain text, or JSON Lines (one object a line)."""
    stripped = text.strip()
    if not stripped:
        raise BadInput("the input is empty; give reasoning text or a JSON object.")
    if not stripped.startswith(("{", "[")):
        return [Trace(reasoning=text)]
    try:
        return [_trace(json.loads(stripped), where="the input")]
    except json.JSONDecodeError:
        pass
    traces = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            raise BadInput(f"line {number} is not valid JSON ({exc.msg}).") from None
        traces.append(_trace(value, where=f"line {number}"))
    return traces


def _trace(value: object, where: str) -> Trace:
    if not isinstance(value, dict):
        raise BadInput(f"{where} is not a JSON object with 'reasoning' or 'steps'.")
    reasoning = value.get("reasoning")
    visibility = None
    truncated = value.get("truncated", False)
    if isinstance(reasoning, dict):  # the object `ask --json` prints
        visibility = reasoning.get("visibility")
        reasoning = reasoning.get("text") or ""
        truncated = truncated or value.get("status") == "length"
    steps = value.get("steps")
    if steps is not None:
        if not isinstance(steps, list):
            raise BadInput(f"'steps' in {where} must be a list of strings.")
        steps = [s.get("text") if isinstance(s, dict) else s for s in steps]
        if not all(isinstance(s, str) for s in steps):
            raise BadInput(f"'steps' in {where} must be a list of strings.")
    elif not isinstance(reasoning, str):
        raise BadInput(f"{where} has neither 'reasoning' text nor a 'steps' list.")
    for key in ("problem", "answer"):
        if value.get(key) is not None and not isinstance(value.get(key), str):
            raise BadInput(f"'{key}' in {where} must be a string.")
    if not isinstance(truncated, bool):
        raise BadInput(f"'truncated' in {where} must be true or false.")
    return Trace(
        reasoning=reasoning if steps is None else None,
        steps=steps,
        problem=value.get("problem"),
        answer=value.get("answer"),
        truncated=truncated,
        visibility=visibility if isinstance(visibility, str) else None,
    )


def render_report(result: AuditResult, trace: Trace) -> str:
    """A plain-text report: numbered steps with their kind, findings under each, then findings
    about the whole trace, the candidate answers, and what was audited."""
    lines = [
        f"Audit of {len(result.steps)} step{'s' if len(result.steps) != 1 else ''} ({_audited(trace)})"
    ]
    if not result.steps:
        lines.append("  There is no reasoning text to audit.")
    for step in result.steps:
        shown = " ".join(step.text.split())
        if len(shown) > _SHOWN_STEP_CHARS:
            shown = shown[: _SHOWN_STEP_CHARS - 1] + "…"
        lines.append(f"Step {step_number(step.index)} · {step.kind}: {shown}")
        for finding in result.findings_for(step.index):
            quoted = ""
            if (
                finding.start is not None
                and finding.end is not None
                and finding.end - finding.start < 120
            ):
                quoted = f"  «{' '.join(step.text[finding.start : finding.end].split())}»"
            lines.append(
                f"    {_MARKS[finding.severity]} ({finding.check}): {finding.message}{quoted}"
            )
    whole = [f for f in result.findings if f.step is None]
    if whole:
        lines.append("Whole trace:")
        lines += [f"    {_MARKS[f.severity]} ({f.check}): {f.message}" for f in whole]
    if result.candidates:
        path = " → ".join(
            f"{value} (step {step_number(step)})" for step, value in result.candidates
        )
        lines.append(f"Candidate answers: {path}")
    first = result.first_error_step
    lines.append(
        f"First error: step {step_number(first)}"
        if first is not None
        else "First error: none found"
    )
    lines.append(PRINCIPLE)
    return "\n".join(lines)


def _audited(trace: Trace) -> str:
    if trace.visibility == "summary":
        return "a provider's summary of the reasoning; findings on a summary are weaker"
    if trace.visibility in ("hidden", "none"):
        return "the reasoning was hidden, so there is nothing to audit"
    if trace.steps is not None:
        return "steps as given"
    return "raw reasoning text"
