"""The Prices page: every model's rates, where they come from and since when, your own price,
newer price data, and repricing stored turns when a rate was wrong.

It shows `client.prices.price_table` (what `thinkpane prices` prints): a row per model in the
ledger, dearest first, with its rates per million tokens, their source (your price, the price
data, the provider's own charge, local), since when and under what condition they apply, and how
many queries used them. Selecting a row fills "Your price" with its rates; "Use my price" saves
it in the store's price table (the one place your prices live) and the next turn is priced with
it. "Refresh price data" fetches newer data and keeps it in the data folder for later runs.
"Preview" shows what repricing a model over a period would change (before and after totals);
"Reprice" then does it, keeping every turn's previous amount. Settings has this page as its
Prices tab, and the spend view opens it in a window of its own.

Store reads and writes run on the store worker, the refresh on the network worker; client.prices
(genai-prices) is imported there too, never on the GUI thread.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDate, QSize, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
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

from client.core.cost import CostSource
from client.providers.registry import PROFILES
from client.ui.fit import fit_to_screen
from client.ui.jobs import BackgroundJobs

HEADERS = (
    "Model",
    "Provider",
    "Input",
    "Cached",
    "Cache write",
    "Output",
    "Source",
    "Since",
    "Conditions",
    "Queries",
    "Spend",
)
HEADER_TIPS = {
    2: "Dollars per million prompt tokens",
    3: "Dollars per million prompt tokens read from the provider's cache (— : the input rate)",
    4: "Dollars per million prompt tokens written to the cache (— : the input rate)",
    5: "Dollars per million generated tokens, reasoning included",
    6: "Where the rates come from: your price, the price data, the provider's own charge, local",
    7: "The day these rates took effect, where the price data or your price says",
    8: "When these rates apply: time of day (UTC) or a long-context tier",
    9: "Queries priced at exactly these rates, of all this model's queries",
    10: "What this model's queries cost in the ledger",
}
ALL_MODELS = "All models"
PAGE_NOTE = (
    "Rates in US dollars per million tokens. A rate shown as — is charged at the input rate. "
    "Your price wins over the price data (and over a local model's zero) from the next turn on; "
    "turns already stored keep their price until you reprice them."
)

if TYPE_CHECKING:
    from client.store.store import Store


def _selection_sentence(entry: Any) -> str:
    """What the selected model is priced with, since when, and what to do to correct it."""
    if entry.source is CostSource.UNKNOWN:
        return f"Nobody knows a price for {entry.model}: type yours and Use my price."
    if entry.source is CostSource.LOCAL:
        return f"{entry.model} runs on this computer and costs $0, unless you type a price."
    where = "your price" if entry.source is CostSource.OVERRIDE else entry.data
    since = (f"since {entry.since}" if entry.since
             else "the price data does not say since when")  # fmt: skip
    when = f" ({entry.conditions})" if entry.conditions else ""
    if entry.source is CostSource.PROVIDER:
        return (f"The provider reports what each {entry.model} query costs; the rates here "
                "(and yours, if you set them) only split that charge into input and output.")  # fmt: skip
    return (f"{entry.model} is priced with {where}{when}, {since}. If the rates are wrong, type "
            "the right ones and Use my price.")  # fmt: skip


def _last_month_start(today: date) -> date:
    first = today.replace(day=1)
    return (first.replace(year=first.year - 1, month=12) if first.month == 1
            else first.replace(month=first.month - 1))  # fmt: skip


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


class PricesPage(QWidget):
    """The table of prices, your price, refresh, and reprice (see the module docstring).

    `price_data_url` is where Refresh fetches from (None: genai-prices' own address); `today`
    gives the UTC date (tests pin it).

    Signals:
        sig_prices_loaded(object): the PriceTable now shown.
        sig_ledger_changed(): a price was set or removed, the data refreshed, or turns repriced:
            the cost line, the estimate, budgets and the spend view should read the ledger again.
    """

    sig_prices_loaded = Signal(object)
    sig_ledger_changed = Signal()

    def __init__(
        self,
        store: Store,
        jobs: BackgroundJobs,
        net_jobs: BackgroundJobs,
        parent: QWidget | None = None,
        *,
        today: Any = None,
    ) -> None:
        super().__init__(parent)
        self._store, self._jobs, self._net_jobs = store, jobs, net_jobs
        self._today = today or (lambda: datetime.now(UTC).date())
        self.price_data_url: str | None = None
        self.table_data: Any = None
        self.refreshing = self.busy = False
        self._previewed: tuple[Any, ...] | None = None
        self._quiet = False
        self._build()
        self._connect_signals()

    # -- building -------------------------------------------------------------------------------

    def _build(self) -> None:
        self.data_label = QLabel("Reading the prices…", self)
        self.data_label.setWordWrap(True)
        self.data_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.refresh_button = QPushButton("&Refresh price data", self)
        self.refresh_button.setToolTip(
            "Fetch the newest price data and keep it for later runs (stored turns keep theirs)"
        )
        self.refresh_button.setAccessibleName("Refresh price data")
        self.refresh_label = QLabel(self)
        self.refresh_label.setWordWrap(True)
        self.refresh_label.hide()
        note = QLabel(PAGE_NOTE, self)
        note.setWordWrap(True)
        note.setForegroundRole(note.foregroundRole())

        self.table = QTableWidget(0, len(HEADERS), self)
        self.table.setAccessibleName("Prices of every model in the ledger")
        self.table.setTabKeyNavigation(False)  # arrows move in it; Tab leaves it, not a trap
        self.table.setHorizontalHeaderLabels(HEADERS)
        for column, tip in HEADER_TIPS.items():
            item = self.table.horizontalHeaderItem(column)
            if item is not None:
                item.setToolTip(tip)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(8, QHeaderView.ResizeMode.Stretch)
        self.table.setMinimumHeight(self.fontMetrics().lineSpacing() * 8)

        yours = QGroupBox("Your price", self)
        self.provider_box = QComboBox(yours)
        self.provider_box.setAccessibleName("Provider of your price")
        for profile in PROFILES.values():
            self.provider_box.addItem(profile.label, profile.name)
        self.model_edit = QLineEdit(yours)
        self.model_edit.setPlaceholderText("Model id, as in the table")
        self.model_edit.setAccessibleName("Model of your price")
        self.rate_edits: dict[str, QLineEdit] = {}
        grid = QGridLayout(yours)
        provider_label, model_label = QLabel("&Provider", yours), QLabel("&Model", yours)
        provider_label.setBuddy(self.provider_box)
        model_label.setBuddy(self.model_edit)
        grid.addWidget(provider_label, 0, 0)
        grid.addWidget(self.provider_box, 0, 1)
        grid.addWidget(model_label, 0, 2)
        grid.addWidget(self.model_edit, 0, 3, 1, 5)
        words = (("input", "&Input"), ("cached", "Ca&ched"), ("cache_write", "Cache &write"),
                 ("output", "&Output"))  # fmt: skip
        for i, (name, label_text) in enumerate(words):
            edit = QLineEdit(yours)
            edit.setPlaceholderText("the input rate" if name in ("cached", "cache_write") else "")
            edit.setAccessibleName(f"Your {label_text.replace('&', '').lower()} price")
            edit.setToolTip("Dollars per million tokens, like 0.28")
            label = QLabel(label_text, yours)
            label.setBuddy(edit)
            grid.addWidget(label, 1, 2 * i)
            grid.addWidget(edit, 1, 2 * i + 1)
            self.rate_edits[name] = edit
        self.set_button = QPushButton("&Use my price", yours)
        self.set_button.setAccessibleName("Use my price")
        self.set_button.setToolTip("Save these rates; the next turn of this model is priced so")
        self.unset_button = QPushButton("Remo&ve my price", yours)
        self.unset_button.setAccessibleName("Remove my price")
        self.unset_button.setEnabled(False)  # until a model with your price is selected
        self.your_label = QLabel("Select a model in the table, or type one, then its rates.", yours)
        self.your_label.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.your_label, 1)
        row.addWidget(self.unset_button)
        row.addWidget(self.set_button)
        grid.addLayout(row, 2, 0, 1, 8)

        again = QGroupBox("Reprice stored turns with today's rates", self)
        self.reprice_model_box = QComboBox(again)
        self.reprice_model_box.setAccessibleName("Model to reprice")
        self.reprice_model_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.reprice_model_box.addItem(ALL_MODELS, None)
        today = self._today()
        self.since_edit = QDateEdit(_qdate(_last_month_start(today)), again)
        self.until_edit = QDateEdit(_qdate(today), again)
        for day_edit, name in ((self.since_edit, "First day to reprice"),
                               (self.until_edit, "Last day to reprice")):  # fmt: skip
            day_edit.setCalendarPopup(True)
            day_edit.setDisplayFormat("yyyy-MM-dd")
            day_edit.setAccessibleName(name)
            day_edit.setToolTip("UTC days, both included")
        self.preview_button = QPushButton("Pre&view", again)
        self.preview_button.setAccessibleName("Preview the reprice")
        self.preview_button.setToolTip("Show the totals before and after; nothing changes")
        self.reprice_button = QPushButton("Re&price", again)
        self.reprice_button.setAccessibleName("Reprice")
        self.reprice_button.setToolTip(
            "Recompute these turns' costs; each keeps its previous amount. Charges the provider "
            "reported stay as reported."
        )
        self.reprice_button.setEnabled(False)
        for button in (self.refresh_button, self.set_button, self.unset_button,
                       self.preview_button, self.reprice_button):  # fmt: skip
            # None is pressed by Enter: a dialog would make the first of them (Refresh price
            # data, a network fetch) its default, and Enter in any field would press it.
            button.setAutoDefault(False)
        self.reprice_label = QLabel("Preview first: it shows what would change.", again)
        self.reprice_label.setWordWrap(True)
        scope = QHBoxLayout()
        for text, widget in (("Mo&del", self.reprice_model_box), ("&From", self.since_edit),
                             ("&To", self.until_edit)):  # fmt: skip
            label = QLabel(text, again)
            label.setBuddy(widget)
            scope.addWidget(label)
            scope.addWidget(widget)
        scope.addStretch(1)
        scope.addWidget(self.preview_button)
        scope.addWidget(self.reprice_button)
        again_layout = QVBoxLayout(again)
        again_layout.addLayout(scope)
        again_layout.addWidget(self.reprice_label)

        top = QHBoxLayout()
        top.addWidget(self.data_label, 1)
        top.addWidget(self.refresh_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.refresh_label)
        layout.addWidget(note)
        layout.addWidget(self.table, 1)
        layout.addWidget(yours)
        layout.addWidget(again)

    def _connect_signals(self) -> None:
        self.refresh_button.clicked.connect(self.refresh_prices)
        self.table.itemSelectionChanged.connect(self._on_table_selection_changed)
        self.set_button.clicked.connect(self.use_my_price)
        for edit in (self.model_edit, *self.rate_edits.values()):
            edit.returnPressed.connect(self.use_my_price)  # Enter in a field: Use my price
        self.unset_button.clicked.connect(self.remove_my_price)
        self.preview_button.clicked.connect(self.preview)
        self.reprice_button.clicked.connect(self.reprice)
        self.reprice_model_box.currentIndexChanged.connect(self._on_scope_changed)
        self.since_edit.dateChanged.connect(self._on_scope_changed)
        self.until_edit.dateChanged.connect(self._on_scope_changed)

    # -- the table ------------------------------------------------------------------------------

    def reload(self) -> None:
        """Read the prices again (off the GUI thread)."""
        store = self._store

        def work() -> Any:
            from client.prices import price_table

            return price_table(store)

        self._jobs.run(work, self._on_loaded, self._on_failed)

    def showEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if self.table_data is None:
            self.reload()

    def _on_loaded(self, table: Any) -> None:
        from client.prices import data_sentence  # loaded by the worker already

        self.table_data = table
        self.data_label.setText(data_sentence(table.data))
        selected = self.selected_key()
        self.table.setRowCount(0)
        for model in table.models:
            self._add_row(model)
        chosen = self.reprice_model_box.currentData()
        self.reprice_model_box.blockSignals(True)
        self.reprice_model_box.clear()
        self.reprice_model_box.addItem(ALL_MODELS, None)
        for model in sorted({m.model for m in table.models if m.turns}):
            self.reprice_model_box.addItem(model, model)
        self.reprice_model_box.setCurrentIndex(max(0, self.reprice_model_box.findData(chosen)))
        self.reprice_model_box.blockSignals(False)
        if selected is not None:
            self._quiet = True  # the same row again: keep the sentence that is shown
            self.select(*selected)
            self._quiet = False
        self.sig_prices_loaded.emit(table)

    def _on_failed(self, exc: BaseException) -> None:
        self.data_label.setText(f"The prices could not be read: {exc}")

    def _add_row(self, m: Any) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        profile = PROFILES.get(m.provider)
        texts = list(m.cells(profile.label if profile else None))
        texts[6] = texts[6][:1].upper() + texts[6][1:]  # "Your price", "Price data"
        for column, text in enumerate(texts):
            item = QTableWidgetItem(text)
            if 2 <= column <= 5 or column >= 9:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if column == 6 and m.data:
                item.setToolTip(f"From {m.data}")
            if column == 8 and m.conditions:
                item.setToolTip(m.conditions)
            item.setData(Qt.ItemDataRole.UserRole, (m.provider, m.model))
            self.table.setItem(row, column, item)

    def row_of(self, model: str, provider: str | None = None) -> int:
        """The table row of a model (-1 when it is not shown)."""
        for row in range(self.table.rowCount()):
            item = self.table.item(row, 0)
            key = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
            if key and key[1] == model and provider in (None, key[0]):
                return row
        return -1

    def cell(self, model: str, header: str) -> str:
        """The text shown for `model` under `header` ("" when the model is not shown)."""
        row = self.row_of(model)
        item = self.table.item(row, HEADERS.index(header)) if row >= 0 else None
        return item.text() if item is not None else ""

    def selected_key(self) -> tuple[str, str] | None:
        items = self.table.selectedItems()
        return items[0].data(Qt.ItemDataRole.UserRole) if items else None

    def select(self, provider: str, model: str) -> None:
        row = self.row_of(model, provider)
        if row >= 0:
            self.table.selectRow(row)

    @Slot()
    def _on_table_selection_changed(self) -> None:
        key = self.selected_key()
        if key is None or self.table_data is None:
            return
        entry = next(m for m in self.table_data.models if (m.provider, m.model) == key)
        self.provider_box.setCurrentIndex(max(0, self.provider_box.findData(entry.provider)))
        self.model_edit.setText(entry.model)
        rates = (entry.input_mtok, entry.cached_input_mtok, entry.cache_write_mtok,
                 entry.output_mtok)  # fmt: skip
        for edit, value in zip(self.rate_edits.values(), rates, strict=True):
            edit.setText(value or "")
        self.unset_button.setEnabled(entry.your_price is not None)
        if not self._quiet:
            self.your_label.setText(_selection_sentence(entry))
        index = self.reprice_model_box.findData(entry.model)
        if index >= 0:
            self.reprice_model_box.setCurrentIndex(index)

    # -- your price -----------------------------------------------------------------------------

    @Slot()
    def use_my_price(self) -> None:
        """Validate the typed rates and save them as your price (a sentence when one is wrong)."""
        from client.prices import parse_rates  # pure; client.prices loaded by the table job

        model = self.model_edit.text().strip()
        provider = self.provider_box.currentData()
        if not model:
            self.your_label.setText("Type the model id your price is for (select it in the table).")
            return
        typed = {name: edit.text() for name, edit in self.rate_edits.items()}
        try:
            price = parse_rates(model, typed)
        except ValueError as exc:
            self.your_label.setText(str(exc))
            return
        store = self._store

        def work() -> None:
            from client.prices import set_your_price

            set_your_price(store, model, price, provider)

        def done(_: Any) -> None:
            self.unset_button.setEnabled(True)
            self.your_label.setText(
                f"Your price for {model} is used from the next turn on. Reprice to correct the "
                "turns already stored."
            )
            index = self.reprice_model_box.findData(model)
            if index >= 0:
                self.reprice_model_box.setCurrentIndex(index)
            self.reload()
            self.sig_ledger_changed.emit()

        self._jobs.run(work, done, self._on_write_failed)

    @Slot()
    def remove_my_price(self) -> None:
        model, provider = self.model_edit.text().strip(), self.provider_box.currentData()
        store = self._store

        def work() -> list[str]:
            from client.prices import remove_your_price

            return remove_your_price(store, model, provider)

        def done(removed: list[str]) -> None:
            self.your_label.setText(
                f"Your price for {model} is forgotten; the price data applies again."
                if removed
                else f"There is no price of yours for {model} to forget."
            )
            self.reload()
            self.sig_ledger_changed.emit()

        self._jobs.run(work, done, self._on_write_failed)

    def _on_write_failed(self, exc: BaseException) -> None:
        self.your_label.setText(f"Your price could not be saved: {exc}")

    # -- newer price data -----------------------------------------------------------------------

    @Slot()
    def refresh_prices(self) -> None:
        """Fetch newer price data on a network worker and keep it; the sentence says what
        happened, and a failed fetch changes nothing."""
        url, folder = self.price_data_url, self._store.path.parent

        def work() -> Any:
            from client.pricing import refresh_prices, use_saved_prices
            from client.pricing.refresh import DEFAULT_UPDATE_URL

            use_saved_prices(folder)
            return refresh_prices(10.0, url=url or DEFAULT_UPDATE_URL, folder=folder)

        self.refreshing = True
        self.refresh_button.setEnabled(False)
        self.refresh_label.setText("Fetching the newest price data…")
        self.refresh_label.show()
        self._net_jobs.run(work, self._on_refreshed, self._on_refresh_failed)

    def _on_refreshed(self, result: Any) -> None:
        self.refreshing = False
        self.refresh_button.setEnabled(True)
        self.refresh_label.setText(result.message)
        if result.updated:
            self.refresh_label.setText(
                f"{result.message} Turns already stored keep their price: Reprice corrects them."
            )
            self.reload()
            self.sig_ledger_changed.emit()

    def _on_refresh_failed(self, exc: BaseException) -> None:
        self.refreshing = False
        self.refresh_button.setEnabled(True)
        self.refresh_label.setText(f"The prices could not be refreshed: {exc}")

    # -- repricing ------------------------------------------------------------------------------

    def scope(self) -> tuple[str | None, date, date]:
        return (self.reprice_model_box.currentData(), _pydate(self.since_edit.date()),
                _pydate(self.until_edit.date()))  # fmt: skip

    @Slot()
    def _on_scope_changed(self, *_: Any) -> None:
        if self._previewed is not None:
            self._previewed = None
            self.reprice_button.setEnabled(False)
            self.reprice_label.setText("Preview first: it shows what would change.")

    @Slot()
    def preview(self) -> None:
        """A dry run: the totals before and after for the model and period chosen."""
        self._run_reprice(dry_run=True)

    @Slot()
    def reprice(self) -> None:
        """Reprice the model and period previewed; every turn keeps its previous amount."""
        if self._previewed != self.scope():
            self.preview()
            return
        self._run_reprice(dry_run=False)

    def _run_reprice(self, dry_run: bool) -> None:
        model, since, until = scope = self.scope()
        store = self._store

        def work() -> Any:
            from client.prices import reprice

            return reprice(store, model=model, since=since, until=until, dry_run=dry_run)

        def done(summary: Any) -> None:
            self.busy = False
            self.preview_button.setEnabled(True)
            what = model or "every model"
            self.reprice_label.setText(f"{what}, {since} to {until}: {summary.sentence()}")
            if dry_run:
                self._previewed = scope
                self.reprice_button.setEnabled(summary.changed > 0)
            else:
                self._previewed = None
                self.reprice_button.setEnabled(False)
                self.reload()
                self.sig_ledger_changed.emit()

        def failed(exc: BaseException) -> None:
            self.busy = False
            self.preview_button.setEnabled(True)
            self.reprice_label.setText(f"The turns could not be repriced: {exc}")

        self.busy = True
        self.preview_button.setEnabled(False)
        self.reprice_button.setEnabled(False)
        self.reprice_label.setText("Working out the new costs…")
        self._jobs.run(work, done, failed)


class PricesDialog(QDialog):
    """The Prices page in a window of its own, opened from the spend view; kept and reopened."""

    def __init__(
        self, store: Store, jobs: BackgroundJobs, net_jobs: BackgroundJobs, parent: QWidget | None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Prices")
        self.page = PricesPage(store, jobs, net_jobs, self)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setAutoDefault(False)  # Enter in a rate field uses the price; it does not close
        close.setDefault(False)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.page, 1)
        layout.addWidget(buttons)
        fit_to_screen(self, QSize(1100, 720))
