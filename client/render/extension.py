"""The markdown extension that makes model output safe and Qt-friendly before sanitising.

Python-Markdown passes raw HTML through and turns images into `<img>`; for text a model wrote,
neither is acceptable. This extension:

- escapes raw HTML: the block and inline HTML processors are removed, so `<script>` is text;
- takes formulas out before markdown reads them (see `maths_html.py`): each becomes a picture
  addressed ``thinkpane-math:…`` that only the window can draw;
- renders fenced code itself (see `fences.py`), highlighted and numbered for the Copy links,
  and reads lists as models write them (see `preprocessors.py`);
- caps tables at `MAX_TABLE_ROWS` rows and `MAX_TABLE_COLUMNS` columns and says what it left
  out, and cuts the rest before any inline parsing, so a 5,000-row table costs little;
- keeps only http, https and mailto links (anything else becomes its plain text), and replaces
  every image with a placeholder naming its address, linked as ``thinkpane-image:<quoted url>``
  when the address is http or https, so the window can offer to open it and never fetches it.

nh3 runs on the result afterwards (`markdown_html.py`): this file decides what is *meant*, nh3
makes sure nothing else gets through.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote, unquote, urlsplit
from xml.etree import ElementTree as etree

from markdown import Markdown
from markdown.blockparser import BlockParser
from markdown.extensions import Extension
from markdown.extensions.tables import TableProcessor
from markdown.treeprocessors import Treeprocessor
from markdown.util import AMP_SUBSTITUTE

from client.render.maths_html import MathPreprocessor
from client.render.preprocessors import (
    CodeRenderer,
    FencedCodePreprocessor,
    InterruptPreprocessor,
    ListIndentPreprocessor,
    NestingCapPreprocessor,
)

MAX_TABLE_ROWS = 200
MAX_TABLE_COLUMNS = 30
IMAGE_SCHEME = "thinkpane-image:"
#: How a table looks in Qt, which draws no cell borders unless the table asks for them.
TABLE_ATTRIBUTES = {"border": "1", "cellpadding": "4", "cellspacing": "0"}


def image_address(href: str) -> str | None:
    """The image address a clicked ``thinkpane-image:`` href stands for, else None."""
    if not href.startswith(IMAGE_SCHEME):
        return None
    return unquote(href[len(IMAGE_SCHEME) :])


def safe_link_target(href: str) -> str | None:
    """`href` decoded, when it is an http, https or mailto address; None for anything else."""
    url = html.unescape(href.replace(AMP_SUBSTITUTE, "&")).strip()
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme in ("http", "https") and parts.netloc:
        return url
    if scheme == "mailto" and parts.path:
        return url
    return None


class CappedTableProcessor(TableProcessor):
    """The tables extension's processor, cutting rows and columns past the caps before parsing."""

    separator: Sequence[str]  # set by test(), which the parser calls just before run()

    def __init__(self, parser: BlockParser) -> None:
        super().__init__(parser, {"use_align_attribute": True})

    def run(self, parent: etree.Element, blocks: list[str]) -> None:
        lines = blocks[0].split("\n")
        hidden_rows = max(0, len(lines) - 2 - MAX_TABLE_ROWS)
        if hidden_rows:
            blocks[0] = "\n".join(lines[: 2 + MAX_TABLE_ROWS])
        hidden_columns = max(0, len(self.separator) - MAX_TABLE_COLUMNS)
        if hidden_columns:
            # Rows are built from the separator's columns, so extra cells are never parsed.
            self.separator = self.separator[:MAX_TABLE_COLUMNS]
        super().run(parent, blocks)
        for name, value in TABLE_ATTRIBUTES.items():
            parent[-1].set(name, value)
        hidden = [
            f"{count:,} more {noun}"
            for count, noun in ((hidden_rows, "rows"), (hidden_columns, "columns"))
            if count
        ]
        if hidden:
            note = etree.SubElement(parent, "p")
            note.text = f"\u2026 {' and '.join(hidden)} not shown"


class LinkPolicy(Treeprocessor):
    """Keeps http, https and mailto links; turns the rest into text and images into placeholders."""

    def run(self, root: etree.Element) -> None:
        # (element, inside a kept link): a placeholder inside a link must not be a link itself.
        pending: list[tuple[etree.Element, bool]] = [(root, False)]
        while pending:
            element, in_link = pending.pop()
            for child in element:
                if child.tag == "a":
                    kept = self._police_link(child)
                    pending.append((child, in_link or kept))
                elif child.tag == "img":
                    self._replace_image(child, as_link=not in_link)
                else:
                    pending.append((child, in_link))

    @staticmethod
    def _police_link(link: etree.Element) -> bool:
        target = safe_link_target(link.get("href", ""))
        link.attrib.clear()
        if target is None:
            link.tag = "span"
            return False
        link.set("href", target)
        return True

    @staticmethod
    def _replace_image(image: etree.Element, *, as_link: bool) -> None:
        alt = (image.get("alt") or "").strip()
        source = safe_link_target(image.get("src", ""))
        image.attrib.clear()
        label = f"image: {alt}" if alt else "image"
        if source is None or source.lower().startswith("mailto:"):
            image.tag = "span"
            image.text = f"[{label}]"
            return
        image.text = f"[{label} \u2014 {source}]"
        if as_link:
            image.tag = "a"
            image.set("href", IMAGE_SCHEME + quote(source, safe=""))
        else:
            image.tag = "span"


class ThinkpaneExtension(Extension):
    """The rewrites of `preprocessors.py` and the policies above, on one `Markdown` instance."""

    def __init__(self, render_code: CodeRenderer, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.render_code = render_code
        self.fences: FencedCodePreprocessor | None = None

    def extendMarkdown(self, md: Markdown) -> None:
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        self.fences = FencedCodePreprocessor(md, self.render_code)
        md.preprocessors.register(self.fences, "thinkpane_fences", 25)
        # After the fences (no maths in code), before anything reads markdown in the TeX.
        md.preprocessors.register(MathPreprocessor(md), "thinkpane_maths", 24.5)
        if "$" not in md.ESCAPED_CHARS:
            md.ESCAPED_CHARS.append("$")  # "\\$5" is a dollar sign (maths.py)
        md.preprocessors.register(ListIndentPreprocessor(md), "thinkpane_list_indent", 24)
        md.preprocessors.register(InterruptPreprocessor(md), "thinkpane_interrupt", 23)
        md.preprocessors.register(NestingCapPreprocessor(md), "thinkpane_nesting_cap", 22)
        md.parser.blockprocessors.register(CappedTableProcessor(md.parser), "table", 75)
        # After "unescape" (0), so hrefs are final when they are checked.
        md.treeprocessors.register(LinkPolicy(md), "thinkpane_links", -10)
