"""Tokens of normalised maths text and an exact evaluator for the arithmetic in them.

Exact means `fractions.Fraction` all the way: `0.1 + 0.2 = 0.3` is true here, and a claim is
never called false because of binary floating point. Anything the evaluator cannot evaluate
exactly (an irrational root, a huge power, division by zero, a percentage added to a plain
number) raises `NotArithmetic`, and the caller stays silent about it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from math import isqrt
from typing import NamedTuple

_TOKEN = re.compile(
    r"(?P<clock>\d{1,2}:\d{2}(?!\d))"
    r"|(?P<num>\d+(?:\.\d+)?|\.\d+)"
    r"|(?P<opaque>@[A-Za-z]*)"  # a LaTeX function or symbol the normaliser made opaque
    r"|(?P<word>[^\W\d]+(?:['’-][^\W\d]+)*)"
    r"|(?P<eq>==?|≈)"
    r"|(?P<op>\*\*|[-+*/^])"
    r"|(?P<lp>\()"
    r"|(?P<rp>\))"
    r"|(?P<pct>%)"
    r"|(?P<sqrt>√)"
    r"|(?P<brk>[,;:|¦\n?!]|\.(?!\d))"
    r"|(?P<space>[^\S\n]+)"
    r"|(?P<other>.)"
)
_LIMIT = 10**60  # larger values are not grade-school arithmetic; leave them alone
_MAX_EXPONENT = 64
_MAX_NESTING = 60  # parentheses and signs; Python's own stack would give out near 160


class NotArithmetic(Exception):
    """The tokens are not a plain arithmetic expression we can evaluate exactly."""


class Token(NamedTuple):
    """One token of normalised text; `start`/`end` are offsets into that text."""

    kind: str
    start: int
    end: int
    text: str
    spaced: bool  # whitespace right before it
    value: Fraction | None = None
    decimals: int = 0


def tokenize(text: str, start: int = 0, end: int | None = None) -> list[Token]:
    """Split normalised text (or text[start:end]) into tokens, merging mixed numbers ("2 1/2")."""
    tokens: list[Token] = []
    spaced = True
    for match in _TOKEN.finditer(text, start, len(text) if end is None else end):
        kind = match.lastgroup or "other"
        if kind == "opaque":
            kind = "other"
        if kind == "space":
            spaced = True
            continue
        raw = match.group()
        if kind == "num":
            value, decimals = parse_decimal(raw)
            token = Token(kind, match.start(), match.end(), raw, spaced, value, decimals)
        else:
            token = Token("op" if raw == "**" else kind, match.start(), match.end(), raw, spaced)
            if raw == "**":
                token = Token("op", match.start(), match.end(), "^", spaced)
        tokens.append(token)
        spaced = False
    return _merge_mixed_numbers(text, tokens)


def parse_decimal(raw: str) -> tuple[Fraction, int]:
    """An unsigned decimal numeral ("12", "0.05", ".5") as an exact value and its decimals."""
    if "." not in raw:
        return Fraction(int(raw)), 0
    whole, _, fraction = raw.partition(".")
    return Fraction(int(whole + fraction), 10 ** len(fraction)), len(fraction)


def _merge_mixed_numbers(text: str, tokens: list[Token]) -> list[Token]:
    if len(tokens) < 4:
        return tokens
    merged: list[Token] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.kind == "num" and i + 3 < len(tokens) and _mixed_number(tokens, i, merged):
            whole, numerator, slash, denominator = tokens[i : i + 4]
            assert whole.value and numerator.value and denominator.value
            value = whole.value + numerator.value / denominator.value
            raw = text[whole.start : denominator.end]
            merged.append(Token("num", whole.start, denominator.end, raw, whole.spaced, value, 0))
            i += 4
            continue
        merged.append(token)
        i += 1
    return merged


def _mixed_number(tokens: list[Token], i: int, merged: list[Token]) -> bool:
    """Is tokens[i:i+4] a mixed number: "2 1/2", the whole part spaced from a proper fraction?"""
    whole, numerator, slash, denominator = tokens[i : i + 4]
    return (
        numerator.kind == "num"
        and slash.text == "/"
        and denominator.kind == "num"
        and numerator.spaced
        and not slash.spaced
        and not denominator.spaced
        and whole.decimals == numerator.decimals == denominator.decimals == 0
        and numerator.value is not None
        and denominator.value is not None
        and 0 < numerator.value < denominator.value
        and (not merged or merged[-1].text not in ("/", "^"))
    )


@dataclass(frozen=True)
class Evaluation:
    """The exact value of one side, and what the severity rules need to know about its form."""

    value: Fraction
    literal: bool  # a single number, perhaps signed or a percentage
    decimals: int  # digits shown after the point, counting a percent sign as two more
    divides_integers: bool  # contains "/" and only whole numbers (integer division candidates)
    integral: bool  # whole numbers under + - × only: no rounding can have crept in
    percent: bool = False  # a literal percentage ("37.5%")


def evaluate(tokens: Sequence[Token]) -> Evaluation:
    """Evaluate tokens of kinds num/op/lp/rp/pct/sqrt exactly, or raise NotArithmetic."""
    if not tokens:
        raise NotArithmetic("empty")
    only = tokens[0].value if len(tokens) == 1 else None
    if only is not None:  # the common "= 51"
        decimals = tokens[0].decimals
        written = _written_decimal(tokens[0])
        return Evaluation(only, written, decimals, False, only.denominator == 1 and decimals == 0)
    parser = _Parser(tokens)
    value, _ = parser.expression()
    if parser.pos != len(tokens):
        raise NotArithmetic("trailing tokens")
    numbers = [t for t in tokens if t.kind == "num"]
    literal = (
        len(numbers) == 1
        and _written_decimal(numbers[0])
        and all(t.kind in ("num", "pct", "lp", "rp") or t.text in ("+", "-") for t in tokens)
    )
    decimals = (
        numbers[0].decimals + (2 if any(t.kind == "pct" for t in tokens) else 0) if literal else 0
    )
    divides = any(t.text == "/" for t in tokens) and all(
        t.value is not None and t.value.denominator == 1 for t in numbers
    )
    whole = all(
        t.value is not None and t.value.denominator == 1 and t.decimals == 0 for t in numbers
    )
    integral = whole and not any(t.text in ("/", "^", "%", "√") for t in tokens)
    percent = literal and any(t.kind == "pct" for t in tokens)
    return Evaluation(value, literal, decimals, divides, integral, percent)


def _written_decimal(token: Token) -> bool:
    """A number written in decimal digits, so its last digit shows its precision; not a mixed
    number ("2 1/4", exact) nor a name standing for a value."""
    return (token.text[:1].isdigit() or token.text[:1] == ".") and "/" not in token.text


class _Parser:
    """Recursive descent over one side: + - at the bottom, then * / and implicit products,
    unary signs, ^ (right-associative), a percent suffix, and numbers or parentheses."""

    def __init__(self, tokens: Sequence[Token]) -> None:
        self.tokens = tokens
        self.pos = 0
        self.depth = 0

    def peek(self) -> Token | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> Token:
        token = self.peek()
        if token is None:
            raise NotArithmetic("unexpected end")
        self.pos += 1
        return token

    def expression(self) -> tuple[Fraction, bool]:
        value, percent = self.term()
        kinds = {percent}
        while (token := self.peek()) is not None and token.text in ("+", "-"):
            self.pos += 1
            right, right_percent = self.term()
            kinds.add(right_percent)
            value = value + right if token.text == "+" else value - right
        if len(kinds) > 1:
            raise NotArithmetic("a percentage added to a plain number is ambiguous")
        return _checked(value), percent

    def term(self) -> tuple[Fraction, bool]:
        value, percent = self.unary()
        while (token := self.peek()) is not None:
            previous = self.tokens[self.pos - 1]
            if token.text in ("*", "/"):
                self.pos += 1
                right, _ = self.unary()
                if token.text == "/":
                    if right == 0:
                        raise NotArithmetic("division by zero")
                    value = value / right
                else:
                    value = value * right
            elif (
                token.kind in ("lp", "sqrt") and previous.kind in ("num", "rp") and not token.spaced
            ):
                right, _ = self.unary()  # 2(3 + 4), (2)(3)
                value = value * right
            else:
                break
            percent = False
            value = _checked(value)
        return value, percent

    def unary(self) -> tuple[Fraction, bool]:
        self.depth += 1
        if self.depth > _MAX_NESTING:
            raise NotArithmetic("nested too deeply")
        try:
            return self._unary()
        finally:
            self.depth -= 1

    def _unary(self) -> tuple[Fraction, bool]:
        token = self.peek()
        if token is not None and token.text in ("+", "-"):
            self.pos += 1
            value, percent = self.unary()
            return (-value if token.text == "-" else value), percent
        return self.power()

    def power(self) -> tuple[Fraction, bool]:
        base, percent = self.postfix()
        token = self.peek()
        if token is None or token.text != "^":
            return base, percent
        self.pos += 1
        exponent, _ = self.unary()
        return _power(base, exponent), False

    def postfix(self) -> tuple[Fraction, bool]:
        value = self.primary()
        token = self.peek()
        if token is not None and token.kind == "pct":
            self.pos += 1
            return value / 100, True
        return value, False

    def primary(self) -> Fraction:
        token = self.take()
        if token.kind == "num" and token.value is not None:
            return token.value
        if token.kind == "lp":
            value, _ = self.expression()
            if self.take().kind != "rp":
                raise NotArithmetic("unbalanced parentheses")
            return value
        if token.kind == "sqrt":
            return _sqrt(self.postfix()[0])
        raise NotArithmetic(f"unexpected {token.text!r}")


def _checked(value: Fraction) -> Fraction:
    if abs(value.numerator) > _LIMIT or value.denominator > _LIMIT:
        raise NotArithmetic("too large")
    return value


def _power(base: Fraction, exponent: Fraction) -> Fraction:
    if exponent.denominator != 1 or abs(exponent) > _MAX_EXPONENT:
        raise NotArithmetic("not an exact power")
    if base == 0 and exponent < 0:
        raise NotArithmetic("division by zero")
    return _checked(base ** int(exponent))


def _sqrt(value: Fraction) -> Fraction:
    if value < 0:
        raise NotArithmetic("negative root")
    top, bottom = isqrt(value.numerator), isqrt(value.denominator)
    if top * top != value.numerator or bottom * bottom != value.denominator:
        raise NotArithmetic("irrational root")
    return Fraction(top, bottom)
