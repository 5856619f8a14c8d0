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

Every way of sending a turn passes the same check first: Send (the composer's send check), and
Retry, Regenerate and Edit (`send_checked`). A turn that would cross a budget says so in the
banner above the composer and, if the user asked for it, waits for "Send anyway". Every store
read runs on the window's store worker.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Slot
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QBoxLayout, QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from client.ui.actions import add_command
from client.ui.jobs import JobHandle
from client.ui.ledger.budget_prompt import (
    NextTurn,
    NextTurnFigures,
    ask_to_cross,
    next_turn_figures,
    next_turn_line,
    next_turn_tip,
)

if TYPE_CHECKING:  # client.budget loads genai-prices: on a worker, after the window shows
    from client.budget import BudgetCheck, Estimate
    from client.ui.ledger.prices_page import PricesDialog
    from client.ui.turns.runner import SendRequest

ESTIMATE_DELAY_MS = 300  # after the last keystroke: typing is not slowed by store reads
SPEND_LINK = ' · <a href="spend">Spend…</a>'


class SpendDialog(QDialog):
    """The spend view in a window of its own, kept and reopened (View → Spend…)."""

    def __init__(self, store: Any, jobs: Any, parent: QWidget | None = None) -> None:
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
        self.resize(960, 640)


class LedgerController(QObject):
    """The cost line, the spend view, the next-turn line and the budget check before sending.

    `confirm(parent, sentence)` asks before a turn that would cross a budget (a QMessageBox by
    default; tests pass their own answer).

    Signals: none; it listens to the window, the runner and the composer.
    """

    def __init__(self, window: Any, confirm: Callable[[QWidget, str], bool] | None = None) -> None:
        super().__init__(window)
        self._window = window
        self._store = window.store
        self._jobs = window.jobs
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

        self.summary_label = QLabel(window)
        self.summary_label.setObjectName("conversation_cost")
        self.summary_label.setTextFormat(Qt.TextFormat.RichText)  # the link; words are escaped
        self.summary_label.setWordWrap(True)
        self.summary_label.setContentsMargins(12, 4, 12, 4)
        self.summary_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.summary_label.setToolTip(
            "Everything this conversation cost: every branch, stopped turn and critic counts."
        )
        self.summary_label.hide()
        self._place_summary()
        self.spend_action = add_command(
            window,
            "&View",
            "&Spend…",
            "Ctrl+Shift+S",
            "What the day, week or month cost, by model, provider or conversation",
        )
        self.prices_action = add_command(
            window,
            "&View",
            "&Prices…",
            "Ctrl+Shift+P",
            "Every model's rates, where they come from and since when; your own price; reprice",
        )
        window.composer.set_send_check(self._check_before_sending)
        self._connect_signals()
        self._estimate_timer.start()  # the first estimate, once the window is running
        window.installEventFilter(self)  # closing: no estimate starts after the store is done

    def _place_summary(self) -> None:
        """At the top of the conversation column (the status bar if that column has no box)."""
        centre = self._window.centre_pages.parentWidget()
        layout = centre.layout() if centre is not None else None
        if isinstance(layout, QBoxLayout):
            layout.insertWidget(0, self.summary_label)
        else:
            self._window.statusBar().addPermanentWidget(self.summary_label)

    def _connect_signals(self) -> None:
        w = self._window
        w.sig_conversation_shown.connect(self._on_window_conversation_shown)
        w.runner.sig_turn_finished.connect(self._on_runner_turn_finished)
        w.composer.sig_prompt_edited.connect(self._on_composer_prompt_edited)
        w.composer.sig_choice_changed.connect(self._on_composer_choice_changed)
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
        w = self._window
        if w.current_id is not None and not w.runner.busy:
            w.open_conversation(w.current_id, leaf_id=w.conversation.leaf_id())

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
        cid = self._window.current_id
        if cid is None:
            self.summary = ""
            self.summary_label.hide()
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
        if cid != self._window.current_id:
            return
        self.summary = text
        self.summary_label.setText(f"This conversation: {html.escape(text)}{SPEND_LINK}")
        self.summary_label.show()

    def _on_summary_failed(self, exc: BaseException) -> None:
        self._summary_job = None
        self.summary_label.setText(f"The ledger could not be read: {html.escape(str(exc))}")
        self.summary_label.show()

    # The spend view

    def open_spend(self) -> SpendDialog:
        dialog = self.spend_dialog
        if dialog is None:
            dialog = self.spend_dialog = SpendDialog(self._store, self._jobs, self._window)
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
                self._store, self._jobs, self._window.net_jobs, self._window
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

    def _next_turn(self, prompt: str) -> NextTurn | None:
        """The composer's next turn: the model chosen, after the branch shown."""
        w = self._window
        choice = w.composer.choice
        if choice is None:
            return None
        return NextTurn(
            w.current_id,
            w.conversation.leaf_id() if w.current_id is not None else None,
            prompt,
            w.draft_system,
            choice.provider,
            choice.model,
            choice.base_url,
        )

    def update_estimate(self) -> None:
        """Work out the next-turn line now (the timer calls this once typing pauses)."""
        self._estimate_timer.stop()
        if self._estimate_job is not None:
            self._estimate_job.cancel()  # a late answer for an older prompt must not land
            self._estimate_job = None
        nxt = self._next_turn(self._window.composer.edit.toPlainText().strip())
        if nxt is None:
            self.figures = None
            self._window.composer.set_estimate("")
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
        self._window.composer.set_estimate(
            next_turn_line(figures), next_turn_tip(figures), warn=figures.warn
        )

    def _on_estimate_failed(self, exc: BaseException) -> None:
        self._estimate_job = None
        self.figures = None
        self._window.composer.set_estimate(f"Next turn: no estimate ({exc})")

    def check_turn(self, nxt: NextTurn, proceed: Callable[[bool], None]) -> None:
        """Check a turn against the budgets before it goes, with the prompt as it will go; then
        `proceed(True)` to send it, or `proceed(False)` when the user cancelled at the question."""
        store = self._store
        handle = self._jobs.run(
            lambda: next_turn_figures(store, nxt),
            lambda figures: self._on_send_checked(handle, figures, proceed),
            lambda exc: self._on_send_check_failed(handle, exc, proceed),
        )
        self._check_jobs.add(handle)

    def send_checked(self, send: SendRequest, on_refused: Callable[[], None] | None = None) -> None:
        """Start `send` on the runner once it passes the budget check, as Send does (Retry,
        Regenerate, Edit); `on_refused()` runs when the user cancels at the question."""
        nxt = NextTurn(
            send.conversation_id,
            send.parent_id,
            send.prompt,
            None,
            send.provider,
            send.model,
            send.base_url,
            as_root=send.as_root,
        )

        def proceed(go: bool) -> None:
            if go:
                self._window.runner.start(send)
            elif on_refused is not None:
                on_refused()

        self.check_turn(nxt, proceed)

    def _check_before_sending(self, prompt: str, proceed: Callable[[bool], None]) -> None:
        """The composer's send check."""
        nxt = self._next_turn(prompt)
        if nxt is None:
            proceed(True)  # the window says what is missing
        else:
            self.check_turn(nxt, proceed)

    def _on_send_checked(
        self, handle: JobHandle, figures: NextTurnFigures, proceed: Callable[[bool], None]
    ) -> None:
        self._check_jobs.discard(handle)
        check = figures.check
        if check.level == "ok":
            proceed(True)
            return
        asked = check.ask_before_sending
        go = not asked or self.confirm(self._window, check.message)
        proceed(go)  # sending hides the banner
        if not (asked and go):  # after "Send anyway" the user has read it: no banner to linger
            self._window.banner.say(check.message, "Settings…")

    def _on_send_check_failed(
        self, handle: JobHandle, exc: BaseException, proceed: Callable[[bool], None]
    ) -> None:
        self._check_jobs.discard(handle)
        proceed(True)  # a budget is advice: failing to read it must not stop the user
        self._window.statusBar().showMessage(f"Budgets could not be checked: {exc}", 10_000)

    # Slots

    @Slot(object)
    def _on_window_conversation_shown(self, _conversation_id: str | None) -> None:
        self.update_summary()
        self.update_estimate()

    @Slot(object)
    def _on_runner_turn_finished(self, _state: Any) -> None:
        self.refresh()

    @Slot()
    def _on_composer_prompt_edited(self) -> None:
        self._estimate_timer.start()

    @Slot(object)
    def _on_composer_choice_changed(self, _choice: Any) -> None:
        self._estimate_timer.start()

    @Slot(str)
    def _on_summary_label_link_activated(self, _link: str) -> None:
        self.open_spend()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if watched is self._window and event.type() == QEvent.Type.Close:
            self._estimate_timer.stop()
            for job in (self._estimate_job, self._summary_job, *self._check_jobs):
                if job is not None:
                    job.cancel()  # and no turn starts once the window is closing
            self._estimate_job = self._summary_job = None
            self._check_jobs.clear()
        return False
