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

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtGui import QAction

from client.core.conversation import Conversation, Turn
from client.ui.actions import add_command, menu_titled
from client.ui.conversation.live import TurnState
from client.ui.history.export_actions import ExportActions
from client.ui.history.search_results import SearchResults
from client.ui.history.turn_tree import TurnTree
from client.ui.jobs import JobHandle
from client.ui.turns.runner import SendRequest

if TYPE_CHECKING:
    from client.ui.history.search_dialog import SearchDialog

SEND_REASONING_TIP = (
    "On: this conversation sends the model's earlier reasoning back with every prompt, where the "
    "provider accepts it, so the model sees how it thought before; each turn then costs more "
    "input tokens. Off: only what the provider requires goes back (Anthropic's signed thinking, "
    "OpenAI's encrypted reasoning, Gemini's thought signatures)."
)


def read_tree(store: Any, conversation_id: str, shown: list[tuple[str, str | None]]) -> TurnTree:
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

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self._window = window
        self.tree: TurnTree | None = None
        self.conversation: Conversation | None = None
        self._load_job: JobHandle | None = None
        self._version_job: JobHandle | None = None
        self.edit_action = self._command(
            "&Edit Prompt…", None, "Edit the selected prompt and send it as a new version"
        )
        self.regenerate_action = self._command(
            "Re&generate", "Ctrl+R", "Ask the selected turn again, as a new version beside it"
        )
        self.regenerate_chosen_action = self._command(
            "Regenerate with the &Chosen Model",
            None,
            "Ask again with the model and effort chosen in the composer",
        )
        self.previous_action = self._command(
            "&Previous Version", "Alt+Left", "Show the version before the selected turn's"
        )
        self.next_action = self._command(
            "Ne&xt Version", "Alt+Right", "Show the version after the selected turn's"
        )
        self.send_reasoning_action = self._command("Send &Reasoning Back", None, SEND_REASONING_TIP)
        self.send_reasoning_action.setCheckable(True)
        self.send_reasoning_action.setToolTip(SEND_REASONING_TIP)
        self.send_reasoning_action.setEnabled(False)
        self._menu_tooltips()
        self.exports = ExportActions(window)
        self.search = SearchResults(window)
        self._connect_signals()

    def _command(self, text: str, shortcut: str | None, tip: str) -> QAction:
        return add_command(self._window, "&Turn", text, shortcut, tip)

    def _menu_tooltips(self) -> None:
        menu = menu_titled(self._window, "&Turn")
        if menu is not None:
            menu.setToolTipsVisible(True)  # the reasoning setting explains itself

    def _connect_signals(self) -> None:
        w = self._window
        w.sig_conversation_shown.connect(self._on_window_conversation_shown)
        view = w.conversation
        view.sig_edit_submitted.connect(self._on_conversation_edit_submitted)
        view.sig_regenerate_requested.connect(self._on_conversation_regenerate_requested)
        view.sig_version_requested.connect(self._on_conversation_version_requested)
        w.runner.sig_turn_started.connect(self._on_runner_turn_started)
        w.runner.sig_turn_finished.connect(self._on_runner_turn_finished)
        w.runner.sig_turn_unsaved.connect(self._on_runner_turn_unsaved)
        w.runner.sig_turn_saved.connect(self._on_runner_turn_saved)
        self.edit_action.triggered.connect(self._on_edit_action_triggered)
        self.regenerate_action.triggered.connect(self._on_regenerate_action_triggered)
        self.regenerate_chosen_action.triggered.connect(self._on_regenerate_chosen_action_triggered)
        self.previous_action.triggered.connect(self._on_previous_action_triggered)
        self.next_action.triggered.connect(self._on_next_action_triggered)
        self.send_reasoning_action.triggered.connect(self.set_send_reasoning)
        self.sig_branch_shown.connect(self._on_self_branch_shown)

    # The conversation shown: its tree and settings

    def _load(self, conversation_id: str) -> None:
        if self._load_job is not None:
            self._load_job.cancel()
        store = self._window.store
        shown = [(s.id, s.turn.parent_id) for s in self._window.conversation.states()]
        self._load_job = self._window.jobs.run(
            lambda: (
                store.get_conversation(conversation_id),
                read_tree(store, conversation_id, shown),
            ),
            self._on_loaded,
        )

    def _on_loaded(self, result: tuple[Conversation | None, TurnTree]) -> None:
        self._load_job = None
        conversation, tree = result
        if conversation is None or conversation.id != self._window.current_id:
            return
        if self.tree is not None and self.tree.conversation_id == tree.conversation_id:
            for turn_id, parent_id in self.tree.parent.items():
                tree.add(turn_id, parent_id)  # turns that started while it loaded
        self.conversation, self.tree = conversation, tree
        self._show_positions([s.id for s in self._window.conversation.states()])
        self.send_reasoning_action.setEnabled(True)
        self.send_reasoning_action.setChecked(bool(conversation.settings.get("send_reasoning")))
        self.exports.set_conversation(conversation.id, conversation.title)
        self.sig_branch_shown.emit(conversation.id)

    def _show_positions(self, turn_ids: list[str]) -> None:
        if self.tree is not None:
            self._window.conversation.set_versions(self.tree.positions(turn_ids))

    def _show_save_notes(self, turn_ids: list[str]) -> None:
        unsaved = self._window.runner.unsaved
        for turn_id in set(turn_ids).intersection(unsaved.ids()):
            self._window.conversation.set_save_note(turn_id, unsaved.sentence(turn_id))

    # Versions of a turn

    def send_version(
        self, state: TurnState, prompt: str, use_composer: bool, edited: bool = False
    ) -> None:
        """Send `prompt` as a new version of the turn (its sibling), once it passes the budget
        check (client/ui/ledger/controller.py); an `edited` prompt the user then keeps from going
        goes back into the turn's editor.

        With `use_composer` the model and reasoning settings chosen in the composer are used,
        else the turn's own."""
        w, turn = self._window, state.turn
        choice = w.composer.choice if use_composer else None
        if use_composer and choice is None:
            w.statusBar().showMessage("Choose a model below first.", 8000)
            return
        if choice is not None:
            provider, model, base_url, settings = (
                choice.provider,
                choice.model,
                choice.base_url,
                w.composer.settings(),
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
        w.ledger.send_checked(
            send, on_refused=(lambda: self._reopen_editor(state.id, prompt)) if edited else None
        )

    def _reopen_editor(self, turn_id: str, prompt: str) -> None:
        widget = self._window.conversation.widget_for(turn_id)
        if widget is not None:
            widget.open_editor()
            widget.editor.setPlainText(prompt)

    def show_version(self, state: TurnState, step: int) -> None:
        """Show the version `step` places from the turn's (-1 the one before), down to its leaf."""
        target = self.tree.sibling(state.id, step) if self.tree is not None else None
        if target is None:
            return
        if self._version_job is not None:
            self._version_job.cancel()
        store, conversation_id = self._window.store, state.turn.conversation_id
        self._version_job = self._window.jobs.run(
            lambda: store.branch(conversation_id, store.leaf_of(target).id),
            lambda turns: self._on_version_loaded(conversation_id, target, turns),
            lambda exc: self._window.statusBar().showMessage(
                f"That version could not be opened: {exc}", 10_000
            ),
        )

    def _on_version_loaded(self, conversation_id: str, target: str, turns: list[Turn]) -> None:
        self._version_job = None
        w = self._window
        ids = [t.id for t in turns]
        if conversation_id != w.current_id or target not in ids:
            return
        below = turns[ids.index(target) :]
        states = [w.runner.state_for(t) for t in below]
        w.conversation.show_version(below[0].parent_id, states)
        self._show_positions([s.id for s in states])
        self._show_save_notes([s.id for s in states])
        self.sig_branch_shown.emit(conversation_id)

    def open_search(self) -> SearchDialog:
        """Ctrl+K (client/ui/history/search_results.py)."""
        return self.search.open_search()

    # The conversation's reasoning setting

    def set_send_reasoning(self, on: bool) -> None:
        """Whether this conversation sends earlier reasoning back (stored with the conversation)."""
        w, conversation = self._window, self.conversation
        if conversation is None or conversation.id != w.current_id:
            return
        conversation.settings["send_reasoning"] = bool(on)
        self.send_reasoning_action.setChecked(bool(on))
        store, conversation_id = w.store, conversation.id
        w.jobs.run(
            lambda: store.update_conversation_settings(
                conversation_id, {"send_reasoning": bool(on)}
            )
        )
        said = (
            "sends its earlier reasoning back"
            if on
            else "sends back only what the provider requires"
        )
        w.statusBar().showMessage(f"This conversation now {said}.", 8000)
        w.ledger.update_estimate()  # after the setting is stored: the same worker, in order

    # Slots

    @Slot(object)
    def _on_window_conversation_shown(self, conversation_id: str | None) -> None:
        if conversation_id is None:
            self.tree, self.conversation = None, None
            self.send_reasoning_action.setEnabled(False)
            self.send_reasoning_action.setChecked(False)
            self.exports.set_conversation(None)
            return
        if self.tree is None or self.tree.conversation_id != conversation_id:
            self.tree = None
        self._show_save_notes([s.id for s in self._window.conversation.states()])
        self._load(conversation_id)

    @Slot(object, str)
    def _on_conversation_edit_submitted(self, state: TurnState, prompt: str) -> None:
        use_composer = self._window.composer.choice is not None
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
        if conversation_id != self._window.current_id or state.turn.purpose != "chat":
            return
        if self.tree is None or self.tree.conversation_id != conversation_id:
            self.tree = TurnTree(conversation_id)
            self._load(conversation_id)  # a new conversation: its settings, and the tree to merge
        self.tree.add(state.id, state.turn.parent_id)
        self._show_positions(self.tree.siblings(state.id))
        self.sig_branch_shown.emit(conversation_id)

    @Slot(object)
    def _on_runner_turn_finished(self, state: TurnState) -> None:
        if state.turn.conversation_id == self._window.current_id:
            self.sig_branch_shown.emit(state.turn.conversation_id)

    @Slot(str, str)
    def _on_runner_turn_unsaved(self, turn_id: str, sentence: str) -> None:
        w = self._window
        w.conversation.set_save_note(turn_id, sentence)
        if any(s.id == turn_id for s in w.conversation.states()):
            w.banner.say(sentence)
        else:
            w.statusBar().showMessage(sentence, 30_000)

    @Slot(str)
    def _on_runner_turn_saved(self, turn_id: str) -> None:
        from client.ui.turns.saving import DISK_FULL, SAVED

        w = self._window
        w.conversation.set_save_note(turn_id, "")
        if w.banner.label.text() == DISK_FULL and not w.runner.unsaved.ids():
            w.banner.hide()
        w.statusBar().showMessage(SAVED, 10_000)

    @Slot(str)
    def _on_self_branch_shown(self, _conversation_id: str) -> None:
        self._window.ledger.update_estimate()  # the next-turn line counts the branch shown

    def _selected(self) -> TurnState | None:
        state = self._window.conversation.selected_state()
        return state if state is not None and not state.streaming else None

    @Slot()
    def _on_edit_action_triggered(self) -> None:
        if (state := self._selected()) is not None:
            view = self._window.conversation
            view.reveal(state.id)
            view.widget_for(state.id).open_editor()

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
        if (state := self._window.conversation.selected_state()) is not None:
            self.show_version(state, -1)

    @Slot()
    def _on_next_action_triggered(self) -> None:
        if (state := self._window.conversation.selected_state()) is not None:
            self.show_version(state, 1)
