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
    QMainWindow,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from client.ui.actions import build_actions, menu_titled
from client.ui.announce import Announcer
from client.ui.audit.controller import AuditController
from client.ui.compare.controller import CompareController
from client.ui.composer.banner import Banner
from client.ui.composer.catalog import Discover, ModelCatalog
from client.ui.composer.composer import Composer
from client.ui.composer.model_picker import ModelChoice, OtherModelDialog
from client.ui.conversation.formula_images import FormulaImages
from client.ui.conversation.links import LinkPolicy
from client.ui.conversation.live import TurnState
from client.ui.conversation.view import ConversationView
from client.ui.conversation.welcome import WelcomePage
from client.ui.focus import ConversationFocus
from client.ui.help import HelpMenu
from client.ui.history.controller import HistoryController
from client.ui.history.conversations import ConversationsController
from client.ui.history.export_actions import ExportActions
from client.ui.history.search_results import SearchResults
from client.ui.history.sidebar import ConversationList
from client.ui.inspector.reasoning_pane import ReasoningInspector
from client.ui.jobs import BackgroundJobs
from client.ui.ledger.controller import LedgerController
from client.ui.prefs import Preferences
from client.ui.startup import layout_state, load_widgets_later, restore_layout, warm_up
from client.ui.tab_order import tab_to_next
from client.ui.theme import ThemeController
from client.ui.turns.runner import TurnRunner
from client.ui.turns.sending import SendController, request_for

if TYPE_CHECKING:  # built when first opened (loaded once the window shows: startup.py)
    from client.store.store import Store
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
        store: Store,
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
        self.focus = ConversationFocus(self)
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
        self._build_controllers(centre_layout)
        self.composer.set_choice(prefs.default_model or next(iter(prefs.recent_models), None))
        self.catalog.changed()

    def _build_controllers(self, centre_layout: QVBoxLayout) -> None:
        """The features' controllers, each handed what it works with; their widgets placed here."""
        a, status = self.actions_, self.statusBar()
        self.ledger = LedgerController(  # #5: the cost line, the estimate, budgets, spend
            self.store,
            self.jobs,
            self.net_jobs,
            self.runner,
            self.composer,
            self.conversation,
            self.banner,
            status,
            self.focus,
            a.spend,
            a.prices,
            lambda prompt: request_for(self.composer, self.focus, self.conversation, prompt),
            self,
        )
        centre_layout.insertWidget(0, self.ledger.summary_label)
        self.sending = SendController(  # Send and Stop; turns starting, streaming and ending
            self.store,
            self.jobs,
            self.runner,
            self.composer,
            self.conversation,
            self.inspector,
            self.sidebar,
            self.banner,
            status,
            self.focus,
            self.prefs,
            self.ledger,
            a.stop,
            self,
        )
        self.conversations = ConversationsController(  # the list, opening, new, rename, delete
            self.store,
            self.jobs,
            self.runner,
            self.prefs,
            self.sidebar,
            self.conversation,
            self.composer,
            self.banner,
            self.focus,
            self.sending,
            a,
            self,
        )
        self.conversations.sig_column_wanted.connect(self._on_conversations_column_wanted)
        self.conversations.sig_first_listed.connect(self._update_welcome)
        self.audit = AuditController(  # #6: the Steps tab, the audit strip, the critic
            self.store,
            self.jobs,
            self.net_jobs,
            self.runner,
            self.conversation,
            self.inspector,
            self.composer,
            self.focus,
            status,
            a.export_audit,
            self,
        )
        status.addPermanentWidget(self.audit.critic_status)
        self.audit.sig_critic_finished.connect(self.ledger.refresh)
        exports = ExportActions(
            self.store,
            self.jobs,
            self.conversation,
            self.focus,
            status,
            a.export_conversation,
            a.import_conversation,
            a.import_conversation_copy,
            self,
        )
        search = SearchResults(
            self.store,
            self.jobs,
            self.conversation,
            self.inspector,
            a.show_inspector,
            self.focus,
            status,
            self,
        )
        self.history = HistoryController(  # #7: branches, search, export, context, saving
            self.store,
            self.jobs,
            self.runner,
            self.conversation,
            self.composer,
            self.banner,
            status,
            self.focus,
            self.ledger,
            exports,
            search,
            a,
            self,
        )
        self.compare = CompareController(  # #15: one prompt across efforts, models, samples
            self,
            self.store,
            self.jobs,
            self.composer,
            self.inspector,
            current_branch=lambda: (
                self.current_id,
                self.conversation.leaf_id() if self.current_id else None,
            ),
            open_branch=lambda c, t: self.open_conversation(c, select_turn=t, leaf_id=t),
            after_run=self._on_compare_run_done,
            show_inspector=lambda: self.actions_.show_inspector.setChecked(True),
        )
        self.sig_conversation_shown.connect(self.compare.on_conversation_shown)

        self.theme_actions = self._add_theme_menu()
        self._apply_idle_timeout()
        self.help = HelpMenu(self)
        self.announcer = Announcer(self)  # #18: a screen reader hears when a turn ends

    # The conversation shown, kept in the focus the controllers follow

    @property
    def current_id(self) -> str | None:
        return self.focus.current_id

    @current_id.setter
    def current_id(self, conversation_id: str | None) -> None:
        self.focus.current_id = conversation_id

    @property
    def draft_system(self) -> str | None:
        return self.focus.draft_system

    @draft_system.setter
    def draft_system(self, text: str | None) -> None:
        self.focus.draft_system = text

    def _connect_signals(self) -> None:
        a = self.actions_
        a.settings.triggered.connect(self.open_settings)
        a.quit.triggered.connect(self.close)
        a.copy_answer.triggered.connect(self.copy_answer)
        a.find.triggered.connect(self.conversation.open_find)
        a.search_everything.triggered.connect(self.open_search)
        a.show_conversations.toggled.connect(self.sidebar.setVisible)
        a.show_inspector.toggled.connect(self.inspector.setVisible)
        self.splitter.splitterMoved.connect(self._on_splitter_moved)

        self.conversation.sig_turn_selected.connect(self._on_conversation_turn_selected)
        self.conversation.sig_link_clicked.connect(self.links.handle)
        self.conversation.sig_code_copied.connect(self._on_conversation_code_copied)

        self.composer.sig_choice_changed.connect(self._on_composer_choice_changed)
        self.composer.sig_other_model_requested.connect(self.choose_other_model)
        self.banner.sig_action_clicked.connect(self.open_settings)

        self.welcome.sig_model_chosen.connect(self._on_welcome_model_chosen)
        self.welcome.sig_settings_requested.connect(self.open_settings)
        self.welcome.sig_discover_requested.connect(self.catalog.refresh_local)
        self.welcome.sig_other_model_requested.connect(self._on_welcome_other_model_requested)

        self.catalog.sig_catalog_changed.connect(self.composer.picker.set_groups)
        self.catalog.sig_servers_found.connect(self._on_catalog_servers_found)

        self.focus.sig_conversation_shown.connect(self.sig_conversation_shown)
        self.focus.sig_current_changed.connect(self._update_conversation_actions)
        self.links.sig_link_refused.connect(self._on_links_link_refused)
        self.theme.sig_theme_changed.connect(self._on_theme_changed)

    # Start-up: after the window is shown (heavy imports, the list, discovery)

    def start(self) -> None:
        theme = self.theme.name
        self.jobs.run(lambda: warm_up(theme), self._on_warm_up_done, self._on_warm_up_failed)
        self.refresh_conversations(open_last=True)

    def _on_warm_up_done(self, has_key: bool) -> None:
        load_widgets_later()  # before the last conversation's turns are built (the next job)
        # Discovery imports httpx and the adapters on another thread: only once warm_up's imports
        # are done, since two threads importing pydantic's lazy modules at once can fail with
        # "partially initialized module" (seen in the status bar at start-up).
        self.catalog.refresh_local()
        self._has_key = has_key
        if has_key:
            self.catalog.refresh_remote()
        self._update_welcome()
        self.sig_ready.emit()

    def _on_warm_up_failed(self, exc: BaseException) -> None:
        self.statusBar().showMessage(f"Thinkpane could not load a part of itself: {exc}")
        self.catalog.refresh_local()
        self.sig_ready.emit()

    def _update_welcome(self) -> None:
        nothing_configured = (
            not self.conversations.conversations
            and not self._has_key
            and self.composer.choice is None
        )
        self.centre_pages.setCurrentWidget(
            self.welcome if nothing_configured else self.conversation
        )

    # Conversations (history/conversations.py does the work)

    def refresh_conversations(self, open_last: bool = False) -> None:
        self.conversations.refresh_conversations(open_last)

    def open_conversation(
        self, conversation_id: str, select_turn: str | None = None, leaf_id: str | None = None
    ) -> None:
        self.conversations.open_conversation(conversation_id, select_turn, leaf_id)

    def _on_compare_run_done(self, conversation_id: str | None) -> None:
        """A comparison's runs are stored: list its conversation and show it."""
        self.refresh_conversations()
        self.ledger.refresh()
        if conversation_id is not None and self.current_id in (None, conversation_id):
            self.open_conversation(conversation_id)

    def _update_conversation_actions(self) -> None:
        """Rename and Delete need a conversation: disabled on a new, empty one."""
        for action in (self.actions_.rename_conversation, self.actions_.delete_conversation):
            action.setEnabled(self.current_id is not None)

    def new_conversation(self) -> None:
        self.conversations.new_conversation()

    def delete_conversation(self, conversation_id: str) -> None:
        self.conversations.delete_conversation(conversation_id)

    def set_system_prompt(self, text: str | None) -> None:
        self.conversations.set_system_prompt(text)

    @Slot()
    def _on_conversations_column_wanted(self) -> None:
        self.centre_pages.setCurrentWidget(self.conversation)

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
            self.composer.focus_prompt()  # the welcome button that had the focus is gone

    def open_settings(self) -> SettingsDialog:
        """One settings dialog per window, kept and reopened (its key jobs outlive a close)."""
        dialog = self._settings_dialog
        if dialog is None:
            from client.ui.settings_dialog import SettingsDialog

            dialog = self._settings_dialog = SettingsDialog(
                self.prefs, self.jobs, self, store=self.store, net_jobs=self.net_jobs
            )
            dialog.sig_settings_saved.connect(self._on_settings_saved)
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

    def _on_settings_saved(self) -> None:
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
    def _on_theme_changed(self, name: str) -> None:
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
        sender = self.sender()
        if not isinstance(sender, QAction):
            return
        choice = str(sender.data())
        self.prefs.set("ui.theme", choice)
        self.theme.set_choice(choice)

    # Layout, remembered

    def save_layout(self) -> None:
        self.prefs.set("ui.window", layout_state(self))

    @Slot(int, int)
    def _on_splitter_moved(self, _pos: int, _index: int) -> None:
        self.actions_.show_inspector.setChecked(self.splitter.sizes()[2] > 0)
        self.actions_.show_conversations.setChecked(self.splitter.sizes()[0] > 0)

    def focusNextPrevChild(self, next: bool) -> bool:  # noqa: N802, A002 - Qt's names
        """Tab: sidebar, conversation, composer, inspector, in the order shown (tab_order.py)."""
        return tab_to_next(self, next) or super().focusNextPrevChild(next)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        """Stop every streaming turn, wait until what arrived is stored, then save the layout."""
        if not self._closing:
            self._closing = True
            self.ledger.shutdown()  # no estimate or budget check starts now, and no turn
            self.sending.shutdown()
            self.audit.shutdown()  # a critic must not keep the window waiting for its job
            self.save_layout()
            self.runner.shutdown()
            FormulaImages.instance().stop()  # the typesetting process does not outlive the window
            self.jobs.wait()
            self.net_jobs.wait()
        event.accept()
