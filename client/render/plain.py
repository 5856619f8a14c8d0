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

from client.render.blocks import PlainBlockSplitter
from client.render.maths_html import plain_paragraphs_html
from client.render.streaming import IncrementalDocument

_PARAGRAPH_BREAK = re.compile(r"\n(?:[ \t]*\n)+")


def _paragraph_html(paragraph: str) -> str:
    if "$" in paragraph or "\\" in paragraph:
        return plain_paragraphs_html(paragraph)  # formulas as pictures (maths_html.py)
    # NUL ends a string for parts of Qt; show the replacement character instead.
    escaped = html.escape(paragraph, quote=False).replace("\x00", "\ufffd")
    return f'<p style="white-space: pre-wrap">{escaped}</p>'


def render_plain(text: str) -> str:
    """`text` as escaped HTML paragraphs, one `<p>` per run of non-blank lines."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    paragraphs = _PARAGRAPH_BREAK.split(f"\n{text}\n")
    return "\n".join(_paragraph_html(p.strip("\n")) for p in paragraphs if p.strip("\n"))


class StreamingPlain(IncrementalDocument):
    """Reasoning text, rendered incrementally as chunks arrive; see `StreamingDocument`.

    When finished, `full_html()` equals `render_plain` of the whole text.
    """

    def _new_splitter(self) -> PlainBlockSplitter:
        return PlainBlockSplitter()

    def _commit(self, paragraph: str) -> str:
        rendered = _paragraph_html(paragraph)
        self._blocks.append(rendered)
        return rendered

    def _render_tail(self, text: str) -> str:
        return _paragraph_html(text) if text.strip(" \t\n") else ""
