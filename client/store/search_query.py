"""What the user typed in a search box, read as a search box reads it, and turned into FTS5.

People type words, not FTS5 syntax. This small parser understands what they expect from a
search box and takes everything else as text:

- `word word`: every word must appear;
- the last word, still being typed, matches as the start of a word (`zor` finds `zorfamabven`)
  unless a space follows it or it is a single letter; any word ending in `*` matches that way too;
- `"a phrase"`: those words together, in that order;
- `-word` or `-"a phrase"`: leave out turns that have it;
- `this OR that`: either one (OR in capitals, between two words or phrases).

Everything else is text: a lone quote, a bracket, `NEAR(`, `AND`, `col:word`, `^`, a `*` or `-`
standing alone. Punctuation splits words the way the index does (`std::vector` is the phrase
`std vector`, `c++` is `c`), and a term with no letters or digits left is dropped. The FTS5
expression is built from the parsed terms only, each quoted, so nothing the user types can be
read as FTS5 syntax or raise a syntax error.

Terms in scripts written without spaces (client.store.scripts) are marked, because they are
looked up in the substring index instead of the word index.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from client.store.scripts import has_unspaced

# A word that is still being typed matches as a prefix from this many characters on: one letter
# would match a large part of the vocabulary and tell the user nothing.
MIN_TYPED_PREFIX = 2


def _separates(ch: str) -> bool:
    """Whether `ch` splits words: spaces, punctuation, symbols and control characters.

    Letters, digits and combining marks stay inside a word, so a word here is never split
    more finely than the index splits it; the index splits the quoted word further if needed.
    """
    return unicodedata.category(ch)[0] in "PSZC"


def words_of(text: str) -> tuple[str, ...]:
    """The words in `text`, split at whatever is not a letter, digit or mark."""
    words: list[str] = []
    current: list[str] = []
    for ch in text:
        if _separates(ch):
            if current:
                words.append("".join(current))
                current = []
        else:
            current.append(ch)
    if current:
        words.append("".join(current))
    return tuple(words)


@dataclass(frozen=True)
class Term:
    """Words that must appear together, in order; `prefix`: the last may go on (`zor…`)."""

    words: tuple[str, ...]
    prefix: bool = False

    @property
    def text(self) -> str:
        return " ".join(self.words)

    @property
    def unspaced(self) -> bool:
        """In a script without spaces between words: looked up in the substring index."""
        return has_unspaced(self.text)

    def fts(self) -> str:
        """This term as an FTS5 string: quoted, so it is only ever text."""
        quoted = '"' + self.text.replace('"', '""') + '"'
        return quoted + "*" if self.prefix and not self.unspaced else quoted


@dataclass(frozen=True)
class Query:
    """Every group must match (a group: any one of its terms); no excluded term may match."""

    groups: tuple[tuple[Term, ...], ...] = ()
    excluded: tuple[Term, ...] = ()

    @property
    def empty(self) -> bool:
        """Nothing to look for (no words, or only words to leave out)."""
        return not self.groups

    @property
    def terms(self) -> tuple[Term, ...]:
        return tuple(term for group in self.groups for term in group) + self.excluded

    @property
    def unspaced(self) -> bool:
        """Whether some term needs the substring index."""
        return any(term.unspaced for term in self.terms)

    def phrase(self) -> Term | None:
        """All the words to find as one phrase, for ranking an exact match first.

        None when there is no such phrase to prefer: a single term, an OR, or a term in the
        substring index (which matches runs of characters, phrases included, anyway).
        """
        if len(self.groups) < 2 or any(len(group) > 1 for group in self.groups):
            return None
        terms = [group[0] for group in self.groups]
        if any(term.unspaced for term in terms):
            return None
        return Term(tuple(w for term in terms for w in term.words), terms[-1].prefix)

    def fts(self, *, without: Term | None = None) -> str:
        """The FTS5 expression for the word index (terms in the substring index not included).

        `without`: also leave out matches of this term (the phrase of an exact-match tier).
        """
        parts = []
        for group in self.groups:
            alternatives = [term.fts() for term in group]
            parts.append(
                alternatives[0] if len(alternatives) == 1 else f"({' OR '.join(alternatives)})"
            )
        expression = " AND ".join(parts)
        left_out = [term.fts() for term in self.excluded]
        if without is not None:
            left_out.append(without.fts())
        if left_out:
            expression = f"({expression}) NOT ({' OR '.join(left_out)})"
        return expression


@dataclass
class _Item:
    term: Term | None  # None: an OR
    negated: bool = False
    bare: bool = True  # typed as a word, not a quoted phrase
    last: bool = False  # at the very end of the text, no space after it


def _items(text: str) -> list[_Item]:
    items: list[_Item] = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        j = i
        negated = text[j] == "-" and j + 1 < n and not text[j + 1].isspace()
        if negated:
            j += 1
        if text[j] == '"':
            close = text.find('"', j + 1)
            if close != -1:  # a closed quote: a phrase (a lone quote is just text)
                k = close + 1
                star = k < n and text[k] == "*"
                words = words_of(text[j + 1 : close])
                items.append(_Item(Term(words, star), negated, bare=False))
                i = k + 1 if star else k
                continue
        end = j
        while end < n and not text[end].isspace():
            end += 1
        chunk = text[j:end]
        if chunk == "OR" and not negated:
            items.append(_Item(None))
        else:
            star = chunk.endswith("*")
            items.append(_Item(Term(words_of(chunk), star), negated, last=end == n))
        i = end
    return items


def _typed_prefix(item: _Item) -> _Item:
    """The last word, still being typed, matches as a prefix (from two characters on)."""
    term = item.term
    if (
        term is None
        or not item.bare
        or item.negated
        or not item.last
        or not term.words
        or len(term.words[-1]) < MIN_TYPED_PREFIX
    ):
        return item
    return _Item(Term(term.words, True), item.negated, item.bare, item.last)


def parse(text: str) -> Query:
    """Read what the user typed (see the module docstring). Never raises."""
    items = _items(text)
    if items and items[-1].term is not None:
        items[-1] = _typed_prefix(items[-1])
    if items and items[-1].term is None and len(items) > 1:
        items.pop()  # "this OR" while the next word is being typed
    groups: list[list[Term]] = []
    excluded: list[Term] = []
    joining = False  # the last item was an OR between two terms
    for index, item in enumerate(items):
        if item.term is None:
            before = items[index - 1] if index else None
            after = items[index + 1] if index + 1 < len(items) else None
            between_terms = (
                before is not None
                and before.term is not None
                and bool(before.term.words)
                and not before.negated
                and after is not None
                and after.term is not None
                and bool(after.term.words)
                and not after.negated
                and bool(groups)
            )
            if between_terms:
                joining = True
                continue
            item = _Item(Term(("OR",)))  # not between two terms: the word itself
        term = item.term
        assert term is not None
        if not term.words:
            joining = False
            continue  # only punctuation: nothing the index could find
        if item.negated:
            excluded.append(term)
        elif joining:
            groups[-1].append(term)
        else:
            groups.append([term])
        joining = False
    return Query(tuple(tuple(group) for group in groups), tuple(excluded))
