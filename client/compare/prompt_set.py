"""A prompt set: "is high effort worth it for *my* questions?", over many prompts at once.

A JSON Lines file holds one `{"prompt": …, "expected": …}` per line (`expected` optional). Each
prompt becomes a comparison of its own (a conversation of its own), stored under a key made of
the prompt and the columns, so running the same set again resumes it: runs already done are
stored turns and are not sent again. The summary per column gives accuracy against `expected`
(the final-answer module decides equality: `\\frac{1}{2}` = 0.5), agreement where there is no
`expected`, total and median cost, cost per correct answer, median reasoning tokens and time.

Where no answer is known, the set is judged against itself: each prompt's majority answer is the
one most columns give (as in one comparison), a column's accuracy against the majority is the
share of its runs giving it, and the verdict (`SetSummary.cheapest`) is the cheapest setting
among those giving the majority answer on the most prompts. The command line and the window
read the same figures, and `client.compare.set_export` writes them as CSV and Markdown.
"""

from __future__ import annotations

import hashlib
import json
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from client.compare.columns import Column
from client.compare.report import ComparisonFigures
from client.compare.runner import Comparison, ComparisonPlan, RunResult, from_stored
from client.compare.tally import conclusion, tally_column
from client.core import format as fmt
from client.core.errors import UsageError
from client.store.ledger import format_amount

if TYPE_CHECKING:
    from client.session import TurnController

MAX_PROMPTS = 1000


@dataclass(frozen=True)
class PromptItem:
    prompt: str
    expected: str | None = None


def load_prompts(path: Path) -> list[PromptItem]:
    """Read the file; a bad line is refused with its number and what is wrong."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise UsageError(f"{path} is not UTF-8 text; save it as UTF-8 JSON Lines.") from None
    items: list[PromptItem] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise UsageError(
                f"{path}, line {number}: not JSON ({exc.msg}); each line must be an object like "
                '{"prompt": "…", "expected": "…"}.'
            ) from None
        if not isinstance(data, dict) or not isinstance(data.get("prompt"), str):
            raise UsageError(f'{path}, line {number}: an object with a "prompt" text is needed.')
        if not data["prompt"].strip():
            raise UsageError(f"{path}, line {number}: the prompt is empty.")
        expected = data.get("expected")
        if expected is not None and not isinstance(expected, str | int | float):
            raise UsageError(f'{path}, line {number}: "expected" must be a text or a number.')
        items.append(PromptItem(data["prompt"], None if expected is None else str(expected)))
    if not items:
        raise UsageError(f"{path} holds no prompt.")
    if len(items) > MAX_PROMPTS:
        raise UsageError(f"{path} holds {len(items)} prompts; at most {MAX_PROMPTS} per run.")
    return items


def set_key(
    prompt: str,
    occurrence: int,
    columns: Sequence[Column],
    samples: int,
    system: str | None,
    max_output_tokens: int | None,
) -> str:
    """What identifies one prompt of a set run with these settings, to resume it."""
    data = {
        "prompt": prompt,
        "occurrence": occurrence,
        "columns": [[c.provider, c.model, c.effort, c.base_url] for c in columns],
        "samples": samples,
        "system": system,
        "max_output_tokens": max_output_tokens,
    }
    blob = json.dumps(data, sort_keys=True, ensure_ascii=False).encode()
    return "set:" + hashlib.sha256(blob).hexdigest()[:32]


def is_correct(result: RunResult, expected: str) -> bool:
    if result.turn is None or not result.completed:
        return False
    stated = conclusion(result.turn)
    if stated is None:
        return False
    from client.audit.final_answer import final_answer, same_answer  # the auditor: not at start-up

    wanted = final_answer(expected) or expected.strip()
    return same_answer(stated, wanted) or same_answer(stated, expected.strip())


@dataclass
class ColumnSummary:
    """A column's figures over the whole set."""

    label: str
    prompts: int = 0
    runs: int = 0
    completed: int = 0
    graded_runs: int = 0  # runs of prompts that have an `expected`
    correct: int = 0
    graded_cost: Decimal = Decimal(0)
    cost: Decimal = Decimal(0)
    unpriced_runs: int = 0
    agreements: list[float] = field(default_factory=list)
    run_costs: list[Decimal] = field(default_factory=list)
    reasoning: list[int] = field(default_factory=list)
    times: list[float] = field(default_factory=list)
    majority_runs: int = 0  # runs giving their prompt's majority answer
    majority_prompts: int = 0  # prompts where this column's own majority is that answer
    cheapest_majority: bool = False  # the verdict: set by SetSummary

    @property
    def majority_accuracy(self) -> float | None:
        return round(self.majority_runs / self.runs, 4) if self.runs else None

    @property
    def reasoning_mean(self) -> float | None:
        return round(statistics.mean(self.reasoning), 1) if self.reasoning else None

    def add_majority(self, runs: Sequence[RunResult], majority: str | None, gives: bool) -> None:
        """Against the prompt's majority answer (None: no column answered)."""
        from client.audit.final_answer import same_answer

        if majority is not None:
            self.majority_runs += sum(
                1
                for r in runs
                if r.completed
                and r.turn is not None
                and (stated := conclusion(r.turn)) is not None
                and same_answer(stated, majority)
            )
        self.majority_prompts += gives

    def add(self, runs: Sequence[RunResult], expected: str | None) -> None:
        self.prompts += 1
        self.runs += len(runs)
        turns = [r.turn for r in runs if r.turn is not None]
        self.completed += sum(1 for r in runs if r.completed)
        costs = [t.cost.total for t in turns if t.cost.total is not None]
        self.unpriced_runs += len(runs) - len(costs)
        self.cost += sum(costs, Decimal(0))
        self.run_costs.extend(costs)
        self.reasoning.extend(
            t.usage.reasoning_tokens for t in turns if t.usage.reasoning_tokens is not None
        )
        self.times.extend(t.timing.total_s for t in turns if t.timing.total_s is not None)
        if expected is not None:
            self.graded_runs += len(runs)
            self.correct += sum(1 for r in runs if is_correct(r, expected))
            self.graded_cost += sum(costs, Decimal(0))
        else:
            agreement = tally_column(turns).agreement if turns else 0.0
            if turns and len(turns) < len(runs) and agreement is not None:
                agreement = agreement * len(turns) / len(runs)
            self.agreements.append(agreement or 0.0)

    def to_json(self) -> dict[str, Any]:
        def median(values: list[Any] | None) -> Any:
            return statistics.median(values) if values else None

        cost_median = median(self.run_costs)
        return {
            "summary": "column",
            "label": self.label,
            "prompts": self.prompts,
            "runs": self.runs,
            "completed": self.completed,
            "accuracy": round(self.correct / self.graded_runs, 4) if self.graded_runs else None,
            "correct": self.correct if self.graded_runs else None,
            "agreement": round(statistics.mean(self.agreements), 4) if self.agreements else None,
            "cost": format_amount(self.cost),
            "cost_median": None if cost_median is None else format_amount(Decimal(cost_median)),
            "cost_per_correct": format_amount(self.graded_cost / self.correct)
            if self.correct
            else None,
            "unpriced_runs": self.unpriced_runs,
            "reasoning_tokens_median": median(self.reasoning),
            "total_s_median": None if not self.times else round(statistics.median(self.times), 3),
            "majority_accuracy": self.majority_accuracy,
            "majority_prompts": self.majority_prompts,
            "reasoning_tokens_mean": self.reasoning_mean,
            "cheapest_majority": self.cheapest_majority,
        }


@dataclass(frozen=True)
class PromptRow:
    """One prompt of a set, as the summary's Markdown lists it."""

    prompt: str
    expected: str | None
    majority: str | None  # the answer most columns give
    answers: tuple[str | None, ...]  # each column's own majority answer
    agreements: tuple[float | None, ...]
    gives_majority: tuple[bool, ...] = ()  # whether each column's answer is the majority's


class SetSummary:
    """The figures of a set so far, prompt by prompt (only whole prompts: a prompt stopped
    half-way is stored, and resumed when the set runs again, but not summarised)."""

    def __init__(self, columns: Sequence[Column]) -> None:
        self.labels = [c.label for c in columns]
        self.columns = [ColumnSummary(c.label) for c in columns]
        self.rows: list[PromptRow] = []

    def add(self, fig: ComparisonFigures, prompt: str, expected: str | None) -> None:
        top = fig.groups[0] if fig.groups else []
        majority = fig.tallies[top[0]].majority_answer if top else None
        for i, (summary, runs) in enumerate(zip(self.columns, fig.runs, strict=True)):
            summary.add(runs, expected)
            summary.add_majority(runs, majority, i in top)
        self.rows.append(
            PromptRow(
                prompt,
                expected,
                majority,
                tuple(t.majority_answer for t in fig.tallies),
                tuple(t.agreement for t in fig.tallies),
                tuple(i in top for i in range(len(fig.tallies))),
            )
        )
        cheapest = self.cheapest
        for i, summary in enumerate(self.columns):
            summary.cheapest_majority = i == cheapest

    @property
    def prompts(self) -> int:
        return len(self.rows)

    @property
    def cost(self) -> Decimal:
        return sum((c.cost for c in self.columns), Decimal(0))

    @property
    def cheapest(self) -> int | None:
        """The verdict: among the columns giving the majority answer on the most prompts, the
        cheapest over the set (a column with runs of unknown price comes after any priced one).
        None before any column gave a majority answer."""
        most = max((c.majority_prompts for c in self.columns), default=0)
        if most == 0:
            return None
        ranked = [
            ((c.unpriced_runs > 0, c.cost, i), i)
            for i, c in enumerate(self.columns)
            if c.majority_prompts == most
        ]
        return min(ranked)[1]

    def verdict(self) -> str:
        """ "gpt-5-mini @ medium: the majority answer on 19 of 20 prompts for $0.41, …"."""
        best = self.cheapest
        if best is None:
            return "No setting gave a majority answer yet."
        chosen = self.columns[best]
        parts = [
            f"Cheapest setting that still gets the majority answer: {chosen.label}, on "
            f"{chosen.majority_prompts} of {self.prompts} prompts for {_money(chosen)}"
            f"{_reasoning(chosen)}."
        ]
        others = [
            f"{c.label} {c.majority_prompts} of {self.prompts} for {_money(c)}"
            + _times(c.cost, chosen.cost)
            for i, c in enumerate(self.columns)
            if i != best
        ]
        if others:
            parts.append("Others: " + "; ".join(others) + ".")
        return " ".join(parts)


def _money(c: ColumnSummary) -> str:
    text = fmt.money(c.cost)
    return f"{text} (+{c.unpriced_runs} runs without a price)" if c.unpriced_runs else text


def _reasoning(c: ColumnSummary) -> str:
    mean = c.reasoning_mean
    return "" if mean is None else f", {fmt.tokens(round(mean))} of reasoning a run on average"


def _times(cost: Decimal, base: Decimal) -> str:
    if base <= 0 or cost <= 0:
        return ""
    ratio = cost / base
    return f" ({ratio:.1f}× the cost)" if ratio >= Decimal("1.05") else ""


def plan_set(
    controller: TurnController,
    items: Sequence[PromptItem],
    columns: Sequence[Column],
    samples: int,
    *,
    system: str | None = None,
    max_output_tokens: int | None = None,
    **kwargs: Any,
) -> list[Comparison]:
    """One comparison per prompt, each under its set key: the stored one when this set ran
    before with these settings (resumed: only what it lacks is sent), else a new one."""
    store = controller.store
    seen: dict[str, int] = {}
    out = []
    for item in items:
        occurrence = seen.get(item.prompt, 0)
        seen[item.prompt] = occurrence + 1
        key = set_key(item.prompt, occurrence, columns, samples, system, max_output_tokens)
        stored = store.comparison_by_set_key(key) if store is not None else None
        if stored is not None:
            out.append(from_stored(controller, stored, **kwargs))
            continue
        plan = ComparisonPlan(
            item.prompt,
            list(columns),
            samples,
            system=system,
            max_output_tokens=max_output_tokens,
            set_key=key,
        )
        out.append(Comparison(controller, plan, **kwargs))
    return out
