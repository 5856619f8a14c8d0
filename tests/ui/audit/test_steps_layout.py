"""The Steps view at 1280×800 on a long trace: nothing needs a sideways scrollbar, the step text
wraps, and the first error is in view as soon as the tab opens."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTabBar

from tests.support.long_trace import seed_long


@pytest.mark.parametrize("size", [(1280, 800), (1400, 860)])
def test_a_long_trace_at_the_first_error_without_sideways_scrolling(
    qtbot, store, make_window, size
):
    conversation, _turn = seed_long(store)
    window = make_window()
    window.resize(*size)
    window.conversations.open_conversation(conversation.id)
    qtbot.waitUntil(lambda: bool(window.conversation.states()), timeout=10_000)
    window.conversation.select(window.conversation.states()[0].id)
    tabs = window.inspector.tabs
    bar = tabs.findChild(QTabBar)
    steps_tab = next(i for i in range(tabs.count()) if tabs.tabText(i) == "Steps")
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(steps_tab).center())
    view = window.audit.view
    qtbot.waitUntil(lambda: view.loaded is not None, timeout=30_000)
    assert view.loaded.audit.first_error_step == 1199
    steps = view.step_list
    current = steps.currentIndex()
    qtbot.waitUntil(
        lambda: (
            current.isValid()
            and steps.viewport().rect().contains(steps.visualRect(current).center())
        ),
        timeout=10_000,
    )
    assert steps.currentIndex().data(Qt.ItemDataRole.DisplayRole).startswith("Step 1200 ·")
    page = window.audit.page
    assert not page.horizontalScrollBar().isVisible()
    assert not steps.horizontalScrollBar().isVisible()
    assert view.width() <= page.viewport().width()
    assert view.minimumSizeHint().width() <= page.viewport().width()  # nothing is cut off
    for button in (view.critic_button, view.export_button, view.verdict_panel.clear_button):
        right = button.mapTo(page.viewport(), button.rect().topRight()).x()
        assert right <= page.viewport().width(), button.text()
    row = steps.visualRect(current)
    assert row.width() <= steps.viewport().width()  # the text wraps inside the list


def test_the_inspector_grows_with_the_window(qtbot, window):
    window.resize(1280, 800)
    qtbot.waitUntil(lambda: window.width() == 1280)
    narrow = window.inspector.width()
    window.resize(1800, 900)
    qtbot.waitUntil(lambda: window.width() == 1800)
    assert window.inspector.width() > narrow + 100
