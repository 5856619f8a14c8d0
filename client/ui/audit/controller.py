"""The reasoning audit in the window (issue #6): the Steps tab, the strip, the critic, the report.

The audit view sits in the inspector beside the reasoning and follows the selected turn: a turn
still streaming says the audit will start when the reasoning is complete; a finished turn is
audited at once (a big trace on the view's own pool, never on the GUI thread), whether it
finished while shown or is selected later, and so is a stored turn when its conversation opens.
The strip under the inspector's header repeats the audit's one line; clicking it opens the steps
at the first error.

A critic runs on a worker (the window's network jobs) as a turn of its own, purpose "critic",
stored under the audited turn, so the ledger counts it like any other query; the conversation
column never shows it (Store.branch follows chat turns only). While it runs, the status bar says
so, with Stop.

The auditor's modules are imported on the store worker once the window is on screen
(client/ui/startup.py), and the view is made right after, in the window's start-up (`prepare`):
not before the first frame, and not at the end of the first turn either, where building it
(about 10 ms) would hold up the last paints of the answer.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QStatusBar,
    QWidget,
)

from client.core.audit import Severity
from client.core.cancel import CancelToken
from client.core.conversation import Turn
from client.core.events import TurnStatus, Visibility
from client.ui.composer.composer import Composer
from client.ui.conversation.live import TurnState
from client.ui.conversation.view import ConversationView
from client.ui.focus import ConversationFocus
from client.ui.inspector.reasoning_pane import ReasoningInspector
from client.ui.jobs import BackgroundJobs, JobHandle
from client.ui.turns.runner import TurnRunner

if TYPE_CHECKING:  # the auditor, and the critic's turn controller with keyring: loaded later
    from client.critic import CriticReview
    from client.session import TurnController
    from client.store.store import Store
    from client.ui.audit.view import AuditView
    from client.ui.composer.model_picker import ModelChoice

STEPS_TAB = "Steps"
NOTHING_SELECTED = "Select an answer to see the audit of its reasoning."


def ask_with_dialog(
    store: Store, parent: QWidget | None, initial: ModelChoice | None = None
) -> ModelChoice | None:
    """The critic model, chosen in CriticDialog (None: the user cancelled); `initial`, the model
    in use, fills a dialog with no critic chosen before."""
    from client.ui.audit.critic_dialog import CriticDialog

    return CriticDialog.ask(store, parent, initial)


def _text_complete(state: TurnState) -> bool:
    """The state's Turn carries the text shown (stored turns), not only the figures (live ones)."""
    turn = state.turn
    return (
        len(turn.reasoning.text) == state.reasoning.length
        and len(turn.answer) == state.answer.length
    )


def _as_shown(state: TurnState) -> Turn:
    """The turn with the text the window received, for when the stored copy cannot be read."""
    reasoning = dataclasses.replace(state.turn.reasoning, text=state.reasoning.text())
    return dataclasses.replace(state.turn, answer=state.answer.text(), reasoning=reasoning)


@dataclass
class _CriticRun:
    turn_id: str
    choice: ModelChoice
    cancel: CancelToken
    handle: JobHandle | None = None
    stopped: bool = False


class CriticStatus(QWidget):
    """A line in the status bar while a critic reads: what it is doing, and Stop.

    Signals:
        sig_stop_requested(): the user pressed Stop.
    """

    sig_stop_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel(self)
        self.stop_button = QPushButton("Stop", self)
        self.stop_button.setToolTip("Stop the critic; what it cost so far stays in the ledger")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.stop_button)
        self.stop_button.clicked.connect(self.sig_stop_requested)
        self.hide()

    def say(self, sentence: str) -> None:
        self.label.setText(sentence)
        self.setVisible(bool(sentence))


class AuditController(QObject):
    """Wires the audit view, the inspector's strip, the critic and the report into the window.

    `ask_critic(store, parent)` picks the critic model (CriticDialog.ask; tests replace it).

    Signals:
        sig_critic_finished(object): the CriticReview of a critic that ran to its end or was
            stopped (None when it could not start); the ledger has a new query either way.
        sig_audit_shown(str, object): a turn id and its AuditResult, now shown (announce.py
            tells a screen reader when it found an error).
    """

    sig_critic_finished = Signal(object)
    sig_audit_shown = Signal(str, object)

    def __init__(
        self,
        store: Store,
        jobs: BackgroundJobs,
        net_jobs: BackgroundJobs,
        runner: TurnRunner,
        view: ConversationView,
        inspector: ReasoningInspector,
        composer: Composer,
        focus: ConversationFocus,
        status: QStatusBar,
        export_action: QAction,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._store, self._jobs, self._net_jobs, self._runner = store, jobs, net_jobs, runner
        self._conversation, self._status, self._parent = view, status, parent
        self._composer, self._focus = composer, focus
        self.inspector = inspector
        # In a scroll area: a narrow inspector scrolls the steps' controls instead of making
        # the whole window wider.
        self.page = QScrollArea(inspector)
        self.page.setWidgetResizable(True)
        # Never sideways: the view's rows wrap to the inspector's width instead.
        self.page.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.page.setFrameShape(QFrame.Shape.NoFrame)
        self.page.setAccessibleName("Audit of the reasoning")  # a Tab stop: arrows scroll it
        self.page.setWidget(QLabel(NOTHING_SELECTED, self.page))
        self._view: AuditView | None = None
        self.inspector.add_view(self.page, STEPS_TAB)
        # The model in use fills a dialog with no critic chosen before.
        self.ask_critic: Callable[[Store, QWidget | None], ModelChoice | None] = (
            lambda store, parent: ask_with_dialog(store, parent, self._composer.choice)
        )
        self.state: TurnState | None = None
        self.critic: _CriticRun | None = None
        self._fetch: JobHandle | None = None
        self._turn_controller: TurnController | None = None
        self.export_action = export_action
        self.critic_status = CriticStatus(parent)  # the window puts it in its status bar
        self._connect_signals()

    def prepare(self) -> None:
        """Make the view now, once the window is up (see the module docstring)."""
        self.view  # noqa: B018 - made on first access

    @property
    def view(self) -> AuditView:
        """The audit view, made by `prepare` or, if something needs it before, then."""
        if self._view is None:
            from client.ui.audit.view import AuditView

            self._view = AuditView(self._store, self.page)
            self.page.setWidget(self._view)  # the placeholder label is deleted
            self._connect_view_signals()
            if self.state is not None and self.state.live:  # skipped while it streamed
                self._view.show_turn(
                    dataclasses.replace(self.state.turn, status=TurnStatus.STREAMING)
                )
        return self._view

    def _connect_view_signals(self) -> None:
        view = self.view
        view.sig_strip_changed.connect(self._on_view_strip_changed)
        view.sig_critic_requested.connect(self._on_view_critic_requested)

    def _connect_signals(self) -> None:
        self._conversation.sig_turn_selected.connect(self._on_conversation_turn_selected)
        self._runner.sig_turn_finished.connect(self._on_runner_turn_finished)
        self._runner.sig_turn_finished.connect(self._on_runner_turn_finished_mark)
        self._focus.sig_conversation_shown.connect(self._on_focus_conversation_shown)
        self._conversation.sig_audit_requested.connect(self._on_conversation_audit_requested)
        self.inspector.tabs.currentChanged.connect(self._on_inspector_tab_changed)
        self.inspector.sig_strip_clicked.connect(self._on_inspector_strip_clicked)
        self.export_action.triggered.connect(self._on_export_action_triggered)
        self.critic_status.sig_stop_requested.connect(self.stop_critic)

    # Following the selected turn

    def show_state(self, state: TurnState | None) -> None:
        """Audit the turn the window shows, as soon as its reasoning is complete."""
        self.state = state
        self.export_action.setEnabled(False)
        if self._fetch is not None:
            self._fetch.cancel()
            self._fetch = None
        if state is None:
            if self._view is not None:
                self._view.clear()
        elif state.live:  # streaming, or stopped and still being stored
            if self._view is None and self.inspector.tabs.currentWidget() is not self.page:
                # Nothing to audit yet, and the window is not ready (`prepare` has not run):
                # the view is made when its tab is opened or the turn ends.
                from client.ui.audit.view import STREAMING

                self.inspector.set_audit_strip(STREAMING)
                return
            self.view.show_turn(dataclasses.replace(state.turn, status=TurnStatus.STREAMING))
        elif _text_complete(state):
            self.view.show_turn(state.turn)
        else:  # finished in this window: its text lives in the state; the store has the record
            self.view.show_turn(dataclasses.replace(state.turn, status=TurnStatus.STREAMING))
            store, turn_id = self._store, state.id
            self._fetch = self._jobs.run(
                lambda: store.get_turn(turn_id),
                lambda stored: self._on_stored_turn_read(state, stored),
                lambda _exc: self._on_stored_turn_read(state, None),
            )

    def _on_stored_turn_read(self, state: TurnState, stored: Turn | None) -> None:
        self._fetch = None
        if state is self.state:
            self.view.show_turn(stored if stored is not None else _as_shown(state))

    @Slot(object)
    def _on_conversation_turn_selected(self, state: TurnState | None) -> None:
        self.show_state(state)

    @Slot(object)
    def _on_runner_turn_finished(self, state: TurnState) -> None:
        if self.state is not None and self.state.id == state.id:
            self.show_state(state)

    # The marker under an answer whose reasoning has an error

    def load_marks(self, turn_ids: list[str]) -> None:
        """Read the stored audit summaries of these turns and mark the answers with an error."""
        store = self._store

        def work() -> dict[str, tuple[int | None, int]]:
            marks: dict[str, tuple[int | None, int]] = {}
            for turn_id in turn_ids:
                summary = store.audit_summary(turn_id)
                if summary is not None:
                    marks[turn_id] = (summary.first_error_step, summary.errors)
            return marks

        self._jobs.run(work, self._conversation.set_audit_marks, lambda _e: None)

    @Slot(object)
    def _on_focus_conversation_shown(self, _conversation_id: object) -> None:
        self.load_marks([s.id for s in self._conversation.states()])

    @Slot(object)
    def _on_runner_turn_finished_mark(self, state: TurnState) -> None:
        self.load_marks([state.id])

    @Slot(str)
    def _on_conversation_audit_requested(self, turn_id: str) -> None:
        self._conversation.select(turn_id)
        self.open_steps()

    @Slot(int)
    def _on_inspector_tab_changed(self, _index: int) -> None:
        if self.inspector.tabs.currentWidget() is self.page:
            # Made now, so the tab is never an empty page; the selected step (the first error)
            # is brought into view once the list is on screen and laid out.
            QTimer.singleShot(0, self.view.reveal_current)

    @Slot(str)
    def _on_view_strip_changed(self, text: str) -> None:
        from client.core.fold import visibility_of

        turn, loaded = self.view.turn, self.view.loaded
        if loaded is not None:
            self.sig_audit_shown.emit(loaded.turn_id, loaded.audit)
            # The answer's marker says what this audit found, for a turn whose summary was
            # never stored too (imported, or from before audits were stored).
            first = loaded.audit.first_error_step
            errors = sum(1 for f in loaded.audit.findings if f.severity is Severity.ERROR)
            self._conversation.set_audit_marks({loaded.turn_id: (first, errors)})
        no_reasoning = (
            loaded is not None and turn is not None and visibility_of(turn) is Visibility.NONE
        )
        # Nothing selected, or an answer without reasoning: the inspector already says so.
        self.inspector.set_audit_strip("" if turn is None or no_reasoning else text)
        self.export_action.setEnabled(loaded is not None)

    @Slot()
    def _on_inspector_strip_clicked(self) -> None:
        self.open_steps()
        if self.view.step_list.isVisible():  # the strip hides on the steps: the list takes over
            self.view.step_list.setFocus(Qt.FocusReason.OtherFocusReason)

    def open_steps(self) -> None:
        """Switch the inspector to the steps, at the first error (or the first finding)."""
        self.inspector.tabs.setCurrentWidget(self.page)
        loaded = self.view.loaded
        if loaded is None:
            return
        audit = loaded.audit
        step = audit.first_error_step
        if step is None:
            step = next((f.step for f in audit.findings if f.step is not None), None)
        if step is not None:
            self.view.select_step(step)

    @Slot()
    def _on_export_action_triggered(self) -> None:
        self.view.choose_and_export()

    # The critic

    @Slot(str)
    def _on_view_critic_requested(self, turn_id: str) -> None:
        turn = self.view.turn
        if turn is None or turn.id != turn_id:
            return
        if self.critic is not None:
            self.view.say("A critic is already reading; stop it first to ask another.")
            return
        choice = self.ask_critic(self._store, self._parent)
        if choice is None:
            self.view.say("")
            return
        self.start_critic(turn, choice)

    def start_critic(self, turn: Turn, choice: ModelChoice) -> None:
        """Ask `choice` to judge `turn`'s steps on a worker; the review lands in the view."""
        from client.critic import run_critic  # the turn controller, keyring: when first asked

        if self._turn_controller is None:
            from client.session import TurnController

            self._turn_controller = TurnController(self._store)
        controller, cancel = self._turn_controller, CancelToken()
        run = self.critic = _CriticRun(turn.id, choice, cancel)

        def work() -> CriticReview:
            return run_critic(
                controller,
                turn,
                provider=choice.provider,
                model=choice.model,
                base_url=choice.base_url,
                cancel=cancel,
            )

        run.handle = self._net_jobs.run(
            work,
            lambda review: self._on_critic_done(run, review),
            lambda exc: self._on_critic_failed(run, exc),
        )
        self.critic_status.say(f"{choice.model} is reading the steps of this reasoning…")
        self.view.say(
            f"Asking {choice.model}: its opinion will appear below, apart from the checks."
        )

    def stop_critic(self) -> None:
        """Stop the critic now; what it cost so far is stored and counted."""
        run = self.critic
        if run is None:
            return
        run.stopped = True
        run.cancel.cancel()
        self.critic_status.say("")
        if (
            self._view is not None
            and self.view.turn is not None
            and self.view.turn.id == run.turn_id
        ):
            self.view.say("Stopped the critic. What it cost so far is counted in the ledger.")

    def _on_critic_done(self, run: _CriticRun, review: CriticReview) -> None:
        self.critic = None
        self.critic_status.say("")
        shown = self.view.turn is not None and self.view.turn.id == run.turn_id
        if not run.stopped:
            if shown:
                self.view.show_critic(review)
                self.view.say("")
            else:
                self._status.showMessage(
                    f"{run.choice.model} has read the turn you asked about; select it to see.",
                    10_000,
                )
        self.sig_critic_finished.emit(review)

    def _on_critic_failed(self, run: _CriticRun, exc: BaseException) -> None:
        self.critic = None
        self.critic_status.say("")
        message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
        if self.view.turn is not None and self.view.turn.id == run.turn_id:
            self.view.say(f"The critic could not be asked: {message}")
        else:
            self._status.showMessage(f"The critic could not be asked: {message}", 10_000)
        self.sig_critic_finished.emit(None)

    # Quitting: a critic must not keep the window waiting for its network job

    def shutdown(self) -> None:
        """The window is closing: stop a critic and let the audit view's pool finish."""
        self.stop_critic()
        if self._view is not None:
            self._view.wait(10_000)
