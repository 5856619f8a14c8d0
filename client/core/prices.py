"""A price the user set for one provider and model, in dollars per million tokens.

It lives in core because two layers need it and neither may import the other: the store keeps
the user's prices, and pricing applies them in preference to the bundled price data. Typed rates
(the command line's `input=0.28`, the Prices page's fields) are read by `parse_rate`, so both say
the same sentence about the same mistake.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

# What `prices --set` and the Prices page call each rate, in the order they are shown.
RATE_NAMES = {
    "input": "input_mtok",
    "cached": "cache_read_mtok",
    "cache_write": "cache_write_mtok",
    "output": "output_mtok",
}


def parse_rate(text: str, what: str) -> Decimal:
    """A rate typed by a person ("0.28", "$0.28", "1,250"); ValueError with a sentence otherwise.

    Rates are dollars per million tokens: a decimal number of zero or more (a free model costs
    zero). `what` names the rate in the sentence ("deepseek-reasoner's input price").
    """
    cleaned = text.strip().lstrip("$").replace(",", "").strip()
    if not cleaned:
        raise ValueError(f"{what} is missing: type dollars per million tokens, like 0.28.")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(
            f"{what} should be dollars per million tokens, like 0.28, not “{text.strip()}”."
        ) from None
    if not value.is_finite() or value < 0:
        raise ValueError(f"{what} should be zero or more dollars per million tokens, not {text}.")
    return value


@dataclass(frozen=True)
class PriceOverride:
    """Rates per million tokens. A cache rate left as None is charged at the input rate.

    `set_at` is when the user set it (ISO 8601 UTC, from the store), shown as "since"; it plays
    no part in equality, so the same rates set twice are the same price.
    """

    input_mtok: Decimal
    output_mtok: Decimal
    cache_read_mtok: Decimal | None = None
    cache_write_mtok: Decimal | None = None
    set_at: str | None = field(default=None, compare=False)

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
