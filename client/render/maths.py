"""Where the maths is in model output: the one rule for telling a formula from a price.

Reasoning models write LaTeX unprompted, and they also write prices. Everything that shows
text (the answer, the reasoning, the Steps view, the exports) asks `split_maths` which parts of
a text are formulas, so they all agree. The rule is pandoc's `tex_math_dollars`, which is also
what KaTeX's auto-render and most chat front ends follow, made strict where model output needs it:

- ``$…$`` is inline maths when the opening ``$`` is followed by a non-space character and the
  next ``$`` is preceded by a non-space character and not followed by a digit.
  That next ``$`` decides: when it cannot close, the opener is a dollar sign and scanning goes
  on from the next character. So "a notebook costs $3 and a pen $4" is text (the second ``$``
  has a space before it), and in "badges cost $3 each, a banner $4: solve $x^2 = 4$" only
  ``$x^2 = 4$`` is maths. (Pandoc would look past a ``$`` that cannot close and make the whole
  span from ``$3`` one formula; models write prices beside maths too often for that.)
- ``$$…$$`` and ``\\[…\\]`` are display maths; ``\\(…\\)`` is inline maths.
- ``\\begin{env}…\\end{env}`` standing at the start of a line is display maths too, for the
  environments models emit: align, aligned, equation, gather, multline, cases, matrix, pmatrix,
  bmatrix, vmatrix, array (starred forms included). Inside display maths any environment is
  simply part of the formula.
- ``\\boxed{…}`` standing in prose, outside any delimiters, is inline maths: models box their
  final answer that way ("The answer is \\boxed{42}").
- A backslash escapes the next character: ``\\$`` is a dollar sign, ``\\\\[`` is a backslash and
  a bracket. Inside a formula, ``\\$`` does not close it. Braces do not hide a closer:
  ``$\\text{$x$}$`` is not read as one formula (models escape dollars inside ``\\text``).
- Nothing inside a code span (backticks) is maths; fenced code never reaches here (the markdown
  pipeline takes it out first, and `split_maths` is given prose).
- A formula never spans a blank line (a paragraph break), and an unclosed opener is text. So a
  formula still streaming in shows as its source, and becomes maths once its closer arrives;
  and every formula lies inside one block of `blocks.py`, so finished blocks stay finished.
- A formula longer than `MAX_FORMULA_CHARS` is text: nobody reads it typeset, and it bounds the
  work any one formula can ask of the renderer.

The result is a list of `Prose` and `Formula` parts whose `source` strings join to exactly the
text given, so nothing is ever lost or shown twice. The scan is linear in the text's length,
however many openers are left unclosed. No Qt here.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass

MAX_FORMULA_CHARS = 4_000

#: Environments that count as display maths on their own, without $$ or \[ around them.
DISPLAY_ENVIRONMENTS = (
    "align", "aligned", "equation", "gather", "gathered", "multline", "cases", "matrix",
    "pmatrix", "bmatrix", "Bmatrix", "vmatrix", "Vmatrix", "array", "split", "alignat",
)  # fmt: skip
# A bare \boxed{...} in prose: braces nested up to three deep, on one line (possessive: linear).
_BOXED = re.compile(r"\\boxed\{(?:[^{}\n]|\{(?:[^{}\n]|\{[^{}\n]*+\})*+\})*+\}")
_BEGIN = re.compile(r"\\begin\{(" + "|".join(DISPLAY_ENVIRONMENTS) + r")(\*?)\}")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_LINE_START_SPACE = re.compile(r"[ \t]*\Z")
_LINE_END_SPACE = re.compile(r"[ \t]*(?:\n|\Z)")


@dataclass(frozen=True, slots=True)
class Prose:
    """Text that is not maths, exactly as written."""

    source: str


@dataclass(frozen=True, slots=True)
class Formula:
    """A formula: its TeX (without delimiters), whether it is display maths, and its source.

    `source` is the formula as written, delimiters included: what copying it gives back.
    """

    tex: str
    display: bool
    source: str


Part = Prose | Formula


def split_maths(text: str) -> list[Part]:
    """`text` cut into prose and formulas, in order; the parts' sources join to `text`."""
    if "$" not in text and "\\" not in text:
        return [Prose(text)] if text else []
    scanner = _Scanner(text)
    parts: list[Part] = []
    prose_start = 0
    i = 0
    n = len(text)
    while i < n:
        char = text[i]
        if char == "`":
            i = scanner.after_code_span(i)
            continue
        found: tuple[Formula, int] | None = None
        if char == "\\":
            if i + 1 >= n:
                break
            following = text[i + 1]
            if following in "([":
                found = scanner.bracketed(i)
            elif following == "b":
                if text.startswith("boxed{", i + 1):
                    found = scanner.boxed(i)
                elif _at_line_start(text, i):
                    found = scanner.environment(i)
            if found is None:
                i += 2  # an escape: the next character is itself
                continue
        elif char == "$":
            found = scanner.dollars(i)
            if found is None:
                i += 2 if text.startswith("$$", i) else 1
                continue
        else:
            i += 1
            continue
        formula, end = found
        if i > prose_start:
            parts.append(Prose(text[prose_start:i]))
        parts.append(formula)
        prose_start = i = end
    if prose_start < n:
        parts.append(Prose(text[prose_start:]))
    return parts


def has_maths(text: str) -> bool:
    """True when `text` holds at least one formula."""
    return any(isinstance(part, Formula) for part in split_maths(text))


def formulas(text: str) -> list[Formula]:
    """The formulas of `text`, in order."""
    return [part for part in split_maths(text) if isinstance(part, Formula)]


def formula_ranges(text: str) -> list[tuple[int, int]]:
    """Where the formulas of `text` are, as (start, end) offsets of their sources."""
    ranges: list[tuple[int, int]] = []
    position = 0
    for part in split_maths(text):
        end = position + len(part.source)
        if isinstance(part, Formula):
            ranges.append((position, end))
        position = end
    return ranges


def stands_alone(parts: list[Formula | Prose], index: int) -> bool:
    """True when formula `index` of `parts` is display maths with nothing else on its lines."""
    formula = parts[index]
    if not isinstance(formula, Formula) or not formula.display:
        return False
    before = parts[index - 1].source if index > 0 else ""
    after = parts[index + 1].source if index + 1 < len(parts) else ""
    if index > 0 and not isinstance(parts[index - 1], Prose):
        return False
    if index + 1 < len(parts) and not isinstance(parts[index + 1], Prose):
        return False
    line_before = before[before.rfind("\n") + 1 :]
    return bool(_LINE_START_SPACE.fullmatch(line_before) and _LINE_END_SPACE.match(after))


def _at_line_start(text: str, index: int) -> bool:
    line_start = text.rfind("\n", 0, index) + 1
    return not text[line_start:index].strip(" \t>")


class _Scanner:
    """Finds closers in one text in linear time overall, however many openers fail.

    A text of 40,000 unclosed openers would make a naive scan look ahead from each of them;
    here each kind of closer is searched once per stretch of text (the next unescaped one
    after a position is remembered), and paragraph breaks are found once, up front.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self._breaks = [match.start() for match in _BLANK_LINE.finditer(text)]
        self._next: dict[str, tuple[int, int]] = {}  # closer: (searched from, found or -1)

    def _next_break(self, position: int) -> int:
        index = bisect_left(self._breaks, position)
        return self._breaks[index] if index < len(self._breaks) else len(self.text)

    def _escaped(self, position: int) -> bool:
        backslashes = 0
        while position - backslashes > 0 and self.text[position - backslashes - 1] == "\\":
            backslashes += 1
        return backslashes % 2 == 1

    def _find(self, closer: str, start: int) -> int:
        """The first unescaped `closer` at or after `start`, or -1."""
        remembered = self._next.get(closer)
        if remembered is not None:
            searched_from, found = remembered
            if searched_from <= start and (found < 0 or start <= found):
                return found
        position = start
        while True:
            found = self.text.find(closer, position)
            if found < 0 or not self._escaped(found):
                break
            position = found + 1
        self._next[closer] = (start, found)
        return found

    def closing(self, start: int, closer: str) -> int | None:
        """Where `closer` first stands after `start`, unescaped and in the same paragraph."""
        found = self._find(closer, start)
        if found < 0 or found - start > MAX_FORMULA_CHARS or self._next_break(start) < found:
            return None
        return found

    def dollars(self, start: int) -> tuple[Formula, int] | None:
        text = self.text
        if text.startswith("$$", start):
            body = start + 2
            close = self.closing(body, "$$")
            if close is None or not text[body:close].strip():
                return None
            return _made(text, start, body, close, close + 2, display=True)
        body = start + 1
        if body >= len(text) or text[body].isspace() or text[body] == "$":
            return None
        close = self.closing(body, "$")
        if close is None:
            return None
        if text[close - 1].isspace() or text[close + 1 : close + 2].isdigit():
            return None  # the next dollar is no closer: this one is a dollar sign
        return _made(text, start, body, close, close + 1, display=False)

    def bracketed(self, start: int) -> tuple[Formula, int] | None:
        display = self.text[start + 1] == "["
        body = start + 2
        close = self.closing(body, "\\]" if display else "\\)")
        if close is None or not self.text[body:close].strip():
            return None
        return _made(self.text, start, body, close, close + 2, display=display)

    def environment(self, start: int) -> tuple[Formula, int] | None:
        begin = _BEGIN.match(self.text, start)
        if begin is None:
            return None
        end_marker = f"\\end{{{begin[1]}{begin[2]}}}"
        close = self.closing(begin.end(), end_marker)
        if close is None:
            return None
        end = close + len(end_marker)
        if end - start > MAX_FORMULA_CHARS:
            return None
        source = self.text[start:end]
        return Formula(source, True, source), end

    def boxed(self, start: int) -> tuple[Formula, int] | None:
        match = _BOXED.match(self.text, start)
        if match is None or match.end() - start > MAX_FORMULA_CHARS:
            return None
        return Formula(match[0], False, match[0]), match.end()

    def after_code_span(self, start: int) -> int:
        """Where scanning resumes after the backtick run at `start`: past its code span."""
        text = self.text
        run_end = start
        while run_end < len(text) and text[run_end] == "`":
            run_end += 1
        run = run_end - start
        search = run_end
        limit = self._next_break(run_end)
        while True:
            close = text.find("`" * run, search, limit)
            if close < 0:
                return run_end  # no closing run in this paragraph: the backticks are text
            close_end = close + run
            if close_end < len(text) and text[close_end] == "`":
                while close_end < len(text) and text[close_end] == "`":
                    close_end += 1
                search = close_end  # a longer run does not close it
                continue
            if close > 0 and text[close - 1] == "`":
                search = close_end
                continue
            return close_end


def _made(
    text: str, start: int, body: int, close: int, end: int, *, display: bool
) -> tuple[Formula, int] | None:
    if end - start > MAX_FORMULA_CHARS:
        return None
    return Formula(text[body:close].strip(), display, text[start:end]), end
