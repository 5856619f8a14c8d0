"""Line-level rewrites that make Python-Markdown read markdown the way models write it.

Models write CommonMark: nested bullets indented by two spaces, an ordered item's paragraphs
and code indented by three, a list or table directly under a paragraph line. Python-Markdown
wants four spaces per level and a blank line before a list, and would print such answers as
flat lists with stray "- " in them. These preprocessors run in this order:

1. `FencedCodePreprocessor` replaces each fenced block (see `fences.py`) with a placeholder for
   its highlighted HTML, keeping the fence's indentation so a block inside a list item stays
   inside it.
2. `ListIndentPreprocessor` re-indents list items and their continuation lines to four spaces
   per level, leniently: a line belongs to an item when it is indented past the item's marker.
3. `InterruptPreprocessor` puts a blank line before a list or table that starts right under a
   paragraph line.
4. `NestingCapPreprocessor` caps indentation and quote depth at 16 levels: Python-Markdown's
   cost grows steeply with nesting (2,000 levels of list take a minute), and Qt would indent
   the text off the page long before.

Each works on one line at a time with state that a non-indented paragraph after a blank line
clears, which is what lets a streamed document be rendered block by block (`blocks.py`).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from markdown import Markdown
from markdown.preprocessors import Preprocessor
from markdown.util import STX

from client.render.fences import split_fenced

#: Renders one fenced block: (code, language, index in the document) -> HTML.
CodeRenderer = Callable[[str, str, int], str]

MAX_NESTING = 16
_MAX_INDENT = 4 * MAX_NESTING
_QUOTE_MARKER = r"(?: {0,3}> ?)"
_DEEP_QUOTE = re.compile(f"({_QUOTE_MARKER}{{{MAX_NESTING}}}){_QUOTE_MARKER}+")

_LIST_MARKER = re.compile(r"( *)([*+-]|\d+\.)( +)\S")
# Any list item at the margin, and those CommonMark lets interrupt a paragraph (only "1.").
_LIST_ITEM = re.compile(r"(?:[*+-]|\d+\.)[ \t]+\S")
_LIST_START = re.compile(r"(?:[*+-]|1\.)[ \t]+\S")
_TABLE_DELIMITER_CHARS = frozenset("|:- \t")


class FencedCodePreprocessor(Preprocessor):
    """Replaces each fenced block by a placeholder for its rendered HTML, numbering them."""

    def __init__(self, md: Markdown, render_code: CodeRenderer) -> None:
        super().__init__(md)
        self.render_code = render_code
        self.first_index = 0
        self.count = 0

    def run(self, lines: list[str]) -> list[str]:
        result: list[str] = []
        self.count = 0
        for part in split_fenced(lines):
            if isinstance(part, str):
                result.append(part)
                continue
            fence, code = part
            index = self.first_index + self.count
            self.count += 1
            placeholder = self.md.htmlStash.store(
                self.render_code("\n".join(code), fence.language, index)
            )
            # A block of its own: inside the list item its indentation says, or at the top level.
            result.extend(("", " " * fence.indent + placeholder, ""))
        return result


class ListIndentPreprocessor(Preprocessor):
    """Re-indents list items and what belongs to them to Python-Markdown's four per level."""

    def run(self, lines: list[str]) -> list[str]:
        result: list[str] = []
        # For each open list item, outermost first: (marker column, content column).
        items: list[tuple[int, int]] = []
        after_blank = True
        for line in lines:
            stripped = line.lstrip(" ")
            if not stripped:
                result.append(line)
                after_blank = True
                continue
            indent = len(line) - len(stripped)
            marker = _LIST_MARKER.match(line)
            if marker is not None and (items or indent < 4):  # else indented code
                while items and indent <= items[-1][0]:
                    items.pop()
                result.append(" " * (4 * len(items)) + stripped)
                items.append((indent, marker.end(3)))
            elif not items or not after_blank:
                result.append(line)  # outside lists, or a lazy continuation line
            else:
                while items and indent <= items[-1][0]:
                    items.pop()
                if not items or STX in stripped:
                    # A fenced block's placeholder must never become indented code.
                    result.append(" " * (4 * len(items)) + stripped if items else stripped)
                else:
                    extra = max(0, indent - items[-1][1])
                    result.append(" " * (4 * len(items) + extra) + stripped)
            after_blank = False
        return result


class InterruptPreprocessor(Preprocessor):
    """Lets a list or a table begin directly under a paragraph line, without a blank line."""

    def run(self, lines: list[str]) -> list[str]:
        result: list[str] = []
        in_list = False
        previous = ""
        for number, line in enumerate(lines):
            if not line.strip():
                in_list = False
            elif previous.strip() and not in_list and not previous[:1].isspace():
                following = lines[number + 1] if number + 1 < len(lines) else ""
                if _LIST_START.match(line) or _starts_table(previous, line, following):
                    result.append("")
            if _LIST_ITEM.match(line):
                in_list = True
            result.append(line)
            previous = line
        return result


def _starts_table(previous: str, line: str, following: str) -> bool:
    delimiter = following.strip()
    return (
        "|" not in previous
        and "|" in line
        and "|" in delimiter
        and "-" in delimiter
        and set(delimiter) <= _TABLE_DELIMITER_CHARS
    )


class NestingCapPreprocessor(Preprocessor):
    """Caps leading spaces at four per level and quote markers at `MAX_NESTING` levels."""

    def run(self, lines: list[str]) -> list[str]:
        limit = " " * _MAX_INDENT
        capped: list[str] = []
        for line in lines:
            if line.startswith(limit) and line[_MAX_INDENT : _MAX_INDENT + 1] == " ":
                line = limit + line.lstrip(" ")
            if line.lstrip(" ").startswith(">"):
                line = _DEEP_QUOTE.sub(r"\1", line, count=1)
            capped.append(line)
        return capped
