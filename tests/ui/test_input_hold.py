"""The window shows before its store opens (client/ui/app.py): what the user does meanwhile waits
and then happens, in order (client/ui/input_hold.py)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QPointF, Qt
from PySide6.QtGui import QKeyEvent, QMouseEvent
from PySide6.QtWidgets import QLineEdit, QPushButton, QVBoxLayout, QWidget

from client.ui.input_hold import InputHold


def _key(text: str, kind: QEvent.Type = QEvent.Type.KeyPress) -> QKeyEvent:
    return QKeyEvent(kind, Qt.Key.Key_A, Qt.KeyboardModifier.NoModifier, text)


def test_keys_and_clicks_wait_for_release_then_arrive_in_order(qtbot, qapp):
    window = QWidget()
    edit, button = QLineEdit(window), QPushButton("Send", window)
    layout = QVBoxLayout(window)
    layout.addWidget(edit)
    layout.addWidget(button)
    qtbot.addWidget(window)
    clicks: list[str] = []
    hold = InputHold(qapp, window)
    for text in "ab":
        QCoreApplication.sendEvent(edit, _key(text))
    centre = QPointF(button.rect().center())
    for kind in (QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease):
        QCoreApplication.sendEvent(
            button,
            QMouseEvent(
                kind,
                centre,
                button.mapToGlobal(centre),
                Qt.MouseButton.LeftButton,
                Qt.MouseButton.LeftButton,
                Qt.KeyboardModifier.NoModifier,
            ),
        )
    assert edit.text() == "" and hold.held == 4  # nothing reached the widgets yet
    button.clicked.connect(lambda: clicks.append(edit.text()))  # wired meanwhile
    hold.release()
    qtbot.waitUntil(lambda: bool(clicks))
    assert edit.text() == "ab"
    assert clicks == ["ab"]  # the typing first, then the click, as they came


def test_other_windows_are_not_held(qtbot, qapp):
    window, other = QWidget(), QLineEdit()
    qtbot.addWidget(window)
    qtbot.addWidget(other)
    hold = InputHold(qapp, window)
    QCoreApplication.sendEvent(other, _key("x"))  # a dialog of its own, say: not held
    assert other.text() == "x" and hold.held == 0
    hold.release()
