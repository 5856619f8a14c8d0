"""The audit of one turn's reasoning, as the reasoning inspector shows it (docs/auditor.md, issue #6).

From the top: the audit strip ("1 arithmetic error (step 12) · … · raw trace"), what was audited
(a summary is weaker; hidden reasoning has nothing to audit, and the view says why), the one
sentence that this checks the text and not how the model computed, the path of candidate
answers, findings about the whole trace, then the steps with every finding marked in place, the
user's verdict on the selected step, and a critic's opinion in its own frame, never merged with
the checks. There is no trust score. A big trace is audited on a pool thread; a result for a
turn that is no longer shown is dropped, its task disconnected first.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QItemSelectionModel,
    QModelIndex,
    Qt,
    QThreadPool,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import QPalette, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from client.audit import PRINCIPLE
from client.audit.report import (
    SEVERITY_LABELS,
    audit_strip,
    candidate_path,
    critic_lines,
    what_was_audited,
)
from client.core.audit import AuditResult
from client.core.conversation import Turn
from client.core.events import TurnStatus, Visibility
from client.core.fold import visibility_of
from client.store.db import StoreError
from client.ui.audit.export import choose_report_path, report_kind, write_report
from client.ui.audit.steps import StepList
from client.ui.audit.task import INLINE_CHARS, AuditLoad, AuditTask, failed_sentence, load_audit
from client.ui.audit.verdict import VerdictPanel

if TYPE_CHECKING:  # client.critic brings the turn controller: loaded when a critic runs
    from client.critic import CriticReview
    from client.store.store import Store

STREAMING = "The audit starts when the reasoning is complete."


class AuditView(QWidget):
    """One turn's audit: strip, caveats, candidate path, marked steps, verdicts, critic, export.

    Signals:
        sig_critic_requested(str): the id of the turn the user wants a critic to read; the main
            window picks a model (CriticDialog) and calls `show_critic` with the review.
        sig_verdict_changed(str, int, str): turn id, step index and the verdict just stored
            ("sound", "spurious", "unsure", or "" when the user cleared it).
        sig_strip_changed(str): the audit strip's new words (the inspector repeats them).
    """

    sig_critic_requested = Signal(str)
    sig_verdict_changed = Signal(str, int, str)
    sig_strip_changed = Signal(str)

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._pool = QThreadPool(self)  # first child: destroyed first, waiting for its jobs
        self._pool.setMaxThreadCount(1)
        self.inline_chars = INLINE_CHARS
        self.turn: Turn | None = None
        self.loaded: AuditLoad | None = None
        self.critic: CriticReview | None = None
        self._generation = 0
        self._task: AuditTask | None = None
        self.choose_path = choose_report_path  # where Export asks for a file (tests replace it)

        self.strip_label = self._label(bold=True)
        self.caveat_label = self._label()
        self.principle_label = self._label(PRINCIPLE, quiet=True)
        self.path_label = self._label()
        self.whole_label = self._label()
        self.turning_toggle = QCheckBox("Turning po&ints only", self)
        self.turning_toggle.setToolTip("Only steps that plan, switch, retract or conclude.")
        self.critic_button = QPushButton("Ask a &critic…", self)
        self.critic_button.setToolTip("Another model judges the steps, blind to these findings.")
        self.export_button = QPushButton("E&xport report…", self)
        self.export_button.setToolTip("The audit, your verdicts and any critic, as a file.")
        self.step_list = StepList(self)
        self.model = self.step_list.steps
        self.delegate = self.step_list.delegate
        self.verdict_panel = VerdictPanel(self)
        self.critic_frame = QFrame(self)
        self.critic_frame.setObjectName("critic")
        self.critic_frame.setStyleSheet(
            "QFrame#critic { border: 1px dashed palette(link); border-radius: 4px; }"
        )
        self.critic_label = self._label(parent=self.critic_frame)
        critic_layout = QVBoxLayout(self.critic_frame)
        critic_layout.addWidget(self.critic_label)
        self.status_label = self._label(quiet=True)

        # Two short rows rather than one wide one: nothing here may need a sideways scrollbar.
        bar = QVBoxLayout()
        bar.addWidget(self.turning_toggle)
        buttons = QHBoxLayout()
        buttons.addWidget(self.critic_button)
        buttons.addWidget(self.export_button)
        buttons.addStretch(1)
        bar.addLayout(buttons)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(4)
        for widget in (
            self.strip_label,
            self.caveat_label,
            self.principle_label,
            self.path_label,
            self.whole_label,
        ):
            layout.addWidget(widget)
        layout.addLayout(bar)
        layout.addWidget(self.step_list, 1)
        layout.addWidget(self.verdict_panel)
        layout.addWidget(self.critic_frame)
        layout.addWidget(self.status_label)
        self._connect_signals()
        self.clear()

    def _label(
        self, text: str = "", bold: bool = False, quiet: bool = False, parent: QWidget | None = None
    ) -> QLabel:
        label = QLabel(text, parent or self)
        label.setTextFormat(Qt.TextFormat.PlainText)  # everything here may quote model output
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        if bold:
            font = label.font()
            font.setBold(True)
            label.setFont(font)
        if quiet:
            label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        return label

    def _connect_signals(self) -> None:
        self.turning_toggle.toggled.connect(self._on_turning_toggle_toggled)
        self.critic_button.clicked.connect(self._on_critic_button_clicked)
        self.export_button.clicked.connect(self._on_export_button_clicked)
        self.step_list.selectionModel().currentChanged.connect(self._on_step_list_current_changed)
        self.verdict_panel.sig_verdict_chosen.connect(self._on_verdict_panel_verdict_chosen)
        self.step_list.sig_verdict_key.connect(self.verdict_panel.choose)

    # What is shown

    def clear(self) -> None:
        """Show nothing: no turn is selected."""
        self._forget_turn()
        self.turn = None
        self._set_strip("Select an answer to see the audit of its reasoning.")
        self.caveat_label.hide()
        self._set_controls(steps=False, turn=False)

    def show_turn(self, turn: Turn) -> None:
        """Audit `turn` and show it: inline for a small trace, on a pool thread for a big one."""
        self._forget_turn()
        self.turn = turn
        visibility = visibility_of(turn)
        self.caveat_label.setText(what_was_audited(turn))
        streaming = turn.status is TurnStatus.STREAMING
        self.caveat_label.setVisible(visibility is not Visibility.RAW and not streaming)
        if streaming:  # what the reasoning is, and its text, are not known yet
            self._set_strip(STREAMING)
            self._set_controls(steps=False, turn=False)
            return
        if visibility in (Visibility.HIDDEN, Visibility.NONE):
            self._apply(AuditLoad(turn.id, self._generation, AuditResult(steps=[])))
            return
        if len(turn.reasoning.text) <= self.inline_chars:
            try:
                self._apply(load_audit(self._store, turn, self._generation))
            except Exception as exc:  # a bug in a check: a sentence here, not a broken window
                self._on_task_audit_failed(failed_sentence(exc))
            return
        self._set_strip(f"Auditing {len(turn.reasoning.text):,} characters of reasoning…")
        self._set_controls(steps=False, turn=False)
        # On the pool: a long trace goes on to the auditor's process (client.audit.process).
        work = partial(load_audit, self._store, turn, self._generation, apart=True)
        self._task = AuditTask(work, self)
        self._task.sig_audit_loaded.connect(self._on_task_audit_loaded)
        self._task.sig_audit_failed.connect(self._on_task_audit_failed)
        self._task.sig_task_settled.connect(self._task.deleteLater)
        self._task.start(self._pool)

    def _forget_turn(self) -> None:
        """Drop everything about the turn shown so far, and any audit still running for it."""
        self.verdict_panel.show_step(None)  # first: a note being typed is kept for its own turn
        self._generation += 1
        if self._task is not None:
            # Orange3's rule: disconnect first, so a late result can never reach this view.
            self._task.sig_audit_loaded.disconnect(self._on_task_audit_loaded)
            self._task.sig_audit_failed.disconnect(self._on_task_audit_failed)
            self._task.cancel()
            self._task = None
        self.loaded = None
        self.critic = None
        for widget in (self.path_label, self.whole_label, self.status_label, self.critic_frame):
            widget.hide()
        self.delegate.forget()
        self.model.set_audit(AuditResult(steps=[]), {})

    @property
    def busy(self) -> bool:
        """True while an audit runs on the pool for the turn shown."""
        return self._task is not None

    def wait(self, msecs: int = -1) -> bool:
        """Block until pool jobs are done (quitting, tests). True if they all finished."""
        return self._pool.waitForDone(msecs)

    def _apply(self, loaded: AuditLoad) -> None:
        if (
            self.turn is None
            or loaded.generation != self._generation
            or loaded.turn_id != self.turn.id
        ):
            return  # for a turn no longer shown
        self.loaded = loaded
        audit = loaded.audit
        self._set_strip(audit_strip(audit, visibility_of(self.turn)))
        path = candidate_path(audit, self.turn.answer)
        self.path_label.setText(f"Candidate answers: {path}")
        self.path_label.setVisible(bool(path))
        whole = [
            f"{SEVERITY_LABELS[f.severity]} ({f.check}): {f.message}"
            for f in audit.findings
            if f.step is None and not (path and f.check == "trajectory")  # the path says it
        ]
        self.whole_label.setText("\n".join(whole))
        self.whole_label.setVisible(bool(whole))
        self.delegate.forget()
        self.model.set_audit(audit, loaded.verdicts)
        self._say(loaded.problem)
        self._set_controls(steps=bool(audit.steps), turn=True)
        if self.critic is None and loaded.critic is not None:
            self.critic = loaded.critic
        self._show_critic_frame()
        first = audit.first_error_step
        if first is not None:
            self.select_step(first)

    def _set_controls(self, steps: bool, turn: bool) -> None:
        for widget in (self.turning_toggle, self.step_list, self.verdict_panel):
            widget.setVisible(steps)
        self.principle_label.setVisible(turn)
        self.critic_button.setEnabled(steps)
        self.export_button.setEnabled(turn)

    def _set_strip(self, text: str) -> None:
        self.strip_label.setText(text)
        self.sig_strip_changed.emit(text)

    def say(self, sentence: str) -> None:
        """A sentence under the audit ("" hides it): the critic's progress, a failure."""
        self._say(sentence)

    def _say(self, sentence: str) -> None:
        self.status_label.setText(sentence)
        self.status_label.setVisible(bool(sentence))

    def reveal_current(self) -> None:
        """Scroll the selected step (the first error, when there is one) into the middle."""
        index = self.step_list.currentIndex()
        if index.isValid() and self.step_list.isVisible():
            self.step_list.lay_out_all()  # a batched layout may not have reached it yet
            self.step_list.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        self.reveal_current()

    def select_step(self, step: int) -> None:
        row = self.model.row_of(step)
        if row is not None:
            index = self.model.index(row)
            self.step_list.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect
            )
            self.step_list.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)
            QTimer.singleShot(0, self.reveal_current)  # again once the rows are laid out

    # The critic

    def show_critic(self, review: CriticReview) -> None:
        """Show a critic's opinion of the turn shown, apart from the checks, agreement marked."""
        if self.turn is None or review.turn.parent_id not in (None, self.turn.id):
            return  # a review of a turn no longer shown
        self.critic = review
        self._show_critic_frame()

    def _show_critic_frame(self) -> None:
        review = self.critic
        if review is None or self.loaded is None:
            self.critic_frame.hide()
            return
        model = review.turn.model_reported or review.turn.model
        lines = critic_lines(self.loaded.audit, review.opinion, model)
        if review.turn.error is not None:
            lines.append(f"The critic's request failed: {review.turn.error.message}")
        self.critic_label.setText("\n".join(lines))
        self.critic_frame.show()
        self.model.set_critic(review.opinion.verdicts, review.agreement)
        self._on_step_list_current_changed(self.step_list.currentIndex(), QModelIndex())

    # The report

    def export_report(self, path: Path, fmt: str) -> None:
        """Write the report for the turn shown: fmt "markdown" (or "md") or "html"."""
        report_kind(fmt)  # a format we cannot write is refused before anything else
        if self.turn is None or self.loaded is None:
            raise RuntimeError("There is no finished audit to export yet.")
        verdicts = dict(self.model.verdicts)
        write_report(path, fmt, self.turn, self.loaded.audit, verdicts, self.critic)

    def choose_and_export(self) -> None:
        """Ask for a file (Markdown or HTML) and save the report there, saying how it went."""
        if self.turn is None:
            return
        chosen = self.choose_path(self, f"audit-{self.turn.id}.md")
        if chosen is None:
            return
        path, kind = chosen
        try:
            self.export_report(path, kind)
        except (OSError, RuntimeError) as exc:
            self._say(f"The report could not be saved: {exc}")
        else:
            self._say(f"Report saved to {path}.")

    # Slots

    @Slot(object)
    def _on_task_audit_loaded(self, loaded: AuditLoad) -> None:
        self._task = None
        self._apply(loaded)

    @Slot(str)
    def _on_task_audit_failed(self, sentence: str) -> None:
        self._task = None
        self._set_strip("The audit could not be made.")
        self._say(sentence)

    @Slot(bool)
    def _on_turning_toggle_toggled(self, only: bool) -> None:
        current = self.verdict_panel.step
        self.verdict_panel.show_step(None)
        self.model.set_turning_points_only(only)
        if current is not None:
            self.select_step(current.index)

    @Slot()
    def _on_critic_button_clicked(self) -> None:
        if self.turn is not None:
            self._say("Asking a critic: its opinion will appear below, apart from the checks.")
            self.sig_critic_requested.emit(self.turn.id)

    @Slot()
    def _on_export_button_clicked(self) -> None:
        self.choose_and_export()

    @Slot(QModelIndex, QModelIndex)
    def _on_step_list_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            self.verdict_panel.show_step(None)
            return
        step = self.model.step_at(current.row())
        self.verdict_panel.show_step(
            step,
            self.model.findings_of(step.index),
            self.model.verdicts.get(step.index),
            self.model.critic_of(step.index),
        )

    @Slot(int, str, str)
    def _on_verdict_panel_verdict_chosen(self, step: int, verdict: str, note: str) -> None:
        if self.turn is None:
            return
        try:
            if self._store is None:
                raise StoreError("there is no store to keep it in")
            if verdict:
                self._store.set_verdict(self.turn.id, step, verdict, note)
            else:
                self._store.clear_verdict(self.turn.id, step)
        except (StoreError, KeyError) as exc:
            reason = "this turn is not saved" if isinstance(exc, KeyError) else str(exc)
            self._say(f"Your verdict could not be kept: {reason}.")
            self.verdict_panel.set_verdict(self.model.verdicts.get(step))
            return
        self.model.set_verdict(step, verdict or None, note)
        self._say("")
        self.sig_verdict_changed.emit(self.turn.id, step, verdict)
