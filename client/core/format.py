"""Numbers formatted for people: "1,408 tokens", "$0.021", "thought for 12 s".

Shared by the window and the command line so both say the same thing the same way.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

NO_QUERIES = "No queries yet."  # what a conversation cost before its first query


def tokens(n: int | None, unit: str = "tokens") -> str:
    if n is None:
        return f"— {unit}".strip()
    if unit == "tokens" and n == 1:
        unit = "token"
    return f"{n:,} {unit}".strip()


def money(amount: Decimal | None, currency: str = "USD") -> str:
    """Two significant figures below a cent, cents above: $0.021, $0.0004, $1.25; None is "—"."""
    if amount is None:
        return "—"
    symbol = "$" if currency == "USD" else f"{currency} "
    if amount == 0:
        return f"{symbol}0"
    if abs(amount) >= Decimal("1"):
        return f"{symbol}{amount.quantize(Decimal('0.01'), ROUND_HALF_UP):,}"
    if abs(amount) >= Decimal("0.01"):
        return f"{symbol}{amount.quantize(Decimal('0.001'), ROUND_HALF_UP).normalize():f}"
    # Tiny amounts: keep two significant figures so they do not all read as $0.00.
    exponent = amount.adjusted()  # e.g. -4 for 0.00042
    quantum = Decimal(1).scaleb(exponent - 1)
    return f"{symbol}{amount.quantize(quantum, ROUND_HALF_UP).normalize():f}"


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    if seconds < 60:
        return f"{seconds:.1f} s" if seconds < 10 else f"{seconds:.0f} s"
    minutes, secs = divmod(int(round(seconds)), 60)
    return f"{minutes} min {secs} s"


def step_number(index: int) -> int:
    """The number a person reads for a step: index 0 is "step 1". JSON keeps the 0-based
    `index` (a public format); every sentence, label and report counts from 1."""
    return index + 1
