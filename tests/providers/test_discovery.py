"""Local server discovery: loopback replay servers on random ports stand in for the usual ones."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest

from client.providers.discovery import DEFAULT_HOSTS, LocalServer, discover_local_servers
from tests.providers.test_openai_responses import QuickStopReplay
from tests.support.replay import ReplayServer, Reply

OLLAMA_TAGS = {
    "models": [
        {"name": "qwen3:8b", "model": "qwen3:8b", "size": 5_200_000_000, "details": {}},
        {"name": "deepseek-r1:7b", "model": "deepseek-r1:7b", "size": 4_700_000_000, "details": {}},
    ]
}
OPENAI_LIST = {
    "object": "list",
    "data": [{"id": "qwen/qwen3-4b", "object": "model", "owned_by": "organization_owner"}],
}


@pytest.fixture
def servers() -> Iterator[list[ReplayServer]]:
    started = [QuickStopReplay().start() for _ in range(4)]
    yield started
    for server in started:
        server.stop()


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_finds_ollama_and_openai_shaped_servers_with_their_models(servers):
    ollama, lmstudio, llamacpp, vllm = servers
    ollama.add("/api/tags", Reply.json(200, OLLAMA_TAGS))
    lmstudio.add("/v1/models", Reply.json(200, OPENAI_LIST))
    llamacpp.add(
        "/v1/models",
        Reply.json(
            200,
            {
                "object": "list",
                "data": [{"id": "model.gguf", "object": "model"}],
                "models": [{"name": "model.gguf"}],
            },
        ),
    )
    vllm.add("/v1/models", Reply.json(200, {"object": "list", "data": []}))
    found = discover_local_servers(
        hosts={
            "ollama": ollama.url,
            "lmstudio": lmstudio.url,
            "llama.cpp": llamacpp.url,
            "vllm": vllm.url,
        }
    )
    assert found == [
        LocalServer("ollama", ollama.url, "ollama", ("deepseek-r1:7b", "qwen3:8b")),
        LocalServer("lmstudio", lmstudio.url + "/v1", "openai-compatible", ("qwen/qwen3-4b",)),
        LocalServer("llama.cpp", llamacpp.url + "/v1", "openai-compatible", ("model.gguf",)),
        LocalServer("vllm", vllm.url + "/v1", "openai-compatible", ()),
    ]
    assert found[0].to_json() == {
        "kind": "ollama",
        "base_url": ollama.url,
        "provider": "ollama",
        "models": ["deepseek-r1:7b", "qwen3:8b"],
    }


def test_a_port_counts_only_if_the_reply_has_the_expected_shape(servers):
    web, wrong, error, _ = servers
    web.add(
        "/v1/models",
        Reply(200, ["<html><body>My dev server</body></html>"], content_type="text/html"),
    )
    wrong.add("/api/tags", Reply.json(200, {"status": "ok"}))
    error.add("/v1/models", Reply.json(404, {"detail": "Not Found"}))
    assert (
        discover_local_servers(hosts={"vllm": web.url, "ollama": wrong.url, "llama.cpp": error.url})
        == []
    )


def test_nothing_listening_is_quick_and_empty():
    started = time.monotonic()
    hosts = {kind: f"http://127.0.0.1:{closed_port()}" for kind in DEFAULT_HOSTS}
    assert discover_local_servers(hosts=hosts) == []
    assert time.monotonic() - started < 0.5


def test_probes_run_in_parallel_and_a_hanging_port_cannot_hold_the_call(servers):
    # Three answers that each take 0.4 s fit in a 1 s call only if they are probed together.
    slow_a, slow_b, slow_c, hanging = servers
    listing = '{"object": "list", "data": []}'
    slow_a.add(
        "/api/tags", Reply(200, ['{"models": []}'], content_type="application/json", delay_s=0.4)
    )
    slow_b.add("/v1/models", Reply(200, [listing], content_type="application/json", delay_s=0.4))
    slow_c.add("/v1/models", Reply(200, [listing], content_type="application/json", delay_s=0.4))
    hanging.add("/v1/models", Reply(200, ["{"], content_type="application/json", delay_s=5))
    hosts = {
        "ollama": slow_a.url,
        "lmstudio": slow_b.url,
        "llama.cpp": slow_c.url,
        "vllm": hanging.url,
    }
    started = time.monotonic()
    found = discover_local_servers(timeout_s=1.0, hosts=hosts)
    elapsed = time.monotonic() - started
    assert [s.kind for s in found] == ["ollama", "lmstudio", "llama.cpp"]
    assert elapsed < 1.3  # the deadline, whatever the hung port does


def test_unknown_kind_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown local server"):
        discover_local_servers(hosts={"koboldcpp": "http://127.0.0.1:5001"})


def test_default_hosts_are_the_documented_loopback_ports():
    assert DEFAULT_HOSTS == {
        "ollama": "http://127.0.0.1:11434",
        "lmstudio": "http://127.0.0.1:1234",
        "llama.cpp": "http://127.0.0.1:8080",
        "vllm": "http://127.0.0.1:8000",
    }
