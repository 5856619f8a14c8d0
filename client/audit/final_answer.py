"""What a text concludes, and whether two conclusions are the same answer.

Two questions every feature that compares answers asks: the audit's answer-versus-reasoning
check (does the reasoning end where the answer does?) and answer comparison (do two models
agree?). `final_answer(text)` extracts the conclusion: the last `\\boxed{…}`, else the last
"the answer is …", else a short last line (code blocks left out), else the last short bold
statement ("**The total is 56.**" before a paragraph of why). `same_answer(a, b)` decides equivalence the way a
maths reader does: `\\frac{1}{2}`, `0.5` and `1/2` agree, so do `\\{1, 2\\}` and `\\{2, 1\\}`, or two
ways of writing an interval.

Equivalence is decided first by a cheap exact comparison (numbers, plain text), then by
math-verify, imported only when needed (it costs about a second to import). Only math-verify's
LaTeX reader is used, never its reader of plain expressions, which evaluates text as Python: a
model's answer is hostile input. Its timeouts are signal alarms that only work on the main
thread, so they are off; the inputs are bounded in size instead.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from client.audit.answer import canonical, final_value
from client.audit.normalize import matching_braces

MAX_ANSWER_CHARS = 300  # longer "answers" are prose; compare them as text only
_BOXED = re.compile(r"\\(?:boxed|fbox)\s*\{")
_ANSWER_PHRASE = re.compile(r"\b(?:the\s+)?(?:final\s+)?answer\s*(?:is|:|=)\s*:?\s*", re.IGNORECASE)
_LAST_LINE_CHARS = 80
_DELIMITED = re.compile(r"^\s*(?:\$\$?|\\\(|\\\[)(.*?)(?:\$\$?|\\\)|\\\])\s*\.?\s*$", re.DOTALL)
_EMPHASIS = re.compile(r"[*_`]+")
# Code is never the conclusion: an answer that ends with a snippet ends before it.
_FENCED = re.compile(
    r"^[ \t]*(```|~~~)[^\n]*\n.*?(?:^[ \t]*\1[ \t]*$|\Z)", re.DOTALL | re.MULTILINE
)
_BOLD = re.compile(r"\*\*([^*\n]{1,80})\*\*|__([^_\n]{1,80})__")  # as short as a last line


def final_answer(text: str) -> str | None:
    """The conclusion a text states: its last `\\boxed{}`, its last "the answer is …", or a
    short last line; None when it states none."""
    if not text or not text.strip():
        return None
    boxed = _last_boxed(text)
    if boxed is not None:
        return boxed
    if _ANSWER_PHRASE.search(text):
        stated = final_value(text)
        if stated is not None:
            return stated.strip()
    prose = _FENCED.sub("", text)
    lines = [line.strip() for line in prose.strip().splitlines() if line.strip()]
    last = _EMPHASIS.sub("", lines[-1]).strip() if lines else ""
    if 0 < len(last) <= _LAST_LINE_CHARS:
        delimited = _DELIMITED.match(last)
        if delimited:  # "$[2, 5)$": the maths is the answer; of a chain, its last side
            return delimited.group(1).rsplit("=", 1)[-1].strip()
        stated = final_value(last)
        return (stated or last).strip().rstrip(".")
    # "**The total is 56 apples.**" and then a paragraph of why: the last short bold statement.
    for match in reversed(list(_BOLD.finditer(prose))):
        stated = final_value(match.group(1) or match.group(2))
        if stated is not None:
            return stated.strip().rstrip(".")
    return None


def _last_boxed(text: str) -> str | None:
    braces = matching_braces(text)
    found = None
    for match in _BOXED.finditer(text):
        end = braces.get(match.end() - 1)
        if end is not None and text[match.end() : end].strip():
            found = text[match.end() : end].strip()
    return found


def same_answer(a: str, b: str) -> bool:
    """Do two stated answers say the same thing? (`\\frac{1}{2}` = `0.5` = `1/2`; sets and
    intervals compared as sets and intervals.) Unsure means False."""
    if not a.strip() or not b.strip():
        return False
    if _plain(a) and _plain(b):
        key_a, key_b = canonical(a), canonical(b)
        if key_a == key_b:
            return True
        if _number(key_a) and _number(key_b):
            return False  # two different exact numbers: nothing more to ask
    if len(a) > MAX_ANSWER_CHARS or len(b) > MAX_ANSWER_CHARS:
        return False
    return _math_verify(a, b)


def _number(key: str) -> bool:
    return re.fullmatch(r"-?\d+(?:/\d+)?", key) is not None


def _plain(answer: str) -> bool:
    """A number or a few words: no brackets or lists, whose shape (open or closed interval, set
    or tuple) the cheap comparison would lose."""
    return not any(ch in answer for ch in "()[]{},;")


def _as_latex(answer: str) -> str:
    """An answer wrapped as LaTeX maths for math-verify, whatever way it was written."""
    inner = answer.strip().rstrip(".")
    delimited = _DELIMITED.match(inner)
    if delimited:
        inner = delimited.group(1)
    inner = inner.replace("$", "")
    return f"${inner}$"


def _math_verify(a: str, b: str) -> bool:
    try:
        from math_verify import LatexExtractionConfig, parse, verify
    except ImportError:  # an install without it still compares exactly
        return False
    for name in ("math_verify.parser", "math_verify.grader"):
        # It warns on every call that its timeouts are off: on purpose here (see above).
        logging.getLogger(name).setLevel(logging.ERROR)
    config = [LatexExtractionConfig(boxed_match_priority=0, try_extract_without_anchor=True)]
    try:
        gold: Any = parse(_as_latex(a), extraction_config=config, parsing_timeout=None)
        target: Any = parse(_as_latex(b), extraction_config=config, parsing_timeout=None)
        if not gold or not target:
            return False
        return bool(verify(gold, target, timeout_seconds=None))
    except Exception:  # noqa: BLE001 - any failure inside the verifier means "not shown equal"
        return False
