"""`thinkpane ask --provider mistral` end to end: a real subprocess (or the CLI in process, for
the keyring), a loopback server replaying Mistral's stream, the real SQLite store between turns."""

from __future__ import annotations

import json

import httpx

from client.cli import main
from client.store.secrets import set_api_key
from tests.support import mistral as wire
from tests.support.replay import Reply, sse
from tests.test_cli_ask import thinkpane

PATH = "/v1/chat/completions"


def ask(replay, *extra: str, provider: str = "mistral", env=None, prompt="What is 15% of 240?"):
    env = env or {"MISTRAL_API_KEY": "sk-mistral"}
    return thinkpane("ask", prompt, "--provider", provider, "--base-url", replay.url + "/v1",
                     "--model", wire.MODEL, *extra, env=env)  # fmt: skip


def test_ask_shows_raw_reasoning_the_whole_answer_and_a_priced_cost(replay):
    replay.add(PATH, Reply(chunks=sse(*wire.stream(), done=True)))
    result = ask(replay, "--effort", "high", "--json", env={"MISTRAL_API_KEY": "sk-mistral"})
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["answer"] == "15% of 240 is **36**."
    assert data["reasoning"] == {"visibility": "raw", "text": wire.MEANT_THINKING, "tokens": None,
                                 "redacted_blocks": 0}  # fmt: skip
    assert data["usage"]["input_tokens"] == 21 and data["usage"]["output_tokens"] == 388
    assert data["usage"]["reasoning_tokens"] is None
    assert data["cost"]["source"] == "prices" and data["cost"]["total"] not in (None, "0")
    sent = replay.requests_to(PATH)[0]
    assert sent.headers["authorization"] == "Bearer sk-mistral"
    assert sent.json["reasoning_effort"] == "high" and "stream_options" not in sent.json


def test_the_same_stream_through_openai_compatible_gives_the_same_answer_and_reasoning(replay):
    replay.always(PATH, Reply(chunks=sse(*wire.stream(), done=True)))
    native = json.loads(ask(replay, "--effort", "high", "--json").stdout)
    compat = json.loads(
        ask(replay, "--effort", "high", "--json", provider="openai-compatible").stdout
    )
    assert compat["answer"] == native["answer"] == "15% of 240 is **36**."
    assert compat["reasoning"]["text"] == native["reasoning"]["text"] == wire.MEANT_THINKING


def test_the_second_turn_goes_back_as_chunks_through_the_store_byte_for_byte(replay):
    replay.always(PATH, Reply(chunks=sse(*wire.stream(), done=True)))
    first = json.loads(ask(replay, "--effort", "high", "--json").stdout)
    second = ask(replay, "--effort", "high", "--json", "--conversation",
                 first["conversation_id"], prompt="And 20% of it?")  # fmt: skip
    assert second.returncode == 0, second.stderr
    expected = {
        "model": wire.MODEL,
        "messages": [
            {"role": "user", "content": "What is 15% of 240?"},
            {"role": "assistant", "content": [
                {"type": "thinking", "thinking": [{"type": "text", "text": wire.MEANT_THINKING}]},
                {"type": "text", "text": "15% of 240 is **36**."},
            ]},
            {"role": "user", "content": "And 20% of it?"},
        ],
        "stream": True,
        "reasoning_effort": "high",
    }  # fmt: skip
    body = replay.requests_to(PATH)[1].body
    assert body == httpx.Request("POST", "http://x", json=expected).content


def test_an_effort_the_model_cannot_take_is_refused_before_sending(replay):
    result = thinkpane("ask", "hi", "--provider", "mistral", "--model", "magistral-small-latest",
                       "--effort", "none", "--base-url", replay.url + "/v1",
                       env={"MISTRAL_API_KEY": "sk-mistral"})  # fmt: skip
    assert result.returncode == 2 and "always thinks" in result.stderr
    assert replay.requests_to(PATH) == []


def test_the_key_comes_from_the_keyring_and_the_environment_wins(replay, monkeypatch, capsys):
    replay.always(PATH, Reply(chunks=sse(*wire.stream(), done=True)))
    set_api_key("mistral", "sk-from-keyring")
    argv = ["ask", "hi", "--provider", "mistral", "--model", wire.MODEL, "--base-url",
            replay.url + "/v1", "--json", "--no-save"]  # fmt: skip
    assert main(argv) == 0
    monkeypatch.setenv("MISTRAL_API_KEY", "sk-from-env")
    assert main(argv) == 0
    capsys.readouterr()
    keys = [r.headers["authorization"] for r in replay.requests_to(PATH)]
    assert keys == ["Bearer sk-from-keyring", "Bearer sk-from-env"]


def test_models_lists_only_chat_models(replay):
    listing = {"object": "list", "data": [
        {"id": "mistral-small-latest", "capabilities": {"completion_chat": True}},
        {"id": "mistral-embed", "capabilities": {"completion_chat": False}},
    ]}  # fmt: skip
    replay.add("/v1/models", Reply.json(200, listing))
    result = thinkpane("models", "--provider", "mistral", "--base-url", replay.url + "/v1",
                       "--json", env={"MISTRAL_API_KEY": "k"})  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "mistral-small-latest" in result.stdout and "mistral-embed" not in result.stdout
