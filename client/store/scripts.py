"""Scripts written without spaces between words, and the text of theirs the substring index keeps.

The word index (FTS5's unicode61 tokenizer) splits text at spaces and punctuation, which is right
for English, French or Russian but not for Chinese, Japanese, Thai and the like: there a whole
sentence, "東京の天気は晴れです", is one "word", so a search for 天気 would never find it.
Those scripts get a second, trigram index that matches any run of characters. It holds only the
stretches of text that contain such characters (Korean is included: its words carry their
particles, so 검증 must find 검증을), which keeps it small for people who rarely write them.

`unspaced_runs` is what the database's triggers call (as the SQL function `thinkpane_unspaced`)
to fill that index; `has_unspaced` is how a query decides which index a word goes to.
"""

from __future__ import annotations

import re

# Thai, Lao, Myanmar, Hangul jamo, Khmer, CJK radicals, 々〆〇, Hangzhou numerals, kana,
# Bopomofo, Hangul compatibility jamo, Bopomofo extended and CJK strokes, katakana extensions,
# CJK ideographs (extension A, the main block, compatibility), Hangul syllables, half-width
# katakana and Hangul, and the supplementary ideographs.
UNSPACED_CLASS = (
    "\u0e00-\u0eff\u1000-\u109f\u1100-\u11ff\u1780-\u17ff\u2e80-\u2fdf\u3005-\u3007"
    "\u3021-\u3029\u3040-\u30ff\u3100-\u312f\u3130-\u318f\u31a0-\u31ff\u3400-\u4dbf"
    "\u4e00-\u9fff\ua960-\ua97f\uac00-\ud7ff\uf900-\ufaff\uff66-\uffdc"
    "\U00020000-\U0003134f"
)
_UNSPACED = re.compile(f"[{UNSPACED_CLASS}]")
_CHUNK = re.compile(r"\S+")

# The SQL name of `unspaced_runs`, registered on every connection the store opens.
SQL_FUNCTION = "thinkpane_unspaced"


def has_unspaced(text: str) -> bool:
    """Whether `text` has a character of a script written without spaces between words."""
    return _UNSPACED.search(text) is not None


def unspaced_runs(text: str | None) -> str:
    """The stretches of `text` made of chunks (between spaces) that contain such characters.

    Neighbouring chunks stay together with the spaces between them, so a Korean phrase still
    matches as a phrase; separate stretches are joined by a line break, which no query contains,
    so a match never spans two of them. Text without such characters gives "".
    """
    if not text or _UNSPACED.search(text) is None:
        return ""
    stretches: list[str] = []
    start = end = -1
    for chunk in _CHUNK.finditer(text):
        if _UNSPACED.search(chunk.group()) is None:
            continue
        if start >= 0 and text[end : chunk.start()].isspace():
            end = chunk.end()  # only spaces since the last such chunk: the stretch goes on
            continue
        if start >= 0:
            stretches.append(text[start:end])
        start, end = chunk.start(), chunk.end()
    stretches.append(text[start:end])
    return "\n".join(stretches)
