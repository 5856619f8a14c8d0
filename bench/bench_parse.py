"""`parse`: how fast the OpenAI-compatible adapter turns a streamed response into events.

A 100,000-character reasoning and a 30,000-character answer, framed as a llama.cpp-style SSE
stream in small chunks, parsed through the real adapter (framing, JSON, think-tag splitter,
usage) over an in-memory transport. Baseline in the same run: the official openai SDK's stream
parser on the same bytes when the SDK is installed, otherwise the floor of what any parser must
do (split lines and json.loads each data line).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import httpx

from client.core.cancel import CancelToken
from client.core.request import TurnRequest
from client.providers.http import RetryPolicy
from client.providers.openai_compat import ChatCompletionsAdapter
from client.providers.registry import PROFILES


def _stream_bytes() -> bytes:
    frames = []
    words = ("Let me check 17 × 23 = 391, so 391 is composite. ") * 2100
    for i in range(0, 100_000, 6):
        delta = {"reasoning_content": words[i : i + 6]}
        frames.append({"choices": [{"index": 0, "delta": delta, "finish_reason": None}]})
    for i in range(0, 30_000, 6):
        frames.append(
            {
                "choices": [
                    {"index": 0, "delta": {"content": words[i : i + 6]}, "finish_reason": None}
                ]
            }
        )
    frames.append({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
    frames.append(
        {
            "choices": [],
            "usage": {"prompt_tokens": 10, "completion_tokens": 30000, "total_tokens": 30010},
        }
    )
    text = "".join(f"data: {json.dumps(f)}\n\n" for f in frames) + "data: [DONE]\n\n"
    return text.encode()


class _Chunks(httpx.SyncByteStream):
    def __init__(self, data: bytes, size: int = 1400) -> None:
        self.data, self.size = data, size

    def __iter__(self) -> Iterator[bytes]:
        for i in range(0, len(self.data), self.size):
            yield self.data[i : i + self.size]


def _ours(data: bytes) -> float:
    client = httpx.Client(
        transport=httpx.MockTransport(
            lambda _r: httpx.Response(
                200, headers={"content-type": "text/event-stream"}, stream=_Chunks(data)
            )
        )
    )
    adapter = ChatCompletionsAdapter(
        PROFILES["openai-compatible"], client=client, policy=RetryPolicy(attempts=1)
    )
    request = TurnRequest(
        provider="openai-compatible", model="m", prompt="p", base_url="http://mock/v1"
    )
    started = time.perf_counter()
    for _ in adapter.stream(request, CancelToken()):
        pass
    return time.perf_counter() - started


def _baseline(data: bytes) -> tuple[float, str]:
    try:
        from openai import Stream  # type: ignore[import-not-found]
        from openai.types.chat import ChatCompletionChunk  # type: ignore[import-not-found]
    except ImportError:
        started = time.perf_counter()
        for line in b"".join(_Chunks(data)).decode().split("\n"):
            if line.startswith("data: ") and line != "data: [DONE]":
                json.loads(line[6:])
        return time.perf_counter() - started, "split+json.loads floor"
    response = httpx.Response(
        200,
        headers={"content-type": "text/event-stream"},
        stream=_Chunks(data),
        request=httpx.Request("POST", "http://mock/v1/chat/completions"),
    )
    import openai

    sdk = openai.OpenAI(api_key="x", base_url="http://mock/v1")
    started = time.perf_counter()
    for _ in Stream(cast_to=ChatCompletionChunk, response=response, client=sdk):
        pass
    return time.perf_counter() - started, "openai SDK"


def run(args: list[str]) -> dict:
    data = _stream_bytes()
    mb = len(data) / 1e6
    ours = min(_ours(data) for _ in range(3))
    base, label = min((_baseline(data) for _ in range(3)), key=lambda r: r[0])
    return {
        "mb_per_s": round(mb / ours, 2),
        "baseline_mb_per_s": round(mb / base, 2),
        "stream_mb": round(mb, 2),
        "baseline": label,
    }
