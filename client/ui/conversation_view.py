"""The centre column: one conversation's turns in a scrolling column, and Ctrl+F to find in it.

The column follows a streaming answer down while the user is at the bottom, and stays put when
they have scrolled up to read. Finding walks through the prompts and answers in order and wraps.
Turns come from the window (stored ones) and from the TurnRunner (live ones); this widget only
shows them and reports what the user clicks.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QUrl, Signal, Slot
from PySide6.QtGui import QKeyEvent, QPalette, QTextDocument
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from client.ui.live import TurnState
from client.ui.turn_view import TurnWidget

EMPTY_HINT = (
    "Ask anything. Enter sends, Shift+Enter adds a line.\n"
    "The answer appears here; the reasoning behind it appears on the right."
)


class FindBar(QWidget):
    """A find field with previous/next; Esc closes it.

    Signals:
        sig_find_requested(str, bool): the text to find, and True to search backwards.
        sig_closed(): the bar was closed.
    """

    sig_find_requested = Signal(str, bool)
    sig_closed = Signal()

    def __init__(self, placeholder: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edit = QLineEdit(self)
        self.edit.setPlaceholderText(placeholder)
        self.edit.setClearButtonEnabled(True)
        self.edit.installEventFilter(self)
        self.result_label = QLabel(self)
        self.result_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.previous_button = QToolButton(self)
        self.previous_button.setText("Previous")
        self.next_button = QToolButton(self)
        self.next_button.setText("Next")
        self.close_button = QToolButton(self)
        self.close_button.setText("Close")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.result_label)
        for button in (self.previous_button, self.next_button, self.close_button):
            layout.addWidget(button)
        self._connect_signals()

    def _connect_signals(self) -> None:
        self.edit.returnPressed.connect(self._on_edit_return_pressed)
        self.edit.textChanged.connect(self._on_edit_text_changed)
        self.previous_button.clicked.connect(self._on_previous_button_clicked)
        self.next_button.clicked.connect(self._on_next_button_clicked)
        self.close_button.clicked.connect(self.close_bar)

    def open_bar(self) -> None:
        self.show()
        self.edit.setFocus()
        self.edit.selectAll()

    def close_bar(self) -> None:
        self.hide()
        self.sig_closed.emit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        # Esc belongs to the find field while it has focus, not to the window's Stop.
        is_key = isinstance(event, QKeyEvent)
        if (
            is_key
            and event.type() == QEvent.Type.ShortcutOverride
            and event.key() == Qt.Key.Key_Escape
        ):
            event.accept()
            return True
        if is_key and event.type() == QEvent.Type.KeyPress:
            if event.key() == Qt.Key.Key_Escape:
                self.close_bar()
                return True
            if (
                event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
                and event.modifiers() & Qt.KeyboardModifier.ShiftModifier
            ):
                self.sig_find_requested.emit(self.edit.text(), True)
                return True
        return False

    @Slot()
    def _on_edit_return_pressed(self) -> None:
        self.sig_find_requested.emit(self.edit.text(), False)

    @Slot(str)
    def _on_edit_text_changed(self, text: str) -> None:
        self.sig_find_requested.emit(text, False)

    @Slot()
    def _on_previous_button_clicked(self) -> None:
        self.sig_find_requested.emit(self.edit.text(), True)

    @Slot()
    def _on_next_button_clicked(self) -> None:
        self.sig_find_requested.emit(self.edit.text(), False)


class ConversationView(QWidget):
    """The turns of one conversation, newest at the bottom.

    Signals:
        sig_turn_selected(object): the TurnState the user selected (or that was added last).
        sig_retry_requested(object): the TurnState whose Retry was pressed.
        sig_link_clicked(QUrl): a link in a prompt or answer (the window's LinkPolicy decides).
        sig_code_copied(int): a code block went to the clipboard.
    """

    sig_turn_selected = Signal(object)
    sig_retry_requested = Signal(object)
    sig_link_clicked = Signal(QUrl)
    sig_code_copied = Signal(int)

    def __init__(self, theme: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.conversation_id: str | None = None
        self._theme = theme
        self._widgets: dict[str, TurnWidget] = {}
        self._selected: str | None = None
        self._stick_to_bottom = True
        self._find_index = 0

        self.scroll = QScrollArea(self)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._column = QWidget()
        self._column.setObjectName("column")
        self._column.setBackgroundRole(QPalette.ColorRole.Base)
        self._column.setAutoFillBackground(True)
        # Palette roles only, so the frames follow the theme.
        self._column.setStyleSheet(
            "QFrame#turn { border: 1px solid palette(mid); border-radius: 6px; }"
            ' QFrame#turn[selected="true"] { border: 2px solid palette(highlight); }'
        )
        self._column_layout = QVBoxLayout(self._column)
        self._column_layout.setContentsMargins(12, 12, 12, 12)
        self._column_layout.setSpacing(12)
        self.empty_label = QLabel(EMPTY_HINT, self._column)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.empty_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self._column_layout.addWidget(self.empty_label, 1)
        self._column_layout.addStretch(0)
        self.scroll.setWidget(self._column)
        self.find_bar = FindBar("Find in this conversation", self)
        self.find_bar.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.scroll, 1)
        layout.addWidget(self.find_bar)
        self._connect_signals()

    def _connect_signals(self) -> None:
        bar = self.scroll.verticalScrollBar()
        bar.rangeChanged.connect(self._on_scrollbar_range_changed)
        bar.valueChanged.connect(self._on_scrollbar_value_changed)
        self.find_bar.sig_find_requested.connect(self._on_find_bar_find_requested)

    # Showing turns

    def show_turns(self, conversation_id: str | None, states: list[TurnState]) -> None:
        for widget in self._widgets.values():
            widget.setParent(None)
            widget.deleteLater()
        self._widgets.clear()
        self._selected = None
        self.conversation_id = conversation_id
        self._stick_to_bottom = True
        for state in states:
            self._append(state)
        self.empty_label.setVisible(not states)
        if states:
            self.select(states[-1].id)
        else:
            self.sig_turn_selected.emit(None)

    def add_turn(self, state: TurnState) -> None:
        self.empty_label.hide()
        self._stick_to_bottom = True
        self._append(state)
        self.select(state.id)

    def truncate_after(self, turn_id: str | None) -> None:
        """Drop the turns shown after `turn_id` (all of them for None): a retry replaces them."""
        ids = list(self._widgets)
        keep = ids.index(turn_id) + 1 if turn_id in self._widgets else 0
        for removed in ids[keep:]:
            widget = self._widgets.pop(removed)
            widget.setParent(None)
            widget.deleteLater()
            if removed == self._selected:
                self._selected = None

    def _append(self, state: TurnState) -> None:
        widget = TurnWidget(state, self._theme, self._column)
        widget.sig_turn_selected.connect(self._on_turn_turn_selected)
        widget.sig_retry_requested.connect(self._on_turn_retry_requested)
        widget.sig_link_clicked.connect(self.sig_link_clicked)
        widget.sig_code_copied.connect(self.sig_code_copied)
        self._widgets[state.id] = widget
        self._column_layout.insertWidget(self._column_layout.count() - 1, widget)

    def refresh_turns(self, turn_ids: tuple[str, ...]) -> None:
        for turn_id in turn_ids:
            widget = self._widgets.get(turn_id)
            if widget is not None:
                widget.refresh()

    def replace_state(self, state: TurnState) -> None:
        """A turn's picture was replaced (a finished turn reloaded from the store)."""
        widget = self._widgets.get(state.id)
        if widget is not None:
            widget.state = state
            widget.render_all()

    def set_theme(self, theme: str) -> None:
        self._theme = theme
        for widget in self._widgets.values():
            widget.set_theme(theme)

    def states(self) -> list[TurnState]:
        return [w.state for w in self._widgets.values()]

    def widget_for(self, turn_id: str) -> TurnWidget | None:
        return self._widgets.get(turn_id)

    # Selection

    def select(self, turn_id: str) -> None:
        if turn_id not in self._widgets:
            return
        if self._selected and self._selected in self._widgets:
            self._widgets[self._selected].set_selected(False)
        self._selected = turn_id
        self._widgets[turn_id].set_selected(True)
        self.sig_turn_selected.emit(self._widgets[turn_id].state)

    def selected_state(self) -> TurnState | None:
        widget = self._widgets.get(self._selected or "")
        return widget.state if widget else None

    # Finding (Ctrl+F)

    def open_find(self) -> None:
        self.find_bar.open_bar()

    def find(self, text: str, backward: bool = False) -> bool:
        """Select the next match after the current one, wrapping; False if there is none."""
        views = [v for w in self._widgets.values() for v in (w.prompt_view, w.answer_view)]
        if not text or not views:
            self.find_bar.result_label.setText("")
            return False
        flags = QTextDocument.FindFlag.FindBackward if backward else QTextDocument.FindFlag(0)
        start = min(self._find_index, len(views) - 1)
        for step in range(len(views) + 1):
            index = (start - step if backward else start + step) % len(views)
            view = views[index]
            if step > 0:  # entering another view: search it from its start (or end)
                cursor = view.textCursor()
                cursor.movePosition(
                    cursor.MoveOperation.End if backward else cursor.MoveOperation.Start
                )
                view.setTextCursor(cursor)
            if view.find(text, flags):
                self._find_index = index
                for other in views:
                    if other is not view:
                        cursor = other.textCursor()
                        cursor.clearSelection()
                        other.setTextCursor(cursor)
                rect = view.cursorRect()
                point = view.viewport().mapTo(self._column, rect.center())
                self.scroll.ensureVisible(point.x(), point.y(), 20, 60)
                self._stick_to_bottom = False
                self.find_bar.result_label.setText("")
                return True
        self.find_bar.result_label.setText("Not found")
        return False

    # Slots

    @Slot(str, bool)
    def _on_find_bar_find_requested(self, text: str, backward: bool) -> None:
        self.find(text, backward)

    @Slot(str)
    def _on_turn_turn_selected(self, turn_id: str) -> None:
        self.select(turn_id)

    @Slot(str)
    def _on_turn_retry_requested(self, turn_id: str) -> None:
        widget = self._widgets.get(turn_id)
        if widget is not None:
            self.sig_retry_requested.emit(widget.state)

    @Slot(int, int)
    def _on_scrollbar_range_changed(self, _minimum: int, maximum: int) -> None:
        if self._stick_to_bottom:
            self.scroll.verticalScrollBar().setValue(maximum)

    @Slot(int)
    def _on_scrollbar_value_changed(self, value: int) -> None:
        self._stick_to_bottom = value >= self.scroll.verticalScrollBar().maximum() - 8
