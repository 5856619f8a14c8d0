"""Anthropic Messages (`--provider anthropic`) against the loopback server: message_start through
message_stop with pings and padded JSON, written from PROVIDERS.md §3."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from client.core.cancel import CancelToken
from client.core.errors import ErrorKind, UsageError
from client.core.events import Failed, OpaqueReasoning, TurnStatus, Visibility
from client.core.request import HistoryTurn, TurnRequest
from client.core.usage import Usage
from client.providers.anthropic import AnthropicAdapter
from client.providers.controls import claude_version
from client.providers.http import RetryPolicy
from client.providers.registry import PROFILES
from tests.providers.test_openai_responses import collect, quick_replay
from tests.support.replay import ReplayServer, Reply

FAST = RetryPolicy(attempts=3, base_delay_s=0.01, max_delay_s=0.02)
PATH = "/v1/messages"
MODEL = "claude-sonnet-4-5"
SIG = "EpwCCkYIBxgCKkB0signature=="
REDACTED = (
    "EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpPkNRj2YfWXGmKDxH4mPnZ5sQ7vB5URj"
)


@pytest.fixture
def replay() -> Iterator[ReplayServer]:
    yield from quick_replay()


def frame(payload: dict[str, Any]) -> str:
    """One SSE event as Anthropic sends it: an event line, and JSON padded with spaces before `}`."""
    text = json.dumps(payload, ensure_ascii=False)
    return f"event: {payload['type']}\ndata: {text[:-1]}   }}\n\n"


def messages_events(
    thinking: tuple[str, ...] = ("Two odd numbers", " multiply to 391: 17 × 23.", ""),
    answer: tuple[str, ...] = ("No: 391 ", "= 17 × 23."),
    *,
    redacted: int = 0,
    stop_reason: str = "end_turn",
    model: str = "claude-sonnet-4-5-20250929",
    final_usage: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    ev: list[dict[str, Any]] = [
        {
            "type": "message_start",
            "message": {
                "id": "msg_01",
                "type": "message",
                "role": "assistant",
                "model": model,
                "content": [],
                "stop_reason": None,
                "stop_sequence": None,
                "usage": {
                    "input_tokens": 43,
                    "cache_creation_input_tokens": 100,
                    "cache_read_input_tokens": 2000,
                    "cache_creation": {
                        "ephemeral_5m_input_tokens": 100,
                        "ephemeral_1h_input_tokens": 0,
                    },
                    "output_tokens": 1,
                    "service_tier": "standard",
                },
            },
        },
        {"type": "ping"},
    ]
    index = 0
    if thinking:
        ev.append(
            {
                "type": "content_block_start",
                "index": index,
                "content_block": {"type": "thinking", "thinking": "", "signature": ""},
            }
        )
        ev += [
            {
                "type": "content_block_delta",
                "index": index,
                "delta": {"type": "thinking_delta", "thinking": t},
            }
            for t in thinking
        ]
        ev.append(
            {
                "type": "content_block_delta",
                "index": index,
                "delta": {"type": "signature_delta", "signature": SIG},
            }
        )
        ev.append({"type": "content_block_stop", "index": index})
        index += 1
    for n in range(redacted):
        ev.append(
            {
                "type": "content_block_start",
                "index": index,
                "content_block": {"type": "redacted_thinking", "data": f"{REDACTED}{n}"},
            }
        )
        ev.append({"type": "content_block_stop", "index": index})
        index += 1
    ev.append(
        {
            "type": "content_block_start",
            "index": index,
            "content_block": {"type": "text", "text": ""},
        }
    )
    ev.append({"type": "ping"})
    ev += [
        {"type": "content_block_delta", "index": index, "delta": {"type": "text_delta", "text": t}}
        for t in answer
    ]
    ev.append({"type": "content_block_stop", "index": index})
    usage = (
        final_usage
        if final_usage is not None
        else {
            "input_tokens": 61,
            "cache_creation_input_tokens": 100,
            "cache_read_input_tokens": 2000,
            "output_tokens": 1680,
            "output_tokens_details": {"thinking_tokens": 1408},
        }
    )
    ev.append(
        {
            "type": "message_delta",
            "delta": {"stop_reason": stop_reason, "stop_sequence": None},
            "usage": usage,
        }
    )
    ev.append({"type": "message_stop"})
    return ev


def frames(events: list[dict[str, Any]]) -> list[str]:
    return [frame(e) for e in events]


def adapter() -> AnthropicAdapter:
    return AnthropicAdapter(PROFILES["anthropic"], policy=FAST)


def request(url: str, **kw: Any) -> TurnRequest:
    return TurnRequest(
        provider="anthropic",
        model=kw.pop("model", MODEL),
        prompt=kw.pop("prompt", "Is 391 prime?"),
        base_url=url,
        api_key="sk-ant-test",
        **kw,
    )


def run(replay, chunks, **kw) -> dict[str, Any]:
    replay.add(PATH, Reply(chunks=chunks))
    return collect(adapter().stream(request(replay.url, **kw), CancelToken()))


def test_thinking_then_answer_with_cumulative_usage_normalised(replay):
    out = run(replay, frames(messages_events()))
    assert out["reasoning"] == "Two odd numbers multiply to 391: 17 × 23."
    assert out["kinds"] == {Visibility.SUMMARY}  # Claude 4+: a summary by another model
    assert out["answer"] == "No: 391 = 17 × 23."
    # The final delta overwrote input 43 → 61; cache reads and writes join the input.
    assert out["usage"] == Usage(61 + 2000 + 100, 2000, 100, 1680, 1408)
    assert out["end"].status is TurnStatus.COMPLETE and out["end"].stop_reason == "end_turn"
    assert out["end"].model_reported == "claude-sonnet-4-5-20250929"
    assert [o.item for o in out["opaque"]] == [
        {
            "type": "thinking",
            "thinking": "Two odd numbers multiply to 391: 17 × 23.",
            "signature": SIG,
        }
    ]


def test_claude_3_7_thinking_is_raw(replay):
    out = run(
        replay,
        frames(messages_events(model="claude-3-7-sonnet-20250219")),
        model="claude-3-7-sonnet-20250219",
    )
    assert out["kinds"] == {Visibility.RAW}


def test_usage_without_thinking_tokens_reports_reasoning_as_unknown(replay):
    out = run(replay, frames(messages_events(final_usage={"output_tokens": 700})))
    assert out["usage"] == Usage(43 + 2000 + 100, 2000, 100, 700, None)


def test_redacted_blocks_are_opaque_and_marked_redacted(replay):
    out = run(replay, frames(messages_events(thinking=(), redacted=2)))
    assert out["reasoning"] == ""
    assert [(o.item["type"], o.redacted) for o in out["opaque"]] == [
        ("redacted_thinking", True)
    ] * 2
    assert out["opaque"][1].item["data"] == REDACTED + "1"


def test_omitted_display_keeps_the_signature_with_empty_text(replay):
    out = run(replay, frames(messages_events(thinking=("",))))
    assert out["reasoning"] == "" and out["opaque"][0].item == {
        "type": "thinking",
        "thinking": "",
        "signature": SIG,
    }


@pytest.mark.parametrize(
    "reason,status,note",
    [
        ("max_tokens", TurnStatus.LENGTH, False),
        ("refusal", TurnStatus.REFUSED, False),
        ("tool_use", TurnStatus.COMPLETE, False),
        ("stop_sequence", TurnStatus.COMPLETE, False),
        ("pause_turn", TurnStatus.COMPLETE, True),
    ],
)
def test_stop_reasons_map_to_statuses(replay, reason, status, note):
    out = run(replay, frames(messages_events(stop_reason=reason)))
    assert out["end"].status is status and out["end"].stop_reason == reason
    assert bool(out["end"].note) is note


def test_request_headers_and_body(replay):
    run(replay, frames(messages_events()), thinking_budget=4000, system="Be brief.")
    sent = replay.requests_to(PATH)[0]
    assert (
        sent.headers["x-api-key"] == "sk-ant-test"
        and sent.headers["anthropic-version"] == "2023-06-01"
    )
    assert "authorization" not in sent.headers
    assert sent.json == {
        "model": MODEL,
        "max_tokens": 16000,
        "stream": True,
        "system": "Be brief.",
        "messages": [{"role": "user", "content": "Is 391 prime?"}],
        "thinking": {"type": "enabled", "budget_tokens": 4000, "display": "summarized"},
    }


def enabled(budget: int, display: str = "summarized") -> dict[str, Any]:
    return {"type": "enabled", "budget_tokens": budget, "display": display}


def adaptive(display: str = "summarized") -> dict[str, Any]:
    return {"type": "adaptive", "display": display}


OFF = {"type": "disabled"}
CONTROL_CASES = [  # model, settings, max_tokens, thinking, output_config.effort
    (MODEL, {"thinking_budget": 30000}, 34096, enabled(30000), None),
    (MODEL, {"thinking_budget": 2000, "max_output_tokens": 3000}, 3000, enabled(2000), None),
    (MODEL, {"effort": "medium"}, 16000, enabled(8192), None),
    (MODEL, {"effort": "none"}, 16000, OFF, None),
    (MODEL, {"thinking_budget": 0}, 16000, OFF, None),
    (MODEL, {}, 16000, None, None),
    ("claude-opus-4-6", {"effort": "high"}, 16000, adaptive(), "high"),
    ("claude-sonnet-4-6", {"thinking_budget": 2048}, 16000, enabled(2048), None),
    (
        "claude-opus-4-7",
        {"effort": "xhigh", "summary": "none"},
        16000,
        adaptive("omitted"),
        "xhigh",
    ),
    ("claude-opus-4-7", {}, 16000, adaptive(), None),
    ("claude-mythos-preview", {"effort": "max"}, 16000, adaptive(), "max"),
    ("claude-3-7-sonnet-20250219", {"effort": "low"}, 16000, enabled(2048), None),
]


@pytest.mark.parametrize("model,kw,max_tokens,thinking,effort", CONTROL_CASES)
def test_reasoning_controls_per_model_generation(replay, model, kw, max_tokens, thinking, effort):
    run(replay, frames(messages_events()), model=model, **kw)
    sent = replay.requests_to(PATH)[0].json
    assert sent["max_tokens"] == max_tokens and sent.get("thinking") == thinking
    assert sent.get("output_config") == ({"effort": effort} if effort else None)


def test_an_effort_sent_as_a_budget_is_announced(replay):
    out = run(replay, frames(messages_events()), effort="high", max_output_tokens=10000)
    assert replay.requests_to(PATH)[0].json["thinking"]["budget_tokens"] == 5000
    assert "budget_tokens 5000" in out["notices"][0].message


@pytest.mark.parametrize(
    "model,kw,needle",
    [
        (MODEL, {"thinking_budget": 500}, "at least 1024"),
        (
            MODEL,
            {"thinking_budget": 8000, "max_output_tokens": 8000},
            "must be below --max-output-tokens",
        ),
        (MODEL, {"effort": "low", "thinking_budget": 2000}, "not both"),
        (MODEL, {"effort": "high", "max_output_tokens": 1000}, "above 1024"),
        ("claude-opus-4-7", {"thinking_budget": 4000}, "takes no thinking budget"),
        ("claude-opus-4-6", {"effort": "minimal"}, "Claude takes --effort none"),
        (MODEL, {"summary": "detailed"}, "--summary auto or none"),
    ],
)
def test_impossible_controls_are_refused_with_a_sentence_before_sending(replay, model, kw, needle):
    with pytest.raises(UsageError, match=needle):
        list(adapter().stream(request(replay.url, model=model, **kw), CancelToken()))
    assert replay.requests_to(PATH) == []


def _turn(
    model: str = MODEL, provider: str = "anthropic", answer: str = "No: 391 = 17 × 23."
) -> HistoryTurn:
    blocks = (
        {"type": "thinking", "thinking": "Try 17.", "signature": SIG},
        {"type": "redacted_thinking", "data": REDACTED},
        {"type": "thinking", "thinking": "", "signature": SIG + "2"},
    )
    return HistoryTurn("Is 391 prime?", answer, provider, model, reasoning="Try 17.", opaque=blocks)


def test_next_turn_echoes_thinking_and_redacted_blocks_in_order_then_the_text(replay):
    run(
        replay,
        frames(messages_events()),
        prompt="And 393?",
        history=(_turn(),),
        thinking_budget=2000,
    )
    assert replay.requests_to(PATH)[0].json["messages"] == [
        {"role": "user", "content": "Is 391 prime?"},
        {
            "role": "assistant",
            "content": [
                {"type": "thinking", "thinking": "Try 17.", "signature": SIG},
                {"type": "redacted_thinking", "data": REDACTED},
                {"type": "thinking", "thinking": "", "signature": SIG + "2"},
                {"type": "text", "text": "No: 391 = 17 × 23."},
            ],
        },
        {"role": "user", "content": "And 393?"},
    ]


def test_blocks_from_another_model_are_dropped_and_thinking_text_is_not_sent_as_text(replay):
    run(
        replay,
        frames(messages_events()),
        prompt="And 393?",
        history=(_turn(model="claude-opus-4-1"),),
    )
    assistant = replay.requests_to(PATH)[0].json["messages"][1]
    assert assistant == {
        "role": "assistant",
        "content": [{"type": "text", "text": "No: 391 = 17 × 23."}],
    }


def test_echo_of_what_streamed_round_trips_exactly(replay):
    first = run(replay, frames(messages_events(redacted=1)))
    turn = HistoryTurn(
        "Is 391 prime?",
        first["answer"],
        "anthropic",
        MODEL,
        first["reasoning"],
        tuple(o.item for o in first["opaque"]),
    )
    run(replay, frames(messages_events()), prompt="And 393?", history=(turn,))
    content = replay.requests_to(PATH)[1].json["messages"][1]["content"]
    assert [b["type"] for b in content] == ["thinking", "redacted_thinking", "text"]
    assert content[0] == {"type": "thinking", "thinking": first["reasoning"], "signature": SIG}


def test_mid_stream_error_event_is_overloaded_after_output(replay):
    events = messages_events()[:6] + [
        {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
    ]
    out = run(replay, frames(events))
    assert isinstance(out["end"], Failed) and out["end"].error.kind is ErrorKind.OVERLOADED
    assert (
        out["end"].after_output and out["reasoning"] == "Two odd numbers multiply to 391: 17 × 23."
    )
    assert out["usage"] == Usage(2143, 2000, 100, 1, None)  # message_start's count is what arrived


def test_eof_before_message_stop_is_interrupted_keeping_the_text(replay):
    out = run(replay, frames(messages_events()[:-1]))
    assert out["end"].error.kind is ErrorKind.NETWORK and out["end"].after_output
    assert out["answer"] == "No: 391 = 17 × 23."


def test_cut_connection_mid_thinking(replay):
    chunks = frames(messages_events())
    replay.add(PATH, Reply(chunks=chunks[:4] + [chunks[4][:30]], cut=True))
    out = collect(adapter().stream(request(replay.url), CancelToken()))
    assert out["end"].error.kind is ErrorKind.NETWORK and out["reasoning"] == "Two odd numbers"
    assert out["opaque"] == []  # an unsigned block never goes back


def test_529_overloaded_is_retried_before_the_first_byte(replay):
    body = {
        "type": "error",
        "error": {"type": "overloaded_error", "message": "Overloaded"},
        "request_id": "req_1",
    }
    replay.add(PATH, Reply.json(529, body), Reply(chunks=frames(messages_events())))
    out = collect(adapter().stream(request(replay.url), CancelToken()))
    assert (
        out["end"].status is TurnStatus.COMPLETE and "overloaded" in out["notices"][0].extra["kind"]
    )


def test_529_every_time_ends_overloaded(replay):
    body = {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
    replay.always(PATH, Reply.json(529, body))
    out = collect(adapter().stream(request(replay.url), CancelToken()))
    assert out["end"].error.kind is ErrorKind.OVERLOADED and len(replay.requests_to(PATH)) == 3


@pytest.mark.parametrize(
    "status,etype,message,kind",
    [
        (401, "authentication_error", "invalid x-api-key", ErrorKind.AUTH),
        (
            429,
            "rate_limit_error",
            "Number of request tokens has exceeded your per-minute rate limit",
            ErrorKind.RATE_LIMIT,
        ),
        (
            400,
            "invalid_request_error",
            "prompt is too long: 210000 tokens > 200000 maximum",
            ErrorKind.CONTEXT_LENGTH,
        ),
        (
            400,
            "invalid_request_error",
            "thinking.budget_tokens: Input should be greater than or equal to 1024",
            ErrorKind.BAD_REQUEST,
        ),
        (400, "billing_error", "Your credit balance is too low", ErrorKind.QUOTA),
    ],
)
def test_pre_stream_errors_map_to_their_kinds(replay, status, etype, message, kind):
    headers = {"retry-after": "0"} if status == 429 else {}
    replay.always(
        PATH,
        Reply.json(
            status, {"type": "error", "error": {"type": etype, "message": message}}, headers
        ),
    )
    out = collect(adapter().stream(request(replay.url), CancelToken()))
    assert out["end"].error.kind is kind and out["end"].error.status == status
    assert message.split(":")[0] in out["end"].error.message


def test_stop_closes_a_hanging_stream_promptly(replay):
    replay.add(PATH, Reply(chunks=frames(messages_events()[:4]), hang_s=30))
    cancel, got, ended = CancelToken(), [], threading.Event()

    def consume() -> None:
        got.extend(adapter().stream(request(replay.url), cancel))
        ended.set()

    threading.Thread(target=consume, daemon=True).start()
    time.sleep(0.3)
    cancel.cancel()
    # The server hangs for 30 s: ending well before that is Stop's doing (no speed threshold).
    assert ended.wait(10)
    assert got[-1].error.kind is ErrorKind.CANCELLED


def test_list_models_follows_pages(replay):
    replay.add(
        "/v1/models",
        Reply.json(
            200,
            {
                "data": [{"id": "claude-opus-4-7", "type": "model"}],
                "has_more": True,
                "last_id": "claude-opus-4-7",
            },
        ),
        Reply.json(200, {"data": [{"id": "claude-haiku-4-5", "type": "model"}], "has_more": False}),
    )
    assert adapter().list_models(replay.url, "sk-ant-test") == [
        "claude-haiku-4-5",
        "claude-opus-4-7",
    ]
    second = replay.requests_to("/v1/models")[1]
    assert (
        second.query["after_id"] == ["claude-opus-4-7"]
        and second.headers["x-api-key"] == "sk-ant-test"
    )


def test_interleaved_thinking_blocks_are_separate_paragraphs_and_separate_opaque_items(replay):
    events = messages_events()
    second = [
        {
            "type": "content_block_start",
            "index": 9,
            "content_block": {"type": "thinking", "thinking": "", "signature": ""},
        },
        {
            "type": "content_block_delta",
            "index": 9,
            "delta": {"type": "thinking_delta", "thinking": "Check 23."},
        },
        {
            "type": "content_block_delta",
            "index": 9,
            "delta": {"type": "signature_delta", "signature": "S2"},
        },
        {"type": "content_block_stop", "index": 9},
    ]
    out = run(replay, frames(events[:8] + second + events[8:]))
    assert out["reasoning"].endswith("17 × 23.\n\nCheck 23.")
    assert [isinstance(o, OpaqueReasoning) and o.item["signature"] for o in out["opaque"]] == [
        SIG,
        "S2",
    ]


@pytest.mark.parametrize(
    "model,version",
    [
        ("claude-sonnet-4-20250514", (4, 0)),
        ("claude-opus-4-1-20250805", (4, 1)),
        ("claude-3-7-sonnet-20250219", (3, 7)),
        ("claude-3-5-haiku-latest", (3, 5)),
        ("anthropic/claude-opus-4.6", (4, 6)),
        ("anthropic.claude-opus-4-6-v1", (4, 6)),
        ("claude-sonnet-5", (5, 0)),
        ("claude-mythos-preview", (4, 7)),
        ("my-gateway-alias", None),
    ],
)
def test_model_generation_is_read_from_the_id(model, version):
    assert claude_version(model) == version


def test_unreadable_model_id_follows_what_the_user_gave(replay):
    run(replay, frames(messages_events()), model="my-gateway-alias", effort="low")
    run(replay, frames(messages_events()), model="my-gateway-alias", thinking_budget=2000)
    first, second = (r.json for r in replay.requests_to(PATH))
    assert first["thinking"] == adaptive() and first["output_config"] == {"effort": "low"}
    assert second["thinking"] == enabled(2000)


def test_retry_after_on_429_is_the_wait_used(replay):
    body = {"type": "error", "error": {"type": "rate_limit_error", "message": "Slow down"}}
    replay.add(PATH, Reply.json(429, body, {"retry-after": "0.03"}))
    replay.add(PATH, Reply(chunks=frames(messages_events())))
    out = collect(adapter().stream(request(replay.url), CancelToken()))
    assert out["end"].status is TurnStatus.COMPLETE
    assert out["notices"][0].extra["delay_s"] == pytest.approx(0.03)


def test_x_should_retry_false_stops_retries_even_on_529(replay):
    body = {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
    replay.always(PATH, Reply.json(529, body, {"x-should-retry": "false"}))
    out = collect(adapter().stream(request(replay.url), CancelToken()))
    assert out["end"].error.kind is ErrorKind.OVERLOADED and len(replay.requests_to(PATH)) == 1
