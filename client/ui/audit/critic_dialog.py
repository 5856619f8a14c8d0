"""Choosing the model that critiques a turn's reasoning, before "Ask a critic…" spends a query.

The critic is optional and on request (docs/auditor.md): any configured model can be
it, local or remote. This dialog says what will happen (the critic reads the problem, the
numbered steps and the answer, blind to the checks, and its cost lands in the ledger), takes a
provider, a model id and a base URL, and remembers the last choice in the store's settings so
the next request is one click. The main window opens it on the audit view's
`sig_critic_requested` and passes the choice to `client.critic.run_critic`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QWidget,
)

from client.store.db import StoreError
from client.ui.composer.model_picker import ModelChoice, ModelFields

SETTING = "audit.critic"
EXPLANATION = (
    "The critic model reads the problem, the numbered steps and the answer, blind to the "
    "checks' findings, and says which step it thinks is the first wrong one. Its opinion is "
    "shown apart from the checks. It is one more query, counted in this conversation's ledger."
)

if TYPE_CHECKING:
    from client.store.store import Store


class CriticDialog(QDialog):
    """Provider, model id and base URL for a critic; remembers the last one.

    Signals: QDialog's (accepted/rejected); `choice()` reads the result.
    """

    def __init__(
        self,
        store: Store | None = None,
        parent: QWidget | None = None,
        initial: ModelChoice | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Ask a critic")
        self._store = store
        self._initial = (
            initial  # the model in use (provider, model, base_url), when none is remembered
        )
        self.explanation = QLabel(EXPLANATION, self)
        self.explanation.setWordWrap(True)
        self.fields = ModelFields(self)
        self.provider_box = self.fields.provider_box
        self.model_edit = self.fields.model_edit
        self.url_edit = self.fields.url_edit
        self.key_hint = QLabel(self)
        self.key_hint.setWordWrap(True)
        self.button_box = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok_button = self.button_box.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Ask")
        form = QFormLayout(self)
        form.addRow(self.explanation)
        form.addRow("&Provider", self.provider_box)
        form.addRow("&Model", self.model_edit)
        form.addRow("&Base URL", self.url_edit)
        form.addRow(self.key_hint)
        form.addRow(self.button_box)
        self._restore()
        self._connect_signals()
        self._on_provider_box_current_index_changed(self.provider_box.currentIndex())

    def _connect_signals(self) -> None:
        self.button_box.accepted.connect(self.accept)
        self.button_box.rejected.connect(self.reject)
        self.provider_box.currentIndexChanged.connect(self._on_provider_box_current_index_changed)
        self.model_edit.textChanged.connect(self._on_model_edit_text_changed)
        self.url_edit.textChanged.connect(self._on_model_edit_text_changed)
        self.accepted.connect(self._on_self_accepted)

    def _restore(self) -> None:
        last = None
        if self._store is not None:
            try:
                last = ModelChoice.from_json(self._store.get_setting(SETTING))
            except StoreError:
                last = None  # a choice not remembered is no reason to refuse the dialog
        if last is None and self._initial is not None:
            last = self._initial
        if last is not None:
            self.fields.fill(last.provider, last.model, last.base_url)

    def choice(self) -> ModelChoice | None:
        read = self.fields.read()
        return ModelChoice(*read) if read is not None else None

    @classmethod
    def ask(
        cls,
        store: Store | None = None,
        parent: QWidget | None = None,
        initial: ModelChoice | None = None,
    ) -> ModelChoice | None:
        """Show the dialog; the choice, or None when the user cancelled. `initial` (the model in
        use) fills the fields when no critic was chosen before."""
        dialog = cls(store, parent, initial)
        try:
            return dialog.choice() if dialog.exec() == QDialog.DialogCode.Accepted else None
        finally:
            dialog.deleteLater()

    @Slot(int)
    def _on_provider_box_current_index_changed(self, _index: int) -> None:
        self.fields.show_url_placeholder()
        self._on_model_edit_text_changed("")

    @Slot(str)
    def _on_model_edit_text_changed(self, _text: str) -> None:
        self.key_hint.setText(self.fields.key_sentence())
        self.ok_button.setEnabled(self.fields.complete())

    @Slot()
    def _on_self_accepted(self) -> None:
        choice = self.choice()
        if self._store is not None and choice is not None:
            try:
                self._store.set_setting(SETTING, choice.to_json())
            except StoreError:
                pass  # remembering is a convenience; the critic can still be asked
