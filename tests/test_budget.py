"""client.budget: the estimate before sending, budget checks, and what a conversation cost
(everything it caused, hidden reasoning apart). The spend report is tested with the spend view."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import genai_prices
import pytest

from client.budget import (
    BudgetCheck,
    Budgets,
    Estimate,
    check_budget,
    conversation_cost_summary,
    cost_summary,
    estimate_next_turn,
    hidden_reasoning_line,
    load_budgets,
    save_budgets,
)
from client.core.context import TOKENS_PER_MESSAGE, context_usage, estimate_tokens
from client.core.conversation import ReasoningTrace, Turn, new_id
from client.core.cost import Cost, CostSource
from client.core.errors import ErrorInfo, ErrorKind
from client.core.events import (
    AnswerDelta,
    Failed,
    Finished,
    ReasoningDelta,
    TurnStatus,
    UsageReport,
    Visibility,
)
from client.core.prices import PriceOverride
from client.core.usage import Usage
from client.pricing import cost_for
from client.session import TurnController
from client.store.store import Store

WHEN = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
C = TurnStatus.COMPLETE
TODAY = date(2026, 11, 27)
M = Decimal(1_000_000)


@pytest.fixture
def store() -> Iterator[Store]:
    with Store.open() as opened:
        yield opened


def turn(conversation_id: str = "c_x", **changes: Any) -> Turn:
    values: dict[str, Any] = {
        "id": new_id("t"),
        "conversation_id": conversation_id,
        "prompt": "p" * 40,
        "provider": "openai",
        "model": "gpt-5",
        "created_at": "2026-11-20T10:00:00.000000Z",
        "status": TurnStatus.COMPLETE,
        "answer": "a" * 80,
    }
    values.update(changes)
    return Turn(**values)


def priced(total: str, reasoning: str = "0") -> Cost:
    return Cost(CostSource.PRICES, "USD", Decimal(total), None, None, Decimal(reasoning))


# -- the estimate ----------------------------------------------------------------------------


def test_a_first_turn_is_estimated_from_characters_and_priced_like_a_finished_one():
    estimate = estimate_next_turn([], "x" * 400, "s" * 40, "openai", "gpt-5", None, None, when=WHEN)
    # 400 / 4 for the prompt, 40 / 4 for the system prompt, and each message's overhead.
    assert estimate.input_tokens == 100 + 10 + 2 * TOKENS_PER_MESSAGE
    theirs = genai_prices.calc_price(
        genai_prices.Usage(input_tokens=estimate.input_tokens, output_tokens=0),
        "gpt-5",
        provider_id="openai",
        genai_request_timestamp=WHEN,
    )
    assert estimate.cost == theirs.total_price
    assert estimate.source is CostSource.PRICES
    assert estimate.output_tokens is None and not estimate.covers_output


def test_a_later_turn_starts_from_the_input_the_provider_reported():
    first = turn(usage=Usage(1_000, 0, 0, 300, 200), answer="a" * 4000)  # 100 answer tokens
    second = turn(usage=Usage(None, None, None, 500, 300), answer="b" * 40, prompt="q" * 80)
    estimate = estimate_next_turn(
        [first, second], "x" * 8, None, "openai", "gpt-5", None, None, when=WHEN
    )
    o = TOKENS_PER_MESSAGE
    # 1,000 reported + the first answer (300 output − 200 reasoning) + the second exchange
    # (20 + 10 tokens, estimated) + the new prompt (2).
    assert estimate.input_tokens == 1_000 + 100 + o + (20 + 10 + 2 * o) + 2 + o
    assert estimate.output_tokens == 400  # the mean of 300 and 500
    expected = cost_for(
        "openai", "gpt-5", Usage(estimate.input_tokens, None, None, 400, 250), when=WHEN
    )
    assert estimate.cost == expected.total and estimate.covers_output


def test_only_what_goes_back_counts_and_reasoning_only_when_it_is_sent():
    answered = turn(reasoning=ReasoningTrace(Visibility.RAW, "r" * 400))
    failed = turn(status=TurnStatus.ERROR, usage=Usage(90_000, None, None, 10, None))
    critic = turn(purpose="critic", usage=Usage(50_000, None, None, 10, None))
    history = [answered, failed, critic]
    plain, alone = (
        estimate_next_turn(h, "", None, "openai", "gpt-5", None, None)
        for h in (history, [answered])
    )
    assert plain.input_tokens == alone.input_tokens < 100  # no failed or critic turn's input
    with_reasoning = estimate_next_turn(
        history, "", None, "openai", "gpt-5", None, None, send_reasoning=True, when=WHEN
    )
    assert with_reasoning.input_tokens == plain.input_tokens + 100
    # The same when the answered turn's input was reported and the estimate starts from it.
    answered.usage = Usage(500, None, None, 20, None)
    sent, kept = (
        estimate_next_turn(history, "", None, "openai", "gpt-5", None, None, send_reasoning=b)
        for b in (True, False)
    )
    assert sent.input_tokens == kept.input_tokens + 100 and kept.input_tokens > 500


def test_counting_characters_only_matches_context_usage():
    first = turn(usage=Usage(5_000, 0, 0, 300, 200), answer="a" * 4000)  # input reported
    second = turn(
        prompt="q" * 80, answer="b" * 40, reasoning=ReasoningTrace(Visibility.RAW, "r" * 40)
    )

    def estimate(**options: Any) -> Estimate:
        return estimate_next_turn(
            [first, second], "x" * 8, "s" * 40, "openai", "gpt-5", None, None, **options
        )

    counted = estimate(reported_input=False)
    texts = ["s" * 40, first.prompt, first.answer, second.prompt, second.answer]
    assert counted.input_tokens == context_usage(texts, "x" * 8, None).tokens < 5_000
    assert counted.output_tokens == 300  # the typical answer still comes from what was reported
    assert estimate().input_tokens > 5_000  # by default the count starts from the reported input
    # Reasoning that goes back rides in its answer's message: its characters, no marker of its own.
    with_reasoning = estimate(reported_input=False, send_reasoning=True)
    assert with_reasoning.input_tokens == counted.input_tokens + estimate_tokens("r" * 40)


def test_overrides_local_models_and_unknown_models():
    override = {("openai", "gpt-5"): PriceOverride(Decimal("2"), Decimal("8"))}
    mine = estimate_next_turn([], "x" * 4000, None, "openai", "gpt-5", None, override)
    assert mine.source is CostSource.OVERRIDE
    assert mine.cost == (1_000 + TOKENS_PER_MESSAGE) * Decimal(2) / M
    local = estimate_next_turn([], "hi", None, "ollama", "qwen3", "http://localhost:11434", None)
    assert (local.cost, local.source) == (Decimal(0), CostSource.LOCAL)
    unknown = estimate_next_turn(
        [], "hi", None, "openai-compatible", "mystery", "https://llm.example.com/v1", None
    )
    assert (unknown.cost, unknown.source) == (None, CostSource.UNKNOWN)


@pytest.mark.parametrize(
    ("provider", "model", "base_url", "provider_id"),
    [
        ("gemini", "gemini-2.5-pro", None, "google"),
        ("anthropic", "claude-opus-4-1", None, "anthropic"),
        ("anthropic", "claude-haiku-4-5", None, "anthropic"),
        ("openai", "o3", None, "openai"),
        ("openai-chat", "gpt-5-mini", None, "openai"),
        ("openai-compatible", "grok-4", "https://api.x.ai/v1", "x-ai"),
        ("deepseek", "deepseek-chat", None, "deepseek"),
    ],
)
def test_costs_with_cache_reads_and_writes_match_genai_prices(
    provider, model, base_url, provider_id
):
    # Providers beyond those in tests/pricing/test_cost.py; each turn read and wrote the cache.
    usage = Usage(20_000, 12_000, 3_000, 4_000, 2_500)
    cost = cost_for(provider, model, usage, base_url=base_url, when=WHEN)
    counts = {"cache_read_tokens": 12_000, "cache_write_tokens": 3_000, "output_tokens": 4_000}
    theirs = genai_prices.calc_price(
        genai_prices.Usage(input_tokens=20_000, **counts),
        model,
        provider_id=provider_id,
        genai_request_timestamp=WHEN,
    )
    assert cost.source is CostSource.PRICES
    assert (cost.total, cost.input, cost.output) == (
        theirs.total_price,
        theirs.input_price,
        theirs.output_price,
    )
    assert cost.price["provider_id"] == provider_id
    assert cost.price["data_version"] == genai_prices.__version__
    assert cost.reasoning is not None and 0 < cost.reasoning <= cost.output


# -- budgets ---------------------------------------------------------------------------------


def spend(store: Store, conversation_id: str, total: str, created_at: str, **changes: Any) -> None:
    changes.setdefault("cost", priced(total))
    store.insert_turn(turn(conversation_id, created_at=created_at, **changes))


@pytest.fixture
def month(store: Store) -> tuple[Store, str]:
    """$19.40 spent this month (over two conversations), $500 last month."""
    first, second = store.create_conversation("first").id, store.create_conversation("second").id
    spend(store, first, "500", "2026-10-31T23:59:59.000000Z")
    spend(store, first, "1.90", "2026-11-01T00:00:00.000000Z")
    spend(store, second, "17.50", "2026-11-26T09:00:00.000000Z")
    return store, first


def about(amount: str, output: int | None = 800) -> Estimate:
    return Estimate(2_000, Decimal(amount), CostSource.PRICES, output)


def test_budgets_round_trip_and_nonsense_means_no_limit(store):
    assert load_budgets(store) == Budgets()
    save_budgets(store, Budgets(Decimal("20"), Decimal("2.5"), True))
    assert load_budgets(store) == Budgets(Decimal("20"), Decimal("2.5"), True)
    assert store.get_setting("budget.monthly_usd") == "20"
    store.set_setting("budget.monthly_usd", "twenty")
    store.set_setting("budget.conversation_usd", -3)
    store.set_setting("budget.ask_before_sending", "yes")
    assert load_budgets(store) == Budgets()
    store.set_setting("budget.monthly_usd", 12.5)
    assert load_budgets(store).monthly_usd == Decimal("12.5")
    save_budgets(store, Budgets())
    assert store.get_setting("budget.monthly_usd") is None


def test_without_budgets_or_within_them_a_turn_is_ok(month):
    store, first = month
    assert check_budget(store, first, about("100"), today=TODAY).level == "ok"
    save_budgets(store, Budgets(Decimal("20"), Decimal("600")))
    assert check_budget(store, first, about("0.50"), today=TODAY) == BudgetCheck("ok")
    assert check_budget(store, None, about("0.60"), today=TODAY) == BudgetCheck("ok")
    unpriced = Estimate(10, None, CostSource.UNKNOWN)  # cannot cross a budget it cannot price
    assert check_budget(store, first, unpriced, today=TODAY) == BudgetCheck("ok")


def test_crossing_the_monthly_budget_warns_in_a_sentence(month):
    store, first = month
    save_budgets(store, Budgets(monthly_usd=Decimal("20")))
    check = check_budget(store, first, about("0.80"), today=TODAY)
    assert check.level == "warn"
    assert check.message == (
        "This turn would take this month past your $20 budget: $19.40 spent, about $0.80 more."
    )
    assert not check.ask_before_sending
    # Last month's $500 is not this month's: on 1 December nothing has been spent.
    assert check_budget(store, first, about("0.80"), today=date(2026, 12, 1)).level == "ok"


def test_crossing_the_conversation_budget_and_asking_first(month):
    store, first = month
    save_budgets(store, Budgets(conversation_usd=Decimal("502"), ask_before_sending=True))
    check = check_budget(store, first, about("0.15", output=None), today=TODAY)
    assert check.level == "warn" and check.ask_before_sending
    assert check.message == (
        "This turn would take this conversation past its $502 budget: "
        "$501.90 spent, at least $0.15 more."
    )
    # A new conversation has spent nothing.
    assert check_budget(store, None, about("0.15"), today=TODAY).level == "ok"


def test_a_budget_already_spent_is_over_whatever_the_turn(month):
    store, first = month
    spend(store, first, "0", "2026-11-27T08:00:00.000000Z", cost=Cost.unknown())
    save_budgets(store, Budgets(Decimal("19"), Decimal("1")))
    check = check_budget(store, first, about("0.80"), today=TODAY)
    assert check.level == "over"
    assert check.message == (
        "You have spent $19.40 (not counting 1 query without a price) this month,"
        " past your $19 budget."
        " This turn would add about $0.80."
        " This conversation has cost $501.90 (not counting 1 query without a price),"
        " past its $1 budget. This turn would add about $0.80."
    )
    unknown = Estimate(10, None, CostSource.UNKNOWN)
    assert check_budget(store, first, unknown, today=TODAY).level == "over"
    # A local model's turn costs nothing: it never needs a warning.
    free = Estimate(10, Decimal(0), CostSource.LOCAL)
    assert check_budget(store, first, free, today=TODAY).level == "ok"


# -- what a conversation cost ----------------------------------------------------------------


def test_the_conversation_summary_counts_branches_stopped_and_critic_turns(store):
    c = store.create_conversation().id
    S, H = Visibility.SUMMARY, Visibility.HIDDEN
    root = turn(c, cost=priced("0.10", "0.08"), reasoning=ReasoningTrace(S))
    store.insert_turn(root)
    rows = [
        # a regeneration of the root's answer: a sibling branch
        dict(parent_id=None, cost=priced("0.05", "0.04"), reasoning=ReasoningTrace(H)),
        # a follow-up, stopped by the user halfway
        dict(parent_id=root.id, status=TurnStatus.INTERRUPTED, cost=priced("0.07", "0.05"),
             reasoning=ReasoningTrace(H)),
        # the follow-up asked again, and a branch abandoned after it
        dict(parent_id=root.id, cost=priced("0.08", "0.06"), reasoning=ReasoningTrace(S)),
        dict(parent_id=root.id, status=TurnStatus.ERROR, cost=priced("0")),
        # a critic's audit of the root
        dict(parent_id=root.id, purpose="critic", cost=priced("0.06", "0.05"),
             reasoning=ReasoningTrace(H)),
        dict(parent_id=root.id, cost=priced("0.06", "0.03"), reasoning=ReasoningTrace(H)),
    ]  # fmt: skip
    for changes in rows:
        store.insert_turn(turn(c, **changes))
    totals = store.conversation_totals(c)
    assert totals["queries"] == 7
    assert (totals["cost"], totals["reasoning_cost"], totals["hidden_reasoning_cost"]) == (
        "0.42",
        "0.31",
        "0.17",
    )
    assert conversation_cost_summary(store, c) == (
        "$0.42 over 7 queries · reasoning $0.31 (74%) · $0.17 of it not shown by the provider"
    )


class ScriptedAdapter:
    """Plays one script of StreamEvents per turn; "stop" is the user pressing Stop there."""

    def __init__(self, *scripts: list[Any]) -> None:
        self.scripts = list(scripts)

    def __call__(self, _provider: str) -> ScriptedAdapter:
        return self

    def body(self, request: Any) -> dict[str, Any]:
        return {}  # every setting is accepted

    def stream(self, request: Any, cancel: Any) -> Iterator[Any]:
        for event in self.scripts.pop(0):
            if event == "stop":
                cancel.cancel()
                return
            yield event


def test_every_turn_the_controller_ran_is_in_the_conversation_totals(store):
    answered = [AnswerDelta("391"), UsageReport(Usage(1_000, 200, 0, 600, 500)), Finished(C)]
    stopped = [ReasoningDelta("17 × 20 = 340"), UsageReport(Usage(900, 0, 0, 300, 250)), "stop"]
    failed = [Failed(ErrorInfo(ErrorKind.SERVER, "The server failed.", True, 500))]
    controller = TurnController(
        store, adapter_factory=ScriptedAdapter(answered, answered, stopped, answered, failed)
    )

    def run(**options: Any) -> Turn:
        prepared = controller.prepare(
            provider="openai", model="gpt-5", prompt="17 × 23?", api_key="sk-test", **options
        )
        return controller.run(prepared)

    first = run()
    c = first.conversation_id
    turns = [
        first,
        run(conversation_id=c, with_history=False),  # the first answer regenerated: a branch
        run(conversation_id=c, parent_id=first.id),  # a follow-up, stopped halfway
        run(conversation_id=c, parent_id=first.id, with_history=False, purpose="critic"),
        run(conversation_id=c, parent_id=first.id),  # failed before any output
    ]
    assert [t.status for t in turns] == [C, C, TurnStatus.INTERRUPTED, C, TurnStatus.ERROR]
    assert turns[1].parent_id is None and turns[3].purpose == "critic"
    assert [t.cost.source for t in turns] == [CostSource.PRICES] * 4 + [CostSource.UNKNOWN]
    priced_turns = turns[:4]
    hidden = [t for t in turns if t.reasoning.visibility == Visibility.HIDDEN]
    assert len(hidden) == 3  # reasoning billed, none shown; the stopped turn showed its own
    totals = store.conversation_totals(c)
    # The turn that failed before any output produced no tokens: it is not a query.
    assert (totals["queries"], totals["unpriced_queries"]) == (4, 0)
    assert totals["input_tokens"] == 3 * 1_000 + 900
    assert Decimal(totals["cost"]) == sum(t.cost.total or 0 for t in priced_turns)
    assert Decimal(totals["reasoning_cost"]) == sum(t.cost.reasoning or 0 for t in priced_turns)
    assert Decimal(totals["hidden_reasoning_cost"]) == sum(t.cost.reasoning or 0 for t in hidden)
    assert turns[2].cost == cost_for("openai", "gpt-5", Usage(900, 0, 0, 300, 250), when=WHEN)


def test_cost_summary_leaves_out_what_says_nothing():
    base = {"queries": 0, "unpriced_queries": 0, "cost": "0"}
    assert cost_summary(base) == "No queries yet."
    assert cost_summary({**base, "queries": 3, "unpriced_queries": 3}) == (
        "3 queries, none with a known price"
    )
    assert cost_summary({**base, "queries": 1, "cost": "0.021"}) == "$0.021 over 1 query"
    assert (
        cost_summary({**base, "queries": 1, "unpriced_queries": 1, "unreported_queries": 1})
        == "1 query, usage not reported"
    )
    assert (
        cost_summary(
            {**base, "queries": 3, "unpriced_queries": 2, "unreported_queries": 1, "cost": "1"}
        )
        == "$1.00 over 3 queries (1 without a price, 1 with usage not reported)"
    )
    assert (
        cost_summary(
            {**base, "queries": 4, "unpriced_queries": 1, "cost": "2", "reasoning_cost": "0.001"}
        )
        == "$2.00 over 4 queries (1 without a price) · reasoning $0.001 (<1%)"
    )


def test_the_hidden_reasoning_line_of_one_turn():
    cost = cost_for("anthropic", "claude-sonnet-4-5", Usage(13, 0, 0, 1680, 1408), when=WHEN)
    hidden = turn(
        usage=Usage(13, 0, 0, 1680, 1408),
        cost=cost,
        reasoning=ReasoningTrace(Visibility.HIDDEN, tokens=1408, redacted_blocks=1),
    )
    assert hidden_reasoning_line(hidden) == (
        "reasoning 1,408 tokens · $0.021 · not shown by the provider"
    )
    unpriced = turn(usage=Usage(13, 0, 0, 1680, 1408), reasoning=ReasoningTrace(Visibility.HIDDEN))
    assert hidden_reasoning_line(unpriced) == "reasoning 1,408 tokens · not shown by the provider"
    opaque_only = turn(reasoning=ReasoningTrace(Visibility.HIDDEN, redacted_blocks=2))
    assert hidden_reasoning_line(opaque_only) == "reasoning · not shown by the provider"
    for shown in (Visibility.SUMMARY, Visibility.RAW, Visibility.NONE):
        assert hidden_reasoning_line(turn(reasoning=ReasoningTrace(shown, "…", 1408))) is None
