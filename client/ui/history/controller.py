"""Conversations that last: branches, search results, reasoning in context, and saving trouble.

The window's side of a conversation's history, wired to the window in one place:

- Branches. Edit, Regenerate and Retry send a new version of a turn beside it (same parent:
  nothing is overwritten) after the same budget check as Send, "‹ 2 / 3 ›" steps between
  versions, and the view then shows the chosen version's branch down to its newest leaf. The
  tree's shape is kept here (client/ui/history/turn_tree.py), loaded when a conversation opens and grown
  as turns start.
- Search (Ctrl+K): a result opens on its own branch with the match selected
  (client/ui/history/search_results.py).
- "Send Reasoning Back", the conversation's choice of whether earlier reasoning goes back to the
  model (conversation setting "send_reasoning"); the next-turn line under the prompt, which says
  how much of the context window the next turn takes, follows it and the branch shown.
- A turn the disk could not take is shown as kept in memory until the runner saves it.
- Export and import (client/ui/history/export_actions.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QStatusBar, QWidget

from client.core.conversation import Conversation, Turn
from client.core.request import SendRequest
from client.ui.actions import SEND_REASONING_TIP, WindowActions
from client.ui.composer.banner import Banner
from client.ui.composer.composer import Composer
from client.ui.conversation.live import TurnState
from client.ui.conversation.view import ConversationView
from client.ui.focus import ConversationFocus
from client.ui.history.export_actions import ExportActions
from client.ui.history.search_results import SearchResults
from client.ui.history.turn_tree import TurnTree
from client.ui.jobs import BackgroundJobs, JobHandle
from client.ui.ledger.controller import LedgerController
from client.ui.turns.runner import TurnRunner

if TYPE_CHECKING:
    from client.store.store import Store
    from client.ui.history.search_dialog import SearchDialog

__all__ = ["SEND_REASONING_TIP", "HistoryController", "read_tree"]


def read_tree(store: Store, conversation_id: str, shown: list[tuple[str, str | None]]) -> TurnTree:
    """The shape of the conversation's tree (on a worker). With one branch, the common case, it
    is the branch on screen (`shown`: id and parent of each turn); only a conversation with
    versions has all its turns read."""
    if len(store.leaves(conversation_id)) <= 1:
        tree = TurnTree(conversation_id)
        for turn_id, parent_id in shown:
            tree.add(turn_id, parent_id)
        return tree
    return TurnTree.from_turns(conversation_id, store.turns(conversation_id))


class HistoryController(QObject):
    """Branches, search results and the reasoning setting for one window.

    Signals:
        sig_branch_shown(str): the conversation id whose branch the view shows now (opened,
            switched to another version, or grown by a turn).
    """

    sig_branch_shown = Signal(str)

    def __init__(
        self,
        store: Store,
        jobs: BackgroundJobs,
        runner: TurnRunner,
        view: ConversationView,
        composer: Composer,
        banner: Banner,
        status: QStatusBar,
        focus: ConversationFocus,
        ledger: LedgerController,
        exports: ExportActions,
        search: SearchResults,
        actions: WindowActions,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._store, self._jobs, self._runner, self._view = store, jobs, runner, view
        self._composer, self._banner, self._status, self._focus = composer, banner, status, focus
        self._ledger = ledger
        self.tree: TurnTree | None = None
        self.conversation: Conversation | None = None
        self._load_job: JobHandle | None = None
        self._version_job: JobHandle | None = None
        self.retry_action = actions.retry
        self.edit_action = actions.edit_prompt
        self.regenerate_action = actions.regenerate
        self.regenerate_chosen_action = actions.regenerate_chosen
        self.previous_action = actions.previous_version
        self.next_action = actions.next_version
        self.send_reasoning_action = actions.send_reasoning
        self.search_action = actions.search_everything
        self.exports = exports
        self.search = search
        self._connect_signals()

    def _connect_signals(self) -> None:
        self._focus.sig_conversation_shown.connect(self._on_focus_conversation_shown)
        view = self._view
        view.sig_edit_submitted.connect(self._on_conversation_edit_submitted)
        view.sig_regenerate_requested.connect(self._on_conversation_regenerate_requested)
        view.sig_version_requested.connect(self._on_conversation_version_requested)
        view.sig_retry_requested.connect(self.retry)
        runner = self._runner
        runner.sig_turn_started.connect(self._on_runner_turn_started)
        runner.sig_turn_finished.connect(self._on_runner_turn_finished)
        runner.sig_turn_unsaved.connect(self._on_runner_turn_unsaved)
        runner.sig_turn_saved.connect(self._on_runner_turn_saved)
        self.retry_action.triggered.connect(self._on_retry_action_triggered)
        self.edit_action.triggered.connect(self._on_edit_action_triggered)
        self.regenerate_action.triggered.connect(self._on_regenerate_action_triggered)
        self.regenerate_chosen_action.triggered.connect(self._on_regenerate_chosen_action_triggered)
        self.previous_action.triggered.connect(self._on_previous_action_triggered)
        self.next_action.triggered.connect(self._on_next_action_triggered)
        self.send_reasoning_action.triggered.connect(self.set_send_reasoning)
        self.search_action.triggered.connect(self.open_search)
        self.sig_branch_shown.connect(self._on_self_branch_shown)

    # The conversation shown: its tree and settings

    def _load(self, conversation_id: str) -> None:
        if self._load_job is not None:
            self._load_job.cancel()
        store = self._store
        shown = [(s.id, s.turn.parent_id) for s in self._view.states()]
        self._load_job = self._jobs.run(
            lambda: (
                store.get_conversation(conversation_id),
                read_tree(store, conversation_id, shown),
            ),
            self._on_loaded,
        )

    def _on_loaded(self, result: tuple[Conversation | None, TurnTree]) -> None:
        self._load_job = None
        conversation, tree = result
        if conversation is None or conversation.id != self._focus.current_id:
            return
        if self.tree is not None and self.tree.conversation_id == tree.conversation_id:
            for turn_id, parent_id in self.tree.parent.items():
                tree.add(turn_id, parent_id)  # turns that started while it loaded
        self.conversation, self.tree = conversation, tree
        self._show_positions([s.id for s in self._view.states()])
        self.send_reasoning_action.setEnabled(True)
        self.send_reasoning_action.setChecked(bool(conversation.settings.get("send_reasoning")))
        self.exports.set_conversation(conversation.id, conversation.title)
        self.sig_branch_shown.emit(conversation.id)

    def _show_positions(self, turn_ids: list[str]) -> None:
        if self.tree is not None:
            self._view.set_versions(self.tree.positions(turn_ids))

    def _show_save_notes(self, turn_ids: list[str]) -> None:
        unsaved = self._runner.unsaved
        for turn_id in set(turn_ids).intersection(unsaved.ids()):
            self._view.set_save_note(turn_id, unsaved.sentence(turn_id))

    # Versions of a turn

    def send_version(
        self, state: TurnState, prompt: str, use_composer: bool, edited: bool = False
    ) -> None:
        """Send `prompt` as a new version of the turn (its sibling), once it passes the budget
        check (client/ui/ledger/controller.py); an `edited` prompt the user then keeps from going
        goes back into the turn's editor.

        With `use_composer` the model and reasoning settings chosen in the composer are used,
        else the turn's own."""
        turn = state.turn
        choice = self._composer.choice if use_composer else None
        if use_composer and choice is None:
            self._status.showMessage("Choose a model below first.", 8000)
            return
        if choice is not None:
            provider, model, base_url, settings = (
                choice.provider,
                choice.model,
                choice.base_url,
                self._composer.settings(),
            )
        else:
            provider, model, base_url, settings = (
                turn.provider,
                turn.model,
                turn.base_url,
                turn.settings,
            )
        send = SendRequest(
            provider,
            model,
            prompt,
            base_url,
            conversation_id=turn.conversation_id,
            parent_id=turn.parent_id,
            as_root=turn.parent_id is None,
            settings=settings,
        )

        def then(key: str | None) -> None:
            if key is None and edited:  # cancelled at the budget question: back to the editor
                self._reopen_editor(state.id, prompt)

        self._ledger.send_checked(send, then)

    def retry(self, state: TurnState) -> None:
        """Ask a turn again in its place, with its own model and settings: a new version beside
        it, after the same budget check as Send."""
        if not state.streaming:
            self.send_version(state, state.turn.prompt, use_composer=False)

    def _reopen_editor(self, turn_id: str, prompt: str) -> None:
        widget = self._view.widget_for(turn_id)
        if widget is not None:
            widget.open_editor()
            if widget.editor is not None:
                widget.editor.setPlainText(prompt)

    def show_version(self, state: TurnState, step: int) -> None:
        """Show the version `step` places from the turn's (-1 the one before), down to its leaf."""
        target = self.tree.sibling(state.id, step) if self.tree is not None else None
        if target is None:
            return
        if self._version_job is not None:
            self._version_job.cancel()
        store, conversation_id = self._store, state.turn.conversation_id
        self._version_job = self._jobs.run(
            lambda: store.branch(conversation_id, store.leaf_of(target).id),
            lambda turns: self._on_version_loaded(conversation_id, target, turns),
            lambda exc: self._status.showMessage(
                f"That version could not be opened: {exc}", 10_000
            ),
        )

    def _on_version_loaded(self, conversation_id: str, target: str, turns: list[Turn]) -> None:
        self._version_job = None
        ids = [t.id for t in turns]
        if conversation_id != self._focus.current_id or target not in ids:
            return
        below = turns[ids.index(target) :]
        states = [self._runner.state_for(t) for t in below]
        self._view.show_version(below[0].parent_id, states)
        self._show_positions([s.id for s in states])
        self._show_save_notes([s.id for s in states])
        self.sig_branch_shown.emit(conversation_id)

    def open_search(self) -> SearchDialog:
        """Ctrl+K (client/ui/history/search_results.py)."""
        return self.search.open_search()

    # The conversation's reasoning setting

    def set_send_reasoning(self, on: bool) -> None:
        """Whether this conversation sends earlier reasoning back (stored with the conversation)."""
        conversation = self.conversation
        if conversation is None or conversation.id != self._focus.current_id:
            return
        conversation.settings["send_reasoning"] = bool(on)
        self.send_reasoning_action.setChecked(bool(on))
        store, conversation_id = self._store, conversation.id
        self._jobs.run(
            lambda: store.update_conversation_settings(
                conversation_id, {"send_reasoning": bool(on)}
            )
        )
        said = (
            "sends its earlier reasoning back"
            if on
            else "sends back only what the provider requires"
        )
        self._status.showMessage(f"This conversation now {said}.", 8000)
        self._ledger.update_estimate()  # after the setting is stored: the same worker, in order

    # Slots

    @Slot(object)
    def _on_focus_conversation_shown(self, conversation_id: str | None) -> None:
        if conversation_id is None:
            self.tree, self.conversation = None, None
            self.send_reasoning_action.setEnabled(False)
            self.send_reasoning_action.setChecked(False)
            self.exports.set_conversation(None)
            return
        if self.tree is None or self.tree.conversation_id != conversation_id:
            self.tree = None
        self._show_save_notes([s.id for s in self._view.states()])
        self._load(conversation_id)

    @Slot(object, str)
    def _on_conversation_edit_submitted(self, state: TurnState, prompt: str) -> None:
        use_composer = self._composer.choice is not None
        self.send_version(state, prompt, use_composer, edited=True)

    @Slot(object, bool)
    def _on_conversation_regenerate_requested(self, state: TurnState, use_composer: bool) -> None:
        self.send_version(state, state.turn.prompt, use_composer)

    @Slot(object, int)
    def _on_conversation_version_requested(self, state: TurnState, step: int) -> None:
        self.show_version(state, step)

    @Slot(str, object)
    def _on_runner_turn_started(self, _key: str, state: TurnState) -> None:
        conversation_id = state.turn.conversation_id
        if conversation_id != self._focus.current_id or state.turn.purpose != "chat":
            return
        if self.tree is None or self.tree.conversation_id != conversation_id:
            self.tree = TurnTree(conversation_id)
            self._load(conversation_id)  # a new conversation: its settings, and the tree to merge
        self.tree.add(state.id, state.turn.parent_id)
        self._show_positions(self.tree.siblings(state.id))
        self.sig_branch_shown.emit(conversation_id)

    @Slot(object)
    def _on_runner_turn_finished(self, state: TurnState) -> None:
        if state.turn.conversation_id == self._focus.current_id:
            self.sig_branch_shown.emit(state.turn.conversation_id)

    @Slot(str, str)
    def _on_runner_turn_unsaved(self, turn_id: str, sentence: str) -> None:
        self._view.set_save_note(turn_id, sentence)
        if any(s.id == turn_id for s in self._view.states()):
            self._banner.say(sentence)
        else:
            self._status.showMessage(sentence, 30_000)

    @Slot(str)
    def _on_runner_turn_saved(self, turn_id: str) -> None:
        from client.ui.turns.saving import DISK_FULL, SAVED

        self._view.set_save_note(turn_id, "")
        if self._banner.label.text() == DISK_FULL and not self._runner.unsaved.ids():
            self._banner.hide()
        self._status.showMessage(SAVED, 10_000)

    @Slot(str)
    def _on_self_branch_shown(self, _conversation_id: str) -> None:
        self._ledger.update_estimate()  # the next-turn line counts the branch shown

    def _selected(self) -> TurnState | None:
        state = self._view.selected_state()
        return state if state is not None and not state.streaming else None

    @Slot()
    def _on_retry_action_triggered(self) -> None:
        if (state := self._view.selected_state()) is not None:
            self.retry(state)

    @Slot()
    def _on_edit_action_triggered(self) -> None:
        if (state := self._selected()) is not None:
            view = self._view
            view.reveal(state.id)
            if (widget := view.widget_for(state.id)) is not None:
                widget.open_editor()

    @Slot()
    def _on_regenerate_action_triggered(self) -> None:
        if (state := self._selected()) is not None:
            self.send_version(state, state.turn.prompt, use_composer=False)

    @Slot()
    def _on_regenerate_chosen_action_triggered(self) -> None:
        if (state := self._selected()) is not None:
            self.send_version(state, state.turn.prompt, use_composer=True)

    @Slot()
    def _on_previous_action_triggered(self) -> None:
        if (state := self._view.selected_state()) is not None:
            self.show_version(state, -1)

    @Slot()
    def _on_next_action_triggered(self) -> None:
        if (state := self._view.selected_state()) is not None:
            self.show_version(state, 1)
