"""Fuzzing the native parsers, the typed-chunk chat shapes (Mistral, and the same shape
through the OpenAI-compatible adapter) and a Responses stream through a gateway that gives every
event a fresh item_id, through their real `stream()` code path.

An httpx MockTransport hands each adapter the wire bytes cut into exactly the chunks hypothesis
chooses, so these properties cover the framing, the readers and the failure handling together:

- splitting a stream at any byte boundaries gives identical events;
- a stream cut at any byte ends in Finished or in a network/protocol Failed, keeping a prefix of
  the text, never an escaping exception;
- a frame of arbitrary JSON (wrong types, unknown shapes) or garbage bytes spliced in anywhere
  never raises either: the stream still ends in exactly one Finished or Failed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from client.core.cancel import CancelToken
from client.core.errors import ErrorKind
from client.core.events import Failed, Finished, StreamEvent
from client.core.request import TurnRequest
from client.providers.anthropic import AnthropicAdapter
from client.providers.gemini import GeminiAdapter
from client.providers.http import RetryPolicy
from client.providers.mistral import MistralAdapter
from client.providers.ollama import OllamaAdapter
from client.providers.openai_compat import ChatCompletionsAdapter
from client.providers.openai_responses import OpenAIResponsesAdapter
from client.providers.registry import PROFILES
from tests.providers import (
    test_anthropic,
    test_gemini,
    test_ollama,
    test_openai_responses,
    test_responses_gateways,
)
from tests.providers.test_openai_responses import collect
from tests.support import mistral
from tests.support.replay import sse

FUZZ = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


class _Chunks(httpx.SyncByteStream):
    def __init__(self, chunks: list[bytes]) -> None:
        self._chunks = chunks

    def __iter__(self) -> Iterator[bytes]:
        yield from self._chunks


@dataclass(frozen=True)
class Wire:
    name: str
    make: Callable[[httpx.Client], Any]
    request: TurnRequest
    body: bytes
    content_type: str
    frames: list[bytes]  # the same body, one frame (event or line) per item


def _wire(name: str, make: Any, request: TurnRequest, frames: list[str], content_type: str) -> Wire:
    encoded = [f.encode() for f in frames]
    return Wire(name, make, request, b"".join(encoded), content_type, encoded)


def _policy() -> RetryPolicy:
    return RetryPolicy(attempts=1)


WIRES = [
    _wire(
        "openai",
        lambda c: OpenAIResponsesAdapter(PROFILES["openai"], client=c, policy=_policy()),
        TurnRequest("openai", "o4-mini", "Is 391 prime?", base_url="http://fuzz/v1"),
        sse(*test_openai_responses.responses_events(), event_names=True),
        "text/event-stream",
    ),
    _wire(
        "openai through a gateway rewriting ids",
        lambda c: OpenAIResponsesAdapter(PROFILES["openai"], client=c, policy=_policy()),
        TurnRequest("openai", "gpt-5-mini", "How many r?", base_url="http://fuzz/v1"),
        sse(
            *test_responses_gateways.stream(
                shape=test_responses_gateways.Shape(rotate_ids=True, part_done=True)
            ),
            event_names=True,
        ),
        "text/event-stream",
    ),
    _wire(
        "anthropic",
        lambda c: AnthropicAdapter(PROFILES["anthropic"], client=c, policy=_policy()),
        TurnRequest("anthropic", "claude-sonnet-4-5", "Is 391 prime?", base_url="http://fuzz"),
        test_anthropic.frames(test_anthropic.messages_events(redacted=1)),
        "text/event-stream",
    ),
    _wire(
        "gemini",
        lambda c: GeminiAdapter(PROFILES["gemini"], client=c, policy=_policy()),
        TurnRequest("gemini", "gemini-3-pro-preview", "Is 391 prime?", base_url="http://fuzz"),
        sse(*test_gemini.gemini_chunks(), crlf=True),
        "text/event-stream",
    ),
    _wire(
        "ollama",
        lambda c: OllamaAdapter(PROFILES["ollama"], client=c, policy=_policy()),
        TurnRequest("ollama", "qwen3:8b", "Is 391 prime?", base_url="http://fuzz"),
        [
            *test_ollama.ollama_lines()[:2],
            test_ollama.line(content="<think>echo</th"),
            test_ollama.line(content="ink>\n\nNo: 391 "),
            *test_ollama.ollama_lines()[3:],
        ],
        "application/x-ndjson",
    ),
    _wire(
        "mistral",
        lambda c: MistralAdapter(PROFILES["mistral"], client=c, policy=_policy()),
        TurnRequest(
            "mistral", mistral.MODEL, "15% of 240?", base_url="http://fuzz/v1", effort="high"
        ),
        sse(*mistral.stream(answer_as="mixed"), done=True),
        "text/event-stream",
    ),
    _wire(
        "openai-compatible typed chunks",
        lambda c: ChatCompletionsAdapter(PROFILES["openai-compatible"], client=c, policy=_policy()),
        TurnRequest("openai-compatible", mistral.MODEL, "15% of 240?", base_url="http://fuzz/v1"),
        sse(*mistral.stream(answer_as="lists"), done=True),
        "text/event-stream",
    ),
]


def events_for(wire: Wire, chunks: list[bytes]) -> list[StreamEvent]:
    def reply(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, headers={"content-type": wire.content_type}, stream=_Chunks(chunks)
        )

    with httpx.Client(transport=httpx.MockTransport(reply)) as client:
        return list(wire.make(client).stream(wire.request, CancelToken()))


def split(body: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(body) + 1) for c in cuts})
    bounds = [0, *points, len(body)]
    return [body[a:b] for a, b in zip(bounds, bounds[1:], strict=False) if b > a]


def _ends_once(events: list[StreamEvent]) -> None:
    ends = [e for e in events if isinstance(e, Finished | Failed)]
    assert len(ends) == 1 and events[-1] is ends[0], events[-3:]


WHOLE = {w.name: events_for(w, [w.body]) for w in WIRES}


def test_every_whole_stream_completes():
    for wire in WIRES:
        events = WHOLE[wire.name]
        assert isinstance(events[-1], Finished), (wire.name, events[-1])
        assert collect(events)["answer"], wire.name
    # …and the gateway's stream says its answer and summary once, so any split of it does too.
    gateway = collect(WHOLE["openai through a gateway rewriting ids"])
    assert (gateway["answer"], gateway["reasoning"]) == (
        test_responses_gateways.MEANT_ANSWER,
        test_responses_gateways.MEANT_SUMMARY,
    )


@FUZZ
@given(
    wire=st.sampled_from(WIRES),
    cuts=st.lists(st.integers(min_value=0, max_value=20_000), max_size=40),
)
def test_any_split_gives_identical_events(wire, cuts):
    assert events_for(wire, split(wire.body, cuts)) == WHOLE[wire.name]


@FUZZ
@given(wire=st.sampled_from(WIRES), data=st.data())
def test_a_stream_cut_anywhere_is_finished_or_a_network_or_protocol_failure(wire, data):
    at = data.draw(st.integers(min_value=0, max_value=len(wire.body) - 1))
    cuts = data.draw(st.lists(st.integers(min_value=0, max_value=at), max_size=5))
    events = events_for(wire, split(wire.body[:at], cuts))
    _ends_once(events)
    whole, got = collect(WHOLE[wire.name]), collect(events)
    assert whole["answer"].startswith(got["answer"]) and whole["reasoning"].startswith(
        got["reasoning"]
    )
    end = events[-1]
    if isinstance(end, Failed):
        assert end.error.kind in (ErrorKind.NETWORK, ErrorKind.PROTOCOL)
        if got["answer"] or got["reasoning"]:
            assert end.after_output  # partial text is kept as an interrupted turn
    else:
        assert got["answer"] == whole["answer"]


_KEYS = st.sampled_from(
    [
        "type",
        "delta",
        "index",
        "item",
        "item_id",
        "summary_index",
        "response",
        "usage",
        "error",
        "code",
        "message",
        "content_block",
        "thinking",
        "signature",
        "text",
        "stop_reason",
        "candidates",
        "content",
        "parts",
        "thought",
        "thoughtSignature",
        "finishReason",
        "usageMetadata",
        "promptFeedback",
        "done",
        "done_reason",
        "eval_count",
        "model",
        "modelVersion",
        "encrypted_content",
        "incomplete_details",
        "output_tokens_details",
        "data",
        "choices",
        "finish_reason",
        "reference_ids",
    ]
)
_TYPES = st.sampled_from(
    [
        "content_block_start",
        "content_block_delta",
        "content_block_stop",
        "message_start",
        "message_delta",
        "error",
        "response.output_text.delta",
        "response.reasoning_summary_text.delta",
        "response.output_item.done",
        "response.incomplete",
        "response.failed",
        "response.reasoning_text.delta",
        "response.completed",
        "thinking",
        "text",
        "reference",
    ]
)
_LEAVES = (
    st.none()
    | st.booleans()
    | st.integers(-5, 10**6)
    | st.floats(allow_nan=False)
    | st.text(max_size=6)
)
_JSON = st.recursive(
    _LEAVES,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_KEYS, inner, max_size=4),
    max_leaves=12,
)
_TYPED = st.builds(
    lambda t, rest: {**rest, "type": t}, _TYPES, st.dictionaries(_KEYS, _JSON, max_size=3)
)
# A chat delta whose content is a list of typed chunks of any shape (Mistral's, and worse).
_CHAT_DELTAS = st.builds(
    lambda content, finish: {
        "choices": [{"index": 0, "delta": {"content": content}, "finish_reason": finish}]
    },
    st.lists(_TYPED | _JSON, max_size=3) | _JSON,
    st.none() | st.sampled_from(["stop", "length"]),
)
_FRAME_OBJECTS = st.one_of(
    _CHAT_DELTAS,
    st.dictionaries(_KEYS, _JSON, max_size=6),
    st.builds(
        lambda t, rest: {**rest, "type": t}, _TYPES, st.dictionaries(_KEYS, _JSON, max_size=5)
    ),
    _JSON,
)


def _as_frame(wire: Wire, payload: Any) -> bytes:
    text = json.dumps(payload)
    if wire.name == "ollama":
        return (text + "\n").encode()
    return (
        f"data: {text}\r\n\r\n".encode() if wire.name == "gemini" else f"data: {text}\n\n".encode()
    )


@FUZZ
@given(wire=st.sampled_from(WIRES), payload=_FRAME_OBJECTS, data=st.data())
def test_arbitrary_json_frames_spliced_in_never_raise(wire, payload, data):
    at = data.draw(st.integers(min_value=0, max_value=len(wire.frames)))
    body = b"".join([*wire.frames[:at], _as_frame(wire, payload), *wire.frames[at:]])
    _ends_once(events_for(wire, [body]))


@FUZZ
@given(wire=st.sampled_from(WIRES), garbage=st.binary(min_size=1, max_size=40), data=st.data())
def test_garbage_bytes_spliced_in_never_raise(wire, garbage, data):
    at = data.draw(st.integers(min_value=0, max_value=len(wire.body)))
    body = wire.body[:at] + garbage + wire.body[at:]
    events = events_for(wire, [body])
    _ends_once(events)
    end = events[-1]
    assert (
        isinstance(end, Finished)
        or end.error.kind in (ErrorKind.NETWORK, ErrorKind.PROTOCOL)
        or end.error.message
    )
