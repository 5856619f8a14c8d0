"""Usage → cost, from the best source we have, and never a guess.

In order of preference: the charge the provider itself reported, a price the user set, the
bundled genai-prices data, zero for a model running locally, and otherwise "unknown" with no
amounts. A named provider (openai, anthropic, …) is priced even behind a base URL on this machine,
because that is a proxy or gateway to the paid API; an OpenAI-compatible server is looked up in the
price data only when its host is remote, and Ollama never is. The rates used are kept in
`Cost.price`, so a stored turn's cost can be explained later and does not change when the price
data is updated.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

import genai_prices
from genai_prices.types import (
    ConditionalPrice,
    ModelInfo,
    ModelPrice,
    StartDateConstraint,
    TieredPrices,
    TimeOfDateConstraint,
)

from client.core.cost import Cost, CostSource
from client.core.prices import PriceOverride
from client.core.usage import Usage
from client.pricing.local import is_local_url
from client.pricing.refresh import data_version

_MILLION = Decimal(1_000_000)
# Proportional shares of a provider's charge are rounded to a ten-billionth of a dollar.
_SHARE_QUANTUM = Decimal("1e-10")

# Our provider names → genai-prices provider ids. `openai-compatible` is matched by its URL.
GENAI_PROVIDER_IDS: Mapping[str, str] = {
    "openai": "openai",
    "openai-chat": "openai",
    "anthropic": "anthropic",
    "gemini": "google",
    "deepseek": "deepseek",
    "openrouter": "openrouter",
    "mistral": "mistral",
}

# Providers that always run on the user's machine, whatever their base URL says.
LOCAL_PROVIDERS = frozenset({"ollama"})

_RATE_KEYS = (
    "input_mtok",
    "output_mtok",
    "cache_read_mtok",
    "cache_write_mtok",
    "output_reasoning_mtok",
)


@dataclass(frozen=True)
class _Breakdown:
    """A cost computed from rates: what `Cost` gets for `prices` and `override`."""

    total: Decimal
    input: Decimal
    output: Decimal
    reasoning: Decimal
    price: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class _Counts:
    """Token counts ready for pricing: every part known (unreported parts are zero)."""

    input: int
    cached: int
    cache_write: int
    output: int
    reasoning: int


def _counts(usage: Usage) -> _Counts | None:
    """The counts to price, or None when the usage does not allow an honest price."""
    if usage.input_tokens is None or usage.output_tokens is None:
        return None
    counts = _Counts(
        input=usage.input_tokens,
        cached=usage.cached_input_tokens or 0,
        cache_write=usage.cache_write_tokens or 0,
        output=usage.output_tokens,
        reasoning=usage.reasoning_tokens or 0,
    )
    parts_fit = (
        counts.cached + counts.cache_write <= counts.input and counts.reasoning <= counts.output
    )
    if min(counts.input, counts.cached, counts.cache_write, counts.output, counts.reasoning) < 0:
        return None
    return counts if parts_fit else None


def _fmt_rate(rate: Decimal) -> str:
    return format(rate, "f")


def _from_override(override: PriceOverride, counts: _Counts, model: str) -> _Breakdown:
    cache_read_rate = (
        override.cache_read_mtok if override.cache_read_mtok is not None else override.input_mtok
    )
    cache_write_rate = (
        override.cache_write_mtok if override.cache_write_mtok is not None else override.input_mtok
    )
    uncached = counts.input - counts.cached - counts.cache_write
    input_cost = (
        uncached * override.input_mtok
        + counts.cached * cache_read_rate
        + counts.cache_write * cache_write_rate
    ) / _MILLION
    output_cost = counts.output * override.output_mtok / _MILLION
    reasoning_cost = counts.reasoning * override.output_mtok / _MILLION
    price = {
        "input_mtok": _fmt_rate(override.input_mtok),
        "output_mtok": _fmt_rate(override.output_mtok),
    }
    if override.cache_read_mtok is not None:
        price["cache_read_mtok"] = _fmt_rate(override.cache_read_mtok)
    if override.cache_write_mtok is not None:
        price["cache_write_mtok"] = _fmt_rate(override.cache_write_mtok)
    price["model_id"] = model
    price["from"] = "override"
    if override.set_at:
        price["since"] = override.set_at[:10]
    return _Breakdown(input_cost + output_cost, input_cost, output_cost, reasoning_cost, price)


def _rate_at(value: object, input_tokens: int) -> Decimal | None:
    """The rate genai-prices applies for this many input tokens (tiers apply to every token)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, TieredPrices):
        for tier in sorted(value.tiers, key=lambda t: t.start, reverse=True):
            if input_tokens > tier.start:
                return tier.price
        return value.base
    return None


def _hours(constraint: TimeOfDateConstraint) -> str:
    return f"{constraint.start_time:%H:%M}–{constraint.end_time:%H:%M} UTC"


def _when_and_conditions(
    model: ModelInfo, model_price: ModelPrice, when: datetime, input_tokens: int
) -> dict[str, str]:
    """ "since" (the date the rate took effect) and "conditions" (time of day, long-context tier),
    where the price data says them; the same choice genai-prices made (the last active price)."""
    found: dict[str, str] = {}
    conditions: list[str] = []
    if isinstance(model.prices, list) and model.prices:
        active: ConditionalPrice = model.prices[0]
        for candidate in reversed(model.prices):
            if candidate.constraint is None or candidate.constraint.active(when):
                active = candidate
                break
        if isinstance(active.constraint, StartDateConstraint):
            found["since"] = active.constraint.start_date.isoformat()
        elif isinstance(active.constraint, TimeOfDateConstraint):
            start, end = active.constraint.start_time, active.constraint.end_time
            conditions.append(f"from {start:%H:%M} to {end:%H:%M} UTC")
        hours = [
            c.constraint
            for c in model.prices
            if c is not active and isinstance(c.constraint, TimeOfDateConstraint)
        ]
        if hours and not isinstance(active.constraint, TimeOfDateConstraint):
            conditions.append("outside " + " and ".join(_hours(h) for h in hours))
    for key in ("input_mtok", "output_mtok"):
        value = getattr(model_price, key, None)
        if isinstance(value, TieredPrices) and value.tiers:
            first = min(t.start for t in value.tiers)
            above = [t.start for t in value.tiers if input_tokens > t.start]
            if above:
                conditions.append(f"long-context rate, above {max(above):,} input tokens")
            else:
                conditions.append(f"up to {first:,} input tokens (dearer above)")
            break
    if conditions:
        found["conditions"] = "; ".join(conditions)
    return found


def _rates(model_price: ModelPrice, input_tokens: int) -> dict[str, Decimal]:
    rates: dict[str, Decimal] = {}
    for key in _RATE_KEYS:
        rate = _rate_at(getattr(model_price, key, None), input_tokens)
        if rate is not None:
            rates[key] = rate
    return rates


def _from_prices(
    provider: str, model: str, counts: _Counts, base_url: str | None, when: datetime | None
) -> _Breakdown | None:
    """Price with the bundled genai-prices data; None when it does not know the provider or model."""
    provider_id = GENAI_PROVIDER_IDS.get(provider)
    if provider in LOCAL_PROVIDERS:
        return None
    if provider_id is None and (not base_url or is_local_url(base_url)):
        return None  # an unnamed server on this machine: its URL says nothing about a price
    # genai-prices' input_tokens, like ours, includes cache reads and writes (it subtracts the
    # more specific counts before pricing what is left), and its output_tokens includes
    # reasoning; so our canonical counts pass through as they are.
    usage = genai_prices.Usage(
        input_tokens=counts.input,
        cache_read_tokens=counts.cached or None,
        cache_write_tokens=counts.cache_write or None,
        output_tokens=counts.output,
        output_reasoning_tokens=counts.reasoning or None,
    )
    try:
        if provider_id is not None:
            calc = genai_prices.calc_price(
                usage, model, provider_id=provider_id, genai_request_timestamp=when
            )
        else:
            calc = genai_prices.calc_price(
                usage, model, provider_api_url=base_url, genai_request_timestamp=when
            )
    except (LookupError, ValueError):
        # LookupError: an unknown provider or model. ValueError: usage the data cannot price.
        return None
    rates = _rates(calc.model_price, counts.input)
    reasoning_rate = rates.get("output_reasoning_mtok", rates.get("output_mtok"))
    reasoning_cost = Decimal(0)
    if reasoning_rate is not None:
        reasoning_cost = counts.reasoning * reasoning_rate / _MILLION
    price = {key: _fmt_rate(rate) for key, rate in rates.items()}
    price["data_version"] = data_version()  # the package version, plus when it was fetched
    price["model_id"] = calc.model.id
    price["provider_id"] = calc.provider.id
    price["from"] = "prices"
    at = when or datetime.now(UTC)
    price.update(_when_and_conditions(calc.model, calc.model_price, at, counts.input))
    return _Breakdown(calc.total_price, calc.input_price, calc.output_price, reasoning_cost, price)


def _from_provider(charge: Decimal, breakdown: _Breakdown | None) -> Cost:
    """The provider's own charge, split in the proportions the rates give when we know them."""
    if breakdown is None or breakdown.total <= 0:
        return Cost(CostSource.PROVIDER, "USD", charge)
    scale = charge / breakdown.total

    def share(part: Decimal) -> Decimal:
        return (part * scale).quantize(_SHARE_QUANTUM)

    input_cost = share(breakdown.input)
    if breakdown.input + breakdown.output == breakdown.total:
        output_cost = charge - input_cost  # the two parts add up to the charge exactly
    else:
        output_cost = share(breakdown.output)
    reasoning_cost = min(share(breakdown.reasoning), output_cost)
    return Cost(
        CostSource.PROVIDER, "USD", charge, input_cost, output_cost, reasoning_cost, breakdown.price
    )


def _cost(source: CostSource, breakdown: _Breakdown) -> Cost:
    return Cost(
        source,
        "USD",
        breakdown.total,
        breakdown.input,
        breakdown.output,
        breakdown.reasoning,
        breakdown.price,
    )


def cost_for(
    provider: str,
    model: str,
    usage: Usage,
    *,
    model_reported: str | None = None,
    base_url: str | None = None,
    provider_cost: Decimal | None = None,
    overrides: Mapping[tuple[str, str], PriceOverride] | None = None,
    when: datetime | None = None,
) -> Cost:
    """What this usage cost, and how we know (see the module docstring for the order).

    `when` is the time of the request, for prices that changed over time or depend on the hour
    (None: now). Usage without both input and output counts cannot be priced honestly: unless
    the provider reported its charge, or the model is local, the cost is unknown. A user's price
    for a local model wins over its zero.

    A turn is priced as the model asked for first, then as the (often dated) name the provider
    reported (`model_reported`), which may be the one the price data or the user's price knows.
    The turn controller prices a finished turn this way and `reprice` prices a stored one the
    same way.
    """
    counts = _counts(usage)

    def priced_as(name: str) -> Cost:
        override = (overrides or {}).get((provider, name))

        def rated() -> _Breakdown | None:
            if counts is None:
                return None
            if override is not None:
                return _from_override(override, counts, name)
            return _from_prices(provider, name, counts, base_url, when)

        if provider_cost is not None:
            # str() first: a float charge (0.0042) must not become its binary expansion.
            return _from_provider(Decimal(str(provider_cost)), rated())
        breakdown = rated()
        if override is not None:
            return _cost(CostSource.OVERRIDE, breakdown) if breakdown else Cost.unknown()
        if breakdown is not None:
            return _cost(CostSource.PRICES, breakdown)
        if provider in LOCAL_PROVIDERS or is_local_url(base_url):
            return Cost.local()
        return Cost.unknown()

    cost = Cost.unknown()
    for name in dict.fromkeys((model, model_reported or model)):
        cost = priced_as(name)
        if cost.source != CostSource.UNKNOWN:
            break
    return cost


def rates_for(
    provider: str,
    model: str,
    *,
    base_url: str | None = None,
    overrides: Mapping[tuple[str, str], PriceOverride] | None = None,
    when: datetime | None = None,
) -> Cost:
    """The rates a turn of this model would be priced at `when` (now): a zero-token `cost_for`,
    so the Prices page, `thinkpane prices` and the ledger can never disagree. Its `source` and
    `price` are what matter; its amounts are zero."""
    return cost_for(
        provider, model, Usage(input_tokens=0, output_tokens=0), base_url=base_url,
        overrides=overrides, when=when or datetime.now(UTC),
    )  # fmt: skip
