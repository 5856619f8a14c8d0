"""A prompt set: "is high effort worth it for *my* questions?", over many prompts at once.

A JSON Lines file holds one `{"prompt": …, "expected": …}` per line (`expected` optional). Each
prompt becomes a comparison of its own (a conversation of its own), stored under a key made of
the prompt and the columns, so running the same set again resumes it: runs already done are
stored turns and are not sent again. The summary per column gives accuracy against `expected`
(the final-answer module decides equality: `\\frac{1}{2}` = 0.5), agreement where there is no
`expected`, total and median cost, cost per correct answer, median reasoning tokens and time.
"""

from __future__ import annotations

import hashlib
import json
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from client.audit.final_answer import final_answer, same_answer
from client.compare.columns import Column
from client.compare.runner import RunResult
from client.compare.tally import conclusion, tally_column
from client.core.errors import UsageError
from client.store.ledger import format_amount

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
        }
