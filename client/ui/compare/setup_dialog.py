"""Choosing a comparison: which efforts of the current model, which other models, how many samples,
and which prompts: the composer's, or a set (earlier prompts picked from the history, or pasted).

An effort the model cannot take is disabled with the adapter's own reason (the same rules that
refuse it on sending). Other models are written one per line as `PROVIDER:MODEL[@EFFORT][=URL]`,
as on the command line. The estimate (a range) and the budget check follow every change; the
controller computes them off the GUI thread and hands them back with `set_estimate`.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from client.compare.columns import MAX_SAMPLES, Column, build_columns, parse_target
from client.core.conversation import TurnSettings
from client.core.errors import UsageError
from client.core.request import EFFORTS
from client.ui.compare.prompt_picker import PromptSetPicker
from client.ui.composer.model_picker import ModelChoice
from client.ui.composer.reasoning_controls import _adapter, request_settings

DEFAULT_EFFORTS = ("low", "medium", "high")
ESTIMATE_DELAY_MS = 250


class CompareSetupDialog(QDialog):
    """Signals: sig_plan_changed(): the prompts, columns or samples changed (the estimate
    follows); sig_set_wanted(): the set of prompts was chosen (the earlier prompts are read)."""

    sig_plan_changed = Signal()
    sig_set_wanted = Signal()

    def __init__(self, choice: ModelChoice | None, prompt: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Compare")
        self.setAccessibleName("Compare settings")
        self.choice = choice
        self.prompt = prompt
        self.prompt_label = QLabel(self)
        self.prompt_label.setTextFormat(Qt.TextFormat.PlainText)
        self.prompt_label.setWordWrap(True)
        short = " ".join(prompt.split())
        self.prompt_label.setText(short if len(short) <= 200 else short[:199] + "…")
        self.prompt_label.setAccessibleName("Prompt to compare")
        self.one_button = QRadioButton("This prompt", self)
        self.one_button.setAccessibleName("Compare this prompt")
        self.set_button = QRadioButton("A set of prompts", self)
        self.set_button.setAccessibleName("Compare a set of prompts")
        self.set_button.setToolTip(
            "Run several prompts on every column: which setting is the cheapest that still "
            "gets the majority answer, over your own questions"
        )
        modes = QButtonGroup(self)
        modes.addButton(self.one_button)
        modes.addButton(self.set_button)
        mode_row = QHBoxLayout()
        mode_row.addWidget(self.one_button)
        mode_row.addWidget(self.set_button)
        mode_row.addStretch(1)
        self.picker = PromptSetPicker(self)
        self.picker.hide()
        self.picker.sig_changed.connect(self._changed)
        if prompt.strip():
            self.one_button.setChecked(True)
        else:  # nothing in the composer: only a set can be compared
            self.one_button.setEnabled(False)
            self.prompt_label.setText("(the prompt box is empty: choose a set of prompts)")
            self.set_button.setChecked(True)
        self.set_button.toggled.connect(self._on_mode_toggled)
        self.effort_boxes: dict[str, QCheckBox] = {}
        efforts_row = QHBoxLayout()
        adapter = _adapter(choice.provider) if choice else None
        for effort in EFFORTS:
            box = QCheckBox(effort, self)
            box.setAccessibleName(f"Effort {effort}")
            reason = self._refusal(adapter, effort)
            if choice is None:
                box.setEnabled(False)
                box.setToolTip("Choose a model in the composer first.")
            elif reason:
                box.setEnabled(False)
                box.setToolTip(reason)
            else:
                box.setChecked(effort in DEFAULT_EFFORTS)
                box.setToolTip(f"A column of {choice.model} at effort {effort}")
            box.toggled.connect(self._changed)
            self.effort_boxes[effort] = box
            efforts_row.addWidget(box)
        efforts_row.addStretch(1)
        self.targets_edit = QPlainTextEdit(self)
        self.targets_edit.setTabChangesFocus(True)  # Tab leaves the box, as in any field
        self.targets_edit.setAccessibleName("Other models")
        self.targets_edit.setPlaceholderText(
            "Other models, one per line: PROVIDER:MODEL[@EFFORT][=BASE_URL]\n"
            "e.g. anthropic:claude-sonnet-4-5@high"
        )
        self.targets_edit.setFixedHeight(self.fontMetrics().lineSpacing() * 4 + 12)
        self.targets_edit.textChanged.connect(self._changed)
        self.samples_spin = QSpinBox(self)
        self.samples_spin.setRange(1, MAX_SAMPLES)
        self.samples_spin.setValue(3)
        self.samples_spin.setAccessibleName("Samples per column")
        self.samples_spin.setToolTip("Answers per column: more give agreement and a vote")
        self.samples_spin.valueChanged.connect(self._changed)
        self.estimate_label = QLabel(self)
        self.estimate_label.setAccessibleName("Estimated cost")
        self.estimate_label.setTextFormat(Qt.TextFormat.PlainText)
        self.estimate_label.setWordWrap(True)
        self.problem_label = QLabel(self)
        self.problem_label.setAccessibleName("Problem with the settings")
        self.problem_label.setTextFormat(Qt.TextFormat.PlainText)
        self.problem_label.setWordWrap(True)
        self.problem_label.hide()
        buttons = QDialogButtonBox(self)
        self.compare_button = QPushButton("Compare", self)
        self.compare_button.setAccessibleName("Start the comparison")
        self.compare_button.setDefault(True)
        cancel = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        cancel.setAccessibleName("Cancel the comparison")
        buttons.addButton(self.compare_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("Prompts:", mode_row)
        form.addRow("", self.prompt_label)
        form.addRow("", self.picker)
        form.addRow(f"Efforts of {choice.model if choice else '…'}:", efforts_row)
        form.addRow("Other models:", self.targets_edit)
        form.addRow("Samples per column:", self.samples_spin)
        form.addRow("Estimate:", self.estimate_label)
        # The lines of text keep their height and the rows stay together: room the dialog has to
        # spare goes below them (it was spread as gaps above and below the prompt and the
        # estimate).
        for label in (self.prompt_label, self.estimate_label):
            label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addStretch(1)
        layout.addWidget(self.problem_label)
        layout.addWidget(buttons)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(ESTIMATE_DELAY_MS)
        self._timer.timeout.connect(self.sig_plan_changed)
        self.resize(680, 1)  # as tall as its rows; a set of prompts makes it grow
        QTimer.singleShot(0, self._changed)
        if self.is_set:
            QTimer.singleShot(0, self._on_mode_toggled)

    def _refusal(self, adapter: object, effort: str) -> str | None:
        if self.choice is None or adapter is None:
            return None
        try:
            request_settings(adapter, self.choice, TurnSettings(effort=effort))
        except UsageError as exc:
            return str(exc)
        return None

    def efforts(self) -> list[str]:
        return [e for e, box in self.effort_boxes.items() if box.isEnabled() and box.isChecked()]

    def columns(self) -> list[Column]:
        """The columns chosen; raises UsageError saying what is wrong."""
        lines = [line.strip() for line in self.targets_edit.toPlainText().splitlines()]
        targets = [parse_target(line) for line in lines if line]
        efforts = self.efforts()
        if not efforts and not targets:
            raise UsageError("Tick an effort or write another model to compare.")
        c = self.choice
        return build_columns(
            c.provider if c and efforts else None,
            c.model if c and efforts else None,
            c.base_url if c else None,
            efforts,
            targets,
        )

    @property
    def samples(self) -> int:
        return self.samples_spin.value()

    @property
    def is_set(self) -> bool:
        return self.set_button.isChecked()

    def prompts(self) -> list[str]:
        """The prompts to run: the composer's, or the set chosen."""
        return self.picker.prompts() if self.is_set else [self.prompt]

    def _on_mode_toggled(self, *_: object) -> None:
        self.prompt_label.setVisible(not self.is_set)
        self.picker.setVisible(self.is_set)
        self.compare_button.setText("Run the set" if self.is_set else "Compare")
        if self.is_set:
            self.resize(self.width(), max(self.height(), 640))
            self.sig_set_wanted.emit()
        self._changed()

    def _changed(self, *_: object) -> None:
        try:
            self.columns()
            if not self.prompts():
                raise UsageError("Tick earlier prompts or paste some, one per line.")
        except UsageError as exc:
            self.problem_label.setText(f"⚠ {exc}")  # in the text colour: BrightText was white
            self.problem_label.show()
            self.compare_button.setEnabled(False)
            self.estimate_label.setText("")
            return
        self.problem_label.hide()
        self.compare_button.setEnabled(True)
        self.estimate_label.setText("Estimating…")
        self._timer.start()

    def set_estimate(self, text: str, budget_message: str = "") -> None:
        """The estimate line, and a budget it would cross (⚠), as the composer's next-turn line
        says it; Compare then passes the same budget question as Send."""
        self.estimate_label.setText(text + (f"\n⚠ {budget_message}" if budget_message else ""))
