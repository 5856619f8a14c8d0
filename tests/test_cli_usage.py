"""`thinkpane usage` as a script sees it: a real subprocess on a seeded ledger. Its CSV reads back,
through the csv module, as exactly the numbers its JSON prints, for every grouping."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from client.cli.usage import FIELDS
from client.core.conversation import ReasoningTrace, Turn, new_id
from client.core.cost import Cost, CostSource
from client.core.events import TurnStatus, Visibility
from client.core.usage import Usage
from client.pricing import cost_for
from client.store.store import Store

ROOT = Path(__file__).resolve().parents[1]


def thinkpane(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring", "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "client", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def ledger() -> dict[str, str]:
    """Turns priced by cost_for itself: cache reads and writes, an override, local, unknown."""
    with Store.open() as store:
        first = store.create_conversation("first").id
        second = store.create_conversation("second, with a comma").id
        mine = Cost(CostSource.OVERRIDE, "USD", Decimal("0.5"), Decimal("0.2"), Decimal("0.3"))
        rows: list[tuple[str, str, str, str, Usage, Cost, str]] = [
            (first, "anthropic", "claude-sonnet-4-5", "2026-10-30",
             Usage(7_013, 5_000, 2_000, 1_680, 1_408), cost_for("anthropic", "claude-sonnet-4-5",
             Usage(7_013, 5_000, 2_000, 1_680, 1_408)), "chat"),
            (first, "openai", "gpt-5", "2026-11-02", Usage(12_000, 8_000, 0, 3_000, 2_200),
             cost_for("openai", "gpt-5", Usage(12_000, 8_000, 0, 3_000, 2_200)), "critic"),
            (second, "openai", "gpt-5", "2026-11-03", Usage(100, 0, 0, 50, 0), mine, "chat"),
            (second, "ollama", "qwen3", "2026-11-03", Usage(10, None, None, 5), Cost.local(), "chat"),
            (second, "openai-compatible", "mystery", "2026-11-04", Usage(), Cost.unknown(), "chat"),
        ]  # fmt: skip
        for conversation, provider, model, day, usage, cost, purpose in rows:
            store.insert_turn(
                Turn(id=new_id("t"), conversation_id=conversation, prompt="?", provider=provider,
                     model=model, created_at=f"{day}T12:00:00.000000Z", status=TurnStatus.COMPLETE,
                     usage=usage, cost=cost, purpose=purpose,
                     reasoning=ReasoningTrace(Visibility.HIDDEN))
            )  # fmt: skip
    return {"first": first, "second": second}


def as_json(*args: str) -> dict[str, Any]:
    result = thinkpane("usage", "--json", *args)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def as_csv(*args: str) -> list[dict[str, str]]:
    result = thinkpane("usage", "--csv", *args)
    assert result.returncode == 0, result.stderr
    return list(csv.DictReader(io.StringIO(result.stdout)))


@pytest.mark.parametrize("by", [None, "conversation", "model", "provider", "day", "month"])
def test_the_csv_reads_back_as_the_json(ledger, by):
    args = ("--by", by) if by else ()
    report, rows = as_json(*args), as_csv(*args)
    expected = [*report["groups"], {"key": "total", **report["total"]}]
    assert [row["key"] for row in rows] == [group["key"] for group in expected]
    for row, group in zip(rows, expected, strict=True):
        assert list(row) == ["key", *FIELDS]
        assert row == {"key": group["key"], **{f: str(group[f]) for f in FIELDS}}


def test_the_ledger_adds_up_to_what_pricing_said(ledger):
    anthropic = cost_for("anthropic", "claude-sonnet-4-5", Usage(7_013, 5_000, 2_000, 1_680, 1_408))
    openai = cost_for("openai", "gpt-5", Usage(12_000, 8_000, 0, 3_000, 2_200))
    assert anthropic.total is not None and openai.total is not None
    total = as_json()["total"]
    assert Decimal(total["cost"]) == anthropic.total + openai.total + Decimal("0.5")
    assert (total["queries"], total["unpriced_queries"]) == (5, 1)
    assert total["cached_input_tokens"] == 13_000 and total["cache_write_tokens"] == 2_000
    by_model = {g["key"]: g for g in as_json("--by", "model")["groups"]}
    assert by_model["gpt-5"]["queries"] == 2  # the critic's turn counts too
    assert by_model["qwen3"]["cost"] == "0" and by_model["mystery"]["unpriced_queries"] == 1


def test_since_and_the_csv_of_a_filtered_report(ledger):
    rows = as_csv("--by", "month", "--since", "2026-11-01")
    assert [(r["key"], r["queries"]) for r in rows] == [("2026-11", "4"), ("total", "4")]
    assert as_json("--since", "2027-01-01")["total"]["queries"] == 0


def test_the_table_for_people_and_bad_usage(ledger):
    result = thinkpane("usage", "--by", "provider")
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["queries", "input", "output", "reasoning", "cost"]
    assert any(line.startswith("openai-compatible") and "(+1 unpriced)" in line for line in lines)
    assert lines[-1].startswith("total")
    bad = thinkpane("usage", "--by", "fortnight")
    assert bad.returncode == 2 and "thinkpane:" in bad.stderr
    assert thinkpane("usage", "--json", "--csv").returncode == 2
