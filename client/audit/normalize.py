"""Turn a step's LaTeX and Unicode maths into plain ASCII arithmetic, remembering where each
character came from.

The arithmetic check reads `\\frac{3}{5} \\times 30 = 18` and `1,200 − 15 × 4 = 1,140` the same
way it reads `3/5 * 30 = 18`, but a finding must point at the text the user sees. So the
normaliser emits, for every output character, the offset of the source character it stands for;
a span in the normalised text maps back to an exact span of the step.

The output alphabet is small on purpose: digits, `.`, `+ - * / ^ ( ) % √ = ≈`, words, spaces,
`|` for a maths delimiter (a clause boundary), `¦` for a LaTeX line break `\\\\`, and a few symbols the arithmetic check treats as
"not a plain claim" (`≠ ≤ ≥ < > ≡ … ⌊ ⌋ ⌈ ⌉`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A number with thousands separators ("1,234", "1{,}234", "1\,234", thin spaces) or a plain one.
_SEP = r"(?:,|\{,\}|\\,|\u2009|\u202f)"
_LETTERS = r"[^\W\d_½⅓⅔¼¾⅕⅛²³]+"
# A decimal comma ("12,50 €", "0,9", "1.234,56 €" with dots between thousands): one or two
# digits after a comma, which no thousands separator has. Not in a list of numbers ("1,2,3"), a
# pair or a set ("(0,5)", "\{1,2\}") or an index ("a_{1,2}"): there the comma separates.
_COMMA_DECIMAL = r"(?:\d{1,3}(?:\.\d{3})+|\d+),\d{1,2}"
_DECIMAL_COMMA = rf"(?<![\d,.(\[{{]){_COMMA_DECIMAL}(?![\d,])(?!\s*[)\]}}])"
_TOKEN = re.compile(
    # Words and spaces on one line, copied in one piece unless a word may be an operator.
    rf"(?P<plain>(?:{_LETTERS}|[^\S\n]|[-+=()*/^%<>!?;:.,'\"|#@~_])+)"
    r"|(?P<cmd>\\[A-Za-z]+|\\.)"
    rf"|(?P<num>\d{{1,3}}(?:{_SEP}\d{{3}})+(?![\d])(?:\.\d+)?|{_DECIMAL_COMMA}|\d+(?:\.\d+)?|\.\d+)"
    r"|(?P<sym>[½⅓⅔¼¾⅕⅛²³])"
    r"|(?P<space>\s+)"
    r"|(?P<other>.)",
    re.DOTALL,
)

_WORD = re.compile(_LETTERS)
_SIZED = {"\\left", "\\right", "\\big", "\\Big", "\\bigl", "\\bigr", "\\Bigl", "\\Bigr"}
_DELIMITERS = {"(": "(", "[": "(", "\\{": "(", ")": ")", "]": ")", "\\}": ")", "|": "|", ".": ""}
_DELIMITER = re.compile(r"\s*(?:\\[{}]|[()\[\]|.])")
_CURRENCY = {"$", "€", "£"}
_PLAIN_NUMBER = re.compile(r"[\d.]+")
_DECIMAL_COMMA_NUMBER = re.compile(_COMMA_DECIMAL)
_BRACE = re.compile(r"(?<!\\)[{}]")
_MAX_DEPTH = 40
_OPERATOR_WORD = re.compile(r"\b(?:x|X|times|plus|minus|divided|multiplied|of)\b")
# "17 times 3 is 41": "is" or "equals" right after a number may be a claim's "=".
_CLAIM_WORD = re.compile(r"[^\S\n]*(?:is|equals)\b")
_TIMES = {"\\times", "\\cdot", "\\ast", "\\bullet"}
_SIMPLE_COMMANDS: dict[str, str] = {
    "\\div": "/",
    "\\approx": "≈",
    "\\simeq": "≈",
    "\\thickapprox": "≈",
    "\\neq": "≠",
    "\\ne": "≠",
    "\\le": "≤",
    "\\leq": "≤",
    "\\leqslant": "≤",
    "\\ge": "≥",
    "\\geq": "≥",
    "\\geqslant": "≥",
    "\\lt": "<",
    "\\gt": ">",
    "\\equiv": "≡",
    "\\pmod": " mod ",
    "\\bmod": " mod ",
    "\\mod": " mod ",
    "\\lfloor": "⌊",
    "\\rfloor": "⌋",
    "\\lceil": "⌈",
    "\\rceil": "⌉",
    "\\ldots": "…",
    "\\cdots": "…",
    "\\dots": "…",
    "\\dotsb": "…",
    "\\pm": "±",
    "\\mp": "±",
    "\\pi": "π",
    "\\%": "%",
    "\\$": "",
    "\\(": "|",
    "\\)": "|",
    "\\[": "|",
    "\\]": "|",
    "\\\\": "¦",
    "\\{": "(",
    "\\}": ")",
    "\\displaystyle": "",
}
_SPACE_COMMANDS = {"\\,", "\\;", "\\:", "\\!", "\\ ", "\\quad", "\\qquad", "\\enspace"}
# Marks a LaTeX name the arithmetic cannot read (a function, a Greek letter, a vector): the
# tokeniser sees it as a symbol, so nothing next to it is taken for a plain claim.
_OPAQUE = "@"
_NAMED_OBJECTS = {
    "\\|",
    "\\Vert",
    "\\vert",
    "\\lVert",
    "\\rVert",
    "\\lvert",
    "\\rvert",
    "\\vec",
    "\\overrightarrow",
    "\\overline",
    "\\hat",
    "\\bar",
    "\\mathbf",
    "\\boldsymbol",
    "\\bm",
    "\\mathcal",
    "\\mathbb",
}
# A Markdown list bullet at the start of a line: "- ", "* ", "+ " (after any indentation).
_BULLET = re.compile(r"[ \t]*([-*+])[ \t]+")
_TEXT_COMMANDS = {
    "\\text",
    "\\textrm",
    "\\textbf",
    "\\textit",
    "\\texttt",
    "\\mathrm",
    "\\mathit",
    "\\mbox",
    "\\operatorname",
    "\\emph",
    "\\boxed",
    "\\fbox",
}
_FRACTIONS = {"\\frac", "\\dfrac", "\\tfrac", "\\cfrac"}
_CHARS: dict[str, str] = {
    "×": "*",
    "✕": "*",
    "⋅": "*",
    "·": "*",
    "∙": "*",
    "÷": "/",
    "−": "-",
    "‒": "-",
    "﹣": "-",
    "－": "-",
    "≃": "≈",
    "$": "",
    "€": "",
    "£": "",
    "{": "(",
    "}": ")",
    "[": "(",
    "]": ")",
    "&": " ",
    "²": "^2",
    "³": "^3",
    "°": " ",
}
_VULGAR = {"½": "1/2", "⅓": "1/3", "⅔": "2/3", "¼": "1/4", "¾": "3/4", "⅕": "1/5", "⅛": "1/8"}
# Words that mean an operator when they stand between two numbers ("5 times 3").
_WORD_OPERATORS = {"times": "*", "plus": "+", "minus": "-", "x": "*", "X": "*"}
_NUMBER_END = frozenset("0123456789)%")
_CLAIM_LEFT = re.compile(r"([A-Za-z]+)?[^\S\n]*([\d.+\-*/^()%√ ]+)$")
_OPERATOR = re.compile(r"\d\s*[-+*/^]\s*[\d(]")
_NOT_CLAIM_WORDS = frozenset(
    [
        "after",
        "before",
        "than",
        "from",
        "between",
        "of",
        "to",
        "by",
        "with",
        "next",
        "previous",
        "and",
        "or",
        "if",
        "whether",
    ]
)
_TRAILING_DIGITS = re.compile(r"\d+ *$")
_FRACTION_TAIL = re.compile(r"(?<![\d.])\d+ ?/ ?\d+\)*$|\)\)$")


@dataclass(frozen=True)
class Normalised:
    """Plain arithmetic text and, for each of its characters, the source offset it came from."""

    text: str
    source: list[int]
    # Where each output character's source ends: "%" from "\%" covers both characters.
    source_end: list[int]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The source span covering normalised characters [start, end)."""
        return self.source[start], self.source_end[end - 1]


def matching_braces(text: str) -> dict[int, int]:
    """Offset of each `{` → offset of the `}` that closes it, in one pass."""
    pairs: dict[int, int] = {}
    open_at: list[int] = []
    for match in _BRACE.finditer(text):
        if match.group() == "{":
            open_at.append(match.start())
        elif open_at:
            pairs[open_at.pop()] = match.start()
    return pairs


class _Normaliser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.out: list[str] = []
        self.src: list[int] = []
        self.ends: list[int] = []
        self.depth = 0
        self.currency: int | None = None
        self._braces: dict[int, int] | None = None

    @property
    def braces(self) -> dict[int, int]:
        if self._braces is None:
            self._braces = matching_braces(self.text)
        return self._braces

    def emit(self, chars: str, at: int, until: int | None = None) -> None:
        self.out.extend(chars)
        self.src.extend([at] * len(chars))
        self.ends.extend([at + 1 if until is None else until] * len(chars))

    def copy(self, start: int, end: int) -> None:
        self.out.extend(self.text[start:end])
        self.src.extend(range(start, end))
        self.ends.extend(range(start + 1, end + 1))

    def last_char(self) -> str:
        for ch in reversed(self.out[-8:]):
            if ch != " ":
                return ch
        return ""

    def next_char(self, pos: int) -> str:
        while pos < len(self.text) and self.text[pos] in " \t":
            pos += 1
        return self.text[pos] if pos < len(self.text) else ""

    def group(self, pos: int) -> tuple[int, int, int] | None:
        """The brace group starting at `pos` (after spaces): (content start, content end, next)."""
        while pos < len(self.text) and self.text[pos] == " ":
            pos += 1
        if pos >= len(self.text):
            return None
        if self.text[pos] != "{":
            if self.text[pos].isalnum():  # \frac12
                return pos, pos + 1, pos + 1
            return None
        close = self.braces.get(pos)
        return None if close is None else (pos + 1, close, close + 1)

    def open_mixed_number(self) -> bool:
        """Wrap a whole number just emitted ("2" in "2\\frac{1}{2}") so it adds to what follows."""
        tail = "".join(self.out[-24:])
        match = _TRAILING_DIGITS.search(tail)
        if not match:
            return False
        begin = len(self.out) - (len(tail) - match.start())
        if begin > 0 and self.out[begin - 1] in ".^/":
            return False
        while self.out and self.out[-1] == " ":
            self.out.pop()
            self.src.pop()
            self.ends.pop()
        self.out.insert(begin, "(")
        self.src.insert(begin, self.src[begin])
        self.ends.insert(begin, self.src[begin] + 1)
        self.emit("+", self.src[-1])
        return True

    def run(self, start: int, end: int) -> None:
        self.depth += 1
        try:
            self._run(start, end)
        finally:
            self.depth -= 1

    def _run(self, start: int, end: int) -> None:
        pos = start
        while pos < end:
            match = _TOKEN.match(self.text, pos, end)
            assert match is not None  # `other` matches any character
            kind = match.lastgroup
            token = match.group()
            nxt = match.end()
            if kind == "num":
                first = len(self.out)
                self.number(token, pos, nxt)
                if self.currency is not None:
                    self.src[first] = self.currency
                    self.currency = None
                pos = nxt
                continue
            if kind == "cmd":
                nxt = self.command(token, pos, nxt)
            elif kind == "plain":
                bullet = (
                    _BULLET.match(self.text, pos, nxt)
                    if token.lstrip(" \t")[:1] in ("-", "*", "+") and _line_start(self.text, pos)
                    else None
                )
                if bullet is not None:
                    # "- \(2^9 = 512\)": a list bullet starts a new item, it is no minus sign.
                    self.emit("\n", bullet.start(1))
                    self.copy(bullet.end(1), bullet.end())
                    pos = bullet.end()
                    continue
                if _OPERATOR_WORD.search(token) or (
                    _CLAIM_WORD.match(token) and self.last_char() in _NUMBER_END
                ):
                    self.plain(pos, nxt)
                else:
                    self.copy(pos, nxt)
            elif kind == "space":
                self.emit(" " if "\n" not in token else "\n", pos)
            else:
                self.other(token, pos)
            pos = nxt

    def number(self, token: str, pos: int, nxt: int) -> None:
        """Digits and the decimal point; thousands separators are dropped."""
        if _PLAIN_NUMBER.fullmatch(token):
            self.copy(pos, nxt)
            return
        decimal_comma = _DECIMAL_COMMA_NUMBER.fullmatch(token) is not None
        for i in range(pos, nxt):
            ch = self.text[i]
            if ch.isdigit() or ch == "." and not decimal_comma:
                self.emit(ch, i)
            elif ch == "," and decimal_comma:
                self.emit(".", i)

    def plain(self, start: int, end: int) -> None:
        """Words and spaces, some of which may be operators ("5 times 3")."""
        pos = start
        for word in _WORD.finditer(self.text, start, end):
            if word.start() < pos:
                continue  # consumed with the word before ("divided by")
            self.copy(pos, word.start())
            pos = self.word(word.group(), word.start(), word.end())
        self.copy(pos, end)

    def word(self, token: str, pos: int, nxt: int) -> int:
        before = self.last_char()
        between = before != "" and (before.isdigit() or before in ")%")
        following = self.next_char(nxt)
        follows_number = following != "" and (following.isdigit() or following in "($")
        if between and follows_number and token in _WORD_OPERATORS:
            self.emit(f" {_WORD_OPERATORS[token]} ", pos)
            return nxt
        if between and follows_number and token in ("is", "equals") and self.claim_before():
            # "17 times 3 is 41": a claim in words, read as "=" between numbers.
            self.emit(" = ", pos, nxt)
            return nxt
        if token in ("divided", "multiplied") and between:
            rest = re.match(r"\s+by\s+(?=[\d($])", self.text[nxt:])
            if rest:
                self.emit(" / " if token == "divided" else " * ", pos)
                return nxt + rest.end()
        if token == "of" and follows_number and self.fraction_before():
            self.emit(" * ", pos)
            return nxt
        self.copy(pos, nxt)
        return nxt

    def claim_before(self) -> bool:
        """Is the text before "is" a worked expression that starts a claim ("17 times 3 is")?
        Not a single number, and not after a preposition ("the multiple after 9 · 9^3 is")."""
        tail = "".join(self.out[-80:])
        match = _CLAIM_LEFT.search(tail)
        if match is None or not _OPERATOR.search(match.group(2).strip()):
            return False
        return (match.group(1) or "").lower() not in _NOT_CLAIM_WORDS

    def fraction_before(self) -> bool:
        tail = "".join(self.out[-24:]).rstrip()
        return tail.endswith("%") or bool(_FRACTION_TAIL.search(tail))

    def other(self, token: str, pos: int) -> None:
        if token in _VULGAR:
            mixed = self.open_mixed_number()
            self.emit(f"({_VULGAR[token]})", pos)
            if mixed:
                self.emit(")", pos)
        elif token == "–":  # an en dash is a minus between spaced operands, a range otherwise
            spaced = pos > 0 and self.text[pos - 1] == " " and self.text[pos + 1 : pos + 2] == " "
            self.emit("-" if spaced else "–", pos)
        elif token in _CURRENCY:
            self.currency_before(pos, pos + 1)
        elif token in _CHARS:
            self.emit(_CHARS[token], pos)
        else:
            self.emit(token, pos)

    def currency_before(self, pos: int, nxt: int) -> None:
        """A currency sign emits nothing, but a number right after it spans it ("$12")."""
        if self.text[nxt : nxt + 1].isdigit():
            self.currency = pos

    def command(self, token: str, pos: int, nxt: int) -> int:
        if self.depth > _MAX_DEPTH:
            self.emit(" ", pos)  # nested beyond any real formula: read no further in
            return nxt
        if token in _FRACTIONS:
            numerator = self.group(nxt)
            denominator = self.group(numerator[2]) if numerator else None
            if numerator is None or denominator is None:
                self.emit("frac", pos)
                return nxt
            mixed = self.open_mixed_number()
            self.emit("((", pos)
            self.run(numerator[0], numerator[1])
            self.emit(")/(", numerator[1])
            self.run(denominator[0], denominator[1])
            self.emit("))" + (")" if mixed else ""), denominator[2] - 1, denominator[2])
            return denominator[2]
        if token == "\\sqrt":
            if self.next_char(nxt) == "[":  # an nth root is not checked
                self.emit("root", pos)
                return nxt
            self.emit("√", pos)
            return nxt
        if token in _TEXT_COMMANDS:
            group = self.group(nxt)
            if group is None:
                return nxt
            self.emit(" ", pos)
            self.run(group[0], group[1])
            self.emit(" ", group[2] - 1, group[2])
            return group[2]
        if token in ("\\begin", "\\end"):
            group = self.group(nxt)
            self.emit("|", pos)
            return group[2] if group else nxt
        if token in _SIZED:
            # \left( \right] \left. \bigl\{ : the delimiter belongs to the command's span.
            delimiter = _DELIMITER.match(self.text, nxt)
            if delimiter is None:
                return nxt
            self.emit(_DELIMITERS[delimiter.group().strip()], pos, delimiter.end())
            return delimiter.end()
        if token == "\\circ":
            if self.out and self.out[-1] == "^":
                self.out.pop()
                self.src.pop()
                self.ends.pop()
            self.emit(" ", pos)
            return nxt
        if token == "\\$":
            self.currency_before(pos, nxt)
        elif token in _TIMES:
            self.emit("*", pos, nxt)
        elif token in _SPACE_COMMANDS:
            self.emit(" ", pos)
        elif token in _SIMPLE_COMMANDS:
            self.emit(_SIMPLE_COMMANDS[token], pos, nxt)
        elif token in _NAMED_OBJECTS:
            # \vec{a}, \|a\|, \mathbf{v}: a vector or a norm, never a plain number.
            self.emit(_OPAQUE + token[1:], pos, nxt)
        else:
            # An unknown command (\cos, \log, \alpha, \angle) is a function or a symbol: it
            # reads as an opaque name, so "12 \cos C" is never "12" followed by a unit word.
            self.emit(_OPAQUE + token[1:] if token[1:].isalpha() else " ", pos, nxt)
        return nxt


def _line_start(text: str, pos: int) -> bool:
    """Is `pos` at the start of a line, after indentation only?"""
    line = text.rfind("\n", 0, pos) + 1
    return text[line:pos].strip(" \t") == ""


def normalise(text: str) -> Normalised:
    """Normalise `text`; `Normalised.source[i]` is the offset in `text` of output character i."""
    normaliser = _Normaliser(text)
    normaliser.run(0, len(text))
    return Normalised("".join(normaliser.out), normaliser.src, normaliser.ends)
