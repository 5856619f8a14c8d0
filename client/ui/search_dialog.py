"""Ctrl+K: search every prompt, answer and reasoning, and jump to the turn.

The query runs in the background against the store's full-text index (client.store.search);
results show which field matched, with the match in context. Choosing one opens its
conversation and selects the turn.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from client.ui.jobs import BackgroundJobs, JobHandle

_RESULT_ROLE = Qt.ItemDataRole.UserRole + 1


class SearchDialog(QDialog):
    """Search everything.

    Signals:
        sig_result_chosen(str, str): conversation id and turn id of the chosen result.
    """

    sig_result_chosen = Signal(str, str)

    def __init__(self, store: Any, jobs: BackgroundJobs, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Search everything")
        self.resize(620, 420)
        self._store = store
        self._jobs = jobs
        self._pending: JobHandle | None = None
        self.edit = QLineEdit(self)
        self.edit.setPlaceholderText("Words to find in prompts, answers and reasoning")
        self.results = QListWidget(self)
        self.results.setWordWrap(True)
        self.status_label = QLabel("Type to search.", self)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(150)
        layout = QVBoxLayout(self)
        layout.addWidget(self.edit)
        layout.addWidget(self.results, 1)
        layout.addWidget(self.status_label)
        self._connect_signals()

    def _connect_signals(self) -> None:
        self.edit.textChanged.connect(self._debounce.start)
        self.edit.returnPressed.connect(self._on_edit_return_pressed)
        self._debounce.timeout.connect(self.run_query)
        self.results.itemActivated.connect(self._on_results_item_activated)

    def run_query(self) -> None:
        query = self.edit.text().strip()
        if self._pending is not None:
            self._pending.cancel()
        if not query:
            self.results.clear()
            self.status_label.setText("Type to search.")
            return
        store = self._store
        self.status_label.setText("Searching…")
        self._pending = self._jobs.run(
            lambda: store.search(query, 50), self._on_results_loaded, self._on_search_failed
        )

    def _on_results_loaded(self, results: list[dict[str, Any]]) -> None:
        self._pending = None
        self.results.clear()
        for result in results:
            item = QListWidgetItem(f"{result['field']}: {result['snippet']}")
            item.setData(_RESULT_ROLE, (result["conversation_id"], result["turn_id"]))
            item.setToolTip(result["created_at"])
            self.results.addItem(item)
        self.status_label.setText(f"{len(results)} found." if results else "Nothing found.")
        if results:
            self.results.setCurrentRow(0)

    def _on_search_failed(self, exc: BaseException) -> None:
        self._pending = None
        self.status_label.setText(f"Search failed: {exc}")

    def done(self, result: int) -> None:
        if self._pending is not None:  # a late result must not reach a closed dialog
            self._pending.cancel()
            self._pending = None
        self._debounce.stop()
        super().done(result)

    @Slot()
    def _on_edit_return_pressed(self) -> None:
        item = self.results.currentItem()
        if item is not None:
            self._on_results_item_activated(item)

    @Slot(QListWidgetItem)
    def _on_results_item_activated(self, item: QListWidgetItem) -> None:
        conversation_id, turn_id = item.data(_RESULT_ROLE)
        self.sig_result_chosen.emit(conversation_id, turn_id)
        self.accept()
