"""Comparisons end to end: the real command line (a subprocess), a real loopback server speaking
each provider's wire format, a real SQLite file. What a user notices: which setting is the
cheapest that still gives the majority answer, what each run cost, what was sent, what was kept."""

from __future__ import annotations

import csv
import json
import re
import threading
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from client.compare.columns import Column, build_columns, parse_target
from client.compare.estimate import estimate_comparison, output_limit
from client.compare.report import comparison_json, figures
from client.compare.runner import Comparison, ComparisonPlan, resume
from client.core import format as fmt
from client.core.errors import UsageError
from client.core.prices import PriceOverride
from client.session import TurnController
from client.store.store import Store
from tests.support.chat import chunk, usage_chunk
from tests.support.replay import Received, Reply, sse
from tests.test_cli_ask import thinkpane

CHAT = "/v1/chat/completions"
KEY = {"OPENAI_API_KEY": "sk-test"}


def chat_reply(answer: str, completion: int, reasoning: int, prompt: int = 20) -> Reply:
    frames = [
        chunk(reasoning="Let me think. ", model="gpt-5-mini"),
        chunk(content=answer, model="gpt-5-mini"),
        chunk(finish="stop", model="gpt-5-mini"),
        usage_chunk(prompt, completion, reasoning, model="gpt-5-mini"),
    ]
    return Reply(chunks=sse(*frames, done=True))


def by_effort(script: dict[str, list[tuple[str, int, int]]]):
    """A responder answering each request by the effort its body carries, in order per effort."""
    counters: dict[str, int] = {}

    def respond(request: Received) -> Reply:
        body = request.json
        if body["model"] == "broken-model":
            return Reply.json(400, {"error": {"message": "model not found", "type": "invalid"}})
        effort = body.get("reasoning_effort") or "none"
        n = counters.get(effort, 0)
        counters[effort] = n + 1
        answer, completion, reasoning = script[effort][n % len(script[effort])]
        return chat_reply(answer, completion, reasoning)

    return respond


SCRIPT = {
    # low disagrees with itself and is wrong; medium and high agree on 1/2 written three ways
    "low": [("The answer is 1/3", 100, 60), ("The answer is 1/2", 110, 70), ("1/3", 90, 50)],
    "medium": [
        (r"\boxed{\frac{1}{2}}", 300, 250),
        ("The answer is 0.5", 300, 250),
        ("1/2", 300, 250),
    ],
    "high": [("0.5", 900, 850), ("0.5", 900, 850), ("0.5", 900, 850)],
}


@pytest.fixture
def priced(thinkpane_home):
    """gpt-5-mini at $1 in / $10 out per million tokens: costs the test can compute exactly."""
    with Store.open(thinkpane_home / "thinkpane.sqlite3") as store:
        store.set_price_override(
            "openai-chat", "gpt-5-mini", PriceOverride(Decimal("1"), Decimal("10"))
        )
    return thinkpane_home


def compare(replay, *extra: str, prompt: str | None = "What is 2/4?", env=None):
    args = ["compare"] + ([prompt] if prompt is not None else [])
    args += ["--provider", "openai-chat", "--model", "gpt-5-mini", "--base-url", replay.url + "/v1"]
    return thinkpane(*args, *extra, env={**KEY, **(env or {})})


def _store(home: Path) -> Store:
    return Store.open(home / "thinkpane.sqlite3")


def test_low_medium_high_three_samples_names_the_cheapest_setting_giving_the_majority(
    replay, priced
):
    replay.respond(CHAT, by_effort(SCRIPT))
    result = compare(replay, "--efforts", "low,medium,high", "--samples", "3", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    sent = [r.json["reasoning_effort"] for r in replay.requests_to(CHAT)]
    assert sorted(sent) == ["high"] * 3 + ["low"] * 3 + ["medium"] * 3
    columns = {c["label"]: c for c in data["columns"]}
    assert list(columns) == ["gpt-5-mini @ low", "gpt-5-mini @ medium", "gpt-5-mini @ high"]
    low, medium, high = columns.values()
    assert low["majority_answer"] == "1/3" and low["agreement"] == pytest.approx(2 / 3, abs=1e-3)
    assert medium["agreement"] == 1.0 and high["agreement"] == 1.0
    assert sorted(r["final_answer"] for r in medium["runs"]) == ["0.5", "1/2", r"\frac{1}{2}"]
    assert medium["majority_answer"] in ("0.5", "1/2", r"\frac{1}{2}")
    assert data["groups"][0]["columns"] == ["gpt-5-mini @ medium", "gpt-5-mini @ high"]
    assert data["groups"][1]["columns"] == ["gpt-5-mini @ low"]
    assert data["cheapest_majority"] == "gpt-5-mini @ medium"
    # 20 in at $1/M and 300 out at $10/M, three times
    assert Decimal(medium["cost"]) == 3 * (Decimal(20) / 10**6 + Decimal(300) * 10 / 10**6)
    assert medium["reasoning_tokens_median"] == 250
    assert all(r["status"] == "complete" and r["error"] is None for r in medium["runs"])
    assert set(data["estimate"]) == {"currency", "low", "high"}
    assert (
        Decimal(data["estimate"]["low"])
        <= Decimal(data["cost"])
        <= Decimal(data["estimate"]["high"])
    )

    # the ledger counts every run once, and the comparison is nine sibling turns reopened
    usage = json.loads(thinkpane("usage", "--json").stdout)
    assert usage["total"]["queries"] == 9
    assert Decimal(usage["total"]["cost"]) == Decimal(data["cost"])
    by_comparison = json.loads(thinkpane("usage", "--by", "comparison", "--json").stdout)
    assert [(g["key"], g["queries"]) for g in by_comparison["groups"]] == [
        (data["comparison_id"], 9)
    ]
    assert data["comparison_id"] in thinkpane("usage", "--by", "comparison").stdout
    with _store(priced) as store:
        stored = store.comparisons(data["conversation_id"])
        assert [c.id for c in stored] == [data["comparison_id"]]
        assert len(stored[0].runs) == 9
        some = next(iter(stored[0].runs.values()))
        assert len(store.siblings(some.id)) == 9
        by_comparison = store.usage_report(by="comparison")
        assert [g["key"] for g in by_comparison["groups"]] == [data["comparison_id"]]


def test_the_table_marks_the_cheapest_setting_and_shows_each_cost(replay, priced):
    replay.respond(CHAT, by_effort(SCRIPT))
    result = compare(replay, "--efforts", "low,medium,high", "--samples", "3")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "gpt-5-mini @ medium  ← cheapest giving the majority answer" in lines
    assert "estimate:" in result.stderr
    # each run's progress line whole, on a line of its own, though runs end on several threads
    progress = [line for line in result.stderr.splitlines() if "#" in line]
    assert len(progress) == 9 and "" not in result.stderr.splitlines()
    for line in progress:
        assert re.fullmatch(r"  gpt-5-mini @ (low|medium|high) #[123]: [^#]+", line), line


def test_max_cost_refuses_before_any_request(replay, priced):
    replay.respond(CHAT, by_effort(SCRIPT))
    result = compare(
        replay, "--efforts", "low,high", "--samples", "3", "--max-cost", "0.001", "--json"
    )
    assert result.returncode == 3
    assert replay.received == []
    data = json.loads(result.stdout)
    assert "nothing was sent" in data["error"]
    assert Decimal(data["estimate"]["high"]) > Decimal("0.001")
    assert json.loads(thinkpane("usage", "--json").stdout)["total"]["queries"] == 0


def test_a_failing_column_keeps_its_error_while_the_others_finish(replay, priced):
    replay.respond(CHAT, by_effort(SCRIPT))
    result = compare(
        replay,
        "--efforts", "high",
        "--target", f"openai-chat:broken-model@low={replay.url}/v1",
        "--samples", "2", "--json",
    )  # fmt: skip
    assert result.returncode == 4
    data = json.loads(result.stdout)
    good, broken = data["columns"]
    assert [r["status"] for r in good["runs"]] == ["complete", "complete"]
    assert good["majority_answer"] == "0.5"
    assert all(r["status"] == "error" and "model not found" in r["error"]["message"]
               for r in broken["runs"])  # fmt: skip
    assert broken["majority_answer"] is None and broken["agreement"] == 0.0


def test_a_prompt_set_gives_accuracy_and_cost_per_correct_answer_and_resumes(
    replay, priced, tmp_path
):
    def respond(request: Received) -> Reply:
        body = request.json
        prompt = body["messages"][-1]["content"]
        high = body["reasoning_effort"] == "high"
        if "half" in prompt:
            return chat_reply(r"\boxed{\frac{1}{2}}" if high else "1/3", 1000 if high else 100, 0)
        return chat_reply("The answer is 7" if high else "7", 1000 if high else 100, 0)

    replay.respond(CHAT, respond)
    prompts = tmp_path / "set.jsonl"
    prompts.write_text(
        '{"prompt": "What is half of one?", "expected": "0.5"}\n'
        '{"prompt": "What is 3 + 4?", "expected": 7}\n'
    )
    first = compare(replay, "--efforts", "low,high", "--prompts", str(prompts), "--json",
                    prompt=None)  # fmt: skip
    assert first.returncode == 0, first.stderr
    lines = [json.loads(line) for line in first.stdout.splitlines()]
    assert [line.get("summary") for line in lines] == [None, None, "column", "column"]
    low, high = lines[2], lines[3]
    assert (low["label"], low["accuracy"], low["correct"]) == ("gpt-5-mini @ low", 0.5, 1)
    assert (high["accuracy"], high["correct"]) == (1.0, 2)
    run_low = Decimal(20) / 10**6 + Decimal(100) * 10 / 10**6
    run_high = Decimal(20) / 10**6 + Decimal(1000) * 10 / 10**6
    assert Decimal(low["cost_per_correct"]) == 2 * run_low
    assert Decimal(high["cost_per_correct"]) == run_high
    assert Decimal(high["cost"]) == 2 * run_high
    assert len(replay.received) == 4

    again = compare(replay, "--efforts", "low,high", "--prompts", str(prompts), "--json",
                    prompt=None)  # fmt: skip
    assert again.returncode == 0
    assert len(replay.received) == 4  # everything was done: nothing sent twice
    assert [json.loads(line) for line in again.stdout.splitlines()][2:] == lines[2:]


def test_a_bad_prompt_file_line_is_named(tmp_path, replay):
    prompts = tmp_path / "set.jsonl"
    prompts.write_text('{"prompt": "ok"}\nnot json\n')
    result = compare(replay, "--efforts", "low", "--prompts", str(prompts), prompt=None)
    assert result.returncode == 2
    assert "line 2" in result.stderr and "Traceback" not in result.stderr
    assert replay.received == []


# -- in process: what each provider is sent, refusals, cancel and resume --------------------


def test_each_provider_gets_the_effort_in_its_own_field_and_refused_settings_are_never_sent(
    replay, monkeypatch
):
    for var in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GEMINI_API_KEY"):
        monkeypatch.setenv(var, "k")
    url = replay.url
    targets = [
        f"openai:o4-mini@high={url}/v1",
        f"openai-chat:gpt-5-mini@low={url}/v1",
        f"anthropic:claude-sonnet-4-5@medium={url}",
        f"gemini:gemini-3-pro-preview@low={url}",
        f"gemini:gemini-2.5-flash@low={url}",
        f"gemini:gemini-2.5-pro@none={url}",  # 2.5 Pro cannot turn thinking off
        f"ollama:qwen3@high={url}",
        f"ollama:gpt-oss@none={url}",  # gpt-oss cannot turn thinking off
    ]
    columns = build_columns(None, None, None, (), [parse_target(t) for t in targets])
    comparison = Comparison(TurnController(None), ComparisonPlan("Is 391 prime?", columns))
    results = comparison.run()
    bodies = {r.path: r.json for r in replay.received}
    assert bodies["/v1/responses"]["reasoning"]["effort"] == "high"
    assert bodies[CHAT]["reasoning_effort"] == "low"
    thinking = bodies["/v1/messages"]["thinking"]
    assert (thinking["type"], thinking["budget_tokens"]) == ("enabled", 8192)
    gemini = {p: b for p, b in bodies.items() if p.startswith("/v1beta/")}
    config = {p.split("/")[-1].split(":")[0]: b["generationConfig"]["thinkingConfig"]
              for p, b in gemini.items()}  # fmt: skip
    assert config["gemini-3-pro-preview"]["thinkingLevel"] == "low"
    assert config["gemini-2.5-flash"]["thinkingBudget"] == 1024
    assert "gemini-2.5-pro" not in config
    assert bodies["/api/chat"]["think"] == "high"
    assert [b["model"] for b in (r.json for r in replay.received if r.path == "/api/chat")] == [
        "qwen3"
    ]
    assert len(replay.received) == 6
    refused = [results[(i, 0)] for i in (5, 7)]
    assert all(r.turn is None and r.error is not None for r in refused)
    assert "2.5 Pro" in refused[0].error.message or "2.5-pro" in refused[0].error.message


def test_cancel_mid_way_keeps_finished_runs_and_resume_sends_only_the_rest(
    replay, thinkpane_home, monkeypatch
):
    monkeypatch.setenv("OPENAI_API_KEY", "k")
    sent = threading.Event()
    calls = []

    def respond(request: Received) -> Reply:
        calls.append(request)
        if len(calls) == 2:  # the second run hangs until it is stopped
            sent.set()
            return Reply(chunks=sse(chunk(reasoning="Thinking", model="gpt-5-mini")), hang_s=20)
        return chat_reply("0.5", 100, 50)

    replay.respond(CHAT, respond)
    column = Column("openai-chat", "gpt-5-mini", "low", replay.url + "/v1")
    with Store.open(thinkpane_home / "thinkpane.sqlite3") as store:
        controller = TurnController(store)
        comparison = Comparison(
            controller, ComparisonPlan("Half of one?", [column], samples=4), per_provider=1
        )

        def on_event(column: int, sample: int, turn, event) -> None:
            if sample == 1:
                comparison.cancel()

        comparison.on_event = on_event
        results = comparison.run()
        assert results[(0, 0)].completed
        assert results[(0, 1)].turn is not None and not results[(0, 1)].completed
        assert results[(0, 1)].turn.reasoning.text == "Thinking"  # what arrived is kept
        assert all(results[(0, s)].turn is None for s in (2, 3))  # never sent
        assert len(calls) == 2

        again = resume(controller, comparison.id, per_provider=1)
        assert again.pending() == [(0, 1), (0, 2), (0, 3)]
        again.run()
        assert len(calls) == 5
        fig = figures(again)
        assert fig.tallies[0].agreement == 1.0 and fig.failed_runs == 0
        data = comparison_json(again, None)
        assert [r["status"] for r in data["columns"][0]["runs"]] == ["complete"] * 4
        # every query paid for counts, the stopped one too
        assert store.usage_report(by=None)["total"]["queries"] == 5


def test_target_specs_are_read_and_bad_ones_say_what_is_expected():
    assert parse_target("ollama:qwen3:8b@high=http://localhost:11434") == Column(
        "ollama", "qwen3:8b", "high", "http://localhost:11434"
    )
    assert parse_target("openai:gpt-5") == Column("openai", "gpt-5")
    with pytest.raises(UsageError, match="PROVIDER:MODEL"):
        parse_target("gpt-5")
    labels = [c.label for c in build_columns("openai", "gpt-5", None, ["low", "high"])]
    assert labels == ["gpt-5 @ low", "gpt-5 @ high"]


# -- the estimate and the target parser ----------------------------------------------------


def test_the_estimate_goes_by_the_ledger_history_of_that_model_and_effort():
    priced = {("openai-chat", "gpt-5-mini"): PriceOverride(Decimal("1"), Decimal("10"))}
    columns = build_columns("openai-chat", "gpt-5-mini", None, ["low", "high"])
    estimate = estimate_comparison(
        columns, 3, "x" * 400, outputs={0: [100, 300, 200]}, overrides=priced
    )
    low, high = estimate.columns
    assert (low.output_low, low.output_high, low.from_history) == (100, 300, True)
    tokens_in = low.input_tokens
    assert low.low == 3 * (Decimal(tokens_in) + 100 * 10) / 10**6
    assert low.high == 3 * (Decimal(tokens_in) + 300 * 10) / 10**6
    # no history for high: from nothing up to the model's output limit
    assert (high.output_low, high.output_high, high.from_history) == (0, 128_000, False)
    assert estimate.high == low.high + high.high
    assert estimate.over(estimate.high) is None
    assert "nothing was sent" in (estimate.over(estimate.high - Decimal("0.0001")) or "")


def test_runs_on_this_computer_are_estimated_as_free_not_as_a_range_of_zeros():
    from client.compare.estimate import describe

    columns = build_columns("openai-compatible", "qwen3-4b", "http://127.0.0.1:8080/v1", ["low"])
    estimate = estimate_comparison(columns, 3, "hello", base_urls={0: "http://127.0.0.1:8080/v1"})
    assert describe(estimate) == "3 runs: free, every model runs on this computer"


def test_an_unpriced_model_leaves_the_bound_unknown_and_max_cost_cannot_be_kept():
    columns = build_columns("openai-chat", "no-such-model-xyz", None, ["low"])
    estimate = estimate_comparison(columns, 1, "hello")
    assert estimate.high is None
    assert "no price" in (estimate.over(Decimal(5)) or "")
    assert output_limit("no-such-model-xyz", 500) == 500


_name = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-.:_/", min_size=1, max_size=20)


@given(
    provider=st.sampled_from(["openai", "anthropic", "ollama", "openai-compatible"]),
    model=_name.filter(lambda m: m.strip(":") == m and "@" not in m),
    effort=st.none() | st.sampled_from(["low", "medium", "high", "none"]),
    url=st.none() | st.just("http://127.0.0.1:8080/v1"),
)
def test_a_target_spec_reads_back_what_was_written(provider, model, effort, url):
    spec = f"{provider}:{model}" + (f"@{effort}" if effort else "") + (f"={url}" if url else "")
    assert parse_target(spec) == Column(provider, model, effort, url)


def test_ctrl_c_stops_the_comparison_and_keeps_finished_runs(replay, thinkpane_home):
    import os
    import signal
    import subprocess
    import sys
    import time

    from tests.test_cli_ask import ROOT

    calls: list[Received] = []

    def respond(request: Received) -> Reply:  # called under the server's lock: count here
        calls.append(request)
        if len(calls) == 1:
            return chat_reply("0.5", 100, 50)
        return Reply(chunks=sse(chunk(content="half", model="qwen3")), hang_s=30)

    replay.respond(CHAT, respond)
    env = {**os.environ, "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"}
    args = ["compare", "Half of one?", "--provider", "openai-compatible", "--model", "qwen3",
            "--base-url", replay.url + "/v1", "--samples", "3", "--json"]  # fmt: skip
    proc = subprocess.Popen(
        [sys.executable, "-m", "client", *args],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    while len(replay.requests_to(CHAT)) < 2:  # a server on this machine: one run at a time
        time.sleep(0.05)
    time.sleep(0.3)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert "finished runs are kept" in err
    runs = json.loads(out)["columns"][0]["runs"]
    assert runs[0]["status"] == "complete" and runs[0]["final_answer"] == "0.5"
    # the run that was streaming is stored, stopped; the third was never sent
    assert runs[1]["turn_id"] is not None and runs[1]["status"] != "complete"
    assert runs[2]["turn_id"] is None and runs[2]["status"] == "error"
    assert len(replay.requests_to(CHAT)) == 2
    with _store(thinkpane_home) as store:
        assert store.usage_report(by=None)["total"]["queries"] == 2


def test_a_rate_limited_run_waits_as_a_single_turn_does_and_then_answers(replay, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "k")
    limited = Reply.json(429, {"error": {"message": "slow down"}}, {"retry-after-ms": "20"})

    calls: list[Received] = []

    def respond(request: Received) -> Reply:
        calls.append(request)
        return limited if len(calls) == 1 else chat_reply("7", 10, 5)

    replay.respond(CHAT, respond)
    column = Column("openai-chat", "gpt-5-mini", "low", replay.url + "/v1")
    comparison = Comparison(TurnController(None), ComparisonPlan("3 + 4?", [column]))
    results = comparison.run()
    assert results[(0, 0)].completed and len(replay.requests_to(CHAT)) == 2


def test_a_run_stopped_before_any_text_is_stored_as_stopped_not_failed(
    replay, thinkpane_home, monkeypatch
):
    monkeypatch.setenv("OPENAI_API_KEY", "k")
    sent = threading.Event()
    calls: list[Received] = []

    def respond(request: Received) -> Reply:
        calls.append(request)
        if len(calls) == 2:  # sent, and not one byte comes back
            return Reply(chunks=[], hang_s=20, before=sent.set)
        return chat_reply("0.5", 100, 50)

    replay.respond(CHAT, respond)
    column = Column("openai-chat", "gpt-5-mini", "low", replay.url + "/v1")
    with Store.open(thinkpane_home / "thinkpane.sqlite3") as store:
        comparison = Comparison(
            TurnController(store), ComparisonPlan("Half?", [column], samples=3), per_provider=1
        )
        stopper = threading.Thread(target=lambda: sent.wait(20) and comparison.cancel_run(0, 1))
        stopper.start()
        results = comparison.run()
        stopper.join()
        stopped = results[(0, 1)]
        assert stopped.stopped and stopped.turn is not None and stopped.turn.answer == ""
        assert results[(0, 0)].completed and results[(0, 2)].completed  # the others went on
        data = comparison_json(comparison, None)
        assert [r["status"] for r in data["columns"][0]["runs"]] == [
            "complete", "interrupted", "complete"
        ]  # fmt: skip
        assert data["columns"][0]["runs"][1]["error"]["kind"] == "cancelled"
        assert store.get_comparison(comparison.id).runs[(0, 1)].status == "interrupted"
        # as for any turn stopped before anything came back: stored, but no query in the ledger
        assert store.usage_report(by=None)["total"]["queries"] == 2


def _set_responder(request: Received) -> Reply:
    """low says 1/3 to the halves, medium and high 1/2 (written two ways); all agree on 7."""
    body = request.json
    prompt, effort = body["messages"][-1]["content"], body["reasoning_effort"]
    tokens = {"low": 100, "medium": 300, "high": 900}[effort]
    if "half" in prompt:
        answer = {"low": "1/3", "medium": "The answer is 1/2", "high": r"\boxed{0.5}"}[effort]
    else:
        answer = "The answer is 7"
    return chat_reply(answer, tokens, tokens - 50)


def test_a_prompt_set_names_the_cheapest_setting_still_giving_the_majority_and_exports_it(
    replay, priced, tmp_path
):
    replay.respond(CHAT, _set_responder)
    prompts = tmp_path / "set.jsonl"
    prompts.write_text(
        '{"prompt": "What is half of one?"}\n{"prompt": "What is 3 + 4?"}\n'
        '{"prompt": "And half of one, again?"}\n'
    )
    csv_path, md_path = tmp_path / "set.csv", tmp_path / "set.md"
    result = compare(
        replay, "--efforts", "low,medium,high", "--prompts", str(prompts),
        "--csv", str(csv_path), "--markdown", str(md_path), prompt=None,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    run = {e: Decimal(20) / 10**6 + Decimal(t) * 10 / 10**6
           for e, t in (("low", 100), ("medium", 300), ("high", 900))}  # fmt: skip
    verdict = (
        "Cheapest setting that still gets the majority answer: gpt-5-mini @ medium, on 3 of 3 "
        f"prompts for {fmt.money(3 * run['medium'])}, 250 tokens of reasoning a run on average."
    )
    assert verdict in result.stdout
    assert "gpt-5-mini @ low 1 of 3 for" in result.stdout
    assert "gpt-5-mini @ high 3 of 3 for" in result.stdout and "(3.0× the cost)" in result.stdout
    rows = list(csv.DictReader(csv_path.open()))
    assert [r["label"] for r in rows] == [f"gpt-5-mini @ {e}" for e in ("low", "medium", "high")]
    low, medium, high = rows
    assert (low["majority_prompts"], low["majority_accuracy"]) == ("1", "0.3333")
    assert (medium["majority_prompts"], medium["majority_accuracy"]) == ("3", "1.0")
    assert Decimal(medium["cost"]) == 3 * run["medium"] and medium["cheapest_majority"] == "True"
    assert high["cheapest_majority"] == "False" and high["reasoning_tokens_mean"] == "850"
    markdown = md_path.read_text()
    assert markdown.startswith("# Is more thinking worth it? 3 prompts\n")
    assert "| gpt-5-mini @ medium ★ | 3 of 3 prompts | 100% |" in markdown
    # each prompt: the answer most columns give, and what each column gave (and how often)
    assert "| 1 | What is half of one? | 1/2 | 1/3 (100%) | 1/2 (100%) | 0.5 (100%) |" in markdown
    assert "| 2 | What is 3 + 4? | 7 | 7 (100%) | 7 (100%) | 7 (100%) |" in markdown


def test_csv_and_markdown_need_a_prompt_set(replay):
    result = compare(replay, "--efforts", "low", "--csv", "out.csv")
    assert result.returncode == 2 and "--prompts" in result.stderr
    assert replay.received == []
