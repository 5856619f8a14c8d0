"""Effort, budget and summary for the chosen model, and the exact reasoning settings it will send.

The rules for which API takes which setting live with the adapters (client.providers): this
widget asks the chosen provider's adapter to build the request body and shows the reasoning
part of it, so "Sends:" is the real value that goes over the wire, not a level name we made up.
A control the adapter refuses or ignores for this model is disabled, with the adapter's reason.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QWidget,
)

from client.core.conversation import TurnSettings
from client.core.errors import UsageError
from client.core.request import EFFORTS, TurnRequest
from client.ui.composer.model_picker import ModelChoice

SUMMARIES = ("auto", "concise", "detailed", "none")
# Parts of a request body that carry the conversation, not reasoning settings.
_NOT_SETTINGS = {
    "model",
    "messages",
    "input",
    "contents",
    "stream",
    "stream_options",
    "store",
    "include",
    "system",
    "instructions",
    "systemInstruction",
    "system_instruction",
}
# Values to probe whether a model takes a control; any one it takes enables the control
# (Mistral Small 4 takes only none and high).
_SAMPLES = {
    "effort": tuple(TurnSettings(effort=e) for e in ("medium", "high", "low", "minimal", "max")),
    "thinking_budget": (TurnSettings(thinking_budget=4096),),
    "summary": (TurnSettings(summary="auto"),),
}


def _adapter(provider: str) -> Any:
    from client.providers.registry import adapter_for

    try:
        return adapter_for(provider)
    except UsageError:
        return None


def request_settings(adapter: Any, choice: ModelChoice, settings: TurnSettings) -> dict[str, Any]:
    """The reasoning part of the body the adapter would send. Raises UsageError when refused."""
    request = TurnRequest(
        provider=choice.provider,
        model=choice.model,
        prompt="…",
        base_url=choice.base_url or "http://127.0.0.1",
        effort=settings.effort,
        thinking_budget=settings.thinking_budget,
        summary=settings.summary,
        max_output_tokens=settings.max_output_tokens,
    )
    body = adapter.body(request)
    return {k: v for k, v in body.items() if k not in _NOT_SETTINGS}


def sends_text(
    adapter: Any, choice: ModelChoice | None, settings: TurnSettings
) -> tuple[str, bool]:
    """("Sends: …", True) or (the reason it cannot be sent, False)."""
    if choice is None:
        return "Choose a model to see what is sent.", False
    if adapter is None or not hasattr(adapter, "body"):
        return "This build cannot talk to that provider yet.", False
    try:
        sent = request_settings(adapter, choice, settings)
    except UsageError as exc:
        return str(exc), False
    if not sent:
        return "Sends no reasoning settings: the model's own default.", True
    import json  # not at start-up: no model is chosen before the first frame

    return "Sends " + json.dumps(sent, separators=(", ", ": ")), True


class ReasoningControls(QWidget):
    """Effort, thinking budget and summary, each enabled only where the model takes it.

    Signals:
        sig_settings_changed(object): the TurnSettings now chosen (effort, budget, summary).
    """

    sig_settings_changed = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._choice: ModelChoice | None = None
        self._adapter: Any = None
        self.sendable = False
        self.effort_box = QComboBox(self)
        self.effort_box.addItem("default", None)
        for effort in EFFORTS:
            self.effort_box.addItem(effort, effort)
        self.budget_spin = QSpinBox(self)
        self.budget_spin.setRange(-1, 262_144)
        self.budget_spin.setSingleStep(1024)
        self.budget_spin.setSpecialValueText("Budget: default")
        # A word with spin arrows beside it reads oddly: the budget is typed (arrow keys and the
        # wheel still step it).
        self.budget_spin.setButtonSymbols(QAbstractSpinBox.ButtonSymbols.NoButtons)
        self.budget_spin.setPrefix("Budget ")
        self.budget_spin.setValue(-1)
        self.budget_spin.setAccessibleName("Reasoning budget in tokens")
        self.budget_spin.setAccessibleDescription(
            "How many tokens the model may spend thinking; default leaves it to the provider"
        )
        # Qt reads a combo box by its current item ("high"): each has a name of its own and a
        # label whose buddy it is (on Linux the screen reader reads the label, not the name).
        self.effort_box.setAccessibleName("Reasoning effort")
        self.effort_box.setAccessibleDescription("How hard the model thinks before answering")
        self.summary_box = QComboBox(self)
        self.summary_box.addItem("default", None)
        for mode in SUMMARIES:
            self.summary_box.addItem(mode, mode)
        self.summary_box.setAccessibleName("Reasoning summary")
        self.effort_label, self.summary_label = QLabel("Eff&ort", self), QLabel("Summar&y", self)
        self.effort_label.setBuddy(self.effort_box)
        self.summary_label.setBuddy(self.summary_box)
        self.summary_box.setAccessibleDescription("Whether the provider sends a reasoning summary")
        self.sends_label = QLabel(self)
        self.sends_label.setObjectName("sends")
        self.sends_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.sends_label.setWordWrap(True)
        for box in (self.effort_box, self.summary_box):
            box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.effort_label)
        layout.addWidget(self.effort_box)
        layout.addWidget(self.budget_spin)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.summary_box)
        # The sends label goes where the owner puts it (under the controls, free to wrap).
        self._connect_signals()
        self._update()

    def _connect_signals(self) -> None:
        self.effort_box.currentIndexChanged.connect(self._on_control_changed)
        self.budget_spin.valueChanged.connect(self._on_control_changed)
        self.summary_box.currentIndexChanged.connect(self._on_control_changed)

    def settings(self) -> TurnSettings:
        budget = self.budget_spin.value()
        return TurnSettings(
            effort=self.effort_box.currentData() if self.effort_box.isEnabled() else None,
            thinking_budget=budget if budget >= 0 and self.budget_spin.isEnabled() else None,
            summary=self.summary_box.currentData() if self.summary_box.isEnabled() else None,
        )

    def set_choice(self, choice: ModelChoice | None) -> None:
        self._choice = choice
        self._adapter = _adapter(choice.provider) if choice else None
        self._enable_controls()
        self._update()

    def _enable_controls(self) -> None:
        widgets = {
            "effort": self.effort_box,
            "thinking_budget": self.budget_spin,
            "summary": self.summary_box,
        }
        tips = {
            "effort": "How hard the model thinks",
            "thinking_budget": "Thinking budget, in tokens",
            "summary": "Ask the provider for a summary of the reasoning",
        }
        for name, widget in widgets.items():
            reason = self._why_not(name)
            widget.setEnabled(reason is None)
            widget.setToolTip(reason or tips[name])
        self.effort_label.setEnabled(self.effort_box.isEnabled())  # greyed with its box
        self.summary_label.setEnabled(self.summary_box.isEnabled())

    def _why_not(self, control: str) -> str | None:
        """Why the chosen model takes no such setting; None when it does."""
        if self._choice is None or self._adapter is None or not hasattr(self._adapter, "body"):
            return "Choose a model this build can talk to."
        reason = "This provider ignores that setting."
        for sample in _SAMPLES[control]:
            try:
                with_it = request_settings(self._adapter, self._choice, sample)
                without = request_settings(self._adapter, self._choice, TurnSettings())
            except UsageError as exc:
                reason = str(exc)
                continue
            if with_it != without:
                return None
        return reason

    def _update(self) -> None:
        text, self.sendable = sends_text(self._adapter, self._choice, self.settings())
        self.sends_label.setText(text)
        self.sends_label.setToolTip("What goes into the request, as the provider's API takes it")

    def _on_control_changed(self, *_args: object) -> None:
        self._update()
        self.sig_settings_changed.emit(self.settings())
