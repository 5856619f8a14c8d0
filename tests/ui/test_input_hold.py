"""The window shows before its store opens (client/ui/app.py): what the user does meanwhile waits
and then happens, in order (client/ui/input_hold.py).

Input is sent as the platform sends it, to the native window (QTest's QWindow overloads go through
Qt's window-system queue, shortcuts included), not to a widget directly."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLineEdit, QPushButton, QVBoxLayout, QWidget

from client.ui.input_hold import InputHold


def _window(qtbot) -> tuple[QWidget, QLineEdit, QPushButton]:  # type: ignore[no-untyped-def]
    window = QWidget()
    edit, button = QLineEdit(window), QPushButton("Send", window)
    layout = QVBoxLayout(window)
    layout.addWidget(edit)
    layout.addWidget(button)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    edit.setFocus()
    qtbot.waitUntil(edit.hasFocus)
    return window, edit, button


def test_keys_and_clicks_wait_for_release_then_arrive_in_order(qtbot):
    window, edit, button = _window(qtbot)
    clicks: list[str] = []
    hold = InputHold(window)
    handle = window.windowHandle()
    for key in (Qt.Key.Key_A, Qt.Key.Key_B):
        QTest.keyClick(handle, key)
    QTest.mouseClick(
        handle,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
        button.mapTo(window, button.rect().center()),
    )
    assert edit.text() == "" and hold.held >= 4  # nothing reached the widgets yet
    button.clicked.connect(lambda: clicks.append(edit.text()))  # wired meanwhile
    hold.release()
    qtbot.waitUntil(lambda: bool(clicks))
    assert edit.text() == "ab"
    assert clicks == ["ab"]  # the typing first, then the click, as they came


def test_a_shortcut_pressed_meanwhile_runs_its_action_after_release(qtbot):
    window, edit, _button = _window(qtbot)
    action = QAction("Send", window)
    action.setShortcut(QKeySequence("Ctrl+K"))
    window.addAction(action)
    ran: list[bool] = []
    hold = InputHold(window)
    QTest.keyClick(window.windowHandle(), Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    action.triggered.connect(lambda: ran.append(True))  # wired meanwhile
    assert not ran and hold.held >= 1
    hold.release()
    qtbot.waitUntil(lambda: bool(ran))
    assert edit.text() == ""  # the shortcut ran; no "k" was typed


def test_other_windows_are_not_held(qtbot):
    window, _edit, _button = _window(qtbot)
    hold = InputHold(window)
    other = QLineEdit()  # a dialog of its own, say: not held
    qtbot.addWidget(other)
    other.show()
    qtbot.waitExposed(other)
    other.activateWindow()
    other.setFocus()
    qtbot.waitUntil(other.hasFocus)
    QTest.keyClick(other.windowHandle(), Qt.Key.Key_X)
    assert other.text() == "x" and hold.held == 0
    hold.release()
