"""The spend view: what this day, week or month cost, by model, provider or conversation.

Its numbers are `usage_report` for the chosen grouping and period (what `thinkpane usage --by …
--since … --json` prints), plus what reasoning cost and how much of it the provider never showed.
The bar chart beside it (spend_chart.py) shows each group's cost and its reasoning share. The
table holds the exact figures and exports them as CSV. Days, weeks (ISO, from
Monday) and months are UTC, as the ledger stores them; the ledger is read off the GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal, Slot
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from client.budget import SpendReport, cost_summary, spend_report, write_spend_csv
from client.core import format as fmt
from client.store.ledger import TIME_GROUPINGS
from client.store.store import Store
from client.ui.jobs import BackgroundJobs, JobHandle
from client.ui.ledger.spend_chart import SpendChart

PERIODS = {"day": "Today", "week": "This week", "month": "This month", "all": "All time"}
GROUPINGS = {
    "model": "Model",
    "provider": "Provider",
    "conversation": "Conversation",
    "comparison": "Comparison",
    "day": "Day",
    "week": "Week",
    "month": "Month",
}
# Table columns after the group's name: (header, ledger field, tooltip).
COLUMNS = (
    ("Queries", "queries", "Every query counts: stopped, failed, regenerated and critic turns too"),
    ("Input", "input_tokens", "Prompt tokens, cached ones included"),
    ("Cached", "cached_input_tokens", "Prompt tokens read from the provider's cache"),
    ("Output", "output_tokens", "Generated tokens, reasoning included"),
    ("Reasoning", "reasoning_tokens", "The part of the output spent on reasoning"),
    ("Cost", "cost", "What the queries cost; — when none has a known price"),
    ("Reasoning cost", "reasoning_cost", "The part of the cost paid for reasoning"),
    ("Hidden reasoning", "hidden_reasoning_cost", "Paid-for reasoning the provider never showed"),
)
_MONEY = {"cost", "reasoning_cost", "hidden_reasoning_cost"}
RAW_ROLE = Qt.ItemDataRole.UserRole + 1  # the ledger's own value: an int, or decimal text


def _cell_text(row: dict[str, Any], name: str) -> str:
    if name not in _MONEY:
        return f"{row[name]:,}"
    if row["queries"] and row["unpriced_queries"] == row["queries"]:
        return "—"  # nothing in this group has a price: not $0
    text = fmt.money(Decimal(row[name]))
    if name == "cost" and row["unpriced_queries"]:
        text += f" (+{row['unpriced_queries']:,} unpriced)"
    return text


class SpendTableModel(QAbstractTableModel):
    """The report's groups, dearest first, then a Total row. RAW_ROLE gives the ledger's value."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._report: SpendReport | None = None
        self._rows: list[dict[str, Any]] = []
        self._bold = QFont()
        self._bold.setBold(True)

    def set_report(self, report: SpendReport) -> None:
        self.beginResetModel()
        self._report = report
        if report.by in TIME_GROUPINGS:  # periods read oldest first
            self._rows = sorted(report.groups, key=lambda g: str(g["key"]))
        else:
            self._rows = sorted(report.groups, key=lambda g: (-Decimal(g["cost"]), str(g["key"])))
        self.endResetModel()

    def _row(self, row: int) -> dict[str, Any]:
        assert self._report is not None
        return self._rows[row] if row < len(self._rows) else self._report.total

    def rowCount(self, parent: Any = QModelIndex()) -> int:  # noqa: N802, B008 - Qt's API
        return 0 if parent.isValid() or not self._rows else len(self._rows) + 1

    def columnCount(self, parent: Any = QModelIndex()) -> int:  # noqa: N802, B008 - Qt's API
        return 0 if parent.isValid() else len(COLUMNS) + 1

    def data(self, index: Any, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or self._report is None:
            return None
        row, column = self._row(index.row()), index.column()
        is_total = index.row() == len(self._rows)
        name = "key" if column == 0 else COLUMNS[column - 1][1]
        if role == RAW_ROLE:
            return "total" if is_total and column == 0 else row[name]
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return "Total" if is_total else self._report.label(row["key"])
            return _cell_text(row, name)
        if role == Qt.ItemDataRole.ToolTipRole and column == 0 and not is_total:
            return str(row["key"])
        if role == Qt.ItemDataRole.TextAlignmentRole and column > 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole and is_total:
            return self._bold
        return None

    def headerData(self, section: int, orientation: Any, role: int = 0) -> Any:  # noqa: N802
        horizontal = orientation == Qt.Orientation.Horizontal
        if horizontal and role == Qt.ItemDataRole.DisplayRole:
            by = self._report.by if self._report else "model"
            return GROUPINGS.get(by, by.title()) if section == 0 else COLUMNS[section - 1][0]
        if horizontal and role == Qt.ItemDataRole.ToolTipRole and section > 0:
            return COLUMNS[section - 1][2]
        return None


class SpendView(QWidget):
    """Period and grouping pickers, the chart, the table, a summary line and CSV export.

    `refresh()` re-reads the ledger (the window calls it when a turn finishes); the view also
    loads when first shown. `jobs` lets the window share its store worker; `today` gives the UTC
    date (tests pin it).

    Under the table, a line names the price data in use (its version and when it was fetched),
    and Prices… asks for the Prices page, where every rate can be seen and corrected.

    Signals:
        sig_spend_loaded(object): the SpendReport now shown.
        sig_prices_requested(): the user asked for the Prices page.
    """

    sig_spend_loaded = Signal(object)
    sig_prices_requested = Signal()

    def __init__(
        self,
        store: Store,
        parent: QWidget | None = None,
        *,
        jobs: BackgroundJobs | None = None,
        today: Callable[[], date] | None = None,
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._jobs = jobs if jobs is not None else BackgroundJobs(1, self)
        self._today = today or (lambda: datetime.now(UTC).date())
        self._pending: JobHandle | None = None
        self.report: SpendReport | None = None
        self.period_box, self.group_box = QComboBox(self), QComboBox(self)
        for box, choices in ((self.period_box, PERIODS), (self.group_box, GROUPINGS)):
            for key, words in choices.items():
                box.addItem(words, key)
        self.period_box.setCurrentIndex(self.period_box.findData("month"))
        self.period_box.setToolTip("Days, weeks (from Monday) and months are counted in UTC.")
        self.period_box.setAccessibleName("Period")  # Qt would read only "This month"
        self.group_box.setAccessibleName("Group by")
        self.export_button = QPushButton("Export CSV…", self)
        self.prices_label = QLabel(self)
        self.prices_label.setWordWrap(True)
        self.prices_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.prices_button = QPushButton("&Prices…", self)
        self.prices_button.setAccessibleName("Prices")
        self.prices_button.setToolTip(
            "Every model's rates, where they come from and since when; correct one and reprice"
        )
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.chart = SpendChart(self)
        self.model = SpendTableModel(self)
        self.table = QTableView(self)
        self.table.setAccessibleName("Spend table")
        self.table.setTabKeyNavigation(False)  # arrows move in it; Tab leaves it, not a trap
        self.table.setModel(self.model)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)  # long titles are elided, rows stay one line high
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(self.fontMetrics().horizontalAdvance("$0.0000") + 16)
        self._build_layout()
        self._connect_signals()

    def _build_layout(self) -> None:
        period_label, group_label = QLabel("&Period", self), QLabel("&Group by", self)
        period_label.setBuddy(self.period_box)
        group_label.setBuddy(self.group_box)
        controls = QHBoxLayout()
        for widget in (period_label, self.period_box, group_label, self.group_box):
            controls.addWidget(widget)
        controls.addStretch(1)
        controls.addWidget(self.export_button)
        self.splitter = splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.chart)
        splitter.addWidget(self.table)
        splitter.setChildrenCollapsible(False)
        splitter.setStretchFactor(1, 1)  # the chart keeps its height; the table takes the rest
        prices = QHBoxLayout()
        prices.addWidget(self.prices_label, 1)
        prices.addWidget(self.prices_button)
        layout = QVBoxLayout(self)
        layout.addLayout(controls)
        layout.addWidget(self.summary)
        layout.addWidget(splitter, 1)
        layout.addLayout(prices)
        # Tab as the eye reads: the table, then the prices line under it (made before it).
        QWidget.setTabOrder(self.export_button, self.table)
        QWidget.setTabOrder(self.table, self.prices_button)

    def _connect_signals(self) -> None:
        self.period_box.currentIndexChanged.connect(self._on_period_box_changed)
        self.group_box.currentIndexChanged.connect(self._on_group_box_changed)
        self.export_button.clicked.connect(self._on_export_button_clicked)
        self.prices_button.clicked.connect(self.sig_prices_requested)

    @property
    def period(self) -> str:
        return str(self.period_box.currentData())

    @property
    def grouping(self) -> str:
        return str(self.group_box.currentData())

    def showEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if self.report is None and self._pending is None:
            self.refresh()

    @Slot()
    def refresh(self) -> None:
        """Re-read the ledger for the chosen period and grouping, off the GUI thread."""
        if self._pending is not None:
            self._pending.cancel()  # a late answer to an old question must not land
        store, period, by, today = self._store, self.period, self.grouping, self._today()
        self._pending = self._jobs.run(
            lambda: spend_report(store, period, by, today), self._on_job_loaded, self._on_job_failed
        )

    def _on_job_loaded(self, report: SpendReport) -> None:
        self._pending = None
        self.report = report
        self.model.set_report(report)
        self.chart.set_report(report)
        chart_h, sizes = self.chart.sizeHint().height(), self.splitter.sizes()
        if sizes[0] < chart_h:  # every bar visible; a taller chart the user chose is kept
            self.splitter.setSizes([chart_h, max(sum(sizes) - chart_h, 1)])
        when = f" (from {report.since.isoformat()}, UTC)" if report.since else ""
        self.summary.setText(f"{PERIODS[report.period]}{when}: {cost_summary(report.total)}")
        if report.prices:
            from client.prices import data_sentence  # loaded by the worker with the report

            self.prices_label.setText(data_sentence(report.prices))
        self.sig_spend_loaded.emit(report)

    def _on_job_failed(self, exc: BaseException) -> None:
        self._pending = None
        self.summary.setText(f"Could not read the ledger: {exc}")

    @Slot(int)
    def _on_period_box_changed(self, _index: int) -> None:
        self.refresh()

    @Slot(int)
    def _on_group_box_changed(self, _index: int) -> None:
        self.refresh()

    def export_csv(self, path: str | Path) -> int:
        """Write the figures shown as CSV (see write_spend_csv); returns how many groups."""
        report = self.report or spend_report(self._store, self.period, self.grouping, self._today())
        with open(path, "w", newline="", encoding="utf-8") as out:
            return write_spend_csv(report, out)

    @Slot()
    def _on_export_button_clicked(self) -> None:
        suggested = str(Path.home() / f"thinkpane-spend-{self.period}-by-{self.grouping}.csv")
        path, _ = QFileDialog.getSaveFileName(
            self, "Export spending as CSV", suggested, "CSV files (*.csv)"
        )
        if not path:
            return
        try:
            count = self.export_csv(path)
        except OSError as exc:
            self.summary.setText(f"Could not save {path}: {exc.strerror or exc}.")
            return
        self.summary.setText(
            f"Saved {count:,} {'row' if count == 1 else 'rows'} and the total to {path}."
        )
