"""Comparisons in the window: "Compare…" (Ctrl+Shift+Enter), the run, and the view.

The comparison runs with the composer's prompt under the branch shown (its runs become sibling
versions of the next turn), on a thread of its own: client.compare.runner sends the runs in
parallel and stores each as a normal turn. Streaming text is coalesced (a timer repaints the
cards ten times a second); each finished run is handed over with its audit counts, read on the
worker. The estimate and the budget check are made before anything is sent, off the GUI thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QStatusBar, QVBoxLayout, QWidget

from client.core import format as fmt
from client.core.audit import AuditSummary
from client.core.conversation import Turn
from client.core.events import AnswerDelta, ReasoningDelta, StreamEvent
from client.ui.conversation.live import TurnState
from client.ui.fit import fit_to_screen

if TYPE_CHECKING:  # the session (adapters, httpx, keyring) loads after the window is up
    # The comparison's runner, tally, dialog and view load with the first comparison (8 ms of
    # every start-up otherwise, bench/run.py startup).
    from client.compare.columns import Column
    from client.compare.runner import Comparison, ComparisonPlan, RunResult
    from client.session import TurnController
    from client.store.store import Store
    from client.ui.compare.set_controller import PromptSetController
    from client.ui.compare.setup_dialog import CompareSetupDialog
    from client.ui.composer.composer import Composer
    from client.ui.inspector.reasoning_pane import ReasoningInspector
    from client.ui.jobs import BackgroundJobs
    from client.ui.ledger.controller import LedgerController
    from client.ui.turns.runner import TurnRunner

REPAINT_MS = 100


@dataclass
class EstimateFigures:
    text: str
    budget_message: str = ""


def estimate_figures(
    store: Any,
    columns: list[Column],
    samples: int,
    prompts: list[str],
    conversation_id: str | None,
    parent_id: str | None,
) -> EstimateFigures:
    """The estimate line and the budget check, on a worker (reads the store, loads prices).
    One prompt goes under the branch shown; a set's prompts each start a conversation."""
    return _estimated(store, columns, samples, prompts, conversation_id, parent_id)[0]


def budget_check_for(
    store: Any,
    columns: list[Column],
    samples: int,
    prompts: list[str],
    conversation_id: str | None,
    parent_id: str | None,
) -> Any:
    """What the send gate checks (LedgerController.budget_checked), on the store worker."""
    return _estimated(store, columns, samples, prompts, conversation_id, parent_id)[1]


def _estimated(
    store: Any,
    columns: list[Column],
    samples: int,
    prompts: list[str],
    conversation_id: str | None,
    parent_id: str | None,
) -> tuple[EstimateFigures, Any]:
    from client.compare.estimate import budget_check, combine, describe, estimate_with_store

    if len(prompts) == 1:
        history = store.branch(conversation_id, parent_id) if conversation_id and parent_id else []
        estimate = estimate_with_store(store, columns, samples, prompts[0], history=history)
        check = budget_check(store, conversation_id, estimate, "comparison")
    else:
        estimate = combine([estimate_with_store(store, columns, samples, p) for p in prompts])
        check = budget_check(store, None, estimate, "prompt set")
    text = describe(estimate)
    if len(prompts) > 1:
        text = f"{len(prompts)} prompts × {len(columns)} settings × {samples} samples = {text}"
    return EstimateFigures(text, check.message if check.level != "ok" else ""), check


class _Bridge(QObject):
    """Carries a worker's news to the GUI thread (queued signals)."""

    sig_run_done = Signal(object, object)  # RunResult, AuditSummary | None
    sig_finished = Signal()
    sig_failed = Signal(str)


class ComparisonWindow(QDialog):
    """The comparison view in a window of its own (not modal: the conversation stays usable)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Comparison")
        self.setAccessibleName("Comparison window")
        from client.ui.compare.view import ComparisonView

        self.view = ComparisonView(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.view)
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        fit_to_screen(self, QSize(1200, 760))
        self.running = False

    def reject(self) -> None:
        """Esc stops a running comparison (finished runs stay); when nothing runs, it closes."""
        if self.running:
            self.view.sig_stop_all.emit()
            return
        super().reject()


class CompareController(QObject):
    """Signals: sig_finished(str): a comparison's runs are all done (its id)."""

    sig_finished = Signal(str)

    def __init__(
        self,
        store: Store,
        jobs: BackgroundJobs,
        composer: Composer,
        inspector: ReasoningInspector,
        *,
        ledger: LedgerController,
        runner: TurnRunner,
        status: QStatusBar,
        parent: QWidget,
        current_branch: Callable[[], tuple[str | None, str | None]],
        open_branch: Callable[[str, str], None],
        after_run: Callable[[str | None], None] | None = None,
        show_inspector: Callable[[], None] | None = None,
        action: QAction,
    ) -> None:
        super().__init__(parent)
        self._parent = parent  # the comparison's dialog and windows are its children
        self._status = status
        self.store, self.jobs, self.composer, self.inspector = store, jobs, composer, inspector
        # A comparison is sent as a turn is: through the ledger's budget gate, and by the
        # runner's turn controller (priced and stored the same way, the same idle timeout).
        self.ledger, self.runner = ledger, runner
        self._current_branch = current_branch
        self._open_branch = open_branch
        self._after_run = after_run
        self._show_inspector = show_inspector
        self.action = action  # Turn → Compare… (declared in actions.py)
        self.action.triggered.connect(self.open_setup)
        self.dialog: CompareSetupDialog | None = None
        self.view_window: ComparisonWindow | None = None
        self.comparison: Comparison | None = None
        self._estimate_job: Any = None
        self._prompts_job: Any = None
        self._live: dict[tuple[int, int], tuple[list[str], int]] = {}
        self._finished: set[tuple[int, int]] = set()
        self._audits: dict[tuple[int, int], AuditSummary | None] = {}
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._bridge = _Bridge(self)
        self._bridge.sig_run_done.connect(self._on_run_done)
        self._bridge.sig_finished.connect(self._on_comparison_finished)
        self._bridge.sig_failed.connect(self._on_comparison_failed)
        self._sets: PromptSetController | None = None  # several prompts, one summary
        self._closing = False
        self._repaint = QTimer(self)
        self._repaint.setInterval(REPAINT_MS)
        self._repaint.timeout.connect(self._show_live)

    @property
    def sets(self) -> PromptSetController:
        """Prompt sets, made when first asked for: their modules are not loaded at start-up."""
        if self._sets is None:
            from client.ui.compare.set_controller import PromptSetController

            self._sets = PromptSetController(self._parent, self._after_run)
        return self._sets

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    # -- choosing ----------------------------------------------------------------------------

    def open_setup(self) -> CompareSetupDialog | None:
        """The Compare dialog for the composer's prompt; with an empty prompt box, for a set."""
        prompt = self.composer.edit.toPlainText().strip()
        if self.running or (self._sets is not None and self._sets.running):
            self._status.showMessage(
                "A comparison is still running: stop it or let it finish first.", 8000
            )
            return None
        from client.ui.compare.setup_dialog import CompareSetupDialog

        dialog = CompareSetupDialog(self.composer.choice, prompt, self._parent)
        dialog.sig_plan_changed.connect(lambda: self._estimate(dialog))
        dialog.sig_set_wanted.connect(lambda: self._load_earlier_prompts(dialog))
        dialog.accepted.connect(lambda: self._on_setup_accepted(dialog))
        dialog.finished.connect(self._on_setup_finished)
        self.dialog = dialog
        dialog.open()
        return dialog

    def _on_setup_finished(self, _result: int) -> None:
        """The dialog is going: a late estimate or list of prompts must not reach it."""
        for job in (self._estimate_job, self._prompts_job):
            if job is not None:
                job.cancel()
        self._estimate_job = self._prompts_job = None

    def _load_earlier_prompts(self, dialog: CompareSetupDialog) -> None:
        if dialog.picker.earlier_list.count():
            return  # read once per dialog
        store = self.store
        self._prompts_job = self.jobs.run(
            lambda: store.earlier_prompts(), dialog.picker.set_earlier
        )

    def _estimate(self, dialog: CompareSetupDialog) -> None:
        try:
            columns = dialog.columns()
        except Exception:
            return
        if self._estimate_job is not None:
            self._estimate_job.cancel()
        conversation_id, parent_id = self._current_branch()
        store, samples, prompts = self.store, dialog.samples, dialog.prompts()
        self._estimate_job = self.jobs.run(
            lambda: estimate_figures(store, columns, samples, prompts, conversation_id, parent_id),
            lambda f: dialog.set_estimate(f.text, f.budget_message),
            lambda exc: dialog.set_estimate(f"No estimate: {exc}"),
            owner=dialog,
        )

    def _on_setup_accepted(self, dialog: CompareSetupDialog) -> None:
        if dialog.is_set:
            self._start_set(dialog)
            return
        from client.compare.runner import ComparisonPlan

        conversation_id, parent_id = self._current_branch()
        settings = self.composer.settings()
        plan = ComparisonPlan(
            dialog.prompt,
            dialog.columns(),
            dialog.samples,
            conversation_id,
            parent_id,
            max_output_tokens=settings.max_output_tokens,
        )
        prompt = self.composer.take_prompt()
        self.composer.set_checking(True)
        store, columns, samples = self.store, plan.columns, plan.samples

        def proceed(go: bool) -> None:
            self.composer.set_checking(False)
            if go:
                self.start(plan)
            else:  # cancelled at the budget question: the prompt goes back
                self.composer.restore_prompt(prompt)

        self.ledger.budget_checked(
            lambda: budget_check_for(
                store, columns, samples, [plan.prompt], conversation_id, parent_id
            ),
            proceed,
        )

    def _start_set(self, dialog: CompareSetupDialog) -> None:
        """A prompt set: planned and checked against the budgets on the store worker (a set
        run before is resumed, so only what is left is estimated), then run prompt by prompt."""
        from client.compare.prompt_set import PromptItem

        items = [PromptItem(p) for p in dialog.prompts()]
        columns, samples = dialog.columns(), dialog.samples
        max_output_tokens = self.composer.settings().max_output_tokens
        store, controller, sets = self.store, self.runner.controller(), self.sets
        idle = self.runner.idle_timeout_s
        planned: list[Comparison] = []

        def check() -> Any:
            from client.compare.estimate import budget_check, combine, estimate_left
            from client.compare.prompt_set import plan_set

            planned[:] = plan_set(
                controller,
                items,
                columns,
                samples,
                max_output_tokens=max_output_tokens,
                on_done=sets.run_done,
                idle_timeout_s=idle,
            )
            estimate = combine([estimate_left(store, c) for c in planned])
            return budget_check(store, None, estimate, "prompt set")

        def proceed(go: bool) -> None:
            if go and planned:
                sets.start(planned, items)

        self.ledger.budget_checked(check, proceed)

    # -- running -----------------------------------------------------------------------------

    def start(self, plan: ComparisonPlan, controller: TurnController | None = None) -> Comparison:
        from client.compare.runner import Comparison

        comparison = Comparison(
            controller or self.runner.controller(),
            plan,
            on_event=self._on_event,
            on_done=self._on_done,
            idle_timeout_s=self.runner.idle_timeout_s,
        )
        self.comparison = comparison
        self._live.clear()
        self._finished = set()
        self._audits = {}
        window = self._show_window(comparison)
        window.running = True
        window.view.set_running(True)
        window.view.status.setText("Sending…")
        # Prepared on the store worker, after the start-up warm-up that worker runs first: the
        # price data and the adapters are then loaded once, never by two threads at a time.
        self.jobs.run(
            lambda: self._prepare(comparison),
            lambda _: self._start_thread(comparison),
            lambda exc: self._on_comparison_failed(str(exc)),
        )
        return comparison

    @staticmethod
    def _prepare(comparison: Comparison) -> None:
        import client.pricing  # noqa: F401 - loaded here, before the runs price themselves

        comparison.prepare()

    def _start_thread(self, comparison: Comparison) -> None:
        if comparison is not self.comparison:
            return
        self._thread = threading.Thread(
            target=self._work, args=(comparison,), name="comparison", daemon=True
        )
        self._thread.start()
        self._repaint.start()

    def _work(self, comparison: Comparison) -> None:
        try:
            for result in list(comparison.results.values()):  # refused before sending
                self._on_done(result)
            comparison.run()
        except Exception as exc:
            self._bridge.sig_failed.emit(str(exc))
            return
        self._bridge.sig_finished.emit()

    def _on_event(self, column: int, sample: int, turn: Turn, event: StreamEvent) -> None:
        with self._lock:
            answer, chars = self._live.get((column, sample), ([], 0))
            if isinstance(event, AnswerDelta):
                answer.append(event.text)
            elif isinstance(event, ReasoningDelta):
                chars += len(event.text)
            self._live[(column, sample)] = (answer, chars)

    def _on_done(self, result: RunResult) -> None:
        """On a worker: read the audit counts there, then hand the run to the GUI."""
        audit = None
        if result.turn is not None and self.store is not None:
            try:
                audit = self.store.audit_summary(result.turn.id)
            except Exception:
                audit = None
        self._bridge.sig_run_done.emit(result, audit)

    def _show_live(self) -> None:
        window, comparison = self.view_window, self.comparison
        if window is None or comparison is None:
            return
        with self._lock:
            live = {k: ("".join(a), c) for k, (a, c) in self._live.items()}
        for (c, s), (answer, chars) in live.items():
            if (c, s) not in self._finished:
                window.view.card(c, s).show_live(answer, chars)

    def _on_run_done(self, result: RunResult, audit: AuditSummary | None) -> None:
        comparison, window = self.comparison, self.view_window
        if comparison is None or window is None:
            return
        key = (result.column, result.sample)
        self._finished.add(key)
        self._audits[key] = audit
        comparison.results[key] = result
        self._refresh_view()

    def _refresh_view(self) -> None:
        comparison, window = self.comparison, self.view_window
        if comparison is None or window is None:
            return
        from client.compare.report import figures

        fig = figures(comparison)
        window.view.show_figures(fig, self._audits, self._finished)
        total = len(fig.columns) * comparison.plan.samples
        done = len(self._finished)
        if done < total:
            window.view.status.setText(
                f"{done} of {total} runs done · {fmt.money(fig.cost)} so far"
            )
        else:
            cheapest = fig.columns[fig.cheapest].label if fig.cheapest is not None else None
            verdict = f" · cheapest giving the majority answer: {cheapest}" if cheapest else ""
            failed = f" · {fig.failed_runs} failed" if fig.failed_runs else ""
            if fig.stopped_runs:
                failed += f" · {fig.stopped_runs} stopped"
            window.view.status.setText(f"{total} runs · {fmt.money(fig.cost)}{failed}{verdict}")

    def _on_comparison_finished(self) -> None:
        self._repaint.stop()
        if self._closing:  # the window is gone: nothing to show or refresh
            return
        comparison = self.comparison
        if self.view_window is not None:
            self.view_window.running = False
            self.view_window.view.set_running(False)
        if comparison is not None:
            # runs stopped before they were sent were never handed over: show them too
            for key, result in comparison.results.items():
                if key not in self._finished:
                    self._on_run_done(result, None)
            self._refresh_view()
            if self._after_run is not None:
                self._after_run(comparison.plan.conversation_id)
            self.sig_finished.emit(comparison.id)

    def _on_comparison_failed(self, message: str) -> None:
        self._repaint.stop()
        if self.view_window is not None:
            self.view_window.running = False
            self.view_window.view.set_running(False)
            self.view_window.view.status.setText(f"The comparison could not run: {message}")

    def stop(self) -> None:
        if self.comparison is not None:
            self.comparison.cancel()

    def shutdown(self, seconds: float = 10) -> None:
        """The window is closing: stop a comparison or a set, and wait until what arrived of
        each run is stored (before the store closes)."""
        self._closing = True
        self._repaint.stop()
        self.stop()
        if self._sets is not None:
            self._sets.shutdown(seconds)
        self.wait(seconds)

    def wait(self, seconds: float = 30) -> bool:
        """Block until the running comparison's thread ends (quitting, tests)."""
        if self._thread is not None:
            self._thread.join(seconds)
        return not self.running

    # -- the view ----------------------------------------------------------------------------

    def _show_window(self, comparison: Comparison) -> ComparisonWindow:
        if self.view_window is None:
            self.view_window = ComparisonWindow(self._parent)
            view = self.view_window.view
            view.sig_stop_all.connect(self.stop)
            view.sig_stop_run.connect(self._on_stop_run)
            view.sig_inspect.connect(self._on_inspect)
            view.sig_continue.connect(self._on_continue)
        plan = comparison.plan
        self.view_window.view.set_layout(plan.prompt, [c.label for c in plan.columns], plan.samples)
        if self.view_window.isVisible():
            self.view_window.raise_()
        else:
            self.view_window.show()
        return self.view_window

    def _on_stop_run(self, column: int, sample: int) -> None:
        if self.comparison is not None:
            self.comparison.cancel_run(column, sample)

    def _run(self, column: int, sample: int) -> Turn | None:
        if self.comparison is None:
            return None
        result = self.comparison.results.get((column, sample))
        return result.turn if result is not None else None

    def _on_inspect(self, column: int, sample: int) -> None:
        turn = self._run(column, sample)
        if turn is None:
            return
        self.inspector.show_turn(TurnState(turn, live=False))
        if self._show_inspector is not None:
            self._show_inspector()

    def chosen_turn(self, column: int) -> Turn | None:
        """The run a column continues with: one giving its majority answer, else any answered."""
        if self.comparison is None:
            return None
        from client.compare.report import figures
        from client.compare.tally import conclusion

        fig = figures(self.comparison)
        majority = fig.tallies[column].majority_answer
        done = [r.turn for r in fig.runs[column] if r.completed and r.turn is not None]
        for turn in done:
            if majority is not None and conclusion(turn) == majority:
                return turn
        return done[0] if done else None

    def _on_continue(self, column: int) -> None:
        turn = self.chosen_turn(column)
        if turn is None or self.comparison is None:
            return
        self._open_branch(turn.conversation_id, turn.id)
        label = self.comparison.plan.columns[column].label
        self._status.showMessage(
            f"The conversation now follows {label}; the next prompt continues from it.", 8000
        )

    # -- reopening ---------------------------------------------------------------------------

    def on_conversation_shown(self, conversation_id: str | None) -> None:
        """A conversation holding a comparison reopens its view (the newest comparison)."""
        if conversation_id is None or self.running or self.store is None:
            return
        store = self.store

        def load() -> tuple[Any, dict[tuple[int, int], AuditSummary | None]] | None:
            stored = store.comparisons(conversation_id)
            if not stored:
                return None
            newest = stored[-1]
            audits = {k: store.audit_summary(t.id) for k, t in newest.runs.items()}
            return newest, audits

        self.jobs.run(load, self._on_comparison_loaded)

    def _on_comparison_loaded(self, loaded: Any) -> None:
        if loaded is None or self.running:
            return
        stored, audits = loaded
        shown = self.comparison
        if (
            shown is not None
            and shown.id == stored.id
            and self.view_window is not None
            and self.view_window.isVisible()
        ):
            return
        from client.compare.runner import from_stored

        comparison = from_stored(self.runner.controller(), stored)
        self.comparison = comparison
        self._audits = dict(audits)
        self._finished = set(comparison.results)
        window = self._show_window(comparison)
        window.running = False
        window.view.set_running(False)
        # runs never sent (stopped before they went) show as such
        for c in range(len(comparison.plan.columns)):
            for s in range(comparison.plan.samples):
                self._finished.add((c, s))
        self._refresh_view()
