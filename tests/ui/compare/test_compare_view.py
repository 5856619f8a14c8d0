"""The comparison in the window, driven as a user would: Ctrl+Shift+Enter in the prompt, the
settings dialog with its estimate, the view filling in from a real loopback server, the cheapest
setting marked, a run opened in the inspector, a column continued, the view reopened."""

from __future__ import annotations

from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QAbstractSpinBox, QPlainTextEdit

from client.core.prices import PriceOverride
from client.ui.composer.model_picker import ModelChoice
from tests.compare.test_compare import CHAT, SCRIPT, by_effort


@pytest.fixture
def compare_window(window, replay, store, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    store.set_price_override("openai-chat", "gpt-5-mini", PriceOverride(Decimal(1), Decimal(10)))
    replay.respond(CHAT, by_effort(SCRIPT))
    window.composer.set_choice(ModelChoice("openai-chat", "gpt-5-mini", replay.url + "/v1"))
    return window


def _unnamed_controls(root) -> list[str]:
    controls = root.findChildren(QAbstractButton) + root.findChildren(QAbstractSpinBox)
    controls += root.findChildren(QPlainTextEdit)
    return [
        f"{type(c).__name__} {getattr(c, 'text', lambda: '')()!r}"
        for c in controls
        if not c.accessibleName() and c.isVisibleTo(root)
    ]


def _run_comparison(qtbot, window):
    edit = window.composer.edit
    edit.setPlainText("What is 2/4?")
    edit.setFocus()
    qtbot.keyClick(edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)  # fmt: skip
    dialog = window.compare.dialog
    assert dialog is not None and dialog.isVisible()
    assert edit.toPlainText() == "What is 2/4?"  # Ctrl+Shift+Enter neither sent nor added a line
    assert dialog.efforts() == ["low", "medium", "high"]
    assert dialog.samples == 3
    qtbot.waitUntil(lambda: dialog.estimate_label.text().startswith("9 runs:"), timeout=20_000)
    assert "output limit" in dialog.estimate_label.text()  # no history yet
    assert _unnamed_controls(dialog) == []
    with qtbot.waitSignal(window.compare.sig_finished, timeout=60_000):
        qtbot.mouseClick(dialog.compare_button, Qt.MouseButton.LeftButton)
    return window.compare.view_window


def test_low_medium_high_three_samples_show_the_cheapest_setting_giving_the_majority(
    qtbot, compare_window, replay
):
    view_window = _run_comparison(qtbot, compare_window)
    assert len(replay.requests_to(CHAT)) == 9
    view = view_window.view
    shown = view.summary_texts()
    assert list(shown) == ["gpt-5-mini @ low", "gpt-5-mini @ medium", "gpt-5-mini @ high"]
    low, medium, high = shown.values()
    assert medium["cheapest"] and not low["cheapest"] and not high["cheapest"]
    # runs go in parallel: the majority is shown as whichever equal form came first
    assert any(
        medium["summary"].startswith(f"majority {form} · agreement 100%")
        for form in ("\\frac{1}{2}", "0.5", "1/2")
    ), medium["summary"]
    assert "agreement 67%" in low["summary"]
    # answers that agree share a colour, across columns: 1/2 written three ways and 0.5
    assert len(set(medium["colours"] + high["colours"])) == 1
    # low's one "1/2" agrees with medium; its two "1/3" share another colour
    agreeing = [c for c in low["colours"] if c == medium["colours"][0]]
    others = [c for c in low["colours"] if c != medium["colours"][0]]
    assert len(agreeing) == 1 and len(others) == 2 and others[0] == others[1]
    assert "9 runs" in view.status.text() and "gpt-5-mini @ medium" in view.status.text()
    card = view.card(1, 0)
    assert "reasoning" in card.meta.text() and "$" in card.meta.text()
    assert "audit:" in card.meta.text()
    assert _unnamed_controls(view_window) == []
    # the prompt went: the composer is empty, the conversation is listed and shown
    assert compare_window.composer.edit.toPlainText() == ""
    qtbot.waitUntil(lambda: compare_window.current_id is not None, timeout=10_000)
    # the next estimate goes by what these settings wrote: within the outputs seen
    compare_window.composer.edit.setPlainText("What is 3/6?")
    again = compare_window.compare.open_setup()
    qtbot.waitUntil(lambda: "earlier turns" in again.estimate_label.text(), timeout=20_000)
    again.reject()


def test_a_run_opens_in_the_inspector_and_a_column_becomes_the_branch_followed(
    qtbot, compare_window
):
    view = _run_comparison(qtbot, compare_window).view
    qtbot.mouseClick(view.card(2, 1).inspect_button, Qt.MouseButton.LeftButton)
    run = compare_window.compare.comparison.results[(2, 1)].turn
    assert compare_window.inspector.state.turn.id == run.id
    chosen = compare_window.compare.chosen_turn(1)
    qtbot.mouseClick(view.columns[1].continue_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: compare_window.conversation.leaf_id() == chosen.id, timeout=10_000)
    assert chosen.settings.effort == "medium"


def test_reopening_the_conversation_reopens_the_comparison(qtbot, compare_window, store):
    view_window = _run_comparison(qtbot, compare_window)
    conversation_id = compare_window.compare.comparison.plan.conversation_id
    comparison_id = compare_window.compare.comparison.id
    view_window.close()
    compare_window.conversations.new_conversation()
    compare_window.conversations.open_conversation(conversation_id)
    qtbot.waitUntil(lambda: view_window.isVisible(), timeout=10_000)
    assert compare_window.compare.comparison.id == comparison_id
    shown = view_window.view.summary_texts()
    assert shown["gpt-5-mini @ medium"]["cheapest"]
    assert all("streaming" not in a for s in shown.values() for a in s["answers"])


def test_the_spend_view_groups_by_comparison(qtbot, compare_window, store):
    from client.budget import spend_report

    _run_comparison(qtbot, compare_window)
    report = spend_report(store, "all", "comparison")
    (group,) = report.groups
    assert group["queries"] == 9
    assert report.label(group["key"]) == "Compared: What is 2/4?"


def test_stop_all_keeps_finished_runs(qtbot, compare_window, replay):
    from tests.support.chat import chunk
    from tests.support.replay import Reply, sse

    calls = []

    def respond(request):
        calls.append(request)
        if len(calls) >= 2:  # runs after the first hang until stopped
            return Reply(chunks=sse(chunk(content="thinking", model="gpt-5-mini")), hang_s=20)
        return by_effort(SCRIPT)(request)

    replay.respond(CHAT, respond)
    # a server on this machine answers one request at a time: the third waits for the second
    compare_window.composer.set_choice(
        ModelChoice("openai-compatible", "gpt-5-mini", replay.url + "/v1")
    )
    edit = compare_window.composer.edit
    edit.setPlainText("What is 2/4?")
    dialog = compare_window.compare.open_setup()
    dialog.effort_boxes["medium"].setChecked(False)
    dialog.effort_boxes["high"].setChecked(False)
    dialog.samples_spin.setValue(3)
    dialog.accept()  # the budget check first, on the store worker, then the view
    qtbot.waitUntil(lambda: compare_window.compare.view_window is not None, timeout=10_000)
    view = compare_window.compare.view_window.view
    qtbot.waitUntil(lambda: len(calls) == 2, timeout=20_000)
    assert view.stop_button.isVisible()
    with qtbot.waitSignal(compare_window.compare.sig_finished, timeout=20_000):
        qtbot.mouseClick(view.stop_button, Qt.MouseButton.LeftButton)
    results = compare_window.compare.comparison.results
    assert results[(0, 0)].completed
    assert not results[(0, 1)].completed and not results[(0, 2)].completed
    assert len(calls) == 2  # the third was never sent
    assert view.card(0, 0).answer_label.text().startswith("#1 · 1/3")
    assert "not sent" in view.card(0, 2).answer_label.text()


def test_a_run_stopped_before_any_text_is_kept_as_stopped_not_failed(
    qtbot, compare_window, replay, store
):
    from tests.support.replay import Reply

    calls = []

    def respond(request):
        calls.append(request)
        if len(calls) >= 2:  # the second run is sent, and nothing at all comes back
            return Reply(chunks=[], hang_s=20)
        return by_effort(SCRIPT)(request)

    replay.respond(CHAT, respond)
    compare_window.composer.set_choice(
        ModelChoice("openai-compatible", "gpt-5-mini", replay.url + "/v1")
    )  # a server on this machine: one run at a time, so the second waits for the first
    compare_window.composer.edit.setPlainText("What is 2/4?")
    dialog = compare_window.compare.open_setup()
    for effort in ("medium", "high"):
        dialog.effort_boxes[effort].setChecked(False)
    dialog.samples_spin.setValue(2)
    dialog.accept()  # the budget check first, on the store worker, then the view
    qtbot.waitUntil(lambda: compare_window.compare.view_window is not None, timeout=10_000)
    view = compare_window.compare.view_window.view
    second = view.card(0, 1)
    qtbot.waitUntil(lambda: len(calls) == 2, timeout=20_000)
    assert second.stop_button.isVisible()  # stoppable before anything arrived
    with qtbot.waitSignal(compare_window.compare.sig_finished, timeout=20_000):
        qtbot.mouseClick(second.stop_button, Qt.MouseButton.LeftButton)
    assert second.answer_label.text() == "#2 · no final answer · stopped"
    assert second.text.toPlainText() == "Stopped before any answer arrived."
    assert "stopped by you" in second.meta.text()
    assert "fail" not in second.meta.text().lower() and "error" not in second.meta.text().lower()
    assert not second.stop_button.isVisible() and second.inspect_button.isEnabled()
    assert "1 stopped" in view.status.text() and "failed" not in view.status.text()
    # stored like a stopped turn: interrupted, linked to its place in the comparison
    comparison = compare_window.compare.comparison
    stored = store.get_comparison(comparison.id)
    run = stored.runs[(0, 1)]
    assert run.status == "interrupted" and run.answer == ""
    assert run.error is not None and run.error.kind == "cancelled"
    # reopened, it still reads as stopped
    compare_window.compare.view_window.close()
    compare_window.conversations.new_conversation()
    compare_window.conversations.open_conversation(comparison.plan.conversation_id)
    qtbot.waitUntil(lambda: compare_window.compare.view_window.isVisible(), timeout=10_000)
    reopened = compare_window.compare.view_window.view.card(0, 1)
    assert reopened.answer_label.text() == "#2 · no final answer · stopped"


def test_a_finished_run_shows_its_answer_as_the_conversation_does(qtbot):
    # Markdown and maths rendered, as in the conversation, not the raw text with its ** and $…$.
    from client.compare.runner import RunResult
    from client.ui.compare.view import RunCard
    from tests.store.conftest import full_turn

    card = RunCard("gpt-5-mini @ low", 0)
    qtbot.addWidget(card)
    turn = full_turn("c1", answer="**17 × 24 = 408.**\n\nSo $17 \\times 24 = 408$.")
    card.show_result(RunResult(0, 0, turn=turn), None)
    shown = card.text.toPlainText()
    assert "**" not in shown and "$" not in shown and "17 × 24 = 408." in shown
    assert "\\times" not in shown  # the formula is a picture (its source is kept for copying)
    assert card.answer_label.text().startswith("#1 · ")
