"""Opening a Ctrl+K result where it was found: its branch, its turn, the match selected.

A result can sit on any branch of its conversation, so it opens on the branch through its turn
(`Store.leaf_of`: from the turn, the newest version below it, down to the end), scrolled to the
turn with the words selected: in the prompt or the answer, or, for a match in the reasoning, in
the inspector's own search field, so the user sees what was searched and can step to the next
match. The words selected are the user's as typed when they stand together as whole words, else
the first word the snippet marked.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal, Slot

if TYPE_CHECKING:  # the dialog is built on the first Ctrl+K, not while the window starts
    from client.ui.history.search_dialog import SearchDialog, SearchHit


def match_term(query: str, text: str, marked: list[str]) -> str:
    """What to select in `text` for a search: the words as typed when they stand together as
    whole words, else the first word marked in the snippet (a word still being typed is marked
    whole: "orch" selects "orchard"), else the first word typed that is there."""
    phrase = " ".join(query.split())
    folded = text.lower()
    if phrase and re.search(rf"(?<!\w){re.escape(phrase.lower())}(?!\w)", folded):
        return phrase
    for candidate in (*marked, phrase, *query.split()):
        if candidate and candidate.lower() in folded:
            return candidate
    return phrase


class SearchResults(QObject):
    """The window's Ctrl+K dialog, and the way from a chosen result to the match on screen.

    Signals:
        sig_hit_shown(object): the SearchHit now shown, its match selected.
    """

    sig_hit_shown = Signal(object)

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self._window = window
        self.dialog: SearchDialog | None = None
        self._pending: SearchHit | None = None
        self._connect_signals()

    def _connect_signals(self) -> None:
        self._window.sig_conversation_shown.connect(self._on_window_conversation_shown)

    def open_search(self) -> SearchDialog:
        """Ctrl+K: one dialog per window, kept with its words and filters between uses."""
        if self.dialog is None:
            from client.ui.history.search_dialog import SearchDialog

            w = self._window
            self.dialog = SearchDialog(w.store, w.jobs, w)
            self.dialog.sig_result_chosen.connect(self._on_dialog_result_chosen)
        self.dialog.open_fresh()
        return self.dialog

    def open_hit(self, hit: SearchHit) -> None:
        """Open a result's conversation on the result's branch; the match is shown once it loads."""
        w = self._window
        self._pending = hit
        store = w.store
        w.jobs.run(
            lambda: store.leaf_of(hit.turn_id).id,
            lambda leaf_id: self._on_leaf_found(hit, leaf_id),
            lambda exc: w.statusBar().showMessage(
                f"That result could not be opened: {exc}", 10_000
            ),
        )

    def _on_leaf_found(self, hit: SearchHit, leaf_id: str) -> None:
        if self._pending is hit:
            self._window.open_conversation(
                hit.conversation_id, select_turn=hit.turn_id, leaf_id=leaf_id
            )

    def _show(self, hit: SearchHit) -> None:
        view = self._window.conversation
        state = next((s for s in view.states() if s.id == hit.turn_id), None)
        if state is None:
            return
        view.select(hit.turn_id)
        if hit.field == "reasoning":
            view.reveal(hit.turn_id)
            self._find_in_reasoning(match_term(hit.query, state.reasoning.text(), hit.marked()))
        else:
            text = state.turn.prompt if hit.field == "prompt" else state.answer.text()
            view.highlight(hit.turn_id, hit.field, match_term(hit.query, text, hit.marked()))
        self.sig_hit_shown.emit(hit)

    def _find_in_reasoning(self, term: str) -> None:
        """Drive the inspector's own search field with the words."""
        w = self._window
        w.actions_.show_inspector.setChecked(True)
        inspector = w.inspector
        inspector.tabs.setCurrentIndex(0)
        edit = inspector.find_bar.edit
        if edit.text() != term:
            edit.setText(term)  # the find bar searches as its text changes
        else:
            inspector.find(term)

    @Slot(object)
    def _on_window_conversation_shown(self, conversation_id: str | None) -> None:
        hit, self._pending = self._pending, None
        if hit is not None and hit.conversation_id == conversation_id:
            self._show(hit)

    @Slot(object)
    def _on_dialog_result_chosen(self, hit: SearchHit) -> None:
        self.open_hit(hit)
