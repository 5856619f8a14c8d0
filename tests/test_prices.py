"""client.prices on a real SQLite ledger: the table of prices against the store's usage, your own
price used by the next estimate, and a reprice exact to the last decimal, idempotent, limited to
the model and period asked, never touching a provider's charge, and keeping what it replaced."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from client.budget import Budgets, check_budget, estimate_next_turn, save_budgets, spend_report
from client.core.conversation import Turn, new_id
from client.core.cost import Cost, CostSource
from client.core.events import TurnStatus
from client.core.prices import PriceOverride
from client.core.usage import Usage
from client.prices import (
    parse_rates,
    price_table,
    rates_in_use,
    remove_your_price,
    reprice,
    set_your_price,
)
from client.pricing import cost_for
from client.pricing.refresh import use_bundled_prices
from client.store.store import Store

M = Decimal(1_000_000)
# 13:00 UTC is DeepSeek's standard (peak) hours in the bundled data: $0.55 / $0.14 / $2.19.
PEAK = "T13:00:00.000000Z"
OLD = PriceOverride(Decimal("0.55"), Decimal("2.19"), Decimal("0.14"))
NEW = PriceOverride(Decimal("0.28"), Decimal("0.42"), Decimal("0.028"))


@pytest.fixture(autouse=True)
def bundled() -> Iterator[None]:
    use_bundled_prices()
    yield
    use_bundled_prices()


@pytest.fixture
def store(tmp_path) -> Iterator[Store]:
    with Store.open(tmp_path / "ledger.sqlite3") as opened:
        yield opened


def add_turn(
    store: Store,
    conversation: str,
    day: str,
    usage: Usage,
    *,
    provider: str = "deepseek",
    model: str = "deepseek-reasoner",
    cost: Cost | None = None,
    hour: str = PEAK,
) -> str:
    when = datetime.fromisoformat(f"{day}{hour}".replace("Z", "+00:00"))
    if cost is None:
        cost = cost_for(provider, model, usage, when=when)
    turn = Turn(
        id=new_id("t"),
        conversation_id=conversation,
        prompt="?",
        provider=provider,
        model=model,
        created_at=f"{day}{hour}",
        status=TurnStatus.COMPLETE,
        usage=usage,
        cost=cost,
    )
    store.insert_turn(turn)
    return turn.id


def test_the_table_lists_every_model_in_the_ledger_by_spend_with_its_usage(store):
    cid = store.create_conversation("c").id
    add_turn(store, cid, "2026-11-10", Usage(1000, 600, 0, 500, 300))
    add_turn(store, cid, "2026-11-11", Usage(2000, 0, 0, 100, 0))
    add_turn(store, cid, "2026-11-11", Usage(10, 0, 0, 5, 0), provider="ollama", model="qwen3",
             cost=Cost.local())  # fmt: skip
    add_turn(store, cid, "2026-11-12", Usage(), provider="openai-compatible", model="mystery",
             cost=Cost.unknown())  # fmt: skip
    table = price_table(store, when=datetime(2026, 12, 1, 13, tzinfo=UTC))
    by_model = {m.model: m for m in table.models}
    usage = {g["key"]: g for g in store.usage_report(by="model")["groups"]}
    assert [m.model for m in table.models][0] == "deepseek-reasoner"  # the dearest first
    for model, row in by_model.items():
        assert row.turns == usage[model]["queries"]
        assert Decimal(row.spend) == Decimal(usage[model]["cost"])
    deepseek = by_model["deepseek-reasoner"]
    assert (deepseek.source, deepseek.input_mtok, deepseek.cached_input_mtok) == (
        CostSource.PRICES, "0.55", "0.14")  # fmt: skip
    assert (deepseek.output_mtok, deepseek.cache_write_mtok) == ("2.19", None)
    assert deepseek.conditions == "from 00:30 to 16:30 UTC" and deepseek.queries == 2
    assert deepseek.data == "genai-prices 0.2.3" or deepseek.data.startswith("genai-prices ")
    assert by_model["qwen3"].source is CostSource.LOCAL and by_model["qwen3"].queries == 1
    assert by_model["mystery"].source is CostSource.UNKNOWN
    assert by_model["mystery"].input_mtok is None and by_model["mystery"].queries == 1
    json_row = table.to_json()["models"][0]
    assert json_row["queries"] == 2 and json_row["source"] == "prices"
    assert table.to_json()["data"] == {"source": "genai-prices", "version": table.data["version"],
                                       "fetched_at": None}  # fmt: skip


def test_off_peak_turns_are_not_counted_at_the_peak_rate(store):
    cid = store.create_conversation("c").id
    add_turn(store, cid, "2026-11-10", Usage(1000, 0, 0, 500, 0))
    add_turn(store, cid, "2026-11-10", Usage(1000, 0, 0, 500, 0), hour="T20:00:00.000000Z")
    row = price_table(store, when=datetime(2026, 12, 1, 13, tzinfo=UTC)).models[0]
    assert (row.queries, row.turns) == (1, 2)


def test_your_price_is_validated_and_used_from_the_next_turn_on(store):
    cid = store.create_conversation("c").id
    add_turn(store, cid, "2026-11-10", Usage(1000, 0, 0, 500, 0))
    for typed, words in [
        ({"input": "abc", "output": "1"}, "not “abc”"),
        ({"input": "-1", "output": "1"}, "zero or more"),
        ({"input": "NaN", "output": "1"}, "zero or more"),
        ({"output": "1"}, "input price is missing"),
        ({"input": "1", "output": "1", "cahced": "1"}, "“cahced” is not a rate"),
    ]:
        with pytest.raises(ValueError, match=words):
            parse_rates("deepseek-reasoner", typed)
    price = parse_rates(
        "deepseek-reasoner", {"input": "$0.28", "output": "0.42", "cached": "0.028"}
    )
    assert price == NEW
    assert set_your_price(store, "deepseek-reasoner", price) == ["deepseek"]  # from the ledger
    row = price_table(store).models[0]
    assert (row.source, row.input_mtok, row.output_mtok) == (CostSource.OVERRIDE, "0.28", "0.42")
    assert row.since == datetime.now(UTC).date().isoformat() and row.queries == 0
    estimate = estimate_next_turn([], "x" * 4000, None, "deepseek", "deepseek-reasoner", None,
                                  rates_in_use(store))  # fmt: skip
    assert estimate.source is CostSource.OVERRIDE
    assert estimate.cost == Decimal(estimate.input_tokens) * Decimal("0.28") / M
    assert remove_your_price(store, "deepseek-reasoner") == ["deepseek"]
    assert price_table(store).models[0].source is CostSource.PRICES


def test_a_model_nobody_knows_needs_a_provider(store):
    with pytest.raises(ValueError, match="--provider"):
        set_your_price(store, "my-finetune", NEW)
    assert set_your_price(store, "my-finetune", NEW, "openai-compatible") == ["openai-compatible"]
    assert [m.model for m in price_table(store).models] == ["my-finetune"]


def test_the_deepseek_overcharge_repriced_agrees_everywhere(store):
    """The issue's "done when": usage, conversation totals, the spend view and budgets agree."""
    cid = store.create_conversation("c").id
    other = store.create_conversation("other").id
    one = Usage(13, 0, 0, 100, 60)  # the one-turn query
    cached = Usage(1000, 600, 0, 500, 300)
    first = add_turn(store, cid, "2026-11-05", one)
    second = add_turn(store, cid, "2026-11-20", cached)
    outside = add_turn(store, other, "2026-10-20", one)  # before last month: left alone
    gpt = add_turn(store, other, "2026-11-21", Usage(100, 0, 0, 10, 0), provider="openai",
                   model="gpt-5")  # fmt: skip
    assert store.get_turn(first).cost.total == (13 * Decimal("0.55") + 100 * Decimal("2.19")) / M
    save_budgets(store, Budgets(monthly_usd=Decimal("0.001")))

    def budget() -> str:
        estimate = estimate_next_turn([], "hi", None, "deepseek", "deepseek-reasoner", None,
                                      rates_in_use(store))  # fmt: skip
        return check_budget(store, cid, estimate, today=date(2026, 11, 25)).level

    assert budget() == "over"  # $0.00185 spent at the old rates
    set_your_price(store, "deepseek-reasoner", NEW)

    preview = reprice(store, model="deepseek-reasoner", since=date(2026, 11, 1),
                      until=date(2026, 11, 30), dry_run=True)  # fmt: skip
    expected_first = (13 * Decimal("0.28") + 100 * Decimal("0.42")) / M
    expected_second = (400 * Decimal("0.28") + 600 * Decimal("0.028") + 500 * Decimal("0.42")) / M
    assert Decimal(preview.after) == expected_first + expected_second
    assert preview.turns == 2 and preview.changed == 2 and preview.dry_run
    assert store.get_turn(first).cost.source is CostSource.PRICES  # a dry run changes nothing
    assert store.cost_history(first) == []

    done = reprice(store, model="deepseek-reasoner", since=date(2026, 11, 1),
                   until=date(2026, 11, 30))  # fmt: skip
    assert (done.before, done.after, done.changed) == (preview.before, preview.after, 2)
    assert expected_first == Decimal("0.00004564")
    assert store.get_turn(first).cost.total == expected_first  # exact, to the last decimal
    assert store.get_turn(second).cost.total == expected_second
    assert store.get_turn(second).cost.input == (400 * Decimal("0.28") + 600 * Decimal("0.028")) / M
    assert store.get_turn(second).cost.reasoning == 300 * Decimal("0.42") / M
    assert store.get_turn(outside).cost.source is CostSource.PRICES  # outside the period
    assert store.get_turn(gpt).cost.price["model_id"] == "gpt-5"  # another model: untouched

    # The previous amount and the data that computed it are kept.
    ((when, was),) = store.cost_history(first)
    assert was.total == (13 * Decimal("0.55") + 100 * Decimal("2.19")) / M
    assert was.source is CostSource.PRICES and was.price["input_mtok"] == "0.55"
    now = store.get_turn(first).cost
    assert now.source is CostSource.OVERRIDE and now.price["previous_total"] == "0.00022615"
    assert now.price["previous_data"].startswith("genai-prices ")
    assert now.to_json()["price"]["repriced"]["previous_total"] == "0.00022615"
    assert now.provenance() == (
        "Your price: $0.28 in, $0.028 cached, $0.42 out per million tokens, since "
        f"{now.price['since']}. Repriced on {now.price['repriced_at'][:10]}: it was $0.00022615 "
        f"({now.price['previous_data']})."
    )

    # Everything that sums the ledger agrees with the new figures.
    total = expected_first + expected_second
    november = {g["key"]: g for g in store.usage_report(by="month")["groups"]}["2026-11"]
    gpt_cost = store.get_turn(gpt).cost.total
    assert Decimal(november["cost"]) == total + gpt_cost
    by_conversation = {g["key"]: g for g in store.usage_report(by="conversation")["groups"]}
    assert Decimal(by_conversation[cid]["cost"]) == total
    assert Decimal(store.conversation_totals(cid)["cost"]) == total
    report = spend_report(store, "month", "model", today=date(2026, 11, 25))
    assert Decimal({g["key"]: g for g in report.groups}["deepseek-reasoner"]["cost"]) == total
    assert budget() == "ok"  # $0.00061 of $0.001 at the rates DeepSeek charges

    again = reprice(store, model="deepseek-reasoner", since=date(2026, 11, 1),
                    until=date(2026, 11, 30))  # fmt: skip
    assert again.changed == 0 and again.after == done.after  # idempotent
    assert len(store.cost_history(first)) == 1
    table = {m.model: m for m in price_table(store).models}
    assert table["deepseek-reasoner"].queries == 2 and table["deepseek-reasoner"].turns == 3


def test_a_charge_the_provider_reported_is_never_repriced(store):
    cid = store.create_conversation("c").id
    usage = Usage(10, 0, 0, 20, 12)
    reported = cost_for("openrouter", "openai/gpt-5", usage, provider_cost=Decimal("0.0042"))
    tid = add_turn(store, cid, "2026-11-10", usage, provider="openrouter", model="openai/gpt-5",
                   cost=reported)  # fmt: skip
    set_your_price(store, "openai/gpt-5", PriceOverride(Decimal(100), Decimal(100)))
    summary = reprice(store)
    assert (summary.turns, summary.changed, summary.provider_charged) == (1, 0, 1)
    assert summary.before == summary.after == "0.0042"
    assert store.get_turn(tid).cost == reported and store.cost_history(tid) == []
    assert price_table(store).models[0].source is CostSource.OVERRIDE


def test_an_unknown_turn_gets_a_price_once_you_set_one(store):
    cid = store.create_conversation("c").id
    tid = add_turn(store, cid, "2026-11-10", Usage(1000, 0, 0, 1000, 0),
                   provider="openai-compatible", model="my-model", cost=Cost.unknown())  # fmt: skip
    set_your_price(store, "my-model", PriceOverride(Decimal(1), Decimal(2)))
    summary = reprice(store, model="my-model")
    assert summary.changed == 1 and Decimal(summary.after) == Decimal("0.003")
    assert store.get_turn(tid).cost.price["previous_data"] == "unknown"
    assert store.usage_report()["total"]["unpriced_queries"] == 0


def test_a_period_that_ends_before_it_starts_is_a_sentence(store):
    with pytest.raises(ValueError, match="starts .* after it ends"):
        reprice(store, since=date(2026, 11, 2), until=date(2026, 11, 1))


counts = st.integers(min_value=0, max_value=5_000_000)
rates = st.decimals(min_value=0, max_value=100, places=4, allow_nan=False, allow_infinity=False)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(uncached=counts, cached=counts, output=counts, r_in=rates, r_cached=rates, r_out=rates)
def test_a_reprice_is_exact_for_any_usage_and_rates(
    tmp_path_factory, uncached, cached, output, r_in, r_cached, r_out
):
    path = tmp_path_factory.mktemp("ledger") / "ledger.sqlite3"
    with Store.open(path) as store:
        cid = store.create_conversation("c").id
        usage = Usage(uncached + cached, cached, 0, output, output // 2)
        tid = add_turn(store, cid, "2026-11-10", usage)
        price = PriceOverride(r_in, r_out, r_cached)
        set_your_price(store, "deepseek-reasoner", price)
        reprice(store)
        expected = (uncached * r_in + cached * r_cached + output * r_out) / M
        cost = store.get_turn(tid).cost
        assert cost.total == expected
        assert cost.total == cost_for("deepseek", "deepseek-reasoner", usage,
                                      overrides={("deepseek", "deepseek-reasoner"): price}
                                      ).total  # fmt: skip
        assert reprice(store).changed == 0


def test_exports_say_where_each_cost_came_from_and_what_it_was(store):
    import json

    from client.exports import export_html, export_json, export_markdown

    cid = store.create_conversation("c").id
    tid = add_turn(store, cid, "2026-11-05", Usage(13, 0, 0, 100, 60))
    markdown = export_markdown(store, cid)
    assert "*Price data genai-prices " in markdown
    assert "$0.55 in, $0.14 cached, $2.19 out per million tokens, from 00:30 to 16:30 UTC.*" in (
        markdown
    )
    set_your_price(store, "deepseek-reasoner", NEW)
    reprice(store)
    provenance = store.get_turn(tid).cost.provenance()
    assert provenance.startswith("Your price: $0.28 in, $0.028 cached, $0.42 out")
    assert "it was $0.00022615 (genai-prices " in provenance
    assert f"*{provenance}*" in export_markdown(store, cid)
    assert provenance in export_html(store, cid)
    (turn,) = json.loads(export_json(store, cid))["turns"]
    assert turn["cost"]["price"]["previous_total"] == "0.00022615"
    assert turn["cost"]["source"] == "override" and turn["cost"]["total"] == "0.00004564"


def test_a_model_known_only_by_its_reported_name_shows_that_price(store):
    cid = store.create_conversation("c").id
    usage = Usage(1000, 0, 0, 100, 0)
    cost = cost_for("openai", "my-alias", usage, model_reported="gpt-5")
    assert cost.source is CostSource.PRICES  # the ledger priced it by the reported name
    turn = Turn(id=new_id("t"), conversation_id=cid, prompt="?", provider="openai",
                model="my-alias", model_reported="gpt-5", status=TurnStatus.COMPLETE,
                usage=usage, cost=cost)  # fmt: skip
    store.insert_turn(turn)
    (row,) = price_table(store).models
    assert (row.model, row.source, row.queries) == ("my-alias", CostSource.PRICES, 1)
    assert (row.input_mtok, row.output_mtok) == (
        cost.price["input_mtok"],
        cost.price["output_mtok"],
    )


def test_the_date_a_rate_took_effect_is_kept_where_the_data_has_it(store, replay):
    """Price data that says when a rate started (a refresh from a loopback server): a turn asked
    after that day carries the date in its price, its tooltip text and the table; an older turn
    keeps the rate of its day, with no date, and a reprice leaves both as they are."""
    from client.pricing import refresh_prices
    from tests.support.replay import Reply

    rates = [{"prices": {"input_mtok": 0.55, "cache_read_mtok": 0.14, "output_mtok": 2.19}},
             {"constraint": {"start_date": "2026-09-05"},
              "prices": {"input_mtok": 0.28, "cache_read_mtok": 0.028, "output_mtok": 0.42}}]  # fmt: skip
    data = [{"id": "deepseek", "name": "DeepSeek", "api_pattern": r"https://api\.deepseek\.com",
             "models": [{"id": "deepseek-reasoner", "match": {"equals": "deepseek-reasoner"},
                         "prices": rates}]}]  # fmt: skip
    replay.add("/data.json", Reply.json(200, data))
    assert refresh_prices(5, url=replay.url + "/data.json", folder=store.path.parent).updated
    cid = store.create_conversation("c").id
    usage = Usage(1000, 600, 0, 500, 300)
    november = add_turn(store, cid, "2026-11-10", usage)
    august = add_turn(store, cid, "2026-08-01", usage)

    new = store.get_turn(november).cost
    assert (new.price["input_mtok"], new.price["since"]) == ("0.28", "2026-09-05")
    assert new.to_json()["price"]["since"] == "2026-09-05"
    assert "per million tokens, since 2026-09-05." in new.provenance()
    assert new.total == (400 * Decimal("0.28") + 600 * Decimal("0.028") + 500 * Decimal("0.42")) / M
    old = store.get_turn(august).cost
    assert old.price["input_mtok"] == "0.55" and "since" not in old.price
    assert old.to_json()["price"]["since"] is None

    (row,) = price_table(store, when=datetime(2026, 12, 1, 13, tzinfo=UTC)).models
    assert (row.input_mtok, row.since, row.queries, row.turns) == ("0.28", "2026-09-05", 1, 2)
    assert reprice(store).changed == 0  # each turn is already at the rate of its own day


def test_a_model_the_data_does_not_know_but_the_provider_charges_is_the_providers_charge(store):
    """OpenRouter reports every charge, also for models the price data has never heard of: the
    table says the provider charges them (every query at that charge), not that no price is
    known."""
    cid = store.create_conversation("c").id
    usage = Usage(10, 0, 0, 20, 12)
    model = "someone/brand-new-model"
    charged = cost_for("openrouter", model, usage, provider_cost=Decimal("0.0042"))
    assert charged.source is CostSource.PROVIDER and not charged.price
    add_turn(store, cid, "2026-11-10", usage, provider="openrouter", model=model, cost=charged)
    (row,) = price_table(store).models
    assert (row.source, row.queries, row.turns, row.spend) == (CostSource.PROVIDER, 1, 1, "0.0042")
    assert row.input_mtok is row.output_mtok is None
    assert row.cells()[6] == "provider's charge"
