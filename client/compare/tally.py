"""What each column answered: the majority answer, agreement, groups, and the cheapest setting.

The answers' conclusions come from the auditor's final-answer module, so `\\frac{1}{2}`, `0.5`
and `1/2` count as one answer. Pure functions over finished turns: the command line, the window
and the prompt-set summary all read them.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from client.core.conversation import Turn
from client.core.events import TurnStatus

ANSWERED = frozenset({TurnStatus.COMPLETE, TurnStatus.LENGTH})


def conclusion(turn: Turn) -> str | None:
    """The final answer a finished run states, None for a failed run or one stating none."""
    if turn.status not in ANSWERED or not turn.answer.strip():
        return None
    from client.audit.final_answer import final_answer  # the auditor: not at start-up

    return final_answer(turn.answer)


def cluster(answers: Sequence[str]) -> list[list[int]]:
    """Indexes of `answers` grouped by equal answers, largest group first (ties: first seen)."""
    from client.audit.final_answer import same_answer

    groups: list[list[int]] = []
    for i, answer in enumerate(answers):
        for group in groups:
            if same_answer(answers[group[0]], answer):
                group.append(i)
                break
        else:
            groups.append([i])
    return sorted(groups, key=lambda g: (-len(g), g[0]))


@dataclass(frozen=True)
class ColumnTally:
    """One column's figures. `agreement` is the share of its runs (all of them, failed ones
    included) whose final answer is the majority answer; None with no run at all."""

    majority_answer: str | None
    agreement: float | None
    cost: Decimal | None  # None when no run has a known price
    unpriced_runs: int
    reasoning_tokens_median: float | None
    total_s_median: float | None
    completed: int
    failed: int


def tally_column(runs: Sequence[Turn]) -> ColumnTally:
    answers = [a for a in (conclusion(t) for t in runs) if a is not None]
    majority: str | None = None
    agreement: float | None = None
    if answers:
        top = cluster(answers)[0]
        majority = answers[top[0]]
        agreement = round(len(top) / len(runs), 4)
    elif runs:
        agreement = 0.0
    priced = [t.cost.total for t in runs if t.cost.total is not None]
    reasoning = [t.usage.reasoning_tokens for t in runs if t.usage.reasoning_tokens is not None]
    times = [t.timing.total_s for t in runs if t.timing.total_s is not None]
    return ColumnTally(
        majority,
        agreement,
        sum(priced, Decimal(0)) if priced else None,
        len(runs) - len(priced),
        statistics.median(reasoning) if reasoning else None,
        round(statistics.median(times), 3) if times else None,
        sum(1 for t in runs if t.status in ANSWERED),
        sum(1 for t in runs if t.status not in ANSWERED),
    )


def answer_groups(majorities: Sequence[str | None]) -> list[list[int]]:
    """Columns (by index) whose majority answers are equal, largest group first; columns with no
    answer are left out."""
    present = [(i, a) for i, a in enumerate(majorities) if a is not None]
    grouped = cluster([a for _, a in present])
    return [[present[k][0] for k in group] for group in grouped]


def cheapest_majority(
    tallies: Sequence[ColumnTally], groups: Sequence[Sequence[int]]
) -> int | None:
    """The column that gives the answer most columns agree on for the least money per run.

    The winning answer is the largest group's (the overall majority). Among its columns, the
    cheapest per run wins; a column without a known price never wins over one with a price.
    None when no column answered."""
    if not groups:
        return None
    best: tuple[int, Decimal, int] | None = None
    for index in groups[0]:
        t = tallies[index]
        runs = t.completed + t.failed
        if t.cost is None or runs == 0 or t.unpriced_runs:
            key = (1, Decimal(0), index)
        else:
            key = (0, t.cost / runs, index)
        if best is None or key < best:
            best = key
    return best[2] if best is not None else None
