"""The main window: conversations on the left, the conversation in the centre, reasoning on the right.

It owns no data of its own: the store holds conversations, the TurnRunner holds running turns,
the Preferences hold small settings. The window wires the widgets to them, keeps the layout the
user left, and turns every failure into a sentence in the turn or in the banner above the
composer: never a crash dialog, never a dead end.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QUrl, Signal, Slot
from PySide6.QtGui import QCloseEvent, QGuiApplication
from PySide6.QtWidgets import (
    QMainWindow,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from client.ui.actions import build_actions
from client.ui.composer.banner import Banner
from client.ui.composer.catalog import Discover, ModelCatalog
from client.ui.composer.composer import Composer
from client.ui.conversation.links import LinkPolicy
from client.ui.conversation.live import TurnState
from client.ui.conversation.view import ConversationView
from client.ui.conversation.welcome import WelcomePage
from client.ui.focus import ConversationFocus
from client.ui.history.sidebar import ConversationList
from client.ui.inspector.reasoning_pane import ReasoningInspector
from client.ui.jobs import BackgroundJobs
from client.ui.prefs import Preferences
from client.ui.startup import layout_state, load_widgets_later, restore_layout, warm_up
from client.ui.tab_order import tab_to_next
from client.ui.theme import ThemeController

if TYPE_CHECKING:  # the store is opened by app.py; here only its type
    from client.store.store import Store
    from client.ui.announce import Announcer
    from client.ui.audit.controller import AuditController
    from client.ui.compare.controller import CompareController
    from client.ui.composer.models import ModelsController
    from client.ui.help import HelpMenu
    from client.ui.history.controller import HistoryController
    from client.ui.history.conversations import ConversationsController
    from client.ui.ledger.controller import LedgerController
    from client.ui.settings import SettingsController
    from client.ui.turns.runner import TurnRunner
    from client.ui.turns.sending import SendController


class MainWindow(QMainWindow):
    """Thinkpane's window.

    Signals:
        sig_conversation_shown(object): the conversation id now shown (None for a new one).
        sig_ready(): the background start-up work is done (heavy imports loaded, keys checked).
    """

    sig_conversation_shown = Signal(object)
    sig_ready = Signal()

    # Set by attach(): the window can be on screen before them (app.py).
    store: Store
    runner: TurnRunner
    ledger: LedgerController
    sending: SendController
    conversations: ConversationsController
    audit: AuditController
    history: HistoryController
    compare: CompareController
    models: ModelsController
    settings: SettingsController
    help: HelpMenu
    announcer: Announcer

    def __init__(
        self,
        store: Store | None,
        prefs: Preferences,
        jobs: BackgroundJobs,
        runner: TurnRunner | None,
        theme: ThemeController,
        *,
        net_jobs: BackgroundJobs | None = None,
        discover: Discover | None = None,
        list_remote: Callable[[], dict] | None = None,
        confirm_link: Callable[[str], bool] | None = None,
        open_url: Callable[[QUrl], object] | None = None,
    ) -> None:
        """The window with `store` and `runner` wired in; with None for both, only what is seen
        (the widgets, the menus, the layout left last time), to be shown before the store opens:
        `attach()` wires the rest once it has."""
        super().__init__()
        self.setWindowTitle("Thinkpane")
        self.setObjectName("thinkpane")
        self.prefs, self.jobs, self.theme = prefs, jobs, theme
        self.attached = False
        self.net_jobs = net_jobs or jobs
        self.catalog = ModelCatalog(prefs, self.net_jobs, discover, list_remote, self)
        self.links = LinkPolicy(self, confirm_link, open_url)
        self.focus = ConversationFocus(self)
        self._closing = False

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
        self.statusBar()
        self.resize(1400, 860)
        restore_layout(self, self.prefs.get("ui.window") or {})
        self._centre_layout = centre_layout
        if store is not None and runner is not None:
            self.attach(store, runner)

    def attach(self, store: Store, runner: TurnRunner) -> None:
        """Wire the window to the open store: the controllers, and every signal that acts."""
        self.store, self.runner = store, runner
        self._connect_signals()
        self._build_controllers(self._centre_layout)
        prefs = self.prefs
        self.composer.set_choice(prefs.default_model or next(iter(prefs.recent_models), None))
        self.catalog.changed()
        self.attached = True

    def _build_controllers(self, centre_layout: QVBoxLayout) -> None:
        """The features' controllers, each handed what it works with; their widgets placed here.
        (Imported here: the window can be on screen before they are needed.)"""
        from client.ui.announce import Announcer
        from client.ui.audit.controller import AuditController
        from client.ui.compare.controller import CompareController
        from client.ui.composer.models import ModelsController
        from client.ui.help import HelpMenu
        from client.ui.history.controller import HistoryController
        from client.ui.history.conversations import ConversationsController
        from client.ui.history.export_actions import ExportActions
        from client.ui.history.search_results import SearchResults
        from client.ui.ledger.controller import LedgerController
        from client.ui.settings import SettingsController
        from client.ui.turns.sending import SendController, request_for

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
            self.store,
            self.jobs,
            self.composer,
            self.inspector,
            ledger=self.ledger,
            runner=self.runner,
            status=status,
            parent=self,
            current_branch=lambda: (
                self.current_id,
                self.conversation.leaf_id() if self.current_id else None,
            ),
            open_branch=lambda c, t: self.conversations.open_conversation(c, t, t),
            after_run=self._on_compare_run_done,
            show_inspector=lambda: self.actions_.show_inspector.setChecked(True),
            action=a.compare,
        )
        self.sig_conversation_shown.connect(self.compare.on_conversation_shown)

        self.models = ModelsController(  # the picker, the welcome page, Other model, discovery
            self.composer,
            self.catalog,
            self.welcome,
            self.centre_pages,
            self.conversation,
            self.conversations,
            self,
        )
        self.settings = SettingsController(  # the Settings dialog and View → Theme
            self.store,
            self.prefs,
            self.jobs,
            self.net_jobs,
            self.runner,
            self.theme,
            self.composer,
            self.catalog,
            self.models,
            self.ledger,
            a.settings,
            a.theme,
            self,
        )
        self.banner.sig_action_clicked.connect(self.settings.open_settings)
        self.welcome.sig_settings_requested.connect(self.settings.open_settings)
        self.help = HelpMenu(
            self,
            a.keyboard_shortcuts,
            a.read_me,
            a.about,
            self.links.open_own,
            str(Path(self.store.path).parent),
        )
        self.announcer = Announcer(self, self.runner, self.audit, lambda: self.current_id)  # #18

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
        a.quit.triggered.connect(self.close)
        a.copy_answer.triggered.connect(self.copy_answer)
        a.find.triggered.connect(self.conversation.open_find)
        a.show_conversations.toggled.connect(self.sidebar.setVisible)
        a.show_inspector.toggled.connect(self.inspector.setVisible)
        self.splitter.splitterMoved.connect(self._on_splitter_moved)

        self.conversation.sig_turn_selected.connect(self._on_conversation_turn_selected)
        self.conversation.sig_link_clicked.connect(self.links.handle)
        self.conversation.sig_code_copied.connect(self._on_conversation_code_copied)

        self.focus.sig_conversation_shown.connect(self.sig_conversation_shown)
        self.links.sig_link_refused.connect(self._on_links_link_refused)
        self.theme.sig_theme_changed.connect(self._on_theme_changed)

    # Start-up: after the window is shown (heavy imports, the list, discovery)

    def start(self) -> None:
        theme = self.theme.name
        self.jobs.run(lambda: warm_up(theme), self._on_warm_up_done, self._on_warm_up_failed)
        self.conversations.refresh_conversations(open_last=True)

    def _on_warm_up_done(self, has_key: bool) -> None:
        load_widgets_later()  # before the last conversation's turns are built (the next job)
        self.audit.prepare()  # not at the first turn's end, during its last paints
        self.models.warmed_up(has_key)
        self.sig_ready.emit()

    def _on_warm_up_failed(self, exc: BaseException) -> None:
        self.statusBar().showMessage(f"Thinkpane could not load a part of itself: {exc}")
        self.catalog.refresh_local()
        self.sig_ready.emit()

    # Conversations (history/conversations.py does the work)

    def _on_compare_run_done(self, conversation_id: str | None) -> None:
        """A comparison's runs are stored: list its conversation and show it."""
        self.conversations.refresh_conversations()
        self.ledger.refresh()
        if conversation_id is not None and self.current_id in (None, conversation_id):
            self.conversations.open_conversation(conversation_id)

    # Other commands

    def copy_answer(self) -> None:
        state = self.conversation.selected_state()
        if state is not None and state.answer.length:
            QGuiApplication.clipboard().setText(state.answer.text())
            self.statusBar().showMessage("Copied the answer (markdown).", 4000)

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
        if not self.attached:  # closed before the store opened: nothing started, nothing to save
            self._closing = True
        if not self._closing:
            self._closing = True
            self.ledger.shutdown()  # no estimate or budget check starts now, and no turn
            self.sending.shutdown()
            self.audit.shutdown()  # a critic must not keep the window waiting for its job
            self.save_layout()
            self.compare.shutdown()  # a comparison or a prompt set: stopped, what arrived kept
            self.runner.shutdown()
            formulas = sys.modules.get("client.ui.conversation.formula_images")
            if formulas is not None:  # loaded with the first formula shown (browser.py)
                formulas.FormulaImages.stop_if_running()  # the typesetting does not outlive us
            self.jobs.wait()
            self.net_jobs.wait()
            self.jobs.drop_callbacks()
            self.net_jobs.drop_callbacks()
        event.accept()
