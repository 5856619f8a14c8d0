"""A price the user set for one provider and model, in dollars per million tokens.

It lives in core because two layers need it and neither may import the other: the store keeps
the user's prices, and pricing applies them in preference to the bundled price data.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class PriceOverride:
    """Rates per million tokens. A cache rate left as None is charged at the input rate."""

    input_mtok: Decimal
    output_mtok: Decimal
    cache_read_mtok: Decimal | None = None
    cache_write_mtok: Decimal | None = None

    def __post_init__(self) -> None:
        for name in ("input_mtok", "output_mtok", "cache_read_mtok", "cache_write_mtok"):
            value = getattr(self, name)
            if value is None:
                continue
            if not isinstance(value, Decimal):
                # Accept ints and strings from settings forms; floats would carry binary noise.
                if isinstance(value, float):
                    raise TypeError(f"{name} must be a Decimal or a string, not a float")
                value = Decimal(str(value))
                object.__setattr__(self, name, value)
            if not value.is_finite() or value < 0:
                raise ValueError(f"{name} must be a price of zero or more, not {value}")
