"""Which model the next prompt goes to, and every way to choose one: the picker's lists, the
welcome page, the Other model dialog and what discovery found.

A first run has nothing to talk to yet, so the centre shows the welcome page (its local servers,
a key, another server) until there is a conversation, a key or a model; a model chosen there
starts a new conversation. The catalog fills the picker as discovery and the providers' model
lists answer, which start only once the window's warm-up is done.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QStackedWidget, QWidget

from client.ui.composer.catalog import ModelCatalog
from client.ui.composer.composer import Composer
from client.ui.composer.model_picker import ModelChoice, OtherModelDialog
from client.ui.conversation.welcome import WelcomePage
from client.ui.history.conversations import ConversationsController


class ModelsController(QObject):
    """Signals: sig_servers_found(list): the local servers discovery found (for Settings)."""

    sig_servers_found = Signal(object)

    def __init__(
        self,
        composer: Composer,
        catalog: ModelCatalog,
        welcome: WelcomePage,
        centre_pages: QStackedWidget,
        conversation_page: QWidget,
        conversations: ConversationsController,
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self._composer, self._catalog, self._welcome = composer, catalog, welcome
        self._centre_pages, self._conversation_page = centre_pages, conversation_page
        self._conversations = conversations
        self._parent = parent
        self.has_key = False
        self._connect_signals()

    def _connect_signals(self) -> None:
        self._composer.sig_choice_changed.connect(self._on_composer_choice_changed)
        self._composer.sig_other_model_requested.connect(self.choose_other_model)
        self._welcome.sig_model_chosen.connect(self._on_welcome_model_chosen)
        self._welcome.sig_discover_requested.connect(self._catalog.refresh_local)
        self._welcome.sig_other_model_requested.connect(self._on_welcome_other_model_requested)
        self._catalog.sig_catalog_changed.connect(self._composer.picker.set_groups)
        self._catalog.sig_servers_found.connect(self._on_catalog_servers_found)
        self._conversations.sig_column_wanted.connect(self._on_conversations_column_wanted)
        self._conversations.sig_first_listed.connect(self.update_welcome)

    # Start-up and keys

    def warmed_up(self, has_key: bool) -> None:
        """The window's heavy imports are loaded: look for local servers, and list the
        providers' models when there is a key."""
        # Discovery imports httpx and the adapters on another thread: only once warm_up's imports
        # are done, since two threads importing pydantic's lazy modules at once can fail with
        # "partially initialized module" (seen in the status bar at start-up).
        self._catalog.refresh_local()
        self.has_key = has_key
        if has_key:
            self._catalog.refresh_remote()
        self.update_welcome()

    def keys_changed(self) -> None:
        self.has_key = True
        self._catalog.refresh_remote()
        self.update_welcome()

    def update_welcome(self) -> None:
        nothing_configured = (
            not self._conversations.conversations
            and not self.has_key
            and self._composer.choice is None
        )
        self._centre_pages.setCurrentWidget(
            self._welcome if nothing_configured else self._conversation_page
        )

    @Slot()
    def _on_conversations_column_wanted(self) -> None:
        self._centre_pages.setCurrentWidget(self._conversation_page)

    # Choosing

    @Slot(object)
    def _on_composer_choice_changed(self, choice: ModelChoice | None) -> None:
        self.update_welcome()

    @Slot(object)
    def _on_welcome_model_chosen(self, choice: ModelChoice) -> None:
        self._composer.set_choice(choice)
        self._conversations.new_conversation()

    @Slot(object)
    def _on_catalog_servers_found(self, servers: list[Any]) -> None:
        self._welcome.set_servers(servers)
        self.sig_servers_found.emit(servers)

    @Slot()
    def _on_welcome_other_model_requested(self) -> None:
        self.choose_other_model(server=True)

    def choose_other_model(self, *, server: bool = False) -> None:
        """Any provider, model and address; `server` (the welcome page's "Use another server…")
        starts from an OpenAI-compatible server unless a model is in use."""
        initial = self._composer.choice
        if initial is None and server:
            initial = ModelChoice("openai-compatible", "", None)
        title = "Use another server" if server else "Choose a model"
        dialog = OtherModelDialog(self._parent, initial, title)
        try:
            accepted = dialog.exec()
            choice = dialog.chosen  # read in accept(), while the fields still existed
        finally:
            dialog.deleteLater()
        if accepted and choice is not None:
            self._composer.set_choice(choice)
            if self._centre_pages.currentWidget() is self._welcome:
                self._conversations.new_conversation()
            self._composer.focus_prompt()  # the welcome button that had the focus is gone
