"""`thinkpane models`: which models a provider offers, so a script can pick a valid `--model`.

It asks the provider's own model list (`/models`, `/v1/models`, `/v1beta/models`, `/api/tags`)
through the same adapters `ask` uses, with the same key lookup (environment first, then the
keyring). `--provider local` instead lists the local servers running on this machine (Ollama,
LM Studio, llama.cpp, vLLM) with their models and the `--provider`/`--base-url` to use for each.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from client.cli.common import fail, print_json
from client.core.errors import ErrorKind, ThinkpaneError, UsageError
from client.providers.registry import PROFILES, adapter_for, profile

LOCAL = "local"


def add_parser(sub: Any) -> None:
    names = [*PROFILES, LOCAL]
    p = sub.add_parser(
        "models",
        help="list the models a provider offers",
        description="List the models a provider offers. --provider local lists the model servers "
        "running on this machine (Ollama, LM Studio, llama.cpp, vLLM) instead.",
    )
    p.add_argument(
        "--provider",
        required=True,
        choices=names,
        metavar="NAME",
        help=f"one of: {', '.join(names)}",
    )
    p.add_argument(
        "--base-url", metavar="URL", help="endpoint override (required for openai-compatible)"
    )
    p.add_argument(
        "--json", action="store_true", help='print {"provider", "base_url", "models"} as JSON'
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.provider == LOCAL:
        return _run_local(args)
    result: dict[str, Any] = {"provider": args.provider, "base_url": args.base_url, "models": []}
    try:
        prof = profile(args.provider)
        result["base_url"] = base_url = prof.base_url(args.base_url)
        key = _api_key(prof.name, prof.env_vars)
        if not key and not prof.local and prof.name != "openai-compatible":
            raise ThinkpaneError(ErrorKind.AUTH, f"No API key for {prof.label}: {prof.key_hint}")
        result["models"] = adapter_for(prof.name).list_models(base_url, key)
    except UsageError as exc:
        if args.json:
            print_json(
                {
                    **result,
                    "error": {
                        "kind": "bad_request",
                        "message": str(exc),
                        "retryable": False,
                        "status": None,
                    },
                }
            )
        return fail(str(exc))
    except ThinkpaneError as exc:
        if args.json:
            print_json({**result, "error": exc.info.to_json()})
        return fail(exc.message, exc.info.exit_status)
    if args.json:
        print_json(result)
    else:
        for model in result["models"]:
            print(model)
        if not result["models"]:
            print(
                f"thinkpane: {args.provider} at {result['base_url']} lists no models.",
                file=sys.stderr,
            )
    return 0


def _api_key(name: str, env_vars: tuple[str, ...]) -> str | None:
    from client.store.secrets import get_api_key

    return get_api_key(name, env_vars)


def _run_local(args: argparse.Namespace) -> int:
    from client.providers.discovery import discover_local_servers

    if args.base_url:
        return fail(
            "--base-url does not apply to --provider local, which probes the usual ports on 127.0.0.1."
        )
    servers = discover_local_servers()
    if args.json:
        print_json(
            {
                "provider": LOCAL,
                "base_url": None,
                "models": sorted({m for s in servers for m in s.models}),
                "servers": [s.to_json() for s in servers],
            }
        )
        return 0
    if not servers:
        print(
            "thinkpane: no local model server answered on 127.0.0.1 (Ollama 11434, LM Studio 1234, "
            "llama.cpp 8080, vLLM 8000).",
            file=sys.stderr,
        )
        return 0
    for server in servers:
        print(f"{server.kind}: --provider {server.provider} --base-url {server.base_url}")
        for model in server.models:
            print(f"  {model}")
    return 0
