"""A comparison is sent as a turn is: through the same budget gate (asked about, or said in the
banner, exactly like Send), and priced and stored by the same turn controller into the ledger."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt

from client.budget import Budgets, save_budgets
from tests.compare.test_compare import CHAT
from tests.ui.compare.test_compare_view import compare_window  # noqa: F401 - the fixture
from tests.ui.conftest import send
from tests.ui.ledger.test_ledger_ui import seed_month

PROMPT = "What is 2/4?"


def _compare(qtbot, window):
    window.composer.edit.setPlainText(PROMPT)
    dialog = window.compare.open_setup()
    qtbot.waitUntil(lambda: dialog.estimate_label.text().startswith("9 runs:"), timeout=20_000)
    qtbot.mouseClick(dialog.compare_button, Qt.MouseButton.LeftButton)
    return dialog


def test_a_comparison_that_would_cross_a_budget_is_asked_about_and_can_be_refused(
    qtbot,
    compare_window,  # noqa: F811 - the fixture
    replay,
    store,
):
    window = compare_window
    seed_month(store, "9.95")
    save_budgets(store, Budgets(monthly_usd=Decimal(10), ask_before_sending=True))
    asked: list[str] = []
    window.ledger.confirm = lambda _parent, sentence: asked.append(sentence) or False
    dialog = _compare(qtbot, window)
    assert "⚠ This comparison would take this month past your $10 budget" in (
        dialog.estimate_label.text()
    )  # said before Compare, as the next-turn line says it before Send
    qtbot.waitUntil(lambda: len(asked) == 1 and not window.jobs.busy, timeout=10_000)
    # nine runs of up to 128,000 output tokens at $10 a million: up to about $11.52 more
    assert asked[0].startswith("This comparison would take this month past your $10 budget: ")
    assert "$9.95 spent, up to $11." in asked[0]
    assert replay.requests_to(CHAT) == []  # Cancel: nothing sent, nothing stored
    assert window.compare.view_window is None
    assert store.usage_report(by=None)["total"]["queries"] == 1  # the seeded turn alone
    assert window.composer.edit.toPlainText() == PROMPT  # given back, not lost
    assert window.banner.label.text() == asked[0]

    window.ledger.confirm = lambda _parent, sentence: asked.append(sentence) or True
    with qtbot.waitSignal(window.compare.sig_finished, timeout=60_000):
        _compare(qtbot, window)  # Send anyway
    assert len(asked) == 2 and len(replay.requests_to(CHAT)) == 9
    assert not window.banner.isVisibleTo(window)  # read and answered: it does not linger
    assert store.usage_report(by=None)["total"]["queries"] == 10  # every run in the ledger once
    # the cost line at the top of the conversation follows, as after a turn
    qtbot.waitUntil(lambda: "over 9 queries" in window.ledger.summary, timeout=10_000)


def test_a_spent_budget_stops_a_comparison_with_the_question_a_send_gets(
    qtbot,
    compare_window,  # noqa: F811 - the fixture
    replay,
    store,
):
    window = compare_window
    seed_month(store, "10.50")
    save_budgets(store, Budgets(monthly_usd=Decimal(10), ask_before_sending=True))
    asked: list[str] = []
    window.ledger.confirm = lambda _parent, sentence: asked.append(sentence) or False
    send(qtbot, window, PROMPT)
    qtbot.waitUntil(lambda: len(asked) == 1 and not window.jobs.busy, timeout=10_000)
    _compare(qtbot, window)
    qtbot.waitUntil(lambda: len(asked) == 2 and not window.jobs.busy, timeout=10_000)
    spent = "You have spent $10.50 this month, past your $10 budget."
    assert asked[0].startswith(spent) and "This turn would add" in asked[0]
    assert asked[1].startswith(spent) and "This comparison would add up to" in asked[1]
    assert replay.requests_to(CHAT) == [] and window.compare.view_window is None
    assert window.banner.label.text() == asked[1]


def test_without_asking_a_comparison_over_budget_goes_and_the_banner_says_so(
    qtbot,
    compare_window,  # noqa: F811 - the fixture
    replay,
    store,
):
    window = compare_window
    seed_month(store, "9.95")
    save_budgets(store, Budgets(monthly_usd=Decimal(10), ask_before_sending=False))
    asked: list[str] = []
    window.ledger.confirm = lambda _parent, sentence: asked.append(sentence) or False
    finishing = qtbot.waitSignal(window.compare.sig_finished, timeout=60_000)
    _compare(qtbot, window)
    qtbot.waitUntil(lambda: window.compare.view_window is not None, timeout=10_000)
    assert window.banner.isVisibleTo(window)  # said as it goes, as for a turn sent over budget
    assert window.banner.label.text().startswith("This comparison would take this month past")
    finishing.wait()
    assert asked == [] and len(replay.requests_to(CHAT)) == 9
