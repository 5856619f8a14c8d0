"""One turn in the conversation column: the prompt, the answer as it streams, and a line of figures.

The answer is rendered from markdown to safe HTML by client.render. While the turn streams, a
`StreamingDocument` renders only the blocks that finished and the one still growing, and the
widget asks its TurnState only for the parts it has not shown yet; a stored answer is rendered
once. Stopped, interrupted and failed turns say so in a sentence, with Retry.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QUrl, Signal, Slot
from PySide6.QtGui import QGuiApplication, QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from client.ui import describe
from client.ui.browser import AnswerBrowser
from client.ui.links import href_of
from client.ui.live import TurnState
from client.ui.paced import PacedRenderer


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
    """

    sig_turn_selected = Signal(str)
    sig_retry_requested = Signal(str)
    sig_link_clicked = Signal(QUrl)
    sig_code_copied = Signal(int)

    def __init__(self, state: TurnState, theme: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("turn")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setProperty("selected", False)
        self.state = state
        self._theme = theme
        self._shown_parts = 0
        self._shown_generation = -1

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
        self.meta_label = _small(QLabel(self))
        self.meta_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        you = _small(QLabel("You", self))
        status_row = QHBoxLayout()
        status_row.addWidget(self.status_label, 1)
        status_row.addWidget(self.retry_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(4)
        layout.addWidget(you)
        layout.addWidget(self.prompt_view)
        layout.addWidget(self.answer_view)
        layout.addLayout(status_row)
        layout.addWidget(self.notes_label)
        layout.addWidget(self.meta_label)
        self._connect_signals()
        self.render_all()

    def _connect_signals(self) -> None:
        self.retry_button.clicked.connect(self._on_retry_button_clicked)
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
        self.answer_view.setVisible(bool(state.answer.length) or state.streaming)

    # Selection

    def set_selected(self, selected: bool) -> None:
        if self.property("selected") == selected:
            return
        self.setProperty("selected", selected)
        self.style().unpolish(self)
        self.style().polish(self)

    def mousePressEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self.sig_turn_selected.emit(self.state.id)
        super().mousePressEvent(event)

    @Slot()
    def _on_view_pressed(self) -> None:
        self.sig_turn_selected.emit(self.state.id)

    # Slots

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
