"""Wire-accurate Mistral chat streams (typed content chunks) for replay tests.

Mistral's reasoning models stream `delta.content` as a list of typed chunks while they think
(`{"type": "thinking", "thinking": [{"type": "text", "text": …}]}`), then the answer as text
chunks or plain strings, an empty string with the finish reason, and usage in that last chunk
(no `stream_options`, no reasoning count).
"""

from __future__ import annotations

from typing import Any

from tests.support.chat import chunk

MODEL = "mistral-small-latest"
THINKING = ["15% means 15 per hundred. ", "240 × 0.15 = 36."]
ANSWER = ["15% of 240 is ", "**36**."]
MEANT_THINKING = "".join(THINKING)
MEANT_ANSWER = "".join(ANSWER)


def thinking(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "thinking", "thinking": [{"type": "text", "text": text}], **extra}


def text(value: str) -> dict[str, Any]:
    return {"type": "text", "text": value}


def frame(
    content: Any, *, finish: str | None = None, model: str = MODEL, **top: Any
) -> dict[str, Any]:
    """One chunk; `content` may be a string, a list of typed chunks, or None (no content)."""
    return chunk(content=content, finish=finish, model=model, **top)


USAGE = {"prompt_tokens": 21, "total_tokens": 409, "completion_tokens": 388}


def stream(
    thinking_parts: list[str] = THINKING,
    answer_parts: list[str] = ANSWER,
    *,
    model: str = MODEL,
    answer_as: str = "mixed",  # "lists" | "strings" | "mixed" (a list chunk, then strings)
) -> list[dict[str, Any]]:
    """A reasoning turn as Mistral streams it: role, thinking chunks, answer, finish + usage."""
    out = [frame("", model=model, **{"choices": [{"index": 0, "delta": {"role": "assistant",
                                                   "content": ""}, "finish_reason": None}]})]  # fmt: skip
    out += [frame([thinking(t)], model=model) for t in thinking_parts]
    for i, part in enumerate(answer_parts):
        as_list = answer_as == "lists" or (answer_as == "mixed" and i == 0)
        out.append(frame([text(part)] if as_list else part, model=model))
    out.append(frame("", finish="stop", model=model, usage=USAGE))
    return out
