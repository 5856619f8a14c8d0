"""The ledger in the window (issue #5): what this conversation cost, what the next turn will, and
whether it crosses a budget.

"What did this conversation cost, and how much was reasoning I never saw?" takes no click: a
line at the top of the conversation says it (client.budget.conversation_cost_summary, counting
every branch, stopped and critic turn), with a link to the spend view, which View → Spend…
(Ctrl+Shift+S) also opens; its Prices… button, and View → Prices… (Ctrl+Shift+P), open the Prices
page (client/ui/ledger/prices_page.py) in a window of its own, and a price set or a reprice there reads the ledger again. Under the
prompt, one line says what the next turn will send, how much of the model's context window that
is, and what it will cost (client/ui/ledger/budget_prompt.py);
it follows the typing (debounced), the model, the branch shown and the reasoning setting.

Every way of sending a turn (Send, Retry, Regenerate, Edit) builds one SendRequest and goes
through `send_checked`: the budget check, then the runner. A comparison or a prompt set passes
the same gate (`budget_checked`) with its whole estimate. A send that would cross a budget says
so in the banner above the composer and, if the user asked for it, waits for "Send anyway".
Every store read runs on the window's store worker.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSize, Qt, QTimer, Slot
from PySide6.QtGui import QAction, QPalette
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QStatusBar, QVBoxLayout, QWidget

from client.core.format import NO_QUERIES
from client.ui.composer.banner import Banner
from client.ui.composer.composer import Composer
from client.ui.composer.model_picker import ModelChoice
from client.ui.conversation.live import TurnState
from client.ui.fit import fit_to_screen
from client.ui.focus import ConversationFocus
from client.ui.jobs import BackgroundJobs, JobHandle
from client.ui.ledger.budget_prompt import (
    NextTurnFigures,
    ask_to_cross,
    next_turn_figures,
    next_turn_line,
    next_turn_tip,
)
from client.ui.turns.runner import TurnRunner

if TYPE_CHECKING:  # client.budget loads genai-prices: on a worker, after the window shows
    from client.budget import BudgetCheck, Estimate
    from client.core.request import SendRequest
    from client.store.store import Store
    from client.ui.conversation.view import ConversationView
    from client.ui.ledger.prices_page import PricesDialog

ESTIMATE_DELAY_MS = 300  # after the last keystroke: typing is not slowed by store reads
SPEND_LINK = ' · <a href="spend">Spend…</a>'


class SpendDialog(QDialog):
    """The spend view in a window of its own, kept and reopened (View → Spend…)."""

    def __init__(self, store: Store, jobs: BackgroundJobs, parent: QWidget | None = None) -> None:
        from client.ui.ledger.spend_view import (
            SpendView,  # client.budget: genai-prices, when first asked
        )

        super().__init__(parent)
        self.setWindowTitle("Spend")
        self.view = SpendView(store, self, jobs=jobs)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addWidget(buttons)
        fit_to_screen(self, QSize(960, 640))


class LedgerController(QObject):
    """The cost line, the spend view, the next-turn line and the budget check before sending.

    `confirm(parent, sentence)` asks before a turn that would cross a budget (a QMessageBox by
    default; tests pass their own answer). `request_for(prompt)` is the composer's next turn
    (None until a model is chosen): what the next-turn line estimates. The window places
    `summary_label` at the top of the conversation column and calls `shutdown()` as it closes.

    Signals: none; it listens to the focus, the runner and the composer.
    """

    def __init__(
        self,
        store: Store,
        jobs: BackgroundJobs,
        net_jobs: BackgroundJobs,
        runner: TurnRunner,
        composer: Composer,
        view: ConversationView,
        banner: Banner,
        status: QStatusBar,
        focus: ConversationFocus,
        spend_action: QAction,
        prices_action: QAction,
        request_for: Callable[[str], SendRequest | None],
        parent: QWidget | None = None,
        confirm: Callable[[QWidget | None, str], bool] | None = None,
    ) -> None:
        super().__init__(parent)
        self._store, self._jobs, self._net_jobs, self._runner = store, jobs, net_jobs, runner
        self._composer, self._view = composer, view
        self._banner, self._status, self._focus = banner, status, focus
        self._request_for = request_for
        self._parent = parent
        self.confirm = confirm or ask_to_cross
        self.figures: NextTurnFigures | None = None
        self.summary = ""
        self.spend_dialog: SpendDialog | None = None
        self.prices_dialog: PricesDialog | None = None
        self._estimate_job: JobHandle | None = None
        self._summary_job: JobHandle | None = None
        self._check_jobs: set[JobHandle] = set()  # sends waiting for their budget check
        self._estimate_timer = QTimer(self)
        self._estimate_timer.setSingleShot(True)
        self._estimate_timer.setInterval(ESTIMATE_DELAY_MS)

        self.summary_label = QLabel(parent)
        self.summary_label.setObjectName("conversation_cost")
        self.summary_label.setTextFormat(Qt.TextFormat.RichText)  # the link; words are escaped
        self.summary_label.setWordWrap(True)
        self.summary_label.setContentsMargins(12, 4, 12, 4)
        self.summary_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.summary_label.setToolTip(
            "Everything this conversation cost: every branch, stopped turn and critic counts."
        )
        # Always shown, so the conversation below never moves when a first turn's cost arrives.
        self._say_summary(NO_QUERIES)
        self.spend_action = spend_action
        self.prices_action = prices_action
        self._connect_signals()
        self._estimate_timer.start()  # the first estimate, once the window is running

    def _connect_signals(self) -> None:
        self._focus.sig_conversation_shown.connect(self._on_focus_conversation_shown)
        self._runner.sig_turn_finished.connect(self._on_runner_turn_finished)
        self._composer.sig_prompt_edited.connect(self._on_composer_prompt_edited)
        self._composer.sig_choice_changed.connect(self._on_composer_choice_changed)
        self.spend_action.triggered.connect(self.open_spend)
        self.prices_action.triggered.connect(self.open_prices)
        self.summary_label.linkActivated.connect(self._on_summary_label_link_activated)
        self._estimate_timer.timeout.connect(self.update_estimate)

    def refresh(self) -> None:
        """Read the ledger again: the cost line, the estimate, and the spend view if open."""
        self.update_summary()
        self.update_estimate()
        if self.spend_dialog is not None and self.spend_dialog.isVisible():
            self.spend_dialog.view.refresh()

    @Slot()
    def prices_changed(self) -> None:
        """After a price was set or turns repriced: the ledger again, and the conversation shown
        read again (same branch), so each turn's cost line shows its new amount."""
        self.refresh()
        current = self._focus.current_id
        if current is not None and not self._runner.busy:
            self._focus.open(current, leaf_id=self._view.leaf_id())

    # What this conversation cost

    @property
    def estimate(self) -> Estimate | None:
        """The next turn's estimate (from the last figures worked out)."""
        return self.figures.estimate if self.figures is not None else None

    @property
    def check(self) -> BudgetCheck | None:
        """The next turn against the budgets (from the last figures worked out)."""
        return self.figures.check if self.figures is not None else None

    def update_summary(self) -> None:
        if self._summary_job is not None:
            self._summary_job.cancel()
            self._summary_job = None
        cid = self._focus.current_id
        if cid is None:  # a conversation not started yet
            self.summary = ""
            self._say_summary(NO_QUERIES)
            return
        store = self._store

        def work() -> str:
            from client.budget import conversation_cost_summary

            return conversation_cost_summary(store, cid)

        self._summary_job = self._jobs.run(
            work, lambda text: self._on_summary_read(cid, text), self._on_summary_failed
        )

    def _on_summary_read(self, cid: str, text: str) -> None:
        self._summary_job = None
        if cid != self._focus.current_id:
            return
        self.summary = text
        self._say_summary(text)

    def _say_summary(self, text: str) -> None:
        self.summary_label.setText(f"This conversation: {html.escape(text)}{SPEND_LINK}")

    def _on_summary_failed(self, exc: BaseException) -> None:
        self._summary_job = None
        self.summary_label.setText(f"The ledger could not be read: {html.escape(str(exc))}")

    # The spend view

    def open_spend(self) -> SpendDialog:
        dialog = self.spend_dialog
        if dialog is None:
            dialog = self.spend_dialog = SpendDialog(self._store, self._jobs, self._parent)
            dialog.view.sig_prices_requested.connect(self.open_prices)
        elif dialog.view.report is not None:
            dialog.view.refresh()
        if dialog.isVisible():  # behind the window: bring it forward
            dialog.raise_()
            dialog.activateWindow()
        else:
            dialog.show()
        return dialog

    def open_prices(self) -> PricesDialog:
        """The Prices page in a window of its own (from the spend view); kept and reopened."""
        from client.ui.ledger.prices_page import PricesDialog

        dialog = self.prices_dialog
        if dialog is None:
            dialog = self.prices_dialog = PricesDialog(
                self._store, self._jobs, self._net_jobs, self._parent
            )
            dialog.page.sig_ledger_changed.connect(self.prices_changed)
        elif dialog.page.table_data is not None:
            dialog.page.reload()
        if dialog.isVisible():
            dialog.raise_()
            dialog.activateWindow()
        else:
            dialog.show()
        return dialog

    # The next turn: its line, and the budgets before it is sent

    def update_estimate(self) -> None:
        """Work out the next-turn line now (the timer calls this once typing pauses)."""
        self._estimate_timer.stop()
        if self._estimate_job is not None:
            self._estimate_job.cancel()  # a late answer for an older prompt must not land
            self._estimate_job = None
        nxt = self._request_for(self._composer.edit.toPlainText().strip())
        if nxt is None:
            self.figures = None
            self._composer.set_estimate("")
            return
        store = self._store
        self._estimate_job = self._jobs.run(
            lambda: next_turn_figures(store, nxt),
            self._on_estimate_made,
            self._on_estimate_failed,
        )

    def _on_estimate_made(self, figures: NextTurnFigures) -> None:
        self._estimate_job = None
        self.figures = figures
        self._composer.set_estimate(
            next_turn_line(figures), next_turn_tip(figures), warn=figures.warn
        )

    def _on_estimate_failed(self, exc: BaseException) -> None:
        self._estimate_job = None
        self.figures = None
        self._composer.set_estimate(f"Next turn: no estimate ({exc})")

    def send_checked(
        self, send: SendRequest, then: Callable[[str | None], None] | None = None
    ) -> None:
        """The one way a turn is sent (Send, Retry, Regenerate, Edit): check `send` against the
        budgets with the prompt as it will go, then start it on the runner; `then(key)` follows
        with the runner's key, or None when the user cancelled at the question."""
        store = self._store

        def proceed(go: bool) -> None:
            key = self._runner.start(send) if go else None
            if then is not None:
                then(key)

        self.budget_checked(lambda: next_turn_figures(store, send).check, proceed)

    def budget_checked(
        self, check: Callable[[], BudgetCheck], proceed: Callable[[bool], None]
    ) -> None:
        """The budget gate every send passes (a turn, a comparison, a prompt set): `check` runs
        on the store worker; a budget it would cross is asked about (when the user asked to be
        asked) or said in the banner, exactly as for a turn; then `proceed(go)`, go False when
        the user cancelled at the question."""
        handle = self._jobs.run(
            check,
            lambda result: self._on_send_checked(handle, result, proceed),
            lambda exc: self._on_send_check_failed(handle, exc, proceed),
        )
        self._check_jobs.add(handle)

    def _on_send_checked(
        self, handle: JobHandle, check: BudgetCheck, proceed: Callable[[bool], None]
    ) -> None:
        self._check_jobs.discard(handle)
        if check.level == "ok":
            proceed(True)
            return
        asked = check.ask_before_sending
        go = not asked or self.confirm(self._parent, check.message)
        proceed(go)  # sending hides the banner
        if not (asked and go):  # after "Send anyway" the user has read it: no banner to linger
            self._banner.say(check.message, "Settings…")

    def _on_send_check_failed(
        self, handle: JobHandle, exc: BaseException, proceed: Callable[[bool], None]
    ) -> None:
        self._check_jobs.discard(handle)
        proceed(True)  # a budget is advice: failing to read it must not stop the user
        self._status.showMessage(f"Budgets could not be checked: {exc}", 10_000)

    # Slots

    @Slot(object)
    def _on_focus_conversation_shown(self, _conversation_id: str | None) -> None:
        self.update_summary()
        self.update_estimate()

    @Slot(object)
    def _on_runner_turn_finished(self, _state: TurnState) -> None:
        self.refresh()

    @Slot()
    def _on_composer_prompt_edited(self) -> None:
        self._estimate_timer.start()

    @Slot(object)
    def _on_composer_choice_changed(self, _choice: ModelChoice | None) -> None:
        self._estimate_timer.start()

    @Slot(str)
    def _on_summary_label_link_activated(self, _link: str) -> None:
        self.open_spend()

    def shutdown(self) -> None:
        """The window is closing: no estimate starts after the store is done, and no turn."""
        self._estimate_timer.stop()
        for job in (self._estimate_job, self._summary_job, *self._check_jobs):
            if job is not None:
                job.cancel()
        self._estimate_job = self._summary_job = None
        self._check_jobs.clear()
