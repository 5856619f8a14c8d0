"""The prices in use, in one place: every model's rates and where they come from, your own
price, and repricing the ledger when a rate was wrong.

`thinkpane prices`, `thinkpane reprice` and the window's Prices page all ask this module, so a
rate shown is the rate the next turn, the next-turn estimate and a reprice use: each comes from
`client.pricing.rates_for` / `cost_for` with the user's prices from the store and the price
data a refresh kept in the data folder (`rates_in_use` makes that the data in use).

Your own price lives in the store's price table (the one Settings always had), per provider and
model. A reprice recomputes stored turns with today's rates, at the hour each turn was priced (a
time-of-day rate stays the rate of the hour the turn was asked), and keeps each turn's previous amount and the
price that computed it (`Store.cost_history`, and `previous_*` in the turn's price). A charge the
provider reported is never repriced. Repricing again with the same rates changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from client.core import format as fmt
from client.core.conversation import moment_of
from client.core.cost import Cost, CostSource, data_label
from client.core.prices import RATE_NAMES, PriceOverride, parse_rate
from client.pricing import (
    GENAI_PROVIDER_IDS,
    cost_for,
    data_info,
    rates_for,
    use_saved_prices,
)
from client.store.ledger import format_amount
from client.store.store import RepriceRow, Store

# The stored price keys that are rates, in the contract's order and with the contract's names.
RATE_KEYS = (
    ("input_mtok", "input_mtok"),
    ("cache_read_mtok", "cached_input_mtok"),
    ("cache_write_mtok", "cache_write_mtok"),
    ("output_mtok", "output_mtok"),
)
# The columns of the table of prices, in `ModelPrices.cells` order.
CELL_HEADERS = ("model", "provider", "input", "cached", "cache write", "output", "source", "since",
                "conditions", "queries", "spend")  # fmt: skip
SOURCE_WORDS = {
    CostSource.OVERRIDE: "your price",
    CostSource.PRICES: "price data",
    CostSource.PROVIDER: "provider's charge",
    CostSource.LOCAL: "local",
    CostSource.UNKNOWN: "unknown",
}


def _now() -> datetime:
    return datetime.now(UTC)


def rates_in_use(store: Store) -> dict[tuple[str, str], PriceOverride]:
    """The user's prices, after making the price data kept in the data folder the data in use:
    what every pricing of a turn, an estimate or a reprice is given."""
    use_saved_prices(store.path.parent)
    return store.price_overrides()


def _rates(price: Mapping[str, str]) -> tuple[str | None, ...]:
    return tuple(
        format_amount(Decimal(price[key])) if price.get(key) else None for key, _ in RATE_KEYS
    )


# -- the table of prices ------------------------------------------------------------------------


@dataclass(frozen=True)
class ModelPrices:
    """One row of `thinkpane prices` and of the Prices page.

    Rates are decimal text in USD per million tokens (None: the data has no separate rate, so
    those tokens are charged at the input rate; all None when nothing is known). `queries` is how
    many stored turns were priced at exactly these rates; `turns` and `spend` are all of the
    model's turns and what they cost.
    """

    provider: str
    model: str
    source: CostSource
    input_mtok: str | None = None
    cached_input_mtok: str | None = None
    cache_write_mtok: str | None = None
    output_mtok: str | None = None
    since: str | None = None
    conditions: str | None = None
    data: str | None = None
    queries: int = 0
    turns: int = 0
    spend: str = "0"
    your_price: PriceOverride | None = None

    def cells(self, provider_label: str | None = None) -> tuple[str, ...]:
        """The row as people read it, one text per CELL_HEADERS: "$0.28", "—", "3 of 5"…"""

        def rate(value: str | None) -> str:
            return "—" if value is None else f"${value}"

        return (
            self.model,
            provider_label or self.provider or "—",
            *(
                rate(r)
                for r in (
                    self.input_mtok,
                    self.cached_input_mtok,
                    self.cache_write_mtok,
                    self.output_mtok,
                )
            ),  # fmt: skip
            SOURCE_WORDS[self.source],
            self.since or "—",
            self.conditions or "—",
            f"{self.queries:,} of {self.turns:,}",
            fmt.money(Decimal(self.spend)),
        )

    def to_json(self) -> dict[str, Any]:
        """The contract's `prices --json` entry (plus `data`, `turns` and `spend`)."""
        return {
            "provider": self.provider,
            "model": self.model,
            "source": str(self.source),
            "input_mtok": self.input_mtok,
            "cached_input_mtok": self.cached_input_mtok,
            "cache_write_mtok": self.cache_write_mtok,
            "output_mtok": self.output_mtok,
            "since": self.since,
            "conditions": self.conditions,
            "data": self.data,
            "queries": self.queries,
            "turns": self.turns,
            "spend": self.spend,
        }


@dataclass(frozen=True)
class PriceTable:
    """The price data in use (`data`: the contract's object) and a row per model, dearest first."""

    data: dict[str, Any]
    models: tuple[ModelPrices, ...]

    def to_json(self) -> dict[str, Any]:
        data = {k: v for k, v in self.data.items() if k != "problem"}
        return {"data": data, "models": [m.to_json() for m in self.models]}


def data_sentence(data: Mapping[str, Any]) -> str:
    """ "Price data: genai-prices 0.2.3, bundled with Thinkpane (never refreshed)." or with the
    date it was fetched; plus the problem with kept data, if any."""
    head = f"Price data: {data['source']} {data['version']}"
    fetched = data.get("fetched_at")
    text = f"{head}, fetched {fetched[:10]} {fetched[11:16]} UTC." if fetched else (
        f"{head}, as bundled (never refreshed)."
    )  # fmt: skip
    return f"{text} {data['problem']}" if data.get("problem") else text


def _row(
    provider: str,
    model: str,
    base_url: str | None,
    overrides: Mapping[tuple[str, str], PriceOverride],
    when: datetime,
    stored: Sequence[tuple[str, str, int]] = (),
    turns: int = 0,
    spend: str = "0",
    reported: str | None = None,
) -> ModelPrices:
    now = rates_for(provider, model, base_url=base_url, overrides=overrides, when=when)
    if now.source is CostSource.UNKNOWN and reported and reported != model:
        # The ledger prices a turn by the name the provider reported when the asked one is unknown.
        now = rates_for(provider, reported, base_url=base_url, overrides=overrides, when=when)
    source = now.source
    if source in (CostSource.PRICES, CostSource.UNKNOWN) and any(
        s == CostSource.PROVIDER for s, _, _ in stored
    ):
        # The provider reports each charge: the data only splits it, or does not know the model.
        source = CostSource.PROVIDER
    rates = _rates(now.price) if now.price else (None,) * len(RATE_KEYS)
    if source in (CostSource.LOCAL, CostSource.UNKNOWN):
        queries = sum(n for s, _, n in stored if s == source)
    else:
        queries = sum(
            n for s, text, n in stored if s == source and _rates(json.loads(text or "{}")) == rates
        )
    input_mtok, cached_input_mtok, cache_write_mtok, output_mtok = rates
    return ModelPrices(
        provider,
        model,
        source,
        input_mtok,
        cached_input_mtok,
        cache_write_mtok,
        output_mtok,
        since=now.price.get("since"),
        conditions=now.price.get("conditions"),
        data=data_label(now.price) if now.price else None,
        queries=queries,
        turns=turns,
        spend=spend,
        your_price=overrides.get((provider, model)),
    )


def _guess_provider(model: str, when: datetime) -> str | None:
    """The provider whose price data knows `model`, for a model named but not yet used."""
    for provider in GENAI_PROVIDER_IDS:
        if rates_for(provider, model, when=when).source is not CostSource.UNKNOWN:
            return provider
    return None


def price_table(
    store: Store, models: Iterable[str] = (), *, when: datetime | None = None
) -> PriceTable:
    """Every model in the ledger (or only those named) with the rates a turn `when` (now) would
    be priced at, where they come from and how many stored turns used them; sorted by spend."""
    when = when or _now()
    overrides = rates_in_use(store)
    named = set(models)
    rows: list[ModelPrices] = []
    seen: set[tuple[str, str]] = set()
    for entry in store.models_in_ledger():
        key = (entry["provider"], entry["model"])
        if named and entry["model"] not in named:
            continue
        seen.add(key)
        rows.append(
            _row(
                *key,
                entry["base_url"],
                overrides,
                when,
                entry["prices"],
                entry["queries"],
                entry["spend"],
                entry["model_reported"],
            )
        )
    for provider, model in overrides:
        if (provider, model) not in seen and (not named or model in named):
            seen.add((provider, model))
            rows.append(_row(provider, model, None, overrides, when))
    for model in sorted(named - {m for _, m in seen}):
        guessed = _guess_provider(model, when)
        rows.append(
            _row(guessed, model, None, overrides, when)
            if guessed
            else ModelPrices("", model, CostSource.UNKNOWN)
        )
    rows.sort(key=lambda r: (-Decimal(r.spend), -r.turns, r.model, r.provider))
    return PriceTable(data_info(), tuple(rows))


# -- your own price -------------------------------------------------------------------------------


def parse_rates(model: str, typed: Mapping[str, str]) -> PriceOverride:
    """Your price from typed rates (`input`, `output`, and optionally `cached`, `cache_write`);
    ValueError with a sentence for a missing, unknown or bad one."""
    unknown = sorted(set(typed) - set(RATE_NAMES))
    if unknown:
        raise ValueError(
            f"“{unknown[0]}” is not a rate; use {', '.join(RATE_NAMES)} (as input=0.28)."
        )
    values: dict[str, Decimal | None] = {}
    for word, key in RATE_NAMES.items():
        text = typed.get(word)
        optional = word in ("cached", "cache_write")
        if text is None or (optional and not text.strip()):
            if not optional:
                raise ValueError(f"{model}'s {word} price is missing: give {word}=RATE.")
            values[key] = None
            continue
        values[key] = parse_rate(text, f"{model}'s {word.replace('_', ' ')} price")
    return PriceOverride(**values)  # type: ignore[arg-type]


def providers_of(store: Store, model: str) -> list[str]:
    """The providers `model` was used with, or has your price for."""
    found = {e["provider"] for e in store.models_in_ledger() if e["model"] == model}
    found |= {p for p, m in store.price_overrides() if m == model}
    return sorted(found)


def _providers_for(store: Store, model: str, provider: str | None) -> list[str]:
    if provider:
        return [provider]
    found = providers_of(store, model)
    if found:
        return found
    guessed = _guess_provider(model, _now())
    if guessed:
        return [guessed]
    raise ValueError(
        f"{model} is not in the ledger and the price data does not know it; "
        "say which provider it is with --provider."
    )


def set_your_price(
    store: Store, model: str, price: PriceOverride, provider: str | None = None
) -> list[str]:
    """Save your price for `model` (with every provider it was used with, or `provider`); the
    next turn is priced with it. Returns the providers it was set for."""
    providers = _providers_for(store, model, provider)
    for name in providers:
        store.set_price_override(name, model, price)
    return providers


def remove_your_price(store: Store, model: str, provider: str | None = None) -> list[str]:
    """Forget your price for `model`; returns the providers it was removed for (maybe none)."""
    had = [p for p, m in store.price_overrides() if m == model and provider in (None, p)]
    for name in had:
        store.delete_price_override(name, model)
    return had


# -- repricing ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RepriceSummary:
    """What a reprice did (or, with `dry_run`, would do). Totals are decimal text in USD over
    every turn in scope, provider-reported charges included (they never change)."""

    turns: int
    changed: int
    before: str
    after: str
    provider_charged: int = 0
    unpriced_after: int = 0
    dry_run: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "turns": self.turns,
            "changed": self.changed,
            "before": self.before,
            "after": self.after,
            "provider_charged": self.provider_charged,
            "dry_run": self.dry_run,
        }

    def sentence(self) -> str:
        if not self.turns:
            return "No turns in that period to reprice."
        turns = f"{self.turns:,} {'turn' if self.turns == 1 else 'turns'}"
        before, after = fmt.money(Decimal(self.before)), fmt.money(Decimal(self.after))
        verb = "would change" if self.dry_run else "changed"
        text = f"{turns}: {before} before, {after} after; {self.changed:,} {verb}."
        if self.provider_charged:
            text += f" {self.provider_charged:,} charged by the provider stay as reported."
        if self.unpriced_after:
            text += f" {self.unpriced_after:,} still have no price."
        return text


def _same(old: Cost, new: Cost) -> bool:
    amounts = ("source", "total", "input", "output", "reasoning")
    if any(getattr(old, a) != getattr(new, a) for a in amounts):
        return False
    return _rates(old.price) == _rates(new.price)


def _repriced(row: RepriceRow, overrides: Mapping[tuple[str, str], PriceOverride]) -> Cost:
    return cost_for(
        row.provider,
        row.model,
        row.usage,
        model_reported=row.model_reported,
        base_url=row.base_url,
        overrides=overrides,
        when=moment_of(row.asked_at),
    )


def reprice(
    store: Store,
    *,
    model: str | None = None,
    provider: str | None = None,
    since: date | None = None,
    until: date | None = None,
    dry_run: bool = False,
) -> RepriceSummary:
    """Recompute the stored costs of `model`'s turns (all models: None) from `since` to `until`
    (UTC days, included) with today's rates; with `dry_run`, only say what would change."""
    if since is not None and until is not None and since > until:
        raise ValueError(f"The period starts ({since}) after it ends ({until}).")
    overrides = rates_in_use(store)
    rows = store.turns_to_reprice(model=model, provider=provider, since=since, until=until)
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    before = after = Decimal(0)
    changes: dict[str, Cost] = {}
    provider_charged = unpriced = 0
    for row in rows:
        old = row.cost
        before += old.total or 0
        if old.source is CostSource.PROVIDER:
            provider_charged += 1
            after += old.total or 0
            continue
        new = _repriced(row, overrides)
        after += new.total or 0
        unpriced += new.source is CostSource.UNKNOWN
        if _same(old, new):
            continue
        price = dict(new.price)
        price["previous_total"] = format_amount(old.total) if old.total is not None else ""
        price["previous_data"] = data_label(old.price) if old.price else str(old.source)
        price["repriced_at"] = now
        changes[row.id] = Cost(
            new.source, new.currency, new.total, new.input, new.output, new.reasoning, price
        )
    changed = len(changes)
    if changes and not dry_run:
        changed = store.replace_costs(changes)
    return RepriceSummary(
        len(rows),
        changed,
        format_amount(before),
        format_amount(after),
        provider_charged,
        unpriced,
        dry_run,
    )
