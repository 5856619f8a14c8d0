"""A comparison as figures: per column the tally, across columns the groups and the cheapest
setting giving the majority answer, and the `compare --json` object of the command line."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from client.compare.columns import Column
from client.compare.runner import Comparison, RunResult
from client.compare.tally import (
    ColumnTally,
    answer_groups,
    cheapest_majority,
    conclusion,
    tally_column,
)
from client.core.audit import AuditSummary
from client.core.conversation import Turn
from client.store.ledger import format_amount
from client.store.store import Store


@dataclass(frozen=True)
class ComparisonFigures:
    columns: list[Column]
    runs: list[list[RunResult]]
    tallies: list[ColumnTally]
    groups: list[list[int]]  # column indexes whose majority answers agree, largest first
    cheapest: int | None  # the column giving the majority answer for the least per run

    @property
    def cost(self) -> Decimal:
        return sum((t.cost for t in self.tallies if t.cost is not None), Decimal(0))

    @property
    def failed_runs(self) -> int:
        """Runs that failed; a run the user stopped is no failure (see `stopped_runs`)."""
        return sum(1 for column in self.runs for r in column if not r.completed and not r.stopped)

    @property
    def stopped_runs(self) -> int:
        return sum(1 for column in self.runs for r in column if r.stopped)


def figures(comparison: Comparison) -> ComparisonFigures:
    """The figures of the runs so far (runs not finished count as failed in the tally)."""
    columns = comparison.plan.columns
    runs = [comparison.column_runs(i) for i in range(len(columns))]
    tallies = [tally_column([r.turn for r in rs if r.turn is not None] or []) for rs in runs]
    # A run that never started still counts against agreement: it gave no answer.
    tallies = [_with_missing(t, rs) for t, rs in zip(tallies, runs, strict=True)]
    groups = answer_groups([t.majority_answer for t in tallies])
    return ComparisonFigures(columns, runs, tallies, groups, cheapest_majority(tallies, groups))


def _with_missing(tally: ColumnTally, runs: list[RunResult]) -> ColumnTally:
    missing = sum(1 for r in runs if r.turn is None)
    if not missing:
        return tally
    started = len(runs) - missing
    agreement = tally.agreement
    if agreement is not None and started:
        agreement = round(agreement * started / len(runs), 4)
    elif agreement is None:
        agreement = 0.0
    return ColumnTally(
        tally.majority_answer,
        agreement,
        tally.cost,
        tally.unpriced_runs,
        tally.reasoning_tokens_median,
        tally.total_s_median,
        tally.completed,
        tally.failed + missing,
    )


def audit_of(turn: Turn, store: Store | None) -> AuditSummary | None:
    """The audit's counts for a run: stored when it finished, or computed (with --no-save)."""
    if store is not None:
        summary = store.audit_summary(turn.id)
        if summary is not None:
            return summary
    if not turn.reasoning.text:
        return None
    from client.audit import AUDITOR_VERSION, audit_trace

    try:
        result = audit_trace(turn.reasoning.text, problem=turn.prompt, answer=turn.answer or None)
    except Exception:
        return None
    return result.summary(AUDITOR_VERSION)


def _money(value: Decimal | None) -> str | None:
    return None if value is None else format_amount(value)


def run_json(result: RunResult, store: Store | None) -> dict[str, Any]:
    turn = result.turn
    failure = result.failure
    if turn is None:
        return {
            "turn_id": None,
            "status": "error",
            "answer": "",
            "final_answer": None,
            "reasoning": {"visibility": "none", "tokens": None},
            "usage": None,
            "cost": None,
            "timing": None,
            "audit": None,
            "error": failure.to_json() if failure else None,
        }
    audit = audit_of(turn, store)
    return {
        "turn_id": turn.id,
        "status": str(turn.status),
        "answer": turn.answer,
        "final_answer": conclusion(turn),
        "reasoning": {
            "visibility": str(turn.reasoning.visibility),
            "tokens": turn.reasoning.tokens,
        },
        "usage": turn.usage.to_json(),
        "cost": turn.cost.to_json(),
        "timing": turn.timing.to_json(),
        "audit": None
        if audit is None
        else {
            "first_error_step": audit.first_error_step,
            "errors": audit.errors,
            "warnings": audit.warnings,
        },
        "error": failure.to_json() if failure else None,
    }


def comparison_json(
    comparison: Comparison, estimate: dict[str, Any] | None, error: str | None = None
) -> dict[str, Any]:
    """The `compare --json` object."""
    fig = figures(comparison)
    store = comparison.controller.store
    plan = comparison.plan
    columns = []
    for column, runs, tally in zip(fig.columns, fig.runs, fig.tallies, strict=True):
        columns.append(
            {
                "label": column.label,
                "provider": column.provider,
                "model": column.model,
                "effort": column.effort,
                "runs": [run_json(r, store) for r in runs],
                "majority_answer": tally.majority_answer,
                "agreement": tally.agreement,
                "cost": _money(tally.cost),
                "reasoning_tokens_median": tally.reasoning_tokens_median,
                "total_s_median": tally.total_s_median,
            }
        )
    return {
        "comparison_id": plan.comparison_id,
        "conversation_id": plan.conversation_id,
        "prompt": plan.prompt,
        "estimate": estimate,
        "columns": columns,
        "groups": [
            {
                "answer": fig.tallies[group[0]].majority_answer,
                "columns": [fig.columns[i].label for i in group],
            }
            for group in fig.groups
        ],
        "cheapest_majority": None if fig.cheapest is None else fig.columns[fig.cheapest].label,
        "cost": format_amount(fig.cost),
        "error": error,
    }
