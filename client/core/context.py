"""How full the model's context window is: an estimate, shown before a turn is sent.

A long conversation eventually stops fitting: the provider refuses it ("context too long") or
quietly drops the start. The window shows how much of the context a conversation takes so the
user can branch, trim or start afresh before that happens. Counting exactly needs each model's
own tokenizer, which Thinkpane cannot download or ship for every provider, so everything here is
an estimate, and every name and sentence says so:

- `estimate_tokens(text)`: a character heuristic. Latin text (ASCII, the Latin supplements and
  extensions, general punctuation) runs at about 4 characters a token for the tokenizers of
  current models; Chinese, Japanese and Korean at about one token a character; other scripts
  (Cyrillic, Greek, Arabic, Hebrew, Indic, Thai…), symbols and emoji at about 2 characters a
  token (emoji often cost more). Each class is rounded up separately, so short texts err high.
  Expect ±20 % on prose and worse on code or unusual text.
- `context_usage(history, prompt, window)`: the estimate for a whole request, with a few tokens
  a message for the role markers every chat format adds.
- `context_window(model)`: the window a known model offers, by model-id prefix, or None. Local
  servers (Ollama, llama.cpp, LM Studio) run a model with whatever context they were started
  with, often far less than the model supports; the table gives the model's own limit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from client.core import format as fmt

LATIN_CHARS_PER_TOKEN = 4
OTHER_CHARS_PER_TOKEN = 2
# Role markers and separators a chat format wraps around each message; a prompt and an answer
# per turn each count as one message.
TOKENS_PER_MESSAGE = 4

# Blocks counted as one token per character: Hangul Jamo, CJK radicals, CJK symbols and
# punctuation, kana, Bopomofo, enclosed CJK and extension A, unified ideographs, Hangul
# syllables, compatibility ideographs, half- and full-width forms, the supplementary ideographic
# planes.
_CJK = (
    "\u1100-\u11ff\u2e80-\u2fdf\u3000-\u4dbf\u4e00-\u9fff\ua960-\ua97f"
    "\uac00-\ud7ff\uf900-\ufaff\uff00-\uffef\U00020000-\U0003ffff"
)
# Latin: ASCII, Latin-1, Latin extended A/B, IPA, spacing modifiers, combining marks (the
# accents of decomposed Latin text), Latin extended additional, general punctuation.
_LATIN = "\u0000-\u036f\u1e00-\u1eff\u2000-\u206f"
_NOT_CJK = re.compile(f"[^{_CJK}]+")
_NOT_LATIN = re.compile(f"[^{_LATIN}]+")

# Context windows in tokens (input and output together), by model-id prefix, longest prefix
# first wins. From the providers' model pages; a model not listed gets None, never a guess.
CONTEXT_WINDOWS: dict[str, int] = {
    "gpt-5-chat": 128_000,
    "gpt-5": 400_000,
    "gpt-4.1": 1_047_576,
    "gpt-4o": 128_000,
    "gpt-oss": 131_072,
    "o1-mini": 128_000,
    "o1": 200_000,
    "o3": 200_000,
    "o4-mini": 200_000,
    # Claude's 1M-token window is a beta that must be asked for per request; not assumed.
    "claude-": 200_000,
    "gemini-2.0": 1_048_576,
    "gemini-2.5": 1_048_576,
    "gemini-3": 1_048_576,
    "deepseek": 128_000,
    # Qwen3 runs 32K natively; 128K needs YaRN scaling, which servers do not enable by default.
    "qwen3": 32_768,
    "qwq": 131_072,
    "grok-4": 256_000,
    "grok-3": 131_072,
}


def _ceil_div(n: int, d: int) -> int:
    return -(-n // d)


def estimate_tokens(text: str) -> int:
    """About how many tokens `text` is (an estimate; see the module docstring for the rule)."""
    # Counting by deleting the other classes keeps the loop in C: a 100,000-character trace
    # takes well under a millisecond.
    latin = len(_NOT_LATIN.sub("", text))
    cjk = len(_NOT_CJK.sub("", text))
    other = len(text) - latin - cjk
    return _ceil_div(latin, LATIN_CHARS_PER_TOKEN) + cjk + _ceil_div(other, OTHER_CHARS_PER_TOKEN)


@dataclass(frozen=True)
class ContextUsage:
    """An estimate of how much of a model's context window a request takes.

    `window` and `share` (tokens / window, may exceed 1) are None when the window is unknown.
    """

    tokens: int
    window: int | None
    share: float | None

    @property
    def over(self) -> bool:
        """True when the estimate does not fit the window (False when the window is unknown)."""
        return self.window is not None and self.tokens > self.window

    def describe(self) -> str:
        """For people: "≈12,300 of 200,000 tokens (6%, estimated)"."""
        if self.window is None or self.share is None:
            return f"≈{fmt.tokens(self.tokens)} (estimated; context window unknown)"
        percent = "<1%" if 0 < self.share < 0.01 else f"{self.share * 100:.0f}%"
        return f"≈{self.tokens:,} of {fmt.tokens(self.window)} ({percent}, estimated)"


def context_usage(
    history_texts: Iterable[str], prompt: str, context_window: int | None
) -> ContextUsage:
    """The estimated size of a request: every earlier message, the new prompt, their markers.

    `history_texts` are the texts sent again with the prompt: system prompt, earlier prompts and
    answers (and earlier reasoning when the conversation sends it back), one message each.
    """
    tokens = estimate_tokens(prompt) + TOKENS_PER_MESSAGE
    for text in history_texts:
        tokens += estimate_tokens(text) + TOKENS_PER_MESSAGE
    if context_window is None or context_window <= 0:
        return ContextUsage(tokens, None, None)
    return ContextUsage(tokens, context_window, tokens / context_window)


def context_window(model: str) -> int | None:
    """The context window of a known model, in tokens, or None when it is not in the table.

    Matches by prefix, ignoring case, a router's vendor prefix ("anthropic/claude-…",
    "models/gemini-…") and nothing else: "qwen3:32b" and "claude-sonnet-4-5-20250929" match.
    """
    name = model.strip().lower().rsplit("/", 1)[-1]
    best: str | None = None
    for prefix in CONTEXT_WINDOWS:
        if name.startswith(prefix) and (best is None or len(prefix) > len(best)):
            best = prefix
    return CONTEXT_WINDOWS[best] if best is not None else None
