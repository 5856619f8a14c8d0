"""Turns stream on worker threads; the window hears about them here, on the GUI thread.

`TurnRunner.start(SendRequest)` prepares and runs a turn on a pool thread through the same
`TurnController` the command line uses (it checkpoints to the store and prices the turn at the
end). Each turn's events cross to the GUI thread through that turn's own outbox, announced by a
queued signal tagged with the turn's id, and are applied to that turn's `TurnState`: several
conversations can stream at once and each token lands in its own turn. Widgets hear a coalesced
`sig_turns_updated` at most ~30 times a second.

Stop is immediate for the user: the task's signal is disconnected first (Orange3's rule: a late
event can never reach a widget), the turn is marked stopped, and `cancel()` closes the HTTP
response; the worker then stores what arrived in the background.

A save that fails (a full disk) does not end a turn: the workers see the store through
`_SavingStore`, which keeps streaming when a checkpoint fails and keeps the finished turn in
memory when the final save fails. The window is told (`sig_turn_unsaved`), keeps showing the
turn, and the runner tries again after every turn and every few seconds until it is stored
(`sig_turn_saved`).
"""

from __future__ import annotations

import copy
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from client.core.cancel import CancelToken
from client.core.conversation import Turn, new_id
from client.core.errors import ErrorInfo, ErrorKind, ThinkpaneError, UsageError
from client.core.events import StreamEvent
from client.core.request import SendRequest
from client.store.db import StoreError
from client.ui.conversation.live import TurnState
from client.ui.turns.saving import SavingStore, UnsavedTurns
from client.ui.turns.throttle import Throttle

if TYPE_CHECKING:
    from client.session import TurnController
    from client.store.store import Store


class _Outbox:
    """Events on their way from a worker to the GUI thread.

    A model streams tens of thousands of deltas; one queued signal per delta would flood the GUI
    thread's event queue, which Qt drains in one go (a stall the user feels). So the worker
    drops events here and signals only when the box was empty: at most one wake-up is in flight,
    and the GUI takes everything that arrived meanwhile in one call, at its next window update
    (so the box stays full, and the worker quiet, until then).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._events: list[StreamEvent] = []

    def put(self, event: StreamEvent) -> bool:
        """Add an event; True when the box was empty (the GUI must be woken)."""
        with self._lock:
            self._events.append(event)
            return len(self._events) == 1

    def take(self) -> list[StreamEvent]:
        with self._lock:
            events, self._events = self._events, []
        return events


class _TaskSignals(QObject):
    """The worker's only way to the GUI thread.

    Signals:
        sig_prepared(str, object): task key, a copy of the stored Turn as it starts.
        sig_not_started(str, str): task key, why the turn could not start (a sentence).
        sig_events_ready(str): turn id: its outbox has StreamEvents (frozen dataclasses of
            client.core) waiting.
        sig_finished(str, object): turn id, the final stored Turn.
        sig_broken(str, object): turn id, ErrorInfo for a failure of Thinkpane itself.
    """

    sig_prepared = Signal(str, object)
    sig_not_started = Signal(str, str)
    sig_events_ready = Signal(str)
    sig_finished = Signal(str, object)
    sig_broken = Signal(str, object)

    def __init__(self) -> None:
        super().__init__()
        self.outbox = _Outbox()


class _TurnTask(QRunnable):
    def __init__(
        self,
        key: str,
        send: SendRequest,
        store: Store,
        controller: TurnController,
        signals: _TaskSignals,
        cancel: CancelToken,
        idle_timeout_s: float | None = None,
    ) -> None:
        super().__init__()
        self.idle_timeout_s = idle_timeout_s
        self.key = key
        self.send = send
        self.store = store
        self.controller = controller
        self.signals = signals
        self.cancel = cancel

    def run(self) -> None:
        prepared = self._prepare()
        if prepared is None:
            return
        turn_id = prepared.turn.id
        outbox, wake = self.signals.outbox, self.signals.sig_events_ready.emit

        def on_event(_turn: Turn, event: StreamEvent) -> None:
            if outbox.put(event):
                wake(turn_id)

        try:
            turn = self.controller.run(
                prepared, self.cancel, on_event, idle_timeout_s=self.idle_timeout_s
            )
        except StoreError as exc:  # the turn could not even be stored as it started
            self.signals.sig_broken.emit(turn_id, ErrorInfo(ErrorKind.PROTOCOL, exc.message))
            return
        except (
            Exception
        ) as exc:  # a bug below us: the turn is kept (run() stored it), never a crash
            info = ErrorInfo(
                ErrorKind.PROTOCOL,
                f"Thinkpane could not finish reading this answer "
                f"({type(exc).__name__}). What arrived is kept; Retry may help.",
            )
            self.signals.sig_broken.emit(turn_id, info)
            return
        self.signals.sig_finished.emit(turn_id, turn)

    def _prepare(self) -> Any:
        send = self.send
        try:
            prepared = self.controller.prepare(
                provider=send.provider,
                model=send.model,
                prompt=send.prompt,
                base_url=send.base_url,
                conversation_id=send.conversation_id,
                parent_id=None if send.as_root else send.parent_id,
                settings=send.settings,
                with_history=not send.as_root,
            )
            self.controller.open_conversation(prepared)  # stored before the window hears of it
        except (UsageError, StoreError) as exc:
            self.signals.sig_not_started.emit(self.key, str(exc))
            return None
        except ThinkpaneError as exc:
            self.signals.sig_not_started.emit(self.key, exc.message)
            return None
        except Exception as exc:
            self.signals.sig_not_started.emit(
                self.key, f"Thinkpane could not start this turn ({type(exc).__name__}: {exc})."
            )
            return None
        self.signals.sig_prepared.emit(self.key, copy.deepcopy(prepared.turn))
        return prepared


@dataclass
class _Running:
    key: str
    send: SendRequest
    signals: _TaskSignals
    cancel: CancelToken
    turn_id: str | None = None


class TurnRunner(QObject):
    """Runs turns on worker threads and keeps the window's picture of each running turn.

    Signals:
        sig_turn_started(str, object): the task key start() returned, and the TurnState of the
            turn that is now stored and streaming.
        sig_turn_not_started(str, object, str): the task key, the SendRequest, and why the
            turn could not start (a sentence).
        sig_turns_updated(object): a tuple of turn ids with new text or status (coalesced).
        sig_turn_finished(object): the TurnState of a turn whose worker is done (stored, or
            kept in memory after sig_turn_unsaved).
        sig_turn_unsaved(str, str): turn id and the sentence to show: the store could not save
            it (a full disk); it is kept in memory and saved later.
        sig_turn_saved(str): turn id: a turn that could not be saved before is stored now.
    """

    sig_turn_started = Signal(str, object)
    sig_turn_not_started = Signal(str, object, str)
    sig_turns_updated = Signal(object)
    sig_turn_finished = Signal(object)
    sig_turn_unsaved = Signal(str, str)
    sig_turn_saved = Signal(str)

    def __init__(
        self, store: Store, parent: QObject | None = None, controller: TurnController | None = None
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._controller = controller
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(32)  # each running turn holds a thread while it streams
        self._running: dict[str, _Running] = {}  # by task key
        # A stream silent this long is ended as a network failure (None: never); Settings.
        self.idle_timeout_s: float | None = 600.0
        self._states: dict[str, TurnState] = {}  # live turns by id
        self._dirty: list[str] = []
        self._throttle = Throttle(self._emit_updates, parent=self)
        self.unsaved = UnsavedTurns(store, self._pool, self)
        self._connect_signals()

    def _connect_signals(self) -> None:
        self.unsaved.sig_turn_unsaved.connect(self.sig_turn_unsaved)
        self.unsaved.sig_turn_saved.connect(self.sig_turn_saved)

    # What the window asks

    def state(self, turn_id: str) -> TurnState | None:
        """A running turn's picture, or a finished one's that is kept in memory (not saved yet)."""
        return self._states.get(turn_id) or self.unsaved.state(turn_id)

    def state_for(self, turn: Turn) -> TurnState:
        """The picture to show for a turn read from the store: the one in memory if the turn is
        running or not saved yet, else a finished turn's."""
        return self.state(turn.id) or TurnState(turn, live=False)

    def streaming_turns(self, conversation_id: str | None) -> list[TurnState]:
        """The turns streaming in one conversation (None, a new one, has none yet)."""
        return [s for s in self.all_streaming_turns() if s.turn.conversation_id == conversation_id]

    def all_streaming_turns(self) -> list[TurnState]:
        return [s for s in self._states.values() if s.streaming]

    def pending(self, conversation_id: str | None) -> bool:
        """A send for this conversation is still being prepared."""
        return any(
            r.turn_id is None and r.send.conversation_id == conversation_id
            for r in self._running.values()
        )

    @property
    def busy(self) -> bool:
        return bool(self._running)

    # Starting and stopping

    def controller(self) -> TurnController:
        """The turn controller every send of the window runs through, a comparison's runs too:
        it prices and stores each turn in the ledger through `SavingStore` (a full disk never
        costs a turn)."""
        if self._controller is None:
            from client.session import TurnController  # imports keyring: after the window shows

            saving = SavingStore(self._store, self.unsaved.signals)  # stands in for the Store
            self._controller = TurnController(saving, audit_apart=True)  # type: ignore[arg-type]
        return self._controller

    def start(self, send: SendRequest) -> str:
        """Start a turn on a worker thread; returns the task key (sig_turn_started follows)."""
        controller = self.controller()
        key = new_id("task")
        signals = _TaskSignals()
        running = _Running(key, send, signals, CancelToken())
        self._running[key] = running
        signals.sig_prepared.connect(self._on_task_prepared)
        signals.sig_not_started.connect(self._on_task_not_started)
        signals.sig_events_ready.connect(self._on_task_events_ready)
        signals.sig_finished.connect(self._on_task_finished)
        signals.sig_broken.connect(self._on_task_broken)
        self._pool.start(
            _TurnTask(
                key,
                send,
                self._store,
                controller,
                signals,
                running.cancel,
                self.idle_timeout_s,
            )
        )
        return key

    def stop(self, turn_id: str) -> None:
        """Stop a turn now: no further event reaches the window; the worker stores what arrived."""
        running = next((r for r in self._running.values() if r.turn_id == turn_id), None)
        state = self._states.get(turn_id)
        if running is None or state is None or state.stopped:
            return
        running.signals.sig_events_ready.disconnect(self._on_task_events_ready)
        self._take_events(turn_id)  # what had arrived when Stop was pressed is shown
        state.mark_stopped()
        running.cancel.cancel()
        self._mark_dirty(turn_id)
        self._emit_updates()

    def stop_conversation(self, conversation_id: str | None) -> None:
        for running in list(self._running.values()):
            if running.send.conversation_id == conversation_id and running.turn_id is None:
                running.cancel.cancel()
        for state in self.streaming_turns(conversation_id):
            self.stop(state.id)

    def shutdown(self, timeout_ms: int = 10_000) -> bool:
        """Stop every turn and wait until each worker has stored what arrived (for quitting)."""
        for running in list(self._running.values()):
            if running.turn_id is None:
                running.cancel.cancel()
            else:
                self.stop(running.turn_id)
        self.unsaved.retry()  # one last try for turns kept in memory
        return self._pool.waitForDone(timeout_ms)

    # From the workers

    @Slot(str, object)
    def _on_task_prepared(self, key: str, turn: Turn) -> None:
        running = self._running.get(key)
        if running is None:
            return
        running.turn_id = turn.id
        from client.providers.registry import PROFILES

        profile = PROFILES.get(turn.provider)
        state = TurnState(turn, live=True, local=bool(profile and profile.local))
        self._states[turn.id] = state
        if running.cancel.cancelled:  # stopped while it was being prepared
            running.signals.sig_events_ready.disconnect(self._on_task_events_ready)
            state.mark_stopped()
        self.sig_turn_started.emit(key, state)

    @Slot(str, str)
    def _on_task_not_started(self, key: str, message: str) -> None:
        running = self._running.pop(key, None)
        if running is not None:
            self.sig_turn_not_started.emit(key, running.send, message)

    @Slot(str)
    def _on_task_events_ready(self, turn_id: str) -> None:
        # The events are taken at the next update (`_emit_updates`), not now: until then the
        # outbox stays full, so the worker does not wake this thread again. Taken at each wake,
        # a fast stream woke it about 15 times per update, once per socket read.
        self._mark_dirty(turn_id)

    def _take_events(self, turn_id: str) -> None:
        """Apply what a turn's worker left in its outbox to the turn's picture."""
        running = next((r for r in self._running.values() if r.turn_id == turn_id), None)
        state = self._states.get(turn_id)
        if running is None or state is None or state.stopped:
            return  # a stopped turn's late events are dropped
        for event in running.signals.outbox.take():
            state.apply(event)

    @Slot(str, object)
    def _on_task_finished(self, turn_id: str, turn: Turn) -> None:
        self._take_events(turn_id)  # the last text, before the stored turn replaces the picture
        state = self._end(turn_id)
        if state is not None:
            state.finish(turn)
            self._announce_end(state)

    @Slot(str, object)
    def _on_task_broken(self, turn_id: str, error: ErrorInfo) -> None:
        self._take_events(turn_id)
        state = self._end(turn_id)
        if state is not None:
            state.fail(error)
            self._announce_end(state)

    def _end(self, turn_id: str) -> TurnState | None:
        for key, running in list(self._running.items()):
            if running.turn_id == turn_id:
                del self._running[key]
        return self._states.pop(turn_id, None)

    def _announce_end(self, state: TurnState) -> None:
        self.unsaved.keep(state)
        self._mark_dirty(state.id)
        self._emit_updates()
        self.sig_turn_finished.emit(state)
        self.unsaved.retry()  # a turn got through to the end: the disk may have room again

    # Coalescing

    def _mark_dirty(self, turn_id: str) -> None:
        if turn_id not in self._dirty:
            self._dirty.append(turn_id)
        self._throttle()

    def _emit_updates(self) -> None:
        if self._dirty:
            ids, self._dirty = tuple(self._dirty), []
            for turn_id in ids:
                self._take_events(turn_id)
            self.sig_turns_updated.emit(ids)
