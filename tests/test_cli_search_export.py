"""Search with filters, and `thinkpane search`, `export` and `import` as a user runs them.

Most command tests call `client.cli.main` in-process (the same code, much faster); a few run a
real subprocess to check what the shell sees. Every one uses the temporary THINKPANE_HOME.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from client.cli import main
from client.core.conversation import ReasoningTrace
from client.core.events import Visibility
from client.store import Store
from tests.store.conftest import full_turn

ROOT = Path(__file__).resolve().parents[1]
CONTRACT_KEYS = {"conversation_id", "turn_id", "field", "snippet", "created_at"}
# Added beside the contract's keys: the turn's own prompt and version, the conversation's title.
TURN_KEYS = {"prompt", "version", "versions", "title", "exact_phrase", "ranked"}


@pytest.fixture
def library():
    """Three conversations over three days, two providers, accents, CJK and reasoning-only words."""
    with Store.open() as store:
        primes = store.create_conversation("Prime numbers")
        japanese = store.create_conversation("日本語の練習")
        binned = store.create_conversation("Deleted")
        turns = {
            "prime": full_turn(
                primes.id,
                prompt="Is 391 prime?",
                answer="No: 391 = 17 × 23.",
                reasoning=ReasoningTrace(Visibility.RAW, "Try the sieve of Eratosthenes first."),
                created_at="2026-11-25T09:00:00.000000Z",
            ),
            "cafe": full_turn(
                primes.id,
                prompt="Name a café near the Größe Straße",
                answer="Café Prime, next to the station.",
                provider="ollama",
                model="qwen3:8b",
                model_reported="qwen3:8b-q4",
                created_at="2026-11-26T12:30:00.000000Z",
            ),
            "japanese": full_turn(
                japanese.id,
                prompt="Translate: prime number",
                answer="素数 (そすう) です。",
                reasoning=ReasoningTrace(
                    Visibility.SUMMARY, "The user wants 日本語; 素数 is standard."
                ),
                created_at="2026-11-27T23:59:59.000000Z",
            ),
            "binned": full_turn(binned.id, prompt="prime sieve", created_at="2026-11-27T10:00:00Z"),
        }
        turns["cafe"].parent_id = turns["prime"].id
        for turn in turns.values():
            store.insert_turn(turn)
        store.delete_conversation(binned.id)
        yield store, {"primes": primes, "japanese": japanese}, turns


def _ids(results):
    return [r["turn_id"] for r in results]


# Store.search filters


def test_reasoning_text_and_non_ascii_are_found(library):
    store, _, t = library
    (hit,) = store.search("Eratosthenes")
    assert (hit["turn_id"], hit["field"]) == (t["prime"].id, "reasoning")
    assert _ids(store.search("cafe")) == [t["cafe"].id]  # accents do not matter
    assert _ids(store.search("GRÖSSE")) == [] and _ids(store.search("größe")) == [t["cafe"].id]
    assert _ids(store.search("素数")) == [t["japanese"].id]
    assert store.search("日本語")[0]["field"] == "reasoning"


def test_filters_narrow_without_reordering(library):
    store, conversations, t = library
    everything = _ids(store.search("prime", 10))
    assert set(everything) == {t["prime"].id, t["cafe"].id, t["japanese"].id}  # not the binned
    assert _ids(store.search("prime", provider="ollama")) == [t["cafe"].id]
    assert _ids(store.search("prime", model="qwen3:8b")) == [t["cafe"].id]
    assert _ids(store.search("prime", model="qwen3:8b-q4")) == [t["cafe"].id]  # as reported
    assert _ids(store.search("prime", model="gpt-5")) == []
    in_primes = store.search("prime", conversation_id=conversations["primes"].id)
    assert _ids(in_primes) == [i for i in everything if i != t["japanese"].id]


def test_dates_are_inclusive_whole_utc_days(library):
    store, _, t = library
    assert _ids(store.search("prime", since=date(2026, 11, 27))) == [t["japanese"].id]
    assert _ids(store.search("prime", until=date(2026, 11, 25))) == [t["prime"].id]
    day = date(2026, 11, 26)
    assert _ids(store.search("prime", since=day, until=day)) == [t["cafe"].id]
    assert store.search("prime", since=date(2026, 11, 28)) == []
    instant = datetime(2026, 11, 26, 12, 30, tzinfo=UTC)
    assert _ids(store.search("prime", since=instant, until=instant)) == [t["cafe"].id]
    naive = datetime(2026, 11, 26, 12, 31)  # taken as UTC
    assert t["cafe"].id not in _ids(store.search("prime", since=naive))


def test_filters_combine_and_the_limit_still_holds(library):
    store, _, t = library
    assert store.search("prime", provider="ollama", since=date(2026, 11, 27)) == []
    assert len(store.search("prime", 1, until=date(2026, 11, 27))) == 1


# thinkpane search


def test_search_json_is_the_contract_object(library, capsys):
    _, _, t = library
    assert main(["search", "Eratosthenes", "--json"]) == 0
    results = json.loads(capsys.readouterr().out)["results"]
    assert [set(r) for r in results] == [CONTRACT_KEYS | TURN_KEYS]
    assert results[0]["prompt"] == "Is 391 prime?"
    assert (results[0]["version"], results[0]["versions"]) == (1, 1)
    assert results[0]["turn_id"] == t["prime"].id and results[0]["field"] == "reasoning"
    assert "[Eratosthenes]" in results[0]["snippet"]
    assert results[0]["created_at"] == "2026-11-25T09:00:00.000000Z"


def test_search_limit_and_filters_on_the_command_line(library, capsys):
    _, _, t = library
    main(["search", "prime", "--limit", "1", "--json"])
    assert len(json.loads(capsys.readouterr().out)["results"]) == 1
    main(["search", "prime", "--provider", "ollama", "--since", "2026-11-26", "--json"])
    assert _ids(json.loads(capsys.readouterr().out)["results"]) == [t["cafe"].id]
    main(["search", "prime", "--until", "2026-11-25", "--model", "claude-sonnet-4-5", "--json"])
    assert _ids(json.loads(capsys.readouterr().out)["results"]) == [t["prime"].id]


def test_search_prints_one_line_a_result_for_people(library, capsys):
    _, conversations, _ = library
    assert main(["search", "素数"]) == 0
    (line,) = capsys.readouterr().out.splitlines()
    assert line.startswith("2026-11-27  日本語の練習 › Translate: prime number  answer: [素数]")
    assert line.endswith(conversations["japanese"].id)
    main(["search", "Eratosthenes"])
    assert "Prime numbers › Is 391 prime?  reasoning: Try the sieve of [Eratosthenes] first." in capsys.readouterr().out  # fmt: skip
    main(["search", "nothing-like-this"])
    assert capsys.readouterr().out == "No matches for 'nothing-like-this'.\n"


def test_search_newest_first_and_the_version_of_a_regenerated_turn(library, capsys):
    store, _, t = library
    assert main(["search", "prime", "--newest", "--json"]) == 0
    results = json.loads(capsys.readouterr().out)["results"]
    assert _ids(results) == [t["japanese"].id, t["cafe"].id, t["prime"].id]
    again = full_turn(
        t["cafe"].conversation_id,
        parent_id=t["prime"].id,
        prompt="Name a café near the Größe Straße, with a garden",
        answer="Café Quokka has one.",
        created_at="2026-11-26T13:00:00.000000Z",
    )
    store.insert_turn(again)
    assert main(["search", "Quok"]) == 0
    (line,) = capsys.readouterr().out.splitlines()
    assert line.startswith(
        "2026-11-26  Prime numbers › Name a café near the Größe Straße, with a garden "
        "(version 2 of 2)  answer: Café [Quokka] has one."
    )


@pytest.mark.parametrize(
    "args",
    [
        ["search", "   "],
        ["search", "-prime"],
        ["search", "--", "-prime -even"],
        ["search", "x", "--limit", "0"],
        ["search", "x", "--since", "yesterday"],
        ["search", "x", "--since", "2026-11-27", "--until", "2026-11-01"],
    ],
)
def test_search_usage_mistakes_exit_2_with_a_sentence(library, capsys, args):
    with pytest.raises(SystemExit) as caught:
        raise SystemExit(main(args))
    assert caught.value.code == 2
    assert capsys.readouterr().err.startswith(("thinkpane: ", "usage: "))


@pytest.mark.parametrize("query", ['"', "(", ")", "-", "***", '" ('])
def test_punctuation_alone_is_text_that_matches_nothing_not_a_mistake(library, capsys, query):
    assert main(["search", "--", query]) == 0
    assert capsys.readouterr().out == (
        f"No matches for {query!r}: punctuation alone is not searched, only words.\n"
    )
    assert main(["search", "--json", "--", query]) == 0
    assert json.loads(capsys.readouterr().out) == {"results": []}


# thinkpane export and import


def test_export_markdown_to_stdout_by_default(library, capsys):
    _, conversations, _ = library
    assert main(["export", conversations["primes"].id]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# Prime numbers\n") and "<details>" in out
    assert "Name a café" in out and "Is 391 prime?" in out


def test_export_html_and_json_to_files(library, capsys, tmp_path):
    _, conversations, _ = library
    cid = conversations["japanese"].id
    assert main(["export", cid, "--format", "html", "-o", str(tmp_path / "c.html")]) == 0
    page = (tmp_path / "c.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "素数" in page and "<script" not in page
    assert main(["export", cid, "--format", "json", "-o", str(tmp_path / "c.json")]) == 0
    document = json.loads((tmp_path / "c.json").read_text(encoding="utf-8"))
    assert document["conversation"]["id"] == cid and len(document["turns"]) == 1
    assert capsys.readouterr().out == ""
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


def test_export_problems_exit_2_with_a_sentence(library, capsys, tmp_path):
    _, conversations, _ = library
    assert main(["export", "c_missing"]) == 2
    assert "no conversation c_missing" in capsys.readouterr().err
    target = tmp_path / "no" / "such" / "folder" / "c.md"
    assert main(["export", conversations["primes"].id, "-o", str(target)]) == 2
    assert "could not write" in capsys.readouterr().err and not target.exists()


def test_import_round_trip_through_the_command_line(library, capsys, tmp_path):
    store, conversations, _ = library
    cid = conversations["primes"].id
    main(["export", cid, "--format", "json", "-o", str(tmp_path / "c.json")])
    capsys.readouterr()
    before = len(store.list_conversations())
    assert main(["import", str(tmp_path / "c.json")]) == 0  # already here: nothing changes
    out, err = capsys.readouterr()
    assert out.strip() == cid and f"already here as {cid}" in err and "nothing was changed" in err
    assert len(store.list_conversations()) == before
    assert main(["import", str(tmp_path / "c.json"), "--as-copy"]) == 0
    new_id = capsys.readouterr().out.strip()
    assert new_id.startswith("c_") and new_id != cid
    old, new = store.turns(cid), store.turns(new_id)
    assert [(t.prompt, t.answer, t.reasoning, t.usage, t.cost) for t in new] == [
        (t.prompt, t.answer, t.reasoning, t.usage, t.cost) for t in old
    ]


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (None, "there is no file"),
        ("# Prime numbers\n", "is not JSON"),
        ('{"format": "thinkpane-export", "version": 9}', "version 9 export"),
        ("[1, 2]", "should be a JSON object"),
        (b"\xff\xfe\x00", "is not UTF-8 text"),
    ],
)
def test_import_of_a_bad_file_exits_2_and_adds_nothing(library, capsys, tmp_path, content, words):
    store, _, _ = library
    path = tmp_path / "bad.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content, encoding="utf-8")
    before = len(store.list_conversations())
    assert main(["import", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("thinkpane: ") and words in err and "Traceback" not in err
    assert len(store.list_conversations()) == before


# What the shell sees


def _thinkpane(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"}
    return subprocess.run(
        [sys.executable, "-m", "client", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_commands_in_a_real_process(library):
    _, conversations, t = library
    found = _thinkpane("search", "Eratosthenes", "--json")
    assert found.returncode == 0, found.stderr
    assert _ids(json.loads(found.stdout)["results"]) == [t["prime"].id]
    exported = _thinkpane("export", conversations["primes"].id, "--format", "json")
    assert exported.returncode == 0, exported.stderr
    imported = _thinkpane("import", "-", stdin=exported.stdout)
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.strip().startswith("c_")
    bad = _thinkpane("import", "-", stdin="not json")
    assert bad.returncode == 2 and bad.stderr.startswith("thinkpane: stdin cannot be imported.")


def test_each_command_explains_itself():
    for command in ("search", "export", "import"):
        result = _thinkpane(command, "--help")
        assert result.returncode == 0 and f"usage: thinkpane {command}" in result.stdout
