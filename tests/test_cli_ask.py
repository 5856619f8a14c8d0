"""`thinkpane ask` and `thinkpane usage` end to end: a real subprocess, a real loopback server,
a real SQLite file under the temporary THINKPANE_HOME."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from client.store.store import Store
from tests.support.chat import chunk, simple_stream, usage_chunk
from tests.support.replay import Reply, sse

ROOT = Path(__file__).resolve().parents[1]
PATH = "/v1/chat/completions"
CONTRACT_KEYS = {
    "conversation_id",
    "turn_id",
    "provider",
    "model",
    "model_reported",
    "status",
    "answer",
    "reasoning",
    "usage",
    "cost",
    "timing",
    "error",
    "audit",
}


def thinkpane(
    *args: str, env: dict[str, str] | None = None, stdin: str | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    full_env = {
        **os.environ,
        "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
        "NO_COLOR": "1",
        **(env or {}),
    }
    return subprocess.run(
        [sys.executable, "-m", "client", *args],
        cwd=ROOT,
        env=full_env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def ask(replay, *extra: str, provider: str = "openai-compatible", env=None, prompt="Is 391 prime?"):
    base = replay.url + "/v1"
    return thinkpane(
        "ask",
        prompt,
        "--provider",
        provider,
        "--base-url",
        base,
        "--model",
        "qwen3",
        *extra,
        env=env,
    )


def test_help_explains_every_command():
    result = thinkpane("--help")
    assert result.returncode == 0
    listed = {
        line.split()[0]
        for line in result.stdout.splitlines()
        if line.startswith("    ") and line.split()
    }
    assert {"ask", "usage", "audit", "models"} <= listed
    for command in sorted(listed):
        sub = thinkpane(command, "--help")
        assert sub.returncode == 0 and "usage: thinkpane " + command in sub.stdout


def test_ask_json_is_exactly_the_contract_object(replay):
    replay.add(
        PATH, Reply(chunks=sse(*simple_stream("391 = 17 × 23.", "No, 391 = 17 × 23."), done=True))
    )
    result = ask(replay, "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == CONTRACT_KEYS
    assert data["status"] == "complete" and data["error"] is None
    assert data["answer"] == "No, 391 = 17 × 23."
    assert data["reasoning"] == {
        "visibility": "raw",
        "text": "391 = 17 × 23.",
        "tokens": None,
        "redacted_blocks": 0,
    }
    assert data["usage"] == {
        "input_tokens": 12,
        "cached_input_tokens": None,
        "cache_write_tokens": None,
        "output_tokens": 40,
        "reasoning_tokens": None,
    }
    assert data["cost"]["source"] == "local" and data["cost"]["total"] == "0"
    assert data["conversation_id"].startswith("c_") and data["turn_id"].startswith("t_")
    assert (
        data["timing"]["total_s"] is not None
        and data["timing"]["time_to_first_token_s"] is not None
    )


def test_ask_streams_reasoning_to_stderr_and_the_answer_to_stdout(replay):
    replay.add(PATH, Reply(chunks=sse(*simple_stream("Check 17 × 23.", "Composite."), done=True)))
    result = ask(replay)
    assert result.returncode == 0
    assert result.stdout == "Composite.\n"
    assert "Check 17 × 23." in result.stderr
    assert (
        "12 tokens in" in result.stderr
        and "40 tokens out" in result.stderr
        and "$0" in result.stderr
    )


def test_conversation_continues_with_its_history_and_usage_reports_it(replay):
    replay.add(
        PATH,
        Reply(chunks=sse(*simple_stream("17 × 23 = 391.", "No."), done=True)),
        Reply(chunks=sse(*simple_stream("393 = 3 × 131.", "No, 3 × 131."), done=True)),
    )
    first = json.loads(ask(replay, "--json").stdout)
    second = ask(replay, "--json", "--conversation", first["conversation_id"], prompt="and 393?")
    assert second.returncode == 0, second.stderr
    data = json.loads(second.stdout)
    assert data["conversation_id"] == first["conversation_id"]
    sent = replay.requests_to(PATH)[1].json["messages"]
    assert sent == [
        {"role": "user", "content": "Is 391 prime?"},
        {"role": "assistant", "content": "No."},
        {"role": "user", "content": "and 393?"},
    ]
    usage = json.loads(thinkpane("usage", "--json", "--by", "conversation").stdout)
    assert usage["total"]["queries"] == 2
    assert usage["total"]["input_tokens"] == 24 and usage["total"]["output_tokens"] == 80
    [group] = usage["groups"]
    assert group["key"] == first["conversation_id"] and group["cost"] == "0"


def test_no_save_leaves_the_database_untouched(replay, thinkpane_home):
    replay.add(PATH, Reply(chunks=sse(*simple_stream("r", "a"), done=True)))
    assert ask(replay, "--no-save").returncode == 0
    assert not (thinkpane_home / "thinkpane.sqlite3").exists()


def test_a_cut_stream_exits_4_and_keeps_the_partial_turn(replay):
    replay.add(
        PATH,
        Reply(chunks=sse(chunk(reasoning="Trying 17"), chunk(content="Partial ans")), cut=True),
    )
    result = ask(replay, "--json")
    assert result.returncode == 4
    data = json.loads(result.stdout)
    assert data["status"] == "interrupted" and data["error"]["kind"] == "network"
    with Store.open() as store:
        turn = store.get_turn(data["turn_id"])
    assert turn is not None and turn.answer == "Partial ans" and turn.reasoning.text == "Trying 17"
    assert turn.status == "interrupted"


def test_killing_ask_mid_stream_leaves_the_partial_turn_in_the_database(replay, thinkpane_home):
    frames = sse(*[chunk(content=f"word{i} ") for i in range(400)], chunk(finish="stop"), done=True)
    replay.add(PATH, Reply(chunks=frames, delay_s=0.02))
    env = {**os.environ, "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "client",
            "ask",
            "count",
            "--provider",
            "openai-compatible",
            "--base-url",
            replay.url + "/v1",
            "--model",
            "qwen3",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    # Wait until it has streamed for well over a checkpoint interval, then kill it hard.
    deadline = time.monotonic() + 30
    seen = b""
    while time.monotonic() < deadline and seen.count(b"word") < 150:
        seen += os.read(proc.stdout.fileno(), 4096)
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    db = thinkpane_home / "thinkpane.sqlite3"
    raw = sqlite3.connect(db).execute("select status, answer from turns").fetchall()
    assert len(raw) == 1 and raw[0][0] == "streaming" and raw[0][1].startswith("word0 word1")
    with Store.open() as store:  # the next start marks it interrupted, keeping the text
        [conversation] = store.list_conversations()
        [turn] = store.turns(conversation.id)
    assert turn.status == "interrupted" and turn.answer == raw[0][1]


def test_sigterm_stops_the_turn_and_saves_what_arrived(replay):
    frames = sse(*[chunk(content=f"w{i} ") for i in range(400)], chunk(finish="stop"), done=True)
    replay.add(PATH, Reply(chunks=frames, delay_s=0.02))
    env = {**os.environ, "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "client",
            "ask",
            "count",
            "--json",
            "--provider",
            "openai-compatible",
            "--base-url",
            replay.url + "/v1",
            "--model",
            "qwen3",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    while not replay.requests_to(PATH):
        time.sleep(0.05)
    time.sleep(0.5)
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=20)
    assert proc.returncode == 130
    data = json.loads(out)
    assert data["status"] == "interrupted" and data["error"]["kind"] == "cancelled"
    assert data["answer"].startswith("w0 w1")


def test_a_key_never_appears_in_output_or_the_database(replay, thinkpane_home):
    secret = "sk-live-THIS-MUST-NOT-LEAK-42"
    replay.add(
        PATH,
        Reply(chunks=sse(*simple_stream("r", "a"), done=True)),
        Reply.json(401, {"error": {"message": "bad key", "code": "invalid_api_key"}}),
    )
    ok = ask(replay, "--json", env={"THINKPANE_API_KEY": secret})
    refused = ask(replay, "--json", env={"THINKPANE_API_KEY": secret})
    assert replay.requests_to(PATH)[0].headers["authorization"] == f"Bearer {secret}"
    assert refused.returncode == 3 and json.loads(refused.stdout)["error"]["kind"] == "auth"
    for result in (ok, refused):
        assert secret not in result.stdout and secret not in result.stderr
    for path in thinkpane_home.rglob("*"):
        if path.is_file():
            assert secret.encode() not in path.read_bytes(), path


def test_deepseek_without_a_key_is_refused_with_where_to_set_it(replay):
    result = thinkpane(
        "ask",
        "hi",
        "--provider",
        "deepseek",
        "--model",
        "deepseek-reasoner",
        "--json",
        "--base-url",
        replay.url,
    )
    assert result.returncode == 3
    data = json.loads(result.stdout)
    assert data["error"]["kind"] == "auth" and "DEEPSEEK_API_KEY" in data["error"]["message"]
    assert not replay.received


def test_deepseek_works_with_its_key_from_the_environment(replay):
    frames = [
        chunk(reasoning="Odd + odd is even.", model="deepseek-reasoner"),
        chunk(content="Even.", model="deepseek-reasoner"),
        chunk(
            finish="stop",
            model="deepseek-reasoner",
            usage={
                "prompt_tokens": 1000,
                "completion_tokens": 500,
                "total_tokens": 1500,
                "prompt_cache_hit_tokens": 600,
                "prompt_cache_miss_tokens": 400,
                "completion_tokens_details": {"reasoning_tokens": 300},
            },
        ),
    ]
    replay.add("/chat/completions", Reply(chunks=sse(*frames, done=True)))
    result = thinkpane(
        "ask",
        "odd+odd?",
        "--provider",
        "deepseek",
        "--model",
        "deepseek-reasoner",
        "--json",
        "--base-url",
        replay.url,
        env={"DEEPSEEK_API_KEY": "sk-ds"},
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["reasoning"]["visibility"] == "raw" and data["reasoning"]["tokens"] == 300
    assert data["usage"]["cached_input_tokens"] == 600
    # A remote host: priced from the bundled price data, reasoning part of the output cost.
    assert data["cost"]["source"] == "prices"
    from decimal import Decimal

    assert Decimal(data["cost"]["reasoning"]) == Decimal(data["cost"]["output"]) * 300 / 500


def test_openrouter_reported_cost_is_preferred(replay):
    frames = [
        chunk(content="Hi", model="openai/gpt-5"),
        chunk(finish="stop", model="openai/gpt-5"),
        usage_chunk(10, 20, reasoning=12, model="openai/gpt-5", cost=0.0042),
    ]
    replay.add(PATH, Reply(chunks=sse(*frames, done=True)))
    result = thinkpane(
        "ask",
        "hi",
        "--provider",
        "openrouter",
        "--model",
        "openai/gpt-5",
        "--json",
        "--base-url",
        replay.url + "/v1",
        env={"OPENROUTER_API_KEY": "sk-or"},
    )
    data = json.loads(result.stdout)
    assert data["cost"]["source"] == "provider" and data["cost"]["total"] == "0.0042"
    assert data["reasoning"]["visibility"] == "hidden" and data["reasoning"]["tokens"] == 12


def test_bad_usage_exits_2_with_a_sentence():
    result = thinkpane("ask", "hi", "--provider", "nope", "--model", "m")
    assert result.returncode == 2 and "thinkpane:" in result.stderr
    result = thinkpane("ask", "hi", "--provider", "openai-compatible", "--model", "m")
    assert result.returncode == 2 and "--base-url is required" in result.stderr


def test_prompt_from_stdin(replay):
    replay.add(PATH, Reply(chunks=sse(*simple_stream("r", "a"), done=True)))
    result = thinkpane(
        "ask",
        "-",
        "--provider",
        "openai-compatible",
        "--base-url",
        replay.url + "/v1",
        "--model",
        "qwen3",
        "--json",
        stdin="What is 2+2?",
    )
    assert result.returncode == 0
    assert replay.requests_to(PATH)[0].json["messages"][-1]["content"] == "What is 2+2?"


@pytest.mark.parametrize("fmt", ["--csv", ""])
def test_usage_on_an_empty_ledger(fmt):
    result = thinkpane("usage", *([fmt] if fmt else []))
    assert result.returncode == 0


def test_a_setting_the_model_cannot_take_is_refused_before_anything_is_sent(replay, thinkpane_home):
    result = thinkpane(
        "ask",
        "hi",
        "--provider",
        "anthropic",
        "--model",
        "claude-sonnet-4-5",
        "--thinking-budget",
        "500",
        "--base-url",
        replay.url,
        env={"ANTHROPIC_API_KEY": "sk-ant-x"},
    )
    assert result.returncode == 2 and "1024" in result.stderr and "Traceback" not in result.stderr
    assert not replay.received
    with Store.open() as store:
        assert store.list_conversations() == []


def test_a_silent_stream_ends_after_the_idle_timeout_as_a_network_failure(replay):
    # The server sends some reasoning, then keeps the connection open and says nothing more.
    replay.add(PATH, Reply(chunks=sse(chunk(reasoning="First, 17 × 23")), hang_s=30))
    result = ask(replay, "--json", "--idle-timeout", "1")
    assert result.returncode == 4, result.stderr
    data = json.loads(result.stdout)
    assert data["status"] == "interrupted" and data["error"]["kind"] == "network"
    assert "No data from" in data["error"]["message"] and "for 1 s" in data["error"]["message"]
    assert data["reasoning"]["text"] == "First, 17 × 23"  # what arrived is kept
    with Store.open() as store:
        turn = store.get_turn(data["turn_id"])
    assert turn is not None and turn.reasoning.text == "First, 17 × 23"


def test_idle_timeout_usage_mistakes_exit_2(replay):
    for bad in ("-1", "soon", "inf"):
        result = ask(replay, "--idle-timeout", bad)
        assert result.returncode == 2 and "--idle-timeout" in result.stderr


def test_an_error_after_partial_output_starts_on_its_own_line(replay):
    replay.add(PATH, Reply(chunks=sse(chunk(reasoning="First, 17 × ")), cut=True))
    result = ask(replay)
    assert result.returncode == 4
    lines = result.stderr.splitlines()
    assert "First, 17 × " in lines  # the reasoning's line ends where the text ended
    assert any(line.startswith("thinkpane: The connection") for line in lines)
    replay.add(PATH, Reply(chunks=sse(chunk(content="The answer is 3")), cut=True))
    result = ask(replay)
    assert result.stdout == "The answer is 3\n"
    assert result.stderr.startswith("thinkpane: The connection")


def test_ask_json_carries_the_audit_summary(replay):
    replay.add(
        PATH,
        Reply(chunks=sse(*simple_stream("17 × 3 = 41. Then 41 + 4 = 45.", "45"), done=True)),
        Reply(chunks=sse(*simple_stream("17 × 3 = 51.", "51"), done=True)),
    )
    wrong = json.loads(ask(replay, "--json").stdout)
    assert wrong["audit"] == {"first_error_step": 0, "errors": 1, "warnings": 0}
    right = json.loads(ask(replay, "--json").stdout)
    assert right["audit"] == {"first_error_step": None, "errors": 0, "warnings": 0}
    replay.add(PATH, Reply(chunks=sse(chunk(content="No reasoning."), chunk(finish="stop"))))
    plain = json.loads(ask(replay, "--json").stdout)
    assert plain["audit"] is None  # nothing to audit
