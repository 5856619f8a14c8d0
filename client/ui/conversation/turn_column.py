"""The scrolling column of turn widgets, built for a window of the branch only, and kept in place.

A conversation can hold hundreds of turns and megabytes of text, and a turn widget costs a
markdown render and a text layout, so the column never builds them all. It keeps every TurnState
of the branch, but widgets only for `states[lo:hi]`: opening builds the newest turns that fill
the viewport (measured at its width before the first paint), and the window grows one turn per
event-loop tick, off a zero timer, while the screen is within a page of either edge. A turn far
outside the window (a search result, a match of Ctrl+F) restarts the window there.

Adding turns above what the user reads must not move it, so the view is anchored: to the bottom
while the user is there (a streaming answer is followed down), else to the turn at the top of
the screen (or a revealed turn, or the text cursor of a found match), and the anchor is applied
again whenever the layout has placed the widgets.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QPalette, QResizeEvent
from PySide6.QtWidgets import QLabel, QScrollArea, QVBoxLayout, QWidget

from client.ui.conversation.live import TurnState

if TYPE_CHECKING:
    from client.ui.conversation.turn_view import TurnWidget

EMPTY_HINT = (
    "Ask anything. Enter sends, Shift+Enter adds a line.\n"
    "The answer appears here; the reasoning behind it appears on the right."
)
FIRST_SCREEN_TURNS = 12  # at most this many turns are built before the first paint
NEAR_GAP = 3  # a turn this close to the built window is reached by growing it, not by a jump


@dataclass(frozen=True)
class _Anchor:
    """Where a turn sits on screen: `screen_y` pixels below the top of the viewport, measured at
    the turn's top, or at the text cursor of its "prompt" or "answer" view (a found match)."""

    turn_id: str
    screen_y: int
    field: str | None = None


class _Column(QWidget):
    """The scrolled widget holding the turns; says when its layout has placed them.

    Signals:
        sig_geometry_changed(): children were laid out again (a turn was built, resized, removed).
    """

    sig_geometry_changed = Signal()

    def event(self, event: QEvent) -> bool:
        handled = super().event(event)  # the layout has already placed the children
        if event.type() in (QEvent.Type.LayoutRequest, QEvent.Type.Resize):
            self.sig_geometry_changed.emit()
        return handled


class TurnColumn(QScrollArea):
    """The turns of one branch; `make_widget(state)` builds a turn's widget when it is needed.

    Signals: none (the turn widgets' signals are connected by whoever makes them).
    """

    def __init__(
        self, make_widget: Callable[[TurnState, QWidget], TurnWidget], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._make_widget = make_widget
        self.states: list[TurnState] = []
        self.index: dict[str, int] = {}
        self._widgets: dict[str, TurnWidget] = {}
        self._lo = self._hi = 0  # the widgets built: states[lo:hi]
        self._stick_to_bottom = True
        self._anchor: _Anchor | None = None
        self._adjusting = False
        self.setWidgetResizable(True)
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._column = _Column()
        self._column.setObjectName("column")
        self._column.setBackgroundRole(QPalette.ColorRole.Base)
        self._column.setAutoFillBackground(True)
        # Palette roles only, so the frames follow the theme.
        self._column.setStyleSheet(
            "QFrame#turn { border: 1px solid palette(mid); border-radius: 6px; }"
            ' QFrame#turn[selected="true"] { border: 2px solid palette(highlight); }'
        )
        self._layout = QVBoxLayout(self._column)
        self._layout.setContentsMargins(12, 12, 12, 12)
        self._layout.setSpacing(12)
        self.earlier_label = self._hint_label()
        self.later_label = self._hint_label()
        self.empty_label = QLabel(EMPTY_HINT, self._column)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.empty_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self._layout.addWidget(self.earlier_label)
        self._layout.addWidget(self.later_label)
        self._layout.addWidget(self.empty_label, 1)
        self._layout.addStretch(0)
        self.setWidget(self._column)
        self._fill_timer = QTimer(self)
        self._fill_timer.setSingleShot(True)
        self._fill_timer.setInterval(0)
        self._connect_signals()

    def _hint_label(self) -> QLabel:
        label = QLabel(self._column)
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        label.hide()
        return label

    def _connect_signals(self) -> None:
        bar = self.verticalScrollBar()
        bar.rangeChanged.connect(self._on_scrollbar_range_changed)
        bar.valueChanged.connect(self._on_scrollbar_value_changed)
        self._column.sig_geometry_changed.connect(self._on_column_geometry_changed)
        self._fill_timer.timeout.connect(self._fill)

    # The branch

    def set_states(self, states: list[TurnState]) -> None:
        """Show a branch from its end: the newest turns now, older ones as the user scrolls up."""
        self.states = list(states)
        self._reindex()
        self._restart_at(len(states))
        self._stick_to_bottom, self._anchor = True, None
        self._build_first_screen()
        self.empty_label.setVisible(not states)

    def append(self, state: TurnState) -> None:
        """A new turn at the end; the view follows it down."""
        self.empty_label.hide()
        self.states.append(state)
        self.index[state.id] = len(self.states) - 1
        if self._hi != len(self.states) - 1:  # the user was reading far above: jump to the end
            self._restart_at(len(self.states) - 1)
        self._build(self._hi)
        self._stick_to_bottom, self._anchor = True, None
        self._update_hints()

    def truncate(self, keep: int) -> list[str]:
        """Drop the turns after the first `keep`; returns their ids."""
        dropped = [state.id for state in self.states[keep:]]
        for turn_id in dropped:
            self._drop_widget(turn_id)
        del self.states[keep:]
        self._reindex()
        self._hi = min(self._hi, keep)
        self._lo = min(self._lo, self._hi)
        self._update_hints()
        return dropped

    def extend(self, states: list[TurnState], screen_y: int) -> None:
        """Add turns at the end, the first of them built and kept `screen_y` below the top."""
        start = len(self.states)
        self.states.extend(states)
        self._reindex()
        self.empty_label.setVisible(not self.states)
        if not states:
            return
        if self._hi != start or self._lo == self._hi:
            self._restart_at(start)
        self._build(start)
        self._stick_to_bottom = False
        self._anchor = _Anchor(states[0].id, screen_y)
        self._update_hints()
        self._schedule_fill()

    def widget(self, turn_id: str) -> TurnWidget | None:
        return self._widgets.get(turn_id)

    def widgets(self) -> Iterator[TurnWidget]:
        return iter(list(self._widgets.values()))

    def built_range(self) -> tuple[int, int]:
        return self._lo, self._hi

    def screen_y(self, turn_id: str) -> int | None:
        """How far below the top of the viewport the turn's top is (None when not built)."""
        widget = self._widgets.get(turn_id)
        return widget.y() - self.verticalScrollBar().value() if widget is not None else None

    # Building widgets for a window of the branch

    def _reindex(self) -> None:
        self.index = {state.id: i for i, state in enumerate(self.states)}

    def _restart_at(self, index: int) -> None:
        """Drop every widget; the built window becomes empty at `index`."""
        for turn_id in list(self._widgets):
            self._drop_widget(turn_id)
        self._lo = self._hi = index
        self._update_hints()

    def _drop_widget(self, turn_id: str) -> None:
        widget = self._widgets.pop(turn_id, None)
        if widget is not None:
            widget.setParent(None)
            widget.deleteLater()

    def _build(self, index: int) -> TurnWidget:
        """Build the widget of states[index], which must be next to the built window."""
        state = self.states[index]
        widget = self._make_widget(state, self._column)
        self._widgets[state.id] = widget
        if index == self._lo - 1:
            self._lo = index
            self._layout.insertWidget(1, widget)  # under the "earlier turns" line
        else:
            assert index == self._hi, "turn widgets are built next to the built window"
            self._layout.insertWidget(1 + self._hi - self._lo, widget)
            self._hi = index + 1
        return widget

    def _build_first_screen(self) -> None:
        """Newest first, until the turns fill the viewport (their height measured at its width)."""
        width = self.viewport().width() - 48  # the column's and the turn's margins and frames
        page, height = self.viewport().height(), 0
        while self._lo > 0 and self._hi - self._lo < FIRST_SCREEN_TURNS:
            widget = self._build(self._lo - 1)
            if width <= 50:  # not laid out yet: a couple of turns, the rest on the next ticks
                if self._hi - self._lo >= 2:
                    break
                continue
            for view in (widget.prompt_view, widget.answer_view):
                view.document().setTextWidth(width)
            height += widget.sizeHint().height() + self._layout.spacing()
            if height > page:
                break
        self._update_hints()
        self._schedule_fill()

    def ensure_built(self, index: int) -> TurnWidget:
        """The widget of states[index]: grow the window to it, or start again there if far."""
        state = self.states[index]
        if state.id in self._widgets:
            return self._widgets[state.id]
        if self._lo - NEAR_GAP <= index < self._lo:
            while self._lo > index:
                self._build(self._lo - 1)
        elif self._lo < self._hi <= index < self._hi + NEAR_GAP:
            while self._hi <= index:
                self._build(self._hi)
        else:
            self._restart_at(index)
            self._build(index)
        self._update_hints()
        self._schedule_fill()
        return self._widgets[state.id]

    def _schedule_fill(self) -> None:
        if not self._fill_timer.isActive():
            self._fill_timer.start()

    @Slot()
    def _fill(self) -> None:
        """Build one turn more where the screen is within a page of the built window's edge;
        then again on the next tick, once the layout has placed it, until a page is built."""
        self._apply_anchor()
        bar, page = self.verticalScrollBar(), self.viewport().height()
        first = self._widgets.get(self.states[self._lo].id) if self._lo < self._hi else None
        if self._lo > 0 and bar.value() - (first.y() if first else 0) < page:
            self._build(self._lo - 1)
        elif self._hi < len(self.states) and bar.maximum() - bar.value() < page:
            self._build(self._hi)
        else:
            return
        self._update_hints()
        self._schedule_fill()

    def _update_hints(self) -> None:
        earlier, later = self._lo, len(self.states) - self._hi
        self.earlier_label.setText(f"↑ {earlier:,} earlier turn{'s' * (earlier != 1)}")
        self.earlier_label.setVisible(earlier > 0)
        self.later_label.setText(f"↓ {later:,} later turn{'s' * (later != 1)}")
        self.later_label.setVisible(later > 0)

    # Keeping the view in place

    def _apply_anchor(self) -> None:
        bar = self.verticalScrollBar()
        target: int | None = None
        if self._stick_to_bottom:
            target = bar.maximum()
        elif self._anchor is not None and (widget := self._widgets.get(self._anchor.turn_id)):
            y = widget.y()
            if self._anchor.field is not None:
                view = widget.prompt_view if self._anchor.field == "prompt" else widget.answer_view
                y += view.mapTo(widget, view.cursorRect().center()).y()
            target = y - self._anchor.screen_y
        if target is not None and target != bar.value():
            self._adjusting = True
            try:
                bar.setValue(target)
            finally:
                self._adjusting = False

    def _anchor_at_top(self) -> _Anchor | None:
        value = self.verticalScrollBar().value()
        for state in self.states[self._lo : self._hi]:
            widget = self._widgets[state.id]
            if widget.y() + widget.height() > value:
                return _Anchor(state.id, widget.y() - value)
        return None

    def reveal(self, turn_id: str, field: str | None = None) -> None:
        """Scroll to the turn (to the text cursor of its "prompt" or "answer", a found match, when
        `field` says) and keep it there, a third of the way down, while turns are built around."""
        if turn_id not in self.index:
            return
        self.ensure_built(self.index[turn_id])
        self._stick_to_bottom = False
        self._anchor = _Anchor(turn_id, self.viewport().height() // 3, field)
        self._apply_anchor()
        self._schedule_fill()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._schedule_fill()

    # Slots

    @Slot()
    def _on_column_geometry_changed(self) -> None:
        self._apply_anchor()

    @Slot(int, int)
    def _on_scrollbar_range_changed(self, _minimum: int, _maximum: int) -> None:
        self._apply_anchor()
        self._schedule_fill()

    @Slot(int)
    def _on_scrollbar_value_changed(self, value: int) -> None:
        if self._adjusting:
            return
        at_end = self._hi == len(self.states)
        self._stick_to_bottom = at_end and value >= self.verticalScrollBar().maximum() - 8
        self._anchor = None if self._stick_to_bottom else self._anchor_at_top()
        self._schedule_fill()
