"""The user's own judgement of one step: sound, spurious or unsure, with a note.

docs/auditor.md asks for a verdict on any step, stored and exported. This panel sits under the step
list and follows the selected step: it shows that step's findings in full (the hover tooltip is
not the only way to read them, for keyboard users among others), the critic's verdict on it if
one was asked for (labelled as a model's opinion), and the three verdict buttons with a note.
It stores nothing itself: it says what the user chose, and the audit view stores it at once.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from client.audit.report import SEVERITY_LABELS
from client.core.audit import VERDICTS, CriticVerdict, Finding, Step
from client.core.format import step_number

_LABELS = {"sound": "&Sound", "spurious": "S&purious", "unsure": "&Unsure"}
_TIPS = {
    "sound": "This step is right.",
    "spurious": "This step is wrong, or does not follow from what came before.",
    "unsure": "You are not sure about this step yet.",
}


class VerdictPanel(QWidget):
    """The selected step's findings, the critic's word on it, and the user's verdict and note.

    Signals:
        sig_verdict_chosen(int, str, str): step index, verdict ("sound", "spurious", "unsure",
            or "" when the user cleared it) and the note, whenever either changes.
    """

    sig_verdict_chosen = Signal(int, str, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.step: Step | None = None
        self.title_label = QLabel(self)
        self.title_label.setTextFormat(Qt.TextFormat.PlainText)
        self.findings_label = self._plain_label()
        self.critic_label = self._plain_label()
        self.critic_label.setForegroundRole(QPalette.ColorRole.Link)
        self.buttons = QButtonGroup(self)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        for number, verdict in enumerate(VERDICTS):
            button = QRadioButton(_LABELS[verdict], self)  # a checked radio reads in any theme
            button.setToolTip(_TIPS[verdict])
            button.setObjectName(f"verdict_{verdict}")
            self.buttons.addButton(button, number)
            row.addWidget(button)
        self.clear_button = QPushButton("Clear", self)
        self.clear_button.setToolTip("Remove your verdict on this step.")
        row.addWidget(self.clear_button)
        row.addStretch(1)
        self.note_edit = QLineEdit(self)
        self.note_edit.setPlaceholderText(
            "A note on this step (kept when you press Enter or move on)"
        )
        self.note_edit.setClearButtonEnabled(True)
        self.note_edit.setAccessibleName("Your note on this step")
        self.title_label.setWordWrap(True)
        # The title, the verdicts and the note on rows of their own: narrow enough for an
        # inspector a third of a 1280-pixel window wide, with no sideways scrolling.
        for clear_note in self.note_edit.findChildren(QToolButton):  # the clear button, icon only
            clear_note.setAccessibleName("Clear the note")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.findings_label)
        layout.addWidget(self.critic_label)
        layout.addWidget(self.title_label)
        layout.addLayout(row)
        layout.addWidget(self.note_edit)
        self.show_step(None)
        self._connect_signals()

    def _plain_label(self) -> QLabel:
        label = QLabel(self)
        label.setTextFormat(Qt.TextFormat.PlainText)  # findings quote model output
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return label

    def _connect_signals(self) -> None:
        self.buttons.buttonClicked.connect(self._on_buttons_button_clicked)
        self.clear_button.clicked.connect(self._on_clear_button_clicked)
        self.note_edit.editingFinished.connect(self._on_note_edit_editing_finished)

    def show_step(
        self,
        step: Step | None,
        findings: tuple[Finding, ...] = (),
        verdict: tuple[str, str] | None = None,
        critic: tuple[CriticVerdict, ...] = (),
    ) -> None:
        """Follow the selected step (None: nothing selected, the controls are disabled)."""
        self._on_note_edit_editing_finished()  # a note being typed belongs to the step it was for
        self.step = step
        if step is None:
            self.title_label.setText("Select a step to give your verdict:")
        else:
            self.title_label.setText(f"Step {step_number(step.index)}, your verdict:")
        lines = [f"{SEVERITY_LABELS[f.severity]} ({f.check}): {f.message}" for f in findings]
        self.findings_label.setText("\n".join(lines))
        self.findings_label.setVisible(bool(lines))
        said = [f"Critic (a model's opinion): {v.verdict}: “{v.quote}”: {v.why}" for v in critic]
        self.critic_label.setText("\n".join(said))
        self.critic_label.setVisible(bool(said))
        self.set_verdict(verdict)
        for widget in (*self.buttons.buttons(), self.clear_button, self.note_edit):
            widget.setEnabled(step is not None)

    def set_verdict(self, verdict: tuple[str, str] | None) -> None:
        """Show a verdict without announcing it (a stored one, or a reverted choice)."""
        self.buttons.setExclusive(False)  # an exclusive group cannot show "no verdict"
        for number, button in enumerate(self.buttons.buttons()):
            button.setChecked(verdict is not None and VERDICTS[number] == verdict[0])
        self.buttons.setExclusive(True)
        self.note_edit.setText(verdict[1] if verdict else "")
        self.note_edit.setModified(False)

    @property
    def verdict(self) -> str:
        number = self.buttons.checkedId()
        return VERDICTS[number] if number >= 0 else ""

    def choose(self, verdict: str, note: str | None = None) -> None:
        """Choose as the user would (for keyboard shortcuts and tests)."""
        if note is not None:
            self.note_edit.setText(note)
        if verdict:
            self.buttons.button(VERDICTS.index(verdict)).click()
        else:
            self.clear_button.click()

    @Slot(QAbstractButton)
    def _on_buttons_button_clicked(self, button: QAbstractButton) -> None:
        if self.step is not None:
            self.sig_verdict_chosen.emit(self.step.index, self.verdict, self.note_edit.text())

    @Slot()
    def _on_clear_button_clicked(self) -> None:
        if self.step is not None:
            self.set_verdict(None)
            self.sig_verdict_chosen.emit(self.step.index, "", "")

    @Slot()
    def _on_note_edit_editing_finished(self) -> None:
        if self.step is None or not self.note_edit.isModified():
            return
        self.note_edit.setModified(False)
        # A note needs a verdict to hang on; "unsure" is the honest one to give it.
        if not self.verdict:
            self.buttons.button(VERDICTS.index("unsure")).setChecked(True)
        self.sig_verdict_chosen.emit(self.step.index, self.verdict, self.note_edit.text())
