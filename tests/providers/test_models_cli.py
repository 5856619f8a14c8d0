"""`thinkpane models`: the command line over each adapter's model list, against loopback servers."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from client.cli import main
from client.providers import discovery
from tests.providers.test_openai_responses import quick_replay
from tests.support.replay import ReplayServer, Reply


@pytest.fixture
def replay() -> Iterator[ReplayServer]:
    yield from quick_replay()


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(["models", *argv])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_json_lists_openai_models_with_the_key_from_the_environment(replay, capsys, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env")
    replay.add(
        "/v1/models",
        Reply.json(200, {"object": "list", "data": [{"id": "o4-mini"}, {"id": "gpt-5"}]}),
    )
    status, out, _ = run_cli(
        capsys, "--provider", "openai", "--base-url", replay.url + "/v1/", "--json"
    )
    assert status == 0
    assert json.loads(out) == {
        "provider": "openai",
        "base_url": replay.url + "/v1",
        "models": ["gpt-5", "o4-mini"],
    }
    assert replay.requests_to("/v1/models")[0].headers["authorization"] == "Bearer sk-env"


def test_key_from_the_keyring_and_plain_output_one_model_a_line(replay, capsys, memory_keyring):
    memory_keyring.set_password("thinkpane", "anthropic", "sk-ant-keyring")
    replay.add(
        "/v1/models",
        Reply.json(
            200,
            {"data": [{"id": "claude-opus-4-7"}, {"id": "claude-haiku-4-5"}], "has_more": False},
        ),
    )
    status, out, _ = run_cli(capsys, "--provider", "anthropic", "--base-url", replay.url)
    assert status == 0 and out == "claude-haiku-4-5\nclaude-opus-4-7\n"
    assert replay.requests_to("/v1/models")[0].headers["x-api-key"] == "sk-ant-keyring"


def test_gemini_and_ollama(replay, capsys, monkeypatch):
    monkeypatch.setenv("GOOGLE_API_KEY", "AIza-env")
    replay.add("/v1beta/models", Reply.json(200, {"models": [{"name": "models/gemini-2.5-flash"}]}))
    replay.add(
        "/api/tags", Reply.json(200, {"models": [{"name": "qwen3:8b", "model": "qwen3:8b"}]})
    )
    assert run_cli(capsys, "--provider", "gemini", "--base-url", replay.url)[:2] == (
        0,
        "gemini-2.5-flash\n",
    )
    assert run_cli(capsys, "--provider", "ollama", "--base-url", replay.url)[:2] == (
        0,
        "qwen3:8b\n",
    )


def test_missing_key_is_an_auth_refusal_with_where_to_set_it(capsys):
    status, out, err = run_cli(capsys, "--provider", "openai", "--json")
    assert status == 3
    assert json.loads(out)["error"]["kind"] == "auth" and "OPENAI_API_KEY" in err


def test_a_rejected_key_exits_3(replay, capsys, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-bad")
    replay.add(
        "/v1/models",
        Reply.json(
            401, {"error": {"message": "Incorrect API key provided", "code": "invalid_api_key"}}
        ),
    )
    status, _, err = run_cli(capsys, "--provider", "openai", "--base-url", replay.url + "/v1")
    assert status == 3 and "Incorrect API key" in err


def test_server_down_exits_4(capsys):
    status, _, err = run_cli(capsys, "--provider", "ollama", "--base-url", "http://127.0.0.1:9")
    assert status == 4 and "Could not reach" in err


def test_openai_compatible_needs_a_base_url(capsys):
    status, _, err = run_cli(capsys, "--provider", "openai-compatible")
    assert status == 2 and "--base-url is required" in err


def test_provider_is_required(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["models"])
    assert exc.value.code == 2


def test_local_lists_discovered_servers(replay, capsys, monkeypatch):
    replay.add("/api/tags", Reply.json(200, {"models": [{"name": "qwen3:8b"}]}))
    monkeypatch.setattr(discovery, "DEFAULT_HOSTS", {"ollama": replay.url})
    status, out, _ = run_cli(capsys, "--provider", "local", "--json")
    assert status == 0
    assert json.loads(out) == {
        "provider": "local",
        "base_url": None,
        "models": ["qwen3:8b"],
        "servers": [
            {"kind": "ollama", "base_url": replay.url, "provider": "ollama", "models": ["qwen3:8b"]}
        ],
    }
    replay.add("/api/tags", Reply.json(200, {"models": [{"name": "qwen3:8b"}]}))
    status, out, _ = run_cli(capsys, "--provider", "local")
    assert out == f"ollama: --provider ollama --base-url {replay.url}\n  qwen3:8b\n"
