"""Send and Stop from the composer, and what the window shows while turns start, stream and end.

The composer only emits the prompt. `SendController.send` builds the one request type
(`request_for`: the model chosen, after the branch shown) and hands it to the one checked send
(`LedgerController.send_checked`: the budgets, then the runner); Retry, Regenerate and Edit reach
the same checked send through the history. While a turn starts, streams and ends, this keeps the
conversation column, the inspector, the composer's Send/Stop and the sidebar's streaming dots
current, and a new conversation becomes the one shown once its first turn is stored.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QStatusBar, QWidget

from client.core.request import SendRequest
from client.ui.composer.banner import Banner
from client.ui.composer.composer import Composer
from client.ui.composer.model_picker import ModelChoice
from client.ui.conversation.live import TurnState
from client.ui.conversation.view import ConversationView
from client.ui.focus import ConversationFocus
from client.ui.history.sidebar import ConversationList
from client.ui.inspector.reasoning_pane import ReasoningInspector
from client.ui.jobs import BackgroundJobs
from client.ui.ledger.controller import LedgerController
from client.ui.prefs import Preferences
from client.ui.turns.runner import TurnRunner

if TYPE_CHECKING:
    from client.store.store import Store


def request_for(
    composer: Composer, focus: ConversationFocus, view: ConversationView, prompt: str
) -> SendRequest | None:
    """The composer's next turn: `prompt` to the model chosen, after the branch shown (None
    until a model is chosen). Send sends it; the next-turn line estimates it."""
    choice = composer.choice
    if choice is None:
        return None
    settings = composer.settings()
    if focus.current_id is None:
        settings.system = focus.draft_system
    return SendRequest(
        choice.provider,
        choice.model,
        prompt,
        choice.base_url,
        conversation_id=focus.current_id,
        parent_id=view.leaf_id() if focus.current_id else None,  # the branch shown
        settings=settings,
    )


class SendController(QObject):
    """Send and Stop, and the window's picture of turns starting, streaming and ending.

    Signals: none; it listens to the composer, the runner and the Stop command.
    """

    def __init__(
        self,
        store: Store,
        jobs: BackgroundJobs,
        runner: TurnRunner,
        composer: Composer,
        view: ConversationView,
        inspector: ReasoningInspector,
        sidebar: ConversationList,
        banner: Banner,
        status: QStatusBar,
        focus: ConversationFocus,
        prefs: Preferences,
        ledger: LedgerController,
        stop_action: QAction,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._store, self._jobs, self._runner = store, jobs, runner
        self._composer, self._view, self._inspector = composer, view, inspector
        self._sidebar, self._banner, self._status = sidebar, banner, status
        self._focus, self._prefs, self._ledger = focus, prefs, ledger
        self._stop_action = stop_action
        self._draft_key: str | None = None  # the first turn of a conversation not stored yet
        self._closing = False
        self._connect_signals()

    def _connect_signals(self) -> None:
        self._composer.sig_send_requested.connect(self.send)
        self._composer.sig_stop_requested.connect(self.stop)
        self._stop_action.triggered.connect(self.stop)
        runner = self._runner
        runner.sig_turn_started.connect(self._on_runner_turn_started)
        runner.sig_turn_not_started.connect(self._on_runner_turn_not_started)
        runner.sig_turns_updated.connect(self._on_runner_turns_updated)
        runner.sig_turn_finished.connect(self._on_runner_turn_finished)

    def request_for(self, prompt: str) -> SendRequest | None:
        return request_for(self._composer, self._focus, self._view, prompt)

    def send(self, prompt: str) -> None:
        """Send the composer's prompt: the budget check, then the runner (see the docstring)."""
        send = self.request_for(prompt)
        if send is None:
            self._composer.restore_prompt(prompt)
            return
        self._composer.set_checking(True)
        self._ledger.send_checked(send, lambda key: self._on_send_started(send, key))

    def _on_send_started(self, send: SendRequest, key: str | None) -> None:
        self._composer.set_checking(False)
        if key is None:  # cancelled at the budget question: the prompt goes back
            self._composer.restore_prompt(send.prompt)
            return
        if self._focus.current_id is None:
            self._draft_key = key
        self._prefs.remember_model(ModelChoice(send.provider, send.model, send.base_url))
        self._banner.hide()
        self.update_composer_state()

    def stop(self) -> None:
        self._runner.stop_conversation(self._focus.current_id)
        self.update_composer_state()

    def shutdown(self) -> None:
        """The window is closing: turns that end now no longer refresh the list."""
        self._closing = True

    # Send/Stop and the streaming dots

    def update_composer_state(self) -> None:
        current = self._focus.current_id
        streaming = bool(self._runner.streaming_turns(current)) or self._runner.pending(current)
        if current is None and self._draft_key is not None:
            streaming = True
        self._composer.set_streaming(streaming)
        self._stop_action.setEnabled(streaming)
        self.update_streaming_marks()

    def update_streaming_marks(self) -> None:
        self._sidebar.set_streaming(
            {s.turn.conversation_id for s in self._runner.all_streaming_turns()}
        )

    # The runner

    @Slot(str, object)
    def _on_runner_turn_started(self, key: str, state: TurnState) -> None:
        focus, conversation_id = self._focus, state.turn.conversation_id
        if key == self._draft_key:
            self._draft_key = None
            if focus.current_id is None:
                focus.current_id = conversation_id
                self._prefs.set("ui.last_conversation", conversation_id)
                self._view.conversation_id = conversation_id
        if conversation_id == focus.current_id:
            self._view.truncate_after(state.turn.parent_id)
            self._view.add_turn(state)
        if self._composer.choice is not None:
            choice, store = self._composer.choice, self._store
            if choice.provider == state.turn.provider and choice.model == state.turn.model:
                self._jobs.run(
                    lambda: store.update_conversation_settings(
                        conversation_id, {"model": choice.to_json()}
                    )
                )
        focus.sig_list_changed.emit()
        self.update_composer_state()

    @Slot(str, object, str)
    def _on_runner_turn_not_started(self, key: str, send: SendRequest, message: str) -> None:
        if key == self._draft_key:
            self._draft_key = None
        if send.conversation_id == self._focus.current_id:
            self._composer.restore_prompt(send.prompt)
            needs_key = "key" in message.lower()
            self._banner.say(message, "Settings…" if needs_key else None)
        else:
            self._status.showMessage(message, 10_000)
        self.update_composer_state()

    @Slot(object)
    def _on_runner_turns_updated(self, turn_ids: tuple[str, ...]) -> None:
        self._view.refresh_turns(turn_ids)
        if self._inspector.state is not None and self._inspector.state.id in turn_ids:
            self._inspector.refresh()

    @Slot(object)
    def _on_runner_turn_finished(self, state: TurnState) -> None:
        self._view.refresh_turns((state.id,))
        if self._inspector.state is state:
            self._inspector.refresh()
        self.update_composer_state()
        if not self._closing:
            self._focus.sig_list_changed.emit()
