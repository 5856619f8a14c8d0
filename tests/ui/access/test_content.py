"""What a screen reader reads, not only what it can name: the answer and its cost, the
reasoning, the audit strip, a step with its finding, and the spend chart as words."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible

from tests.ui.audit.test_audit_integration import ANSWER, MESSAGE, REASONING, stream_false_equation

NAME, DESCRIPTION = QAccessible.Text.Name, QAccessible.Text.Description


def _said(widget) -> tuple[str, str, str]:
    """Name, description and the text content, as handed to the screen reader."""
    iface = QAccessible.queryAccessibleInterface(widget)
    text = iface.textInterface()
    content = text.text(0, text.characterCount()) if text is not None else ""
    return iface.text(NAME), iface.text(DESCRIPTION), content


def test_the_answer_its_cost_and_the_reasoning_are_read_out(qtbot, window, replay):
    state = stream_false_equation(qtbot, window, replay)
    turn = window.conversation.widget_for(state.id)
    name, description, content = _said(turn.answer_view)
    assert name == "Answer"
    assert ANSWER in content
    assert description == turn.meta_label.text()  # model, tokens and cost
    assert "qwen3" in description and "out" in description
    assert turn.answer_view.focusPolicy() & Qt.FocusPolicy.TabFocus

    name, _, content = _said(turn.prompt_view)
    assert name == "Your prompt" and "17 notebooks" in content

    name, _, content = _said(window.inspector.text_view)
    assert name == "Reasoning" and content.replace("\u2029", "\n") == REASONING


def test_the_audit_strip_is_reached_by_tab_and_opens_the_steps_with_enter(qtbot, window, replay):
    stream_false_equation(qtbot, window, replay)
    strip = window.inspector.strip_label
    name, _, _ = _said(strip)
    assert name == window.inspector.strip_text()
    assert name.startswith("1 arithmetic error (step 2)")  # steps are counted from 1
    assert strip.focusPolicy() & Qt.FocusPolicy.TabFocus
    window.activateWindow()
    prompt = window.composer.edit  # the last stop before the inspector
    prompt.setFocus()
    qtbot.keyClick(prompt, Qt.Key.Key_Tab)
    assert strip.hasFocus()
    with qtbot.waitSignal(window.inspector.sig_strip_clicked, timeout=2000):
        qtbot.keyClick(strip, Qt.Key.Key_Return)
    assert window.inspector.tabs.currentWidget() is window.audit.page


def test_a_step_is_read_with_its_finding_and_verdict(qtbot, window, replay):
    stream_false_equation(qtbot, window, replay)
    window.audit.open_steps()
    view = window.audit.view
    steps = QAccessible.queryAccessibleInterface(view.step_list)
    rows = [steps.child(i) for i in range(steps.childCount())]
    spoken = [r.text(NAME) for r in rows if r is not None]
    wrong = next(s for s in spoken if "17 × 3 = 41" in s)
    assert wrong.startswith("Step 2, ")  # counted from 1, as the Steps view shows it
    assert MESSAGE in wrong
    view.verdict_panel.choose("spurious")
    rows = [steps.child(i) for i in range(steps.childCount())]
    assert any("Your verdict: spurious" in r.text(NAME) for r in rows if r is not None)


def test_the_spend_chart_has_a_sentence_and_a_table(qtbot, window, replay):
    stream_false_equation(qtbot, window, replay)
    spend = window.ledger.open_spend()
    qtbot.waitUntil(lambda: spend.view.report is not None, timeout=10_000)
    chart = spend.view.chart
    name, description, _ = _said(chart)
    assert name == "Spend chart"
    assert description.endswith((".", ")")) and description == chart.summary_sentence()
    # The figures are in the table too, which a screen reader walks cell by cell.
    table = QAccessible.queryAccessibleInterface(spend.view.table)
    assert table.text(NAME) == "Spend table"
    cells = [table.child(i).text(NAME) for i in range(table.childCount()) if table.child(i)]
    assert any("qwen3" in c for c in cells)
