"""Settings (Ctrl+,): API keys, local servers, the default model, theme and font size.

API keys go to the system keyring through client.store.secrets, and nowhere else: the field
never shows a stored key (it only says one is stored), and a typed key is cleared from the field
once saved. When there is no keyring, the page says so in a sentence and names the environment
variables instead. Keyring and discovery calls run in the background: a locked keyring or a slow
port never freezes the window. Given the store, a Costs page holds budgets
(client.ui.ledger.settings) and a Prices page every model's rates, your own prices, newer price
data and repricing (client.ui.ledger.prices_page).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from client.providers.registry import PROFILES
from client.ui.composer.model_picker import ModelChoice
from client.ui.fit import ScrollingPage, fit_to_screen
from client.ui.jobs import BackgroundJobs
from client.ui.ledger.prices_page import PricesPage
from client.ui.ledger.settings import MoneySettings
from client.ui.prefs import Preferences
from client.ui.tab_order import tab_to_next
from client.ui.theme import CHOICE_LABELS, CHOICES, FOCUS_FRAME

if TYPE_CHECKING:
    from client.store.store import Store


def key_rows() -> list[tuple[str, tuple[str, ...], tuple[str, ...]]]:
    """(label, profile names, env vars): profiles that read the same variable share one key."""
    rows: dict[tuple[str, ...], list[str]] = {}
    for profile in PROFILES.values():
        if not profile.local and profile.env_vars:
            rows.setdefault(profile.env_vars, []).append(profile.name)
    result = []
    for env_vars, names in rows.items():
        label = PROFILES[names[0]].label
        if len(names) > 1:
            label = label.split(" (")[0]
        result.append((label, tuple(names), env_vars))
    return result


class _KeyRow(QWidget):
    def __init__(
        self, label: str, names: tuple[str, ...], env_vars: tuple[str, ...], parent: QWidget
    ) -> None:
        super().__init__(parent)
        self.label, self.names, self.env_vars = label, names, env_vars
        self.stored = False
        self.in_memory = False  # kept for this session only (no keyring)
        self.edit = QLineEdit(self)
        self.edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.edit.setAccessibleName(f"{label} API key")
        self.edit.setPlaceholderText("Checking the keyring…")
        self.forget_button = QPushButton("Forget", self)
        self.forget_button.setEnabled(False)
        self.note = QLabel(self)
        self.note.setWordWrap(True)
        env = [name for name in env_vars if os.environ.get(name, "").strip()]
        self.note.setText(
            f"{env[0]} is set in the environment and is used first."
            if env
            else f"Or set {' or '.join(env_vars)}."
        )
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.edit, 1)
        row.addWidget(self.forget_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(1)
        layout.addLayout(row)
        layout.addWidget(self.note)

    def set_stored(self, stored: bool) -> None:
        self.stored = stored
        self.forget_button.setEnabled(stored)
        self.edit.setPlaceholderText(
            "A key is stored in the keyring; type a new one to replace it"
            if stored
            else "Paste an API key"
        )


class SettingsDialog(QDialog):
    """The settings page.

    Signals:
        sig_settings_saved(): preferences were written (theme, font, models, local servers).
        sig_keys_changed(): a key was stored or forgotten (the model list may change).
        sig_discover_requested(): the user asked to look for local servers again.
    """

    sig_settings_saved = Signal()
    sig_keys_changed = Signal()
    sig_discover_requested = Signal()

    def __init__(
        self,
        prefs: Preferences,
        jobs: BackgroundJobs,
        parent: QWidget | None = None,
        *,
        store: Store | None = None,
        net_jobs: BackgroundJobs | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.setMinimumWidth(560)
        self._prefs = prefs
        self._jobs = jobs
        self.keyring_ok = False

        keys_box = QGroupBox("API keys", self)
        self.keyring_label = QLabel("Checking the system keyring…", keys_box)
        self.keyring_label.setWordWrap(True)
        keys_form = QFormLayout(keys_box)
        keys_form.addRow(self.keyring_label)
        self.key_rows: dict[str, _KeyRow] = {}
        for label, names, env_vars in key_rows():
            row = _KeyRow(label, names, env_vars, keys_box)
            row.edit.setEnabled(False)
            self.key_rows[names[0]] = row
            keys_form.addRow(label, row)
            row.forget_button.clicked.connect(lambda _=False, r=row: self._forget(r))
        self.key_status_label = QLabel(keys_box)
        self.key_status_label.setWordWrap(True)
        keys_form.addRow(self.key_status_label)

        local_box = QGroupBox("Local servers", self)
        self.local_urls_edit = QPlainTextEdit(local_box)
        self.local_urls_edit.setPlaceholderText(
            "One base URL a line, for servers on other ports (for example http://127.0.0.1:5000/v1)"
        )
        self.local_urls_edit.setTabChangesFocus(True)  # Tab leaves the box, as in any field
        self.local_urls_edit.setStyleSheet(FOCUS_FRAME)
        self.local_urls_edit.setMaximumHeight(self.fontMetrics().lineSpacing() * 4 + 12)
        self.discover_button = QPushButton("Look for local servers", local_box)
        # What the last look found: a line of its own, so the button keeps one name.
        self.discover_status = QLabel(local_box)
        self.discover_status.setWordWrap(True)
        self.discover_status.setAccessibleName("Local servers found")
        self.discover_status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        local_layout = QVBoxLayout(local_box)
        local_layout.addWidget(
            QLabel(
                "Ollama, LM Studio, llama.cpp and vLLM on their usual ports "
                "are found by themselves. Others:",
                local_box,
            )
        )
        local_layout.addWidget(self.local_urls_edit)
        local_layout.addWidget(self.discover_button)
        local_layout.addWidget(self.discover_status)

        model_box = QGroupBox("Default model", self)
        self.provider_box = QComboBox(model_box)
        self.provider_box.addItem("None", None)
        for profile in PROFILES.values():
            self.provider_box.addItem(profile.label, profile.name)
        self.provider_box.setAccessibleName("Default provider")  # Qt would read only its item
        self.model_edit = QLineEdit(model_box)
        self.model_edit.setPlaceholderText("Model id")
        self.url_edit = QLineEdit(model_box)
        self.url_edit.setPlaceholderText("Base URL (empty: the provider's own)")
        model_form = QFormLayout(model_box)
        model_form.addRow("Provider", self.provider_box)
        model_form.addRow("Model", self.model_edit)
        model_form.addRow("Base URL", self.url_edit)

        look_box = QGroupBox("Appearance", self)
        self.theme_box = QComboBox(look_box)
        for choice in CHOICES:
            self.theme_box.addItem(CHOICE_LABELS[choice], choice)
        self.theme_box.setAccessibleName("Theme")
        self.font_spin = QSpinBox(look_box)
        self.font_spin.setRange(0, 32)
        self.font_spin.setSpecialValueText("System default")
        self.font_spin.setSuffix(" pt")
        look_form = QFormLayout(look_box)
        look_form.addRow("Theme", self.theme_box)
        look_form.addRow("Font size", self.font_spin)
        self.idle_spin = QSpinBox(look_box)
        self.idle_spin.setRange(0, 24 * 3600)
        self.idle_spin.setSingleStep(60)
        self.idle_spin.setSpecialValueText("Never")
        self.idle_spin.setSuffix(" s")
        self.idle_spin.setAccessibleName("End a silent stream after, in seconds")
        self.idle_spin.setToolTip(
            "A stream that sends nothing for this long is ended as a network failure, keeping "
            "what arrived. Reasoning models can think silently for minutes."
        )
        look_form.addRow("End a silent stream after", self.idle_spin)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        general = QWidget(self)
        general_layout = QVBoxLayout(general)
        for box in (keys_box, local_box, model_box, look_box):
            general_layout.addWidget(box)
        general_layout.addStretch(1)
        self.tabs = QTabWidget(self)
        self.tabs.setAccessibleName("Settings pages")  # AT-SPI lists it as focusable
        self.general_page = ScrollingPage(general, self)  # taller than a laptop's screen
        self.general_page.setAccessibleName("General settings")
        self.tabs.addTab(self.general_page, "General")
        self.money: MoneySettings | None = None
        self.prices: PricesPage | None = None
        if store is not None:
            self.money = MoneySettings(store, jobs, self)
            self.tabs.addTab(self.money, "Costs")
            self.prices = PricesPage(store, jobs, net_jobs or jobs, self)
            self.tabs.addTab(self.prices, "Prices")
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(self.buttons)
        self._connect_signals()
        self.reload()
        fit_to_screen(self)

    def focusNextPrevChild(self, next: bool) -> bool:  # noqa: N802, A002 - Qt's names
        """Tab: the tabs, then each field top to bottom, then Save and Cancel (tab_order.py)."""
        return tab_to_next(self, next) or super().focusNextPrevChild(next)

    def show_prices(self) -> None:
        """Open on the Prices tab."""
        if self.prices is not None:
            self.tabs.setCurrentWidget(self.prices)

    def _connect_signals(self) -> None:
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)
        self.discover_button.clicked.connect(self.sig_discover_requested)

    def reload(self) -> None:
        """Show the saved settings again (the dialog is kept and reopened)."""
        prefs = self._prefs
        self.local_urls_edit.setPlainText("\n".join(prefs.local_base_urls))
        default = prefs.default_model
        self.provider_box.setCurrentIndex(
            max(0, self.provider_box.findData(default.provider)) if default else 0
        )
        self.model_edit.setText(default.model if default else "")
        self.url_edit.setText((default.base_url or "") if default else "")
        self.theme_box.setCurrentIndex(max(0, self.theme_box.findData(prefs.get("ui.theme"))))
        self.font_spin.setValue(int(prefs.get("ui.font_size") or 0))
        self.idle_spin.setValue(int(prefs.get("turns.idle_timeout_s") or 0))
        self.key_status_label.clear()
        if self.money is not None:
            self.money.reload()
        if self.prices is not None and self.prices.table_data is not None:
            self.prices.reload()  # read when first shown; again on every reopening
        self.keyring_ok = False  # until the keyring answers again
        for row in self.key_rows.values():
            row.edit.clear()
            row.edit.setEnabled(False)
        self._load_key_status()

    # Keys (in the background: a keyring may be slow or locked)

    def _load_key_status(self) -> None:
        names = list(self.key_rows)

        def work() -> tuple[bool, str, dict[str, bool]]:
            from client.store.secrets import has_stored_key, keyring_available

            ok, sentence = keyring_available()
            return ok, sentence, ({n: has_stored_key(n) for n in names} if ok else {})

        self._jobs.run(work, self._on_key_status_loaded, self._on_key_job_failed)

    def _on_key_status_loaded(self, result: tuple[bool, str, dict[str, bool]]) -> None:
        from client.store.secrets import has_session_key

        ok, sentence, stored = result
        self.keyring_ok = ok
        self.keyring_label.setText(sentence)
        # The sentence arrives after the dialog was laid out, and a form row does not ask a
        # wrapped label for its height: reserve the lines it needs, so nothing is cut off.
        label = self.keyring_label
        label.setMinimumHeight(label.heightForWidth(max(label.width(), 400)))
        for name, row in self.key_rows.items():
            row.edit.setEnabled(True)  # without a keyring, a key is kept in memory instead
            if ok:
                row.set_stored(stored.get(name, False))
            else:
                row.in_memory = has_session_key(name)
                row.forget_button.setEnabled(row.in_memory)
                row.edit.setPlaceholderText(
                    "A key is kept in memory until Thinkpane closes"
                    if row.in_memory
                    else "Paste a key: kept in memory until Thinkpane closes"
                )

    def _on_key_job_failed(self, exc: BaseException) -> None:
        self.key_status_label.setText(str(exc))

    def _forget(self, row: _KeyRow) -> None:
        names = row.names
        if not self.keyring_ok:
            from client.store.secrets import forget_session_key

            for name in names:
                forget_session_key(name)
            row.in_memory = False
            row.forget_button.setEnabled(False)
            self.key_status_label.setText(f"Forgot the {row.label} key.")
            self.sig_keys_changed.emit()
            return

        def work() -> None:
            from client.store.secrets import delete_api_key

            for name in names:
                delete_api_key(name)

        self._jobs.run(
            work,
            lambda _r: self._after_key_change(row, False, f"Forgot the {row.label} key."),
            self._on_key_job_failed,
        )

    def _after_key_change(self, row: _KeyRow, stored: bool, message: str) -> None:
        row.set_stored(stored)
        self.key_status_label.setText(message)
        self.sig_keys_changed.emit()

    def save_keys(self) -> None:
        """Store every typed key in the keyring, then clear the field: a key is never shown."""
        for row in self.key_rows.values():
            key = row.edit.text().strip()
            row.edit.clear()
            if not key:
                continue
            names = row.names
            if not self.keyring_ok:
                from client.store.secrets import keep_for_session

                for name in names:
                    keep_for_session(name, key)
                row.in_memory = True
                row.forget_button.setEnabled(True)
                self.key_status_label.setText(
                    f"The {row.label} key is kept in memory until Thinkpane closes; it was "
                    "written nowhere."
                )
                self.sig_keys_changed.emit()
                continue

            def work(key: str = key, names: tuple[str, ...] = names) -> None:
                from client.store.secrets import set_api_key

                for name in names:
                    set_api_key(name, key)

            self._jobs.run(
                work,
                lambda _r, row=row: self._after_key_change(  # type: ignore[misc]
                    row, True, f"Saved the {row.label} key in the keyring."
                ),
                self._on_key_job_failed,
            )

    # Saving

    def default_model(self) -> ModelChoice | None:
        provider = self.provider_box.currentData()
        model = self.model_edit.text().strip()
        if not provider or not model:
            return None
        return ModelChoice(provider, model, self.url_edit.text().strip().rstrip("/") or None)

    def local_urls(self) -> list[str]:
        return [
            line.strip().rstrip("/")
            for line in self.local_urls_edit.toPlainText().splitlines()
            if line.strip()
        ]

    @Slot()
    def _on_buttons_accepted(self) -> None:
        if self.money is not None and not self.money.save():
            self.tabs.setCurrentWidget(self.money)  # a price or budget that is not a number
            return
        self.save_keys()
        prefs = self._prefs
        default = self.default_model()
        prefs.set("default_model", default.to_json() if default else None)
        prefs.set("local_base_urls", self.local_urls())
        prefs.set("ui.theme", self.theme_box.currentData())
        prefs.set("ui.font_size", self.font_spin.value())
        prefs.set("turns.idle_timeout_s", self.idle_spin.value())
        self.sig_settings_saved.emit()
        self.accept()

    def set_discovered(self, servers: list[Any]) -> None:
        """Show what discovery found (called by the window)."""
        if not servers:
            self.discover_status.setText("No local server answered.")
            return
        names = ", ".join(f"{s.kind} at {s.base_url}" for s in servers)
        self.discover_status.setText(f"Found {names}.")
