"""Wire-accurate Chat Completions chunks (PROVIDERS.md §1, §6, §7, §9–§14) for replay tests."""

from __future__ import annotations

from typing import Any


def chunk(
    *,
    reasoning: str | None = None,
    content: str | None = None,
    finish: str | None = None,
    field: str = "reasoning_content",
    model: str = "qwen3",
    extra_delta: dict[str, Any] | None = None,
    **top: Any,
) -> dict[str, Any]:
    delta: dict[str, Any] = {}
    if reasoning is not None:
        delta[field] = reasoning
    if content is not None:
        delta["content"] = content
    if extra_delta:
        delta.update(extra_delta)
    data: dict[str, Any] = {
        "id": "chatcmpl-1",
        "object": "chat.completion.chunk",
        "created": 1764259200,
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    data.update(top)
    return data


def usage_chunk(
    prompt: int,
    completion: int,
    reasoning: int | None = None,
    cached: int | None = None,
    total: int | None = None,
    model: str = "qwen3",
    **extra: Any,
) -> dict[str, Any]:
    usage: dict[str, Any] = {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": total if total is not None else prompt + completion,
    }
    if cached is not None:
        usage["prompt_tokens_details"] = {"cached_tokens": cached}
    if reasoning is not None:
        usage["completion_tokens_details"] = {"reasoning_tokens": reasoning}
    usage.update(extra)
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion.chunk",
        "created": 1764259200,
        "model": model,
        "choices": [],
        "usage": usage,
    }


def simple_stream(
    reasoning: str, answer: str, *, prompt: int = 12, completion: int = 40, model: str = "qwen3"
) -> list[dict[str, Any]]:
    """A llama.cpp/DeepSeek-style turn: reasoning_content first, then content, then usage."""
    words = reasoning.split(" ")
    chunks = [chunk(content=None, reasoning="", model=model, extra_delta={"role": "assistant"})]
    chunks += [
        chunk(reasoning=w + (" " if i < len(words) - 1 else ""), model=model)
        for i, w in enumerate(words)
    ]
    chunks += [chunk(content=part, model=model) for part in _pieces(answer)]
    chunks.append(chunk(finish="stop", model=model))
    chunks.append(usage_chunk(prompt, completion, model=model))
    return chunks


def _pieces(text: str, size: int = 7) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]
