"""Which conversation the window shows, for the controllers that follow it.

The controllers (ledger, history, audit, search results, export) each need to know the
conversation on screen and, now and then, to open another one or have the list read again. They
get this small object instead of the window: the window keeps it current and acts on its
requests, so a controller's reach is what its constructor names.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal


class ConversationFocus(QObject):
    """The conversation shown (`current_id`, None for a new one not stored yet) and the system
    prompt typed for a new one (`draft_system`).

    Signals:
        sig_conversation_shown(object): the conversation id now shown (None for a new one).
        sig_open_requested(str, object, object): open conversation id, selecting the turn id
            (or None), on the branch ending at the leaf id (None: the newest).
        sig_list_changed(): conversations were added or changed; the list is read again.
        sig_current_changed(object): `current_id` changed (the new id, or None).
    """

    sig_conversation_shown = Signal(object)
    sig_current_changed = Signal(object)
    sig_open_requested = Signal(str, object, object)
    sig_list_changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._current_id: str | None = None
        self.draft_system: str | None = None

    @property
    def current_id(self) -> str | None:
        return self._current_id

    @current_id.setter
    def current_id(self, conversation_id: str | None) -> None:
        changed = conversation_id != self._current_id
        self._current_id = conversation_id
        if changed:
            self.sig_current_changed.emit(conversation_id)

    def open(
        self, conversation_id: str, select_turn: str | None = None, leaf_id: str | None = None
    ) -> None:
        """Ask the window to show a conversation (see `sig_open_requested`)."""
        self.sig_open_requested.emit(conversation_id, select_turn, leaf_id)
