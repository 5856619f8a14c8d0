"""Chat Completions usage, in all its dialects, converted to the contract's one meaning.

DeepSeek reports cache hits and misses, OpenRouter a charge, xAI counts reasoning outside
`completion_tokens`, Groq nests usage under `x_groq`, llama.cpp adds `timings` whose prompt count
may exclude the reused cache. Each becomes the contract's one meaning: input counts every
prompt token (cache included), output every generated token (reasoning included).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from client.core.usage import Usage
from client.providers.base import as_dict, as_int


def find_usage(chunk: dict[str, Any]) -> dict[str, Any] | None:
    """The usage object of a chunk, wherever this server puts it."""
    usage = chunk.get("usage")
    if isinstance(usage, dict) and usage:
        return usage
    groq = as_dict(chunk.get("x_groq")).get("usage")
    if isinstance(groq, dict) and groq:
        return groq
    return None


def normalise_chat_usage(usage: dict[str, Any], timings: dict[str, Any] | None = None) -> Usage:
    prompt = as_int(usage.get("prompt_tokens"))
    completion = as_int(usage.get("completion_tokens"))
    total = as_int(usage.get("total_tokens"))
    prompt_details = as_dict(usage.get("prompt_tokens_details"))
    completion_details = as_dict(usage.get("completion_tokens_details"))

    cached = as_int(usage.get("prompt_cache_hit_tokens"))  # DeepSeek
    if cached is None:
        cached = as_int(prompt_details.get("cached_tokens"))
    cache_write = as_int(prompt_details.get("cache_write_tokens"))
    reasoning = as_int(completion_details.get("reasoning_tokens"))

    timings = timings or {}
    cache_n = as_int(timings.get("cache_n"))
    prompt_n = as_int(timings.get("prompt_n"))
    if cache_n is not None and prompt_n is not None:
        # llama.cpp: when prompt_tokens is only the newly evaluated part, add the reused cache.
        if prompt is None or (prompt == prompt_n and cache_n > 0):
            prompt = prompt_n + cache_n
        if cached is None:
            cached = cache_n
        if completion is None:
            completion = as_int(timings.get("predicted_n"))

    output = completion
    # xAI counts reasoning outside completion_tokens: prompt + completion + reasoning = total.
    if (
        reasoning
        and completion is not None
        and prompt is not None
        and total is not None
        and prompt + completion + reasoning == total
        and prompt + completion != total
    ):
        output = completion + reasoning
    return Usage(
        input_tokens=prompt,
        cached_input_tokens=cached,
        cache_write_tokens=cache_write,
        output_tokens=output,
        reasoning_tokens=reasoning,
    )


def reported_cost(usage: dict[str, Any]) -> Decimal | None:
    """What the provider says it charged, in USD: OpenRouter's `cost`, xAI's ticks (1e-10 USD)."""
    try:
        ticks = usage.get("cost_in_usd_ticks")
        if isinstance(ticks, int | float) and not isinstance(ticks, bool):
            return Decimal(str(ticks)) / Decimal(10**10)
        cost = usage.get("cost")
        if not isinstance(cost, int | float) or isinstance(cost, bool):
            return None
        total = Decimal(str(cost))
        if usage.get("is_byok"):
            # With your own key, `cost` is OpenRouter's fee; the upstream charge is reported apart.
            upstream = as_dict(usage.get("cost_details")).get("upstream_inference_cost")
            if isinstance(upstream, int | float) and not isinstance(upstream, bool):
                total += Decimal(str(upstream))
        return total
    except InvalidOperation:
        return None
