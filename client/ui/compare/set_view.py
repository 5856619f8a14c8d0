"""A prompt set in the window: its progress ("prompt 4 of 20"), Stop, and one summary.

While the set runs, a line says which prompt is running and a bar counts the runs; Stop (or Esc)
stops the prompt running and starts no more: every run that finished is kept (stored turns),
and running the same set again resumes it. The summary follows each finished prompt: per column
how often it gave the majority answer, its total cost, mean reasoning tokens and median time;
the verdict, the cheapest setting that still gets the majority answer, with its figures; a chart
of cost against agreement (its text alternative is the table and its description). The summary
exports as CSV and Markdown (client.compare.set_export).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from client.compare.prompt_set import SetSummary
from client.core import format as fmt
from client.ui.compare.set_chart import CostAgreementChart
from client.ui.fit import fit_to_screen

HEADERS = (
    "Setting",
    "Majority answer on",
    "Runs giving it",
    "Total cost",
    "Mean reasoning",
    "Median time",
)


def _short(text: str, limit: int = 90) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


class PromptSetWindow(QDialog):
    """Signals: sig_stop(): the user asked to stop (Stop, Esc while running)."""

    sig_stop = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Prompt set")
        self.setAccessibleName("Prompt set")
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        self.running = False
        self.summary: SetSummary | None = None
        self.heading = QLabel(self)
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        self.heading.setAccessibleName("Prompt set settings")
        self.progress_label = QLabel(self)
        self.progress_label.setTextFormat(Qt.TextFormat.PlainText)
        self.progress_label.setAccessibleName("Prompt set progress")
        self.progress_label.setWordWrap(True)
        self.progress_bar = QProgressBar(self)
        self.progress_bar.setAccessibleName("Runs done")
        self.progress_bar.setFormat("%v of %m runs")
        self.stop_button = QPushButton("Stop", self)
        self.stop_button.setAccessibleName("Stop the prompt set")
        self.stop_button.setToolTip(
            "Stop now and start no more prompts; finished runs are kept (Esc)"
        )
        self.stop_button.clicked.connect(self.sig_stop)
        self.verdict_label = QLabel(self)
        self.verdict_label.setTextFormat(Qt.TextFormat.PlainText)
        self.verdict_label.setWordWrap(True)
        self.verdict_label.setAccessibleName("Verdict")
        self.verdict_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.verdict_label.font()
        font.setBold(True)
        self.verdict_label.setFont(font)
        self.table = QTableWidget(0, len(HEADERS), self)
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.setAccessibleName("Prompt set summary by setting")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        header = self.table.horizontalHeader()
        for i in range(len(HEADERS)):
            header.setSectionResizeMode(i, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.prompts_table = QTableWidget(0, 3, self)
        self.prompts_table.setAccessibleName("Each prompt's answers by setting")
        self.prompts_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.prompts_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.prompts_table.setWordWrap(False)
        self.prompts_table.verticalHeader().hide()
        row_height = self.fontMetrics().height() + 8
        self.prompts_table.verticalHeader().setDefaultSectionSize(row_height)
        self.table.verticalHeader().setDefaultSectionSize(row_height)
        self.chart = CostAgreementChart(self)
        self.csv_button = QPushButton("Export CSV…", self)
        self.csv_button.setAccessibleName("Export the summary as CSV")
        self.markdown_button = QPushButton("Export Markdown…", self)
        self.markdown_button.setAccessibleName("Export the summary as Markdown")
        self.saved_label = QLabel(self)
        self.saved_label.setTextFormat(Qt.TextFormat.PlainText)
        self.saved_label.setAccessibleName("Export result")
        for button in (self.csv_button, self.markdown_button):
            button.setEnabled(False)
        self.csv_button.clicked.connect(lambda: self._ask_export("csv"))
        self.markdown_button.clicked.connect(lambda: self._ask_export("markdown"))
        top = QHBoxLayout()
        top.addWidget(self.progress_label, 1)
        top.addWidget(self.stop_button)
        tables = QWidget(self)
        column = QVBoxLayout(tables)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.table)
        column.addWidget(self.prompts_table, 1)
        self.splitter = splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(tables)
        splitter.addWidget(self.chart)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        exports = QHBoxLayout()
        exports.addWidget(self.csv_button)
        exports.addWidget(self.markdown_button)
        exports.addWidget(self.saved_label, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(top)
        layout.addWidget(self.progress_bar)
        layout.addWidget(self.verdict_label)
        layout.addWidget(splitter, 1)
        layout.addLayout(exports)
        fit_to_screen(self, QSize(1100, 620))

    def begin(self, prompts: int, labels: list[str], samples: int) -> None:
        columns = f"{len(labels)} setting{'s' if len(labels) != 1 else ''}"
        self.heading.setText(
            f"{prompts} prompts × {columns} ({', '.join(labels)}) × {samples} "
            f"sample{'s' if samples != 1 else ''}"
        )
        self.progress_bar.setRange(0, prompts * len(labels) * samples)
        self.progress_bar.setValue(0)
        self.splitter.setSizes([3 * self.width() // 5, 2 * self.width() // 5])
        self.verdict_label.setText("The verdict comes when the first prompt has finished.")
        self.set_running(True)

    def set_running(self, running: bool) -> None:
        self.running = running
        self.stop_button.setVisible(running)

    def show_prompt(self, index: int, total: int, prompt: str) -> None:
        self.progress_label.setText(f"prompt {index + 1} of {total}: {_short(prompt)}")

    def show_runs_done(self, done: int) -> None:
        self.progress_bar.setValue(min(done, self.progress_bar.maximum()))

    def show_summary(self, summary: SetSummary) -> None:
        self.summary = summary
        self.table.setRowCount(len(summary.columns))
        for row, column in enumerate(summary.columns):
            mean = column.reasoning_mean
            times = column.to_json()["total_s_median"]
            cells = [
                ("★ " if column.cheapest_majority else "") + column.label,
                f"{column.majority_prompts} of {summary.prompts} prompts",
                "—" if column.majority_accuracy is None else f"{column.majority_accuracy:.0%}",
                fmt.money(column.cost)
                + (f" (+{column.unpriced_runs} unpriced)" if column.unpriced_runs else ""),
                "—" if mean is None else fmt.tokens(round(mean)),
                "—" if times is None else fmt.duration(times),
            ]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column.cheapest_majority:
                    bold = QFont(item.font())
                    bold.setBold(True)
                    item.setFont(bold)
                if col:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.table.setItem(row, col, item)
        # the summary table shows every setting, never scrolls: its height follows its rows
        head = self.table.horizontalHeader().sizeHint().height()
        rows = sum(self.table.rowHeight(r) for r in range(self.table.rowCount()))
        self.table.setFixedHeight(2 * self.table.frameWidth() + head + rows + 2)
        self._show_prompts(summary)
        self.verdict_label.setText(summary.verdict())
        self.chart.set_summary(summary)
        for button in (self.csv_button, self.markdown_button):
            button.setEnabled(summary.prompts > 0)

    def _show_prompts(self, summary: SetSummary) -> None:
        """Each finished prompt: the answer most settings gave, and what each setting gave (✗:
        not the majority answer), with how many of its runs gave it."""
        table = self.prompts_table
        table.setColumnCount(3 + len(summary.labels))
        table.setHorizontalHeaderLabels(["#", "Prompt", "Majority answer", *summary.labels])
        table.setRowCount(len(summary.rows))
        for r, row in enumerate(summary.rows):
            cells = [str(r + 1), _short(row.prompt, 70), _short(row.majority or "—", 30)]
            for answer, agreement, gives in zip(
                row.answers, row.agreements, row.gives_majority, strict=True
            ):
                said = "—" if answer is None else _short(answer, 24)
                share = "" if agreement is None else f" ({agreement:.0%})"
                cells.append(("" if gives or answer is None else "✗ ") + said + share)
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c == 1:
                    item.setToolTip(row.prompt[:2000])
                table.setItem(r, c, item)
        header = table.horizontalHeader()
        for c in range(table.columnCount()):
            header.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(1, self.fontMetrics().horizontalAdvance("x" * 30))

    def rows(self) -> list[list[str]]:
        """The table as shown, for tests and the accessibility tree."""
        return [
            [(i.text() if (i := self.table.item(r, c)) else "") for c in range(len(HEADERS))]
            for r in range(self.table.rowCount())
        ]

    # -- exports -----------------------------------------------------------------------------

    def export(self, kind: str, path: str | Path) -> Path:
        """Write the summary shown as CSV or Markdown to `path` (raises OSError)."""
        assert self.summary is not None
        from client.compare.set_export import summary_csv, summary_markdown  # Markdown's escaping

        text = summary_csv(self.summary) if kind == "csv" else summary_markdown(self.summary)
        target = Path(path)
        with open(target, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        return target

    def _ask_export(self, kind: str) -> None:
        suffix, what = (".csv", "CSV files (*.csv)") if kind == "csv" else (
            ".md", "Markdown files (*.md)")  # fmt: skip
        suggested = str(Path.home() / f"thinkpane-prompt-set{suffix}")
        title = f"Export the prompt set as {'CSV' if kind == 'csv' else 'Markdown'}"
        path, _ = QFileDialog.getSaveFileName(self, title, suggested, what)
        if not path:
            return
        try:
            target = self.export(kind, path)
        except OSError as exc:
            self.saved_label.setText(f"Could not save {path}: {exc.strerror or exc}.")
            return
        self.saved_label.setText(f"Saved to {target}.")

    def reject(self) -> None:
        """Esc stops a running set (finished runs stay); when nothing runs, it closes."""
        if self.running:
            self.sig_stop.emit()
            return
        super().reject()
