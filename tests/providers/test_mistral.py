"""Mistral (`--provider mistral`) and typed content chunks in the OpenAI-compatible adapter,
against the loopback server replaying Mistral's stream shapes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from client.core.cancel import CancelToken
from client.core.errors import ErrorKind, UsageError
from client.core.events import Finished, TurnStatus, Visibility
from client.core.request import HistoryTurn, TurnRequest
from client.core.usage import Usage
from client.providers.http import RetryPolicy
from client.providers.mistral import MistralAdapter
from client.providers.openai_compat import ChatCompletionsAdapter
from client.providers.registry import PROFILES, adapter_for
from tests.providers.test_openai_responses import collect
from tests.support import mistral as wire
from tests.support.replay import Reply, sse

FAST = RetryPolicy(attempts=3, base_delay_s=0.01, max_delay_s=0.02)
PATH = "/v1/chat/completions"


def mistral(client: httpx.Client | None = None) -> MistralAdapter:
    return MistralAdapter(PROFILES["mistral"], client=client, policy=FAST)


def compatible(client: httpx.Client | None = None) -> ChatCompletionsAdapter:
    return ChatCompletionsAdapter(PROFILES["openai-compatible"], client=client, policy=FAST)


def request(url: str, provider: str = "mistral", **kw: Any) -> TurnRequest:
    return TurnRequest(
        provider=provider,
        model=kw.pop("model", wire.MODEL),
        prompt=kw.pop("prompt", "What is 15% of 240?"),
        base_url=url + "/v1",
        api_key=kw.pop("api_key", "mistral-key"),
        **kw,
    )


def run(replay, frames, provider: str = "mistral", **kw: Any) -> dict[str, Any]:
    replay.add(PATH, Reply(chunks=sse(*frames, done=True)))
    a = mistral() if provider == "mistral" else compatible()
    return collect(a.stream(request(replay.url, provider, **kw), CancelToken()))


# -- the native adapter ----------------------------------------------------------------------


def test_thinking_chunks_are_raw_reasoning_and_every_text_chunk_is_answer(replay):
    out = run(replay, wire.stream(), effort="high", max_output_tokens=4000)
    assert out["reasoning"] == wire.MEANT_THINKING and out["kinds"] == {Visibility.RAW}
    assert out["answer"] == "15% of 240 is **36**."
    # Usage from the last chunk; Mistral gives no reasoning count: null, not 0.
    assert out["usage"] == Usage(21, None, None, 388, None)
    assert out["end"] == Finished(TurnStatus.COMPLETE, "stop", model_reported=wire.MODEL)


def test_the_request_carries_only_fields_mistral_documents(replay):
    run(replay, wire.stream(), effort="high", max_output_tokens=4000, system="Be brief.")
    sent = replay.requests_to(PATH)[0]
    assert sent.headers["authorization"] == "Bearer mistral-key"
    assert sent.json == {
        "model": wire.MODEL,
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "What is 15% of 240?"},
        ],
        "stream": True,
        "reasoning_effort": "high",
        "max_tokens": 4000,
    }


def test_the_same_stream_through_openai_compatible_gives_the_same_reply(replay):
    native = run(replay, wire.stream(), effort="high")
    compat = run(replay, wire.stream(), provider="openai-compatible", effort="high")
    assert (compat["answer"], compat["reasoning"]) == (native["answer"], native["reasoning"])
    assert compat["usage"] == native["usage"]
    # …though the OpenAI-compatible adapter asks for usage in OpenAI's dialect.
    assert "stream_options" in replay.requests_to(PATH)[1].json


def test_magistral_always_thinks_and_takes_no_effort(replay):
    out = run(replay, wire.stream(model="magistral-medium-latest"), model="magistral-medium-latest")
    assert out["reasoning"] == wire.MEANT_THINKING and out["answer"] == wire.MEANT_ANSWER
    assert "reasoning_effort" not in replay.requests_to(PATH)[0].json


def test_effort_none_has_no_thinking_chunk_and_no_reasoning(replay):
    out = run(replay, wire.stream(thinking_parts=[], answer_as="strings"), effort="none")
    assert out["reasoning"] == "" and out["answer"] == wire.MEANT_ANSWER and out["opaque"] == []
    assert replay.requests_to(PATH)[0].json["reasoning_effort"] == "none"


@pytest.mark.parametrize(
    "model,kw,needle",
    [
        ("magistral-small-latest", {"effort": "high"}, "always thinks"),
        ("magistral-medium-latest", {"effort": "none"}, "always thinks"),
        ("mistral-large-2512", {"effort": "high"}, "takes no reasoning effort"),
        ("codestral-2508", {"effort": "low"}, "takes no reasoning effort"),
        ("mistral-small-latest", {"effort": "low"}, "takes --effort none or high; not low"),
        ("mistral-medium-3-5", {"effort": "xhigh"}, "takes --effort none or high"),
        ("mistral-small-latest", {"thinking_budget": 2048}, "no thinking budget"),
        ("mistral-small-latest", {"summary": "detailed"}, "no summaries"),
    ],
)
def test_efforts_a_model_cannot_take_are_refused_before_sending(replay, model, kw, needle):
    with pytest.raises(UsageError, match=needle):
        list(mistral().stream(request(replay.url, model=model, **kw), CancelToken()))
    assert replay.requests_to(PATH) == []


def test_large_4_also_takes_low_and_medium():
    body = mistral().body(request("http://x", model="mistral-large-4-2607", effort="medium"))
    assert body["reasoning_effort"] == "medium"


# -- multi-turn --------------------------------------------------------------------------------


def _first_turn(replay) -> HistoryTurn:
    out = run(replay, wire.stream(), effort="high")
    [opaque] = out["opaque"]
    return HistoryTurn("What is 15% of 240?", out["answer"], "mistral", wire.MODEL,
                       out["reasoning"], (opaque.item,))  # fmt: skip


def test_the_second_turn_sends_the_reply_back_as_the_chunks_it_came_as_byte_for_byte(replay):
    turn = _first_turn(replay)
    run(replay, wire.stream(), effort="high", prompt="And 20% of it?", history=(turn,))
    expected = {
        "model": wire.MODEL,
        "messages": [
            {"role": "user", "content": "What is 15% of 240?"},
            {
                "role": "assistant",
                "content": [
                    {
                        "type": "thinking",
                        "thinking": [{"type": "text", "text": wire.MEANT_THINKING}],
                    },
                    {"type": "text", "text": "15% of 240 is **36**."},
                ],
            },
            {"role": "user", "content": "And 20% of it?"},
        ],
        "stream": True,
        "reasoning_effort": "high",
    }
    sent = replay.requests_to(PATH)[1].body
    assert sent == httpx.Request("POST", "http://x", json=expected).content


@pytest.mark.parametrize(
    "provider,model", [("mistral", "magistral-small-latest"), ("openai-compatible", wire.MODEL)]
)
def test_another_model_gets_the_answer_text_only(replay, provider, model):
    turn = _first_turn(replay)  # mistral-small-latest through --provider mistral
    run(replay, wire.stream(), provider, model=model, prompt="And 20%?", history=(turn,))
    assistant = replay.requests_to(PATH)[1].json["messages"][1]
    assert assistant == {"role": "assistant", "content": "15% of 240 is **36**."}


# -- errors ------------------------------------------------------------------------------------


def test_401_is_auth_naming_the_variable(replay):
    replay.add(PATH, Reply.json(401, {"message": "Unauthorized", "request_id": "3f2a"}))
    out = collect(mistral().stream(request(replay.url), CancelToken()))
    assert out["end"].error.kind is ErrorKind.AUTH
    assert (
        "MISTRAL_API_KEY" in out["end"].error.message and "Unauthorized" in out["end"].error.message
    )
    assert len(replay.requests_to(PATH)) == 1


@pytest.mark.parametrize(
    "body",
    [
        {"object": "error", "message": {"detail": [{"type": "extra_forbidden",
         "loc": ["body", "stream_options", "include_usage"], "msg": "Extra inputs are not permitted",
         "input": True}]}, "type": "invalid_request_error", "param": None, "code": None},
        {"detail": [{"type": "extra_forbidden", "loc": ["body", "stream_options", "include_usage"],
                     "msg": "Extra inputs are not permitted", "input": True}]},
        {"object": "error", "message": '{"detail":[{"type":"extra_forbidden","loc":["body",'
         '"stream_options","include_usage"],"msg":"Extra inputs are not permitted"}]}',
         "type": "internal_error_proxy", "param": None, "code": "1000"},
    ],
)  # fmt: skip
def test_422_says_which_field_was_refused_and_is_not_retried(replay, body):
    replay.add(PATH, Reply.json(422, body))
    out = collect(mistral().stream(request(replay.url), CancelToken()))
    error = out["end"].error
    assert error.kind is ErrorKind.BAD_REQUEST and error.status == 422
    assert "stream_options.include_usage: Extra inputs are not permitted" in error.message
    assert len(replay.requests_to(PATH)) == 1


def test_429_is_retried_after_the_wait_it_asks_for_then_streams(replay):
    limited = {"object": "error", "message": "Requests rate limit exceeded", "type": "rate_limited",
               "param": None, "code": "1300"}  # fmt: skip
    replay.add(PATH, Reply.json(429, limited, {"retry-after": "0"}),
               Reply(chunks=sse(*wire.stream(), done=True)))  # fmt: skip
    out = collect(mistral().stream(request(replay.url), CancelToken()))
    assert out["answer"] == "15% of 240 is **36**." and len(replay.requests_to(PATH)) == 2
    assert "retrying" in out["notices"][0].message


def test_429_every_time_is_a_rate_limit_error(replay):
    replay.always(PATH, Reply.json(429, {"message": "Requests rate limit exceeded"}))
    out = collect(mistral().stream(request(replay.url), CancelToken()))
    assert out["end"].error.kind is ErrorKind.RATE_LIMIT and out["end"].error.retryable


# -- models, keys, the registry ----------------------------------------------------------------


def test_only_chat_models_are_listed(replay):
    listing = {"object": "list", "data": [
        {"id": "mistral-small-latest", "capabilities": {"completion_chat": True, "vision": True}},
        {"id": "magistral-medium-latest", "capabilities": {"completion_chat": True}},
        {"id": "mistral-embed", "capabilities": {"completion_chat": False}},
        {"id": "mistral-ocr-latest", "capabilities": {"ocr": True}},
        {"id": "odd", "capabilities": "chat"},
    ]}  # fmt: skip
    replay.add("/v1/models", Reply.json(200, listing))
    assert mistral().list_models(replay.url + "/v1", "k") == [
        "magistral-medium-latest",
        "mistral-small-latest",
    ]
    assert replay.requests_to("/v1/models")[0].headers["authorization"] == "Bearer k"


def test_mistral_is_a_provider_with_its_default_endpoint_and_key():
    profile = PROFILES["mistral"]
    assert profile.base_url(None) == "https://api.mistral.ai/v1"
    assert profile.env_vars == ("MISTRAL_API_KEY",) and not profile.local
    assert isinstance(adapter_for("mistral"), MistralAdapter)


# -- typed content in the OpenAI-compatible adapter: any shape, split anywhere ------------------


class _Body(httpx.SyncByteStream):
    def __init__(self, body: bytes) -> None:
        self.body = body

    def __iter__(self) -> Iterator[bytes]:
        yield self.body


def over_mock(frames: list[dict[str, Any]], provider: str) -> dict[str, Any]:
    body = "".join(sse(*frames, done=True)).encode()

    def reply(_: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, headers={"content-type": "text/event-stream"}, stream=_Body(body)
        )

    with httpx.Client(transport=httpx.MockTransport(reply)) as client:
        a = mistral(client) if provider == "mistral" else compatible(client)
        return collect(a.stream(request("http://mock", provider), CancelToken()))


def _pieces(text: str, cuts: list[int]) -> list[str]:
    points = sorted({c % (len(text) + 1) for c in cuts} | {0, len(text)})
    return [text[a:b] for a, b in zip(points, points[1:], strict=False) if b > a]


_SHAPES = st.sampled_from(["string", "list", "list+string", "empty-list-then"])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    thinking_cuts=st.lists(st.integers(0, 200), max_size=6),
    answer_cuts=st.lists(st.integers(0, 200), max_size=6),
    data=st.data(),
    provider=st.sampled_from(["mistral", "openai-compatible"]),
)
def test_the_same_reply_as_strings_lists_or_mixed_split_anywhere_is_the_same(
    thinking_cuts, answer_cuts, data, provider
):
    frames = [wire.frame("")]
    for piece in _pieces(wire.MEANT_THINKING, thinking_cuts):
        frames.append(wire.frame([wire.thinking(piece)]))
    answer = _pieces(wire.MEANT_ANSWER, answer_cuts)
    i = 0
    while i < len(answer):
        shape = data.draw(_SHAPES)
        if shape == "string":
            frames.append(wire.frame(answer[i]))
        elif shape == "list":
            frames.append(wire.frame([wire.text(answer[i])]))
        elif shape == "list+string" or i + 1 == len(answer):
            frames.append(wire.frame([answer[i]]))  # a bare string inside a list
        else:
            # One delta carrying two text chunks, the first possibly empty.
            frames.append(
                wire.frame([wire.text(""), wire.text(answer[i]), wire.text(answer[i + 1])])
            )
            i += 1
        i += 1
    frames.append(wire.frame("", finish="stop", usage=wire.USAGE))
    out = over_mock(frames, provider)
    assert (out["reasoning"], out["answer"]) == (wire.MEANT_THINKING, wire.MEANT_ANSWER)


def test_the_reported_failure_a_list_delta_answer_is_never_lost(replay):
    """Before: "15% of 240 is **36**." arrived as "**36**." and the reasoning was lost."""
    out = run(replay, wire.stream(answer_as="mixed"), provider="openai-compatible")
    assert out["answer"] == "15% of 240 is **36**." and out["reasoning"] == wire.MEANT_THINKING


def test_an_unknown_chunk_type_stays_out_of_the_answer_and_is_said_once(replay):
    reference = {"type": "reference", "reference_ids": [3], "text": "[3] Percentages, p. 12"}
    frames = wire.stream()
    frames.insert(-1, wire.frame([reference, wire.text(" Source: [3].")]))
    frames.insert(-1, wire.frame([dict(reference, text="[4] again")]))
    out = run(replay, frames, provider="openai-compatible")
    assert out["answer"] == "15% of 240 is **36**. Source: [3]."
    notices = [n for n in out["notices"] if "reference" in n.message]
    assert len(notices) == 1 and "[3] Percentages, p. 12" in notices[0].message
    assert notices[0].extra == {"type": "reference", "text": "[3] Percentages, p. 12"}
    # It is kept with the reply that goes back to the same model.
    assert reference in out["opaque"][0].item["content"]


def test_a_whole_message_as_typed_chunks_fills_in_what_was_missed(replay):
    message = {"role": "assistant", "content": [wire.thinking(wire.MEANT_THINKING),
                                                 wire.text(wire.MEANT_ANSWER)]}  # fmt: skip
    frames = [wire.frame(""), wire.frame("", finish="stop", usage=wire.USAGE)]
    frames[-1]["choices"][0]["message"] = message
    out = run(replay, frames, provider="openai-compatible")
    assert (out["reasoning"], out["answer"]) == (wire.MEANT_THINKING, wire.MEANT_ANSWER)


def test_a_reference_with_text_after_one_without_is_still_told(replay, caplog):
    """The first chunk of a type said nothing; the text of the next one was dropped silently."""
    frames = wire.stream()
    frames.insert(-1, wire.frame([{"type": "reference", "reference_ids": [3]}]))
    frames.insert(-1, wire.frame([{"type": "reference", "text": "[3] Percentages, p. 12"}]))
    frames.insert(-1, wire.frame([{"type": "reference", "text": "[4] again"}]))
    out = run(replay, frames, provider="openai-compatible")
    assert out["answer"] == wire.MEANT_ANSWER
    [notice] = [n for n in out["notices"] if "reference" in n.message]
    assert notice.extra == {"type": "reference", "text": "[3] Percentages, p. 12"}
    assert sum("'reference' content chunk" in r.message for r in caplog.records) == 1


def test_a_chunk_type_only_the_whole_message_carried_is_told(replay):
    """A stream that ends with the whole message and no deltas: its reference chunk was
    neither shown nor said."""
    reference = {"type": "reference", "reference_ids": [3], "text": "[3] Percentages, p. 12"}
    message = {"role": "assistant", "content": [wire.thinking(wire.MEANT_THINKING),
                                                 wire.text(wire.MEANT_ANSWER), reference]}  # fmt: skip
    frames = [wire.frame(""), wire.frame("", finish="stop", usage=wire.USAGE)]
    frames[-1]["choices"][0]["message"] = message
    out = run(replay, frames, provider="openai-compatible")
    assert out["answer"] == wire.MEANT_ANSWER
    [notice] = [n for n in out["notices"] if "reference" in n.message]
    assert notice.extra == {"type": "reference", "text": "[3] Percentages, p. 12"}


def _echoed(out: dict[str, Any]) -> tuple[str, str]:
    """The thinking and the text of the chunk list that goes back to the same model."""
    [opaque] = out["opaque"]
    content = opaque.item["content"]
    thinking = "".join(c["thinking"][0]["text"] for c in content if c["type"] == "thinking")
    return thinking, "".join(c["text"] for c in content if c["type"] == "text")


@pytest.mark.parametrize(
    "last",
    [
        [wire.thinking(wire.MEANT_THINKING), wire.text(wire.MEANT_ANSWER)],
        [wire.text(wire.MEANT_ANSWER)],
        wire.MEANT_ANSWER,
    ],
    ids=["thinking and text chunks", "text chunks", "a string"],
)
def test_a_last_chunk_repeating_the_reply_goes_back_to_the_model_once(replay, last):
    """It was shown once, but the chunk list for the next turn carried the reply twice."""
    frames = wire.stream(answer_as="lists")
    frames[-1]["choices"][0]["delta"]["content"] = last
    out = run(replay, frames, effort="high")
    assert (out["reasoning"], out["answer"]) == (wire.MEANT_THINKING, wire.MEANT_ANSWER)
    assert _echoed(out) == (wire.MEANT_THINKING, wire.MEANT_ANSWER)
    turn = HistoryTurn("What is 15% of 240?", out["answer"], "mistral", wire.MODEL,
                       out["reasoning"], (out["opaque"][0].item,))  # fmt: skip
    run(replay, wire.stream(), effort="high", prompt="And 20% of it?", history=(turn,))
    assert replay.requests_to(PATH)[-1].json["messages"][1]["content"] == [
        wire.thinking(wire.MEANT_THINKING),
        wire.text(wire.MEANT_ANSWER),
    ]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    thinking_cuts=st.lists(st.integers(1, len(wire.MEANT_THINKING) - 1), min_size=1, max_size=5),
    answer_cuts=st.lists(st.integers(1, len(wire.MEANT_ANSWER) - 1), min_size=1, max_size=5),
    as_lists=st.lists(st.booleans(), min_size=6, max_size=6),
    ending=st.sampled_from(["empty", "thinking and text", "text", "string"]),
    provider=st.sampled_from(["mistral", "openai-compatible"]),
)
def test_the_reply_shown_and_the_reply_sent_back_are_what_was_said_once(
    thinking_cuts, answer_cuts, as_lists, ending, provider
):
    frames = [wire.frame("")]
    frames += [wire.frame([wire.thinking(p)]) for p in _pieces(wire.MEANT_THINKING, thinking_cuts)]
    for i, piece in enumerate(_pieces(wire.MEANT_ANSWER, answer_cuts)):
        frames.append(wire.frame([wire.text(piece)] if as_lists[i] else piece))
    last: Any = {
        "empty": "",
        "thinking and text": [wire.thinking(wire.MEANT_THINKING), wire.text(wire.MEANT_ANSWER)],
        "text": [wire.text(wire.MEANT_ANSWER)],
        "string": wire.MEANT_ANSWER,
    }[ending]
    frames.append(wire.frame(last, finish="stop", usage=wire.USAGE))
    out = over_mock(frames, provider)
    assert (out["reasoning"], out["answer"]) == (wire.MEANT_THINKING, wire.MEANT_ANSWER)
    assert _echoed(out) == (wire.MEANT_THINKING, wire.MEANT_ANSWER)
