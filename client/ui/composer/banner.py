"""A sentence above the composer when a turn could not start, with the way forward as a button.

Errors are sentences where the user is looking, never a modal dialog:
"No API key for Anthropic …" with a Settings… button beside it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget


class Banner(QFrame):
    """A sentence above the composer (a turn that could not start), with an optional action.

    Signals:
        sig_action_clicked(): the action button was pressed.
    """

    sig_action_clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.action_button = QPushButton(self)
        self.close_button = QPushButton("Dismiss", self)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.action_button)
        layout.addWidget(self.close_button)
        self.action_button.clicked.connect(self.sig_action_clicked)
        self.close_button.clicked.connect(self.hide)
        self.hide()

    def say(self, text: str, action: str | None = None) -> None:
        self.label.setText(text)
        self.action_button.setText(action or "")
        self.action_button.setVisible(bool(action))
        self.show()
