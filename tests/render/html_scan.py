"""Reading rendered HTML back as elements, so tests check what a browser engine would see.

Looking for substrings is not enough: escaped text like "&lt;img src=x&gt;" legitimately
contains "src=", while a real attribute may be spelled in ways a substring search misses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser


@dataclass
class Element:
    tag: str
    attrs: dict[str, str | None]
    text: str = ""


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self._open: list[Element] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, dict(attrs))
        self.elements.append(element)
        if tag not in ("br", "hr"):
            self._open.append(element)

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index].tag == tag:
                del self._open[index:]
                break

    def handle_data(self, data: str) -> None:
        for element in self._open:
            element.text += data


def elements(html: str) -> list[Element]:
    """Every element in `html`, in document order, with the text inside it."""
    collector = _Collector()
    collector.feed(html)
    collector.close()
    return collector.elements


def hrefs(html: str) -> list[str]:
    """The href of every link in `html`."""
    return [e.attrs.get("href") or "" for e in elements(html) if e.tag == "a"]


def text_of(html: str) -> str:
    """The text a reader sees, whitespace collapsed."""
    parser = _Collector()
    parser.feed(f"<root>{html}</root>")
    parser.close()
    return re.sub(r"\s+", " ", parser.elements[0].text).strip()


def assert_inert(html: str) -> None:
    """No element or attribute in `html` can run code, load anything or leave our schemes."""
    allowed_schemes = ("http://", "https://", "mailto:", "thinkpane-copy:", "thinkpane-image:")
    for element in elements(html):
        assert element.tag not in {"script", "img", "iframe", "style", "object", "embed"}, element
        for name, value in element.attrs.items():
            assert not name.startswith("on"), element
            assert name not in {"src", "srcset", "background", "formaction", "action"}, element
            if name == "href":
                assert value is not None and value.startswith(allowed_schemes), element
            if name == "style":
                assert "url(" not in (value or ""), element
    lowered = html.lower()
    assert "<script" not in lowered
    assert "<img" not in lowered
    assert "<iframe" not in lowered
    assert "javascript:" not in " ".join(hrefs(html)).lower()


def squash(html: str) -> str:
    """`html` with whitespace between tags removed and other runs of it collapsed."""
    return re.sub(r"\s+", " ", re.sub(r">\s+<", "><", html)).strip()
