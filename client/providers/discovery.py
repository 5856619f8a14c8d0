"""Finding the local model servers already running on this machine .

A user with Ollama or LM Studio open should not have to type a base URL: the settings page and
`thinkpane models --provider local` probe the four usual ports on 127.0.0.1 (never `localhost`,
which may resolve to ::1), all at once on threads with short timeouts, so the whole look takes
about a second even when nothing answers. Ports 8000 and 8080 host many other development
servers, so a port counts only if its reply has the shape that server's model list has.
"""

from __future__ import annotations

import concurrent.futures
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx


@dataclass(frozen=True)
class LocalServer:
    """A server that answered: what it is, where, which provider speaks to it, its models."""

    kind: str  # "ollama" | "lmstudio" | "llama.cpp" | "vllm"
    base_url: str  # what to pass as --base-url
    provider: str  # "ollama" or "openai-compatible"
    models: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "base_url": self.base_url,
            "provider": self.provider,
            "models": list(self.models),
        }


@dataclass(frozen=True)
class _Probe:
    kind: str
    provider: str
    list_path: str  # GET this, relative to the origin
    api_suffix: str  # appended to the origin to make the base URL


_PROBES = {
    "ollama": _Probe("ollama", "ollama", "/api/tags", ""),
    "lmstudio": _Probe("lmstudio", "openai-compatible", "/v1/models", "/v1"),
    "llama.cpp": _Probe("llama.cpp", "openai-compatible", "/v1/models", "/v1"),
    "vllm": _Probe("vllm", "openai-compatible", "/v1/models", "/v1"),
}

# Where each server listens by default. Tests pass their own mapping (replay servers on random ports).
DEFAULT_HOSTS: dict[str, str] = {
    "ollama": "http://127.0.0.1:11434",
    "lmstudio": "http://127.0.0.1:1234",
    "llama.cpp": "http://127.0.0.1:8080",
    "vllm": "http://127.0.0.1:8000",
}


def _ollama_models(data: Any) -> tuple[str, ...] | None:
    models = data.get("models") if isinstance(data, dict) else None
    if not isinstance(models, list) or not all(isinstance(m, dict) for m in models):
        return None
    names = [m.get("name") or m.get("model") for m in models]
    if not all(isinstance(n, str) for n in names):
        return None
    return tuple(sorted(str(n) for n in names))


def _openai_models(data: Any) -> tuple[str, ...] | None:
    models = data.get("data") if isinstance(data, dict) else None
    if not isinstance(models, list) or data.get("object", "list") != "list":
        return None
    if not all(isinstance(m, dict) and isinstance(m.get("id"), str) for m in models):
        return None
    return tuple(sorted(str(m["id"]) for m in models))


def probe(kind: str, origin: str, timeout_s: float = 1.0) -> LocalServer | None:
    """The server of `kind` at `origin` if it answers with the right shape, else None."""
    spec = _PROBES[kind]
    origin = origin.rstrip("/")
    timeout = httpx.Timeout(timeout_s, connect=min(0.25, timeout_s))
    try:
        # trust_env=False: a proxy from the environment must never see a loopback probe.
        with httpx.Client(timeout=timeout, trust_env=False, follow_redirects=False) as client:
            response = client.get(origin + spec.list_path)
        if response.status_code != 200:
            return None
        data = response.json()
    except (httpx.HTTPError, ValueError):
        return None
    models = _ollama_models(data) if spec.kind == "ollama" else _openai_models(data)
    if models is None:
        return None
    return LocalServer(spec.kind, origin + spec.api_suffix, spec.provider, models)


def discover_local_servers(
    timeout_s: float = 1.0, hosts: Mapping[str, str] | None = None
) -> list[LocalServer]:
    """Every known local server that answers, probed in parallel; returns within about
    `timeout_s` whatever hangs. `hosts` maps a kind ("ollama", "lmstudio", "llama.cpp", "vllm")
    to its origin (`http://127.0.0.1:PORT`); by default, DEFAULT_HOSTS."""
    targets = dict(hosts if hosts is not None else DEFAULT_HOSTS)
    unknown = set(targets) - set(_PROBES)
    if unknown:
        raise ValueError(f"unknown local server kind(s): {', '.join(sorted(unknown))}")
    if not targets:
        return []
    deadline = time.monotonic() + timeout_s
    pool = concurrent.futures.ThreadPoolExecutor(
        max_workers=len(targets), thread_name_prefix="discover"
    )
    try:
        futures = {
            kind: pool.submit(probe, kind, origin, timeout_s * 0.9)
            for kind, origin in targets.items()
        }
        concurrent.futures.wait(futures.values(), timeout=max(0.0, deadline - time.monotonic()))
    finally:
        # A probe still running past the deadline ends on its own timeout; nobody waits for it.
        pool.shutdown(wait=False, cancel_futures=True)
    found = []
    for kind in targets:
        future = futures[kind]
        if future.done() and not future.cancelled() and future.exception() is None:
            server = future.result()
            if server is not None:
                found.append(server)
    return found
