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
    price: dict[str, str] = field(default_factory=dict)

    @classmethod
    def unknown(cls) -> Cost:
        return cls(source=CostSource.UNKNOWN)

    @classmethod
    def local(cls) -> Cost:
        zero = Decimal(0)
        return cls(CostSource.LOCAL, "USD", zero, zero, zero, zero)

    def to_json(self) -> dict[str, object]:
        """The contract's `cost` object: decimal strings, or null amounts when unknown."""
        return {
            "currency": self.currency,
            "total": _fmt(self.total),
            "input": _fmt(self.input),
            "output": _fmt(self.output),
            "reasoning": _fmt(self.reasoning),
            "source": str(self.source),
        }

    def to_record(self) -> dict[str, object]:
        """Everything, price included, for the store."""
        data = self.to_json()
        data["price"] = dict(self.price)
        return data

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
