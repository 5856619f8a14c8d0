"""Ollama native (`--provider ollama`) against the loopback server: `/api/chat` NDJSON lines
written from PROVIDERS.md §8 (thinking first, then content, then the `done` line)."""

from __future__ import annotations

import json
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
from client.providers.http import RetryPolicy
from client.providers.ollama import OllamaAdapter
from client.providers.registry import PROFILES
from tests.providers.test_openai_responses import collect, quick_replay
from tests.support.replay import ReplayServer, Reply

FAST = RetryPolicy(attempts=3, base_delay_s=0.01, max_delay_s=0.02)
PATH = "/api/chat"
NDJSON = "application/x-ndjson"
MODEL = "qwen3:8b"


@pytest.fixture
def replay() -> Iterator[ReplayServer]:
    yield from quick_replay()


def line(thinking: str | None = None, content: str = "", **top: Any) -> str:
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if thinking is not None:
        message["thinking"] = thinking
    return (
        json.dumps(
            {
                "model": MODEL,
                "created_at": "2026-11-27T18:00:00.1Z",
                "message": message,
                "done": False,
                **top,
            }
        )
        + "\n"
    )


def done_line(reason: str = "stop", prompt: int = 26, output: int = 412) -> str:
    return (
        json.dumps(
            {
                "model": MODEL,
                "created_at": "2026-11-27T18:00:03.9Z",
                "message": {"role": "assistant", "content": ""},
                "done": True,
                "done_reason": reason,
                "total_duration": 3_912_000_000,
                "load_duration": 210_000_000,
                "prompt_eval_count": prompt,
                "prompt_eval_duration": 95_000_000,
                "eval_count": output,
                "eval_duration": 3_500_000_000,
            }
        )
        + "\n"
    )


def ollama_lines(reason: str = "stop") -> list[str]:
    return [
        line(thinking="Okay, 391: "),
        line(thinking="try 17. 17 × 23 = 391."),
        line(content="No: 391 "),
        line(content="= 17 × 23."),
        done_line(reason),
    ]


def adapter() -> OllamaAdapter:
    return OllamaAdapter(PROFILES["ollama"], policy=FAST)


def request(url: str, **kw: Any) -> TurnRequest:
    return TurnRequest(
        provider="ollama",
        model=kw.pop("model", MODEL),
        prompt=kw.pop("prompt", "Is 391 prime?"),
        base_url=url,
        **kw,
    )


def run(replay, lines, **kw) -> dict[str, Any]:
    replay.add(PATH, Reply(chunks=lines, content_type=NDJSON))
    return collect(adapter().stream(request(replay.url, **kw), CancelToken()))


def test_thinking_is_raw_reasoning_and_the_done_line_gives_usage(replay):
    out = run(replay, ollama_lines())
    assert out["reasoning"] == "Okay, 391: try 17. 17 × 23 = 391." and out["kinds"] == {
        Visibility.RAW
    }
    assert out["answer"] == "No: 391 = 17 × 23."
    assert out["usage"] == Usage(26, None, None, 412, None)
    assert out["end"].status is TurnStatus.COMPLETE and out["end"].model_reported == MODEL
    speed = out["notices"][0].extra  # durations are nanoseconds
    assert (
        speed["eval_s"] == 3.5
        and speed["load_s"] == 0.21
        and speed["tokens_per_s"] == pytest.approx(117.7)
    )


def test_done_reason_length_is_length(replay):
    assert run(replay, ollama_lines("length"))["end"].status is TurnStatus.LENGTH


def test_leaked_think_tags_in_content_are_split(replay):
    lines = [
        line(content="<think>\nSum the"),
        line(content=" digits.</th"),
        line(content="ink>\n\n9"),
        done_line(),
    ]
    out = run(replay, lines, effort="none")
    assert out["reasoning"] == "Sum the digits." and out["answer"] == "9"


def test_tag_text_is_dropped_once_the_thinking_field_is_seen(replay):
    lines = [
        line(thinking="Real thinking."),
        line(content="<think>echo</think>\n\nAnswer."),
        done_line(),
    ]
    out = run(replay, lines)
    assert out["reasoning"] == "Real thinking." and out["answer"] == "Answer."


@pytest.mark.parametrize(
    "kw,expected",
    [
        ({}, {}),
        ({"effort": "none"}, {"think": False}),
        ({"effort": "medium"}, {"think": "medium"}),
        (
            {"effort": "max", "max_output_tokens": 300},
            {"think": "max", "options": {"num_predict": 300}},
        ),
    ],
)
def test_controls_map_to_think_and_num_predict(replay, kw, expected):
    run(replay, ollama_lines(), system="Be brief.", **kw)
    sent = replay.requests_to(PATH)[0].json
    assert {k: sent[k] for k in ("think", "options") if k in sent} == expected
    assert (
        sent["messages"][0] == {"role": "system", "content": "Be brief."} and sent["stream"] is True
    )


@pytest.mark.parametrize(
    "kw,needle",
    [
        ({"thinking_budget": 1000}, "no thinking budget"),
        ({"effort": "minimal"}, "none, low, medium, high or max"),
        ({"effort": "xhigh"}, "none, low, medium, high or max"),
        ({"summary": "concise"}, "no summaries"),
        ({"effort": "none", "model": "gpt-oss:20b"}, "cannot turn thinking off"),
    ],
)
def test_controls_ollama_cannot_take_are_refused_before_sending(replay, kw, needle):
    with pytest.raises(UsageError, match=needle):
        list(adapter().stream(request(replay.url, **kw), CancelToken()))
    assert replay.received == []


def test_history_sends_answers_only(replay):
    turn = HistoryTurn("Is 391 prime?", "No.", "ollama", MODEL, reasoning="17 × 23 = 391.")
    run(replay, ollama_lines(), prompt="And 393?", history=(turn,))
    assert replay.requests_to(PATH)[0].json["messages"] == [
        {"role": "user", "content": "Is 391 prime?"},
        {"role": "assistant", "content": "No."},
        {"role": "user", "content": "And 393?"},
    ]


def test_error_line_mid_stream_fails_after_output(replay):
    lines = ollama_lines()[:3] + [
        json.dumps({"error": "an error was encountered while running the model: unexpected EOF"})
        + "\n"
    ]
    out = run(replay, lines)
    assert isinstance(out["end"], Failed) and out["end"].after_output
    assert "unexpected EOF" in out["end"].error.message and out["answer"] == "No: 391 "


def test_eof_without_done_is_interrupted(replay):
    out = run(replay, ollama_lines()[:-1])
    assert out["end"].error.kind is ErrorKind.NETWORK and out["end"].after_output
    assert out["answer"] == "No: 391 = 17 × 23." and out["usage"] is None


def test_cut_mid_line_is_interrupted_keeping_whole_lines(replay):
    lines = ollama_lines()
    replay.add(PATH, Reply(chunks=lines[:3] + [lines[3][:30]], content_type=NDJSON, cut=True))
    out = collect(adapter().stream(request(replay.url), CancelToken()))
    assert out["end"].error.kind is ErrorKind.NETWORK and out["answer"] == "No: 391 "


def test_malformed_line_is_a_protocol_error(replay):
    out = run(replay, ollama_lines()[:2] + ["{not json\n"])
    assert out["end"].error.kind is ErrorKind.PROTOCOL and out["end"].after_output


def test_model_not_found_before_the_stream(replay):
    replay.add(PATH, Reply.json(404, {"error": 'model "qwen9" not found, try pulling it first'}))
    out = collect(adapter().stream(request(replay.url, model="qwen9"), CancelToken()))
    assert (
        out["end"].error.kind is ErrorKind.NOT_FOUND
        and "pulling it first" in out["end"].error.message
    )


def test_thinking_unsupported_is_a_bad_request(replay):
    replay.add(PATH, Reply.json(400, {"error": '"llama3.2" does not support thinking'}))
    out = collect(
        adapter().stream(request(replay.url, model="llama3.2", effort="high"), CancelToken())
    )
    assert out["end"].error.kind is ErrorKind.BAD_REQUEST


def test_server_not_running_is_a_network_error(replay):
    port = replay.port
    replay.stop()
    out = collect(adapter().stream(request(f"http://127.0.0.1:{port}"), CancelToken()))
    assert out["end"].error.kind is ErrorKind.NETWORK and "127.0.0.1" in out["end"].error.message


def test_stop_closes_a_hanging_stream_promptly(replay):
    replay.add(PATH, Reply(chunks=ollama_lines()[:2], content_type=NDJSON, hang_s=30))
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


def test_list_models_from_api_tags(replay):
    replay.add(
        "/api/tags",
        Reply.json(
            200,
            {
                "models": [
                    {
                        "name": "qwen3:8b",
                        "model": "qwen3:8b",
                        "size": 5_200_000_000,
                        "details": {"family": "qwen3"},
                    },
                    {
                        "name": "gpt-oss:20b",
                        "model": "gpt-oss:20b",
                        "size": 13_000_000_000,
                        "details": {},
                    },
                ]
            },
        ),
    )
    assert adapter().list_models(replay.url) == ["gpt-oss:20b", "qwen3:8b"]
