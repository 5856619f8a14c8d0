"""Read the LaTeX maths in a step as maths: equality chains and a small expression tree.

The arithmetic check reads plain numbers; competition maths is written in LaTeX (`\\binom{9}{7}`,
`\\sqrt[3]{27}`, `5!`, `\\frac{a}{b}`, `\\gcd(12, 18)`, `(x+1)^2 = x^2 + 2x + 1`, `align` blocks
whose lines continue with `&=`). This module finds the maths in a step (`\\( \\)`, `\\[ \\]`, `$ $`,
`$$ $$`, display environments), splits it into equality chains with the exact span of each side,
and parses each side into a tree of plain tuples. It knows nothing of SymPy: the `symbolic`
check (symbolic.py) decides what to do with the trees, and imports SymPy only when it must.

The parser refuses (returns None) whatever it does not understand: an unknown command, a
function it cannot name, a vector, a norm, a set, an ellipsis. A refused side is never judged.
Sizes are bounded: long sides, deep nesting, huge exponents and factorials are refused, so a
pathological expression costs a few microseconds, never a stall.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from client.audit.sides import Side as GenericSide

# Maths delimiters in Markdown/LaTeX text. Display first so "$$" is not read as two "$".
_MATH = re.compile(
    r"\$\$(?P<d1>.+?)\$\$"
    r"|\\\[(?P<d2>.+?)\\\]"
    r"|\\\((?P<i1>.+?)\\\)"
    r"|(?<![\\$\w])\$(?P<i2>[^$\n]+?)\$(?!\d)"
    r"|\\begin\{(?P<env>align\*?|aligned|equation\*?|gather\*?|gathered|eqnarray\*?|split)\}"
    r"(?P<body>.+?)\\end\{(?P=env)\}",
    re.DOTALL,
)
_TOKEN = re.compile(
    r"(?P<num>\d{1,3}(?:(?:,|\{,\})\d{3})+(?!\d)(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
    r"|(?P<cmd>\\[A-Za-z]+|\\.)"
    r"|(?P<letter>[A-Za-z])"
    r"|(?P<sym>[-+*/^_!=(){}\[\],|&<>'.:;])"
    r"|(?P<space>\s+)"
    r"|(?P<other>.)",
    re.DOTALL,
)
MAX_SIDE_CHARS = 240  # a longer side is not a claim anyone reads; refuse it
MAX_TOKENS = 120
MAX_DEPTH = 30
MAX_EXPONENT = 64
MAX_FACTORIAL = 200
MAX_BOUND_SPAN = 1000  # terms of a sum or product with numeric bounds
_SPACES = {
    "\\,", "\\;", "\\:", "\\!", "\\ ", "\\quad", "\\qquad", "\\displaystyle", "\\left",
    "\\right", "\\big", "\\Big", "\\bigl", "\\bigr", "\\Bigl", "\\Bigr", "\\limits",
}  # fmt: skip
_TIMES = {"\\cdot", "\\times", "\\ast"}
_SIZED = {"\\left", "\\right", "\\bigl", "\\bigr", "\\Bigl", "\\Bigr", "\\big", "\\Big"}
_SIZED_DELIMITER = re.compile(r"\s*(\\[{}]|[()\[\]|.])")
_FRACTIONS = {"\\frac", "\\dfrac", "\\tfrac", "\\cfrac"}
_FUNCTIONS = {"\\sin", "\\cos", "\\tan", "\\cot", "\\sec", "\\csc", "\\log", "\\ln", "\\lg"}
_NAMED = {"gcd", "lcm"}
_TEXT = {"\\text", "\\textrm", "\\mathrm", "\\operatorname", "\\mbox", "\\textnormal"}
# Relations that make a chain something other than an equality of values.
_NOT_EQUALITY = {
    "\\equiv", "\\pm", "\\mp", "\\ldots", "\\cdots", "\\dots", "\\infty", "\\sim", "\\simeq",
    "\\cong", "\\propto", "\\in", "\\subset", "\\leftrightarrow", "\\perp", "\\parallel",
    "\\mid", "\\nmid", "\\vdots", "\\pmod", "\\mod", "\\lfloor", "\\lceil", "\\angle",
    "\\triangle", "\\overline", "\\vec", "\\|", "\\Vert", "\\vert", "\\mathbf", "\\hat",
    "\\overrightarrow",
}  # fmt: skip
# Letters that name functions when an argument follows: f(2) is not f × 2 (x(x + 1) is).
_FUNCTION_NAMES = frozenset("fghpqFGHPQLRST")
# Maths that is only numbers and the four operations: nothing here for the symbolic check.
_PLAIN_ARITHMETIC = re.compile(
    r"(?:[\d\s+\-*/=().,{}\[\]]|\\(?:[dt]?frac|cdot|times|div|left|right|[,;! ]))*"
)
# Where one chain ends and another starts inside one maths segment: punctuation, spacing, and
# relations that compare or infer ("a = b \approx c" still claims a = b; so does "= 24 > 0").
_CHAIN_BREAKS = {
    ",", ";", "\\quad", "\\qquad", "\\\\", "\\text", "\\textrm", "\\mbox", "<", ">", "\\approx",
    "\\neq", "\\ne", "\\le", "\\leq", "\\ge", "\\geq", "\\lt", "\\gt", "\\leqslant", "\\geqslant",
    "\\to", "\\rightarrow", "\\Rightarrow", "\\implies", "\\iff", "\\therefore", "\\begin",
    "\\end",
}  # fmt: skip


@dataclass(frozen=True)
class MathToken:
    kind: str  # num, cmd, letter, sym, text
    text: str
    start: int  # offsets into the step's text
    end: int
    value: Fraction | None = None
    decimal: bool = False


class Side(GenericSide[MathToken]):
    """One side of an equality chain: its tokens and its span in the step's text."""


@dataclass(frozen=True)
class Chain:
    """`a = b = c` in one maths segment: its sides in order, and where the segment sits."""

    sides: tuple[Side, ...]
    segment_start: int
    segment_end: int


def math_segments(text: str) -> list[tuple[int, int]]:
    """The spans (content only, without delimiters) of the maths in a step's text."""
    spans: list[tuple[int, int]] = []
    for match in _MATH.finditer(text):
        for group in ("d1", "d2", "i1", "i2", "body"):
            if match.group(group) is not None:
                spans.append((match.start(group), match.end(group)))
                break
    return spans


def tokenize(text: str, start: int, end: int) -> list[MathToken] | None:
    """The tokens of text[start:end], with `\\text{...}` kept as one token; None if too long."""
    tokens: list[MathToken] = []
    pos = start
    while pos < end:
        match = _TOKEN.match(text, pos, end)
        assert match is not None  # `other` matches any character
        kind = match.lastgroup or "other"
        raw = match.group()
        nxt = match.end()
        if kind == "space":
            pos = nxt
            continue
        if kind == "cmd" and raw in _TEXT:
            close = _group_end(text, nxt, end)
            if close is not None:
                inner = text[text.index("{", nxt) + 1 : close - 1].strip()
                if inner in _NAMED:  # \operatorname{lcm}, \text{gcd}
                    tokens.append(MathToken("cmd", "\\" + inner, pos, close))
                else:
                    tokens.append(MathToken("text", inner, pos, close))
                pos = close
                continue
        if kind == "cmd" and raw in ("\\begin", "\\end"):
            # "\[ \begin{aligned} … \end{aligned} \]": an environment's edge ends a chain
            # (and a matrix's entries never join the maths around it).
            close = _group_end(text, nxt, end)
            tokens.append(MathToken("sym", raw, pos, close or nxt))
            pos = close or nxt
            continue
        if kind == "cmd" and raw in _SIZED:
            # \left( ... \right]: the delimiter token spans its sizing command.
            delimiter = _SIZED_DELIMITER.match(text, nxt, end)
            if delimiter is not None:
                shown = delimiter.group(1)
                if shown != ".":
                    plain = shown[-1] if shown in ("\\{", "\\}") else shown
                    tokens.append(MathToken("sym", plain, pos, delimiter.end()))
                pos = delimiter.end()
                continue
        if kind == "cmd" and raw in _SPACES:
            pos = nxt
            continue
        if kind == "num":
            plain = raw.replace("{,}", "").replace(",", "")
            tokens.append(MathToken("num", raw, pos, nxt, Fraction(plain), "." in plain))
        else:
            tokens.append(MathToken(kind, raw, pos, nxt))
        if len(tokens) > MAX_TOKENS * 8:
            return None
        pos = nxt
    return tokens


def _group_end(text: str, pos: int, end: int) -> int | None:
    """The offset just after the brace group starting at `pos` (after spaces)."""
    while pos < end and text[pos] == " ":
        pos += 1
    if pos >= end or text[pos] != "{":
        return None
    depth = 0
    for i in range(pos, min(end, pos + 400)):
        if text[i] == "{" and text[i - 1 : i] != "\\":
            depth += 1
        elif text[i] == "}" and text[i - 1 : i] != "\\":
            depth -= 1
            if depth == 0:
                return i + 1
    return None


def chains(text: str) -> list[Chain]:
    """Every equality chain with at least one "=" in the maths of a step's text.

    An `align` line that starts with `&=` continues the chain of the line before it. A chain
    holding any other relation (≈, <, ≡, ±, an ellipsis, an arrow) is left out whole.
    """
    found: list[Chain] = []
    # The display before, for one that starts with "=" and continues its last expression
    # (`\[ (a+b)^2 \] \[ = a^2 + 2ab + b^2 \]`): its span, its last piece once read, and where
    # the first display of the run starts.
    before: tuple[int, int] | None = None
    carried: list[MathToken] | None = None
    run_start, run_chain = 0, -1  # the run's chain so far, in `found` (-1: none yet)
    for start, end in math_segments(text):
        if before is not None and _continued_display(text, before[1], start, end):
            joined = _join_display(text, before, carried, start, end)
            if joined is not None:
                sides, carried = joined
                if sides is not None:
                    chain = Chain(tuple(sides), run_start, end)
                    if run_chain >= 0:
                        found[run_chain] = chain  # the same chain, one display longer
                    else:
                        run_chain = len(found)
                        found.append(chain)
                before = (start, end)
                continue
        before, carried, run_start, run_chain = (start, end), None, start, -1
        if "=" not in text[start:end] or _PLAIN_ARITHMETIC.fullmatch(text, start, end):
            continue  # plain arithmetic between numbers is the arithmetic check's
        tokens = tokenize(text, start, end)
        if tokens is None:
            continue
        for piece in _pieces(tokens):
            sides = _split_sides(piece)
            run_chain = -1
            if sides is not None and len(sides) >= 2:
                run_chain = len(found)
                found.append(Chain(tuple(sides), start, end))
    return found


_DISPLAY_GAP = re.compile(r"\s*(?:\\\]|\$\$)\s*(?:\\\[|\$\$)\s*")
_STARTS_WITH_EQUALS = re.compile(r"\s*&?\s*=(?!=)")


def _continued_display(text: str, before_end: int, start: int, end: int) -> bool:
    """Does a display that starts with "=" follow the display before, with nothing between?"""
    return (
        _DISPLAY_GAP.fullmatch(text, before_end, start) is not None
        and _STARTS_WITH_EQUALS.match(text, start, end) is not None
    )


def _join_display(
    text: str,
    before: tuple[int, int],
    carried: list[MathToken] | None,
    start: int,
    end: int,
) -> tuple[list[Side] | None, list[MathToken]] | None:
    """The chain of a display that continues the one before: the last expression there, then
    this display's sides; with the tokens a further display would continue. None when either
    is unreadable or this display holds more than one piece."""
    if carried is None:
        tokens = tokenize(text, *before)
        pieces = _pieces(tokens) if tokens is not None else []
        if not pieces:
            return None
        carried = pieces[-1]
        if carried[0].text == "=":
            carried = carried[1:]  # it continues what came before the maths: start from here
    tokens = tokenize(text, start, end)
    pieces = _pieces(tokens) if tokens is not None else []
    if len(pieces) != 1:
        return None
    piece = carried + pieces[0]
    sides = _split_sides(piece)
    return (sides if sides is not None and len(sides) >= 2 else None), piece


def _pieces(tokens: list[MathToken]) -> list[list[MathToken]]:
    """Split at chain breaks outside brackets; a line starting with `&=` (or `=`) continues."""
    pieces: list[list[MathToken]] = [[]]
    depth = 0
    for i, token in enumerate(tokens):
        if token.text in ("{", "(", "["):
            depth += 1
        elif token.text in ("}", ")", "]"):
            depth = max(0, depth - 1)
        if token.text == "&":
            continue
        if depth == 0 and (token.text in _CHAIN_BREAKS or token.kind == "text"):
            if token.text == "\\\\" and _continues(tokens, i + 1):
                continue
            if token.kind == "text" and _unit_words(token.text) and pieces[-1]:
                pieces[-1].append(token)  # "5 \text{ cm}": the side ends with its unit
                continue
            pieces.append([])
            continue
        pieces[-1].append(token)
    return [p for p in pieces if p]


def _continues(tokens: list[MathToken], i: int) -> bool:
    while i < len(tokens) and tokens[i].text == "&":
        i += 1
    return i < len(tokens) and tokens[i].text == "="


def _unit_words(words: str) -> bool:
    """A `\\text{}` that only names a unit ("cm", " square units", "dollars") ends a side."""
    plain = words.strip()
    return (
        bool(plain)
        and len(plain) <= 20
        and all(w.isalpha() for w in plain.split())
        and plain.lower() not in _NAMED
        and not any(w.lower() in _CONNECTIVES for w in plain.split())
    )


_CONNECTIVES = {"and", "or", "so", "if", "then", "when", "where", "for", "is", "gives", "but"}


def _split_sides(piece: list[MathToken]) -> list[Side] | None:
    """The sides of `a = b = c`, or None when the piece holds another relation."""
    sides: list[list[MathToken]] = [[]]
    depth = 0
    for token in piece:
        if token.text in _NOT_EQUALITY:
            return None
        if token.text in ("{", "(", "["):
            depth += 1
        elif token.text in ("}", ")", "]"):
            depth -= 1
        if token.text == "=" and depth == 0:
            sides.append([])
        else:
            sides[-1].append(token)
    if any(not side for side in sides):
        return None
    return [Side(tuple(_drop_unit(side))) for side in sides]


def _drop_unit(side: list[MathToken]) -> list[MathToken]:
    """A side without its unit words and a sentence's full stop ("= (m-1)^2.")."""
    while len(side) > 1 and (side[-1].kind == "text" or side[-1].text == "."):
        side = side[:-1]
    return side


class Refused(Exception):
    """This side is not an expression the auditor reads."""


# Tree nodes are plain tuples: ("num", Fraction, decimal), ("sym", name), ("add", [..]),
# ("mul", [..]), ("div", a, b), ("neg", a), ("pow", a, b), ("root", a, n), ("fact", a),
# ("binom", n, k), ("fn", name, arg, base), ("gcd"|"lcm", [..]), ("mod", a, n),
# ("sum"|"prod", var, low, high, body), ("pi",), ("deg", a).
Node = tuple


def parse(side: Side) -> Node | None:
    """The side's tree, or None when it holds anything the parser does not read."""
    tokens = [t for t in side.tokens if t.kind != "text"]
    if not tokens or len(tokens) > MAX_TOKENS or side.end - side.start > MAX_SIDE_CHARS:
        return None
    if any(t.kind == "text" for t in side.tokens[:-1]):
        return None  # words inside the expression
    parser = _Parser(tokens)
    try:
        node = parser.expression()
        if parser.pos != len(tokens):
            return None
        return node
    except (Refused, RecursionError, ZeroDivisionError, ValueError, OverflowError):
        return None


class _Parser:
    def __init__(self, tokens: list[MathToken]) -> None:
        self.tokens = tokens
        self.pos = 0
        self.depth = 0

    def peek(self, ahead: int = 0) -> MathToken | None:
        i = self.pos + ahead
        return self.tokens[i] if i < len(self.tokens) else None

    def take(self) -> MathToken:
        token = self.peek()
        if token is None:
            raise Refused("end")
        self.pos += 1
        return token

    def expect(self, text: str) -> None:
        if self.take().text != text:
            raise Refused(text)

    def expression(self) -> Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise Refused("deep")
        try:
            terms = [self.signed_term()]
            while (token := self.peek()) is not None and token.text in ("+", "-"):
                self.pos += 1
                term = self.term()
                terms.append(("neg", term) if token.text == "-" else term)
            return terms[0] if len(terms) == 1 else ("add", terms)
        finally:
            self.depth -= 1

    def signed_term(self) -> Node:
        token = self.peek()
        if token is not None and token.text in ("+", "-"):
            self.pos += 1
            term = self.term()
            return ("neg", term) if token.text == "-" else term
        return self.term()

    def term(self) -> Node:
        factors = [self.power()]
        while (token := self.peek()) is not None:
            if token.text in _TIMES or token.text == "*":
                self.pos += 1
                factors.append(self.power())
            elif token.text == "\\bmod":
                self.pos += 1
                factors = [("mod", _product(factors), self.power())]
            elif token.text in ("/", "\\div"):
                self.pos += 1
                factors = [("div", _product(factors), self.power())]
            elif self.starts_factor(token):
                factors.append(self.power())  # implicit product: 2x, 3\sqrt{2}, (a)(b)
            else:
                break
        return _product(factors)

    def starts_factor(self, token: MathToken) -> bool:
        if token.kind in ("letter", "num"):
            return True
        if token.text in ("(", "[", "{"):
            return True
        return token.kind == "cmd" and (
            token.text in _FRACTIONS
            or token.text in _FUNCTIONS
            or token.text
            in ("\\sqrt", "\\binom", "\\dbinom", "\\pi", "\\gcd", "\\lcm", "\\sum", "\\prod")
        )

    def power(self) -> Node:
        base = self.postfix()
        token = self.peek()
        if token is not None and token.text == "^":
            self.pos += 1
            exponent = self.atom_or_group()
            if exponent == ("deg",):
                return ("deg", base)
            return ("pow", base, exponent)
        return base

    def postfix(self) -> Node:
        node = self.primary()
        while (token := self.peek()) is not None and token.text == "!":
            self.pos += 1
            node = ("fact", node)
        return node

    def atom_or_group(self) -> Node:
        token = self.peek()
        if token is not None and token.text == "{":
            self.pos += 1
            if (inner := self.peek()) is not None and inner.text == "\\circ":
                self.pos += 1
                self.expect("}")
                return ("deg",)
            node = self.expression()
            self.expect("}")
            return node
        if token is not None and token.text == "\\circ":
            self.pos += 1
            return ("deg",)
        if (
            token is not None
            and token.kind == "num"
            and len(token.text) > 1
            and "." not in token.text
        ):
            # x^23 in LaTeX is x^2 3; refuse rather than guess
            raise Refused("ambiguous exponent")
        return self.postfix()

    def group(self) -> Node:
        self.expect("{")
        node = self.expression()
        self.expect("}")
        return node

    def primary(self) -> Node:
        token = self.take()
        if token.kind == "num":
            assert token.value is not None
            return ("num", token.value, token.decimal)
        if token.kind == "letter":
            if (nxt := self.peek()) is not None and nxt.text == "_":
                raise Refused("indexed name")  # a_1, S_{14}: a name of its own, not a number
            if (
                (nxt := self.peek()) is not None
                and nxt.text == "("
                and token.text in _FUNCTION_NAMES
            ):
                raise Refused("a function")  # f(2), g(f(x)), P(x): not a product
            return ("sym", token.text)
        if token.text in ("(", "["):
            closer = ")" if token.text == "(" else "]"
            node = self.expression()
            if self.take().text != closer:
                raise Refused("unbalanced")
            return node
        if token.text == "{":
            node = self.expression()
            self.expect("}")
            return node
        if token.kind != "cmd":
            raise Refused(token.text)
        name = token.text
        if name in ("\\boxed", "\\fbox"):
            return self.group()  # the boxed value is the value
        if name in _FRACTIONS:
            top = self.group()
            return ("div", top, self.group())
        if name in ("\\binom", "\\dbinom", "\\tbinom"):
            top = self.group()
            return ("binom", top, self.group())
        if name == "\\sqrt":
            index: Node = ("num", Fraction(2), False)
            if (nxt := self.peek()) is not None and nxt.text == "[":
                self.pos += 1
                index = self.expression()
                self.expect("]")
            return ("root", self.atom_or_group() if self.peek_is("{") else self.postfix(), index)
        if name == "\\pi":
            return ("pi",)
        if name in _FUNCTIONS:
            return self.function(name[1:])
        if name in ("\\gcd", "\\lcm"):
            return (name[1:], self.arguments())
        if name in ("\\sum", "\\prod"):
            return self.big_operator(name[1:])
        raise Refused(name)

    def peek_is(self, text: str) -> bool:
        token = self.peek()
        return token is not None and token.text == text

    def function(self, name: str) -> Node:
        base: Node | None = None
        if name == "log" and self.peek_is("_"):
            self.pos += 1
            base = self.atom_or_group()
        if self.peek_is("^"):
            raise Refused("power of a function")  # \sin^2 x
        if self.peek_is("("):
            self.pos += 1
            arg = self.expression()
            self.expect(")")
        elif self.peek_is("{"):
            arg = self.group()
        else:
            arg = self.power()
        if self.peek_is("^") and arg[0] == "num":
            self.pos += 1
            if self.atom_or_group() != ("deg",):
                raise Refused("ambiguous power")
            arg = ("deg", arg)
        return ("fn", name, arg, base)

    def arguments(self) -> list[Node]:
        self.expect("(")
        args = [self.expression()]
        while self.peek_is(","):
            self.pos += 1
            args.append(self.expression())
        self.expect(")")
        return args

    def big_operator(self, name: str) -> Node:
        self.expect("_")
        self.expect("{")
        var = self.take()
        if var.kind != "letter":
            raise Refused("bound variable")
        self.expect("=")
        low = self.expression()
        self.expect("}")
        self.expect("^")
        high = self.atom_or_group()
        body = self.term()
        return (name, var.text, low, high, body)


def _product(factors: list[Node]) -> Node:
    return factors[0] if len(factors) == 1 else ("mul", factors)
