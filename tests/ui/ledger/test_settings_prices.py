"""Money settings and the Prices page in the real window: budgets kept as typed; a price typed in
Settings → Prices stored in the one price table and pricing the next turn; a price that is not a
number refused with a sentence; Refresh without a network saying so and keeping the data in use,
and with a loopback price server keeping the new data; each turn's cost tooltip saying where its
rates came from; and the DeepSeek overcharge corrected from the spend view, after which the spend
view, the conversation's cost line, `usage` and the budgets agree."""

from __future__ import annotations

import socket
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from client.budget import Budgets, check_budget, estimate_next_turn, load_budgets, save_budgets
from client.core.conversation import Turn, new_id
from client.core.cost import CostSource
from client.core.events import TurnStatus
from client.core.prices import PriceOverride
from client.core.usage import Usage
from client.prices import rates_in_use
from client.pricing import cost_for
from client.pricing.refresh import SAVED_NAME, use_bundled_prices
from tests.support.chat import simple_stream
from tests.support.replay import Reply
from tests.ui.conftest import CHAT_PATH, send, stream_reply, use_replay

M = Decimal(1_000_000)


@pytest.fixture(autouse=True)
def bundled():
    use_bundled_prices()
    yield
    use_bundled_prices()


def click(qtbot, widget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def open_tab(qtbot, window, name: str):
    dialog = window.settings.open_settings()
    page = dialog.money if name == "costs" else dialog.prices
    dialog.tabs.setCurrentWidget(page)
    if name == "prices":
        qtbot.waitUntil(lambda: page.data_label.text().startswith("Price data"), timeout=10_000)
    return dialog, page


def save(qtbot, dialog) -> None:
    click(qtbot, dialog.buttons.button(dialog.buttons.StandardButton.Save))


def type_price(page, provider: str, model: str, *rates: str) -> None:
    page.provider_box.setCurrentIndex(page.provider_box.findData(provider))
    page.model_edit.setText(model)
    for edit, text in zip(page.rate_edits.values(), rates, strict=True):
        edit.setText(text)


def test_a_price_set_in_settings_is_stored_and_prices_the_next_turn(qtbot, window, replay, store):
    dialog, page = open_tab(qtbot, window, "prices")
    assert page.table.rowCount() == 0
    type_price(page, "openai-compatible", "qwen3", "2", "0.5", "", "8")
    click(qtbot, page.set_button)
    expected = PriceOverride(Decimal(2), Decimal(8), Decimal("0.5"), None)
    qtbot.waitUntil(lambda: store.price_overrides() == {("openai-compatible", "qwen3"): expected})
    qtbot.waitUntil(lambda: page.row_of("qwen3") == 0)
    assert page.cell("qwen3", "Source") == "Your price" and page.cell("qwen3", "Input") == "$2"
    assert page.cell("qwen3", "Cache write") == "—"  # charged at the input rate
    dialog.reject()

    replay.add(CHAT_PATH, stream_reply(simple_stream("Two and two.", "4.", prompt=12,
                                                     completion=40)))  # fmt: skip
    use_replay(window, replay)
    send(qtbot, window, "2 + 2?")
    qtbot.waitUntil(
        lambda: bool(window.conversation.states()) and not window.runner.busy, timeout=10_000
    )
    state = window.conversation.states()[-1]
    qtbot.waitUntil(lambda: state.turn.status is TurnStatus.COMPLETE)
    cost = store.get_turn(state.id).cost
    # A server on this machine would cost $0; the user's price wins: 12 × $2 + 40 × $8 per Mtok.
    assert cost.source is CostSource.OVERRIDE and cost.total == Decimal("0.000344")
    meta = window.conversation.widget_for(state.id).meta_label
    assert "$0.00034" in meta.text()
    assert meta.toolTip().startswith(
        "Your price: $2 in, $0.5 cached, $8 out per million tokens, since "
    )

    again, page = open_tab(qtbot, window, "prices")
    qtbot.waitUntil(lambda: page.cell("qwen3", "Queries") == "1 of 1")
    page.select("openai-compatible", "qwen3")
    assert page.model_edit.text() == "qwen3" and page.unset_button.isEnabled()
    click(qtbot, page.unset_button)
    qtbot.waitUntil(lambda: store.price_overrides() == {})
    qtbot.waitUntil(lambda: page.cell("qwen3", "Source") == "Local")
    again.reject()


def test_budgets_are_kept_as_typed(qtbot, window, store):
    dialog, money = open_tab(qtbot, window, "costs")
    budgets = money.budgets
    assert budgets.monthly_edit.text() == "" and budgets.monthly_edit.placeholderText() == "None"
    budgets.monthly_edit.setText("$20")
    budgets.conversation_edit.setText("2.50")
    budgets.ask_box.setChecked(True)
    save(qtbot, dialog)
    qtbot.waitUntil(
        lambda: load_budgets(store) == Budgets(Decimal(20), Decimal("2.50"), True), timeout=5_000
    )
    again, money = open_tab(qtbot, window, "costs")
    qtbot.waitUntil(lambda: money.budgets.monthly_edit.text() == "20")
    money.budgets.conversation_edit.clear()  # empty: no budget
    save(qtbot, again)
    qtbot.waitUntil(lambda: load_budgets(store) == Budgets(Decimal(20), None, True))


def test_a_price_that_is_not_a_number_is_refused_with_a_sentence(qtbot, window, store):
    dialog, page = open_tab(qtbot, window, "prices")
    type_price(page, "openai", "gpt-5", "cheap", "", "", "10")
    click(qtbot, page.set_button)
    assert page.your_label.text() == (
        "gpt-5's input price should be dollars per million tokens, like 0.28, not “cheap”."
    )
    type_price(page, "openai", "gpt-5", "1", "-2", "", "10")
    click(qtbot, page.set_button)
    assert "cached price should be zero or more" in page.your_label.text()
    type_price(page, "openai", "gpt-5", "1", "", "", "")
    qtbot.keyClick(page.rate_edits["output"], Qt.Key.Key_Return)  # Enter: Use my price
    assert page.your_label.text() == (
        "gpt-5's output price is missing: type dollars per million tokens, like 0.28."
    )
    window.jobs.wait()
    assert store.price_overrides() == {}
    dialog.reject()


def test_refresh_offline_says_so_and_keeps_the_data_in_use(qtbot, window):
    with socket.socket() as probe:  # a port nothing listens on: as good as no network
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    dialog, page = open_tab(qtbot, window, "prices")
    data = page.data_label.text()
    page.price_data_url = f"http://127.0.0.1:{port}/data.json"
    click(qtbot, page.refresh_button)
    assert not page.refresh_button.isEnabled()
    qtbot.waitUntil(lambda: not page.refreshing, timeout=20_000)
    sentence = page.refresh_label.text()
    assert sentence.startswith("Could not reach the price data server; this computer may be")
    assert "The prices in use are unchanged (data " in sentence
    assert page.data_label.text() == data and page.refresh_button.isEnabled()
    dialog.reject()


def test_refreshed_data_is_kept_and_named_with_its_date(qtbot, window, replay, thinkpane_home):
    replay.add("/data.json", Reply.json(200, [{
        "id": "deepseek", "name": "DeepSeek", "api_pattern": r"https://api\.deepseek\.com",
        "models": [{"id": "deepseek-reasoner", "match": {"equals": "deepseek-reasoner"},
                    "prices": {"input_mtok": 0.28, "cache_read_mtok": 0.028,
                               "output_mtok": 0.42}}]}]))  # fmt: skip
    dialog, page = open_tab(qtbot, window, "prices")
    assert page.data_label.text().endswith("as bundled (never refreshed).")
    page.price_data_url = replay.url + "/data.json"
    click(qtbot, page.refresh_button)
    qtbot.waitUntil(lambda: not page.refreshing, timeout=20_000)
    assert page.refresh_label.text().startswith("Prices updated: data ")
    assert page.refresh_label.text().endswith(
        "Turns already stored keep their price: Reprice corrects them."
    )
    today = datetime.now(UTC).date().isoformat()
    qtbot.waitUntil(lambda: f"fetched {today}" in page.data_label.text())
    assert (thinkpane_home / SAVED_NAME).exists()
    dialog.reject()
    spend = window.ledger.open_spend()  # the spend view names the data in use and its date
    qtbot.waitUntil(lambda: f"fetched {today}" in spend.view.prices_label.text(), timeout=10_000)
    assert spend.view.prices_label.text().startswith("Price data: genai-prices ")
    spend.close()


def _seed_deepseek(store) -> tuple[str, list[str]]:
    """Two DeepSeek turns priced at the old rates (peak hours): last month and this month."""
    cid = store.create_conversation("DeepSeek maths").id
    today = datetime.now(UTC).date()
    days = [today.replace(day=1) - timedelta(days=10), today.replace(day=1)]
    ids = []
    for day, usage in zip(days, (Usage(13, 0, 0, 100, 60), Usage(1000, 600, 0, 500, 300)),
                          strict=True):  # fmt: skip
        asked = datetime(day.year, day.month, day.day, 13, tzinfo=UTC)
        turn = Turn(id=new_id("t"), conversation_id=cid, prompt="?", answer="!",
                    provider="deepseek", model="deepseek-reasoner",
                    created_at=asked.strftime("%Y-%m-%dT%H:%M:%S.000000Z"),
                    status=TurnStatus.COMPLETE, usage=usage,
                    cost=cost_for("deepseek", "deepseek-reasoner", usage, when=asked))  # fmt: skip
        store.insert_turn(turn)
        ids.append(turn.id)
    return cid, ids


def test_the_deepseek_overcharge_corrected_from_the_spend_view(qtbot, window, store, monkeypatch):
    import client.prices

    today = datetime.now(UTC).date()
    peak = datetime(today.year, today.month, today.day, 13, tzinfo=UTC)
    monkeypatch.setattr(client.prices, "_now", lambda: peak)  # the table shows peak-hour rates
    cid, ids = _seed_deepseek(store)
    old = sum((store.get_turn(t).cost.total for t in ids), Decimal(0))
    assert old == Decimal("0.00162515")  # at $0.55 / $0.14 / $2.19
    save_budgets(store, Budgets(monthly_usd=Decimal("0.001")))
    window.conversations.refresh_conversations()
    window.conversations.open_conversation(cid)
    ledger = window.ledger
    qtbot.waitUntil(lambda: ledger.summary.startswith("$0.0016 over 2 queries"), timeout=10_000)

    spend = ledger.open_spend()
    qtbot.waitUntil(lambda: spend.view.report is not None, timeout=10_000)
    assert spend.view.prices_label.text() == (
        "Price data: genai-prices 0.2.3, as bundled (never refreshed)."
    ).replace("0.2.3", spend.view.report.prices["version"])
    click(qtbot, spend.view.prices_button)
    prices = ledger.prices_dialog
    page = prices.page
    qtbot.waitUntil(lambda: page.row_of("deepseek-reasoner") == 0, timeout=10_000)
    # The rate, where it comes from, and when it applies.
    assert [page.cell("deepseek-reasoner", h) for h in
            ("Input", "Cached", "Output", "Source", "Since", "Conditions", "Queries")] == [
        "$0.55", "$0.14", "$2.19", "Price data", "—", "from 00:30 to 16:30 UTC", "2 of 2"]  # fmt: skip

    page.select("deepseek", "deepseek-reasoner")
    assert page.model_edit.text() == "deepseek-reasoner"
    assert page.rate_edits["input"].text() == "0.55"
    for name, text in (("input", "0.28"), ("cached", "0.028"), ("output", "0.42")):
        page.rate_edits[name].setText(text)
    click(qtbot, page.set_button)
    qtbot.waitUntil(lambda: page.cell("deepseek-reasoner", "Source") == "Your price")
    assert page.cell("deepseek-reasoner", "Since") == today.isoformat()
    assert page.cell("deepseek-reasoner", "Queries") == "0 of 2"  # stored turns: old rates

    assert page.reprice_model_box.currentData() == "deepseek-reasoner"
    first_of_last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    assert page.scope()[1:] == (first_of_last_month, today)
    assert not page.reprice_button.isEnabled()  # a preview first
    click(qtbot, page.preview_button)
    qtbot.waitUntil(lambda: page.reprice_button.isEnabled(), timeout=10_000)
    new = (13 * Decimal("0.28") + 100 * Decimal("0.42")) / M + (
        400 * Decimal("0.28") + 600 * Decimal("0.028") + 500 * Decimal("0.42")
    ) / M
    assert new == Decimal("0.00038444")
    assert "2 turns: $0.0016 before, $0.00038 after; 2 would change." in page.reprice_label.text()
    assert store.get_turn(ids[0]).cost.source is CostSource.PRICES  # nothing changed yet
    click(qtbot, page.reprice_button)
    qtbot.waitUntil(lambda: "2 changed." in page.reprice_label.text(), timeout=10_000)
    qtbot.waitUntil(lambda: page.cell("deepseek-reasoner", "Queries") == "2 of 2")
    assert page.cell("deepseek-reasoner", "Spend") == "$0.00038"

    # Everything agrees with the new figure.
    assert sum((store.get_turn(t).cost.total for t in ids), Decimal(0)) == new
    assert Decimal(store.usage_report()["total"]["cost"]) == new
    assert Decimal(store.conversation_totals(cid)["cost"]) == new
    qtbot.waitUntil(lambda: ledger.summary.startswith("$0.00038 over 2 queries"), timeout=10_000)
    spend.view.period_box.setCurrentIndex(spend.view.period_box.findData("all"))
    qtbot.waitUntil(lambda: spend.view.report is not None and spend.view.report.period == "all"
                    and Decimal(spend.view.report.total["cost"]) == new, timeout=10_000)  # fmt: skip
    estimate = estimate_next_turn([], "hi", None, "deepseek", "deepseek-reasoner", None,
                                  rates_in_use(store))  # fmt: skip
    assert estimate.source is CostSource.OVERRIDE
    assert check_budget(store, cid, estimate).level == "ok"  # over at the old rates
    assert store.cost_history(ids[0])[0][1].total == (13 * Decimal("0.55") + 100 * Decimal(
        "2.19")) / M  # fmt: skip
    states = window.conversation.states()
    qtbot.waitUntil(lambda: window.conversation.states() is not states
                    and window.conversation.states()[-1].turn.cost.total is not None
                    and window.conversation.states()[-1].turn.cost.source
                    is CostSource.OVERRIDE, timeout=10_000)  # fmt: skip
    tip = window.conversation.widget_for(ids[1]).meta_label.toolTip()
    assert tip.startswith(
        "Your price: $0.28 in, $0.028 cached, $0.42 out per million tokens, since "
    )
    assert "Repriced on" in tip and "it was $0.001399 (genai-prices " in tip
    prices.close()
    spend.close()


def test_the_first_of_last_month_in_january_is_in_december():
    from client.ui.ledger.prices_page import _last_month_start

    assert _last_month_start(date(2027, 1, 15)) == date(2026, 12, 1)
    assert _last_month_start(date(2026, 12, 2)) == date(2026, 11, 1)


def test_enter_in_the_prices_window_uses_the_price_and_keeps_it_open(qtbot, window, store):
    dialog = window.ledger.open_prices()
    page = dialog.page
    qtbot.waitUntil(lambda: page.data_label.text().startswith("Price data"), timeout=10_000)
    page.price_data_url = "http://127.0.0.1:9/data.json"  # had Enter fetched, nothing answers
    type_price(page, "deepseek", "deepseek-reasoner", "0.28", "0.028", "", "0.42")
    qtbot.keyClick(page.rate_edits["output"], Qt.Key.Key_Return)
    for field in (page.model_edit, page.since_edit, page.until_edit):
        qtbot.keyClick(field, Qt.Key.Key_Return)
    # Enter is never "Refresh price data": nothing is fetched without that button.
    assert not page.refreshing and page.refresh_label.isHidden()
    assert not any(b.isDefault() for b in dialog.findChildren(QPushButton))
    expected = PriceOverride(Decimal("0.28"), Decimal("0.42"), Decimal("0.028"))
    qtbot.waitUntil(
        lambda: store.price_overrides() == {("deepseek", "deepseek-reasoner"): expected}
    )
    assert dialog.isVisible()
    qtbot.waitUntil(lambda: page.cell("deepseek-reasoner", "Source") == "Your price")
    assert page.cell("deepseek-reasoner", "Queries") == "0 of 0"
    dialog.close()


def test_the_next_turn_tip_names_the_rates_the_ledger_will_charge(store):
    from client.budget import BudgetCheck
    from client.ui.ledger.budget_prompt import NextTurnFigures, next_turn_tip

    store.set_price_override(
        "deepseek", "deepseek-reasoner", PriceOverride("0.28", "0.42", "0.028")
    )
    estimate = estimate_next_turn([], "x" * 400, None, "deepseek", "deepseek-reasoner", None,
                                  rates_in_use(store))  # fmt: skip
    tip = next_turn_tip(NextTurnFigures(estimate, BudgetCheck("ok"), 128_000, False))
    assert tip.endswith(
        "Your price: $0.28 in, $0.028 cached, $0.42 out per million tokens, since "
        f"{datetime.now(UTC).date().isoformat()}."
    )
