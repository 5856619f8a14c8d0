"""Read past the units and asides written inside arithmetic.

People write `3 plates × $6.00/plate = $18.00`, `8 pounds / 2 pounds/week = 4 weeks`, and
`15 (light blue) + 45 (dark blue) = 60`. The numbers are the claim; the words after each number
are its unit or an aside. This module drops those words from a clause's tokens so the claim
reads `3 × 6.00 = 18.00`, keeping every other token (and so every offset) as it was.

It refuses when dropping would change the meaning: a scale word is not a unit ("3 hundred + 5"),
one-letter words are variables, not units, and a clause that mixes different units of one
dimension ("1 hour + 30 minutes = 90 minutes") implies a conversion, so it is left alone and
the arithmetic check stays silent about it.
"""

from __future__ import annotations

from client.audit.expr import Token

# Words that follow a number without being its unit: scale words, comparisons, connectives.
_NOT_UNIT_WORDS = """times more less fewer than of and or plus minus over by off percent percents dozen dozens
    hundred hundreds thousand thousands million millions billion billions trillion half halves
    twice double triple squared cubed each per is are was were be equals equal to from in at for
    with then so that which the a an as into out left remaining total altogether only"""
_NOT_UNITS = frozenset(_NOT_UNIT_WORDS.split())
_DIMENSIONS: dict[str, str] = {}
for _dimension, _words in {
    "time": "second sec minute min hour hr day week month year decade century",
    "length": "inch foot yard mile millimeter centimeter meter metre kilometer mm cm km",
    "mass": "ounce oz pound lb gram kilogram kg ton tonne",
    "volume": "cup pint quart gallon liter litre milliliter ml teaspoon tablespoon",
    "money": "dollar cent penny nickel dime quarter euro",
}.items():
    for _word in _words.split():
        _DIMENSIONS[_word] = _dimension
_IRREGULAR = {"feet": "foot", "pennies": "penny"}
_MAX_UNIT_WORDS = 3
_MAX_ASIDE_TOKENS = 8


def strip_units(clause: list[Token]) -> list[Token]:
    """`clause` without the unit words and asides that sit between numbers and operators."""
    kept: list[Token] = []
    units: set[str] = set()
    i = 0
    while i < len(clause):
        token = clause[i]
        kept.append(token)
        i += 1
        if token.kind not in ("num", "pct"):
            continue
        end, unit = _unit_tail(clause, i)
        if end == i:
            continue
        if end >= len(clause):
            if any(t.text == "^" for t in clause[i:end]):
                i = end  # "= 90 cm^2" ends the clause: the power is the unit's, not 90's
            continue
        follower = clause[end].kind
        # Before "=" only when the number ends an expression: "5 pairs = 10 shoes" converts.
        after_operator = len(kept) > 1 and kept[-2].kind == "op"
        if follower in ("op", "rp") or follower == "eq" and after_operator:
            if unit is not None:
                units.add(unit)
            i = end
    if _mixes_dimension(units):
        return clause
    return kept


def _unit_tail(clause: list[Token], start: int) -> tuple[int, str | None]:
    """Where the unit words, per-units and aside after a number end, and the main unit."""
    i, unit = start, None
    words = 0
    while (
        i < len(clause) and words < _MAX_UNIT_WORDS and _is_unit_word(clause[i], first=words == 0)
    ):
        unit = unit or _singular(clause[i].text)
        words += 1
        i = _unit_power(clause, i + 1)
    # Per-units: "/plate", "/person/day", "per hour".
    while i + 1 < len(clause) and clause[i + 1].kind == "word":
        joiner = clause[i]
        if not (joiner.text == "/" or joiner.kind == "word" and joiner.text.lower() == "per"):
            break
        if words == 0 and joiner.text.lower() == "per":
            break
        i = _unit_power(clause, i + 2)
    aside = _aside_end(clause, i)
    return (aside if aside is not None else i), unit


def _unit_power(clause: list[Token], i: int) -> int:
    """Past a power written on a unit ("cm^2", "m/s^2"): it squares the unit, not the number."""
    if i + 1 < len(clause) and clause[i].text == "^" and clause[i + 1].kind == "num":
        return i + 2
    return i


def _aside_end(clause: list[Token], start: int) -> int | None:
    """`(light blue)` or `(from the last trip)`: a spaced parenthesis of words only."""
    if start >= len(clause) or clause[start].kind != "lp" or not clause[start].spaced:
        return None
    for i in range(start + 1, min(len(clause), start + _MAX_ASIDE_TOKENS + 1)):
        kind = clause[i].kind
        if kind == "rp":
            return i + 1 if i > start + 1 else None
        if kind != "word":
            return None
    return None


def _is_unit_word(token: Token, first: bool) -> bool:
    if token.kind != "word" or (first and not token.spaced):
        return False
    word = token.text.lower()
    return len(word) > 1 and word not in _NOT_UNITS


def _singular(word: str) -> str:
    word = word.lower()
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    for ending in ("ies", "es", "s"):
        if word.endswith(ending) and word[: -len(ending)] in _DIMENSIONS:
            return word[: -len(ending)]
    return word


def _mixes_dimension(units: set[str]) -> bool:
    seen: dict[str, str] = {}
    for unit in units:
        dimension = _DIMENSIONS.get(unit)
        if dimension is None:
            continue
        if dimension in seen and seen[dimension] != unit:
            return True
        seen[dimension] = unit
    return False
