"""Ctrl+K: search every prompt, answer and reasoning, narrow it down, and jump to the turn.

The query runs on the window's background jobs against the store's full-text index
(client.store.search), so typing never waits on the disk; each query carries a number, and a
result that is not the newest query's is dropped (its job is cancelled too). Results say which
conversation, when, and in which part of the turn the words were found, with the matches in
bold. Filters narrow by provider, model and dates. Enter or a double click chooses a result; the
window opens it on its own branch and highlights the match (client/ui/history/controller.py).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from PySide6.QtCore import QDate, QEvent, QModelIndex, QObject, QSize, Qt, QTimer, Signal, Slot
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QKeyEvent,
    QPainter,
    QPalette,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from client.ui.jobs import BackgroundJobs, JobHandle

RESULT_LIMIT = 50
FIELD_WORDS = {
    "prompt": "in the prompt",
    "answer": "in the answer",
    "reasoning": "in the reasoning",
}
_HIT_ROLE = Qt.ItemDataRole.UserRole + 1
_MARKED = re.compile(r"\[([^\[\]]+)\]")


@dataclass(frozen=True)
class SearchFilters:
    """What narrows a search; None filters nothing. Dates are inclusive, in UTC."""

    provider: str | None = None
    model: str | None = None
    since: date | None = None
    until: date | None = None
    has_findings: bool = False


@dataclass(frozen=True)
class SearchHit:
    """One result: where it is, what matched (`snippet` marks matches `[like this]`), and the
    words the user searched for."""

    conversation_id: str
    turn_id: str
    field: str
    snippet: str
    created_at: str
    title: str
    query: str

    def marked(self) -> list[str]:
        """The matched words as the snippet shows them (their own case and accents)."""
        return _MARKED.findall(self.snippet)


def find_hits(store: Any, query: str, filters: SearchFilters) -> list[SearchHit]:
    """Run a search with its filters and name each result's conversation (on a worker)."""
    if filters.has_findings:
        from client.session import backfill_audits

        backfill_audits(store)  # turns stored before their audit was recorded
    results = store.search(
        query,
        RESULT_LIMIT,
        provider=filters.provider,
        model=filters.model,
        since=filters.since,
        until=filters.until,
        has_findings=True if filters.has_findings else None,
    )
    titles: dict[str, str] = {}
    for result in results:
        cid = result["conversation_id"]
        if cid not in titles:
            conversation = store.get_conversation(cid)
            titles[cid] = (conversation.title if conversation else "") or "New conversation"
    return [
        SearchHit(
            r["conversation_id"],
            r["turn_id"],
            r["field"],
            r["snippet"],
            r["created_at"],
            titles[r["conversation_id"]],
            query,
        )
        for r in results
    ]


def when(stamp: str) -> str:
    """A stored UTC instant as the user's local date and time: "27 Nov 2026 18:04"."""
    try:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00")).astimezone()
    except ValueError:
        return stamp[:16]
    return f"{moment.day} {moment:%b %Y %H:%M}"


def hit_html(hit: SearchHit, head_colour: str = "gray") -> str:
    """Two lines: conversation · date · field, then the snippet with its matches in bold."""
    head = " · ".join((hit.title, when(hit.created_at), FIELD_WORDS.get(hit.field, hit.field)))
    snippet = _MARKED.sub(r"<b>\1</b>", html.escape(" ".join(hit.snippet.split())))
    return (
        f'<p style="margin: 0; color: {head_colour}">{html.escape(head)}</p>'
        f'<p style="margin: 0">{snippet}</p>'
    )


class _HitDelegate(QStyledItemDelegate):
    """Paints a result's two lines of rich text (escaped; only <b> and the header are markup),
    in the palette's colours, selected or not."""

    def _document(
        self, option: QStyleOptionViewItem, index: QModelIndex, selected: bool = False
    ) -> QTextDocument:
        palette = option.palette
        role = (
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.PlaceholderText
        )
        document = QTextDocument()
        document.setDefaultFont(option.font)
        document.setDocumentMargin(4)
        document.setHtml(hit_html(index.data(_HIT_ROLE), palette.color(role).name()))
        document.setTextWidth(max(100, option.rect.width()))
        return document

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        self.initStyleOption(option, index)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        background = QStyleOptionViewItem(option)
        background.text = ""
        style = option.widget.style() if option.widget else None
        if style is not None:
            style.drawControl(
                QStyle.ControlElement.CE_ItemViewItem, background, painter, option.widget
            )
        document = self._document(option, index, selected)
        context = QAbstractTextDocumentLayout.PaintContext()
        text_role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        context.palette.setColor(QPalette.ColorRole.Text, option.palette.color(text_role))
        painter.save()
        painter.translate(option.rect.topLeft())
        document.documentLayout().draw(painter, context)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:  # noqa: N802
        document = self._document(option, index)
        return QSize(int(document.idealWidth()), int(document.size().height()) + 2)


class SearchDialog(QDialog):
    """Search everything, with filters.

    Signals:
        sig_result_chosen(object): the SearchHit the user chose (Enter or double click).
    """

    sig_result_chosen = Signal(object)

    def __init__(self, store: Any, jobs: BackgroundJobs, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Search everything")
        self.resize(720, 520)
        self._store = store
        self._jobs = jobs
        self._pending: JobHandle | None = None
        self._generation = 0
        self._open_first = False  # Enter came before the results: open the first one
        self.edit = QLineEdit(self)
        self.edit.setPlaceholderText("Words to find in prompts, answers and reasoning")
        self.edit.setClearButtonEnabled(True)
        self.edit.installEventFilter(self)
        self.provider_box = QComboBox(self)
        self.provider_box.setToolTip("Only turns sent to this provider")
        self.provider_box.addItem("Any provider", None)
        self.model_edit = QLineEdit(self)
        self.model_edit.setPlaceholderText("Any model")
        self.model_edit.setMinimumWidth(140)
        self.model_edit.setToolTip("Only turns of this model (as asked for or as reported)")
        self.since_check = QCheckBox("Since", self)
        self.since_edit = self._date_edit()
        self.until_check = QCheckBox("Until", self)
        self.until_edit = self._date_edit()
        self.findings_check = QCheckBox("Audit findings", self)
        self.findings_check.setToolTip(
            "Only turns whose reasoning the auditor found something in (an error or a warning)"
        )
        self.results = QListWidget(self)
        self.results.setWordWrap(True)
        self.results.setUniformItemSizes(False)
        self.results.setSpacing(2)
        self.results.setItemDelegate(_HitDelegate(self.results))
        self.status_label = QLabel("Type to search.", self)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(150)

        filters = QHBoxLayout()
        filters.addWidget(self.provider_box)
        filters.addWidget(self.model_edit, 1)
        for widget in (
            self.since_check,
            self.since_edit,
            self.until_check,
            self.until_edit,
            self.findings_check,
        ):
            filters.addWidget(widget)
        layout = QVBoxLayout(self)
        layout.addWidget(self.edit)
        layout.addLayout(filters)
        layout.addWidget(self.results, 1)
        layout.addWidget(self.status_label)
        self._fill_providers()
        self._connect_signals()

    def _date_edit(self) -> QDateEdit:
        edit = QDateEdit(QDate.currentDate(), self)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        edit.setEnabled(False)
        return edit

    def _fill_providers(self) -> None:
        from client.providers.registry import PROFILES

        for profile in sorted(PROFILES.values(), key=lambda p: p.label.lower()):
            self.provider_box.addItem(profile.label, profile.name)

    def _connect_signals(self) -> None:
        self.edit.textChanged.connect(self._debounce.start)
        self.edit.returnPressed.connect(self._on_edit_return_pressed)
        self.model_edit.textChanged.connect(self._debounce.start)
        self.provider_box.currentIndexChanged.connect(self._debounce.start)
        self.findings_check.toggled.connect(self._debounce.start)
        for check, edit in (
            (self.since_check, self.since_edit),
            (self.until_check, self.until_edit),
        ):
            check.toggled.connect(edit.setEnabled)
            check.toggled.connect(self._debounce.start)
            edit.dateChanged.connect(self._debounce.start)
        self._debounce.timeout.connect(self.run_query)
        self.results.itemActivated.connect(self._on_results_item_activated)

    # Searching

    def filters(self) -> SearchFilters:
        def day(check: QCheckBox, edit: QDateEdit) -> date | None:
            return edit.date().toPython() if check.isChecked() else None

        return SearchFilters(
            provider=self.provider_box.currentData(),
            model=self.model_edit.text().strip() or None,
            since=day(self.since_check, self.since_edit),
            until=day(self.until_check, self.until_edit),
            has_findings=self.findings_check.isChecked(),
        )

    def run_query(self) -> None:
        """Search now (typing waits for a pause first); an older query's results are dropped."""
        self._debounce.stop()
        query = self.edit.text().strip()
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None
        self._generation += 1
        if not query:
            self.results.clear()
            self.status_label.setText("Type to search.")
            return
        store, filters, generation = self._store, self.filters(), self._generation
        self.status_label.setText("Searching…")
        self._pending = self._jobs.run(
            lambda: find_hits(store, query, filters),
            lambda hits: self._on_hits_found(generation, hits),
            lambda exc: self._on_search_failed(generation, exc),
        )

    def _on_hits_found(self, generation: int, hits: list[SearchHit]) -> None:
        if generation != self._generation:
            return  # a newer query is on its way
        self._pending = None
        self.results.clear()
        for hit in hits:
            item = QListWidgetItem(f"{hit.title}: {hit.field}: {hit.snippet}")
            item.setData(_HIT_ROLE, hit)
            item.setToolTip(f"{hit.title}\n{when(hit.created_at)}, {FIELD_WORDS[hit.field]}")
            self.results.addItem(item)
        found = f"{len(hits)} found" + (" (the best first)" if len(hits) >= RESULT_LIMIT else "")
        self.status_label.setText(
            f"{found}. Enter opens the selected one." if hits else "Nothing found."
        )
        if hits:
            self.results.setCurrentRow(0)
            if self._open_first:
                self._on_results_item_activated(self.results.item(0))
        self._open_first = False

    def _on_search_failed(self, generation: int, exc: BaseException) -> None:
        if generation != self._generation:
            return
        self._pending = None
        sentence = getattr(exc, "message", None) or str(exc)
        self.status_label.setText(f"Search failed: {sentence}")

    def hits(self) -> list[SearchHit]:
        return [self.results.item(row).data(_HIT_ROLE) for row in range(self.results.count())]

    # Choosing

    def open_fresh(self) -> None:
        """Show the dialog with the last words selected, ready to type over."""
        self.open()
        self.edit.setFocus()
        self.edit.selectAll()

    def done(self, result: int) -> None:
        if self._pending is not None:  # a late result must not reach a closed dialog
            self._pending.cancel()
            self._pending = None
        self._generation += 1
        self._open_first = False
        self._debounce.stop()
        super().done(result)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        # Up and Down in the search field move through the results.
        if watched is self.edit and isinstance(event, QKeyEvent):
            step = {Qt.Key.Key_Down: 1, Qt.Key.Key_Up: -1}.get(Qt.Key(event.key()))
            if step is not None and event.type() == QEvent.Type.KeyPress and self.results.count():
                row = max(0, min(self.results.count() - 1, self.results.currentRow() + step))
                self.results.setCurrentRow(row)
                return True
        return super().eventFilter(watched, event)

    @Slot()
    def _on_edit_return_pressed(self) -> None:
        if self._debounce.isActive() or self._pending is not None:
            self._open_first = True  # the results shown are for older words: wait for these
            if self._debounce.isActive():
                self.run_query()
            return
        item = self.results.currentItem()
        if item is not None:
            self._on_results_item_activated(item)

    @Slot(QListWidgetItem)
    def _on_results_item_activated(self, item: QListWidgetItem) -> None:
        self.sig_result_chosen.emit(item.data(_HIT_ROLE))
        self.accept()
