"""The bottom of the window: where the user writes, picks a model, and sends or stops.

Enter sends, Shift+Enter adds a line; while the conversation streams, Send becomes Stop (Esc
does the same from anywhere in the window). The model picker and the reasoning controls sit
above the text, with the exact reasoning settings that will be sent, and a button for the
conversation's system prompt. Under the prompt, one line says what the next turn will send, its
share of the model's context window and its cost (the window's ledger works it out). Send only
emits the prompt; the window checks it against the user's budgets and sends it, or gives it back
(`restore_prompt`), with Send held meanwhile (`set_checking`).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QKeyEvent, QPalette
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from client.core.conversation import TurnSettings
from client.ui.composer.model_picker import ModelChoice, ModelPicker
from client.ui.composer.reasoning_controls import ReasoningControls
from client.ui.theme import FOCUS_FRAME

PLACEHOLDER = "Ask anything. Enter sends, Shift+Enter adds a line."
MIN_LINES, MAX_LINES = 3, 10


class PromptEdit(QPlainTextEdit):
    """Multi-line prompt: Enter submits, Shift+Enter inserts a line break.

    Signals:
        sig_submitted(): Enter was pressed (without Shift).
    """

    sig_submitted = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setPlaceholderText(PLACEHOLDER)
        self.setTabChangesFocus(True)
        self.document().documentLayout().documentSizeChanged.connect(self._on_layout_size_changed)
        self._fit()

    def _on_layout_size_changed(self, _size: object) -> None:
        self._fit()

    def _fit(self) -> None:
        """Grow with the text from three lines to ten, then scroll."""
        lines = max(MIN_LINES, min(MAX_LINES, int(self.document().size().height())))
        margins = self.contentsMargins().top() + self.contentsMargins().bottom()
        height = (
            lines * self.fontMetrics().lineSpacing()
            + margins
            + 2 * self.document().documentMargin()
        )
        if height != self.height():
            self.setFixedHeight(int(height))

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
                self.insertPlainText("\n")
            else:
                self.sig_submitted.emit()
            event.accept()
            return
        super().keyPressEvent(event)


class Composer(QWidget):
    """Prompt, model, reasoning settings, system prompt, Send and Stop.

    Signals:
        sig_send_requested(str): the prompt to send (already stripped, never empty).
        sig_stop_requested(): the user pressed Stop.
        sig_choice_changed(object): the ModelChoice picked.
        sig_other_model_requested(): the user wants a model that is not listed.
        sig_system_prompt_requested(): the user wants to edit the system prompt.
        sig_prompt_edited(): the prompt's text changed (the estimate follows it).
    """

    sig_send_requested = Signal(str)
    sig_stop_requested = Signal()
    sig_choice_changed = Signal(object)
    sig_other_model_requested = Signal()
    sig_system_prompt_requested = Signal()
    sig_prompt_edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.streaming = False
        self.checking = False  # a prompt is held while the window checks it (budgets)
        self.picker = ModelPicker(self)
        self.picker.setAccessibleName("Model")  # Qt reads the model chosen: this says what it is
        self.picker.setAccessibleDescription("The model your prompt goes to")
        self.picker_label = QLabel("&Model", self)  # what a Linux screen reader says it is
        self.picker_label.setBuddy(self.picker)
        self.controls = ReasoningControls(self)
        self.system_button = QToolButton(self)
        self.system_button.setText("System prompt")
        self.system_button.setToolTip(
            "The instructions this conversation sends before every prompt"
        )
        self.edit = PromptEdit(self)
        self.edit.setAccessibleName("Prompt")
        self.edit.setStyleSheet(FOCUS_FRAME)
        self.edit.setAccessibleDescription("Enter sends, Shift+Enter starts a new line")
        self.send_button = QPushButton("Send", self)
        self.send_button.setDefault(True)
        self.send_button.setToolTip("Send (Enter)")
        self.stop_button = QPushButton("Stop", self)
        self.stop_button.setToolTip("Stop the answer; what arrived is kept (Esc)")
        self.stop_button.hide()
        self.estimate_label = QLabel(self)
        self.estimate_label.setObjectName("estimate")
        self.estimate_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.estimate_label.setTextFormat(Qt.TextFormat.PlainText)
        self.estimate_label.setWordWrap(True)  # never what makes the window wide
        self.estimate_label.hide()

        top = QHBoxLayout()
        top.addWidget(self.picker_label)
        top.addWidget(self.picker, 1)
        top.addWidget(self.system_button)
        reasoning = QHBoxLayout()
        reasoning.addWidget(self.controls)
        reasoning.addWidget(self.controls.sends_label, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.edit, 1)
        buttons = QVBoxLayout()
        buttons.addWidget(self.send_button)
        buttons.addWidget(self.stop_button)
        buttons.addStretch(1)
        bottom.addLayout(buttons)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 8)
        layout.addLayout(top)
        layout.addLayout(reasoning)
        layout.addLayout(bottom)
        layout.addWidget(self.estimate_label)
        self._connect_signals()
        self._update_buttons()

    def _connect_signals(self) -> None:
        self.edit.sig_submitted.connect(self._on_edit_submitted)
        self.edit.textChanged.connect(self._on_edit_text_changed)
        self.send_button.clicked.connect(self._on_edit_submitted)
        self.stop_button.clicked.connect(self.sig_stop_requested)
        self.picker.sig_choice_changed.connect(self._on_picker_choice_changed)
        self.picker.sig_other_requested.connect(self.sig_other_model_requested)
        self.controls.sig_settings_changed.connect(self._update_buttons)
        self.system_button.clicked.connect(self.sig_system_prompt_requested)

    @property
    def choice(self) -> ModelChoice | None:
        return self.picker.choice

    def set_choice(self, choice: ModelChoice | None) -> None:
        self.picker.set_choice(choice)  # the picker's sig_choice_changed updates the controls

    def settings(self) -> TurnSettings:
        return self.controls.settings()

    def set_streaming(self, streaming: bool) -> None:
        self.streaming = streaming
        self._update_buttons()

    def set_system_prompt_set(self, is_set: bool) -> None:
        self.system_button.setText("System prompt ✓" if is_set else "System prompt")

    def take_prompt(self) -> str:
        text = self.edit.toPlainText().strip()
        self.edit.clear()
        return text

    def restore_prompt(self, text: str) -> None:
        if not self.edit.toPlainText().strip():
            self.edit.setPlainText(text)

    def focus_prompt(self) -> None:
        self.edit.setFocus()

    def set_estimate(self, text: str, tip: str = "", warn: bool = False) -> None:
        """The next-turn line under the prompt ("" hides it); `warn` marks a budget it would cross
        or a context window it would overflow."""
        self.estimate_label.setText(("⚠ " if warn and text else "") + text)
        self.estimate_label.setToolTip(tip)
        role = QPalette.ColorRole.Text if warn else QPalette.ColorRole.PlaceholderText
        self.estimate_label.setForegroundRole(role)
        self.estimate_label.setVisible(bool(text))

    def set_checking(self, checking: bool) -> None:
        """Hold Send while a prompt sent a moment ago is checked against the budgets."""
        self.checking = checking
        self._update_buttons()

    def can_send(self) -> bool:
        return (
            not self.streaming
            and not self.checking
            and self.choice is not None
            and self.controls.sendable
            and bool(self.edit.toPlainText().strip())
        )

    def _update_buttons(self, *_args: object) -> None:
        self.send_button.setVisible(not self.streaming)
        self.stop_button.setVisible(self.streaming)
        self.send_button.setEnabled(self.can_send())

    @Slot()
    def _on_edit_submitted(self) -> None:
        if not self.can_send():
            return
        self.sig_send_requested.emit(self.take_prompt())

    @Slot()
    def _on_edit_text_changed(self) -> None:
        self._update_buttons()
        self.sig_prompt_edited.emit()

    @Slot(object)
    def _on_picker_choice_changed(self, choice: ModelChoice | None) -> None:
        self.controls.set_choice(choice)
        self._update_buttons()
        self.sig_choice_changed.emit(choice)
