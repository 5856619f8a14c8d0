"""The spend view: its cells are `thinkpane usage --json` for the same grouping and period, its
chart marks the reasoning share in the palette's colour, and its CSV reads back exactly."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette

from client.budget import SPEND_FIELDS, period_start
from client.core.conversation import ReasoningTrace, Turn, new_id
from client.core.cost import Cost, CostSource
from client.core.events import TurnStatus, Visibility
from client.core.usage import Usage
from client.ui.ledger.spend_view import COLUMNS, RAW_ROLE, SpendView

ROOT = Path(__file__).resolve().parents[3]
TODAY = date(2026, 11, 27)  # a Friday: its ISO week (2026-W48) began on Monday the 23rd


def _cost(total: str | None, reasoning: str = "0") -> Cost:
    if total is None:
        return Cost.unknown()
    return Cost(CostSource.PRICES, "USD", Decimal(total), None, None, Decimal(reasoning))


@pytest.fixture
def ledger(store):
    """Turns today, earlier this week, earlier this month and last month, of every kind."""
    primes = store.create_conversation("Is 391 prime?")
    trains = store.create_conversation("Two trains leave at noon")
    H, S, R = Visibility.HIDDEN, Visibility.SUMMARY, Visibility.RAW
    rows = [
        # conversation, days ago, provider, model, usage, cost, visibility
        (primes, 0, "openai", "gpt-5", Usage(1_200, 400, 0, 900, 700), _cost("0.0105", "0.007"), H),
        (primes, 0, "anthropic", "claude-sonnet-4-5", Usage(13, 0, 0, 1680, 1408),
         _cost("0.025239", "0.02112"), S),
        (trains, 2, "openai", "gpt-5", Usage(3_000, 0, 0, 2_000, 1_500), _cost("0.02375", "0.015"),
         H),
        (trains, 3, "ollama", "qwen3", Usage(200, None, None, 800, None), Cost.local(), R),
        (trains, 10, "openai-compatible", "mystery", Usage(50, None, None, 60), _cost(None), R),
        (primes, 30, "deepseek", "deepseek-reasoner", Usage(5_000, 4_000, 0, 3_000, 2_500),
         _cost("0.0031", "0.0019"), R),
        (primes, 12, "openai", "gpt-5", Usage(), _cost(None), H),
    ]  # fmt: skip
    for conversation, days_ago, provider, model, usage, cost, visibility in rows:
        created = (TODAY - timedelta(days=days_ago)).isoformat() + "T09:30:00.000000Z"
        store.insert_turn(
            Turn(id=new_id("t"), conversation_id=conversation.id, prompt="?", provider=provider,
                 model=model, created_at=created, status=TurnStatus.COMPLETE, usage=usage,
                 cost=cost, reasoning=ReasoningTrace(visibility))
        )  # fmt: skip
    return store, primes, trains


@pytest.fixture
def view(qtbot, ledger):
    store, _, _ = ledger
    widget = SpendView(store, today=lambda: TODAY)
    qtbot.addWidget(widget)
    widget.resize(900, 640)
    with qtbot.waitSignal(widget.sig_spend_loaded, timeout=10_000):
        widget.show()
    return widget


def choose(qtbot, view, period: str | None = None, by: str | None = None) -> None:
    with qtbot.waitSignal(view.sig_spend_loaded, timeout=10_000):
        if period is not None:
            view.period_box.setCurrentIndex(view.period_box.findData(period))
        if by is not None:
            view.group_box.setCurrentIndex(view.group_box.findData(by))
        view.refresh()  # the same question asked again: only one answer lands
    assert (view.period, view.grouping) == (period or view.period, by or view.grouping)


def cells(view) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """The model's raw values: {group key: {field: value}}, and the Total row."""
    model, names = view.model, [name for _, name, _ in COLUMNS]
    rows = {}
    for r in range(model.rowCount()):
        key = model.data(model.index(r, 0), RAW_ROLE)
        rows[key] = {n: model.data(model.index(r, c + 1), RAW_ROLE) for c, n in enumerate(names)}
    return rows, rows.pop("total")


def shown(view, key: str, field: str) -> str:
    model = view.model
    column = 1 + [name for _, name, _ in COLUMNS].index(field)
    for r in range(model.rowCount()):
        if model.data(model.index(r, 0), RAW_ROLE) == key:
            return model.data(model.index(r, column))
    raise KeyError(key)


def usage_json(*args: str) -> dict[str, Any]:
    env = {**os.environ, "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"}
    command = [sys.executable, "-m", "client", "usage", "--json", *args]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


def only(data: dict[str, Any], fields: Any) -> dict[str, Any]:
    return {f: data[f] for f in fields}


@pytest.mark.parametrize("by", ["model", "provider", "conversation", "day", "week", "month"])
def test_the_cells_are_what_thinkpane_usage_json_prints(qtbot, view, by):
    choose(qtbot, view, "month", by)
    rows, total = cells(view)
    report = usage_json("--by", by, "--since", "2026-11-01")
    assert set(rows) == {g["key"] for g in report["groups"]}
    # Every column the contract has: the rest are what reasoning cost (tested below).
    shared = set(total) & set(report["total"])
    assert shared == {"queries", "input_tokens", "cached_input_tokens", "output_tokens",
                      "reasoning_tokens", "cost"}  # fmt: skip
    for group in report["groups"]:
        assert only(rows[group["key"]], shared) == only(group, shared)
    assert only(total, shared) == only(report["total"], shared)
    assert total["queries"] == 6 and total["cost"] == "0.059489"


@pytest.mark.parametrize("period", ["day", "week", "month", "all"])
@pytest.mark.parametrize("by", ["model", "provider", "conversation", "day", "week", "month"])
def test_every_period_and_grouping_is_the_ledgers(qtbot, ledger, view, period, by):
    store, _, _ = ledger
    choose(qtbot, view, period, by)
    rows, total = cells(view)
    report = store.usage_report(by, period_start(period, TODAY), reasoning=True)
    assert rows == {g["key"]: only(g, total) for g in report["groups"]}
    assert total == only(report["total"], total)


def test_what_the_cells_say(qtbot, ledger, view):
    store, primes, _ = ledger
    choose(qtbot, view, "all", "model")
    assert shown(view, "mystery", "cost") == "—"  # no price known: not $0
    assert shown(view, "mystery", "reasoning_cost") == "—"
    assert shown(view, "qwen3", "cost") == "$0"  # a local model
    assert shown(view, "gpt-5", "cost") == "$0.034 (+1 unpriced)"
    assert shown(view, "gpt-5", "hidden_reasoning_cost") == "$0.022"
    assert shown(view, "gpt-5", "input_tokens") == "4,200"
    assert view.model.headerData(0, Qt.Orientation.Horizontal) == "Model"
    choose(qtbot, view, by="conversation")
    model = view.model
    titles = {model.data(model.index(r, 0)) for r in range(model.rowCount())}
    assert titles == {"Is 391 prime?", "Two trains leave at noon", "Total"}
    assert view.summary.text().startswith(
        "All time: $0.063 over 7 queries (1 without a price, 1 with usage not reported)"
    )
    choose(qtbot, view, period="day")
    assert view.summary.text() == (
        "Today (from 2026-11-27, UTC): $0.036 over 2 queries · reasoning $0.028 (79%)"
        " · $0.007 of it not shown by the provider"
    )


def test_the_chart_shows_each_group_with_its_reasoning_share(qtbot, ledger, view):
    store, primes, _ = ledger
    choose(qtbot, view, "month", "model")
    bars = {bar.label: bar for bar in view.chart.bars}
    assert set(bars) == {"gpt-5", "claude-sonnet-4-5"}  # what cost more than $0 this month
    assert bars["gpt-5"].value == Decimal("0.03425")
    assert bars["gpt-5"].reasoning == bars["gpt-5"].hidden == Decimal("0.022")
    assert bars["claude-sonnet-4-5"].text == "$0.025 · 84% reasoning"
    assert view.chart.caption == ""
    # A period with nothing charged still draws: the bars count output tokens.
    local = Turn(new_id("t"), primes.id, "?", "ollama", "qwen3", created_at="2027-01-04T08:00:00Z")
    local.usage, local.cost = Usage(9, None, None, 800), Cost.local()
    store.insert_turn(local)
    view._today = lambda: date(2027, 1, 4)
    choose(qtbot, view, "week")
    assert [(b.label, b.value) for b in view.chart.bars] == [("qwen3", 800)]
    assert "output tokens" in view.chart.caption
    view._today = lambda: date(2027, 2, 1)
    choose(qtbot, view, "day")
    assert view.chart.bars == [] and view.chart.caption == "No queries in this period."
    assert view.model.rowCount() == 0


@pytest.mark.parametrize("dark", [False, True])
def test_the_reasoning_share_is_drawn_in_the_palettes_colour(qtbot, view, dark):
    palette = QPalette(view.chart.palette())
    base, mark = ("#1f2023", "#3d7fd9") if dark else ("#ffffff", "#308cc6")
    palette.setColor(QPalette.ColorRole.Base, QColor(base))
    palette.setColor(QPalette.ColorRole.Highlight, QColor(mark))
    view.chart.setPalette(palette)
    choose(qtbot, view, "month", "model")
    image = view.chart.grab().toImage()
    colours = {image.pixelColor(x, y).name() for x in range(0, image.width(), 2)
               for y in range(0, image.height(), 2)}  # fmt: skip
    assert mark in colours and palette.color(QPalette.ColorRole.Mid).name() in colours


def test_the_csv_export_reads_back_as_the_ledger(qtbot, ledger, view, tmp_path):
    store, primes, _ = ledger
    choose(qtbot, view, "week", "conversation")
    path = tmp_path / "spend.csv"
    assert view.export_csv(path) == 2
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    report = store.usage_report("conversation", date(2026, 11, 23), reasoning=True)
    expected = [*report["groups"], {"key": "total", **report["total"]}]
    assert [r["key"] for r in rows] == [g["key"] for g in expected]
    for row, group in zip(rows, expected, strict=True):
        assert {f: row[f] for f in SPEND_FIELDS} == {f: str(group[f]) for f in SPEND_FIELDS}
    assert next(r for r in rows if r["key"] == primes.id)["label"] == "Is 391 prime?"


def test_the_export_button_saves_or_says_why_not(qtbot, view, tmp_path, monkeypatch):
    from client.ui.ledger import spend_view

    target = tmp_path / "out.csv"
    monkeypatch.setattr(spend_view.QFileDialog, "getSaveFileName", lambda *a: (str(target), ""))
    view.export_button.click()
    assert target.exists() and view.summary.text() == f"Saved 4 rows and the total to {target}."
    missing = tmp_path / "no such folder" / "out.csv"
    monkeypatch.setattr(spend_view.QFileDialog, "getSaveFileName", lambda *a: (str(missing), ""))
    view.export_button.click()
    assert view.summary.text().startswith(f"Could not save {missing}: ")


def test_periods_are_today_this_iso_week_this_month_or_everything():
    assert period_start("day", TODAY) == TODAY
    assert period_start("week", TODAY) == date(2026, 11, 23)  # the Monday of 2026-W48
    assert period_start("week", date(2026, 11, 23)) == date(2026, 11, 23)
    assert period_start("month", TODAY) == date(2026, 11, 1)
    assert period_start("all", TODAY) is None
    with pytest.raises(ValueError, match="week"):
        period_start("fortnight", TODAY)
    assert period_start("week", date(2027, 1, 1)) == date(2026, 12, 28)  # ISO weeks span years
