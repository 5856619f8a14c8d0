"""Model output (untrusted markdown) to one safe HTML fragment for Qt's rich-text engine.

`render_markdown` is the whole pipeline: Python-Markdown with sane lists, capped tables and the
Thinkpane extension (raw HTML escaped, fenced code highlighted with Copy links, links and images
policed; see `extension.py`), then nh3 with an allow-list of exactly the tags and attributes
that pipeline emits. nh3 is the last word: were the extension ever wrong, a `<script>`, an
`<img>`, an event handler or a `javascript:` address still could not reach the document.

The HTML is the subset Qt renders: paragraphs, headings, lists, block quotes, `<pre>`, tables
with `border`/`cellpadding`, links, `<span style="color: …">` for highlighted code, and
formula pictures (``<img src="thinkpane-math:…">``, the only images there are).
"""

from __future__ import annotations

import html
import threading
from dataclasses import dataclass

import nh3
from markdown import Markdown
from markdown.extensions.sane_lists import SaneListExtension

from client.render.extension import TABLE_ATTRIBUTES, ThinkpaneExtension
from client.render.fences import code_blocks
from client.render.highlight import check_theme, code_block_html
from client.render.typeset import MATH_SCHEME

_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "em", "strong", "code", "pre", "span",
    "a", "ul", "ol", "li", "blockquote", "table", "thead", "tbody", "tr", "th", "td", "img",
}  # fmt: skip
_ATTRIBUTES = {
    "a": {"href"}, "span": {"style"}, "pre": {"style"}, "ol": {"start"},
    "img": {"src", "title", "alt"},
}  # fmt: skip
_ALIGNMENTS = {"left", "center", "right"}
_ATTRIBUTE_VALUES = {
    "th": {"align": _ALIGNMENTS},
    "td": {"align": _ALIGNMENTS},
    "table": {name: {value} for name, value in TABLE_ATTRIBUTES.items()},
    "img": {"align": {"middle"}},
    "p": {"align": {"center"}},
}
_URL_SCHEMES = {"http", "https", "mailto", "thinkpane-copy", "thinkpane-image", "thinkpane-math"}
_STYLE_PROPERTIES = {"color", "background-color", "font-weight", "font-style", "text-decoration"}


@dataclass(frozen=True, slots=True)
class RenderedMarkdown:
    """Safe HTML for some markdown, and how many fenced code blocks it numbered."""

    html: str
    code_count: int


def _only_formula_images(tag: str, attribute: str, value: str) -> str | None:
    # Formula pictures (maths_html.py) are the only images, and nothing else links to one.
    if tag == "img" and attribute == "src":
        return value if value.startswith(MATH_SCHEME) else None
    if attribute == "href" and value.startswith(MATH_SCHEME):
        return None
    return value


def sanitize_html(fragment: str) -> str:
    """`fragment` with every tag, attribute, style property and URL not on our lists removed."""
    return nh3.clean(
        fragment,
        tags=_TAGS,
        clean_content_tags={"script", "style"},
        attributes=_ATTRIBUTES,
        attribute_filter=_only_formula_images,
        tag_attribute_values=_ATTRIBUTE_VALUES,
        url_schemes=_URL_SCHEMES,
        url_relative="deny",
        link_rel=None,
        filter_style_properties=_STYLE_PROPERTIES,
        strip_comments=True,
    )


class MarkdownRenderer:
    """One configured `Markdown` converter for one theme.

    Building a converter costs about a millisecond, so it is kept and reset between texts.
    Not thread-safe: each thread, and each `StreamingDocument`, has its own.
    """

    def __init__(self, theme: str = "light") -> None:
        self.theme = check_theme(theme)
        self._extension = ThinkpaneExtension(self._render_code)
        self._markdown = Markdown(
            extensions=[SaneListExtension(), self._extension],
            output_format="html",
            tab_length=4,
        )

    def render(self, text: str, *, first_code_index: int = 0) -> RenderedMarkdown:
        """`text` as safe HTML, numbering its fenced blocks from `first_code_index`."""
        fences = self._extension.fences
        assert fences is not None, "the extension registers its preprocessor on construction"
        self._markdown.reset()
        fences.first_index = first_code_index
        fences.count = 0  # convert() skips the preprocessors for blank text
        try:
            converted = self._markdown.convert(text)
        except RecursionError:
            # Python-Markdown recurses into nested structures. Nesting is capped before it
            # parses (preprocessors.py), but should some input still exhaust the stack, the
            # user gets the text rather than a traceback.
            return RenderedMarkdown(_as_preformatted(text), len(code_blocks(text)))
        return RenderedMarkdown(sanitize_html(converted), fences.count)

    def _render_code(self, code: str, language: str, index: int) -> str:
        return code_block_html(code, language, index, self.theme)


_renderers = threading.local()


def _renderer(theme: str) -> MarkdownRenderer:
    cache: dict[str, MarkdownRenderer] | None = getattr(_renderers, "by_theme", None)
    if cache is None:
        cache = _renderers.by_theme = {}
    renderer = cache.get(theme)
    if renderer is None:
        renderer = cache[theme] = MarkdownRenderer(theme)
    return renderer


def render_markdown(text: str, *, theme: str = "light") -> str:
    """Untrusted markdown `text` as a safe HTML fragment, code highlighted for `theme`.

    `theme` is "light" or "dark". Raw HTML in `text` shows as text; images become placeholder
    links (``thinkpane-image:``), fenced code blocks get "Copy" links (``thinkpane-copy:N``,
    N indexing `code_blocks(text)`), links survive only for http, https and mailto.
    """
    return _renderer(check_theme(theme)).render(text).html


def _as_preformatted(text: str) -> str:
    return f'<pre style="white-space: pre-wrap">{html.escape(text, quote=False)}</pre>'
