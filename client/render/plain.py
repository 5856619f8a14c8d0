"""Reasoning text shown as the model wrote it: escaped, paragraphs kept, no markdown.

Reasoning traces run to 100,000 characters and more and are read as prose, not as a formatted
document, so they skip the markdown pipeline entirely: the text is escaped and each paragraph
(a run of non-blank lines) becomes `<p style="white-space: pre-wrap">`, which Qt honours, so
line breaks and indentation inside a paragraph survive. Nothing in the text can become markup,
so there is nothing to sanitise.

`StreamingPlain` does the same while a trace streams, with `StreamingDocument`'s interface:
a paragraph is finished at the first blank line after it and never rendered again.
"""

from __future__ import annotations

import html
import re
from dataclasses import replace

from client.render.blocks import LineBuffer, PlainBlockSplitter
from client.render.streaming import RenderUpdate

_PARAGRAPH_BREAK = re.compile(r"\n(?:[ \t]*\n)+")


def _paragraph_html(paragraph: str) -> str:
    # NUL ends a string for parts of Qt; show the replacement character instead.
    escaped = html.escape(paragraph, quote=False).replace("\x00", "\ufffd")
    return f'<p style="white-space: pre-wrap">{escaped}</p>'


def render_plain(text: str) -> str:
    """`text` as escaped HTML paragraphs, one `<p>` per run of non-blank lines."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    paragraphs = _PARAGRAPH_BREAK.split(f"\n{text}\n")
    return "\n".join(_paragraph_html(p.strip("\n")) for p in paragraphs if p.strip("\n"))


class StreamingPlain:
    """Reasoning text, rendered incrementally as chunks arrive; see `StreamingDocument`.

    When finished, `full_html()` equals `render_plain` of the whole text.
    """

    def __init__(self) -> None:
        self._start()

    def _start(self) -> None:
        self._lines = LineBuffer()
        self._splitter = PlainBlockSplitter()
        self._blocks: list[str] = []
        self._tail_html = ""
        self._finished = False

    def append(self, delta: str) -> RenderUpdate:
        """Adds `delta` to the text; the paragraphs it finished and the new tail."""
        if self._finished:
            raise RuntimeError("append() after finish(); call replace() to start again")
        new_blocks = self._feed(self._lines.feed(delta))
        tail = self._splitter.pending(self._lines.partial)
        self._tail_html = _paragraph_html(tail) if tail.strip(" \t\n") else ""
        return RenderUpdate(tuple(new_blocks), self._tail_html)

    def finish(self) -> RenderUpdate:
        """The text has ended: the tail becomes a finished paragraph."""
        if self._finished:
            return RenderUpdate((), "")
        new_blocks = self._feed(self._lines.flush())
        if last := self._splitter.finish():
            new_blocks.append(self._commit(last))
        self._tail_html = ""
        self._finished = True
        return RenderUpdate(tuple(new_blocks), "")

    def replace(self, text: str) -> RenderUpdate:
        """Starts again from `text`; the update has `reset` set. Call `finish()` when complete."""
        self._start()
        return replace(self.append(text), reset=True)

    def full_html(self) -> str:
        """The finished paragraphs and the tail, as one fragment."""
        parts = [*self._blocks, self._tail_html] if self._tail_html else self._blocks
        return "\n".join(parts)

    @property
    def finished(self) -> bool:
        """True once `finish()` has been called (and `replace()` has not since)."""
        return self._finished

    def _feed(self, lines: list[str]) -> list[str]:
        return [
            self._commit(paragraph)
            for line in lines
            if (paragraph := self._splitter.feed(line)) is not None
        ]

    def _commit(self, paragraph: str) -> str:
        rendered = _paragraph_html(paragraph)
        self._blocks.append(rendered)
        return rendered
