"""Cutting streamed text into blocks that can be rendered once and never again.

While an answer streams in, re-rendering all of it on every update costs time proportional to
its length, per update. Instead the text is cut into blocks at blank lines; a block is rendered
when it is known to be finished, and only the last block is re-rendered as it grows.

Knowing a block is finished takes care. A blank line inside a fenced code block is code, so no
cut is made while a fence is open, however many chunks it spans. And Python-Markdown joins some
blocks across blank lines: a list item after a list continues that list, a quote after a quote
continues that quote, and an indented line continues whatever came before. So a blank line ends
a block only once the next non-blank line has arrived and is none of those. The rule errs one
way only: when unsure it keeps the block open, which costs some re-rendering but never changes
the result, because rendering more text together is what rendering the whole document does.

Everything here looks at each line once, when it completes: the cost of a chunk is the cost of
its own lines, whatever came before.
"""

from __future__ import annotations

import re

from client.render.fences import Fence, open_fence

# Deliberately generous (any indentation, ")" too, nothing needed after the marker): calling a
# line a list item when Python-Markdown would not only keeps a block open a little longer.
_LIST_MARKER = re.compile(r"[ \t]*(?:[*+-]|\d+[.)])(?:[ \t]|$)")


def is_blank(line: str) -> bool:
    """True for a line Python-Markdown treats as empty, that is a paragraph break."""
    return not line.strip(" \t")


class LineBuffer:
    """Turns chunks into complete lines, holding back the line still arriving.

    Line ends are normalised as Python-Markdown does ("\\r\\n" and "\\r" become "\\n"); a "\\r"
    at the end of a chunk waits for the next one, in case that starts with "\\n".
    """

    def __init__(self) -> None:
        self.partial = ""
        self._carriage_return = False

    def feed(self, chunk: str) -> list[str]:
        """The lines `chunk` completes, in order."""
        if self._carriage_return:
            chunk = "\r" + chunk
            self._carriage_return = False
        if chunk.endswith("\r"):
            chunk = chunk[:-1]
            self._carriage_return = True
        if "\r" in chunk:
            chunk = chunk.replace("\r\n", "\n").replace("\r", "\n")
        if "\n" not in chunk:
            self.partial += chunk
            return []
        lines = chunk.split("\n")
        lines[0] = self.partial + lines[0]
        self.partial = lines.pop()
        return lines

    def flush(self) -> list[str]:
        """The last line, complete now because the text has ended."""
        line, self.partial = self.partial, ""
        self._carriage_return = False
        return [line] if line else []


class MarkdownBlockSplitter:
    """Finds where finished markdown blocks end, one complete line at a time."""

    def __init__(self) -> None:
        self._lines: list[str] = []
        self._blank_lines = 0  # blank lines after the block, not yet known to end it
        self._fence: Fence | None = None
        self._may_continue_list = False
        self._may_continue_quote = False

    def feed(self, line: str) -> str | None:
        """Takes one complete line; returns the text of the block it finished, if any."""
        if self._fence is not None:
            self._lines.append(line)
            if self._fence.is_closed_by(line):
                self._fence = None
            return None
        if is_blank(line):
            if self._lines:
                self._blank_lines += 1
            return None
        finished: str | None = None
        if self._blank_lines and self._starts_new_block(line):
            finished = self.finish()
        else:
            self._lines.extend([""] * self._blank_lines)
        self._blank_lines = 0
        self._lines.append(line)
        self._note(line)
        return finished

    def pending(self, partial: str = "") -> str:
        """The unfinished block, followed by `partial`, the line still arriving."""
        if not partial:
            return "\n".join(self._lines)
        if not self._lines:
            return partial
        return "\n".join([*self._lines, *[""] * self._blank_lines, partial])

    def finish(self) -> str:
        """The last block's text, now that the text has ended; the splitter starts afresh."""
        text = "\n".join(self._lines)
        self._lines = []
        self._blank_lines = 0
        self._fence = None
        self._may_continue_list = self._may_continue_quote = False
        return text

    def _starts_new_block(self, line: str) -> bool:
        if line[0] in " \t":
            return False  # list item continuation, indented code, nested list: all join up
        if self._may_continue_list and _LIST_MARKER.match(line):
            return False
        return not (self._may_continue_quote and line.startswith(">"))

    def _note(self, line: str) -> None:
        self._fence = open_fence(line)
        if self._fence is not None:
            return
        if _LIST_MARKER.match(line):
            self._may_continue_list = True
        elif line.lstrip(" \t").startswith(">"):
            self._may_continue_quote = True


class PlainBlockSplitter:
    """Finds where paragraphs of plain text end: at the first blank line after them."""

    def __init__(self) -> None:
        self._lines: list[str] = []

    def feed(self, line: str) -> str | None:
        """Takes one complete line; returns the paragraph it finished, if any."""
        if not is_blank(line):
            self._lines.append(line)
            return None
        return self.finish() or None

    def pending(self, partial: str = "") -> str:
        """The unfinished paragraph, followed by `partial`, the line still arriving."""
        if not partial:
            return "\n".join(self._lines)
        return "\n".join([*self._lines, partial])

    def finish(self) -> str:
        """The last paragraph's text (empty if none); the splitter starts afresh."""
        text = "\n".join(self._lines)
        self._lines = []
        return text
