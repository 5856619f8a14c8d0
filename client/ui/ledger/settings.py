"""Settings for money: budgets (issue #5).

Budgets are a monthly and a per-conversation limit in US dollars (empty: none) and whether to
ask before a turn that would cross one; they are client.budget's settings in the store. Your own
prices and newer price data have a page of their own, Settings → Prices
(client.ui.ledger.prices_page). Nothing here touches the store on the GUI thread, and client.budget
(genai-prices) is imported on the worker.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from client.ui.jobs import BackgroundJobs


def _amount(text: str, what: str, *, optional: bool) -> Decimal | None:
    """A dollar amount typed by the user; ValueError with a sentence when it is not one."""
    text = text.strip().lstrip("$").replace(",", "")
    if not text:
        if optional:
            return None
        raise ValueError(f"{what} is missing.")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{what} should be a number of dollars, not “{text}”.") from None
    if not value.is_finite() or value < 0:
        raise ValueError(f"{what} should be zero or more.")
    return value


class BudgetBox(QGroupBox):
    """Monthly and per-conversation budgets, and whether to ask before crossing one."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Budgets", parent)
        self.monthly_edit = QLineEdit(self)
        self.conversation_edit = QLineEdit(self)
        for edit in (self.monthly_edit, self.conversation_edit):
            edit.setPlaceholderText("None")
            edit.setToolTip("In US dollars; leave empty for no budget.")
        self.ask_box = QCheckBox("Ask before sending a turn that would cross a budget", self)
        form = QFormLayout(self)
        form.addRow("Monthly ($)", self.monthly_edit)
        form.addRow("Per conversation ($)", self.conversation_edit)
        form.addRow(self.ask_box)
        form.addRow(QLabel("Months are calendar months in UTC, as the ledger counts them.", self))

    def show_budgets(self, budgets: Any) -> None:
        def text(amount: Decimal | None) -> str:
            return "" if amount is None else format(amount, "f")

        self.monthly_edit.setText(text(budgets.monthly_usd))
        self.conversation_edit.setText(text(budgets.conversation_usd))
        self.ask_box.setChecked(budgets.ask_before_sending)

    def values(self) -> tuple[Decimal | None, Decimal | None, bool]:
        """(monthly, per conversation, ask); ValueError with a sentence for a bad amount."""
        monthly = _amount(self.monthly_edit.text(), "The monthly budget", optional=True)
        per = _amount(self.conversation_edit.text(), "The per-conversation budget", optional=True)
        return monthly or None, per or None, self.ask_box.isChecked()  # zero is no budget


class MoneySettings(QWidget):
    """The Costs page of Settings: budgets, read from and written to the store."""

    def __init__(self, store: Any, jobs: BackgroundJobs, parent: QWidget | None) -> None:
        super().__init__(parent)
        self._store, self._jobs = store, jobs
        self.budgets = BudgetBox(self)
        self.problem_label = QLabel(self)
        self.problem_label.setWordWrap(True)
        self.problem_label.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(self.budgets)
        layout.addWidget(self.problem_label)
        layout.addStretch(1)

    def reload(self) -> None:
        store = self._store

        def work() -> Any:
            from client.budget import load_budgets

            return load_budgets(store)

        self.problem_label.hide()
        self._jobs.run(work, self.budgets.show_budgets, self._on_failed)

    def _on_failed(self, exc: BaseException) -> None:
        self.say(f"Budgets could not be read: {exc}")

    def say(self, sentence: str) -> None:
        self.problem_label.setText(sentence)
        self.problem_label.setVisible(bool(sentence))

    def save(self) -> bool:
        """Write budgets in the background; False (and a sentence) if one is wrong."""
        try:
            monthly, per_conversation, ask = self.budgets.values()
        except ValueError as exc:
            self.say(str(exc))
            return False
        self.say("")
        store = self._store

        def work() -> None:
            from client.budget import Budgets, save_budgets

            save_budgets(store, Budgets(monthly, per_conversation, ask))

        self._jobs.run(work, None, self._on_save_failed)
        return True

    def _on_save_failed(self, exc: BaseException) -> None:
        self.say(f"Budgets could not be saved: {exc}")
