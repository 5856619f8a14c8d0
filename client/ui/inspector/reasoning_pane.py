"""The reasoning inspector: the selected answer's reasoning, live, with what it is and what it cost.

Reasoning is labelled for what it is (Raw: the model's own words; Summary: the provider's summary
of them; Hidden: billed but not sent), with "thought for N s", its tokens and its cost. Hidden
reasoning gets a plain explanation instead of an empty box. The text is plain (reasoning is read
as prose and nothing in it can become markup) with its formulas typeset (reasoning_text.py),
searchable, and lives in a tab so the audit's step view can sit beside it. Under the
header, a one-line audit strip ("1 arithmetic error (step 12) · raw trace") stays in sight while
the reasoning is read; clicking it opens the steps.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal, Slot
from PySide6.QtGui import QFont, QKeyEvent, QPalette, QTextCursor, QTextDocument
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from client.core.events import TurnStatus, Visibility
from client.ui.conversation import describe
from client.ui.conversation.browser import SafeBrowser
from client.ui.conversation.live import TurnState
from client.ui.conversation.view import FindBar
from client.ui.inspector.reasoning_text import ReasoningWriter
from client.ui.theme import FOCUS_FRAME

NOTHING_SELECTED = "Select an answer to see the reasoning behind it."
NO_REASONING = (
    "This answer came without reasoning: the model answered directly, or the "
    "provider did not say that it reasoned."
)
WAITING = "Waiting for the model…"


def failed_sentence(error_message: str | None) -> str:
    """What the inspector says for a turn whose request failed before any reasoning came."""
    why = f" {error_message.rstrip('.')}." if error_message else ""
    return f"The request failed, so there is no reasoning to show.{why}"


class ReasoningInspector(QWidget):
    """Shows one turn's reasoning and follows it while it streams.

    Signals:
        sig_visibility_shown(str): the visibility now shown ("raw", "summary", "hidden", "none").
        sig_strip_clicked(): the user clicked the audit strip (the window opens the steps).
    """

    sig_visibility_shown = Signal(str)
    sig_strip_clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state: TurnState | None = None
        self._strip_text = ""
        self._shown_parts = 0
        self._shown_chars = 0
        self._shown_generation = -1

        self.title_label = QLabel("Reasoning", self)
        bold = QFont(self.title_label.font())
        bold.setBold(True)
        self.title_label.setFont(bold)
        self.visibility_label = QLabel(self)
        self.visibility_label.setObjectName("visibility")
        self.visibility_label.setFont(bold)
        self.visibility_label.setStyleSheet(
            "QLabel#visibility { border: 1px solid palette(highlight); border-radius: 4px;"
            " padding: 0px 6px; color: palette(link); }"  # link: a text colour, AA on the window
        )
        self.figures_label = QLabel(self)
        self.figures_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.figures_label.setWordWrap(True)
        self.figures_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard  # Tab reaches it: what it cost
        )
        self.strip_label = QLabel(self)
        self.strip_label.setObjectName("audit_strip")
        self.strip_label.setWordWrap(True)
        self.strip_label.setTextFormat(Qt.TextFormat.RichText)  # a link; the words are escaped
        self.strip_label.setToolTip("The audit of this reasoning: click to see the steps.")
        # Tab reaches the strip and Enter opens the steps, as a click on its link does.
        self.strip_label.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.strip_label.setStyleSheet(
            "QLabel#audit_strip:focus { border: 2px solid palette(highlight); border-radius: 3px; }"
        )
        self.strip_label.installEventFilter(self)  # Enter or Space on it opens the steps
        self.strip_label.hide()

        self.text_view = SafeBrowser(self)
        self.text_view.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.text_view.setObjectName("reasoning")
        self.text_view.setAccessibleName("Reasoning")
        self.text_view.setStyleSheet(FOCUS_FRAME)
        self._writer = ReasoningWriter(self.text_view.document)
        self.find_bar = FindBar("Search the reasoning", self)
        self.find_bar.close_button.hide()  # always there: searching is what the inspector is for
        self.message_label = QLabel(self)
        self.message_label.setWordWrap(True)
        self.message_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message_label.setContentsMargins(8, 8, 8, 8)

        text_page = QWidget(self)
        text_layout = QVBoxLayout(text_page)
        text_layout.setContentsMargins(0, 0, 0, 0)
        text_layout.setSpacing(2)
        text_layout.addWidget(self.find_bar)
        text_layout.addWidget(self.text_view, 1)
        self.pages = QStackedWidget(self)
        self.pages.addWidget(text_page)
        self.pages.addWidget(self.message_label)
        self.tabs = QTabWidget(self)
        self.tabs.setAccessibleName("Reasoning inspector")  # AT-SPI lists it as focusable
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.pages, "Text")  # the panel is titled Reasoning already

        header = QHBoxLayout()
        header.addWidget(self.title_label)
        header.addWidget(self.visibility_label)
        header.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(header)
        layout.addWidget(self.figures_label)
        layout.addWidget(self.strip_label)
        layout.addWidget(self.tabs, 1)
        self._connect_signals()
        self.show_turn(None)

    def _connect_signals(self) -> None:
        self.find_bar.sig_find_requested.connect(self._on_find_bar_find_requested)
        self.strip_label.linkActivated.connect(self._on_strip_label_link_activated)
        self.tabs.currentChanged.connect(self._on_tabs_current_changed)

    def add_view(self, widget: QWidget, title: str) -> int:
        """Room for more views of the same reasoning (the audit's steps): a tab beside it."""
        return self.tabs.addTab(widget, title)

    def set_audit_strip(self, text: str) -> None:
        """The one-line audit of the turn shown ("" hides it); a link to the steps."""
        self._strip_text = text
        import html  # not at start-up: no turn is audited before the first frame

        link = f'<a href="steps">{html.escape(text)}</a>' if text else ""
        self.strip_label.setText(link)
        self._update_strip()

    def _update_strip(self) -> None:
        # On the steps tab the audit view says the same thing at its top.
        on_reasoning = self.tabs.currentIndex() == 0
        self.strip_label.setVisible(bool(self._strip_text) and on_reasoning)

    def strip_text(self) -> str:
        return self._strip_text

    # Showing a turn

    def show_turn(self, state: TurnState | None) -> None:
        if state is None or self.state is None or state.id != self.state.id:
            self.find_bar.reset()  # a search and its count belong to the turn they were made in
        self.state = state
        self.set_audit_strip("")
        self._shown_parts = 0
        self._shown_chars = 0
        self._shown_generation = -1
        self._writer.set_text("")
        self.refresh()

    def refresh(self) -> None:
        state = self.state
        if state is None:
            self._show_message("", "", NOTHING_SELECTED)
            return
        visibility = state.visibility
        label = describe.VISIBILITY_LABELS[visibility]
        if visibility is Visibility.HIDDEN:
            self._show_message(
                label, describe.reasoning_figures(state), describe.hidden_explanation(state)
            )
        elif visibility is Visibility.NONE and state.status is TurnStatus.ERROR:
            error = state.turn.error
            self._show_message("", "", failed_sentence(error.message if error else None))
        elif visibility is Visibility.NONE:
            waiting = state.streaming and not state.answer.length
            self._show_message(
                "" if waiting else label,
                describe.reasoning_figures(state),
                WAITING if waiting else NO_REASONING,
            )
        else:
            self._show_text(state)
        self.visibility_label.setToolTip(describe.VISIBILITY_TIPS[visibility])
        self.sig_visibility_shown.emit(str(visibility))

    def _show_message(self, label: str, figures: str, message: str) -> None:
        self.visibility_label.setText(label)
        self.visibility_label.setVisible(bool(label))  # no empty badge when there is no label
        self.figures_label.setText(figures)
        self.figures_label.setVisible(bool(figures))
        self.message_label.setText(message)
        self.pages.setCurrentIndex(1)

    def _show_text(self, state: TurnState) -> None:
        self.visibility_label.setText(describe.VISIBILITY_LABELS[state.visibility])
        self.visibility_label.setVisible(True)
        figures = describe.reasoning_figures(state)
        self.figures_label.setText(figures)
        self.figures_label.setVisible(bool(figures))
        self.pages.setCurrentIndex(0)
        bar = self.text_view.verticalScrollBar()
        at_bottom = bar.value() >= bar.maximum() - 4
        if state.generation != self._shown_generation:
            self._shown_generation = state.generation
            self._shown_parts = len(state.reasoning)
            self._shown_chars = state.reasoning.length
            self._writer.set_text(state.reasoning.text())
        elif len(state.reasoning) > self._shown_parts:
            delta = state.reasoning.since(self._shown_parts)
            self._shown_parts = len(state.reasoning)
            self._shown_chars += len(delta)
            self._writer.append(delta)
        if state.streaming and at_bottom:
            bar.setValue(bar.maximum())

    def text(self) -> str:
        """The reasoning shown, formulas as their sources."""
        return self._writer.text()

    @property
    def shown_chars(self) -> int:
        """Characters of the reasoning in the view so far (the stream benchmark reads it)."""
        return self._shown_chars

    # Search within the reasoning

    def open_find(self) -> None:
        self.find_bar.open_bar()

    def find(self, text: str, backward: bool = False) -> bool:  # type: ignore[override]
        if not text:
            self.find_bar.result_label.setText("")
            return False
        flags = QTextDocument.FindFlag.FindBackward if backward else QTextDocument.FindFlag(0)
        found = self.text_view.find(text, flags)
        if not found:  # wrap around once
            cursor = self.text_view.textCursor()
            cursor.movePosition(
                QTextCursor.MoveOperation.End if backward else QTextCursor.MoveOperation.Start
            )
            self.text_view.setTextCursor(cursor)
            found = self.text_view.find(text, flags)
        total = self.state.reasoning.text().lower().count(text.lower()) if self.state else 0
        self.find_bar.result_label.setText(f"{total:,} found" if found else "Not found")
        return found

    @Slot(str, bool)
    def _on_find_bar_find_requested(self, text: str, backward: bool) -> None:
        self.find(text, backward)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if (
            watched is self.strip_label
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space)
        ):
            self.sig_strip_clicked.emit()
            return True
        return super().eventFilter(watched, event)

    @Slot(str)
    def _on_strip_label_link_activated(self, _link: str) -> None:
        self.sig_strip_clicked.emit()

    @Slot(int)
    def _on_tabs_current_changed(self, _index: int) -> None:
        self._update_strip()
