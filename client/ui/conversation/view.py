"""The centre column: one branch of a conversation, root to leaf, and Ctrl+F to find in it.

The turns sit in a TurnColumn (client/ui/conversation/turn_column.py), which builds widgets only for the part
of a long branch near the screen and keeps the view in place while it grows. This widget is what
the window talks to: it shows a branch, adds the turn that starts, swaps in another version of a
turn with its branch below, selects turns (the inspector follows), finds text (searching turns
not built yet in their text, and building one only when it matches), and reports what the user
asks of a turn: retry, edit, regenerate, another version. Turns come from the window (stored
ones) and from the TurnRunner (live ones); this widget only shows them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QUrl, Signal, Slot
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QVBoxLayout, QWidget

from client.ui.conversation.live import TurnState
from client.ui.conversation.turn_column import TurnColumn
from client.ui.inspector.find_bar import FindBar

if TYPE_CHECKING:  # the turn widget is built once a turn is shown, after the window is up
    from client.ui.conversation.turn_view import TurnWidget

__all__ = ["ConversationView", "FindBar"]


class ConversationView(QWidget):
    """The turns of one branch of a conversation, newest at the bottom.

    Signals:
        sig_turn_selected(object): the TurnState the user selected (or that was added last).
        sig_retry_requested(object): the TurnState whose Retry was pressed.
        sig_link_clicked(QUrl): a link in a prompt or answer (the window's LinkPolicy decides).
        sig_code_copied(int): a code block went to the clipboard.
        sig_edit_submitted(object, str): a TurnState and the edited prompt to send beside it.
        sig_regenerate_requested(object, bool): a TurnState to ask again; True to use the
            composer's model.
        sig_version_requested(object, int): a TurnState and -1/+1: show its previous/next version.
    """

    sig_turn_selected = Signal(object)
    sig_audit_requested = Signal(str)
    sig_retry_requested = Signal(object)
    sig_link_clicked = Signal(QUrl)
    sig_code_copied = Signal(int)
    sig_edit_submitted = Signal(object, str)
    sig_regenerate_requested = Signal(object, bool)
    sig_version_requested = Signal(object, int)

    def __init__(self, theme: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.conversation_id: str | None = None
        self._theme = theme
        self._versions: dict[str, tuple[int, int]] = {}
        self._save_notes: dict[str, str] = {}
        self._selected: str | None = None
        self._audit_marks: dict[str, tuple[int | None, int]] = {}
        self._find_index = 0
        self.scroll = TurnColumn(self._make_widget, self)
        self.find_bar = FindBar("Find in this conversation", self)
        self.find_bar.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.scroll, 1)
        layout.addWidget(self.find_bar)
        self._connect_signals()

    def _connect_signals(self) -> None:
        self.find_bar.sig_find_requested.connect(self._on_find_bar_find_requested)

    def _make_widget(self, state: TurnState, parent: QWidget) -> TurnWidget:
        """A turn's widget, as the column builds it (a turn may be built long after it is shown)."""
        from client.ui.conversation.turn_view import (
            TurnWidget,  # loaded by then (startup.py), but not before
        )

        widget = TurnWidget(state, self._theme, parent)
        widget.set_versions(*self._versions.get(state.id, (1, 1)))
        if note := self._save_notes.get(state.id):
            widget.set_save_note(note)
        widget.set_selected(state.id == self._selected)
        widget.sig_turn_selected.connect(self._on_turn_turn_selected)
        widget.sig_retry_requested.connect(self._on_turn_retry_requested)
        widget.sig_link_clicked.connect(self.sig_link_clicked)
        widget.sig_code_copied.connect(self.sig_code_copied)
        widget.sig_edit_submitted.connect(self._on_turn_edit_submitted)
        widget.sig_regenerate_requested.connect(self._on_turn_regenerate_requested)
        widget.sig_version_requested.connect(self._on_turn_version_requested)
        widget.sig_audit_requested.connect(self.sig_audit_requested)
        widget.set_audit_mark(*self._audit_marks.get(state.id, (None, 0)))
        return widget

    # Showing turns

    def show_turns(self, conversation_id: str | None, states: list[TurnState]) -> None:
        """Show a branch: the newest turns at once, older ones as the user scrolls up."""
        self.conversation_id = conversation_id
        self._versions.clear()
        self._save_notes.clear()
        self._selected = None
        self._find_index = 0
        self.scroll.set_states(states)
        if states:
            self.select(states[-1].id)
        else:
            self.sig_turn_selected.emit(None)

    def add_turn(self, state: TurnState) -> None:
        """A new turn at the end of the branch (it streams); the view follows it down."""
        self.scroll.append(state)
        self.select(state.id)

    def truncate_after(self, turn_id: str | None) -> None:
        """Drop the turns shown after `turn_id` (all of them for None): another version follows."""
        index = self.scroll.index
        dropped = self.scroll.truncate(index[turn_id] + 1 if turn_id in index else 0)
        if self._selected in dropped:
            self._selected = None

    def show_version(self, parent_id: str | None, states: list[TurnState]) -> None:
        """Replace the turns after `parent_id` by another version's branch (`states`, from that
        version down to its leaf), keeping the version where the old one was on screen."""
        if not states:
            return
        shown, index = self.scroll.states, self.scroll.index
        first = index[parent_id] + 1 if parent_id in index else 0
        screen_y = self.scroll.screen_y(shown[first].id) if first < len(shown) else None
        self.truncate_after(parent_id)
        self.scroll.extend(states, screen_y or 0)
        self.select(states[0].id)

    def refresh_turns(self, turn_ids: tuple[str, ...]) -> None:
        for turn_id in turn_ids:
            widget = self.scroll.widget(turn_id)
            if widget is not None:
                widget.refresh()

    def set_theme(self, theme: str) -> None:
        self._theme = theme
        for widget in self.scroll.widgets():
            widget.set_theme(theme)

    def set_versions(self, positions: dict[str, tuple[int, int]]) -> None:
        """Turn id → (its place among its versions, how many): the "‹ 2 / 3 ›" of each turn."""
        self._versions.update(positions)
        for turn_id, (index, count) in positions.items():
            if (widget := self.scroll.widget(turn_id)) is not None:
                widget.set_versions(index, count)

    def set_audit_marks(self, marks: dict[str, tuple[int | None, int]]) -> None:
        """Turn id → (first error step, errors): the marker under each answer whose reasoning
        the audit found an error in ((None, 0): no marker)."""
        self._audit_marks.update(marks)
        for turn_id, mark in marks.items():
            if (widget := self.scroll.widget(turn_id)) is not None:
                widget.set_audit_mark(*mark)

    def set_save_note(self, turn_id: str, sentence: str) -> None:
        """A sentence about saving the turn ("" for none): the disk was full, it is in memory."""
        self._save_notes[turn_id] = sentence
        if (widget := self.scroll.widget(turn_id)) is not None:
            widget.set_save_note(sentence)

    def states(self) -> list[TurnState]:
        """Every turn of the branch shown, root first (built or not)."""
        return list(self.scroll.states)

    def leaf_id(self) -> str | None:
        """The last turn of the branch shown: a prompt sent now continues from it."""
        return self.scroll.states[-1].id if self.scroll.states else None

    def widget_for(self, turn_id: str) -> TurnWidget | None:
        """The turn's widget, or None when it is not built (yet)."""
        return self.scroll.widget(turn_id)

    def built_range(self) -> tuple[int, int]:
        return self.scroll.built_range()

    def reveal(self, turn_id: str, field: str | None = None) -> None:
        """Scroll to the turn (or to the selection in its "prompt" or "answer") and keep it there."""
        self.scroll.reveal(turn_id, field)

    # Selection

    def select(self, turn_id: str) -> None:
        """Select a turn (the inspector follows); one outside the built window is built and shown."""
        index = self.scroll.index
        if turn_id not in index:
            return
        built = self.scroll.widget(turn_id) is not None
        self._selected = turn_id
        widget = self.scroll.ensure_built(index[turn_id])
        # One card carries the selection border: every other built card loses it (a card kept
        # from an earlier branch or version would otherwise keep its own).
        for other in self.scroll.widgets():
            other.set_selected(other is widget)
        if not built:
            self.scroll.reveal(turn_id)
        self.sig_turn_selected.emit(widget.state)

    def selected_state(self) -> TurnState | None:
        return self._state(self._selected or "")

    # Finding (Ctrl+F) and highlighting (a search result)

    def open_find(self) -> None:
        self.find_bar.open_bar()

    def find(self, text: str, backward: bool = False) -> bool:
        """Select the next match after the current one, wrapping; False if there is none.

        Turns not built are searched in their text first and built only when they match."""
        states = self.scroll.states
        fields = [(i, f) for i in range(len(states)) for f in ("prompt", "answer")]
        if not text or not fields:
            self.find_bar.result_label.setText("")
            return False
        flags = QTextDocument.FindFlag.FindBackward if backward else QTextDocument.FindFlag(0)
        folded = text.casefold()
        start = min(self._find_index, len(fields) - 1)
        for step in range(len(fields) + 1):
            index = (start - step if backward else start + step) % len(fields)
            turn, field = fields[index]
            widget = self.scroll.widget(states[turn].id)
            if widget is None:
                state = states[turn]
                source = state.turn.prompt if field == "prompt" else state.answer.text()
                if folded not in source.casefold():
                    continue
                widget = self.scroll.ensure_built(turn)
            view = widget.prompt_view if field == "prompt" else widget.answer_view
            if step > 0:  # entering another view: search it from its start (or end)
                cursor = view.textCursor()
                cursor.movePosition(
                    cursor.MoveOperation.End if backward else cursor.MoveOperation.Start
                )
                view.setTextCursor(cursor)
            if view.find(text, flags):
                self._find_index = index
                self._clear_selections(except_view=view)
                self.scroll.reveal(states[turn].id, field)
                self.find_bar.result_label.setText("")
                return True
        self.find_bar.result_label.setText("Not found")
        return False

    def highlight(self, turn_id: str, field: str, text: str) -> bool:
        """Select the first match of `text` in the turn's prompt or answer and scroll to it."""
        if turn_id not in self.scroll.index or field not in ("prompt", "answer"):
            return False
        widget = self.scroll.ensure_built(self.scroll.index[turn_id])
        view = widget.prompt_view if field == "prompt" else widget.answer_view
        cursor = view.textCursor()
        cursor.movePosition(cursor.MoveOperation.Start)
        view.setTextCursor(cursor)
        found = bool(text) and view.find(text)
        self._clear_selections(except_view=view)
        self.scroll.reveal(turn_id, field if found else None)
        return found

    def _clear_selections(self, except_view: QWidget) -> None:
        for widget in self.scroll.widgets():
            for other in (widget.prompt_view, widget.answer_view):
                if other is not except_view and other.textCursor().hasSelection():
                    cursor = other.textCursor()
                    cursor.clearSelection()
                    other.setTextCursor(cursor)

    # Slots

    def _state(self, turn_id: str) -> TurnState | None:
        index = self.scroll.index.get(turn_id)
        return self.scroll.states[index] if index is not None else None

    @Slot(str, bool)
    def _on_find_bar_find_requested(self, text: str, backward: bool) -> None:
        self.find(text, backward)

    @Slot(str)
    def _on_turn_turn_selected(self, turn_id: str) -> None:
        self.select(turn_id)

    @Slot(str)
    def _on_turn_retry_requested(self, turn_id: str) -> None:
        if (state := self._state(turn_id)) is not None:
            self.sig_retry_requested.emit(state)

    @Slot(str, str)
    def _on_turn_edit_submitted(self, turn_id: str, prompt: str) -> None:
        if (state := self._state(turn_id)) is not None:
            self.sig_edit_submitted.emit(state, prompt)

    @Slot(str, bool)
    def _on_turn_regenerate_requested(self, turn_id: str, use_composer: bool) -> None:
        if (state := self._state(turn_id)) is not None:
            self.sig_regenerate_requested.emit(state, use_composer)

    @Slot(str, int)
    def _on_turn_version_requested(self, turn_id: str, step: int) -> None:
        if (state := self._state(turn_id)) is not None:
            self.sig_version_requested.emit(state, step)
