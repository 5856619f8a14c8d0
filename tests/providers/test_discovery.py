"""Local server discovery: loopback replay servers on random ports stand in for the usual ones."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from typing import Any

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


def _returns_within(seconds: float, call: Callable[[], Any]) -> Any:
    """The call's result, or a failure if it had not returned after `seconds` (a hang guard far
    beyond the time the call should take, never a speed threshold)."""
    result: list[Any] = []
    worker = threading.Thread(target=lambda: result.append(call()), daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), f"still running after {seconds} s"
    return result[0]


def test_nothing_listening_is_empty_without_waiting_for_the_deadline():
    hosts = {kind: f"http://127.0.0.1:{closed_port()}" for kind in DEFAULT_HOSTS}
    # A refused connection ends its probe at once: the 60 s deadline is never waited for.
    assert _returns_within(30, lambda: discover_local_servers(timeout_s=60, hosts=hosts)) == []


def test_probes_run_in_parallel_and_a_hanging_port_cannot_hold_the_call(servers):
    # The three servers answer only once all three have been asked: only parallel probes can
    # find them all. The fourth never answers within the deadline.
    slow_a, slow_b, slow_c, hanging = servers
    barrier = threading.Barrier(3, timeout=20)
    listing = '{"object": "list", "data": []}'
    slow_a.add("/api/tags", Reply(200, ['{"models": []}'], content_type="application/json",
                                  before=barrier.wait))  # fmt: skip
    for server in (slow_b, slow_c):
        server.add("/v1/models", Reply(200, [listing], content_type="application/json",
                                       before=barrier.wait))  # fmt: skip
    hanging.add("/v1/models", Reply(200, ["{"], content_type="application/json", delay_s=60))
    hosts = {
        "ollama": slow_a.url,
        "lmstudio": slow_b.url,
        "llama.cpp": slow_c.url,
        "vllm": hanging.url,
    }
    found = _returns_within(40, lambda: discover_local_servers(timeout_s=5.0, hosts=hosts))
    assert [s.kind for s in found] == ["ollama", "lmstudio", "llama.cpp"]


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
