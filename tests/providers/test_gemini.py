"""Gemini native (`--provider gemini`) against the loopback server: CRLF-framed
`streamGenerateContent?alt=sse` chunks written from PROVIDERS.md §4."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from client.core.cancel import CancelToken
from client.core.errors import ErrorKind, UsageError
from client.core.events import Failed, TurnStatus, Visibility
from client.core.request import HistoryTurn, TurnRequest
from client.core.usage import Usage
from client.providers.gemini import GeminiAdapter
from client.providers.http import RetryPolicy
from client.providers.registry import PROFILES
from tests.providers.test_openai_responses import collect, quick_replay
from tests.support.replay import ReplayServer, Reply, sse

FAST = RetryPolicy(attempts=3, base_delay_s=0.01, max_delay_s=0.02)
MODEL = "gemini-3-pro-preview"
PATH = f"/v1beta/models/{MODEL}:streamGenerateContent"
SIG = "CiQB0e2Kb7thought_signature=="


@pytest.fixture
def replay() -> Iterator[ReplayServer]:
    yield from quick_replay()


def chunk(
    parts: list[dict[str, Any]],
    *,
    finish: str | None = None,
    usage: dict[str, Any] | None = None,
    model: str = MODEL,
) -> dict[str, Any]:
    candidate: dict[str, Any] = {"content": {"parts": parts, "role": "model"}, "index": 0}
    if finish:
        candidate["finishReason"] = finish
    data: dict[str, Any] = {
        "candidates": [candidate],
        "modelVersion": model,
        "responseId": "resp-1",
    }
    if usage is not None:
        data["usageMetadata"] = usage
    return data


def gemini_chunks(
    *, finish: str | None = "STOP", signed: bool = True, last_usage: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    early = {"promptTokenCount": 60, "totalTokenCount": 60}
    chunks = [
        chunk([{"text": "**Testing divisors**\n\nTry 17.", "thought": True}], usage=early),
        chunk(
            [{"text": " 17 × 23 = 391.", "thought": True}],
            usage={"promptTokenCount": 60, "thoughtsTokenCount": 300, "totalTokenCount": 360},
        ),
        chunk([{"text": "No: 391 = 17 × 23,"}]),
        chunk([{"text": " so the ladder reaches."}]),
    ]
    final_parts = [{"text": "", "thoughtSignature": SIG}] if signed else [{"text": ""}]
    usage = (
        last_usage
        if last_usage is not None
        else {
            "promptTokenCount": 60,
            "candidatesTokenCount": 180,
            "thoughtsTokenCount": 512,
            "cachedContentTokenCount": 40,
            "toolUsePromptTokenCount": 5,
            "totalTokenCount": 757,
        }
    )
    chunks.append(chunk(final_parts, finish=finish, usage=usage))
    return chunks


def adapter() -> GeminiAdapter:
    return GeminiAdapter(PROFILES["gemini"], policy=FAST)


def request(url: str, **kw: Any) -> TurnRequest:
    return TurnRequest(
        provider="gemini",
        model=kw.pop("model", MODEL),
        prompt=kw.pop("prompt", "Is 391 prime?"),
        base_url=url,
        api_key="AIza-test",
        **kw,
    )


def run(replay, frames, path: str = PATH, **kw) -> dict[str, Any]:
    replay.add(path, Reply(chunks=frames))
    return collect(adapter().stream(request(replay.url, **kw), CancelToken()))


def test_thought_parts_are_summaries_and_the_last_usage_counts(replay):
    out = run(replay, sse(*gemini_chunks(), crlf=True))
    assert out["reasoning"] == "**Testing divisors**\n\nTry 17. 17 × 23 = 391."
    assert out["kinds"] == {Visibility.SUMMARY}
    assert out["answer"] == "No: 391 = 17 × 23, so the ladder reaches."
    # input = prompt + toolUsePrompt; output = candidates + thoughts (candidates exclude thoughts).
    assert out["usage"] == Usage(65, 40, None, 180 + 512, 512)
    assert out["end"].status is TurnStatus.COMPLETE and out["end"].model_reported == MODEL


def test_the_request_url_header_and_thinking_config(replay):
    run(
        replay,
        sse(*gemini_chunks(), crlf=True),
        effort="low",
        max_output_tokens=2048,
        system="Be brief.",
    )
    sent = replay.requests_to(PATH)[0]
    assert sent.query == {"alt": ["sse"]} and sent.headers["x-goog-api-key"] == "AIza-test"
    assert "key" not in sent.query  # the key never rides in the URL
    assert sent.json == {
        "contents": [{"role": "user", "parts": [{"text": "Is 391 prime?"}]}],
        "systemInstruction": {"parts": [{"text": "Be brief."}]},
        "generationConfig": {
            "maxOutputTokens": 2048,
            "thinkingConfig": {"includeThoughts": True, "thinkingLevel": "low"},
        },
    }


@pytest.mark.parametrize(
    "model,kw,expected",
    [
        ("gemini-2.5-flash", {"effort": "none"}, {"thinkingBudget": 0, "includeThoughts": True}),
        ("gemini-2.5-flash", {"thinking_budget": 800, "summary": "none"}, {"thinkingBudget": 800}),
        ("gemini-2.5-pro", {"effort": "high"}, {"thinkingBudget": 24576, "includeThoughts": True}),
        ("gemini-2.5-pro", {}, {"includeThoughts": True}),
        (
            "gemini-3-flash-preview",
            {"effort": "minimal"},
            {"thinkingLevel": "minimal", "includeThoughts": True},
        ),
        (
            "gemini-3-pro-preview",
            {"thinking_budget": 4096},
            {"thinkingBudget": 4096, "includeThoughts": True},
        ),
        ("gemini-2.0-flash", {}, None),
    ],
)
def test_thinking_controls_per_model_generation(replay, model, kw, expected):
    run(
        replay,
        sse(*gemini_chunks(), crlf=True),
        path=f"/v1beta/models/{model}:streamGenerateContent",
        model=model,
        **kw,
    )
    sent = replay.requests_to(f"/v1beta/models/{model}:streamGenerateContent")[0].json
    assert sent.get("generationConfig", {}).get("thinkingConfig") == expected


@pytest.mark.parametrize(
    "model,kw,needle",
    [
        ("gemini-2.5-pro", {"effort": "none"}, "cannot turn thinking off"),
        ("gemini-2.5-pro", {"thinking_budget": 0}, "cannot turn thinking off"),
        ("gemini-3-pro-preview", {"effort": "none"}, "cannot turn thinking off"),
        ("gemini-3-pro-preview", {"effort": "low", "thinking_budget": 1000}, "not both"),
        ("gemini-3-pro-preview", {"effort": "max"}, "minimal|low|medium|high"),
        ("gemini-2.0-flash", {"effort": "high"}, "does not think"),
        ("gemini-2.5-flash", {"effort": "xhigh"}, "Gemini 2.5 takes"),
    ],
)
def test_controls_a_model_cannot_take_are_refused_before_sending(replay, model, kw, needle):
    with pytest.raises(UsageError, match=needle):
        list(adapter().stream(request(replay.url, model=model, **kw), CancelToken()))
    assert replay.received == []


def test_signed_turn_is_kept_part_for_part_and_echoed_only_to_the_same_model(replay):
    first = run(replay, sse(*gemini_chunks(), crlf=True))
    [opaque] = first["opaque"]
    assert opaque.item == {
        "role": "model",
        "parts": [
            {"text": "No: 391 = 17 × 23,"},
            {"text": " so the ladder reaches."},
            {"text": "", "thoughtSignature": SIG},
        ],
    }
    turn = HistoryTurn(
        "Is 391 prime?", first["answer"], "gemini", MODEL, first["reasoning"], (opaque.item,)
    )
    run(replay, sse(*gemini_chunks(), crlf=True), prompt="And 393?", history=(turn,))
    contents = replay.requests_to(PATH)[1].json["contents"]
    assert contents[1] == {"role": "model", "parts": opaque.item["parts"]}  # never merged
    assert "Testing divisors" not in str(contents)  # thought summaries are not sent back
    other = HistoryTurn(
        "Is 391 prime?", first["answer"], "gemini", "gemini-2.5-flash", "", (opaque.item,)
    )
    run(replay, sse(*gemini_chunks(), crlf=True), prompt="And 393?", history=(other,))
    contents = replay.requests_to(PATH)[2].json["contents"]
    assert contents[1] == {
        "role": "model",
        "parts": [{"text": "No: 391 = 17 × 23, so the ladder reaches."}],
    }


def test_a_signature_on_a_thought_part_keeps_that_part(replay):
    chunks = [
        chunk([{"text": "Plan.", "thought": True, "thoughtSignature": SIG}]),
        chunk(
            [{"text": "Done."}],
            finish="STOP",
            usage={"promptTokenCount": 3, "candidatesTokenCount": 1},
        ),
    ]
    out = run(replay, sse(*chunks, crlf=True))
    assert out["opaque"][0].item["parts"] == [
        {"text": "Plan.", "thought": True, "thoughtSignature": SIG},
        {"text": "Done."},
    ]
    assert out["usage"].reasoning_tokens is None  # thoughtsTokenCount never appeared


def test_unsigned_turn_has_nothing_opaque(replay):
    assert run(replay, sse(*gemini_chunks(signed=False), crlf=True))["opaque"] == []


def test_hidden_thoughts_are_counted_without_text(replay):
    chunks = [
        chunk(
            [{"text": "No."}],
            finish="STOP",
            usage={"promptTokenCount": 9, "candidatesTokenCount": 2, "thoughtsTokenCount": 700},
        )
    ]
    out = run(replay, sse(*chunks, crlf=True), summary="none")
    assert out["reasoning"] == "" and out["usage"] == Usage(9, None, None, 702, 700)


@pytest.mark.parametrize(
    "finish,status",
    [
        ("MAX_TOKENS", TurnStatus.LENGTH),
        ("SAFETY", TurnStatus.REFUSED),
        ("RECITATION", TurnStatus.REFUSED),
        ("OTHER", TurnStatus.COMPLETE),
    ],
)
def test_finish_reasons(replay, finish, status):
    out = run(replay, sse(*gemini_chunks(finish=finish), crlf=True))
    assert out["end"].status is status and out["end"].stop_reason == finish


def test_blocked_prompt_is_refused(replay):
    blocked = {
        "promptFeedback": {"blockReason": "SAFETY", "safetyRatings": []},
        "usageMetadata": {"promptTokenCount": 12, "totalTokenCount": 12},
        "modelVersion": MODEL,
    }
    out = run(replay, sse(blocked, crlf=True))
    assert out["end"].status is TurnStatus.REFUSED and out["end"].stop_reason == "SAFETY"
    assert out["usage"] == Usage(12, None, None, 0, None)


def test_eof_without_finish_reason_is_interrupted_keeping_text_and_usage(replay):
    out = run(replay, sse(*gemini_chunks()[:3], crlf=True))
    assert (
        isinstance(out["end"], Failed)
        and out["end"].error.kind is ErrorKind.NETWORK
        and out["end"].after_output
    )
    assert out["answer"] == "No: 391 = 17 × 23," and out["usage"].reasoning_tokens == 300


def test_cut_connection_mid_chunk_is_interrupted(replay):
    frames = sse(*gemini_chunks(), crlf=True)
    replay.add(PATH, Reply(chunks=frames[:3] + [frames[3][:20]], cut=True))
    out = collect(adapter().stream(request(replay.url), CancelToken()))
    assert out["end"].error.kind is ErrorKind.NETWORK and out["answer"] == "No: 391 = 17 × 23,"


def test_resource_exhausted_waits_exactly_the_retry_delay_it_names(replay):
    body = {
        "error": {
            "code": 429,
            "message": "You exceeded your current quota.",
            "status": "RESOURCE_EXHAUSTED",
            "details": [
                {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "0.05s"}
            ],
        }
    }
    replay.add(PATH, Reply.json(429, body), Reply(chunks=sse(*gemini_chunks(), crlf=True)))
    started = time.monotonic()
    out = collect(adapter().stream(request(replay.url), CancelToken()))
    assert out["end"].status is TurnStatus.COMPLETE
    assert out["notices"][0].extra == {"attempt": 2, "delay_s": 0.05, "kind": "rate_limit"}
    assert time.monotonic() - started >= 0.05


def test_resource_exhausted_in_a_list_is_rate_limit(replay):
    body = [
        {
            "error": {
                "code": 429,
                "message": "Quota exceeded",
                "status": "RESOURCE_EXHAUSTED",
                "details": [
                    {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "0.01s"}
                ],
            }
        }
    ]
    replay.always(PATH, Reply.json(429, body))
    out = collect(adapter().stream(request(replay.url), CancelToken()))
    assert (
        out["end"].error.kind is ErrorKind.RATE_LIMIT and out["notices"][0].extra["delay_s"] == 0.01
    )


def test_input_too_long_is_context_length(replay):
    body = {
        "error": {
            "code": 400,
            "status": "INVALID_ARGUMENT",
            "message": "The input token count (1200000) exceeds the maximum number of tokens allowed (1048576).",
        }
    }
    replay.add(PATH, Reply.json(400, body))
    out = collect(adapter().stream(request(replay.url), CancelToken()))
    assert out["end"].error.kind is ErrorKind.CONTEXT_LENGTH and len(replay.requests_to(PATH)) == 1


def test_api_key_invalid_is_auth(replay):
    body = {
        "error": {
            "code": 400,
            "status": "INVALID_ARGUMENT",
            "message": "API key not valid. Please pass a valid API key.",
            "details": [
                {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID"}
            ],
        }
    }
    replay.add(PATH, Reply.json(400, body))
    out = collect(adapter().stream(request(replay.url), CancelToken()))
    assert out["end"].error.kind is ErrorKind.AUTH and "GEMINI_API_KEY" in out["end"].error.message


def test_mid_stream_error_object_fails_after_output(replay):
    error = {"error": {"code": 503, "message": "The model is overloaded.", "status": "UNAVAILABLE"}}
    out = run(replay, sse(*gemini_chunks()[:3], error, crlf=True))
    assert out["end"].error.kind is ErrorKind.OVERLOADED and out["end"].after_output


def test_stop_closes_a_hanging_stream_promptly(replay):
    replay.add(PATH, Reply(chunks=sse(*gemini_chunks()[:2], crlf=True), hang_s=30))
    cancel, got, ended = CancelToken(), [], threading.Event()

    def consume() -> None:
        got.extend(adapter().stream(request(replay.url), cancel))
        ended.set()

    threading.Thread(target=consume, daemon=True).start()
    time.sleep(0.3)
    cancel.cancel()
    # The server hangs for 30 s: ending well before that is Stop's doing (no speed threshold).
    assert ended.wait(10)
    assert got[-1].error.kind is ErrorKind.CANCELLED and got[-1].after_output


def test_list_models_keeps_generators_and_follows_pages(replay):
    replay.add(
        "/v1beta/models",
        Reply.json(
            200,
            {
                "models": [
                    {
                        "name": "models/gemini-2.5-pro",
                        "supportedGenerationMethods": ["generateContent", "countTokens"],
                    },
                    {
                        "name": "models/text-embedding-004",
                        "supportedGenerationMethods": ["embedContent"],
                    },
                ],
                "nextPageToken": "p2",
            },
        ),
        Reply.json(
            200,
            {
                "models": [
                    {
                        "name": "models/gemini-3-pro-preview",
                        "supportedGenerationMethods": ["generateContent"],
                    }
                ]
            },
        ),
    )
    assert adapter().list_models(replay.url, "AIza-test") == [
        "gemini-2.5-pro",
        "gemini-3-pro-preview",
    ]
    assert replay.requests_to("/v1beta/models")[1].query["pageToken"] == ["p2"]
