"""The small things a new user trips over: commands enabled with nothing to act on, two cards
selected at once, a legend entry for nothing, a tab named like its panel, arrows beside a word."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtWidgets import QAbstractSpinBox

from client.budget import SpendReport
from tests.support.chat import simple_stream
from tests.ui.conftest import (
    CHAT_PATH,
    open_stored_conversation,
    send,
    stream_reply,
    use_replay,
)


def test_rename_and_delete_need_a_conversation(qtbot, window, store):
    actions = window.actions_
    window.conversations.new_conversation()
    assert not actions.rename_conversation.isEnabled()
    assert not actions.delete_conversation.isEnabled()
    open_stored_conversation(window, store)
    assert actions.rename_conversation.isEnabled() and actions.delete_conversation.isEnabled()


def test_one_card_carries_the_selection_border(qtbot, window, replay):
    replay.always(CHAT_PATH, stream_reply(simple_stream("Add.", "4")))
    use_replay(window, replay)
    for prompt in ("2 + 2?", "3 + 3?", "4 + 4?"):
        before = len(window.conversation.states())
        send(qtbot, window, prompt)
        qtbot.waitUntil(
            lambda b=before: len(window.conversation.states()) == b + 1 and not window.runner.busy,
            timeout=10_000,
        )
    states = window.conversation.states()
    widgets = [window.conversation.widget_for(s.id) for s in states]
    widgets[0].sig_turn_selected.emit(states[0].id)  # a click on the first card
    window.conversations.open_conversation(
        window.current_id
    )  # shown again: the last turn is selected
    qtbot.waitUntil(lambda: len(window.conversation.states()) == 3)
    shown = [window.conversation.widget_for(s.id) for s in window.conversation.states()]
    selected = [w for w in shown if w is not None and w.property("selected")]
    assert len(selected) == 1


def test_the_legend_names_hidden_reasoning_only_when_some_was_hidden(qtbot):
    from client.ui.ledger.spend_chart import SpendChart, _Bar

    chart = SpendChart()
    qtbot.addWidget(chart)
    chart.bars = [_Bar("gpt-5", Decimal(1), Decimal("0.5"), Decimal(0), "$1")]
    assert "not shown by the provider" not in chart.legend()
    chart.bars.append(_Bar("o3", Decimal(1), Decimal("0.5"), Decimal("0.5"), "$1"))
    assert "not shown by the provider" in chart.legend()
    assert SpendReport  # the chart draws the ledger's report


def test_the_inspector_tab_is_not_named_like_its_panel(window):
    tabs = window.inspector.tabs
    names = [tabs.tabText(i) for i in range(tabs.count())]
    assert window.inspector.title_label.text() not in names and "Steps" in names


def test_the_budget_field_has_no_arrows_beside_its_word(window):
    spin = window.composer.controls.budget_spin
    assert spin.buttonSymbols() is QAbstractSpinBox.ButtonSymbols.NoButtons


def test_a_card_that_loses_the_selection_is_repainted_at_once(qtbot, window, replay):
    from PySide6.QtCore import QEvent, QObject

    replay.always(CHAT_PATH, stream_reply(simple_stream("Add.", "4")))
    use_replay(window, replay)
    for prompt in ("2 + 2?", "3 + 3?"):
        before = len(window.conversation.states())
        send(qtbot, window, prompt)
        qtbot.waitUntil(
            lambda b=before: len(window.conversation.states()) == b + 1 and not window.runner.busy,
            timeout=10_000,
        )
    first, second = (window.conversation.widget_for(s.id) for s in window.conversation.states())
    qtbot.wait(200)  # everything painted

    class Paints(QObject):
        count = 0

        def eventFilter(self, _watched, event):  # noqa: N802 - Qt's name
            if event.type() == QEvent.Type.Paint:
                Paints.count += 1
            return False

    paints = Paints()
    second.installEventFilter(paints)
    first.sig_turn_selected.emit(first.state.id)  # a click on the first card
    qtbot.waitUntil(lambda: Paints.count > 0, timeout=2_000)  # its border is redrawn, not stale
    assert not second.property("selected") and first.property("selected")
