"""`thinkpane audit` per CONTRACT.md: a JSON object, JSON Lines, plain text, the `ask --json`
object, a readable report, and exit status 2 with a sentence for bad input."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from client.cli import main

ROOT = Path(__file__).resolve().parents[2]


def run_audit(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, stdin: str, *args: str
) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(["audit", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_json_object_in_contract_object_out(capsys, monkeypatch) -> None:
    payload = {
        "steps": ["17 × 3 = 41", "So the answer is 41."],
        "problem": "17 boxes of 3",
        "answer": "41",
    }
    code, out, _ = run_audit(capsys, monkeypatch, json.dumps(payload), "--json")
    assert code == 0
    data = json.loads(out)
    assert data["first_error_step"] == 0
    assert [s["kind"] for s in data["steps"]] == ["compute", "conclude"]
    assert data["steps"][0]["findings"][0] == {
        "check": "arithmetic",
        "severity": "error",
        "message": "17 × 3 is 51, not 41.",
        "start": 0,
        "end": 11,
    }


def test_json_lines_in_json_lines_out_in_order(capsys, monkeypatch) -> None:
    lines = [
        json.dumps({"steps": ["2 + 2 = 5"]}),
        "",
        json.dumps({"reasoning": "First, 2 + 2 = 4.\n\nSo the answer is 4."}),
        json.dumps({"reasoning": "3 × 3 = 10", "truncated": True}),
    ]
    code, out, _ = run_audit(capsys, monkeypatch, "\n".join(lines) + "\n", "--json")
    assert code == 0
    results = [json.loads(line) for line in out.splitlines()]
    assert [r["first_error_step"] for r in results] == [0, None, 0]
    assert results[1]["steps"][1]["text"] == "So the answer is 4."
    assert results[2]["findings"][0]["check"] == "truncated"


def test_plain_text_is_reasoning_and_the_report_is_readable(capsys, monkeypatch) -> None:
    text = "Let me compute 12 × 12 = 144.\n\nHmm, so 12 × 13 = 150. The answer is 150."
    code, out, _ = run_audit(capsys, monkeypatch, text)
    assert code == 0
    assert "Audit of 2 steps (raw reasoning text)" in out
    assert "Step 2 · conclude: Hmm, so 12 × 13 = 150. The answer is 150." in out
    assert "✗ error (arithmetic): 12 × 13 is 156, not 150.  «12 × 13 = 150»" in out
    assert "Candidate answers: 150 (step 2)" in out
    assert "First error: step 2" in out
    assert out.rstrip().endswith("This checks the text, not how the model computed.")


def test_report_lists_whole_trace_findings(capsys, monkeypatch) -> None:
    payload = {"reasoning": "So the answer is 42.", "answer": "41"}
    code, out, _ = run_audit(capsys, monkeypatch, json.dumps(payload))
    assert code == 0
    assert "Whole trace:" in out and "but the answer says 41" in out


def test_ask_json_object_pipes_into_audit(capsys, monkeypatch) -> None:
    ask = {
        "status": "length",
        "answer": "42",
        "reasoning": {
            "visibility": "summary",
            "text": "6 × 7 = 42",
            "tokens": 10,
            "redacted_blocks": 0,
        },
    }
    code, out, _ = run_audit(capsys, monkeypatch, json.dumps(ask))
    assert code == 0
    assert "summary" in out and "weaker" in out
    assert "output budget" in out


def test_file_argument(tmp_path: Path, capsys, monkeypatch) -> None:
    path = tmp_path / "trace.json"
    path.write_text(json.dumps({"steps": ["1 + 1 = 3"]}), encoding="utf-8")
    code, out, _ = run_audit(capsys, monkeypatch, "", str(path), "--json")
    assert code == 0 and json.loads(out)["first_error_step"] == 0


@pytest.mark.parametrize(
    ("stdin", "args", "sentence"),
    [
        ("", [], "the input is empty"),
        ("  \n", ["--json"], "the input is empty"),
        ('{"foo": 1}', [], "neither 'reasoning' text nor a 'steps' list"),
        ('{"steps": "one"}', [], "'steps' in the input must be a list of strings"),
        ('{"steps": [1, 2]}', [], "'steps' in the input must be a list of strings"),
        ('{"reasoning": "x", "answer": 3}', [], "'answer' in the input must be a string"),
        (
            '{"reasoning": "x", "truncated": "yes"}',
            [],
            "'truncated' in the input must be true or false",
        ),
        ("[1, 2]", [], "is not a JSON object"),
        ('{"steps": ["a"]}\n{"steps": [', ["--json"], "line 2 is not valid JSON"),
        ('{"steps": ["a"]}\n[]', ["--json"], "line 2 is not a JSON object"),
        ("", ["/no/such/file.json"], "there is no file"),
    ],
)
def test_bad_input_exits_2_with_a_sentence(
    capsys, monkeypatch, stdin: str, args: list[str], sentence: str
) -> None:
    code, out, err = run_audit(capsys, monkeypatch, stdin, *args)
    assert code == 2
    assert out == ""
    assert err.startswith("thinkpane audit: ") and sentence in err and err.rstrip().endswith(".")


def test_python_dash_m_client_audit() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "client", "audit", "-", "--json"],
        input=json.dumps({"steps": ["2 + 2 = 5"]}),
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout)["first_error_step"] == 0


def test_people_count_steps_from_one_while_json_keeps_index_from_zero(capsys, monkeypatch):
    payload = json.dumps({"steps": ["17 × 3 = 41", "So the answer is 41."]})
    _, out, _ = run_audit(capsys, monkeypatch, payload)
    assert "Step 1 · compute: 17 × 3 = 41" in out and "First error: step 1" in out
    assert "[0]" not in out and "Step 0" not in out
    _, out, _ = run_audit(capsys, monkeypatch, payload, "--json")
    data = json.loads(out)
    assert data["steps"][0]["index"] == 0 and data["first_error_step"] == 0


def test_fail_on_findings_exits_1_only_when_an_error_was_found(capsys, monkeypatch):
    wrong = json.dumps({"steps": ["17 × 3 = 41", "So the answer is 41."]})
    right = json.dumps({"steps": ["17 × 3 = 51", "So the answer is 51."]})
    assert run_audit(capsys, monkeypatch, wrong, "--fail-on-findings")[0] == 1
    assert run_audit(capsys, monkeypatch, wrong, "--json", "--fail-on-findings")[0] == 1
    assert run_audit(capsys, monkeypatch, wrong)[0] == 0  # without the flag: 0
    assert run_audit(capsys, monkeypatch, right, "--fail-on-findings")[0] == 0
    lines = "\n".join([right, wrong])  # JSON Lines: one trace with an error is enough
    assert run_audit(capsys, monkeypatch, lines, "--json", "--fail-on-findings")[0] == 1


def test_help_texts_point_at_nothing_outside_the_repository():
    from client.cli import build_parser

    parser = build_parser()
    texts = [parser.format_help()]
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    texts += [p.format_help() for p in sub.choices.values()]  # type: ignore[union-attr]
    for text in texts:
        for outside in ("CONTRACT.md", "ARCHITECTURE.md", "PROVIDERS.md", "AUDIT.md", "../shared"):
            assert outside not in text, text
