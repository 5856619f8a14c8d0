"""The conversations: the sidebar's list, opening one, starting one, renaming, deleting with undo,
and a conversation's system prompt.

Opening a conversation reads it and its branch on the store worker, so the window never waits;
a newer request cancels an older one, and a late answer for a conversation no longer shown is
dropped. The conversation shown is kept in the ConversationFocus every controller follows; a new
conversation is not stored until its first turn starts (its system prompt waits in the focus as
`draft_system`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QInputDialog, QPlainTextEdit, QWidget

from client.core.conversation import Conversation, Turn
from client.ui.actions import WindowActions
from client.ui.composer.banner import Banner
from client.ui.composer.composer import Composer
from client.ui.composer.model_picker import ModelChoice
from client.ui.conversation.view import ConversationView
from client.ui.focus import ConversationFocus
from client.ui.history.sidebar import ConversationList
from client.ui.jobs import BackgroundJobs, JobHandle
from client.ui.prefs import Preferences
from client.ui.turns.runner import TurnRunner
from client.ui.turns.sending import SendController

if TYPE_CHECKING:
    from client.store.store import Store


class ConversationsController(QObject):
    """The conversations of one window (`conversations`: the listed ones, by id).

    Signals:
        sig_column_wanted(): a conversation (or a new one) is about to show: the window shows
            the conversation column rather than the welcome page.
        sig_first_listed(): the list read at start-up has arrived (the welcome page may go).
    """

    sig_column_wanted = Signal()
    sig_first_listed = Signal()

    def __init__(
        self,
        store: Store,
        jobs: BackgroundJobs,
        runner: TurnRunner,
        prefs: Preferences,
        sidebar: ConversationList,
        view: ConversationView,
        composer: Composer,
        banner: Banner,
        focus: ConversationFocus,
        sending: SendController,
        actions: WindowActions,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._store, self._jobs, self._runner, self._prefs = store, jobs, runner, prefs
        self._sidebar, self._view, self._composer, self._banner = sidebar, view, composer, banner
        self._focus, self._sending, self._actions, self._parent = focus, sending, actions, parent
        self.conversations: dict[str, Conversation] = {}
        self._load_job: JobHandle | None = None
        self._select_after_load: str | None = None
        self._update_conversation_actions()
        self._connect_signals()

    def _connect_signals(self) -> None:
        a = self._actions
        a.new_conversation.triggered.connect(self.new_conversation)
        a.rename_conversation.triggered.connect(self._on_rename_action_triggered)
        a.delete_conversation.triggered.connect(self._on_delete_action_triggered)
        a.system_prompt.triggered.connect(self.edit_system_prompt)
        sidebar = self._sidebar
        sidebar.sig_conversation_selected.connect(self.open_conversation)
        sidebar.sig_new_requested.connect(self.new_conversation)
        sidebar.sig_rename_requested.connect(self._on_sidebar_rename_requested)
        sidebar.sig_delete_requested.connect(self.delete_conversation)
        sidebar.sig_restore_requested.connect(self._on_sidebar_restore_requested)
        self._composer.sig_system_prompt_requested.connect(self.edit_system_prompt)
        self._focus.sig_open_requested.connect(self.open_conversation)
        self._focus.sig_list_changed.connect(self.refresh_conversations)
        self._focus.sig_current_changed.connect(self._update_conversation_actions)

    def _update_conversation_actions(self) -> None:
        """Rename and Delete need a conversation: disabled on a new, empty one."""
        for action in (self._actions.rename_conversation, self._actions.delete_conversation):
            action.setEnabled(self._focus.current_id is not None)

    def refresh_conversations(self, open_last: bool = False) -> None:
        store = self._store
        self._jobs.run(
            store.list_conversations,
            lambda result: self._on_conversations_listed(result, open_last),
        )

    def _on_conversations_listed(self, conversations: list[Conversation], open_last: bool) -> None:
        self.conversations = {c.id: c for c in conversations}
        self._sidebar.set_conversations(conversations, self._focus.current_id)
        self._sending.update_streaming_marks()
        if open_last:
            last = self._prefs.get("ui.last_conversation")
            target = (
                last
                if last in self.conversations
                else (conversations[0].id if conversations else None)
            )
            if target is not None:
                self.open_conversation(target)
            self.sig_first_listed.emit()

    def open_conversation(
        self, conversation_id: str, select_turn: str | None = None, leaf_id: str | None = None
    ) -> None:
        """Show a conversation: the branch ending at `leaf_id` (default: the newest turn)."""
        if self._load_job is not None:
            self._load_job.cancel()
        self._focus.current_id = conversation_id
        self._select_after_load = select_turn
        self._prefs.set("ui.last_conversation", conversation_id)
        self._sidebar.select(conversation_id)
        self.sig_column_wanted.emit()
        self._banner.hide()
        store = self._store
        self._load_job = self._jobs.run(
            lambda: (
                store.get_conversation(conversation_id),
                store.branch(conversation_id, leaf_id),
            ),
            self._on_conversation_loaded,
            self._on_conversation_load_failed,
        )

    def _on_conversation_loaded(self, result: tuple[Conversation | None, list[Turn]]) -> None:
        self._load_job = None
        conversation, turns = result
        if conversation is None or conversation.id != self._focus.current_id:
            return
        self.conversations[conversation.id] = conversation
        states = [self._runner.state_for(t) for t in turns]
        self._view.show_turns(conversation.id, states)
        if self._select_after_load:
            self._view.select(self._select_after_load)
        self._composer.set_system_prompt_set(bool(conversation.system))
        choice = ModelChoice.from_json(conversation.settings.get("model"))
        if choice is not None:
            self._composer.set_choice(choice)
        self._sending.update_composer_state()
        self._focus.sig_conversation_shown.emit(conversation.id)

    def _on_conversation_load_failed(self, exc: BaseException) -> None:
        self._load_job = None
        self._banner.say(f"This conversation could not be opened: {exc}")

    def new_conversation(self) -> None:
        if self._load_job is not None:
            self._load_job.cancel()
        self._focus.current_id = None
        self._focus.draft_system = None
        self._sidebar.select(None)
        self._view.show_turns(None, [])
        self._composer.set_system_prompt_set(False)
        self.sig_column_wanted.emit()
        self._banner.hide()
        self._sending.update_composer_state()
        self._composer.focus_prompt()
        self._focus.sig_conversation_shown.emit(None)

    def delete_conversation(self, conversation_id: str) -> None:
        conversation = self.conversations.get(conversation_id)
        self._runner.stop_conversation(conversation_id)
        store = self._store
        self._jobs.run(lambda: store.delete_conversation(conversation_id))
        self._sidebar.show_undo(conversation_id, conversation.title if conversation else "")
        if conversation_id == self._focus.current_id:
            self.new_conversation()
        self.refresh_conversations()

    # The system prompt

    def edit_system_prompt(self) -> None:
        conversation = self.conversations.get(self._focus.current_id or "")
        current = conversation.system if conversation else self._focus.draft_system
        dialog = system_prompt_dialog(self._parent, current or "")
        if dialog.exec():
            self.set_system_prompt(dialog.textValue().strip() or None)

    def set_system_prompt(self, text: str | None) -> None:
        self._composer.set_system_prompt_set(bool(text))
        conversation_id = self._focus.current_id
        if conversation_id is None:
            self._focus.draft_system = text
            return
        store = self._store
        if conversation_id in self.conversations:
            self.conversations[conversation_id].system = text
        self._jobs.run(lambda: store.set_conversation_system(conversation_id, text))

    # Slots

    @Slot(str)
    def _on_sidebar_restore_requested(self, conversation_id: str) -> None:
        store = self._store
        self._jobs.run(lambda: store.restore_conversation(conversation_id))
        self.refresh_conversations()
        self.open_conversation(conversation_id)

    @Slot(str, str)
    def _on_sidebar_rename_requested(self, conversation_id: str, title: str) -> None:
        store = self._store
        self._jobs.run(lambda: store.rename_conversation(conversation_id, title))
        if conversation_id in self.conversations:
            self.conversations[conversation_id].title = title
        self.refresh_conversations()  # queued after the rename, so no older listing wins

    @Slot()
    def _on_rename_action_triggered(self) -> None:
        if self._focus.current_id is not None:
            self._sidebar.rename(self._focus.current_id)

    @Slot()
    def _on_delete_action_triggered(self) -> None:
        if self._focus.current_id is not None:
            self.delete_conversation(self._focus.current_id)


def system_prompt_dialog(parent: QWidget | None, text: str) -> QInputDialog:
    """The system prompt's editor: Tab leaves its box for OK and Cancel (Qt's multi-line input
    keeps Tab as a character, and a keyboard user could not reach the buttons)."""
    dialog = QInputDialog(parent)
    dialog.setWindowTitle("System prompt")
    dialog.setLabelText("Instructions sent before every prompt of this conversation:")
    dialog.setOption(QInputDialog.InputDialogOption.UsePlainTextEditForTextInput)
    dialog.setTextValue(text)
    for box in dialog.findChildren(QPlainTextEdit):
        box.setTabChangesFocus(True)
        box.setAccessibleName("System prompt")
    return dialog
