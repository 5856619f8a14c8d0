"""OpenAI Responses (`--provider openai`) against the loopback server, with full event sequences
written from PROVIDERS.md §2 (event lines, sequence_number, obfuscation padding, no [DONE])."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

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
from client.core.usage import Usage
from client.providers.http import RetryPolicy
from client.providers.openai_compat import ChatCompletionsAdapter
from client.providers.openai_responses import OpenAIResponsesAdapter
from client.providers.registry import PROFILES
from tests.support.replay import ReplayServer, Reply, sse

FAST = RetryPolicy(attempts=3, base_delay_s=0.01, max_delay_s=0.02)
PATH = "/v1/responses"
MODEL = "o4-mini"
BLOB = "gAAAAABo_encrypted_reasoning_state=="


SUMMARY_PARTS = [["**Checking divisors**\n\n", "Try 17: 17 × 23 = 391."], ["So it is composite."]]
USAGE = {
    "input_tokens": 120,
    "input_tokens_details": {"cached_tokens": 64},
    "output_tokens": 900,
    "output_tokens_details": {"reasoning_tokens": 832},
    "total_tokens": 1020,
}


def responses_events(
    parts: list[list[str]] = SUMMARY_PARTS,
    answer: tuple[str, ...] = ("391 = 17 ", "× 23."),
    *,
    terminal: str = "response.completed",
    reason: str | None = None,
    usage: dict[str, Any] = USAGE,
    encrypted: str | None = BLOB,
) -> list[dict[str, Any]]:
    """One reasoning item (summary parts of deltas), one message item, then the terminal event."""
    seq = itertools.count()

    def ev(kind: str, **fields: Any) -> dict[str, Any]:
        return {"type": kind, "sequence_number": next(seq), **fields}

    resp = {"id": "resp_1", "object": "response", "status": "in_progress", "output": [],
            "model": "o4-mini-2025-04-16", "usage": None}  # fmt: skip
    added = {"id": "rs_1", "type": "reasoning", "summary": [], "encrypted_content": "partial"}
    out = [ev("response.created", response=resp), ev("response.in_progress", response=resp),
           ev("response.output_item.added", output_index=0, item=added)]  # fmt: skip
    for i, deltas in enumerate(parts):
        loc = {"item_id": "rs_1", "output_index": 0, "summary_index": i}
        text = "".join(deltas)
        out.append(
            ev(
                "response.reasoning_summary_part.added",
                **loc,
                part={"type": "summary_text", "text": ""},
            )
        )
        out += [
            ev("response.reasoning_summary_text.delta", **loc, delta=d, obfuscation="Xq3")
            for d in deltas
        ]
        out.append(ev("response.reasoning_summary_text.done", **loc, text=text))
        out.append(
            ev(
                "response.reasoning_summary_part.done",
                **loc,
                part={"type": "summary_text", "text": text},
            )
        )
    item: dict[str, Any] = {"id": "rs_1", "type": "reasoning",
                            "summary": [{"type": "summary_text", "text": "".join(d)} for d in parts]}  # fmt: skip
    if encrypted:
        item["encrypted_content"] = encrypted
    out.append(ev("response.output_item.done", output_index=0, item=item))
    message = {
        "id": "msg_1",
        "type": "message",
        "status": "in_progress",
        "role": "assistant",
        "content": [],
    }
    loc = {"item_id": "msg_1", "output_index": 1, "content_index": 0}
    out.append(ev("response.output_item.added", output_index=1, item=message))
    out.append(
        ev(
            "response.content_part.added",
            **loc,
            part={"type": "output_text", "text": "", "annotations": []},
        )
    )
    out += [
        ev("response.output_text.delta", **loc, delta=d, logprobs=[], obfuscation="pad")
        for d in answer
    ]
    out.append(ev("response.output_text.done", **loc, text="".join(answer)))
    final = {**resp, "status": terminal.split(".")[-1], "usage": usage}
    if reason:
        final["incomplete_details"] = {"reason": reason}
    out.append(ev(terminal, response=final))
    return out


QuickStopReplay = ReplayServer  # the shared server now stops promptly itself


def quick_replay() -> Iterator[ReplayServer]:
    with QuickStopReplay() as server:
        yield server


@pytest.fixture
def replay() -> Iterator[ReplayServer]:
    yield from quick_replay()


def adapter(name: str = "openai") -> OpenAIResponsesAdapter:
    return OpenAIResponsesAdapter(PROFILES[name], policy=FAST)


def request(url: str, **kw: Any) -> TurnRequest:
    return TurnRequest(
        provider="openai",
        model=kw.pop("model", MODEL),
        prompt=kw.pop("prompt", "Is 391 prime?"),
        base_url=url + "/v1",
        api_key="sk-test",
        **kw,
    )


def collect(events) -> dict[str, Any]:
    out: dict[str, Any] = {
        "reasoning": "",
        "answer": "",
        "usage": None,
        "end": None,
        "kinds": set(),
        "opaque": [],
        "notices": [],
        "events": [],
    }
    for e in events:
        out["events"].append(e)
        if isinstance(e, ReasoningDelta):
            out["reasoning"] += e.text
            out["kinds"].add(e.kind)
        elif isinstance(e, AnswerDelta):
            out["answer"] += e.text
        elif isinstance(e, Reclassify):
            out["reasoning"], out["answer"] = out["reasoning"] + out["answer"], ""
        elif isinstance(e, UsageReport):
            out["usage"] = e.usage
        elif isinstance(e, OpaqueReasoning):
            out["opaque"].append(e)
        elif isinstance(e, Notice):
            out["notices"].append(e)
        elif isinstance(e, Finished | Failed):
            out["end"] = e
    return out


def run(replay, frames, **kw) -> dict[str, Any]:
    replay.add(PATH, Reply(chunks=frames))
    return collect(adapter().stream(request(replay.url, **kw), CancelToken()))


def test_summary_parts_stream_as_paragraphs_then_the_answer_and_usage(replay):
    out = run(replay, sse(*responses_events(), event_names=True))
    assert (
        out["reasoning"] == "**Checking divisors**\n\nTry 17: 17 × 23 = 391.\n\nSo it is composite."
    )
    assert out["kinds"] == {Visibility.SUMMARY}
    assert out["answer"] == "391 = 17 × 23."
    assert out["usage"] == Usage(120, 64, None, 900, 832)
    assert out["end"] == Finished(
        TurnStatus.COMPLETE, "completed", model_reported="o4-mini-2025-04-16"
    )
    # The encrypted item comes from output_item.done (complete), never the partial copy in .added.
    assert [o.item["encrypted_content"] for o in out["opaque"]] == [BLOB]
    assert not out["opaque"][0].redacted


def test_the_request_asks_for_summaries_and_encrypted_reasoning_statelessly(replay):
    run(
        replay,
        sse(*responses_events(), event_names=True),
        effort="high",
        max_output_tokens=6000,
        system="Be brief.",
    )
    sent = replay.requests_to(PATH)[0]
    assert sent.headers["authorization"] == "Bearer sk-test"
    assert sent.json == {
        "model": MODEL,
        "input": [{"role": "user", "content": "Is 391 prime?"}],
        "stream": True,
        "store": False,
        "instructions": "Be brief.",
        "max_output_tokens": 6000,
        "reasoning": {"effort": "high", "summary": "auto"},
        "include": ["reasoning.encrypted_content"],
    }


def test_summary_none_omits_the_summary_and_other_modes_pass_through(replay):
    run(replay, sse(*responses_events(), event_names=True), summary="none", effort="low")
    run(replay, sse(*responses_events(), event_names=True), summary="detailed")
    first, second = (r.json for r in replay.requests_to(PATH))
    assert first["reasoning"] == {"effort": "low"}
    assert second["reasoning"] == {"summary": "detailed"}


def test_reasoning_with_no_summary_is_hidden_tokens_and_an_encrypted_item(replay):
    out = run(replay, sse(*responses_events(parts=[]), event_names=True))
    assert out["reasoning"] == "" and out["answer"] == "391 = 17 × 23."
    assert out["usage"].reasoning_tokens == 832 and len(out["opaque"]) == 1


def test_raw_reasoning_text_from_a_local_responses_server(replay):
    events = responses_events(parts=[], encrypted=None)
    raw = [
        {
            "type": "response.reasoning_text.delta",
            "sequence_number": 90,
            "item_id": "rs_1",
            "output_index": 0,
            "content_index": 0,
            "delta": d,
        }
        for d in ("391 is odd. ", "Try 17.")
    ]
    out = run(replay, sse(*events[:3], *raw, *events[3:], event_names=True))
    assert out["reasoning"] == "391 is odd. Try 17." and out["kinds"] == {Visibility.RAW}
    assert out["opaque"] == []  # nothing to echo without encrypted_content


def test_incomplete_for_max_output_tokens_is_length_and_content_filter_is_refused(replay):
    out = run(
        replay,
        sse(
            *responses_events(terminal="response.incomplete", reason="max_output_tokens"),
            event_names=True,
        ),
    )
    assert out["end"].status is TurnStatus.LENGTH and out["end"].stop_reason == "max_output_tokens"
    assert out["usage"].output_tokens == 900
    out = run(
        replay,
        sse(
            *responses_events(terminal="response.incomplete", reason="content_filter"),
            event_names=True,
        ),
    )
    assert out["end"].status is TurnStatus.REFUSED


def test_refusal_content_is_shown_and_the_turn_is_refused(replay):
    events = responses_events(answer=())
    events.insert(
        -1,
        {
            "type": "response.refusal.delta",
            "sequence_number": 99,
            "item_id": "msg_1",
            "output_index": 1,
            "content_index": 0,
            "delta": "I can't help with that.",
        },
    )
    out = run(replay, sse(*events, event_names=True))
    assert out["answer"] == "I can't help with that." and out["end"].status is TurnStatus.REFUSED


@pytest.mark.parametrize("shape", ["top-level", "nested"])
def test_mid_stream_error_event_in_both_shapes_then_response_failed(replay, shape):
    events = responses_events()[:8]
    fields = {
        "code": "server_error",
        "message": "The server had an error processing your request.",
        "param": None,
    }
    error = (
        {"type": "error", "sequence_number": 50, **fields}
        if shape == "top-level"
        else {"type": "error", "sequence_number": 50, "error": {"type": "server_error", **fields}}
    )
    failed = {
        "type": "response.failed",
        "sequence_number": 51,
        "response": {
            "id": "resp_1",
            "status": "failed",
            "error": {"code": "server_error", "message": "failed"},
            "usage": None,
        },
    }
    out = run(replay, sse(*events, error, failed, event_names=True))
    assert isinstance(out["end"], Failed) and out["end"].after_output
    assert out["end"].error.kind is ErrorKind.SERVER
    assert "processing your request" in out["end"].error.message
    assert out["reasoning"].startswith("**Checking divisors**")


def test_context_length_error_event_maps_to_its_kind(replay):
    error = {
        "type": "error",
        "sequence_number": 3,
        "code": "context_length_exceeded",
        "message": "Your input exceeds the context window of this model.",
    }
    out = run(replay, sse(*responses_events()[:2], error, event_names=True))
    assert out["end"].error.kind is ErrorKind.CONTEXT_LENGTH and not out["end"].after_output


def test_response_failed_alone_is_an_error_with_its_message(replay):
    failed = {
        "type": "response.failed",
        "sequence_number": 2,
        "response": {
            "id": "resp_1",
            "status": "failed",
            "model": MODEL,
            "error": {"code": "rate_limit_exceeded", "message": "Rate limit reached for o4-mini."},
        },
    }
    out = run(replay, sse(*responses_events()[:2], failed, event_names=True))
    assert out["end"].error.kind is ErrorKind.RATE_LIMIT


def test_eof_without_a_terminal_event_is_interrupted_keeping_the_text(replay):
    out = run(replay, sse(*responses_events()[:-1], event_names=True))
    assert isinstance(out["end"], Failed) and out["end"].error.kind is ErrorKind.NETWORK
    assert out["end"].after_output and out["answer"] == "391 = 17 × 23."
    assert out["usage"] is None  # died before usage: null, not 0


def test_cut_connection_mid_answer_is_interrupted_with_partial_text(replay):
    frames = sse(*responses_events(), event_names=True)
    replay.add(PATH, Reply(chunks=frames[:-3] + [frames[-3][:25]], cut=True))
    out = collect(adapter().stream(request(replay.url), CancelToken()))
    assert out["end"].error.kind is ErrorKind.NETWORK and out["end"].after_output
    assert out["answer"] == "391 = 17 "


def test_pre_stream_401_is_auth_naming_the_variable(replay):
    replay.add(
        PATH,
        Reply.json(
            401,
            {
                "error": {
                    "message": "Incorrect API key provided: sk-test.",
                    "type": "invalid_request_error",
                    "param": None,
                    "code": "invalid_api_key",
                }
            },
        ),
    )
    out = collect(adapter().stream(request(replay.url), CancelToken()))
    assert out["end"].error.kind is ErrorKind.AUTH and "OPENAI_API_KEY" in out["end"].error.message
    assert len(replay.requests_to(PATH)) == 1


def test_pre_stream_429_honours_retry_after_ms_then_streams(replay):
    replay.add(
        PATH,
        Reply.json(
            429,
            {
                "error": {
                    "message": "Rate limit reached",
                    "type": "requests",
                    "code": "rate_limit_exceeded",
                }
            },
            {"retry-after-ms": "20"},
        ),
        Reply(chunks=sse(*responses_events(), event_names=True)),
    )
    out = collect(adapter().stream(request(replay.url), CancelToken()))
    assert out["end"].status is TurnStatus.COMPLETE
    assert out["notices"][0].extra["delay_s"] == pytest.approx(0.02)


def test_x_should_retry_true_retries_a_status_that_is_not_retried_by_default(replay):
    replay.add(
        PATH,
        Reply.json(
            400, {"error": {"message": "try again", "code": None}}, {"x-should-retry": "true"}
        ),
        Reply(chunks=sse(*responses_events(), event_names=True)),
    )
    out = collect(adapter().stream(request(replay.url), CancelToken()))
    assert out["end"].status is TurnStatus.COMPLETE and len(replay.requests_to(PATH)) == 2


def test_pre_stream_context_length_400_is_not_retried(replay):
    replay.add(
        PATH,
        Reply.json(
            400,
            {
                "error": {
                    "message": "This model's maximum context length is 200000 tokens.",
                    "type": "invalid_request_error",
                    "code": "context_length_exceeded",
                }
            },
        ),
    )
    out = collect(adapter().stream(request(replay.url), CancelToken()))
    assert out["end"].error.kind is ErrorKind.CONTEXT_LENGTH and len(replay.requests_to(PATH)) == 1


def _history(
    *, provider: str = "openai", model: str = MODEL, answer: str = "No: 391 = 17 × 23."
) -> HistoryTurn:
    item = {
        "id": "rs_1",
        "type": "reasoning",
        "status": "completed",
        "encrypted_content": BLOB,
        "summary": [{"type": "summary_text", "text": "Try 17."}],
    }
    return HistoryTurn(
        "Is 391 prime?", answer, provider, model, reasoning="Try 17.", opaque=(item,)
    )


def test_next_turn_sends_the_encrypted_item_before_the_answer_it_led_to(replay):
    run(
        replay, sse(*responses_events(), event_names=True), prompt="And 393?", history=(_history(),)
    )
    assert replay.requests_to(PATH)[0].json["input"] == [
        {"role": "user", "content": "Is 391 prime?"},
        {
            "type": "reasoning",
            "id": "rs_1",
            "encrypted_content": BLOB,
            "summary": [{"type": "summary_text", "text": "Try 17."}],
        },
        {"role": "assistant", "content": "No: 391 = 17 × 23."},
        {"role": "user", "content": "And 393?"},
    ]


@pytest.mark.parametrize(
    "turn", [_history(model="o3"), _history(provider="openrouter"), _history(answer="")]
)
def test_encrypted_items_never_go_to_another_model_nor_without_their_answer(replay, turn):
    run(replay, sse(*responses_events(), event_names=True), prompt="And 393?", history=(turn,))
    sent = replay.requests_to(PATH)[0].json["input"]
    assert all(i.get("type") != "reasoning" for i in sent)
    assert "Try 17." not in str(sent)  # the displayed summary is never sent back as text


@pytest.mark.parametrize(
    "kw,needle",
    [
        ({"thinking_budget": 2000}, "no thinking budget"),
        ({"effort": "turbo"}, "--effort must be one of"),
        ({"model": "gpt-4o", "effort": "high"}, "not a reasoning model"),
    ],
)
def test_controls_the_model_cannot_take_are_refused_before_sending(replay, kw, needle):
    with pytest.raises(UsageError, match=needle):
        list(adapter().stream(request(replay.url, **kw), CancelToken()))
    assert replay.requests_to(PATH) == []


def test_non_reasoning_model_gets_no_reasoning_fields(replay):
    run(replay, sse(*responses_events(parts=[]), event_names=True), model="gpt-4.1")
    sent = replay.requests_to(PATH)[0].json
    assert "reasoning" not in sent and "include" not in sent


def test_stop_closes_a_hanging_stream_promptly(replay):
    replay.add(PATH, Reply(chunks=sse(*responses_events()[:6], event_names=True), hang_s=30))
    cancel, got, ended = CancelToken(), [], threading.Event()

    def consume() -> None:
        for e in adapter().stream(request(replay.url), cancel):
            got.append(e)
        ended.set()

    threading.Thread(target=consume, daemon=True).start()
    deadline = time.monotonic() + 5
    while not any(isinstance(e, ReasoningDelta) for e in got) and time.monotonic() < deadline:
        time.sleep(0.01)
    cancel.cancel()
    # The server hangs for 30 s: ending well before that is Stop's doing (no speed threshold).
    assert ended.wait(10)
    assert got[-1].error.kind is ErrorKind.CANCELLED and got[-1].after_output


def test_list_models(replay):
    replay.add(
        "/v1/models",
        Reply.json(
            200,
            {
                "object": "list",
                "data": [{"id": "o4-mini", "object": "model"}, {"id": "gpt-5", "object": "model"}],
            },
        ),
    )
    assert adapter().list_models(replay.url + "/v1", "sk-test") == ["gpt-5", "o4-mini"]


def test_openai_chat_hidden_reasoning_is_a_token_count_only(replay):
    """`--provider openai-chat`: reasoning_effort and max_completion_tokens go out; reasoning
    comes back only as completion_tokens_details.reasoning_tokens (visibility hidden)."""
    base = {
        "id": "chatcmpl-1",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "o4-mini-2025-04-16",
    }
    frames = sse(
        {
            **base,
            "choices": [
                {"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}
            ],
        },
        {
            **base,
            "choices": [{"index": 0, "delta": {"content": "No: 17 × 23."}, "finish_reason": None}],
        },
        {**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]},
        {
            **base,
            "choices": [],
            "usage": {
                "prompt_tokens": 14,
                "completion_tokens": 530,
                "total_tokens": 544,
                "prompt_tokens_details": {"cached_tokens": 0},
                "completion_tokens_details": {"reasoning_tokens": 512},
            },
        },
        done=True,
    )
    replay.add("/v1/chat/completions", Reply(chunks=frames))
    chat = ChatCompletionsAdapter(PROFILES["openai-chat"], policy=FAST)
    req = TurnRequest(
        provider="openai-chat",
        model=MODEL,
        prompt="Is 391 prime?",
        base_url=replay.url + "/v1",
        effort="high",
        max_output_tokens=4000,
    )
    out = collect(chat.stream(req, CancelToken()))
    sent = replay.requests_to("/v1/chat/completions")[0].json
    assert sent["reasoning_effort"] == "high" and sent["max_completion_tokens"] == 4000
    assert out["reasoning"] == "" and out["answer"] == "No: 17 × 23."
    assert out["usage"] == Usage(14, 0, None, 530, 512)


def test_a_web_page_with_status_200_is_a_protocol_error_naming_the_base_url(replay):
    page = "<!doctype html><html><body>Sign in</body></html>"
    replay.add(PATH, Reply(200, [page], content_type="text/html; charset=utf-8"))
    out = collect(adapter().stream(request(replay.url), CancelToken()))
    assert out["end"].error.kind is ErrorKind.PROTOCOL and "base URL" in out["end"].error.message


def test_an_api_error_sent_as_plain_json_with_200_keeps_its_kind(replay):
    body = {"error": {"message": "You exceeded your current quota.", "code": "insufficient_quota"}}
    replay.add(PATH, Reply.json(200, body))
    out = collect(adapter().stream(request(replay.url), CancelToken()))
    assert out["end"].error.kind is ErrorKind.QUOTA and "exceeded" in out["end"].error.message
