"""Money before and after a turn: what the next one will roughly cost, whether it crosses a budget,
the sentences that say what a conversation cost and how much of it was hidden reasoning, and the
spend over a day, week or month that the window's spend view draws.

It sits beside the turn controller (it reads the store and asks pricing, no Qt), so the window
and the command line can both ask "may I send this?" and "what did this cost?" the same way.
Budgets are small settings in the store: "budget.monthly_usd" (a calendar month, UTC, as the
ledger's month grouping counts it), "budget.conversation_usd" (the same cap for every
conversation) and "budget.ask_before_sending" (the window asks before a turn that would cross
one). Amounts are kept as decimal text.

Token counts before sending are estimates (client.core.context.estimate_tokens: about four
characters a token for Latin text; no tokenizer can be shipped for every provider). Where the
branch has a turn whose input the provider reported, the estimate starts from that count instead,
which carries the provider's own tokenizer and system prompt, and only the text since then is
estimated (unless the caller asks for characters only). Prompt caching is ignored, so an estimate
errs on the dear side.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Literal, TextIO

from client.core import format as fmt
from client.core.context import TOKENS_PER_MESSAGE, estimate_tokens
from client.core.conversation import Turn
from client.core.cost import CostSource
from client.core.events import Visibility
from client.core.prices import PriceOverride
from client.core.request import sent_back
from client.core.usage import Usage
from client.pricing import cost_for, data_info, use_saved_prices
from client.store.store import Store

MONTHLY_KEY = "budget.monthly_usd"
CONVERSATION_KEY = "budget.conversation_usd"
ASK_KEY = "budget.ask_before_sending"

# The turns the controller sends back as history (see client.session): answered chat turns.
_CENT = Decimal("0.01")

Level = Literal["ok", "warn", "over"]
_RANK: dict[Level, int] = {"ok": 0, "warn": 1, "over": 2}


def _estimate_tokens(text: str | None) -> int:
    return estimate_tokens(text) if text else 0


@dataclass(frozen=True)
class Estimate:
    """What the next turn will roughly take.

    `input_tokens` is the whole prompt (history included). `output_tokens` is what earlier
    answers in the branch averaged, or None with nothing to go by; then `cost` covers the input
    only. `cost` is None when the model has no price (`source` is then UNKNOWN).
    """

    input_tokens: int
    cost: Decimal | None
    source: CostSource
    output_tokens: int | None = None
    # The rates used and where they came from, as a finished turn keeps them (Cost.price).
    price: dict[str, str] = field(default_factory=dict)
    # What is sent, for the budget sentences ("This comparison would take…"), and whether `cost`
    # is the most it can cost (a comparison's range runs up to every run's output limit).
    noun: str = "turn"
    upper_bound: bool = False

    @property
    def covers_output(self) -> bool:
        return self.output_tokens is not None


def _answer_tokens(turn: Turn) -> int:
    """The tokens of the answer as it goes back: reported output less reasoning, if both known."""
    usage = turn.usage
    if usage.output_tokens is not None and usage.reasoning_tokens is not None:
        return max(usage.output_tokens - usage.reasoning_tokens, 0)
    return _estimate_tokens(turn.answer)


def _input_tokens(
    turns: list[Turn], prompt: str, system: str | None, send_reasoning: bool, reported: bool
) -> int:
    def reply(t: Turn, answer: int) -> int:
        reasoning = _estimate_tokens(t.reasoning.text) if send_reasoning else 0
        return answer + reasoning + TOKENS_PER_MESSAGE

    def exchange(t: Turn) -> int:
        return (
            _estimate_tokens(t.prompt) + TOKENS_PER_MESSAGE + reply(t, _estimate_tokens(t.answer))
        )

    anchors = [i for i, t in enumerate(turns) if reported and t.usage.input_tokens is not None]
    if anchors:
        # The newest reported input already holds the system prompt and everything before it.
        k = anchors[-1]
        anchor = turns[k]
        total = (anchor.usage.input_tokens or 0) + reply(anchor, _answer_tokens(anchor))
        later = turns[k + 1 :]
    else:
        total = _estimate_tokens(system) + (TOKENS_PER_MESSAGE if system else 0)
        later = turns
    total += sum(exchange(t) for t in later)
    return total + _estimate_tokens(prompt) + TOKENS_PER_MESSAGE


def _typical_output(turns: list[Turn], provider: str, model: str) -> tuple[int, int] | None:
    """(output, reasoning) tokens the earlier answers averaged, this model's first if it has any."""
    known = [t for t in turns if t.usage.output_tokens is not None]
    same = [t for t in known if (t.provider, t.model) == (provider, model)]
    pool = same or known
    if not pool:
        return None
    output = round(sum(t.usage.output_tokens or 0 for t in pool) / len(pool))
    reasoning = round(sum(t.usage.reasoning_tokens or 0 for t in pool) / len(pool))
    return output, min(reasoning, output)


def estimate_next_turn(
    history: Sequence[Turn],
    prompt: str,
    system: str | None,
    provider: str,
    model: str,
    base_url: str | None,
    overrides: Mapping[tuple[str, str], PriceOverride] | None,
    *,
    send_reasoning: bool = False,
    reported_input: bool = True,
    when: datetime | None = None,
) -> Estimate:
    """Estimate the next turn of a branch (`history`: root first, as `Store.branch` gives it).

    Only what the controller sends back counts: answered chat turns, not failed or critic turns.
    `send_reasoning` is the conversation's "reasoning goes back" choice. The cost comes from the
    same pricing as a finished turn (override, price data, local zero, or unknown).
    `reported_input` False counts every message from its characters, as context_usage does,
    even where a turn's input was reported: the window sets one count against the context window.
    """
    turns = sent_back(history)
    input_tokens = _input_tokens(turns, prompt, system, send_reasoning, reported_input)
    typical = _typical_output(turns, provider, model)
    output, reasoning = typical if typical is not None else (0, 0)
    cost = cost_for(
        provider,
        model,
        Usage(input_tokens=input_tokens, output_tokens=output, reasoning_tokens=reasoning),
        base_url=base_url,
        overrides=overrides,
        when=when or datetime.now(UTC),
    )
    output_tokens = None if typical is None else output
    return Estimate(input_tokens, cost.total, cost.source, output_tokens, cost.price)


# -- budgets -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Budgets:
    """The user's spending limits in USD (None: no limit) and whether to ask before crossing one."""

    monthly_usd: Decimal | None = None
    conversation_usd: Decimal | None = None
    ask_before_sending: bool = False


def _amount(value: object) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return None
    return amount if amount.is_finite() and amount > 0 else None


def load_budgets(store: Store) -> Budgets:
    """The budgets in the store; a missing, zero or unreadable amount means no limit."""
    return Budgets(
        _amount(store.get_setting(MONTHLY_KEY)),
        _amount(store.get_setting(CONVERSATION_KEY)),
        store.get_setting(ASK_KEY, False) is True,
    )


def save_budgets(store: Store, budgets: Budgets) -> None:
    for key, amount in (
        (MONTHLY_KEY, budgets.monthly_usd),
        (CONVERSATION_KEY, budgets.conversation_usd),
    ):
        if amount is None:
            store.delete_setting(key)
        else:
            store.set_setting(key, format(amount, "f"))
    store.set_setting(ASK_KEY, bool(budgets.ask_before_sending))


@dataclass(frozen=True)
class BudgetCheck:
    """`level`: "ok", "warn" (this turn would cross a budget) or "over" (one is already spent).

    `message` is the sentence to show ("" when ok); `ask_before_sending` is True when the user
    asked to confirm such a turn.
    """

    level: Level
    message: str = ""
    ask_before_sending: bool = False


def _dollars(amount: Decimal) -> str:
    """Cents for budget sentences ("$19.40"), whole dollars when exact ("$20")."""
    if amount == amount.to_integral_value():
        return f"${int(amount):,}"
    if abs(amount) < _CENT:
        return fmt.money(amount)
    return f"${amount.quantize(_CENT, ROUND_HALF_UP):,}"


def _queries(n: int) -> str:
    return f"{n:,} {'query' if n == 1 else 'queries'}"


def _check_one(
    scope: str, owner: str, spent: Mapping[str, Any], budget: Decimal, estimate: Estimate
) -> tuple[Level, str]:
    """One budget: `scope` is "this month"/"this conversation", `owner` "your"/"its"."""
    so_far = Decimal(str(spent.get("cost") or "0"))
    unpriced = int(str(spent.get("unpriced_queries") or 0))
    note = f" (not counting {_queries(unpriced)} without a price)" if unpriced else ""
    more = estimate.cost
    how = "up to" if estimate.upper_bound else "about" if estimate.covers_output else "at least"
    this = f"This {estimate.noun}"
    if so_far >= budget:
        adds = f" {this} would add {how} {_dollars(more)}." if more else ""
        spent_text, limit = f"{_dollars(so_far)}{note}", _dollars(budget)
        if scope == "this month":
            return (
                "over",
                f"You have spent {spent_text} this month, past your {limit} budget.{adds}",
            )
        return "over", f"This conversation has cost {spent_text}, past its {limit} budget.{adds}"
    if more is not None and so_far + more > budget:
        return "warn", (
            f"{this} would take {scope} past {owner} {_dollars(budget)} budget: "
            f"{_dollars(so_far)} spent{note}, {how} {_dollars(more)} more."
        )
    return "ok", ""


def check_budget(
    store: Store, conversation_id: str | None, estimate: Estimate, *, today: date | None = None
) -> BudgetCheck:
    """Whether sending a turn like `estimate` keeps within the user's budgets.

    A turn that costs nothing (a local model) is always "ok". A turn with no known price can
    only be "over" (a budget already spent), never "warn". `conversation_id` None is a new
    conversation, which has spent nothing yet. `today` is the UTC date (default: now).
    """
    budgets = load_budgets(store)
    if estimate.cost == 0 or (budgets.monthly_usd is None and budgets.conversation_usd is None):
        return BudgetCheck("ok")
    results: list[tuple[Level, str]] = []
    if budgets.monthly_usd is not None:
        today = today or datetime.now(UTC).date()
        month = today.strftime("%Y-%m")
        report = store.usage_report(by="month", since=today.replace(day=1))
        month_spent: Mapping[str, Any] = next(
            (g for g in report["groups"] if g["key"] == month), {}
        )
        results.append(_check_one("this month", "your", month_spent, budgets.monthly_usd, estimate))
    if budgets.conversation_usd is not None:
        spent = store.conversation_totals(conversation_id) if conversation_id else {}
        results.append(
            _check_one("this conversation", "its", spent, budgets.conversation_usd, estimate)
        )
    level: Level = max((lvl for lvl, _ in results), key=_RANK.__getitem__)
    if level == "ok":
        return BudgetCheck("ok")
    message = " ".join(text for lvl, text in results if lvl != "ok")
    return BudgetCheck(level, message, budgets.ask_before_sending)


# -- what it cost ----------------------------------------------------------------------------


def _share(part: Decimal, whole: Decimal) -> str:
    percent = part / whole * 100
    return "<1%" if 0 < percent < 1 else f"{percent.quantize(Decimal(1), ROUND_HALF_UP)}%"


def cost_summary(totals: Mapping[str, Any]) -> str:
    """One line for ledger totals (a `usage_report` group or total with reasoning, or
    `conversation_totals`): "$0.42 over 7 queries · reasoning $0.31 (74%) · $0.12 of it not
    shown by the provider". Parts that would say nothing (no reasoning, nothing hidden) are left
    out."""
    queries, unpriced = int(totals["queries"]), int(totals["unpriced_queries"])
    # A query cut before the provider reported its usage has no cost for that reason, not for
    # want of a price: say which.
    unreported = min(int(totals.get("unreported_queries") or 0), unpriced)
    no_price = unpriced - unreported
    if queries == 0:
        return fmt.NO_QUERIES
    reasons = []
    if no_price:
        reasons.append(f"{no_price:,} without a price")
    if unreported:
        reasons.append(f"{unreported:,} with usage not reported")
    if unpriced == queries:
        if not no_price:
            return f"{_queries(queries)}, usage not reported"
        if not unreported:
            return f"{_queries(queries)}, none with a known price"
        return f"{_queries(queries)}, none with a known cost ({', '.join(reasons)})"
    cost = Decimal(totals["cost"])
    reasoning = Decimal(totals.get("reasoning_cost") or 0)
    hidden = Decimal(totals.get("hidden_reasoning_cost") or 0)
    parts = [f"{fmt.money(cost)} over {_queries(queries)}"]
    if reasons:
        parts[0] += f" ({', '.join(reasons)})"
    if reasoning > 0:
        parts.append(f"reasoning {fmt.money(reasoning)} ({_share(reasoning, cost)})")
    if hidden > 0:
        parts.append(f"{fmt.money(hidden)} of it not shown by the provider")
    return " · ".join(parts)


def conversation_cost_summary(store: Store, conversation_id: str) -> str:
    """What a conversation cost and how much of it was reasoning nobody showed (`cost_summary`),
    counting everything it caused: branches, regenerations, stopped and critic turns."""
    return cost_summary(store.conversation_totals(conversation_id))


def hidden_reasoning_line(turn: Turn) -> str | None:
    """For a turn whose reasoning was billed but never shown: "reasoning 1,408 tokens · $0.021 ·
    not shown by the provider". None for a turn whose reasoning was shown, or that had none."""
    if turn.reasoning.visibility != Visibility.HIDDEN:
        return None
    count = turn.usage.reasoning_tokens
    if count is None:
        count = turn.reasoning.tokens
    parts = [f"reasoning {fmt.tokens(count)}" if count is not None else "reasoning"]
    cost = turn.cost
    if cost.reasoning is not None and cost.source not in (CostSource.UNKNOWN, CostSource.LOCAL):
        parts.append(fmt.money(cost.reasoning))
    parts.append("not shown by the provider")
    return " · ".join(parts)


# -- spend over a period (the window's spend view; Qt-free so it is tested without a display) --

SPEND_PERIODS = ("day", "week", "month", "all")
# `usage --json`'s fields, then what reasoning cost: the spend view's columns and its CSV.
SPEND_FIELDS = (
    *["queries", "input_tokens", "cached_input_tokens", "cache_write_tokens", "output_tokens"],
    *["reasoning_tokens", "cost", "unpriced_queries", "reasoning_cost", "hidden_reasoning_cost"],
)


def period_start(period: str, today: date) -> date | None:
    """The first UTC day a period covers: today, this ISO week's Monday, the 1st; None for all."""
    if period not in SPEND_PERIODS:
        raise ValueError(f"a period is one of {', '.join(SPEND_PERIODS)}, not {period!r}")
    if period == "day":
        return today
    if period == "week":
        return today - timedelta(days=today.weekday())
    return today.replace(day=1) if period == "month" else None


@dataclass(frozen=True)
class SpendReport:
    """`usage_report(by, since, reasoning=True)` for a period, and what to call each group."""

    period: str
    by: str
    since: date | None
    groups: tuple[dict[str, Any], ...]
    total: dict[str, Any]
    labels: dict[str, str] = field(default_factory=dict)  # conversation titles by id
    # The price data in use: client.pricing.data_info() (its version and when it was fetched).
    prices: dict[str, Any] = field(default_factory=dict)

    def label(self, key: str | None) -> str:
        return self.labels.get(key) or key or ""  # type: ignore[arg-type]


def spend_report(store: Store, period: str, by: str, today: date | None = None) -> SpendReport:
    """The ledger for `period` (UTC, see period_start) grouped `by` a usage_report grouping."""
    since = period_start(period, today or datetime.now(UTC).date())
    report = store.usage_report(by, since, reasoning=True)
    labels: dict[str, str] = {}
    if by == "conversation":
        titles = {c.id: c.title for c in store.list_conversations(include_deleted=True)}
        labels = {
            g["key"]: titles.get(g["key"]) or "Untitled conversation" for g in report["groups"]
        }
    elif by == "comparison":
        prompts = {}
        for g in report["groups"]:
            stored = store.get_comparison(g["key"]) if g["key"] else None
            if stored is not None:
                line = " ".join(stored.prompt.split())
                prompts[g["key"]] = "Compared: " + (line if len(line) <= 50 else line[:49] + "…")
        labels = {**prompts, None: "Not in a comparison"}  # type: ignore[dict-item]
    use_saved_prices(store.path.parent)
    return SpendReport(
        period, by, since, tuple(report["groups"]), report["total"], labels, data_info()
    )


def write_spend_csv(report: SpendReport, out: TextIO) -> int:
    """The groups in ledger order, then a "total" row; values as the ledger gives them (integers
    and decimal text), so the file reads back exactly. Returns how many groups were written."""
    writer = csv.writer(out)
    writer.writerow(("key", "label", *SPEND_FIELDS))
    for group in report.groups:
        writer.writerow(
            (group["key"], report.label(group["key"]), *(group[f] for f in SPEND_FIELDS))
        )
    writer.writerow(("total", "", *(report.total[f] for f in SPEND_FIELDS)))
    return len(report.groups)
