"""The first screen when nothing is configured: the local servers found, and a way to add a key.

Never a dead end: every state offers a next step. While discovery runs it says so; when servers
answer, each model is one click away; when none does, it says how to start one and offers to
look again, to add an API key, or to type any OpenAI-compatible server's address.
"""

from __future__ import annotations

from typing import Any

import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from client.ui.composer.model_picker import ModelChoice

INTRO = (
    "Thinkpane shows a model's answer beside the reasoning behind it, and keeps a ledger "
    "of what every question cost. To begin, pick a model running on this computer, or add "
    "an API key for a provider."
)
NONE_FOUND = (
    "No local model server answered. Start Ollama, LM Studio, llama.cpp or vLLM and "
    "look again, or add an API key."
)
MAX_MODEL_BUTTONS = 8


class WelcomePage(QWidget):
    """First-run page.

    Signals:
        sig_model_chosen(object): a ModelChoice from a local server the user clicked.
        sig_settings_requested(): the user wants to add an API key.
        sig_discover_requested(): look for local servers again.
        sig_other_model_requested(): type any provider, model and address.
    """

    sig_model_chosen = Signal(object)
    sig_settings_requested = Signal()
    sig_discover_requested = Signal()
    sig_other_model_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        title = QLabel("Welcome to Thinkpane", self)
        font = QFont(title.font())
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        title.setFont(font)
        intro = QLabel(INTRO, self)
        intro.setWordWrap(True)
        self.servers_label = QLabel("Looking for model servers on this computer…", self)
        self.servers_label.setWordWrap(True)
        self._server_area = QVBoxLayout()
        self.discover_button = QPushButton("Look again", self)
        self.key_button = QPushButton("Add an API key…", self)
        self.other_button = QPushButton("Use another server…", self)
        actions = QHBoxLayout()
        for button in (self.key_button, self.other_button, self.discover_button):
            actions.addWidget(button)
        actions.addStretch(1)
        column = QVBoxLayout()
        column.addWidget(title)
        column.addWidget(intro)
        column.addSpacing(12)
        column.addWidget(self.servers_label)
        column.addLayout(self._server_area)
        column.addSpacing(12)
        column.addLayout(actions)
        column.addStretch(1)
        outer = QHBoxLayout(self)
        outer.addStretch(1)
        outer.addLayout(column, 4)
        outer.addStretch(1)
        outer.setContentsMargins(24, 40, 24, 24)
        self._connect_signals()

    def _connect_signals(self) -> None:
        self.discover_button.clicked.connect(self._on_discover_button_clicked)
        self.key_button.clicked.connect(self.sig_settings_requested)
        self.other_button.clicked.connect(self.sig_other_model_requested)

    def _on_discover_button_clicked(self) -> None:
        self.servers_label.setText("Looking for model servers on this computer…")
        self.sig_discover_requested.emit()

    def set_servers(self, servers: list[Any]) -> None:
        """Show discovery's result: LocalServer values (kind, base_url, provider, models)."""
        while self._server_area.count():
            item = self._server_area.takeAt(0)
            if item is None:
                continue
            if (widget := item.widget()) is not None:
                widget.deleteLater()
            shiboken6.delete(item)  # ours now; its wrapper would outlive it (see tab_order.py)
        if not servers:
            self.servers_label.setText(NONE_FOUND)
            return
        count = sum(len(s.models) for s in servers)
        self.servers_label.setText(
            f"Found on this computer ({count} model{'s' if count != 1 else ''}): "
            "click one to start."
        )
        for server in servers:
            for model in list(server.models)[:MAX_MODEL_BUTTONS]:
                choice = ModelChoice(server.provider, model, server.base_url)
                button = QPushButton(f"{model}  ({server.kind} at {server.base_url})", self)
                button.setStyleSheet("text-align: left; padding: 4px 8px;")
                button.clicked.connect(lambda _=False, c=choice: self.sig_model_chosen.emit(c))
                self._server_area.addWidget(button, 0, Qt.AlignmentFlag.AlignLeft)
            if not server.models:
                note = QLabel(
                    f"{server.kind} at {server.base_url} answered but lists no model yet.", self
                )
                self._server_area.addWidget(note)
