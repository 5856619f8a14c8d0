"""The auditor on solutions written the way reasoning models write maths, none taken from a
benchmark: 175 correct ones in many styles (LaTeX inline and display, `aligned`, `cases`,
`pmatrix`, Markdown lists and tables, units, money, percentages, dates and times, ranges,
ratios, scientific notation, thousands separators, decimal commas, names reused across steps,
retractions, code blocks, probability, geometry, modular arithmetic, matrices, calculus) and
54 with one seeded error each, its step labelled (`data/own_styles.jsonl`).

A correct solution must get no red or yellow flag at all. A seeded error must be pinned: the
first flag on the labelled step (or, for an answer the reasoning does not support, a flag on
the answer), and no flag before it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from client.audit import audit_trace
from client.core.audit import AuditResult, Finding, Severity

RECORDS: list[dict[str, Any]] = [
    json.loads(line)
    for line in (Path(__file__).parent / "data" / "own_styles.jsonl")
    .read_text(encoding="utf-8")
    .splitlines()
    if line.strip()
]
CORRECT = [r for r in RECORDS if r["error"] is None]
SEEDED = [r for r in RECORDS if r["error"] is not None]
# Measured when these tests were written: 50 of the 54 seeded errors pinned. The four missed
# are a factorial in plain text, a claim in words with nouns between the numbers ("13 spiders
# times 8 legs is 114 legs"), a product off by exactly a power of ten (a grey note by design),
# and a wrong solution joined to its equation by "and" (which also joins separate cases).
PINNED_AT_LEAST = 50


def flags(result: AuditResult) -> list[Finding]:
    """What a user sees as a flag: red errors and yellow warnings."""
    return [f for f in result.findings if f.severity in (Severity.ERROR, Severity.WARNING)]


def audit(record: dict[str, Any]) -> AuditResult:
    return audit_trace(steps=record["steps"], answer=record["answer"])


def pinned(record: dict[str, Any]) -> bool:
    found = flags(audit(record))
    label = record["error"]["step"]
    stepped = sorted({f.step for f in found if f.step is not None})
    if label is None:
        return not stepped and any(f.step is None for f in found)
    return bool(stepped) and stepped[0] == label


def test_the_fixture_is_what_it_says() -> None:
    assert len(CORRECT) >= 80 and len(SEEDED) >= 30
    assert len({r["id"] for r in RECORDS}) == len(RECORDS)
    for record in SEEDED:
        step = record["error"]["step"]
        assert step is None or 0 <= step < len(record["steps"]), record["id"]


@pytest.mark.parametrize("record", CORRECT, ids=[r["id"] for r in CORRECT])
def test_a_correct_solution_gets_no_flag(record: dict[str, Any]) -> None:
    assert [f.message for f in flags(audit(record))] == []


@pytest.mark.parametrize("record", SEEDED, ids=[r["id"] for r in SEEDED])
def test_a_seeded_error_is_never_preceded_by_a_flag(record: dict[str, Any]) -> None:
    label = record["error"]["step"]
    early = [
        f.message
        for f in flags(audit(record))
        if f.step is not None and (label is None or f.step < label)
    ]
    assert early == []


def test_seeded_errors_are_pinned_at_their_step() -> None:
    missed = [r["id"] for r in SEEDED if not pinned(r)]
    assert len(SEEDED) - len(missed) >= PINNED_AT_LEAST, missed
