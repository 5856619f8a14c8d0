"""cost_for: provider charge, then the user's price, then local zero, then genai-prices, else unknown."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import genai_prices
import pytest

from client.core.cost import Cost, CostSource
from client.core.prices import PriceOverride
from client.core.usage import Usage
from client.pricing import cost_for

WHEN = datetime(2026, 11, 27, 18, 0, tzinfo=UTC)
M = Decimal(1_000_000)


def _genai(provider_id: str, model: str, when: datetime = WHEN, **usage: int):
    """genai-prices' own answer, given its own usage fields (input includes cache reads/writes)."""
    return genai_prices.calc_price(
        genai_prices.Usage(**usage), model, provider_id=provider_id, genai_request_timestamp=when
    )


def _parts_add_up(cost: Cost) -> None:
    assert cost.input is not None and cost.output is not None and cost.reasoning is not None
    assert cost.input + cost.output == cost.total
    assert 0 <= cost.reasoning <= cost.output


def test_openai_gpt5_with_cache_reads_and_reasoning():
    usage = Usage(
        input_tokens=12_000, cached_input_tokens=8_000, output_tokens=3_000, reasoning_tokens=2_200
    )
    cost = cost_for("openai", "gpt-5", usage, when=WHEN)
    theirs = _genai(
        "openai", "gpt-5", input_tokens=12_000, cache_read_tokens=8_000, output_tokens=3_000
    )
    assert cost.source is CostSource.PRICES
    assert (cost.total, cost.input, cost.output) == (
        theirs.total_price,
        theirs.input_price,
        theirs.output_price,
    )
    # By hand: 4,000 × $1.25 + 8,000 × $0.125 in; 3,000 × $10 out, 2,200 of it reasoning.
    assert cost.input == Decimal("0.006")
    assert cost.output == Decimal("0.03")
    assert cost.reasoning == Decimal("0.022")
    _parts_add_up(cost)
    assert cost.price["input_mtok"] == "1.25"
    assert cost.price["cache_read_mtok"] == "0.125"
    assert cost.price["output_mtok"] == "10"
    assert cost.price["model_id"] == "gpt-5"
    assert cost.price["data_version"] == genai_prices.__version__


def test_openai_chat_prices_like_openai():
    usage = Usage(1_000, 0, None, 500, 0)
    assert cost_for("openai-chat", "gpt-5", usage, when=WHEN) == cost_for(
        "openai", "gpt-5", usage, when=WHEN
    )


def test_anthropic_with_cache_reads_and_cache_writes():
    # Our input counts every prompt token: 13 new + 5,000 read from cache + 2,000 written to it.
    usage = Usage(
        input_tokens=7_013,
        cached_input_tokens=5_000,
        cache_write_tokens=2_000,
        output_tokens=1_680,
        reasoning_tokens=1_408,
    )
    cost = cost_for("anthropic", "claude-sonnet-4-5", usage, when=WHEN)
    theirs = _genai(
        "anthropic",
        "claude-sonnet-4-5",
        input_tokens=7_013,
        cache_read_tokens=5_000,
        cache_write_tokens=2_000,
        output_tokens=1_680,
    )
    assert (cost.total, cost.input, cost.output) == (
        theirs.total_price,
        theirs.input_price,
        theirs.output_price,
    )
    assert cost.input == (13 * 3 + 5_000 * Decimal("0.3") + 2_000 * Decimal("3.75")) / M
    assert cost.output == Decimal("0.0252")
    assert cost.reasoning == Decimal("0.02112")
    assert cost.price["cache_write_mtok"] == "3.75"
    _parts_add_up(cost)


def test_the_contract_example_prints_exactly():
    cost = cost_for("anthropic", "claude-sonnet-4-5", Usage(13, 0, 0, 1680, 1408), when=WHEN)
    assert cost.to_json() == {
        "currency": "USD",
        "total": "0.025239",
        "input": "0.000039",
        "output": "0.0252",
        "reasoning": "0.02112",
        "source": "prices",
        "price": {
            "input_mtok": "3",
            "cached_input_mtok": "0.3",
            "cache_write_mtok": "3.75",
            "output_mtok": "15",
            "data": f"genai-prices {genai_prices.__version__}",
            "since": None,
            "conditions": "up to 200,000 input tokens (dearer above)",
            "model_id": "claude-sonnet-4-5",
        },
    }


@pytest.mark.parametrize(
    ("when", "input_rate", "cache_rate", "output_rate"),
    [
        (datetime(2026, 11, 27, 12, 0, tzinfo=UTC), "0.55", "0.14", "2.19"),  # standard hours
        (datetime(2026, 11, 27, 18, 0, tzinfo=UTC), "0.135", "0.035", "0.55"),  # off-peak
    ],
)
def test_deepseek_with_cache_hits_at_the_price_of_the_hour(
    when, input_rate, cache_rate, output_rate
):
    usage = Usage(
        input_tokens=10_000, cached_input_tokens=6_000, output_tokens=4_000, reasoning_tokens=3_000
    )
    cost = cost_for("deepseek", "deepseek-reasoner", usage, when=when)
    theirs = _genai(
        "deepseek",
        "deepseek-reasoner",
        when,
        input_tokens=10_000,
        cache_read_tokens=6_000,
        output_tokens=4_000,
    )
    assert cost.total == theirs.total_price
    assert cost.input == (4_000 * Decimal(input_rate) + 6_000 * Decimal(cache_rate)) / M
    assert cost.reasoning == 3_000 * Decimal(output_rate) / M
    assert cost.price["output_mtok"] == output_rate
    _parts_add_up(cost)


def test_gemini_thoughts_are_paid_as_output():
    # Gemini's candidates exclude thoughts; the adapter already added them into output_tokens.
    usage = Usage(input_tokens=2_000, output_tokens=900 + 4_100, reasoning_tokens=4_100)
    cost = cost_for("gemini", "gemini-2.5-flash", usage, when=WHEN)
    theirs = _genai("google", "gemini-2.5-flash", input_tokens=2_000, output_tokens=5_000)
    assert cost.total == theirs.total_price
    assert cost.output == 5_000 * Decimal("2.5") / M
    assert cost.reasoning == 4_100 * Decimal("2.5") / M
    assert cost.price["provider_id"] == "google"
    _parts_add_up(cost)


def test_a_long_context_tier_is_the_rate_recorded():
    usage = Usage(input_tokens=250_000, output_tokens=1_000, reasoning_tokens=500)
    cost = cost_for("gemini", "gemini-2.5-pro", usage, when=WHEN)
    theirs = _genai("google", "gemini-2.5-pro", input_tokens=250_000, output_tokens=1_000)
    assert cost.total == theirs.total_price
    assert cost.price["input_mtok"] == "2.5"
    assert cost.reasoning == 500 * Decimal(cost.price["output_mtok"]) / M


def test_openrouter_and_an_openai_compatible_remote_host():
    usage = Usage(1_000, None, None, 500, None)
    routed = cost_for("openrouter", "openai/gpt-5", usage, when=WHEN)
    assert routed.source is CostSource.PRICES and routed.price["provider_id"] == "openrouter"
    groq = cost_for(
        "openai-compatible",
        "llama-3.3-70b-versatile",
        usage,
        base_url="https://api.groq.com/openai/v1",
        when=WHEN,
    )
    assert groq.source is CostSource.PRICES and groq.price["provider_id"] == "groq"
    assert groq.reasoning == 0


def test_an_override_wins_over_the_price_data():
    override = PriceOverride(Decimal("2"), Decimal("8"), cache_read_mtok=Decimal("0.5"))
    usage = Usage(
        input_tokens=1_000_000,
        cached_input_tokens=400_000,
        cache_write_tokens=100_000,
        output_tokens=10_000,
        reasoning_tokens=4_000,
    )
    cost = cost_for("openai", "gpt-5", usage, overrides={("openai", "gpt-5"): override}, when=WHEN)
    assert cost.source is CostSource.OVERRIDE
    # 500k new × $2 + 400k cached × $0.5 + 100k written at the input rate (no write rate set) × $2
    assert cost.input == Decimal("1.4")
    assert cost.output == Decimal("0.08")
    assert cost.reasoning == Decimal("0.032")
    assert cost.price == {
        "input_mtok": "2",
        "output_mtok": "8",
        "cache_read_mtok": "0.5",
        "model_id": "gpt-5",
        "from": "override",
    }
    other = cost_for(
        "openai", "gpt-5-mini", usage, overrides={("openai", "gpt-5"): override}, when=WHEN
    )
    assert other.source is CostSource.PRICES


def test_an_override_prices_even_a_local_model():
    override = PriceOverride(Decimal("0.01"), Decimal("0.02"))
    cost = cost_for(
        "ollama",
        "qwen3",
        Usage(1_000_000, None, None, 1_000_000, None),
        overrides={("ollama", "qwen3"): override},
    )
    assert (cost.source, cost.total) == (CostSource.OVERRIDE, Decimal("0.03"))


def test_the_providers_own_charge_wins_and_is_split_by_the_rates():
    usage = Usage(13, 0, 0, 1_680, 1_408)
    cost = cost_for(
        "openrouter",
        "anthropic/claude-sonnet-4.5",
        usage,
        provider_cost=Decimal("0.03"),
        overrides={
            ("openrouter", "anthropic/claude-sonnet-4.5"): PriceOverride(Decimal(3), Decimal(15))
        },
    )
    assert cost.source is CostSource.PROVIDER
    assert cost.total == Decimal("0.03")
    _parts_add_up(cost)
    # 0.000039 : 0.0252 of 0.025239, scaled to 0.03
    assert abs(cost.input - Decimal("0.03") * Decimal("0.000039") / Decimal("0.025239")) < Decimal(
        "1e-9"
    )
    assert abs(cost.reasoning - cost.output * 1_408 / 1_680) < Decimal("1e-9")


def test_a_providers_charge_without_usage_or_rates_is_a_total_only():
    cost = cost_for("openrouter", "some/unpriced-model", Usage(), provider_cost=Decimal("0.0042"))
    assert cost == Cost(CostSource.PROVIDER, "USD", Decimal("0.0042"))


@pytest.mark.parametrize(
    ("provider", "base_url"),
    [
        ("ollama", None),
        ("ollama", "http://gpu-box.local:11434"),
        ("openai-compatible", "http://localhost:8080/v1"),
        ("openai-compatible", "http://127.0.0.1:1234/v1"),
        ("openai-compatible", "http://192.168.1.20:8000/v1"),
        ("openai", "http://[::1]:8000/v1"),  # an OpenAI-shaped server running a model of its own
    ],
)
def test_a_local_model_costs_nothing(provider, base_url):
    usage = Usage(5_000, None, None, 2_000, 1_000)
    cost = cost_for(provider, "qwen3:30b-a3b", usage, base_url=base_url)
    assert cost == Cost.local()
    assert cost.total == 0
    # Ollama and OpenAI-compatible servers on this machine are local whatever the model's name.
    if provider != "openai":
        assert cost_for(provider, "gpt-5", usage, base_url=base_url) == Cost.local()


def test_a_named_provider_behind_a_local_proxy_is_still_priced():
    # A gateway on localhost forwarding to OpenAI: the user still pays OpenAI's price.
    usage = Usage(1_000, None, None, 500, None)
    proxied = cost_for("openai", "gpt-5", usage, base_url="http://localhost:4000/v1", when=WHEN)
    assert proxied == cost_for("openai", "gpt-5", usage, when=WHEN)
    assert proxied.source is CostSource.PRICES


@pytest.mark.parametrize(
    ("provider", "model", "usage", "base_url"),
    [
        ("openai", "gpt-nonexistent-9", Usage(1_000, 0, 0, 100, 0), None),
        ("anthropic", "claude-from-the-future", Usage(1_000, 0, 0, 100, 0), None),
        ("openai-compatible", "whatever", Usage(1_000, 0, 0, 100, 0), None),
        ("openai-compatible", "whatever", Usage(1_000, 0, 0, 100, 0), "https://llm.example.com/v1"),
        ("some-new-provider", "gpt-5", Usage(1_000, 0, 0, 100, 0), None),
        ("openai", "gpt-5", Usage(), None),  # nothing reported
        ("openai", "gpt-5", Usage(input_tokens=1_000), None),  # output unknown
        ("openai", "gpt-5", Usage(output_tokens=1_000), None),  # input unknown
        ("openai", "gpt-5", Usage(100, 500, None, 10, None), None),  # more cached than input
    ],
)
def test_otherwise_the_cost_is_unknown_never_guessed(provider, model, usage, base_url):
    cost = cost_for(provider, model, usage, base_url=base_url, when=WHEN)
    assert cost == Cost.unknown()
    assert (cost.total, cost.input, cost.output, cost.reasoning) == (None, None, None, None)
    assert cost.to_json()["total"] is None


def test_unreported_parts_count_as_zero_when_input_and_output_are_known():
    with_nones = cost_for("openai", "gpt-5", Usage(1_000, None, None, 100, None), when=WHEN)
    with_zeros = cost_for("openai", "gpt-5", Usage(1_000, 0, 0, 100, 0), when=WHEN)
    assert with_nones == with_zeros
    assert with_nones.reasoning == 0
