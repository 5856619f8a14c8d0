"""What a new user meets first on the command line: --version, `list`, a data folder that cannot
be used, and which turns count as queries. Real subprocesses, a real loopback server, a real
SQLite file under the temporary THINKPANE_HOME."""

from __future__ import annotations

import json
import socket
from decimal import Decimal

import pytest

from client import __version__
from client.budget import conversation_cost_summary
from client.core.prices import PriceOverride
from client.store.store import Store
from tests.support.chat import chunk, simple_stream
from tests.support.replay import Reply, sse
from tests.test_cli_ask import PATH, ask, thinkpane


def test_version_prints_the_version():
    result = thinkpane("--version")
    assert result.returncode == 0 and result.stdout.strip() == f"thinkpane {__version__}"


@pytest.mark.parametrize("command", [["usage"], ["list"], ["search", "prime"], ["export", "c_1"]])
def test_a_data_folder_that_is_a_file_exits_2_with_one_sentence_naming_it(tmp_path, command):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder should be")
    result = thinkpane(*command, env={"THINKPANE_HOME": str(blocker)})
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    [line] = result.stderr.strip().splitlines()
    assert str(blocker) in line and "is a file, not a folder" in line
    assert "THINKPANE_HOME" in line
    assert line.endswith(".") and ". " not in line  # one sentence: what is wrong, what to do


def test_a_data_folder_that_cannot_be_created_exits_2(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = thinkpane("list", env={"THINKPANE_HOME": str(blocker / "inside")})
    assert result.returncode == 2 and "Traceback" not in result.stderr
    [line] = result.stderr.strip().splitlines()
    assert f"could not create its data folder {blocker / 'inside'}" in line
    assert line.endswith(".") and ". " not in line


def test_ask_json_with_an_unusable_data_folder_still_prints_the_contract_object(tmp_path, replay):
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = ask(replay, "--json", env={"THINKPANE_HOME": str(blocker)})
    assert result.returncode == 2 and "Traceback" not in result.stderr
    data = json.loads(result.stdout)
    assert data["status"] == "error" and str(blocker) in data["error"]["message"]
    assert replay.requests_to(PATH) == []  # nothing was sent


def test_list_shows_conversations_newest_first_with_turns_and_cost(replay):
    assert "No conversations yet" in thinkpane("list").stdout
    replay.add(
        PATH,
        Reply(chunks=sse(*simple_stream("17 × 23 = 391.", "No."), done=True)),
        Reply(chunks=sse(*simple_stream("393 = 3 × 131.", "No."), done=True)),
        Reply(chunks=sse(*simple_stream("7 is prime.", "Yes."), done=True)),
    )
    first = json.loads(ask(replay, "--json").stdout)
    ask(replay, "--json", "--conversation", first["conversation_id"], prompt="and 393?")
    second = json.loads(ask(replay, "--json", prompt="Is 7 prime?").stdout)
    data = json.loads(thinkpane("list", "--json").stdout)
    rows = data["conversations"]
    assert [r["id"] for r in rows] == [second["conversation_id"], first["conversation_id"]]
    assert [(r["title"], r["turns"], r["cost"]) for r in rows] == [
        ("Is 7 prime?", 1, "0"),
        ("Is 391 prime?", 2, "0"),
    ]
    text = thinkpane("list").stdout.splitlines()
    assert text[0].startswith(second["conversation_id"]) and "1 turn " in text[0]
    assert "Is 391 prime?" in text[1] and "2 turns" in text[1] and "$0" in text[1]
    limited = json.loads(thinkpane("list", "--json", "--limit", "1").stdout)
    assert len(limited["conversations"]) == 1
    assert thinkpane("list", "--limit", "0").returncode == 2


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_turn_that_failed_before_any_output_is_not_a_query(replay):
    replay.add(PATH, Reply.json(404, {"error": {"message": "model qwen3 not found"}}))
    failed = ask(replay, "--json")
    assert failed.returncode == 3, failed.stderr
    refused = thinkpane(
        "ask", "Is 391 prime?", "--provider", "openai-compatible", "--model", "qwen3",
        "--base-url", f"http://127.0.0.1:{_closed_port()}/v1", "--json",
    )  # fmt: skip
    assert refused.returncode == 4
    usage = json.loads(thinkpane("usage", "--json").stdout)
    assert usage["total"]["queries"] == 0
    conversation = json.loads(failed.stdout)["conversation_id"]
    with Store.open() as store:
        assert conversation_cost_summary(store, conversation) == "No queries yet."


def test_a_turn_cut_mid_way_is_a_query_with_its_usage_not_reported(replay):
    replay.add(
        PATH, Reply(chunks=sse(chunk(reasoning="Trying 17"), chunk(content="Partial")), cut=True)
    )
    with Store.open() as store:  # a price of the user's, so the model is not a free local one
        store.set_price_override(
            "openai-compatible", "qwen3", PriceOverride(Decimal("1"), Decimal("2"))
        )
    cut = json.loads(ask(replay, "--json").stdout)
    assert cut["status"] == "interrupted" and cut["cost"]["source"] == "unknown"
    usage = json.loads(thinkpane("usage", "--json").stdout)
    assert usage["total"]["queries"] == 1
    with Store.open() as store:
        summary = conversation_cost_summary(store, cut["conversation_id"])
    assert summary == "1 query, usage not reported"


def _without_display() -> dict[str, str]:
    return {"DISPLAY": "", "WAYLAND_DISPLAY": "", "QT_QPA_PLATFORM": ""}


def test_starting_the_window_without_a_display_says_so_in_one_sentence():
    result = thinkpane(env=_without_display(), timeout=60)
    assert result.returncode == 1  # not a signal: no abort, no core dump
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("thinkpane: Thinkpane cannot open its window because no display is set")
    assert "thinkpane ask" in line and "xcb" not in line


def test_an_unreachable_display_is_named(tmp_path):
    from client.ui.display import display_problem

    problem = display_problem({"DISPLAY": ":987"})
    assert problem is not None and "DISPLAY=:987 does not answer" in problem
    assert display_problem({"QT_QPA_PLATFORM": "offscreen"}) is None


def test_a_wayland_socket_that_answers_is_a_display(tmp_path):
    from client.ui.display import display_problem

    path = tmp_path / "wayland-test"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        server.bind(str(path))
        server.listen(1)
        assert display_problem({"WAYLAND_DISPLAY": str(path)}) is None
        env = {"WAYLAND_DISPLAY": "wayland-test", "XDG_RUNTIME_DIR": str(tmp_path)}
        assert display_problem(env) is None
    path.unlink()
    assert display_problem({"WAYLAND_DISPLAY": str(path)}) is not None


def test_a_failed_turn_is_not_counted_by_prices_either(replay):
    replay.add(PATH, Reply.json(404, {"error": {"message": "model qwen3 not found"}}))
    assert ask(replay, "--json").returncode == 3
    data = json.loads(thinkpane("prices", "--json").stdout)
    assert [m for m in data["models"] if m["model"] == "qwen3"] == []


def test_the_window_quits_though_whoever_read_its_start_up_line_stopped_reading(tmp_path):
    """`thinkpane | grep -q "window shown"` (CI's bundle check) closes the pipe at the first
    match: the window's next line must not keep it from quitting."""
    import os
    import subprocess
    import sys

    from tests.test_cli_ask import ROOT

    env = {
        **os.environ,
        "THINKPANE_HOME": str(tmp_path / "home"),
        "QT_QPA_PLATFORM": "offscreen",
        "THINKPANE_STARTUP_PROBE": "quit",
        "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
    }
    app = subprocess.Popen(
        [sys.executable, "-m", "client"], cwd=ROOT, env=env, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        assert app.stdout is not None
        assert app.stdout.readline().strip() == "thinkpane: window shown"
        app.stdout.close()  # as grep -q does
        app.wait(timeout=120)  # a hang, not a speed: it quits within a second or two
    finally:
        if app.poll() is None:
            app.kill()
    assert app.returncode == 0, app.stderr.read() if app.stderr else ""


def test_files_the_desktop_hands_the_app_open_the_window_and_commands_stay_commands(tmp_path):
    from client.cli import files_to_open

    export = tmp_path / "a conversation.json"
    export.write_text("{}")
    assert files_to_open([str(export)]) == [str(export)]
    assert files_to_open([export.as_uri()]) == [str(export)]  # file:// with %20 for the space
    assert files_to_open(["https://example.com/x.json"]) == ["https://example.com/x.json"]
    for command_line in (["list"], ["--version"], ["lsit"], [str(export), "list"]):
        assert files_to_open(command_line) is None  # parsed: a mistyped command is still told
