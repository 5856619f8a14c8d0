"""Fenced code blocks: one definition of what a fence is, shared by everything that needs it.

Three things must agree on where fenced code starts and ends: the markdown extension that
highlights the code, the streaming splitter that must not cut a document inside an open fence,
and `code_blocks`, which the window uses to copy block N when the user clicks the N-th "Copy"
link. If they disagreed, a "Copy" link could copy the wrong block; so they all use this file.

The rules are CommonMark's, made lenient for model output: a fence is three or more backticks or
tildes; a backtick fence's info string may not contain a backtick (so "```x```" on one line is
inline code, not a fence); the closing fence uses the same character, at least as many of them,
and nothing else on its line. Unlike CommonMark, a fence may be indented by any amount, because
models indent fences inside list items by two, three or four spaces; the opening fence's
indentation is removed from the code lines. A fence left open runs to the end of the text, which
is also what a half-streamed answer looks like.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from markdown.util import ETX, STX

_OPENING_FENCE = re.compile(r"(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>[^\n]*)")
_LANGUAGE = re.compile(r"[\w+#.-]+")


@dataclass(frozen=True, slots=True)
class Fence:
    """An open code fence: what closes it, how far its code is indented, what language it says."""

    char: str
    length: int
    indent: int
    language: str

    def is_closed_by(self, line: str) -> bool:
        """True when `line` is a closing fence for this one."""
        stripped = line.strip(" \t\r")
        return len(stripped) >= self.length and stripped == self.char * len(stripped)

    def dedent(self, line: str) -> str:
        """`line` of code without the indentation the opening fence had."""
        width = 0
        while width < self.indent and width < len(line) and line[width] in " \t":
            width += 1
        return line[width:]


def open_fence(line: str) -> Fence | None:
    """The fence `line` opens, or None when it opens none."""
    match = _OPENING_FENCE.fullmatch(line.rstrip("\r"))
    if match is None:
        return None
    fence, info = match["fence"], match["info"].strip(" \t")
    if fence[0] == "`" and "`" in info:
        return None
    language = _LANGUAGE.match(info.lstrip("{."))
    return Fence(
        char=fence[0],
        length=len(fence),
        indent=len(match["indent"]),
        language=language.group(0).lower() if language else "",
    )


def code_blocks(text: str) -> list[str]:
    """The code of every fenced block in `text`, in document order.

    Item N is what the "Copy" link with href ``thinkpane-copy:N`` in `render_markdown(text)`
    stands for. Tabs are kept as they were (the rendered block shows them expanded), so what
    the user copies is what the model wrote.
    """
    text = text.replace(STX, "").replace(ETX, "").replace("\r\n", "\n").replace("\r", "\n")
    return [
        "\n".join(part[1]) for part in split_fenced(text.split("\n")) if isinstance(part, tuple)
    ]


def split_fenced(lines: list[str]) -> list[str | tuple[Fence, list[str]]]:
    """`lines` as a sequence of plain lines and fenced blocks (the fence and its code lines).

    The fence lines themselves are dropped; a fence still open at the end takes every line left.
    """
    parts: list[str | tuple[Fence, list[str]]] = []
    fence: Fence | None = None
    code: list[str] = []
    for line in lines:
        if fence is None:
            fence = open_fence(line)
            if fence is None:
                parts.append(line)
            else:
                code = []
                parts.append((fence, code))
        elif fence.is_closed_by(line):
            fence = None
        else:
            code.append(fence.dedent(line))
    return parts
