"""The ledger: `usage --json` groupings, exact decimal sums, the since filter, unpriced queries."""

from __future__ import annotations

import re
import tempfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from client.core.conversation import ReasoningTrace, new_id
from client.core.cost import Cost, CostSource
from client.core.events import TurnStatus, Visibility
from client.core.usage import Usage
from client.store import Store
from tests.store.conftest import full_turn

FIELDS = (
    "queries",
    "input_tokens",
    "cached_input_tokens",
    "cache_write_tokens",
    "output_tokens",
    "reasoning_tokens",
    "cost",
    "unpriced_queries",
)


def _cost(total: str | None, reasoning: str | None = None) -> Cost:
    if total is None:
        return Cost.unknown()
    return Cost(CostSource.PRICES, "USD", Decimal(total), reasoning=Decimal(reasoning or "0"))


@pytest.fixture
def ledger(store):
    """Two conversations, three providers, three days over two months, every kind of turn."""
    first = store.create_conversation("first")
    second = store.create_conversation("second")
    C, STOP, E = TurnStatus.COMPLETE, TurnStatus.INTERRUPTED, TurnStatus.ERROR
    S, N, H, R = Visibility.SUMMARY, Visibility.NONE, Visibility.HIDDEN, Visibility.RAW
    # fmt: off
    rows = [
        # conversation, provider, model, created_at, usage, cost, status, purpose, visibility
        (first, "openai", "gpt-5", "2026-10-31T23:59:59.000000Z",
         Usage(100, 20, 0, 50, 30), _cost("0.1", "0.03"), C, "chat", S),
        (first, "openai", "gpt-5", "2026-11-01T00:00:00.000000Z",
         Usage(200, None, None, 10, None), _cost("0.2", "0"), STOP, "chat", N),
        (first, "anthropic", "claude-sonnet-4-5", "2026-11-01T12:00:00.000000Z",
         Usage(10, 0, 5, 20, 15), _cost("0.000039", "0.00002"), C, "critic", H),
        (second, "ollama", "qwen3", "2026-11-02T08:00:00.000000Z",
         Usage(7, None, None, 3, None), Cost.local(), C, "chat", R),
        (second, "openai-compatible", "mystery", "2026-11-02T09:00:00.000000Z",
         Usage(), _cost(None), E, "chat", N),
    ]
    # fmt: on
    for conversation, provider, model, created, usage, cost, status, purpose, visibility in rows:
        store.insert_turn(
            full_turn(
                conversation.id,
                provider=provider,
                model=model,
                created_at=created,
                usage=usage,
                cost=cost,
                status=status,
                purpose=purpose,
                reasoning=ReasoningTrace(visibility=visibility),
            )
        )
    return store, first, second


def _row(key: str | None, *values: object) -> dict[str, object]:
    data = dict(zip(FIELDS, values, strict=True))
    return data if key is None else {"key": key, **data}


def test_totals_count_every_turn_and_sum_money_exactly(ledger):
    store, _, _ = ledger
    report = store.usage_report(None, None)
    total = _row(None, 5, 317, 20, 5, 83, 45, "0.300039", 1)
    assert report == {"groups": [{"key": "all", **total}], "total": total}
    # 0.1 + 0.2 as floats is 0.30000000000000004: the ledger sums decimals.
    assert store.usage_report("model", None)["groups"][1]["cost"] == "0.3"


def test_grouped_by_provider_and_model(ledger):
    store, _, _ = ledger
    assert store.usage_report("provider", None)["groups"] == [
        _row("anthropic", 1, 10, 0, 5, 20, 15, "0.000039", 0),
        _row("ollama", 1, 7, 0, 0, 3, 0, "0", 0),
        _row("openai", 2, 300, 20, 0, 60, 30, "0.3", 0),
        _row("openai-compatible", 1, 0, 0, 0, 0, 0, "0", 1),
    ]
    assert [g["key"] for g in store.usage_report("model", None)["groups"]] == [
        "claude-sonnet-4-5",
        "gpt-5",
        "mystery",
        "qwen3",
    ]


def test_grouped_by_conversation_day_and_month(ledger):
    store, first, second = ledger
    by_conversation = {g["key"]: g for g in store.usage_report("conversation", None)["groups"]}
    assert by_conversation[first.id] == _row(first.id, 3, 310, 20, 5, 80, 45, "0.300039", 0)
    assert by_conversation[second.id] == _row(second.id, 2, 7, 0, 0, 3, 0, "0", 1)
    assert [(g["key"], g["queries"]) for g in store.usage_report("day", None)["groups"]] == [
        ("2026-10-31", 1),
        ("2026-11-01", 2),
        ("2026-11-02", 2),
    ]
    assert store.usage_report("month", None)["groups"] == [
        _row("2026-10", 1, 100, 20, 0, 50, 30, "0.1", 0),
        _row("2026-11", 4, 217, 0, 5, 33, 15, "0.200039", 1),
    ]


def test_since_keeps_turns_from_that_utc_day_on(ledger):
    store, _, _ = ledger
    report = store.usage_report("day", date(2026, 11, 1))
    assert [g["key"] for g in report["groups"]] == ["2026-11-01", "2026-11-02"]
    assert report["total"]["queries"] == 4
    assert report["total"]["cost"] == "0.200039"
    assert store.usage_report(None, date(2027, 1, 1))["total"] == _row(
        None, 0, 0, 0, 0, 0, 0, "0", 0
    )


def test_an_unknown_grouping_is_refused(store):
    with pytest.raises(ValueError, match="conversation"):
        store.usage_report("fortnight", None)


def test_conversation_totals_include_reasoning_and_hidden_reasoning_cost(ledger):
    store, first, second = ledger
    totals = store.conversation_totals(first.id)
    assert totals["queries"] == 3
    assert totals["cost"] == "0.300039"
    assert totals["reasoning_cost"] == "0.03002"
    assert totals["hidden_reasoning_cost"] == "0.00002"
    assert store.conversation_totals(second.id)["unpriced_queries"] == 1
    assert store.conversation_totals("c_none")["queries"] == 0


_usage = st.builds(
    Usage,
    *(st.none() | st.integers(0, 10**7) for _ in range(5)),
)
_money = st.none() | st.decimals(
    min_value=Decimal(0), max_value=Decimal(1000), places=10, allow_nan=False, allow_infinity=False
)
_turn = st.tuples(
    st.integers(0, 3),  # which conversation
    st.sampled_from(["openai", "anthropic", "gemini", "ollama"]),
    st.sampled_from(["m1", "m2", "m3"]),
    st.dates(date(2025, 11, 25), date(2026, 2, 3)),
    _usage,
    _money,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(_turn, max_size=25),
    st.sampled_from([None, "conversation", "model", "provider", "day", "month"]),
)
def test_the_total_is_the_sum_of_the_groups(turns, by):
    with (
        tempfile.TemporaryDirectory() as folder,
        Store.open(Path(folder) / "ledger.sqlite3") as store,
    ):
        conversations = [store.create_conversation().id for _ in range(4)]
        expected_cost = Decimal(0)
        for which, provider, model, day, usage, money in turns:
            cost = Cost.unknown() if money is None else Cost(CostSource.PRICES, total=money)
            expected_cost += money or 0
            store.insert_turn(
                full_turn(
                    conversations[which],
                    id=new_id("t"),
                    provider=provider,
                    model=model,
                    created_at=f"{day.isoformat()}T12:00:00.000000Z",
                    usage=usage,
                    cost=cost,
                )
            )
        report = store.usage_report(by, None)
        total = report["total"]
        for name in FIELDS:
            if name == "cost":
                assert Decimal(total["cost"]) == sum(
                    (Decimal(g["cost"]) for g in report["groups"]), Decimal(0)
                )
            else:
                assert total[name] == sum(g[name] for g in report["groups"])
        assert Decimal(total["cost"]) == expected_cost
        assert total["queries"] == len(turns)
        assert total["unpriced_queries"] == sum(1 for t in turns if t[5] is None)


def test_usage_by_iso_week(tmp_path):
    from client.core.conversation import Turn, new_id
    from client.store.store import Store

    with Store.open(tmp_path / "weeks.sqlite3") as store:
        conversation = store.create_conversation("w")
        # Sunday 2026-11-29 closes ISO week 48; Monday 2026-11-30 opens week 49; 2027-01-01 is 2026-W53.
        for stamp in (
            "2026-11-29T23:59:00.000000Z",
            "2026-11-30T00:01:00.000000Z",
            "2027-01-01T12:00:00.000000Z",
        ):
            turn = Turn(
                id=new_id("t"),
                conversation_id=conversation.id,
                prompt="p",
                provider="ollama",
                model="m",
                created_at=stamp,
            )
            store.insert_turn(turn)
        report = store.usage_report("week", None)
    assert [(g["key"], g["queries"]) for g in report["groups"]] == [
        ("2026-W48", 1),
        ("2026-W49", 1),
        ("2026-W53", 1),
    ]


def test_the_ledger_reads_its_index_never_the_turns_text(store):
    # The figures sit after the prompt, answer and reasoning in each row: reading them from the
    # table walks through all the text (300 MB for a year of use). Every query the ledger really
    # runs (traced, not written out again here: a copy of a query can drift from the query) must
    # be answered from a ledger index, never by a walk through the turns table.
    from datetime import date

    conn = store._conn
    conversation = store.create_conversation("Sums")
    ran: list[str] = []
    conn.set_trace_callback(ran.append)
    try:
        for by in (None, "conversation", "model", "provider", "day", "week", "month"):
            store.usage_report(by, None)
            store.usage_report(by, date(2026, 1, 1))
        store.conversation_totals(conversation.id)
        store.conversation_list(limit=50)
    finally:
        conn.set_trace_callback(None)
    selects = [sql for sql in ran if sql.lstrip().upper().startswith("SELECT") and "turns" in sql]
    assert len(selects) >= 16
    for sql in selects:
        plan = " / ".join(row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}"))
        walks = re.findall(
            r"SCAN (?:turns|t)\b(?! USING (?:COVERING )?INDEX turns_(?:ledger|purpose))", plan
        )
        assert not walks, (sql, plan)
        assert "turns_ledger" in plan or "turns_purpose_by_conversation" in plan, (sql, plan)
    plan = " / ".join(
        row[3]
        for row in conn.execute(
            "EXPLAIN QUERY PLAN UPDATE turns SET note = 'x' WHERE status = ?", ("streaming",)
        )
    )
    assert "INDEX turns_by_status" in plan
