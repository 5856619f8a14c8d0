"""Choosing a model: grouped by provider, with the local servers found on this machine.

The list is gathered from what the user has used, the default model from Settings, the local
servers that answered discovery (and the base URLs the user added), and the model lists of the
providers that have a key. Nothing is hard-coded: model names change faster than releases.
"Other model…" takes any provider, model id and base URL.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QFont, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from client.providers.registry import PROFILES

OTHER = "other"
_CHOICE_ROLE = Qt.ItemDataRole.UserRole + 1


@dataclass(frozen=True)
class ModelChoice:
    """A model the user can send to (or ask as a critic): provider profile name, model id, and an
    optional base URL (None: the provider's default)."""

    provider: str
    model: str
    base_url: str | None = None

    @property
    def label(self) -> str:
        return self.model

    def to_json(self) -> dict[str, Any]:
        return {"provider": self.provider, "model": self.model, "base_url": self.base_url}

    @classmethod
    def from_json(cls, data: Any) -> ModelChoice | None:
        """The choice stored as `to_json` wrote it; None for anything else (a provider no longer
        known, a blank model)."""
        if not isinstance(data, dict) or data.get("provider") not in PROFILES:
            return None
        model, url = data.get("model"), data.get("base_url")
        if not isinstance(model, str) or not model.strip():
            return None
        return cls(data["provider"], model, url if isinstance(url, str) and url else None)


def group_label(choice: ModelChoice, local_kind: str | None = None) -> str:
    profile = PROFILES[choice.provider]
    if local_kind:
        host = (choice.base_url or "").split("://")[-1].split("/")[0]
        return f"{local_kind} on {host} (local)"
    if choice.provider == "openai-compatible" and choice.base_url:
        return f"{profile.label}: {choice.base_url}"
    return profile.label


class ModelPicker(QComboBox):
    """A combo box of models under provider headings, ending with "Other model…".

    Signals:
        sig_choice_changed(object): the ModelChoice now selected.
        sig_other_requested(): the user picked "Other model…".
    """

    sig_choice_changed = Signal(object)
    sig_other_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model = QStandardItemModel(self)
        self.setModel(self._model)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(14)
        self.setToolTip("The model this conversation sends to")
        self._choice: ModelChoice | None = None
        self._groups: dict[str, list[ModelChoice]] = {}
        self._rebuild()
        self._connect_signals()

    def _connect_signals(self) -> None:
        self.activated.connect(self._on_self_activated)

    @property
    def choice(self) -> ModelChoice | None:
        return self._choice

    def set_groups(self, groups: dict[str, list[ModelChoice]]) -> None:
        """Replace the list (heading → models), keeping the current choice."""
        self._groups = {k: list(dict.fromkeys(v)) for k, v in groups.items() if v}
        self._rebuild()

    def set_choice(self, choice: ModelChoice | None) -> None:
        if choice == self._choice:
            return
        self._choice = choice
        self._rebuild()
        self.sig_choice_changed.emit(choice)

    def _rebuild(self) -> None:
        self.blockSignals(True)
        self._model.clear()
        known = {c for choices in self._groups.values() for c in choices}
        groups = dict(self._groups)
        if self._choice is not None and self._choice not in known:
            groups = {group_label(self._choice): [self._choice], **groups}
        selected_row = -1
        for heading, choices in groups.items():
            header = QStandardItem(heading)
            header.setFlags(Qt.ItemFlag.NoItemFlags)
            font = QFont(self.font())
            font.setBold(True)
            header.setFont(font)
            self._model.appendRow(header)
            for choice in choices:
                item = QStandardItem(choice.label)
                item.setData(choice, _CHOICE_ROLE)
                item.setToolTip(
                    f"{PROFILES[choice.provider].label}: {choice.model}"
                    + (f" at {choice.base_url}" if choice.base_url else "")
                )
                self._model.appendRow(item)
                if choice == self._choice and selected_row < 0:
                    selected_row = self._model.rowCount() - 1
        other = QStandardItem("Other model…")
        other.setData(OTHER, _CHOICE_ROLE)
        self._model.appendRow(other)
        if selected_row < 0:
            placeholder = QStandardItem("Choose a model")
            placeholder.setFlags(Qt.ItemFlag.NoItemFlags)
            self._model.insertRow(0, placeholder)
            selected_row = 0
        self.setCurrentIndex(selected_row)
        self.blockSignals(False)

    @Slot(int)
    def _on_self_activated(self, row: int) -> None:
        data = self._model.item(row).data(_CHOICE_ROLE) if self._model.item(row) else None
        if data == OTHER:
            self._rebuild()  # show the current choice again until the dialog picks another
            self.sig_other_requested.emit()
        elif isinstance(data, ModelChoice) and data != self._choice:
            self._choice = data
            self.sig_choice_changed.emit(data)


class ModelFields:
    """A provider, a model id and a base URL, as typed: the fields of "Other model…" and of the
    critic dialog (client/ui/audit/critic_dialog.py)."""

    def __init__(self, parent: QWidget) -> None:
        self.provider_box = QComboBox(parent)
        self.provider_box.setAccessibleName("Provider")  # Qt would read only its item
        for profile in PROFILES.values():
            self.provider_box.addItem(profile.label, profile.name)
        self.model_edit = QLineEdit(parent)
        self.model_edit.setPlaceholderText("The model id, as the provider names it")
        self.url_edit = QLineEdit(parent)

    def profile(self) -> Any:
        return PROFILES[self.provider_box.currentData()]

    def fill(self, provider: str, model: str, base_url: str | None) -> None:
        self.provider_box.setCurrentIndex(max(0, self.provider_box.findData(provider)))
        self.model_edit.setText(model)
        self.url_edit.setText(base_url or "")

    def read(self) -> tuple[str, str, str | None] | None:
        """Provider, model id and base URL (None: the default); None without a model id."""
        model = self.model_edit.text().strip()
        if not model:
            return None
        url = self.url_edit.text().strip().rstrip("/") or None
        return self.provider_box.currentData(), model, url

    def show_url_placeholder(self) -> None:
        self.url_edit.setPlaceholderText(
            self.profile().default_base_url or "Required: for example http://127.0.0.1:8080/v1"
        )

    def key_sentence(self) -> str:
        """Whether this provider needs a key, and where it is read from, in plain words. A
        server on this computer or the local network needs none, whatever its provider."""
        from client.pricing.local import is_local_url

        profile = self.profile()
        url = self.url_edit.text().strip()
        if profile.local:
            return f"{profile.label} runs on this computer: no key, no cost."
        if profile.default_base_url is None:  # an OpenAI-compatible server: wherever it runs
            if not url or is_local_url(url):
                return (
                    "A server on this computer or your network needs no key. A remote one reads "
                    f"its key from {' or '.join(profile.env_vars)}."
                )
            return f"{profile.label} reads its key from {' or '.join(profile.env_vars)}."
        if url and is_local_url(url):  # a proxy on this computer: the key is still sent
            return f"{profile.label} through {url} still needs its key: {profile.key_hint}"
        return f"{profile.label}: {profile.key_hint}"

    def complete(self) -> bool:
        """A model id, and a base URL where the provider has no default one."""
        has_url = self.profile().default_base_url is not None or bool(self.url_edit.text().strip())
        return bool(self.model_edit.text().strip()) and has_url


class OtherModelDialog(QDialog):
    """Any provider, model id and base URL: the escape hatch when a model is not listed, and
    the only way in for a server on another port.

    The fields are read when OK is pressed, into `chosen`, so the choice outlives the dialog's
    widgets (the caller reads it after `exec()` returns, when they may be gone).

    Signals: QDialog's (accepted/rejected); `choice()` reads the fields, `chosen` the result.
    """

    def __init__(
        self,
        parent: QWidget | None = None,
        initial: ModelChoice | None = None,
        title: str = "Choose a model",
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(460)  # room for a base URL and the placeholders, uncut
        self.chosen: ModelChoice | None = None
        self.fields = ModelFields(self)
        self.provider_box = self.fields.provider_box
        self.model_edit = self.fields.model_edit
        self.url_edit = self.fields.url_edit
        self.hint = QLabel(self)
        self.hint.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.provider_box.setAccessibleName("Provider")
        self.model_edit.setAccessibleName("Model id")
        self.url_edit.setAccessibleName("Base URL")
        form = QFormLayout(self)
        form.addRow("&Provider", self.provider_box)
        form.addRow("&Model", self.model_edit)
        form.addRow("&Base URL", self.url_edit)
        form.addRow(self.hint)
        form.addRow(buttons)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.provider_box.currentIndexChanged.connect(self._on_provider_box_current_index_changed)
        self.model_edit.textChanged.connect(self._on_edit_text_changed)
        self.url_edit.textChanged.connect(self._on_edit_text_changed)
        if initial is not None:
            self.fields.fill(initial.provider, initial.model, initial.base_url)
        self._on_provider_box_current_index_changed(self.provider_box.currentIndex())

    def choice(self) -> ModelChoice | None:
        read = self.fields.read()
        return ModelChoice(*read) if read is not None else None

    def accept(self) -> None:
        self.chosen = self.choice()  # read while the fields exist
        super().accept()

    @Slot(int)
    def _on_provider_box_current_index_changed(self, _index: int) -> None:
        self.fields.show_url_placeholder()
        self._on_edit_text_changed("")

    @Slot(str)
    def _on_edit_text_changed(self, _text: str) -> None:
        self.hint.setText(self.fields.key_sentence())
        self.ok_button.setEnabled(self.fields.complete())
