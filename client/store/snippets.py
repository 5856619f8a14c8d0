"""Which part of a turn a search matched, and a few words around the match with it marked.

The index says which turns match; this says where, for the page of results only. It reads the
texts the way the index does (case and accents aside, whole words, a prefix where the user is
still typing, words in scripts without spaces anywhere in a run), which is much cheaper than
FTS5's snippet() on long reasoning full of a common word, and works the same for both indexes.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence

from client.store.search_query import Term

# Match markers that prose never contains (control characters), so that brackets in the text
# itself stay text; search.py shows them as [ and ].
OPEN, CLOSE = "\x02", "\x03"
BEFORE_CHARS = 60  # context before the first match
SNIPPET_CHARS = 200  # the snippet's length, about


def _accented() -> dict[str, str]:
    """Each accented letter of Latin and Greek (lower case) and the plain letter it folds to,
    as the index's remove_diacritics folds them (kana keep their marks: で is not て)."""
    bases: dict[str, str] = {}
    for code in (*range(0xC0, 0x250), *range(0x370, 0x400), *range(0x1E00, 0x2000)):
        ch = chr(code).lower()
        decomposed = unicodedata.normalize("NFKD", ch)
        base = "".join(c for c in decomposed if not unicodedata.combining(c))
        if len(ch) == 1 and len(base) == 1 and base != ch:
            bases[ch] = base
    return bases


_BASE = _accented()
_VARIANTS: dict[str, str] = {}
for _accented_letter, _base_letter in sorted(_BASE.items()):
    _VARIANTS[_base_letter] = _VARIANTS.get(_base_letter, "") + _accented_letter


@functools.lru_cache(maxsize=4096)
def _letter(ch: str) -> str:
    """A pattern for one character: its plain letter or any accented form of it."""
    lower = ch.lower()
    base = _BASE.get(lower, lower) if len(lower) == 1 else ch
    others = _VARIANTS.get(base)
    return f"[{re.escape(base)}{re.escape(others)}]" if others else re.escape(base)


_LETTER = r"[^\W_]"
_BETWEEN = r"[\W_]+"


def pattern(term: Term) -> re.Pattern[str]:
    """Finds `term` as the index matches it: case and accents aside, whole words (the last may
    go on when `prefix`), or anywhere in a run for scripts without spaces."""
    words = ["".join(_letter(ch) for ch in word) for word in term.words]
    body = _BETWEEN.join(words)
    if not term.unspaced:
        end = f"{_LETTER}*" if term.prefix else f"(?!{_LETTER})"
        body = f"(?<!{_LETTER}){body}{end}"
    return re.compile(body, re.IGNORECASE)


def _plain(text: str) -> str:
    """`text` in lower-case ASCII, accents dropped and every other character left out: a cheap
    first look (in C) that can only err towards a word being there."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


class Finder:
    """One term's pattern, with a quick test that rules a text out without the regex when the
    term's words (in plain ASCII) are not even in it: the regex, which ignores case and
    accents, is slow over long reasoning."""

    def __init__(self, term: Term) -> None:
        self.pattern = pattern(term)
        plain = [_plain(word) for word in term.words]
        usable = all(p and len(p) == len(w) for p, w in zip(plain, term.words, strict=True))
        self.plain_words = plain if usable else None

    def anywhere(self, texts: Sequence[str]) -> bool:
        """Whether any of `texts` has the term."""
        return any(text and self.search(text, _Lazy(text)) for text in texts)

    def search(self, text: str, plain: _Lazy) -> re.Match[str] | None:
        if self.plain_words is not None and any(w not in plain.get() for w in self.plain_words):
            return None
        return self.pattern.search(text)


class _Lazy:
    """A text's plain ASCII form, made the first time a Finder asks for it."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.value: str | None = None

    def get(self) -> str:
        if self.value is None:
            self.value = _plain(self.text)
        return self.value


def finders(terms: Sequence[Term]) -> list[Finder]:
    """The finders for the terms to look for (made once per search, used for every result)."""
    return [Finder(term) for term in terms if term.words]


def _window(text: str, spans: list[tuple[int, int]]) -> str:
    """About SNIPPET_CHARS of `text` from a little before the first span, the spans marked."""
    first = spans[0][0]
    start = max(0, first - BEFORE_CHARS)
    if start:
        space = text.find(" ", start, first)
        start = space + 1 if space >= 0 else start
    end = min(len(text), max(start + SNIPPET_CHARS, spans[0][1]))
    if end < len(text):
        space = text.rfind(" ", spans[0][1], end)
        end = space if space > 0 else end
    pieces, at = [], start
    for left, right in spans:
        if left < at or right > end or left == right:
            continue
        pieces += [text[at:left], OPEN, text[left:right], CLOSE]
        at = right
    pieces.append(text[at:end])
    snippet = " ".join("".join(pieces).split())  # one line
    return ("…" if start else "") + snippet + ("…" if end < len(text) else "")


def best_part(texts: Sequence[str], found_by: Sequence[Finder]) -> tuple[int, str]:
    """The index of the text that has the most of the terms (the first on a tie, so the prompt
    before the answer before the reasoning), and its snippet with the matches between OPEN and
    CLOSE.

    When no text has any (the index and this reading can disagree only at the edges, such as a
    word glued to a CJK run), the start of the first text that is not empty, nothing marked.
    """
    best, best_count, first = -1, 0, 0
    for index, text in enumerate(texts):
        if not text:
            continue
        plain = _Lazy(text)
        found = [finder.search(text, plain) for finder in found_by]
        count = sum(m is not None and m.end() > m.start() for m in found)
        if count > best_count:
            best, best_count = index, count
            first = min(m.start() for m in found if m is not None and m.end() > m.start())
            if count == len(found_by):
                break  # every term: no later text can have more
    if best < 0:
        best = next((i for i, text in enumerate(texts) if text), 0)
        return best, _window(texts[best], [(0, 0)]) if texts and texts[best] else ""
    text = texts[best]
    start = max(0, first - BEFORE_CHARS)
    stop = min(len(text), first + SNIPPET_CHARS + BEFORE_CHARS)
    spans = [
        m.span()
        for finder in found_by
        for m in finder.pattern.finditer(text, start, stop)
        if m.end() > m.start()
    ]
    return best, _window(text, _merged(spans))


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans in order, overlapping ones joined."""
    merged: list[tuple[int, int]] = []
    for left, right in sorted(spans):
        if merged and left <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], right))
        else:
            merged.append((left, right))
    return merged
