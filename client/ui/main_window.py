"""The main window: conversations on the left, the conversation in the centre, reasoning on the right.

It owns no data of its own: the store holds conversations, the TurnRunner holds running turns,
the Preferences hold small settings. The window wires the widgets to them, keeps the layout the
user left, and turns every failure into a sentence in the turn or in the banner above the
composer: never a crash dialog, never a dead end.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QUrl, Signal, Slot
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QGuiApplication
from PySide6.QtWidgets import (
    QInputDialog,
    QMainWindow,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from client.core.conversation import Conversation, Turn
from client.ui.actions import build_actions, menu_titled
from client.ui.audit.controller import AuditController
from client.ui.composer.banner import Banner
from client.ui.composer.catalog import Discover, ModelCatalog
from client.ui.composer.composer import Composer
from client.ui.composer.model_picker import ModelChoice, OtherModelDialog
from client.ui.conversation.links import LinkPolicy
from client.ui.conversation.live import TurnState
from client.ui.conversation.view import ConversationView
from client.ui.conversation.welcome import WelcomePage
from client.ui.help import HelpMenu
from client.ui.history.controller import HistoryController
from client.ui.history.sidebar import ConversationList
from client.ui.inspector.reasoning_pane import ReasoningInspector
from client.ui.jobs import BackgroundJobs, JobHandle
from client.ui.ledger.controller import LedgerController
from client.ui.prefs import Preferences
from client.ui.startup import layout_state, load_widgets_later, restore_layout, warm_up
from client.ui.theme import ThemeController
from client.ui.turns.runner import SendRequest, TurnRunner

if TYPE_CHECKING:  # built when first opened (loaded once the window shows: startup.py)
    from client.ui.settings_dialog import SettingsDialog


class MainWindow(QMainWindow):
    """Thinkpane's window.

    Signals:
        sig_conversation_shown(object): the conversation id now shown (None for a new one).
        sig_ready(): the background start-up work is done (heavy imports loaded, keys checked).
    """

    sig_conversation_shown = Signal(object)
    sig_ready = Signal()

    def __init__(
        self,
        store: Any,
        prefs: Preferences,
        jobs: BackgroundJobs,
        runner: TurnRunner,
        theme: ThemeController,
        *,
        net_jobs: BackgroundJobs | None = None,
        discover: Discover | None = None,
        list_remote: Callable[[], dict] | None = None,
        confirm_link: Callable[[str], bool] | None = None,
        open_url: Callable[[QUrl], object] | None = None,
    ) -> None:
        super().__init__()
        self.setWindowTitle("Thinkpane")
        self.setObjectName("thinkpane")
        self.store, self.prefs, self.jobs, self.runner, self.theme = (
            store,
            prefs,
            jobs,
            runner,
            theme,
        )
        self.net_jobs = net_jobs or jobs
        self.catalog = ModelCatalog(prefs, self.net_jobs, discover, list_remote, self)
        self.links = LinkPolicy(self, confirm_link, open_url)
        self._current_id: str | None = None
        self.draft_system: str | None = None
        self._draft_key: str | None = None
        self._load_job: JobHandle | None = None
        self._select_after_load: str | None = None
        self._conversations: dict[str, Conversation] = {}
        self._has_key = False
        self._closing = False
        self._settings_dialog: SettingsDialog | None = None

        self.sidebar = ConversationList(self)
        self.conversation = ConversationView(theme.name, self)
        self.welcome = WelcomePage(self)
        self.centre_pages = QStackedWidget(self)
        self.centre_pages.addWidget(self.conversation)
        self.centre_pages.addWidget(self.welcome)
        self.banner = Banner(self)
        self.composer = Composer(self)
        centre = QWidget(self)
        centre_layout = QVBoxLayout(centre)
        centre_layout.setContentsMargins(0, 0, 0, 0)
        centre_layout.setSpacing(0)
        centre_layout.addWidget(self.centre_pages, 1)
        centre_layout.addWidget(self.banner)
        centre_layout.addWidget(self.composer)
        self.inspector = ReasoningInspector(self)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("main_splitter")
        self.splitter.addWidget(self.sidebar)
        self.splitter.addWidget(centre)
        self.splitter.addWidget(self.inspector)
        self.splitter.setCollapsible(1, False)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setStretchFactor(2, 1)  # the inspector grows with the window too
        self.splitter.setSizes([220, 760, 420])
        self.setCentralWidget(self.splitter)
        self.actions_ = build_actions(self)
        self._update_conversation_actions()
        self.statusBar()
        self.resize(1400, 860)
        restore_layout(self, self.prefs.get("ui.window") or {})
        self._connect_signals()
        self.composer.set_choice(prefs.default_model or (prefs.recent_models or [None])[0])
        self.catalog.changed()
        self.audit = AuditController(self)  # #6: the Steps tab, the audit strip, the critic
        self.ledger = LedgerController(self)  # #5: the cost line, the estimate, budgets, spend
        self.audit.sig_critic_finished.connect(self.ledger.refresh)
        self.history = HistoryController(self)  # #7: branches, search, export, context, saving
        self.theme_actions = self._add_theme_menu()
        self._apply_idle_timeout()
        self.help = HelpMenu(self)

    def _connect_signals(self) -> None:
        a = self.actions_
        a.new_conversation.triggered.connect(self.new_conversation)
        a.rename_conversation.triggered.connect(self._on_rename_action_triggered)
        a.delete_conversation.triggered.connect(self._on_delete_action_triggered)
        a.settings.triggered.connect(self.open_settings)
        a.quit.triggered.connect(self.close)
        a.copy_answer.triggered.connect(self.copy_answer)
        a.find.triggered.connect(self.conversation.open_find)
        a.search_everything.triggered.connect(self.open_search)
        a.stop.triggered.connect(self.stop)
        a.retry.triggered.connect(self._on_retry_action_triggered)
        a.system_prompt.triggered.connect(self.edit_system_prompt)
        a.show_conversations.toggled.connect(self.sidebar.setVisible)
        a.show_inspector.toggled.connect(self.inspector.setVisible)
        self.splitter.splitterMoved.connect(self._on_splitter_splitter_moved)

        self.sidebar.sig_conversation_selected.connect(self.open_conversation)
        self.sidebar.sig_new_requested.connect(self.new_conversation)
        self.sidebar.sig_rename_requested.connect(self._on_sidebar_rename_requested)
        self.sidebar.sig_delete_requested.connect(self.delete_conversation)
        self.sidebar.sig_restore_requested.connect(self._on_sidebar_restore_requested)

        self.conversation.sig_turn_selected.connect(self._on_conversation_turn_selected)
        self.conversation.sig_retry_requested.connect(self.retry)
        self.conversation.sig_link_clicked.connect(self.links.handle)
        self.conversation.sig_code_copied.connect(self._on_conversation_code_copied)

        self.composer.sig_send_requested.connect(self.send)
        self.composer.sig_stop_requested.connect(self.stop)
        self.composer.sig_choice_changed.connect(self._on_composer_choice_changed)
        self.composer.sig_other_model_requested.connect(self.choose_other_model)
        self.composer.sig_system_prompt_requested.connect(self.edit_system_prompt)
        self.banner.sig_action_clicked.connect(self.open_settings)

        self.welcome.sig_model_chosen.connect(self._on_welcome_model_chosen)
        self.welcome.sig_settings_requested.connect(self.open_settings)
        self.welcome.sig_discover_requested.connect(self.catalog.refresh_local)
        self.welcome.sig_other_model_requested.connect(self._on_welcome_other_model_requested)

        self.catalog.sig_catalog_changed.connect(self.composer.picker.set_groups)
        self.catalog.sig_servers_found.connect(self._on_catalog_servers_found)

        self.runner.sig_turn_started.connect(self._on_runner_turn_started)
        self.runner.sig_turn_not_started.connect(self._on_runner_turn_not_started)
        self.runner.sig_turns_updated.connect(self._on_runner_turns_updated)
        self.runner.sig_turn_finished.connect(self._on_runner_turn_finished)
        self.links.sig_link_refused.connect(self._on_links_link_refused)
        self.theme.sig_theme_changed.connect(self._on_theme_theme_changed)

    # Start-up: after the window is shown (heavy imports, the list, discovery)

    def start(self) -> None:
        theme = self.theme.name
        self.jobs.run(lambda: warm_up(theme), self._on_warm_up_done, self._on_warm_up_failed)
        self.refresh_conversations(open_last=True)
        self.catalog.refresh_local()

    def _on_warm_up_done(self, has_key: bool) -> None:
        load_widgets_later()  # before the last conversation's turns are built (the next job)
        self._has_key = has_key
        if has_key:
            self.catalog.refresh_remote()
        self._update_welcome()
        self.sig_ready.emit()

    def _on_warm_up_failed(self, exc: BaseException) -> None:
        self.statusBar().showMessage(f"Thinkpane could not load a part of itself: {exc}")
        self.sig_ready.emit()

    def _update_welcome(self) -> None:
        nothing_configured = (
            not self._conversations and not self._has_key and self.composer.choice is None
        )
        self.centre_pages.setCurrentWidget(
            self.welcome if nothing_configured else self.conversation
        )

    # Conversations

    def refresh_conversations(self, open_last: bool = False) -> None:
        store = self.store
        self.jobs.run(
            store.list_conversations,
            lambda result: self._on_conversations_listed(result, open_last),
        )

    def _on_conversations_listed(self, conversations: list[Conversation], open_last: bool) -> None:
        self._conversations = {c.id: c for c in conversations}
        self.sidebar.set_conversations(conversations, self.current_id)
        self._update_streaming_marks()
        if open_last:
            last = self.prefs.get("ui.last_conversation")
            target = (
                last
                if last in self._conversations
                else (conversations[0].id if conversations else None)
            )
            if target is not None:
                self.open_conversation(target)
            self._update_welcome()

    def open_conversation(
        self, conversation_id: str, select_turn: str | None = None, leaf_id: str | None = None
    ) -> None:
        """Show a conversation: the branch ending at `leaf_id` (default: the newest turn)."""
        if self._load_job is not None:
            self._load_job.cancel()
        self.current_id = conversation_id
        self._select_after_load = select_turn
        self.prefs.set("ui.last_conversation", conversation_id)
        self.sidebar.select(conversation_id)
        self.centre_pages.setCurrentWidget(self.conversation)
        self.banner.hide()
        store = self.store
        self._load_job = self.jobs.run(
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
        if conversation is None or conversation.id != self.current_id:
            return
        self._conversations[conversation.id] = conversation
        states = [self.runner.state_for(t) for t in turns]
        self.conversation.show_turns(conversation.id, states)
        if self._select_after_load:
            self.conversation.select(self._select_after_load)
        self.composer.set_system_prompt_set(bool(conversation.system))
        choice = ModelChoice.from_json(conversation.settings.get("model"))
        if choice is not None:
            self.composer.set_choice(choice)
        self._update_composer_state()
        self.sig_conversation_shown.emit(conversation.id)

    def _on_conversation_load_failed(self, exc: BaseException) -> None:
        self._load_job = None
        self.banner.say(f"This conversation could not be opened: {exc}")

    @property
    def current_id(self) -> str | None:
        """The conversation shown (None: a new one, not stored yet)."""
        return self._current_id

    @current_id.setter
    def current_id(self, conversation_id: str | None) -> None:
        self._current_id = conversation_id
        if hasattr(self, "actions_"):
            self._update_conversation_actions()

    def _update_conversation_actions(self) -> None:
        """Rename and Delete need a conversation: disabled on a new, empty one."""
        for action in (self.actions_.rename_conversation, self.actions_.delete_conversation):
            action.setEnabled(self.current_id is not None)

    def new_conversation(self) -> None:
        if self._load_job is not None:
            self._load_job.cancel()
        self.current_id = None
        self.draft_system = None
        self.sidebar.select(None)
        self.conversation.show_turns(None, [])
        self.composer.set_system_prompt_set(False)
        self.centre_pages.setCurrentWidget(self.conversation)
        self.banner.hide()
        self._update_composer_state()
        self.composer.focus_prompt()
        self.sig_conversation_shown.emit(None)

    def delete_conversation(self, conversation_id: str) -> None:
        conversation = self._conversations.get(conversation_id)
        self.runner.stop_conversation(conversation_id)
        store = self.store
        self.jobs.run(lambda: store.delete_conversation(conversation_id))
        self.sidebar.show_undo(conversation_id, conversation.title if conversation else "")
        if conversation_id == self.current_id:
            self.new_conversation()
        self.refresh_conversations()

    @Slot(str)
    def _on_sidebar_restore_requested(self, conversation_id: str) -> None:
        store = self.store
        self.jobs.run(lambda: store.restore_conversation(conversation_id))
        self.refresh_conversations()
        self.open_conversation(conversation_id)

    @Slot(str, str)
    def _on_sidebar_rename_requested(self, conversation_id: str, title: str) -> None:
        store = self.store
        self.jobs.run(lambda: store.rename_conversation(conversation_id, title))
        if conversation_id in self._conversations:
            self._conversations[conversation_id].title = title
        self.refresh_conversations()  # queued after the rename, so no older listing wins

    @Slot()
    def _on_rename_action_triggered(self) -> None:
        if self.current_id is not None:
            self.sidebar.rename(self.current_id)

    @Slot()
    def _on_delete_action_triggered(self) -> None:
        if self.current_id is not None:
            self.delete_conversation(self.current_id)

    # Sending, stopping, retrying (the runner does the work; see runner.py)

    def send(self, prompt: str) -> None:
        choice = self.composer.choice
        if choice is None:
            self.composer.restore_prompt(prompt)
            return
        settings = self.composer.settings()
        if self.current_id is None:
            settings.system = self.draft_system
        send = SendRequest(
            choice.provider,
            choice.model,
            prompt,
            choice.base_url,
            conversation_id=self.current_id,
            parent_id=self.conversation.leaf_id() if self.current_id else None,  # the branch shown
            settings=settings,
        )
        key = self.runner.start(send)
        if self.current_id is None:
            self._draft_key = key
        self.prefs.remember_model(choice)
        self.banner.hide()
        self._update_composer_state()

    def retry(self, state: TurnState) -> None:
        """Ask a turn again in its place, with its own model and settings (history.py: a new
        version beside it, after the same budget check as Send)."""
        if not state.streaming:
            self.history.send_version(state, state.turn.prompt, use_composer=False)

    @Slot()
    def _on_retry_action_triggered(self) -> None:
        state = self.conversation.selected_state()
        if state is not None:
            self.retry(state)

    def stop(self) -> None:
        self.runner.stop_conversation(self.current_id)
        self._update_composer_state()

    @Slot(str, object)
    def _on_runner_turn_started(self, key: str, state: TurnState) -> None:
        conversation_id = state.turn.conversation_id
        if key == self._draft_key:
            self._draft_key = None
            if self.current_id is None:
                self.current_id = conversation_id
                self.prefs.set("ui.last_conversation", conversation_id)
                self.conversation.conversation_id = conversation_id
        if conversation_id == self.current_id:
            self.conversation.truncate_after(state.turn.parent_id)
            self.conversation.add_turn(state)
        if self.composer.choice is not None:
            choice, store = self.composer.choice, self.store
            if choice.provider == state.turn.provider and choice.model == state.turn.model:
                self.jobs.run(
                    lambda: store.update_conversation_settings(
                        conversation_id, {"model": choice.to_json()}
                    )
                )
        self.refresh_conversations()
        self._update_composer_state()

    @Slot(str, object, str)
    def _on_runner_turn_not_started(self, key: str, send: SendRequest, message: str) -> None:
        if key == self._draft_key:
            self._draft_key = None
        if send.conversation_id == self.current_id:
            self.composer.restore_prompt(send.prompt)
            needs_key = "key" in message.lower()
            self.banner.say(message, "Settings…" if needs_key else None)
        else:
            self.statusBar().showMessage(message, 10_000)
        self._update_composer_state()

    @Slot(object)
    def _on_runner_turns_updated(self, turn_ids: tuple[str, ...]) -> None:
        self.conversation.refresh_turns(turn_ids)
        if self.inspector.state is not None and self.inspector.state.id in turn_ids:
            self.inspector.refresh()

    @Slot(object)
    def _on_runner_turn_finished(self, state: TurnState) -> None:
        self.conversation.refresh_turns((state.id,))
        if self.inspector.state is state:
            self.inspector.refresh()
        self._update_composer_state()
        if not self._closing:
            self.refresh_conversations()

    def _update_composer_state(self) -> None:
        streaming = bool(self.runner.streaming_turns(self.current_id)) or self.runner.pending(
            self.current_id
        )
        if self.current_id is None and self._draft_key is not None:
            streaming = True
        self.composer.set_streaming(streaming)
        self.actions_.stop.setEnabled(streaming)
        self._update_streaming_marks()

    def _update_streaming_marks(self) -> None:
        self.sidebar.set_streaming(
            {s.turn.conversation_id for s in self.runner.all_streaming_turns()}
        )

    # Models and settings

    @Slot(object)
    def _on_composer_choice_changed(self, choice: ModelChoice | None) -> None:
        self._update_welcome()

    @Slot(object)
    def _on_welcome_model_chosen(self, choice: ModelChoice) -> None:
        self.composer.set_choice(choice)
        self.new_conversation()

    @Slot(object)
    def _on_catalog_servers_found(self, servers: list[Any]) -> None:
        self.welcome.set_servers(servers)
        if self._settings_dialog is not None:
            self._settings_dialog.set_discovered(servers)

    @Slot()
    def _on_welcome_other_model_requested(self) -> None:
        self.choose_other_model(server=True)

    def choose_other_model(self, *, server: bool = False) -> None:
        """Any provider, model and address; `server` (the welcome page's "Use another server…")
        starts from an OpenAI-compatible server unless a model is in use."""
        initial = self.composer.choice
        if initial is None and server:
            initial = ModelChoice("openai-compatible", "", None)
        title = "Use another server" if server else "Choose a model"
        dialog = OtherModelDialog(self, initial, title)
        try:
            accepted = dialog.exec()
            choice = dialog.chosen  # read in accept(), while the fields still existed
        finally:
            dialog.deleteLater()
        if accepted and choice is not None:
            self.composer.set_choice(choice)
            if self.centre_pages.currentWidget() is self.welcome:
                self.new_conversation()

    def open_settings(self) -> SettingsDialog:
        """One settings dialog per window, kept and reopened (its key jobs outlive a close)."""
        dialog = self._settings_dialog
        if dialog is None:
            from client.ui.settings_dialog import SettingsDialog

            dialog = self._settings_dialog = SettingsDialog(
                self.prefs, self.jobs, self, store=self.store, net_jobs=self.net_jobs
            )
            dialog.sig_settings_saved.connect(self._on_settings_settings_saved)
            dialog.sig_keys_changed.connect(self._on_settings_keys_changed)
            dialog.sig_discover_requested.connect(self.catalog.refresh_local)
            if dialog.prices is not None:  # a price set or turns repriced: the ledger changed
                dialog.prices.sig_ledger_changed.connect(self.ledger.prices_changed)
        else:
            dialog.reload()
        dialog.open()
        return dialog

    def _apply_idle_timeout(self) -> None:
        seconds = int(self.prefs.get("turns.idle_timeout_s") or 0)
        self.runner.idle_timeout_s = float(seconds) if seconds > 0 else None

    def _on_settings_settings_saved(self) -> None:
        self._apply_idle_timeout()
        self.theme.set_choice(self.prefs.get("ui.theme"))
        if (action := self.theme_actions.get(self.theme.choice)) is not None:
            action.setChecked(True)
        self.theme.set_font_size(int(self.prefs.get("ui.font_size") or 0) or None)
        if self.composer.choice is None and self.prefs.default_model is not None:
            self.composer.set_choice(self.prefs.default_model)
        self.catalog.refresh_local()
        self.catalog.changed()
        self.ledger.refresh()  # budgets and prices may have changed

    def _on_settings_keys_changed(self) -> None:
        self._has_key = True
        self.catalog.refresh_remote()
        self._update_welcome()

    def edit_system_prompt(self) -> None:
        conversation = self._conversations.get(self.current_id or "")
        current = conversation.system if conversation else self.draft_system
        text, ok = QInputDialog.getMultiLineText(
            self,
            "System prompt",
            "Instructions sent before every prompt of this conversation:",
            current or "",
        )
        if ok:
            self.set_system_prompt(text.strip() or None)

    def set_system_prompt(self, text: str | None) -> None:
        self.composer.set_system_prompt_set(bool(text))
        if self.current_id is None:
            self.draft_system = text
            return
        conversation_id, store = self.current_id, self.store
        if conversation_id in self._conversations:
            self._conversations[conversation_id].system = text
        self.jobs.run(lambda: store.set_conversation_system(conversation_id, text))

    # Other commands

    def copy_answer(self) -> None:
        state = self.conversation.selected_state()
        if state is not None and state.answer.length:
            QGuiApplication.clipboard().setText(state.answer.text())
            self.statusBar().showMessage("Copied the answer (markdown).", 4000)

    def open_search(self) -> None:
        self.history.open_search()  # filters, and a result opens on its branch (history.py)

    @Slot(object)
    def _on_conversation_turn_selected(self, state: TurnState | None) -> None:
        self.inspector.show_turn(state)

    @Slot(int)
    def _on_conversation_code_copied(self, index: int) -> None:
        self.statusBar().showMessage(f"Copied code block {index + 1}.", 4000)

    @Slot(str)
    def _on_links_link_refused(self, sentence: str) -> None:
        self.statusBar().showMessage(sentence, 10_000)

    @Slot(str)
    def _on_theme_theme_changed(self, name: str) -> None:
        self.conversation.set_theme(name)

    def _add_theme_menu(self) -> dict[str, QAction]:
        """View → Theme: light, dark or the system's, without opening Settings."""
        from client.ui.theme import CHOICE_LABELS

        view = menu_titled(self, "&View")
        assert view is not None
        menu = view.addMenu("&Theme")
        group = QActionGroup(self)
        actions = {}
        for choice, label in CHOICE_LABELS.items():
            action = menu.addAction(label)
            action.setCheckable(True)
            action.setChecked(choice == self.theme.choice)
            action.setData(choice)
            group.addAction(action)
            action.triggered.connect(self._on_theme_action_triggered)
            actions[choice] = action
        return actions

    @Slot()
    def _on_theme_action_triggered(self) -> None:
        choice = self.sender().data()
        self.prefs.set("ui.theme", choice)
        self.theme.set_choice(choice)

    # Layout, remembered

    def save_layout(self) -> None:
        self.prefs.set("ui.window", layout_state(self))

    @Slot(int, int)
    def _on_splitter_splitter_moved(self, _pos: int, _index: int) -> None:
        self.actions_.show_inspector.setChecked(self.splitter.sizes()[2] > 0)
        self.actions_.show_conversations.setChecked(self.splitter.sizes()[0] > 0)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        """Stop every streaming turn, wait until what arrived is stored, then save the layout."""
        if not self._closing:
            self._closing = True
            self.save_layout()
            self.runner.shutdown()
            self.jobs.wait()
            self.net_jobs.wait()
        event.accept()
