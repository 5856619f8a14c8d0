"""Find the equalities a step claims between plain numbers: `17 × 3 = 51`, and each link of a
chain `a = b = c`.

This is where precision is won. A claim is kept only when both sides are arithmetic on plain
numbers and nothing around them says otherwise: a side glued to a letter (`2x`, `f(3)`,
`S_{14}`) is algebra, a number after a word is a label (`Day 1 = 20 pages`), a sentence about
remainders, congruences, floors or an ellipsis is not an equality of numbers (an inequality
only ends the chain before it, and a name given a value beside one is a condition), and a
sentence that checks, tries or negates something ("not", "check", "plug in", a question) is
testing a candidate rather than asserting it. When in doubt the claim is dropped: a missed slip
costs less than a false alarm (docs/auditor.md, principle 2).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from client.audit.expr import NotArithmetic, Token, evaluate, tokenize
from client.audit.sides import Side as GenericSide
from client.audit.units import strip_units

_ARITHMETIC = frozenset({"num", "op", "pct", "sqrt", "lp", "rp"})
_SENTENCE_BREAK = re.compile(r"[?!\n]|\.(?!\d)")
_SKIP_SENTENCE = re.compile(
    r"\b(?:mod|modulo|remainders?|floor|ceil|ceiling|check|checks|checking|plug|plugs|plugging|"
    r"plugged|not|cannot|suppose|supposing|try|trying|test|testing|wrong|incorrect|mistake|"
    r"instead)\b|n't|[≡⌊⌋⌈⌉…≠±?]|\.\.\.",
    re.IGNORECASE,
)
# An inequality ends the equality before it: `(-1)(-3) = 3 > 0` claims (-1)(-3) = 3.
_INEQUALITY = frozenset("<>≤≥")
_NAME = re.compile(r"[A-Za-z]")
# Words after "=" that turn it into "≈": "= approximately 6.67".
_APPROXIMATELY = frozenset({"approximately", "approx", "about", "roughly", "around", "nearly"})
# Words that make a bare number before "=" part of a phrase: "the sum of 20 and 50 = 70".
_CONNECTORS = frozenset(
    {"of", "and", "to", "from", "by", "with", "than", "plus", "minus", "times", "over", "per"}
)


class Side(GenericSide[Token]):
    """One side of a claim: its tokens and its span in the normalised text."""


@dataclass(frozen=True)
class Claim:
    """`left = right` (or `≈`). Links of one chain `a = b = c` share `chain`; `link` counts
    from 0 along it, so link k joins segments k and k + 1."""

    left: Side
    right: Side
    approximate: bool
    chain: int = 0
    link: int = 0


@dataclass(frozen=True)
class Binding:
    """`A = (-9 - 5) = -14`: a one-letter name given a value by the last side of its chain.

    `clause` is the index of the clause that binds it; `computed` says the value was worked
    out in a chain (`A = (2 + 3) = 5`), not stated (`x = -4`): only a worked-out name is a
    defined quantity the reasoning may carry into later steps.
    """

    name: str
    value: Side
    clause: int = 0
    computed: bool = False


def plain_clauses(text: str) -> list[list[Token]]:
    """The clauses of normalised text that hold an "=" or "≈", from sentences that are plain
    claims (not a check, a question, a remainder, ...). Only those sentences are tokenised."""
    found: list[list[Token]] = []
    if "=" not in text and "≈" not in text:
        return found
    start = 0
    for brk in [*_SENTENCE_BREAK.finditer(text), None]:
        end = brk.end() if brk is not None else len(text)
        sentence = text[start:end]
        if ("=" in sentence or "≈" in sentence) and not _SKIP_SENTENCE.search(sentence):
            clause: list[Token] = []
            tokens = [*tokenize(text, start, end), Token("brk", end, end, "\n", False)]
            conditional = any(t.kind == "other" and t.text in _INEQUALITY for t in tokens)
            for i, token in enumerate(tokens):
                if token.kind == "other" and token.text in _INEQUALITY:
                    token = token._replace(kind="brk")
                if token.kind != "brk":
                    clause.append(token)
                    continue
                if token.text in ("|", "¦") and _inside_expression(tokens, i):
                    continue
                if token.text == ":" and _ratio(tokens, i):
                    clause.append(token)  # kept in the clause: no claim is read across it
                    continue
                if any(t.kind == "eq" for t in clause) and not (
                    conditional and _names_something(clause)
                ):
                    found.append(clause)
                clause = []
        start = end
    return found


def _names_something(clause: list[Token]) -> bool:
    """Does the clause give a name a value (`x = 0`, `A = 1 if 0 ≤ a < 1`)? Beside an
    inequality that is a case or a condition, not a quantity worked out."""
    first = next(i for i, t in enumerate(clause) if t.kind == "eq")
    return first > 0 and clause[first - 1].kind == "word"


def _ratio(tokens: list[Token], i: int) -> bool:
    """A colon between two numbers, spaced alike on both sides, is a ratio ("3:4 = 0.75",
    "3 : 4"), not a clause break: read as one, the 4 alone was claimed to equal 0.75. A label's
    colon has a space after it only ("Step 2: 3 + 4 = 7") and stays a break."""
    before = tokens[i - 1] if i > 0 else None
    after = tokens[i + 1] if i + 1 < len(tokens) else None
    if before is None or after is None or before.kind != "num" or after.kind != "num":
        return False
    return tokens[i].spaced == after.spaced


def _inside_expression(tokens: list[Token], i: int) -> bool:
    """A maths delimiter next to an operator (`20 \\(\\times\\) \\$2`) or before an "=" joins,
    not separates."""
    before = tokens[i - 1] if i > 0 else None
    after = tokens[i + 1] if i + 1 < len(tokens) else None
    if tokens[i].text == "¦" and after is not None and after.kind == "eq":
        return True  # "\\ &= 1021": an aligned line starting with "=" continues the chain
    return (before is not None and before.kind == "op") or (
        after is not None and after.kind == "op"
    )


def find_claims(
    clauses: list[list[Token]],
    names: Mapping[str, Fraction] | None = None,
    local: Sequence[Binding] = (),
) -> list[Claim]:
    """The plain numeric equalities claimed in `clauses`, in order. One-letter names in
    `names` (defined quantities the trace worked out earlier) read as those values, and so do
    names in `local` (bound in this step) in the clauses after the one that binds them."""
    claims: list[Claim] = []
    for number, clause in enumerate(clauses):
        known = dict(names or {})
        for binding in local:
            if binding.clause < number:
                value = _value(binding.value)
                if value is None:
                    known.pop(binding.name, None)
                else:
                    known[binding.name] = value
        if known:
            clause = [_substitute(t, known) for t in clause]
        claims.extend(_clause_claims(strip_units(clause), number))
    return claims


def find_bindings(clauses: list[list[Token]]) -> list[Binding]:
    """The one-letter names `clauses` give numeric values to, in order."""
    bindings: list[Binding] = []
    for number, clause in enumerate(clauses):
        segments = _segments(clause)[0]
        head = segments[0]
        if len(segments) < 2 or not head or not _NAME.fullmatch(head[-1].text):
            continue
        if head[-1].kind != "word" or len(head) > 1 and head[-2].kind != "word":
            continue
        if any(_whole(middle) is None for middle in segments[1:-1]):
            continue  # "x = -4 and y = 0": two bindings in words, not one chain
        value = _right_prefix(segments[-1])
        if value is not None:
            computed = len(segments) > 2 or not _is_literal(value.tokens)
            bindings.append(Binding(head[-1].text, value, number, computed))
    return bindings


def _value(side: Side) -> Fraction | None:
    try:
        return evaluate(side.tokens).value
    except NotArithmetic:
        return None


def _substitute(token: Token, names: Mapping[str, Fraction]) -> Token:
    if token.kind != "word" or token.text not in names:
        return token
    value = names[token.text]
    return Token("num", token.start, token.end, token.text, token.spaced, value, 0)


def _segments(clause: list[Token]) -> tuple[list[list[Token]], list[Token]]:
    segments: list[list[Token]] = [[]]
    signs: list[Token] = []
    for token in clause:
        if token.kind == "eq":
            signs.append(token)
            segments.append([])
        else:
            segments[-1].append(token)
    return segments, signs


def _clause_claims(clause: list[Token], chain: int) -> list[Claim]:
    segments, signs = _segments(clause)
    claims: list[Claim] = []
    for k, sign in enumerate(signs):
        left = _left_suffix(segments[k]) if k == 0 else _whole(segments[k])
        approximate = sign.text == "≈"
        right_tokens = segments[k + 1]
        if right_tokens and right_tokens[0].kind == "word":
            if right_tokens[0].text.lower() not in _APPROXIMATELY:
                continue
            approximate, right_tokens = True, right_tokens[1:]
        right = _right_prefix(right_tokens)
        if left is None or right is None or _lone_name(left) or _lone_name(right):
            continue  # "x = -4" where x had a value: the name is given a new one
        claims.append(Claim(left, right, approximate, chain, k))
    return claims


def _left_suffix(segment: list[Token]) -> Side | None:
    """The arithmetic right before the first "=" of a clause, if it is a plain claim."""
    i, depth = len(segment) - 1, 0
    while i >= 0:
        kind = segment[i].kind
        if kind == "rp":
            depth += 1
        elif kind == "lp":
            if depth == 0:
                break
            depth -= 1
        elif kind not in _ARITHMETIC:
            break
        i -= 1
    suffix = segment[i + 1 :]
    if depth or not _well_formed(suffix):
        return None
    if i < 0:
        return Side(tuple(suffix))
    stop = segment[i]
    if stop.kind == "lp":
        before = segment[i - 1] if i > 0 else None
        glued = before is not None and before.kind == "word" and not stop.spaced
        return None if glued else Side(tuple(suffix))
    if stop.kind != "word" or not suffix[0].spaced:
        return None  # glued to a letter, or after a symbol we do not read
    if _is_literal(suffix) or stop.text.lower() in _CONNECTORS and len(suffix) == 1:
        return None  # a label ("Day 1 = 20") or a phrase ("the sum of 20 and 50 = 70")
    if i > 0 and segment[i - 1].kind in ("num", "pct", "rp", "op"):
        return None  # the expression runs on through a word ("4 boats x 5 = 20")
    return Side(tuple(suffix))


def _right_prefix(segment: list[Token]) -> Side | None:
    """The arithmetic right after an "=", if what follows it does not change its meaning."""
    i, depth, opened = 0, 0, []
    while i < len(segment):
        kind = segment[i].kind
        if (
            kind == "lp"
            and depth == 0
            and segment[i].spaced
            and i > 0
            and segment[i - 1].kind in ("num", "rp", "pct")
        ):
            break  # "= $0.20 (20 cents)": a spaced parenthesis after a value is an aside
        if kind == "lp":
            opened.append(i)
            depth += 1
        elif kind == "rp":
            if depth == 0:
                break
            depth -= 1
            opened.pop()
        elif kind not in _ARITHMETIC:
            break
        i += 1
    if depth:
        # "= 30 (the cats left)": a spaced parenthetical remark ends the side.
        first = opened[0]
        remark = segment[first + 1] if first + 1 < len(segment) else None
        if not segment[first].spaced or remark is None or remark.kind != "word":
            return None
        i = first
    prefix = segment[:i]
    if not _well_formed(prefix):
        return None
    rest = segment[i:]
    if rest and not _harmless_tail(rest):
        return None
    return Side(tuple(prefix))


def _harmless_tail(rest: list[Token]) -> bool:
    """What follows a right side: unit words are fine; glued letters, or words followed by more
    arithmetic ("= 2 hours 30 minutes", "= 6 apples + 4"), are not."""
    stop = rest[0]
    if stop.kind == "rp":
        return True
    if stop.kind == "lp":  # an aside in words ("(the cats left)"), not more numbers
        return len(rest) > 1 and rest[1].kind == "word"
    if stop.kind != "word" or not stop.spaced:
        return False
    if len(stop.text) == 1 and stop.text not in ("a", "A"):
        return False  # "= 3 R 2", "= 4 x"
    return not any(t.kind in ("num", "op", "sqrt", "pct") for t in rest)


def _lone_name(side: Side) -> bool:
    """A side that is only a name read as its value."""
    return len(side.tokens) == 1 and side.tokens[0].text[:1].isalpha()


def _whole(segment: list[Token]) -> Side | None:
    """A segment between two "=" signs used as a left side: it must be all arithmetic. Stray
    parentheses at its ends ("= (-2) * 2) =") are dropped, as a reader would."""
    tokens = list(segment)
    if not tokens or any(t.kind not in _ARITHMETIC for t in tokens):
        return None
    balance = sum(1 if t.kind == "lp" else -1 if t.kind == "rp" else 0 for t in tokens)
    first, last = 0, len(tokens)
    while balance < 0 and last > first and tokens[last - 1].kind == "rp":
        last -= 1
        balance += 1
    while balance > 0 and first < last and tokens[first].kind == "lp":
        first += 1
        balance -= 1
    tokens = tokens[first:last]
    return Side(tuple(tokens)) if balance == 0 and _well_formed(tokens) else None


def _well_formed(tokens: Sequence[Token]) -> bool:
    if not tokens or not any(t.kind == "num" for t in tokens):
        return False
    first, last = tokens[0], tokens[-1]
    if first.kind == "op" and (
        first.text not in ("+", "-") or len(tokens) > 1 and tokens[1].spaced
    ):
        return False
    return not (last.kind in ("op", "sqrt") or last.kind == "lp")


def _is_literal(tokens: Sequence[Token]) -> bool:
    return sum(t.kind == "num" for t in tokens) == 1 and not any(
        t.kind == "op" and t.text not in ("+", "-") for t in tokens
    )
