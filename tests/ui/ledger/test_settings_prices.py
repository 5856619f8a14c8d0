"""Settings for money in the real window: a price set in Settings is stored and prices the next
turn, budgets are kept as typed, a price that is not a number is refused with a sentence, and
Refresh prices without a network says so and names the data still in use."""

from __future__ import annotations

import socket
from decimal import Decimal

from PySide6.QtCore import Qt

from client.budget import Budgets, load_budgets
from client.core.cost import CostSource
from client.core.events import TurnStatus
from client.core.prices import PriceOverride
from tests.support.chat import simple_stream
from tests.ui.conftest import CHAT_PATH, send, stream_reply, use_replay


def open_costs(qtbot, window):
    dialog = window.open_settings()
    money = dialog.money
    dialog.tabs.setCurrentWidget(money)
    qtbot.waitUntil(lambda: money.prices.version_label.text().startswith("Price data"))
    return dialog, money


def save(qtbot, dialog) -> None:
    qtbot.mouseClick(
        dialog.buttons.button(dialog.buttons.StandardButton.Save), Qt.MouseButton.LeftButton
    )


def fill_row(prices, row: int, provider: str, model: str, *rates: str) -> None:
    box = prices.table.cellWidget(row, 0)
    box.setCurrentIndex(box.findData(provider))
    for column, text in enumerate((model, *rates), start=1):
        prices.table.item(row, column).setText(text)


def test_a_price_set_in_settings_is_stored_and_prices_the_next_turn(qtbot, window, replay, store):
    dialog, money = open_costs(qtbot, window)
    assert money.prices.table.rowCount() == 0
    qtbot.mouseClick(money.prices.add_button, Qt.MouseButton.LeftButton)
    fill_row(money.prices, 0, "openai-compatible", "qwen3", "2", "8", "0.5", "")
    save(qtbot, dialog)
    assert not dialog.isVisible()
    expected = PriceOverride(Decimal(2), Decimal(8), Decimal("0.5"), None)
    qtbot.waitUntil(lambda: store.price_overrides() == {("openai-compatible", "qwen3"): expected})

    replay.add(
        CHAT_PATH, stream_reply(simple_stream("Two and two.", "4.", prompt=12, completion=40))
    )
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
    assert "$0.00034" in window.conversation.widget_for(state.id).meta_label.text()

    again, money = open_costs(qtbot, window)
    qtbot.waitUntil(lambda: money.prices.table.rowCount() == 1)
    assert money.prices.table.item(0, 1).text() == "qwen3"
    money.prices.table.selectRow(0)
    qtbot.mouseClick(money.prices.remove_button, Qt.MouseButton.LeftButton)
    save(qtbot, again)
    qtbot.waitUntil(lambda: store.price_overrides() == {})


def test_budgets_are_kept_as_typed(qtbot, window, store):
    dialog, money = open_costs(qtbot, window)
    budgets = money.budgets
    assert budgets.monthly_edit.text() == "" and budgets.monthly_edit.placeholderText() == "None"
    budgets.monthly_edit.setText("$20")
    budgets.conversation_edit.setText("2.50")
    budgets.ask_box.setChecked(True)
    save(qtbot, dialog)
    qtbot.waitUntil(
        lambda: load_budgets(store) == Budgets(Decimal(20), Decimal("2.50"), True), timeout=5_000
    )
    again, money = open_costs(qtbot, window)
    qtbot.waitUntil(lambda: money.budgets.monthly_edit.text() == "20")
    money.budgets.conversation_edit.clear()  # empty: no budget
    save(qtbot, again)
    qtbot.waitUntil(lambda: load_budgets(store) == Budgets(Decimal(20), None, True))


def test_a_price_that_is_not_a_number_is_refused_with_a_sentence(qtbot, window, store):
    dialog, money = open_costs(qtbot, window)
    money.prices.add_row()
    fill_row(money.prices, 0, "openai", "gpt-5", "cheap", "10", "", "")
    dialog.tabs.setCurrentIndex(0)
    save(qtbot, dialog)
    assert dialog.isVisible() and dialog.tabs.currentWidget() is money
    assert money.problem_label.text() == (
        "gpt-5's input price should be a number of dollars, not “cheap”."
    )
    window.jobs.wait()
    assert store.price_overrides() == {}
    dialog.reject()


def test_refresh_prices_offline_says_so_and_keeps_the_data_in_use(qtbot, window):
    with socket.socket() as probe:  # a port nothing listens on: as good as no network
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    dialog, money = open_costs(qtbot, window)
    version = money.prices.version_label.text()
    money.prices.price_data_url = f"http://127.0.0.1:{port}/data.json"
    qtbot.mouseClick(money.prices.refresh_button, Qt.MouseButton.LeftButton)
    assert not money.prices.refresh_button.isEnabled()
    qtbot.waitUntil(lambda: not money.prices.refreshing, timeout=20_000)
    sentence = money.prices.refresh_label.text()
    assert sentence.startswith(
        "Could not reach the price data server; this computer may be offline."
    )
    assert "The prices in use are unchanged (data " in sentence
    assert money.prices.version_label.text() == version
    assert money.prices.refresh_button.isEnabled()
    dialog.reject()
