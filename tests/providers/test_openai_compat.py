"""The OpenAI-compatible adapter against a real loopback server replaying wire-accurate streams."""

from __future__ import annotations

import json
import threading
import time
from decimal import Decimal

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from client.core.cancel import CancelToken
from client.core.errors import ErrorKind, UsageError
from client.core.events import (
    AnswerDelta,
    Failed,
    Finished,
    Notice,
    OpaqueReasoning,
    ReasoningDelta,
    Reclassify,
    TurnStatus,
    UsageReport,
    Visibility,
)
from client.core.request import HistoryTurn, TurnRequest
from client.providers.http import RetryPolicy
from client.providers.openai_compat import ChatCompletionsAdapter
from client.providers.registry import PROFILES
from tests.support.chat import chunk, simple_stream, usage_chunk
from tests.support.replay import Reply, sse

FAST = RetryPolicy(attempts=3, base_delay_s=0.01, max_delay_s=0.02)
PATH = "/v1/chat/completions"


def adapter(name: str = "openai-compatible", **kw) -> ChatCompletionsAdapter:
    return ChatCompletionsAdapter(PROFILES[name], policy=FAST, **kw)


def request(url: str, provider: str = "openai-compatible", **kw) -> TurnRequest:
    return TurnRequest(
        provider=provider,
        model=kw.pop("model", "qwen3"),
        prompt=kw.pop("prompt", "Is 391 prime?"),
        base_url=url + "/v1",
        **kw,
    )


def collect(events) -> dict:
    """Fold events the way the controller does: reasoning, answer, last usage, the outcome."""
    out = {
        "reasoning": "",
        "answer": "",
        "usage": None,
        "end": None,
        "kinds": set(),
        "opaque": [],
        "notices": [],
        "cost": None,
    }
    for e in events:
        if isinstance(e, ReasoningDelta):
            out["reasoning"] += e.text
            out["kinds"].add(e.kind)
        elif isinstance(e, AnswerDelta):
            out["answer"] += e.text
        elif isinstance(e, Reclassify):
            out["reasoning"] += out["answer"]
            out["answer"] = ""
        elif isinstance(e, UsageReport):
            out["usage"] = e.usage
            out["cost"] = e.provider_cost
        elif isinstance(e, OpaqueReasoning):
            out["opaque"].append(e)
        elif isinstance(e, Notice):
            out["notices"].append(e)
        elif isinstance(e, Finished | Failed):
            out["end"] = e
    return out


def run(replay, frames, name="openai-compatible", **kw):
    replay.add(PATH, Reply(chunks=frames))
    return collect(adapter(name).stream(request(replay.url, provider=name, **kw), CancelToken()))


def test_llama_cpp_reasoning_content_then_answer_with_timings(replay):
    frames = simple_stream("391 = 17 × 23, so it is composite.", "No: 391 = 17 × 23.")
    frames[-1]["timings"] = {"cache_n": 8, "prompt_n": 4, "predicted_n": 40}
    frames[-1]["usage"]["prompt_tokens"] = 4
    out = run(replay, sse(*frames, done=True))
    assert out["reasoning"] == "391 = 17 × 23, so it is composite."
    assert out["answer"] == "No: 391 = 17 × 23."
    assert out["kinds"] == {Visibility.RAW}
    assert out["end"] == Finished(TurnStatus.COMPLETE, stop_reason="stop", model_reported="qwen3")
    # prompt_tokens equal to timings.prompt_n excluded the reused cache: add it back.
    assert out["usage"].input_tokens == 12 and out["usage"].cached_input_tokens == 8
    assert out["usage"].output_tokens == 40 and out["usage"].reasoning_tokens is None
    sent = replay.requests_to(PATH)[0].json
    assert sent["stream"] is True and sent["stream_options"] == {"include_usage": True}
    assert sent["messages"] == [{"role": "user", "content": "Is 391 prime?"}]


def test_vllm_reasoning_field_and_empty_reasoning_content_beside_it(replay):
    frames = [
        chunk(reasoning="Think", field="reasoning", extra_delta={"reasoning_content": ""}),
        chunk(reasoning=" hard.", field="reasoning"),
        chunk(content="Yes."),
        chunk(finish="stop"),
    ]
    out = run(replay, sse(*frames, done=True))
    assert (out["reasoning"], out["answer"]) == ("Think hard.", "Yes.")


def test_inline_think_tags_split_across_chunks(replay):
    pieces = ["<th", "ink>\nSum the", " digits.</th", "ink>\n\n9"]
    frames = [chunk(content=p) for p in pieces] + [chunk(finish="stop")]
    out = run(replay, sse(*frames, done=True))
    assert (out["reasoning"], out["answer"]) == ("Sum the digits.", "9")


def test_groq_escapes_tags_in_json_and_they_are_decoded_first(replay):
    raw = 'data: {"choices":[{"index":0,"delta":{"content":"\\u003cthink\\u003eHmm\\u003c/think\\u003eOK"},"finish_reason":null}]}\n\n'
    frames = [raw, *sse(chunk(finish="stop"), done=True)]
    out = run(replay, frames)
    assert (out["reasoning"], out["answer"]) == ("Hmm", "OK")


def test_orphan_close_tag_reclassifies_the_provisional_answer(replay):
    frames = [
        chunk(content="Sum the digits."),
        chunk(content="</think>"),
        chunk(content="\n\n9"),
        chunk(finish="stop"),
    ]
    replay.add(PATH, Reply(chunks=sse(*frames, done=True)))
    events = list(adapter().stream(request(replay.url), CancelToken()))
    assert any(isinstance(e, Reclassify) for e in events)
    out = collect(events)
    assert (out["reasoning"], out["answer"]) == ("Sum the digits.", "9")


def test_empty_think_block_yields_no_reasoning(replay):
    frames = [chunk(content="<think>\n\n</think>\n\n"), chunk(content="9"), chunk(finish="stop")]
    out = run(replay, sse(*frames, done=True))
    assert (out["reasoning"], out["answer"]) == ("", "9")


def test_stream_ending_inside_the_block_is_reasoning_with_status_length(replay):
    frames = [chunk(content="<think>Still summing the di"), chunk(finish="length")]
    out = run(replay, sse(*frames, done=True))
    assert (out["reasoning"], out["answer"]) == ("Still summing the di", "")
    assert out["end"].status is TurnStatus.LENGTH


def test_deepseek_cache_hits_and_reasoning_tokens(replay):
    frames = [
        chunk(reasoning="R", model="deepseek-reasoner"),
        chunk(content="A", model="deepseek-reasoner"),
        chunk(
            finish="stop",
            model="deepseek-reasoner",
            usage={
                "prompt_tokens": 100,
                "completion_tokens": 50,
                "total_tokens": 150,
                "prompt_cache_hit_tokens": 64,
                "prompt_cache_miss_tokens": 36,
                "completion_tokens_details": {"reasoning_tokens": 30},
            },
        ),
    ]
    out = run(
        replay,
        [": keep-alive\n\n", *sse(*frames, done=True)],
        name="deepseek",
        model="deepseek-reasoner",
    )
    u = out["usage"]
    assert (u.input_tokens, u.cached_input_tokens, u.output_tokens, u.reasoning_tokens) == (
        100,
        64,
        50,
        30,
    )


def test_xai_completion_excluding_reasoning_is_converted(replay):
    frames = [
        chunk(content="Hi"),
        chunk(finish="stop"),
        usage_chunk(17, 100, reasoning=963, total=17 + 100 + 963),
    ]
    out = run(replay, sse(*frames, done=True))
    assert out["usage"].output_tokens == 1063 and out["usage"].reasoning_tokens == 963


def test_groq_includes_reasoning_in_completion_and_nests_usage(replay):
    frames = [
        chunk(content="Hi"),
        chunk(
            finish="stop",
            x_groq={
                "usage": {
                    "prompt_tokens": 17,
                    "completion_tokens": 1107,
                    "total_tokens": 1124,
                    "completion_tokens_details": {"reasoning_tokens": 963},
                }
            },
        ),
    ]
    out = run(replay, sse(*frames, done=True))
    assert out["usage"].output_tokens == 1107 and out["usage"].reasoning_tokens == 963


def test_openrouter_reasoning_details_cost_and_echo(replay):
    model = "anthropic/claude-sonnet-4.5"
    details1 = [
        {"type": "reasoning.text", "text": "Two odd", "index": 0, "format": "anthropic-claude-v1"}
    ]
    details2 = [{"type": "reasoning.text", "text": " numbers.", "index": 0}]
    details3 = [{"type": "reasoning.text", "text": "", "signature": "EpwC", "index": 0}]
    frames = [
        ": OPENROUTER PROCESSING\n\n",
        *sse(
            chunk(model=model, extra_delta={"reasoning": "Two odd", "reasoning_details": details1}),
            chunk(
                model=model, extra_delta={"reasoning": " numbers.", "reasoning_details": details2}
            ),
            chunk(model=model, extra_delta={"reasoning_details": details3}),
            chunk(content="Even.", model=model),
            chunk(finish="stop", model=model),
            usage_chunk(10, 20, reasoning=12, model=model, cost=0.00123),
            done=True,
        ),
    ]
    out = run(replay, frames, name="openrouter", model=model)
    assert out["reasoning"] == "Two odd numbers."
    assert out["kinds"] == {Visibility.SUMMARY}  # Claude 4+ thinking is a summary
    assert out["cost"] == Decimal("0.00123")
    [opaque] = out["opaque"]
    assert opaque.item["reasoning_details"] == [
        {
            "type": "reasoning.text",
            "text": "Two odd numbers.",
            "index": 0,
            "format": "anthropic-claude-v1",
            "signature": "EpwC",
        }
    ]
    # The next turn sends the merged details back unchanged, only to the same model.
    replay.add(PATH, Reply(chunks=sse(chunk(content="ok"), chunk(finish="stop"), done=True)))
    history = (HistoryTurn("q", "Even.", "openrouter", model, "Two odd numbers.", (opaque.item,)),)
    list(
        adapter("openrouter").stream(
            request(replay.url, provider="openrouter", model=model, history=history), CancelToken()
        )
    )
    sent = replay.requests_to(PATH)[1].json
    assert sent["messages"][1] == {
        "role": "assistant",
        "content": "Even.",
        "reasoning_details": opaque.item["reasoning_details"],
    }
    replay.add(PATH, Reply(chunks=sse(chunk(content="ok"), chunk(finish="stop"), done=True)))
    list(
        adapter("openrouter").stream(
            request(replay.url, provider="openrouter", model="openai/o3", history=history),
            CancelToken(),
        )
    )
    assert replay.requests_to(PATH)[2].json["messages"][1] == {
        "role": "assistant",
        "content": "Even.",
    }


def test_plain_reasoning_is_never_sent_back(replay):
    replay.add(PATH, Reply(chunks=sse(chunk(content="ok"), chunk(finish="stop"), done=True)))
    history = (
        HistoryTurn("Is 391 prime?", "No.", "deepseek", "deepseek-reasoner", "391 = 17 × 23"),
    )
    list(
        adapter("deepseek").stream(
            request(
                replay.url,
                provider="deepseek",
                model="deepseek-reasoner",
                history=history,
                prompt="and 393?",
            ),
            CancelToken(),
        )
    )
    sent = replay.requests_to(PATH)[0].json
    assert sent["messages"] == [
        {"role": "user", "content": "Is 391 prime?"},
        {"role": "assistant", "content": "No."},
        {"role": "user", "content": "and 393?"},
    ]
    assert "391 = 17" not in json.dumps(sent)


def test_finish_reason_without_done_is_complete(replay):
    out = run(replay, sse(chunk(content="A"), chunk(finish="stop")))
    assert out["end"].status is TurnStatus.COMPLETE


def test_cut_connection_keeps_partial_text_and_is_a_network_failure(replay):
    replay.add(PATH, Reply(chunks=sse(chunk(reasoning="Half a"), chunk(content="thou")), cut=True))
    out = collect(adapter().stream(request(replay.url), CancelToken()))
    assert (out["reasoning"], out["answer"]) == ("Half a", "thou")
    assert isinstance(out["end"], Failed) and out["end"].after_output
    assert out["end"].error.kind in (ErrorKind.NETWORK,)


def test_eof_without_finish_reason_is_interrupted(replay):
    out = run(replay, sse(chunk(content="thou")))
    assert isinstance(out["end"], Failed) and out["end"].error.kind is ErrorKind.NETWORK


def test_401_is_auth_with_a_sentence_on_where_to_set_the_key(replay):
    replay.add(
        PATH,
        Reply.json(
            401,
            {
                "error": {
                    "message": "Invalid API key",
                    "type": "invalid_request_error",
                    "code": "invalid_api_key",
                }
            },
        ),
    )
    out = collect(
        adapter("deepseek").stream(
            request(replay.url, provider="deepseek", api_key="sk-secret-1"), CancelToken()
        )
    )
    err = out["end"].error
    assert err.kind is ErrorKind.AUTH and err.status == 401
    assert "DEEPSEEK_API_KEY" in err.message and "sk-secret-1" not in err.message
    assert len(replay.requests_to(PATH)) == 1  # never retried


def test_429_is_retried_honouring_retry_after_ms_then_succeeds(replay):
    replay.add(
        PATH,
        Reply.json(
            429,
            {"error": {"message": "slow down", "code": "rate_limit_exceeded"}},
            {"retry-after-ms": "30"},
        ),
        Reply(chunks=sse(chunk(content="ok"), chunk(finish="stop"), done=True)),
    )
    out = collect(adapter().stream(request(replay.url), CancelToken()))
    assert out["answer"] == "ok" and out["end"].status is TurnStatus.COMPLETE
    assert out["notices"] and out["notices"][0].extra["delay_s"] == pytest.approx(0.03)


def test_429_every_time_gives_rate_limit_after_the_attempts(replay):
    replay.always(
        PATH, Reply.json(429, {"error": {"message": "slow down", "code": "rate_limit_exceeded"}})
    )
    out = collect(adapter().stream(request(replay.url), CancelToken()))
    assert out["end"].error.kind is ErrorKind.RATE_LIMIT and out["end"].error.retryable
    assert len(replay.requests_to(PATH)) == FAST.attempts


def test_insufficient_quota_is_never_retried(replay):
    replay.always(
        PATH,
        Reply.json(
            429, {"error": {"message": "You exceeded your quota", "code": "insufficient_quota"}}
        ),
    )
    out = collect(
        adapter("openai-chat").stream(request(replay.url, provider="openai-chat"), CancelToken())
    )
    assert out["end"].error.kind is ErrorKind.QUOTA
    assert len(replay.requests_to(PATH)) == 1


def test_server_asking_for_too_long_a_wait_is_reported_not_waited(replay):
    replay.always(PATH, Reply.json(503, {"error": {"message": "busy"}}, {"retry-after": "3600"}))
    out = collect(adapter().stream(request(replay.url), CancelToken()))
    assert out["end"].error.kind is ErrorKind.OVERLOADED and "3600" in out["end"].error.message
    assert len(replay.requests_to(PATH)) == 1


def test_5xx_then_success_is_retried_before_the_first_byte(replay):
    replay.add(
        PATH,
        Reply(500, ["<html><body>Bad gateway</body></html>"], content_type="text/html"),
        Reply(chunks=sse(chunk(content="ok"), chunk(finish="stop"), done=True)),
    )
    out = collect(adapter().stream(request(replay.url), CancelToken()))
    assert out["answer"] == "ok"


def test_context_length_is_its_own_kind_and_not_retried(replay):
    replay.add(
        PATH,
        Reply.json(
            400,
            {
                "error": {
                    "message": "This model's maximum context length is 8192 tokens",
                    "code": "context_length_exceeded",
                }
            },
        ),
    )
    out = collect(adapter().stream(request(replay.url), CancelToken()))
    assert out["end"].error.kind is ErrorKind.CONTEXT_LENGTH
    assert len(replay.requests_to(PATH)) == 1


def test_llama_cpp_context_message_maps_to_context_length(replay):
    replay.add(
        PATH,
        Reply.json(
            400,
            {
                "error": {
                    "code": 400,
                    "message": "the request exceeds the available context size",
                    "type": "exceed_context_size_error",
                }
            },
        ),
    )
    out = collect(adapter().stream(request(replay.url), CancelToken()))
    assert out["end"].error.kind is ErrorKind.CONTEXT_LENGTH


def test_malformed_json_line_is_a_protocol_error_keeping_what_came(replay):
    out = run(replay, [*sse(chunk(content="Par")), "data: {not json\n\n"])
    assert out["answer"] == "Par"
    assert out["end"].error.kind is ErrorKind.PROTOCOL and out["end"].after_output


def test_html_page_with_200_is_a_protocol_error(replay):
    replay.add(PATH, Reply(200, ["<!doctype html><title>Login</title>"], content_type="text/html"))
    out = collect(adapter().stream(request(replay.url), CancelToken()))
    assert out["end"].error.kind is ErrorKind.PROTOCOL and "base URL" in out["end"].error.message


def test_html_404_is_not_found_naming_the_url(replay):
    replay.add(PATH, Reply(404, ["<html>Not Found</html>"], content_type="text/html"))
    out = collect(adapter().stream(request(replay.url), CancelToken()))
    assert out["end"].error.kind is ErrorKind.NOT_FOUND and "web page" in out["end"].error.message


def test_mid_stream_error_object_fails_after_output(replay):
    out = run(
        replay,
        sse(
            chunk(content="Part"), {"error": {"message": "Overloaded", "type": "overloaded_error"}}
        ),
    )
    assert out["answer"] == "Part"
    assert out["end"].error.kind is ErrorKind.OVERLOADED and out["end"].after_output


def test_vllm_error_object_mid_stream(replay):
    out = run(
        replay,
        sse(
            chunk(content="Part"),
            {"object": "error", "message": "boom", "type": "InternalServerError", "code": 500},
        ),
    )
    assert isinstance(out["end"], Failed) and out["end"].error.kind is ErrorKind.SERVER


def test_connection_refused_is_network_with_the_host(replay):
    a = adapter()
    out = collect(
        a.stream(
            TurnRequest(
                provider="openai-compatible",
                model="m",
                prompt="p",
                base_url="http://127.0.0.1:9/v1",
            ),
            CancelToken(),
        )
    )
    assert out["end"].error.kind is ErrorKind.NETWORK and "127.0.0.1" in out["end"].error.message


def test_stop_closes_a_hanging_stream_promptly(replay):
    replay.add(PATH, Reply(chunks=sse(chunk(content="Hel")), hang_s=30))
    cancel = CancelToken()
    events = []
    started = threading.Event()

    def consume():
        for e in adapter().stream(request(replay.url), cancel):
            events.append(e)
            if isinstance(e, AnswerDelta):
                started.set()

    worker = threading.Thread(target=consume)
    worker.start()
    assert started.wait(10)
    cancel.cancel()
    worker.join(10)
    assert not worker.is_alive()
    assert isinstance(events[-1], Failed) and events[-1].error.kind is ErrorKind.CANCELLED
    assert collect(events)["answer"] == "Hel"


@pytest.mark.parametrize(
    ("name", "kw", "expected"),
    [
        ("deepseek", {"effort": "none"}, {"thinking": {"type": "disabled"}}),
        (
            "deepseek",
            {"effort": "high"},
            {"thinking": {"type": "enabled"}, "reasoning_effort": "high"},
        ),
        ("openrouter", {"effort": "low"}, {"reasoning": {"effort": "low"}}),
        ("openrouter", {"thinking_budget": 2000}, {"reasoning": {"max_tokens": 2000}}),
        (
            "openai-chat",
            {"effort": "minimal", "max_output_tokens": 500},
            {"reasoning_effort": "minimal", "max_completion_tokens": 500},
        ),
        (
            "openai-compatible",
            {"effort": "none"},
            {"reasoning_effort": "none", "chat_template_kwargs": {"enable_thinking": False}},
        ),
        ("openai-compatible", {"max_output_tokens": 64}, {"max_tokens": 64}),
    ],
)
def test_reasoning_controls_map_to_what_each_server_accepts(name, kw, expected):
    body = adapter(name).body(
        TurnRequest(provider=name, model="m", prompt="p", base_url="http://x/v1", **kw)
    )
    for key, value in expected.items():
        assert body[key] == value
    if name == "openai-chat":
        assert "max_tokens" not in body and "temperature" not in body


@pytest.mark.parametrize(
    ("name", "kw"),
    [
        ("openrouter", {"effort": "low", "thinking_budget": 100}),
        ("openai-chat", {"thinking_budget": 100}),
        ("deepseek", {"thinking_budget": 100}),
        ("openai-compatible", {"thinking_budget": 100}),
        ("openai-compatible", {"summary": "detailed"}),
    ],
)
def test_controls_a_server_cannot_take_are_refused_before_sending(name, kw):
    with pytest.raises(UsageError):
        adapter(name).body(
            TurnRequest(provider=name, model="m", prompt="p", base_url="http://x/v1", **kw)
        )


# -- byte-boundary invariance through the whole adapter (MockTransport, no sockets) --------------

STREAM = "".join(
    sse(
        chunk(content="<think>"),
        chunk(content="Ünïcode ✓ reasoning 17 × 23"),
        chunk(content="</think>\n\n"),
        chunk(content="Answer: 391 is composite — 17 × 23 ✓"),
        chunk(finish="stop"),
        usage_chunk(12, 40, reasoning=20),
        crlf=True,
        done=True,
    )
).encode()


def _events_for(cuts: list[int]) -> list:
    points = sorted({c % (len(STREAM) + 1) for c in cuts})
    pieces = [STREAM[a:b] for a, b in zip([0, *points], [*points, len(STREAM)], strict=True)]

    def handler(_request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200,
            headers={"content-type": "text/event-stream"},
            stream=httpx.ByteStream(b"") if False else _Pieces(pieces),
        )

    client = httpx.Client(transport=httpx.MockTransport(handler))
    a = ChatCompletionsAdapter(PROFILES["openai-compatible"], client=client, policy=FAST)
    return [
        e
        for e in a.stream(
            TurnRequest(
                provider="openai-compatible", model="m", prompt="p", base_url="http://mock/v1"
            ),
            CancelToken(),
        )
    ]


class _Pieces(httpx.SyncByteStream):
    def __init__(self, pieces: list[bytes]) -> None:
        self.pieces = pieces

    def __iter__(self):
        yield from self.pieces


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=10_000), max_size=40))
def test_the_same_stream_split_anywhere_gives_the_same_result(cuts):
    whole = collect(_events_for([]))
    split = collect(_events_for(cuts))
    assert (split["reasoning"], split["answer"], split["usage"], split["end"]) == (
        whole["reasoning"],
        whole["answer"],
        whole["usage"],
        whole["end"],
    )
    assert whole["reasoning"] == "Ünïcode ✓ reasoning 17 × 23"
    assert whole["answer"] == "Answer: 391 is composite — 17 × 23 ✓"


def test_a_key_is_sent_as_a_bearer_header_only(replay):
    replay.add(PATH, Reply(chunks=sse(chunk(content="ok"), chunk(finish="stop"), done=True)))
    list(adapter().stream(request(replay.url, api_key="sk-local-123"), CancelToken()))
    received = replay.requests_to(PATH)[0]
    assert received.headers["authorization"] == "Bearer sk-local-123"
    assert b"sk-local-123" not in received.body


def test_list_models(replay):
    replay.add(
        "/v1/models",
        Reply.json(200, {"object": "list", "data": [{"id": "qwen3", "object": "model"}]}),
    )
    assert adapter().list_models(replay.url + "/v1", None) == ["qwen3"]


def test_slow_streams_are_read_as_they_arrive(replay):
    replay.add(
        PATH,
        Reply(
            chunks=sse(chunk(content="a"), chunk(content="b"), chunk(finish="stop"), done=True),
            delay_s=0.05,
        ),
    )
    seen = []
    t0 = time.monotonic()
    for e in adapter().stream(request(replay.url), CancelToken()):
        if isinstance(e, AnswerDelta):
            seen.append(time.monotonic() - t0)
    assert len(seen) == 2 and seen[0] < seen[1]


def test_gemini_compat_thought_tags_are_a_summary():
    """Gemini's OpenAI-compatible endpoint wraps thought summaries in <thought> tags (§5)."""
    body = "".join(
        sse(
            chunk(content="<thought>Plan."),
            chunk(content="</thought>Answer."),
            chunk(finish="stop"),
            done=True,
        )
    ).encode()

    def handler(_request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=body)

    client = httpx.Client(transport=httpx.MockTransport(handler))
    a = ChatCompletionsAdapter(PROFILES["openai-compatible"], client=client, policy=FAST)
    base = "https://generativelanguage.googleapis.com/v1beta/openai"
    out = collect(
        a.stream(
            TurnRequest(
                provider="openai-compatible", model="gemini-2.5-flash", prompt="p", base_url=base
            ),
            CancelToken(),
        )
    )
    assert (out["reasoning"], out["answer"], out["kinds"]) == (
        "Plan.",
        "Answer.",
        {Visibility.SUMMARY},
    )
