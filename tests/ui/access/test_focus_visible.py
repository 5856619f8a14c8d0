"""Focus is always visible, in both themes: each text stop on the first-hour path looks
different with the focus than without it. (Buttons and combo boxes get Fusion's own ring, which
it draws only for a real window's keyboard focus: seen in the screenshots under Xvfb.)"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tests.ui.audit.test_audit_integration import stream_false_equation


def _looks(widget) -> bytes:
    QApplication.processEvents()
    image = widget.grab().toImage()
    return bytes(image.constBits())


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_every_stop_on_the_path_shows_its_focus(qtbot, window, replay, theme):
    window.theme.set_choice(theme)
    try:
        state = stream_false_equation(qtbot, window, replay)
        window.activateWindow()
        qtbot.waitUntil(lambda: window.isActiveWindow(), timeout=2000)
        turn = window.conversation.widget_for(state.id)
        stops = {
            "prompt": window.composer.edit,
            "your prompt": turn.prompt_view,
            "answer": turn.answer_view,
            "audit strip": window.inspector.strip_label,
            "reasoning": window.inspector.text_view,
            "conversations": window.sidebar.list,
        }
        elsewhere = window.inspector.find_bar.edit
        elsewhere.setFocus()
        qtbot.keyClick(elsewhere, Qt.Key.Key_Tab)  # focus moved by keys: styles draw the ring
        unseen = []
        for name, widget in stops.items():
            elsewhere.setFocus(Qt.FocusReason.TabFocusReason)
            QApplication.processEvents()
            without = _looks(widget)
            widget.setFocus(Qt.FocusReason.TabFocusReason)
            qtbot.waitUntil(widget.hasFocus, timeout=2000)
            if _looks(widget) == without:
                unseen.append(name)
        assert unseen == []
    finally:
        window.theme.set_choice("light")
