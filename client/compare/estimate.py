"""What a comparison will cost, as a range, before anything is sent.

Every run of a column sends the same input (the prompt and the branch before it), so the input
part is known up to the token estimate. The output is not: it comes from the ledger's history of
that model at that effort (the fewest and the most output tokens of its latest completed turns),
or, with no history, from nothing (the low end) up to the output limit (the high end: the most
the model can be made to write, so the most it can cost). A column whose model has no price
leaves the upper bound unknown; `--max-cost` then refuses, since it cannot be kept.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from client.compare.columns import Column
from client.core.context import TOKENS_PER_MESSAGE, estimate_tokens
from client.core.conversation import Turn
from client.core.cost import CostSource
from client.core.events import TurnStatus
from client.core.prices import PriceOverride
from client.core.usage import Usage
from client.pricing import cost_for

if TYPE_CHECKING:
    from client.budget import BudgetCheck
    from client.compare.runner import Comparison
    from client.store.store import Store

# The most a model writes in one answer (reasoning included) when the request sets no cap, by
# model-id prefix; a bound for the estimate's upper end, not a forecast.
OUTPUT_LIMITS: dict[str, int] = {
    "gpt-5": 128_000,
    "o1": 100_000,
    "o3": 100_000,
    "o4": 100_000,
    "gpt-4.1": 32_768,
    "claude-opus-4": 32_000,
    "claude-sonnet-4": 64_000,
    "claude-haiku-4": 64_000,
    "claude-3-7": 64_000,
    "gemini-2.5": 65_536,
    "gemini-3": 65_536,
    "deepseek-reasoner": 64_000,
    "deepseek-chat": 8_192,
    "mistral": 32_768,
    "magistral": 40_000,
}
DEFAULT_OUTPUT_LIMIT = 32_768
_SENT_BACK = frozenset({TurnStatus.COMPLETE, TurnStatus.LENGTH, TurnStatus.INTERRUPTED})


def output_limit(model: str, max_output_tokens: int | None) -> int:
    if max_output_tokens:
        return max_output_tokens
    name = model.strip().lower().rsplit("/", 1)[-1]
    best = max((p for p in OUTPUT_LIMITS if name.startswith(p)), key=len, default=None)
    return OUTPUT_LIMITS[best] if best else DEFAULT_OUTPUT_LIMIT


def input_tokens(prompt: str, history: Sequence[Turn], system: str | None) -> int:
    """The prompt with the branch before it, counted from characters (every run sends it)."""
    total = estimate_tokens(prompt) + TOKENS_PER_MESSAGE
    if system:
        total += estimate_tokens(system) + TOKENS_PER_MESSAGE
    for t in history:
        if t.status in _SENT_BACK and t.purpose == "chat":
            total += estimate_tokens(t.prompt) + estimate_tokens(t.answer) + 2 * TOKENS_PER_MESSAGE
    return total


@dataclass(frozen=True)
class ColumnEstimate:
    column: Column
    runs: int
    input_tokens: int
    output_low: int
    output_high: int
    from_history: bool  # False: no history, the range runs up to the output limit
    low: Decimal | None  # for all the column's runs; None when the model has no price
    high: Decimal | None
    source: CostSource


@dataclass(frozen=True)
class ComparisonEstimate:
    columns: tuple[ColumnEstimate, ...]
    currency: str = "USD"

    @property
    def low(self) -> Decimal | None:
        return _total([c.low for c in self.columns])

    @property
    def high(self) -> Decimal | None:
        return _total([c.high for c in self.columns])

    @property
    def unpriced(self) -> list[str]:
        return [c.column.label for c in self.columns if c.high is None]

    def to_json(self) -> dict[str, str | None]:
        def text(v: Decimal | None) -> str | None:
            return None if v is None else format(v.normalize(), "f")

        return {"currency": self.currency, "low": text(self.low), "high": text(self.high)}

    def over(self, max_cost: Decimal) -> str | None:
        """A sentence refusing to send when the upper bound may pass `max_cost`, else None."""
        high = self.high
        if high is None:
            return (
                f"the upper bound of the cost is unknown ({', '.join(self.unpriced)} has no price), "
                f"so --max-cost {max_cost} cannot be kept; set a price with `thinkpane prices --set`"
                " or leave out --max-cost. Nothing was sent."
            )
        if high > max_cost:
            low = self.low or Decimal(0)
            return (
                f"the estimate is ${_round(low)}–${_round(high)}, above --max-cost {max_cost}: "
                "nothing was sent. Use fewer samples or columns, a lower effort, "
                "--max-output-tokens, or a higher --max-cost."
            )
        return None


def _total(values: list[Decimal | None]) -> Decimal | None:
    """The sum, or None when any part is unknown."""
    total = Decimal(0)
    for value in values:
        if value is None:
            return None
        total += value
    return total


def _round(v: Decimal) -> str:
    return format(v.quantize(Decimal("0.0001")) if v >= Decimal("0.0001") else v.normalize(), "f")


def estimate_comparison(
    columns: Sequence[Column],
    samples: int,
    prompt: str,
    *,
    history: Sequence[Turn] = (),
    system: str | None = None,
    max_output_tokens: int | None = None,
    outputs: Mapping[int, Sequence[int]] | None = None,
    overrides: Mapping[tuple[str, str], PriceOverride] | None = None,
    base_urls: Mapping[int, str | None] | None = None,
) -> ComparisonEstimate:
    """The range for `samples` runs of every column. `outputs[i]` is column i's history of
    output tokens (`Store.output_history`); `base_urls[i]` its resolved endpoint (a local
    server costs nothing)."""
    tokens_in = input_tokens(prompt, history, system)
    when = datetime.now(UTC)
    estimates = []
    for i, column in enumerate(columns):
        seen = list((outputs or {}).get(i, ()))
        limit = output_limit(column.model, max_output_tokens)
        if seen:
            lo, hi, known = min(min(seen), limit), min(max(seen), limit), True
        else:
            lo, hi, known = 0, limit, False
        url = (base_urls or {}).get(i, column.base_url)
        low_cost = cost_for(
            column.provider,
            column.model,
            Usage(input_tokens=tokens_in, output_tokens=lo, reasoning_tokens=0),
            base_url=url,
            overrides=overrides,
            when=when,
        )
        high_cost = cost_for(
            column.provider,
            column.model,
            Usage(input_tokens=tokens_in, output_tokens=hi, reasoning_tokens=0),
            base_url=url,
            overrides=overrides,
            when=when,
        )
        estimates.append(
            ColumnEstimate(
                column,
                samples,
                tokens_in,
                lo,
                hi,
                known,
                None if low_cost.total is None else low_cost.total * samples,
                None if high_cost.total is None else high_cost.total * samples,
                high_cost.source,
            )
        )
    return ComparisonEstimate(tuple(estimates))


def estimate_with_store(
    store: Store | None,
    columns: Sequence[Column],
    samples: int,
    prompt: str,
    *,
    history: Sequence[Turn] = (),
    system: str | None = None,
    max_output_tokens: int | None = None,
    left: Mapping[int, int] | None = None,
) -> ComparisonEstimate:
    """The estimate with what the store knows: each column's output history, the user's prices,
    each server's address (a local one costs nothing). `left[i]` is how many runs of column i
    are still to send (default: every sample), so a resumed comparison is estimated for what
    is left. With no store (`--no-save`), the prices saved in the data folder, no history."""
    from client.core.errors import ThinkpaneError, UsageError
    from client.pricing import use_saved_prices
    from client.providers.registry import profile
    from client.store.paths import data_dir

    use_saved_prices(store.path.parent if store is not None else data_dir())
    urls: dict[int, str | None] = {}
    outputs: dict[int, list[int]] = {}
    for i, c in enumerate(columns):
        try:
            urls[i] = profile(c.provider).base_url(c.base_url)
        except (UsageError, ThinkpaneError):
            urls[i] = c.base_url
        if store is not None:
            outputs[i] = store.output_history(c.provider, c.model, c.effort)
    estimate = estimate_comparison(
        columns,
        samples,
        prompt,
        history=history,
        system=system,
        max_output_tokens=max_output_tokens,
        outputs=outputs,
        overrides=store.price_overrides() if store is not None else None,
        base_urls=urls,
    )
    if left is None:
        return estimate

    def part(value: Decimal | None, runs: int) -> Decimal | None:
        return None if value is None else value / samples * runs

    return ComparisonEstimate(
        tuple(
            ColumnEstimate(
                e.column,
                left.get(i, 0),
                e.input_tokens,
                e.output_low,
                e.output_high,
                e.from_history,
                part(e.low, left.get(i, 0)),
                part(e.high, left.get(i, 0)),
                e.source,
            )
            for i, e in enumerate(estimate.columns)
        ),
        estimate.currency,
    )


def estimate_left(store: Store | None, comparison: Comparison) -> ComparisonEstimate:
    """What a comparison still costs: each column for its runs not done yet (a resumed one
    pays nothing again for what is stored)."""
    plan = comparison.plan
    pending = comparison.pending()
    left = {i: sum(1 for c, _ in pending if c == i) for i in range(len(plan.columns))}
    return estimate_with_store(
        store,
        plan.columns,
        plan.samples,
        plan.prompt,
        system=plan.system,
        max_output_tokens=plan.max_output_tokens,
        left=left,
    )


def describe(estimate: ComparisonEstimate) -> str:
    """ "9 runs: $0.0021 to $0.19 (from your earlier turns at these settings)"."""
    from client.core import format as fmt

    runs = sum(c.runs for c in estimate.columns)
    if estimate.columns and all(c.source is CostSource.LOCAL for c in estimate.columns):
        return f"{runs} runs: free, every model runs on this computer"
    if estimate.high is None:
        return f"{runs} runs; cost unknown: {', '.join(estimate.unpriced)} has no price."
    low, high = fmt.money(estimate.low or Decimal(0)), fmt.money(estimate.high)
    guessed = list(dict.fromkeys(e.column.label for e in estimate.columns if not e.from_history))
    labels = list(dict.fromkeys(e.column.label for e in estimate.columns))
    if not guessed:
        how = " (from your earlier turns at these settings)"
    elif len(guessed) == len(labels):
        how = " (no earlier turns at these settings: up to each model's output limit)"
    else:
        how = f" (up to the output limit for {', '.join(guessed)}: no earlier turns there)"
    return f"{runs} runs: {low} to {high}{how}"


def combine(estimates: Sequence[ComparisonEstimate]) -> ComparisonEstimate:
    """Several comparisons (a prompt set) as one estimate."""
    return ComparisonEstimate(tuple(c for e in estimates for c in e.columns))


def budget_check(
    store: Store, conversation_id: str | None, estimate: ComparisonEstimate, noun: str
) -> BudgetCheck:
    """The estimate against the user's budgets, as any send is checked (client.budget), at its
    upper bound: a comparison may cost that much. A bound unknown (a model without a price)
    can only meet a budget already spent. `noun` names what is sent ("comparison")."""
    from client.budget import Estimate, check_budget

    high = estimate.high
    tokens_in = sum(c.input_tokens * c.runs for c in estimate.columns)
    tokens_out = sum(c.output_high * c.runs for c in estimate.columns)
    source = CostSource.PRICES if high is not None else CostSource.UNKNOWN
    sent = Estimate(tokens_in, high, source, tokens_out, noun=noun, upper_bound=True)
    return check_budget(store, conversation_id, sent)
