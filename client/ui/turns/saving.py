"""A turn the store cannot save (a full disk) is kept in memory and saved when it can be.

The turn controller checkpoints a streaming turn about once a second and finalises it at the
end; when the disk is full, either write raises StoreError. Ending the turn there would throw
away an answer the user is reading, so the workers see the store through `SavingStore`: a failed
checkpoint is reported once and the turn streams on; a failed final save is reported with a copy
of the finished turn. `UnsavedTurns` (on the GUI thread) keeps those turns, and their pictures for
the window, and saves them again after every turn that finishes and every few seconds, until
the store takes them. The window says so in the turn and above the composer.
"""

from __future__ import annotations

import copy
import threading
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal, Slot

from client.core.conversation import Turn
from client.store.db import StoreError
from client.ui.conversation.live import TurnState

DISK_FULL = "The disk is full: this turn is kept in memory; free some space and it will be saved."
SAVED = "Saved: this turn, kept in memory while the disk was full, is now stored."
RETRY_SAVE_MS = 15_000


def unsaved_sentence(message: str) -> str:
    """What the window says about a turn the store could not save (a StoreError's message)."""
    if "full" in message.lower():
        return DISK_FULL
    return f"{message} This turn is kept in memory; Thinkpane will try to save it again."


class SaveSignals(QObject):
    """How a failed or late save reaches the GUI thread.

    Signals:
        sig_save_failed(str, str, object): turn id, the StoreError's sentence, and a copy of the
            finished Turn to save later (None when only a checkpoint failed).
        sig_saved(str): turn id: a turn that failed to save before is stored now.
    """

    sig_save_failed = Signal(str, str, object)
    sig_saved = Signal(str)


class SavingStore:
    """The store as a running turn's worker sees it: a failed save does not end the turn.

    Everything but the two saves goes straight to the store. Thread-safe, like the store.
    """

    def __init__(self, store: Any, signals: SaveSignals) -> None:
        self._store = store
        self._signals = signals
        self._lock = threading.Lock()
        self._failed: set[str] = set()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def _first_failure(self, turn_id: str) -> bool:
        with self._lock:
            first = turn_id not in self._failed
            self._failed.add(turn_id)
        return first

    def checkpoint_turn(self, turn: Turn) -> None:
        try:
            self._store.checkpoint_turn(turn)
        except StoreError as exc:  # stream on: the final save writes everything
            if self._first_failure(turn.id):
                self._signals.sig_save_failed.emit(turn.id, exc.message, None)

    def finalise_turn(self, turn: Turn) -> None:
        try:
            self._store.finalise_turn(turn)
        except StoreError as exc:
            self._first_failure(turn.id)
            self._signals.sig_save_failed.emit(turn.id, exc.message, copy.deepcopy(turn))
            return
        with self._lock:
            recovered = turn.id in self._failed
            self._failed.discard(turn.id)
        if recovered:  # a checkpoint failed on the way, but everything is stored now
            self._signals.sig_saved.emit(turn.id)


class _SaveTask(QRunnable):
    """Saving a finished turn again, on a pool thread."""

    def __init__(self, store: Any, turn: Turn, signals: SaveSignals) -> None:
        super().__init__()
        self.store, self.turn, self.signals = store, turn, signals

    def run(self) -> None:
        try:
            self.store.finalise_turn(self.turn)
        except StoreError as exc:
            self.signals.sig_save_failed.emit(self.turn.id, exc.message, self.turn)
        else:
            self.signals.sig_saved.emit(self.turn.id)


class UnsavedTurns(QObject):
    """The turns the store refused, kept until they are saved.

    Signals:
        sig_turn_unsaved(str, str): turn id and the sentence to show (once per turn).
        sig_turn_saved(str): turn id: it is stored now.
    """

    sig_turn_unsaved = Signal(str, str)
    sig_turn_saved = Signal(str)

    def __init__(self, store: Any, pool: QThreadPool, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._pool = pool
        self.signals = SaveSignals(self)
        self._turns: dict[str, Turn | None] = {}  # turn id → the finished turn (None: running)
        self._states: dict[str, TurnState] = {}  # finished turns' pictures, for the window
        self._sentences: dict[str, str] = {}
        self._saving: set[str] = set()
        self._timer = QTimer(self)
        self._timer.setInterval(RETRY_SAVE_MS)
        self._connect_signals()

    def _connect_signals(self) -> None:
        self.signals.sig_save_failed.connect(self._on_signals_save_failed)
        self.signals.sig_saved.connect(self._on_signals_saved)
        self._timer.timeout.connect(self.retry)

    def ids(self) -> list[str]:
        return list(self._turns)

    def state(self, turn_id: str) -> TurnState | None:
        return self._states.get(turn_id)

    def sentence(self, turn_id: str) -> str:
        """What to say about an unsaved turn ("" for a turn that is saved)."""
        return self._sentences.get(turn_id, "")

    def keep(self, state: TurnState) -> None:
        """A turn's worker is done: if the turn is not saved, keep its picture for the window."""
        if state.id in self._turns:
            self._states[state.id] = state

    def retry(self) -> None:
        """Save every finished turn the store refused, again (on a pool thread)."""
        for turn_id, turn in self._turns.items():
            if turn is not None and turn_id not in self._saving:
                self._saving.add(turn_id)
                self._pool.start(_SaveTask(self._store, turn, self.signals))

    @Slot(str, str, object)
    def _on_signals_save_failed(self, turn_id: str, message: str, turn: Turn | None) -> None:
        self._saving.discard(turn_id)
        first = turn_id not in self._turns
        if turn is not None or first:
            self._turns[turn_id] = turn
        if not self._timer.isActive():
            self._timer.start()
        if first:
            self._sentences[turn_id] = unsaved_sentence(message)
            self.sig_turn_unsaved.emit(turn_id, self._sentences[turn_id])

    @Slot(str)
    def _on_signals_saved(self, turn_id: str) -> None:
        self._saving.discard(turn_id)
        self._turns.pop(turn_id, None)
        self._states.pop(turn_id, None)
        self._sentences.pop(turn_id, None)
        if not self._turns:
            self._timer.stop()
        self.sig_turn_saved.emit(turn_id)
