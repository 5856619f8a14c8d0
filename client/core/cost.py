"""What a turn cost, and where that figure came from.

Amounts are Decimals in `currency`; `reasoning` is the part of `output` paid for reasoning.
`source` says how we know: the provider reported it, the bundled prices computed it, the user's
own price did, it was a local model (zero), or we do not know (amounts None, never a guess).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum


class CostSource(StrEnum):
    PROVIDER = "provider"
    PRICES = "prices"
    OVERRIDE = "override"
    LOCAL = "local"
    UNKNOWN = "unknown"


def _dec(value: object) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value))


def _fmt(value: Decimal | None) -> str | None:
    if value is None:
        return None
    text = format(value.normalize(), "f")
    return text


@dataclass(frozen=True)
class Cost:
    source: CostSource
    currency: str = "USD"
    total: Decimal | None = None
    input: Decimal | None = None
    output: Decimal | None = None
    reasoning: Decimal | None = None
    # The price used, kept with the turn so history does not change when prices are updated:
    # e.g. {"input_mtok": "1.25", "output_mtok": "10", "cache_read_mtok": "0.125", "data_version": "…"}
    # (see `price_json` for every key and what it means).
    price: dict[str, str] = field(default_factory=dict)

    @classmethod
    def unknown(cls) -> Cost:
        return cls(source=CostSource.UNKNOWN)

    @classmethod
    def local(cls) -> Cost:
        zero = Decimal(0)
        return cls(CostSource.LOCAL, "USD", zero, zero, zero, zero)

    def to_json(self) -> dict[str, object]:
        """The contract's `cost` object: decimal strings, or null amounts when unknown; `price`
        says which rates were used and where they came from (null when no rate was used)."""
        return {
            "currency": self.currency,
            "total": _fmt(self.total),
            "input": _fmt(self.input),
            "output": _fmt(self.output),
            "reasoning": _fmt(self.reasoning),
            "source": str(self.source),
            "price": price_json(self.price),
        }

    def provenance(self) -> str:
        """Where this amount came from, in one sentence or two for a tooltip or an export:
        "Your price: $0.28 in, $0.028 cached, $0.42 out per million tokens, since 2026-12-02."."""
        if self.source is CostSource.UNKNOWN:
            return "No price is known for this model, so its cost is unknown (never a guess)."
        if self.source is CostSource.LOCAL:
            return "A model on this computer: it costs nothing per token."
        rates = rates_text(self.price)
        where = data_label(self.price)
        head = "Your price" if where == "your price" else f"Price data {where}"
        if self.source is CostSource.PROVIDER:
            text = "Reported by the provider" + (f"; split with {head.lower()}: {rates}" if rates
                                                 else "")  # fmt: skip
        else:
            text = f"{head}: {rates}" if rates else head
        for extra in (f"since {self.price['since']}" if self.price.get("since") else "",
                      self.price.get("conditions", "")):  # fmt: skip
            if extra:
                text += f", {extra}"
        text += "."
        if self.price.get("repriced_at"):
            was = self.price.get("previous_total")
            amount = (f"${was}" if self.currency == "USD" else f"{was} {self.currency}") if was \
                else "unknown"  # fmt: skip
            text += (
                f" Repriced on {self.price['repriced_at'][:10]}: it was {amount}"
                f" ({self.price.get('previous_data') or 'no price'})."
            )
        return text

    @classmethod
    def from_record(cls, data: dict[str, object] | None) -> Cost:
        if not data:
            return cls.unknown()
        price = data.get("price")
        return cls(
            source=CostSource(str(data.get("source", "unknown"))),
            currency=str(data.get("currency", "USD")),
            total=_dec(data.get("total")),
            input=_dec(data.get("input")),
            output=_dec(data.get("output")),
            reasoning=_dec(data.get("reasoning")),
            price={str(k): str(v) for k, v in price.items()} if isinstance(price, dict) else {},
        )


# Stored price keys → the contract's names (`cache_read_mtok` is genai-prices' word for it).
_CONTRACT_RATES = (
    ("input_mtok", "input_mtok"),
    ("cache_read_mtok", "cached_input_mtok"),
    ("cache_write_mtok", "cache_write_mtok"),
    ("output_mtok", "output_mtok"),
)
PRICE_DATA = "genai-prices"


def data_label(price: dict[str, str]) -> str:
    """Where stored rates came from: "your price", or "genai-prices 0.2.3" (plus when fetched)."""
    if price.get("from") == "override" or (price and "data_version" not in price):
        return "your price"
    version = price.get("data_version", "")
    number, _, fetched = version.partition("+")
    return f"{PRICE_DATA} {number}, fetched {fetched}" if fetched else f"{PRICE_DATA} {number}"


def price_json(price: dict[str, str]) -> dict[str, object] | None:
    """The contract's `cost.price`: rates in USD per million tokens (null: charged at the input
    rate, or not in the data), `data` (where they came from), `since` and `conditions` (null when
    the data does not say), `model_id` (the name the price was found under); None without rates."""
    if "input_mtok" not in price and "output_mtok" not in price:
        return None
    out: dict[str, object] = {name: price.get(key) for key, name in _CONTRACT_RATES}
    out["data"] = data_label(price)
    out["since"] = price.get("since")
    out["conditions"] = price.get("conditions")
    out["model_id"] = price.get("model_id")
    if price.get("repriced_at"):
        out["repriced"] = {
            "at": price["repriced_at"],
            "previous_total": price.get("previous_total") or None,
            "previous_data": price.get("previous_data") or None,
        }
    return out


def rates_text(price: dict[str, str]) -> str:
    """ "$0.28 in, $0.028 cached, $0.42 out per million tokens" ("" without rates)."""
    names = (("input_mtok", "in"), ("cache_read_mtok", "cached"),
             ("cache_write_mtok", "cache write"), ("output_mtok", "out"))  # fmt: skip
    parts = [f"${price[key]} {word}" for key, word in names if price.get(key)]
    return ", ".join(parts) + " per million tokens" if parts else ""
