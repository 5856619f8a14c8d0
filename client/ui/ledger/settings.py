"""Settings for money: budgets, the user's own prices, and newer price data (issue #5).

Budgets are a monthly and a per-conversation limit in US dollars (empty: none) and whether to
ask before a turn that would cross one; they are client.budget's settings in the store. The
price table holds the user's prices per million tokens for a provider and model; a price set
here wins over the price data and over a local model's zero (ARCHITECTURE.md, Money and
tokens). "Refresh prices" fetches newer price data on a network worker and says what happened
and which data is in use. Nothing here touches the store or the network on the GUI thread, and
client.budget and client.pricing (genai-prices) are imported on the workers.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from client.core.prices import PriceOverride
from client.providers.registry import PROFILES
from client.ui.jobs import BackgroundJobs

HEADERS = ("Provider", "Model", "Input", "Output", "Cache read", "Cache write")
PRICES_NOTE = (
    "Your own prices, in $ per million tokens, win over the price data. Local models cost $0 "
    "unless you set a price here. A cache rate left empty is charged at the input rate."
)


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


class PriceBox(QGroupBox):
    """The user's prices (add, remove), and Refresh prices with the data version in use.

    `price_data_url` is where Refresh fetches from (None: genai-prices' own address).
    """

    def __init__(self, net_jobs: BackgroundJobs, parent: QWidget | None = None) -> None:
        super().__init__("Prices", parent)
        self._net_jobs = net_jobs
        self.price_data_url: str | None = None
        self.refreshing = False
        self.table = QTableWidget(0, len(HEADERS), self)
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.setMinimumHeight(self.fontMetrics().lineSpacing() * 7)
        self.add_button = QPushButton("Add", self)
        self.remove_button = QPushButton("Remove", self)
        self.refresh_button = QPushButton("Refresh prices", self)
        self.refresh_button.setToolTip(
            "Fetch the newest price data (turns already priced keep theirs)"
        )
        self.version_label = QLabel(self)
        self.refresh_label = QLabel(self)
        self.refresh_label.setWordWrap(True)
        note = QLabel(PRICES_NOTE, self)
        note.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        buttons.addWidget(self.version_label)
        buttons.addWidget(self.refresh_button)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        layout.addWidget(self.refresh_label)
        self._connect_signals()

    def _connect_signals(self) -> None:
        self.add_button.clicked.connect(self._on_add_button_clicked)
        self.remove_button.clicked.connect(self._on_remove_button_clicked)
        self.refresh_button.clicked.connect(self.refresh_prices)

    # The table

    def show_overrides(self, overrides: dict[tuple[str, str], PriceOverride]) -> None:
        self.table.setRowCount(0)
        for (provider, model), price in overrides.items():
            self.add_row(provider, model, price)

    def add_row(self, provider: str = "openai", model: str = "", price: Any = None) -> int:
        row = self.table.rowCount()
        self.table.insertRow(row)
        box = QComboBox(self.table)
        for profile in PROFILES.values():
            box.addItem(profile.label, profile.name)
        box.setCurrentIndex(max(0, box.findData(provider)))
        self.table.setCellWidget(row, 0, box)
        rates = (
            (price.input_mtok, price.output_mtok, price.cache_read_mtok, price.cache_write_mtok)
            if price is not None
            else (None, None, None, None)
        )
        texts = [model, *("" if r is None else format(r, "f") for r in rates)]
        for column, text in enumerate(texts, start=1):
            self.table.setItem(row, column, QTableWidgetItem(text))
        return row

    def _text(self, row: int, column: int) -> str:
        item = self.table.item(row, column)
        return item.text().strip() if item is not None else ""

    def rows(self) -> dict[tuple[str, str], PriceOverride]:
        """The prices in the table; ValueError with a sentence for the first bad cell."""
        prices: dict[tuple[str, str], PriceOverride] = {}
        for row in range(self.table.rowCount()):
            provider = self.table.cellWidget(row, 0).currentData()
            model = self._text(row, 1)
            if not model:
                raise ValueError(f"Price row {row + 1} needs a model id.")
            where = f"{model}'s"
            rates = [
                _amount(self._text(row, c), f"{where} {HEADERS[c].lower()} price", optional=c > 3)
                for c in range(2, 6)
            ]
            if (provider, model) in prices:
                raise ValueError(f"{model} ({provider}) has two prices; remove one.")
            prices[(provider, model)] = PriceOverride(*rates)  # type: ignore[arg-type]
        return prices

    @Slot()
    def _on_add_button_clicked(self) -> None:
        row = self.add_row()
        self.table.setCurrentCell(row, 1)
        self.table.editItem(self.table.item(row, 1))

    @Slot()
    def _on_remove_button_clicked(self) -> None:
        rows = sorted({index.row() for index in self.table.selectedIndexes()}, reverse=True)
        if not rows and self.table.currentRow() >= 0:
            rows = [self.table.currentRow()]
        for row in rows:
            self.table.removeRow(row)

    # Newer price data

    def show_data_version(self, version: str) -> None:
        self.version_label.setText(f"Price data {version}")

    @Slot()
    def refresh_prices(self) -> None:
        """Fetch newer price data on a network worker; the sentence says what happened."""
        url = self.price_data_url

        def work() -> Any:
            from client.pricing import refresh_prices

            return refresh_prices(10.0) if url is None else refresh_prices(10.0, url=url)

        self.refreshing = True
        self.refresh_button.setEnabled(False)
        self.refresh_label.setText("Fetching the newest price data…")
        self._net_jobs.run(work, self._on_refresh_done, self._on_refresh_failed)

    def _on_refresh_done(self, result: Any) -> None:
        self.refreshing = False
        self.refresh_button.setEnabled(True)
        self.refresh_label.setText(result.message)
        self.show_data_version(result.data_version)

    def _on_refresh_failed(self, exc: BaseException) -> None:
        self.refreshing = False
        self.refresh_button.setEnabled(True)
        self.refresh_label.setText(f"The prices could not be refreshed: {exc}")


class MoneySettings(QWidget):
    """The Costs page of Settings: budgets and prices, read from and written to the store."""

    def __init__(
        self, store: Any, jobs: BackgroundJobs, net_jobs: BackgroundJobs, parent: QWidget | None
    ) -> None:
        super().__init__(parent)
        self._store, self._jobs = store, jobs
        self._loaded: set[tuple[str, str]] = set()
        self.budgets = BudgetBox(self)
        self.prices = PriceBox(net_jobs, self)
        self.problem_label = QLabel(self)
        self.problem_label.setWordWrap(True)
        self.problem_label.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(self.budgets)
        layout.addWidget(self.prices, 1)
        layout.addWidget(self.problem_label)

    def reload(self) -> None:
        store = self._store

        def work() -> tuple[Any, dict[tuple[str, str], PriceOverride], str]:
            from client.budget import load_budgets
            from client.pricing import data_version

            return load_budgets(store), store.price_overrides(), data_version()

        self.problem_label.hide()
        self._jobs.run(work, self._on_loaded, self._on_failed)

    def _on_loaded(self, loaded: tuple[Any, dict[tuple[str, str], PriceOverride], str]) -> None:
        budgets, overrides, version = loaded
        self.budgets.show_budgets(budgets)
        self.prices.show_overrides(overrides)
        self.prices.show_data_version(version)
        self._loaded = set(overrides)

    def _on_failed(self, exc: BaseException) -> None:
        self.say(f"Budgets and prices could not be read: {exc}")

    def say(self, sentence: str) -> None:
        self.problem_label.setText(sentence)
        self.problem_label.setVisible(bool(sentence))

    def save(self) -> bool:
        """Write budgets and prices in the background; False (and a sentence) if one is wrong."""
        try:
            monthly, per_conversation, ask = self.budgets.values()
            prices = self.prices.rows()
        except ValueError as exc:
            self.say(str(exc))
            return False
        self.say("")
        store, removed = self._store, self._loaded - set(prices)
        self._loaded = set(prices)

        def work() -> None:
            from client.budget import Budgets, save_budgets

            save_budgets(store, Budgets(monthly, per_conversation, ask))
            for provider, model in removed:
                store.delete_price_override(provider, model)
            for (provider, model), price in prices.items():
                store.set_price_override(provider, model, price)

        self._jobs.run(work, None, self._on_save_failed)
        return True

    def _on_save_failed(self, exc: BaseException) -> None:
        self.say(f"Budgets and prices could not be saved: {exc}")
