"""Context estimates: the documented character heuristic, request totals, known windows."""

from __future__ import annotations

import pytest

from client.core.context import (
    CONTEXT_WINDOWS,
    TOKENS_PER_MESSAGE,
    ContextUsage,
    context_usage,
    context_window,
    estimate_tokens,
)


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("", 0),
        ("a", 1),  # a partial token rounds up
        ("abcd", 1),
        ("abcde", 2),
        ("hello world!", 3),  # 12 Latin characters, spaces and punctuation included
        ("café naïve déjà", 4),  # accented Latin is Latin: 15 characters
        ("Größe—über", 3),  # an em dash is general punctuation
        ("日本語", 3),  # one token a CJK character
        ("テスト", 3),  # kana
        ("한국어", 3),  # Hangul
        ("中文，标点。", 6),  # full-width punctuation counts like the ideographs
        ("привет", 3),  # other scripts: two characters a token
        ("Ελλάδα", 3),
        ("🙂", 1),
    ],
)
def test_the_heuristic_is_the_documented_one(text, tokens):
    assert estimate_tokens(text) == tokens


def test_each_class_is_rounded_up_on_its_own():
    # 5 Latin (2) + 2 CJK (2) + 3 Cyrillic (2)
    assert estimate_tokens("abcde日本при") == 6


def test_a_long_latin_text_is_about_a_quarter_of_its_length():
    text = "The quick brown fox jumps over the lazy dog. " * 1000
    assert estimate_tokens(text) == len(text) // 4 + (len(text) % 4 > 0)


def test_a_long_mixed_trace_counts_each_script_by_its_own_rule():
    # The next-turn line estimates whole histories; a long trace mixing Latin and CJK text must
    # count the same as its parts estimated apart (no shortcut for long inputs).
    latin = "Let me check 17 × 23 = 391. " * 4  # a multiple of the per-token rounding
    cjk = "日本語のテスト。"
    assert estimate_tokens((latin + cjk) * 5000) == 5000 * (
        estimate_tokens(latin) + estimate_tokens(cjk)
    )


def test_context_usage_adds_every_message_and_its_markers():
    history = ["a" * 400, "b" * 40, "日本語"]
    usage = context_usage(history, "c" * 8, 1_000)
    expected = 100 + 10 + 3 + 2 + 4 * TOKENS_PER_MESSAGE
    assert usage == ContextUsage(expected, 1_000, expected / 1_000)
    assert not usage.over


def test_context_usage_accepts_any_iterable_and_an_empty_history():
    assert context_usage(iter(()), "", 100).tokens == TOKENS_PER_MESSAGE
    assert context_usage((t for t in ["abcd"]), "abcd", None).tokens == 2 + 2 * TOKENS_PER_MESSAGE


def test_an_unknown_window_has_no_share():
    usage = context_usage(["hello"], "there", None)
    assert usage.window is None and usage.share is None and not usage.over
    assert context_usage(["hello"], "there", 0).window is None


def test_over_the_window():
    usage = context_usage(["x" * 4000], "", 100)
    assert usage.over and usage.share is not None and usage.share > 1


def test_the_description_always_says_it_is_an_estimate():
    assert context_usage(["a" * 49_984], "", 200_000).describe() == (
        "≈12,504 of 200,000 tokens (6%, estimated)"
    )
    assert "<1%" in context_usage([], "hi", 200_000).describe()
    unknown = context_usage([], "hi", None).describe()
    assert "estimated" in unknown and "unknown" in unknown


@pytest.mark.parametrize(
    ("model", "window"),
    [
        ("gpt-5", 400_000),
        ("gpt-5-mini", 400_000),
        ("gpt-5.1", 400_000),
        ("gpt-5-chat-latest", 128_000),  # the longer prefix wins
        ("o3", 200_000),
        ("o3-mini", 200_000),
        ("o4-mini", 200_000),
        ("o1-mini", 128_000),
        ("claude-sonnet-4-5-20250929", 200_000),  # 1M is a beta; not assumed
        ("claude-opus-4-1", 200_000),
        ("Claude-Haiku-4-5", 200_000),  # case does not matter
        ("anthropic/claude-sonnet-4.5", 200_000),  # a router's vendor prefix is ignored
        ("models/gemini-2.5-pro", 1_048_576),
        ("gemini-2.5-flash", 1_048_576),
        ("gemini-3-pro-preview", 1_048_576),
        ("deepseek-reasoner", 128_000),
        ("deepseek-chat", 128_000),
        ("qwen3:32b", 32_768),  # Ollama tags
        ("qwen/qwen3-235b-a22b", 32_768),
        ("llama3.1:8b", None),  # not in the table: unknown, never guessed
        ("my-finetune", None),
        ("", None),
    ],
)
def test_known_context_windows(model, window):
    assert context_window(model) == window


def test_the_table_holds_only_positive_windows():
    assert all(isinstance(v, int) and v > 0 for v in CONTEXT_WINDOWS.values())
    assert all(prefix == prefix.lower() for prefix in CONTEXT_WINDOWS)
