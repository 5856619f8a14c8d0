"""The ledger in the real window: hidden reasoning under the answer, what the conversation cost in
sight without a click, the spend view one click away, the next-turn line that follows the prompt,
and budgets checked before any turn is sent, by Send, Regenerate, Retry or Edit (with a question
that can keep it from being sent)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QPushButton

from client.budget import Budgets, save_budgets
from client.core import format as fmt
from client.core.conversation import Turn, new_id
from client.core.cost import Cost, CostSource
from client.core.events import TurnStatus
from client.core.prices import PriceOverride
from client.core.usage import Usage
from client.ui.conversation import describe
from client.ui.conversation.live import TurnState
from tests.support.chat import chunk, simple_stream, usage_chunk
from tests.ui.conftest import CHAT_PATH, send, stream_reply, use_replay

QUESTION = "How many primes are there below one hundred? " * 8  # about 90 tokens


def finished(qtbot, window):
    qtbot.waitUntil(
        lambda: bool(window.conversation.states()) and not window.runner.busy, timeout=10_000
    )
    state = window.conversation.states()[-1]
    qtbot.waitUntil(lambda: state.turn.status is TurnStatus.COMPLETE)
    return state


def price(store, model: str = "qwen3", rate: str = "10") -> None:
    store.set_price_override("openai-compatible", model, PriceOverride(Decimal(1), Decimal(rate)))


def test_hidden_reasoning_gets_its_own_line_under_the_answer(qtbot, window, replay, store):
    price(store)
    events = [chunk(content="Paris."), chunk(finish="stop"), usage_chunk(20, 300, reasoning=256)]
    replay.add(CHAT_PATH, stream_reply(events))
    use_replay(window, replay)
    send(qtbot, window, "Capital of France?")
    state = finished(qtbot, window)
    meta = window.conversation.widget_for(state.id).meta_label
    qtbot.waitUntil(lambda: "not shown by the provider" in meta.text())
    # 256 reasoning tokens at $10 per million.
    assert (
        meta.text().splitlines()[1] == "reasoning 256 tokens · $0.0026 · not shown by the provider"
    )


def test_an_unknown_cost_is_a_dash_never_a_guess():
    turn = Turn(
        id="t",
        conversation_id="c",
        prompt="?",
        provider="openai-compatible",
        model="mystery",
        status=TurnStatus.COMPLETE,
        usage=Usage(10, None, None, 20, 8),
        cost=Cost.unknown(),
    )
    state = TurnState(turn, live=False)
    line = describe.meta_line(state)
    assert line.endswith("cost —") and "$" not in line
    assert describe.reasoning_figures(state) == "8 tokens · cost —"


def test_the_conversation_cost_is_in_sight_and_the_spend_view_one_click_away(
    qtbot, window, replay, store
):
    price(store)
    replay.add(CHAT_PATH, stream_reply(simple_stream("Let me count.", "25.", completion=40)))
    use_replay(window, replay)
    ledger = window.ledger
    # Before the first query the line is there already, so the answers below it never move
    # when the first cost arrives.
    assert ledger.summary_label.isVisible()
    assert "This conversation: No queries yet." in ledger.summary_label.text()
    top = window.conversation.mapTo(window, QPoint(0, 0))
    send(qtbot, window, "Primes below 100?")
    finished(qtbot, window)
    # 12 input tokens at $1/Mtok and 40 output at $10/Mtok.
    qtbot.waitUntil(lambda: ledger.summary == "$0.00041 over 1 query", timeout=10_000)
    assert ledger.summary_label.isVisibleTo(window)  # no click at all
    assert "This conversation: $0.00041 over 1 query" in ledger.summary_label.text()
    qtbot.wait(50)  # any relayout the new line caused
    assert window.conversation.mapTo(window, QPoint(0, 0)) == top

    action = ledger.spend_action
    assert action.shortcut() == QKeySequence("Ctrl+Shift+S")
    view_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    assert action in view_menu.actions()
    action.trigger()
    dialog = ledger.spend_dialog
    qtbot.waitUntil(lambda: dialog.view.report is not None, timeout=10_000)
    assert dialog.isVisible()
    today = datetime.now(UTC).date()
    report = store.usage_report("model", today.replace(day=1), reasoning=True)
    assert dialog.view.report.total == report["total"]
    assert dialog.view.report.groups == tuple(report["groups"])

    dialog.close()
    ledger.summary_label.linkActivated.emit("spend")  # the link in the cost line: one click
    assert ledger.spend_dialog is dialog and dialog.isVisible()


def test_the_estimate_appears_and_grows_with_the_prompt(qtbot, window, replay, store):
    price(store)
    use_replay(window, replay)
    composer, ledger = window.composer, window.ledger
    composer.edit.setPlainText("Hi")
    qtbot.waitUntil(lambda: ledger.estimate is not None and composer.estimate_label.isVisible())
    short = ledger.estimate.input_tokens
    label = composer.estimate_label.text()
    assert label.startswith(f"Next turn: ≈{short:,} tokens in (<1% of 32,768) · ")
    assert "estimate" in composer.estimate_label.toolTip().lower()
    composer.edit.setPlainText(QUESTION)
    qtbot.waitUntil(lambda: ledger.estimate.input_tokens > short + 50)
    assert f"≈{ledger.estimate.input_tokens:,} tokens in" in composer.estimate_label.text()
    assert ledger.estimate.cost is not None and ledger.estimate.cost > 0


def test_the_estimate_follows_the_model(qtbot, window, replay, store):
    price(store, model="dear-model", rate="10")
    use_replay(window, replay)
    window.composer.edit.setPlainText(QUESTION)
    ledger = window.ledger
    qtbot.waitUntil(lambda: ledger.estimate is not None)
    assert "local, $0" in window.composer.estimate_label.text()  # a server on this machine
    use_replay(window, replay, model="dear-model")
    qtbot.waitUntil(lambda: ledger.estimate is not None and bool(ledger.estimate.cost))
    # No answers yet to go by: the cost is the input's, and says so.
    input_cost = Decimal(ledger.estimate.input_tokens) / 1_000_000
    assert ledger.estimate.cost == input_cost
    assert window.composer.estimate_label.text().endswith(
        f"at least {fmt.money(input_cost)} (the input alone)"
    )


def seed_month(store, spent: str) -> None:
    """A turn this month that cost `spent`, in another conversation."""
    other = store.create_conversation("Earlier this month")
    store.insert_turn(
        Turn(
            id=new_id("t"),
            conversation_id=other.id,
            prompt="?",
            provider="openai",
            model="gpt-5",
            status=TurnStatus.COMPLETE,
            usage=Usage(1000, 0, 0, 1000, 0),
            cost=Cost(CostSource.PRICES, "USD", Decimal(spent)),
        )
    )


def expensive_window(qtbot, window, replay, store, *, ask: bool):
    seed_month(store, "9.95")
    save_budgets(store, Budgets(monthly_usd=Decimal(10), ask_before_sending=ask))
    store.set_price_override(
        "openai-compatible", "qwen3", PriceOverride(Decimal(1000), Decimal(1000))
    )
    replay.always(CHAT_PATH, stream_reply(simple_stream("Count them.", "25.")))
    use_replay(window, replay)
    window.ledger.update_estimate()  # the store changed under the window


def test_a_turn_that_would_cross_the_monthly_budget_is_said_in_the_banner(
    qtbot, window, replay, store
):
    expensive_window(qtbot, window, replay, store, ask=False)
    asked = []
    window.ledger.confirm = lambda _parent, sentence: asked.append(sentence) or True
    window.composer.edit.setPlainText(QUESTION)
    qtbot.waitUntil(lambda: window.ledger.check is not None and window.ledger.check.level == "warn")
    label = window.composer.estimate_label  # warned before sending
    assert label.text().startswith("⚠ Next turn:") and label.text().endswith(" · crosses a budget")
    assert label.toolTip().startswith(window.ledger.check.message)
    send(qtbot, window, QUESTION)
    qtbot.waitUntil(lambda: len(replay.requests_to(CHAT_PATH)) == 1, timeout=10_000)
    assert asked == []  # the user did not ask to be asked
    banner = window.banner.label.text()
    assert window.banner.isVisibleTo(window)
    assert banner.startswith("This turn would take this month past your $10 budget: $9.95 spent")
    finished(qtbot, window)


def test_with_ask_before_sending_cancel_sends_nothing(qtbot, window, replay, store):
    expensive_window(qtbot, window, replay, store, ask=True)
    asked = []
    window.ledger.confirm = lambda _parent, sentence: asked.append(sentence) or False
    send(qtbot, window, QUESTION)
    qtbot.waitUntil(lambda: len(asked) == 1, timeout=10_000)
    assert "past your $10 budget" in asked[0]
    assert replay.requests_to(CHAT_PATH) == []
    assert not window.runner.busy and window.conversation.states() == []
    assert window.composer.edit.toPlainText() == QUESTION.strip()  # given back, not lost
    assert window.banner.label.text() == asked[0]
    assert window.composer.send_button.isEnabled()

    window.ledger.confirm = lambda _parent, sentence: asked.append(sentence) or True
    send(qtbot, window, QUESTION)  # Send anyway
    qtbot.waitUntil(lambda: len(replay.requests_to(CHAT_PATH)) == 1, timeout=10_000)
    assert len(asked) == 2
    assert not window.banner.isVisibleTo(window)  # read and answered: it does not linger
    finished(qtbot, window)


def test_regenerate_retry_and_edit_pass_the_same_budget_check(qtbot, window, replay, store):
    replay.always(CHAT_PATH, stream_reply(simple_stream("Count them.", "25.")))
    use_replay(window, replay)
    send(qtbot, window, "Primes below 100?")
    state = finished(qtbot, window)
    # Then the month's budget is already spent, and the user asked to be asked.
    seed_month(store, "10.50")
    save_budgets(store, Budgets(monthly_usd=Decimal(10), ask_before_sending=True))
    price(store)
    asked = []
    window.ledger.confirm = lambda _parent, sentence: asked.append(sentence) or False

    def refused(count: int) -> None:
        qtbot.waitUntil(lambda: len(asked) == count and not window.jobs.busy, timeout=10_000)
        assert "past your $10 budget" in asked[-1] and window.banner.label.text() == asked[-1]
        assert len(replay.requests_to(CHAT_PATH)) == 1  # the first turn's only: nothing sent
        assert not window.runner.busy and window.conversation.states() == [state]

    widget = window.conversation.widget_for(state.id)
    qtbot.mouseClick(widget.regenerate_button, Qt.MouseButton.LeftButton)  # Regenerate → Cancel
    refused(1)
    window.conversation.select(state.id)
    window.actions_.retry.trigger()
    refused(2)
    widget.open_editor()
    widget.editor.setPlainText("Primes below 1000?")
    qtbot.mouseClick(widget.findChild(QPushButton, "send_edit"), Qt.MouseButton.LeftButton)
    refused(3)
    assert widget.editing() and widget.editor.toPlainText() == "Primes below 1000?"  # kept

    window.ledger.confirm = lambda _parent, sentence: asked.append(sentence) or True
    qtbot.mouseClick(widget.regenerate_button, Qt.MouseButton.LeftButton)  # Send anyway
    qtbot.waitUntil(lambda: len(replay.requests_to(CHAT_PATH)) == 2, timeout=10_000)
    assert len(asked) == 4
    finished(qtbot, window)
