"""Settings, opened and applied: the one Settings dialog of a window, and View → Theme.

The dialog is built when first opened and kept (its key checks run on after a close), so a
reopening shows what is saved. What Save changes reaches the parts that use it at once: the
idle timeout the runner applies, the theme and font size, the default model when none is chosen,
the servers to look for, and the ledger (budgets and prices may have changed). View → Theme
switches the theme without opening Settings and remembers it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget

from client.ui.composer.catalog import ModelCatalog
from client.ui.composer.composer import Composer
from client.ui.composer.models import ModelsController
from client.ui.jobs import BackgroundJobs
from client.ui.ledger.controller import LedgerController
from client.ui.prefs import Preferences
from client.ui.theme import ThemeController
from client.ui.turns.runner import TurnRunner

if TYPE_CHECKING:  # built when first opened (loaded once the window shows: startup.py)
    from client.store.store import Store
    from client.ui.settings_dialog import SettingsDialog


class SettingsController(QObject):
    """Opens the window's Settings dialog and applies what it saves; View → Theme."""

    def __init__(
        self,
        store: Store,
        prefs: Preferences,
        jobs: BackgroundJobs,
        net_jobs: BackgroundJobs,
        runner: TurnRunner,
        theme: ThemeController,
        composer: Composer,
        catalog: ModelCatalog,
        models: ModelsController,
        ledger: LedgerController,
        settings_action: QAction,
        theme_actions: dict[str, QAction],
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self._store, self._prefs, self._jobs, self._net_jobs = store, prefs, jobs, net_jobs
        self._runner, self._theme, self._composer = runner, theme, composer
        self._catalog, self._models, self._ledger = catalog, models, ledger
        self._theme_actions = theme_actions
        self._parent = parent  # the dialog's
        self.dialog: SettingsDialog | None = None
        if (action := theme_actions.get(theme.choice)) is not None:
            action.setChecked(True)
        self._apply_idle_timeout()
        settings_action.triggered.connect(self.open_settings)
        for action in theme_actions.values():
            action.triggered.connect(self._on_theme_action_triggered)
        models.sig_servers_found.connect(self._on_models_servers_found)

    def open_settings(self) -> SettingsDialog:
        """One settings dialog per window, kept and reopened (its key jobs outlive a close)."""
        dialog = self.dialog
        if dialog is None:
            from client.ui.settings_dialog import SettingsDialog

            dialog = self.dialog = SettingsDialog(
                self._prefs, self._jobs, self._parent, store=self._store, net_jobs=self._net_jobs
            )
            dialog.sig_settings_saved.connect(self._on_settings_saved)
            dialog.sig_keys_changed.connect(self._models.keys_changed)
            dialog.sig_discover_requested.connect(self._on_dialog_discover_requested)
            if dialog.prices is not None:  # a price set or turns repriced: the ledger changed
                dialog.prices.sig_ledger_changed.connect(self._ledger.prices_changed)
        else:
            dialog.reload()
        if self._catalog.discovered:  # what the last look found, before anyone presses the button
            dialog.set_discovered(self._catalog.all_servers())
        dialog.open()
        return dialog

    def _apply_idle_timeout(self) -> None:
        seconds = int(self._prefs.get("turns.idle_timeout_s") or 0)
        self._runner.idle_timeout_s = float(seconds) if seconds > 0 else None

    def _on_settings_saved(self) -> None:
        self._apply_idle_timeout()
        self._theme.set_choice(self._prefs.get("ui.theme"))
        if (action := self._theme_actions.get(self._theme.choice)) is not None:
            action.setChecked(True)
        self._theme.set_font_size(int(self._prefs.get("ui.font_size") or 0) or None)
        if self._composer.choice is None and self._prefs.default_model is not None:
            self._composer.set_choice(self._prefs.default_model)
        self._catalog.refresh_local()
        self._catalog.changed()
        self._ledger.refresh()  # budgets and prices may have changed

    @Slot()
    def _on_dialog_discover_requested(self) -> None:
        # The addresses as typed: a server just added is asked before anyone presses Save.
        if self.dialog is not None:
            self._catalog.refresh_local(self.dialog.local_urls())

    @Slot(object)
    def _on_models_servers_found(self, servers: list[Any]) -> None:
        if self.dialog is not None:
            self.dialog.set_discovered(servers)

    @Slot()
    def _on_theme_action_triggered(self) -> None:
        sender = self.sender()
        if not isinstance(sender, QAction):
            return
        choice = str(sender.data())
        self._prefs.set("ui.theme", choice)
        self._theme.set_choice(choice)
