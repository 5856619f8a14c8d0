"""One turn in the conversation column: the prompt, the answer as it streams, and a line of figures.

The answer is rendered from markdown to safe HTML by client.render. While the turn streams, a
`StreamingDocument` renders only the blocks that finished and the one still growing, and the
widget asks its TurnState only for the parts it has not shown yet; a stored answer is rendered
once. Stopped, interrupted and failed turns say so in a sentence, with Retry.

Nothing is ever overwritten: Edit opens the prompt in place and sends the edited text as a new
version of the turn, Regenerate asks again (with the turn's model, or the one chosen in the
composer), and "‹ 2 / 3 ›" steps between the versions. The widget only reports those wishes;
the window's HistoryController (client/ui/history/controller.py) acts on them.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, QUrl, Signal, Slot
from PySide6.QtGui import QGuiApplication, QPalette
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from client.ui.conversation import describe
from client.ui.conversation.browser import AnswerBrowser
from client.ui.conversation.links import href_of
from client.ui.conversation.live import TurnState
from client.ui.conversation.paced import PacedRenderer

EDIT_TIP = "Edit this prompt and send it as a new version; this version stays as it is"
REGENERATE_TIP = (
    "Ask again with the same prompt and model; the answer becomes a new version beside this one"
)
CHOSEN_MODEL_TEXT = "Regenerate with the Model Chosen Below"


def _small(label: QLabel) -> QLabel:
    font = label.font()
    font.setPointSizeF(max(7.0, font.pointSizeF() * 0.9))
    label.setFont(font)
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    return label


class TurnWidget(QFrame):
    """The prompt, the answer and the figures of one turn.

    Signals:
        sig_turn_selected(str): the user clicked this turn (its id); the inspector follows.
        sig_retry_requested(str): the user pressed Retry on this turn (its id).
        sig_link_clicked(QUrl): a link in the prompt or answer that is not a code Copy link.
        sig_code_copied(int): code block N of the answer went to the clipboard.
        sig_edit_submitted(str, str): this turn's id and the edited prompt to send as a new
            version of it.
        sig_regenerate_requested(str, bool): this turn's id; True to use the model chosen in the
            composer, False for the turn's own model and settings.
        sig_version_requested(str, int): this turn's id and -1 or +1: show the version before
            or after it.
    """

    sig_turn_selected = Signal(str)
    sig_retry_requested = Signal(str)
    sig_link_clicked = Signal(QUrl)
    sig_code_copied = Signal(int)
    sig_edit_submitted = Signal(str, str)
    sig_regenerate_requested = Signal(str, bool)
    sig_version_requested = Signal(str, int)
    sig_audit_requested = Signal(str)

    def __init__(self, state: TurnState, theme: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("turn")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setProperty("selected", False)
        self.state = state
        self._theme = theme
        self._shown_parts = 0
        self._shown_generation = -1
        self._editor: QPlainTextEdit | None = None
        self._editor_row: QWidget | None = None

        self.previous_button = self._tool_button("‹", "The previous version of this turn")
        self.version_label = _small(QLabel(self))
        self.next_button = self._tool_button("›", "The next version of this turn")
        self.edit_button = self._tool_button("Edit", EDIT_TIP)
        self.regenerate_button = self._tool_button("Regenerate", REGENERATE_TIP)
        self.regenerate_button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        menu = QMenu(self.regenerate_button)
        self.chosen_model_action = menu.addAction(CHOSEN_MODEL_TEXT)
        self.chosen_model_action.setToolTip(
            "Ask again with the model, effort and budget chosen in the composer"
        )
        self.regenerate_button.setMenu(menu)
        self.set_versions(1, 1)
        self.prompt_view = AnswerBrowser(self)
        self.prompt_view.setObjectName("prompt")
        self.prompt_view.viewport().setBackgroundRole(QPalette.ColorRole.Window)
        self.prompt_view.viewport().setAutoFillBackground(True)
        self.answer_view = AnswerBrowser(self)
        self.answer_view.setObjectName("answer")
        self._renderer = PacedRenderer(self.answer_view.document(), self)
        self.status_label = QLabel(self)
        self.status_label.setWordWrap(True)
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.retry_button = QPushButton("Retry", self)
        self.retry_button.setToolTip("Send this prompt again, with the same model and settings")
        self.notes_label = _small(QLabel(self))
        self.notes_label.setWordWrap(True)
        # Under the answer when the audit found an error in the reasoning: a link to the Steps.
        self.audit_label = _small(QLabel(self))
        self.audit_label.setObjectName("audit_mark")
        self.audit_label.setTextFormat(Qt.TextFormat.RichText)
        self.audit_label.setAccessibleName("The audit found an error: open the steps")
        self.audit_label.hide()
        self.meta_label = _small(QLabel(self))
        self.meta_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.save_label = QLabel(self)
        self.save_label.setObjectName("save_note")
        self.save_label.setWordWrap(True)
        self.save_label.hide()
        # While streaming, the status line is re-read every second: it says how long the stream
        # has been silent once that is a while (no event comes to trigger it then).
        self._silence_timer = QTimer(self)
        self._silence_timer.setInterval(1000)
        self._silence_timer.timeout.connect(self._refresh_labels)

        header = QHBoxLayout()
        header.setSpacing(2)
        header.addWidget(_small(QLabel("You", self)))
        header.addStretch(1)
        for widget in (self.previous_button, self.version_label, self.next_button):
            header.addWidget(widget)
        header.addSpacing(8)
        header.addWidget(self.edit_button)
        header.addWidget(self.regenerate_button)
        status_row = QHBoxLayout()
        status_row.addWidget(self.status_label, 1)
        status_row.addWidget(self.retry_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(4)
        layout.addLayout(header)
        layout.addWidget(self.prompt_view)
        layout.addWidget(self.answer_view)
        layout.addLayout(status_row)
        layout.addWidget(self.save_label)
        layout.addWidget(self.notes_label)
        layout.addWidget(self.audit_label)
        layout.addWidget(self.meta_label)
        self._connect_signals()
        self.render_all()

    def _tool_button(self, text: str, tip: str) -> QToolButton:
        button = QToolButton(self)
        button.setText(text)
        button.setToolTip(tip)
        button.setAutoRaise(True)
        return button

    def _connect_signals(self) -> None:
        self.previous_button.clicked.connect(self._on_previous_button_clicked)
        self.next_button.clicked.connect(self._on_next_button_clicked)
        self.edit_button.clicked.connect(self.open_editor)
        self.regenerate_button.clicked.connect(self._on_regenerate_button_clicked)
        self.chosen_model_action.triggered.connect(self._on_chosen_model_action_triggered)
        self.retry_button.clicked.connect(self._on_retry_button_clicked)
        self.audit_label.linkActivated.connect(self._on_audit_label_link_activated)
        self.prompt_view.sig_link_clicked.connect(self._on_prompt_view_link_clicked)
        self.answer_view.sig_link_clicked.connect(self._on_answer_view_link_clicked)
        for view in (self.prompt_view, self.answer_view):
            view.sig_pressed.connect(self._on_view_pressed)

    # Rendering

    def set_theme(self, theme: str) -> None:
        if theme != self._theme:
            self._theme = theme
            self.render_all()

    def render_all(self) -> None:
        """Render the prompt and everything of the answer so far, from scratch."""
        from client.render import render_markdown

        state = self.state
        self.prompt_view.setHtml(render_markdown(state.turn.prompt, theme=self._theme))
        self._shown_generation = state.generation
        self._shown_parts = len(state.answer)
        if state.streaming:
            self._renderer.start(state.answer.text(), self._theme)
        else:
            self._renderer.set_html(render_markdown(state.answer.text(), theme=self._theme))
        self._refresh_labels()

    def refresh(self) -> None:
        """Show what arrived since the last call (cheap: only the new parts are rendered)."""
        state = self.state
        if state.generation != self._shown_generation:
            self.render_all()
            return
        if self._renderer.active:
            if len(state.answer) > self._shown_parts:
                delta = state.answer.since(self._shown_parts)
                self._shown_parts = len(state.answer)
                self._renderer.feed(delta)
            if not state.streaming:
                self._renderer.finish()
        self._refresh_labels()

    @property
    def rendering(self) -> bool:
        """True while received answer text is still waiting to be rendered."""
        return self._renderer.pending > 0

    def _refresh_labels(self) -> None:
        state = self.state
        sentence = describe.status_sentence(state)
        self.status_label.setText(sentence)
        self.status_label.setVisible(bool(sentence))
        self.retry_button.setVisible(describe.can_retry(state))
        notes = describe.notes(state)
        self.notes_label.setText(notes)
        self.notes_label.setVisible(bool(notes))
        self.meta_label.setText(describe.meta_line(state))
        self.meta_label.setToolTip(describe.cost_tip(state))  # which rates, from where
        self.answer_view.setVisible(bool(state.answer.length) or state.streaming)
        if state.streaming != self._silence_timer.isActive():
            if state.streaming:
                self._silence_timer.start()
            else:
                self._silence_timer.stop()
        self.regenerate_button.setEnabled(not state.streaming)
        self.edit_button.setEnabled(not state.streaming)

    # Versions (branches) and saving

    def set_versions(self, index: int, count: int) -> None:
        """This turn is version `index` (1-based) of `count`; the navigator shows when count > 1."""
        several = count > 1
        for widget in (self.previous_button, self.version_label, self.next_button):
            widget.setVisible(several)
        self.version_label.setText(f"{index} / {count}")
        self.version_label.setToolTip(f"Version {index} of {count} of this turn")
        self.previous_button.setEnabled(index > 1)
        self.next_button.setEnabled(index < count)

    def set_audit_mark(self, first_error_step: int | None, errors: int = 0) -> None:
        """Say under the answer that the audit found an error in the reasoning (None: hide)."""
        if first_error_step is None:
            self.audit_label.hide()
            return
        more = f" and {errors - 1} more" if errors > 1 else ""
        self.audit_label.setText(
            f"⚠ The audit found an error in the reasoning (step {first_error_step + 1}{more}). "
            '<a href="steps">Show the steps</a>'
        )
        self.audit_label.show()

    @Slot(str)
    def _on_audit_label_link_activated(self, _href: str) -> None:
        self.sig_audit_requested.emit(self.state.id)

    def set_save_note(self, sentence: str) -> None:
        """A sentence about saving this turn ("" hides it): a full disk, and then that it is saved."""
        self.save_label.setText(sentence)
        self.save_label.setVisible(bool(sentence))

    # Editing the prompt in place

    def open_editor(self) -> None:
        """Show the prompt as editable text with Send and Cancel (built on first use)."""
        if self._editor is None:
            self._editor = QPlainTextEdit(self)
            self._editor.setObjectName("prompt_editor")
            self._editor.setTabChangesFocus(True)
            self._editor_row = QWidget(self)
            send = QPushButton("Send as New Version", self._editor_row)
            send.setObjectName("send_edit")
            send.setToolTip(EDIT_TIP)
            cancel = QPushButton("Cancel", self._editor_row)
            row = QHBoxLayout(self._editor_row)
            row.setContentsMargins(0, 0, 0, 0)
            row.addStretch(1)
            row.addWidget(cancel)
            row.addWidget(send)
            layout = self.layout()
            index = layout.indexOf(self.prompt_view)
            layout.insertWidget(index + 1, self._editor)
            layout.insertWidget(index + 2, self._editor_row)
            send.clicked.connect(self._on_send_edit_clicked)
            cancel.clicked.connect(self.close_editor)
        self._editor.setPlainText(self.state.turn.prompt)
        self.prompt_view.hide()
        self._editor.show()
        self._editor_row.show()
        self._editor.setFocus()

    @property
    def editor(self) -> QPlainTextEdit | None:
        return self._editor

    def editing(self) -> bool:
        return self._editor is not None and self._editor.isVisibleTo(self)

    def close_editor(self) -> None:
        if self._editor is not None:
            self._editor.hide()
            self._editor_row.hide()
        self.prompt_view.show()

    # Selection

    def set_selected(self, selected: bool) -> None:
        if self.property("selected") == selected:
            return
        self.setProperty("selected", selected)
        self.style().unpolish(self)
        self.style().polish(self)
        self.update()  # repaint now: a deselected card kept its border on screen until redrawn

    def mousePressEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self.sig_turn_selected.emit(self.state.id)
        super().mousePressEvent(event)

    @Slot()
    def _on_view_pressed(self) -> None:
        self.sig_turn_selected.emit(self.state.id)

    # Slots

    @Slot()
    def _on_previous_button_clicked(self) -> None:
        self.sig_version_requested.emit(self.state.id, -1)

    @Slot()
    def _on_next_button_clicked(self) -> None:
        self.sig_version_requested.emit(self.state.id, 1)

    @Slot()
    def _on_regenerate_button_clicked(self) -> None:
        self.sig_regenerate_requested.emit(self.state.id, False)

    @Slot()
    def _on_chosen_model_action_triggered(self) -> None:
        self.sig_regenerate_requested.emit(self.state.id, True)

    @Slot()
    def _on_send_edit_clicked(self) -> None:
        text = self._editor.toPlainText().strip() if self._editor is not None else ""
        if text:
            self.close_editor()
            self.sig_edit_submitted.emit(self.state.id, text)

    @Slot()
    def _on_retry_button_clicked(self) -> None:
        self.sig_retry_requested.emit(self.state.id)

    @Slot(QUrl)
    def _on_prompt_view_link_clicked(self, url: QUrl) -> None:
        self._follow(url, self.state.turn.prompt)

    @Slot(QUrl)
    def _on_answer_view_link_clicked(self, url: QUrl) -> None:
        self._follow(url, self.state.answer.text())

    def _follow(self, url: QUrl, text: str) -> None:
        from client.render import code_blocks, copy_block_index

        index = copy_block_index(href_of(url))
        if index is None:
            self.sig_link_clicked.emit(url)
            return
        blocks = code_blocks(text)
        if 0 <= index < len(blocks):
            QGuiApplication.clipboard().setText(blocks[index])
            self.sig_code_copied.emit(index)
