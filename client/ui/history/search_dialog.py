"""Ctrl+K: search every prompt, answer and reasoning as you type, narrow it down, jump to the turn.

The query runs on the window's background jobs against the store's full-text index
(client.store.search), so typing never waits on the disk; each query carries a number, and a
result that is not the newest query's is dropped (its job is cancelled too). The words are read
as a search box reads them: the word being typed matches the start of words, "quotes" find a
phrase, -word leaves out, OR finds either; anything else is text.

Each result names its turn: the turn's own prompt, which version it is when the prompt was
edited or regenerated ("version 2 of 3"), the conversation, the date, and the part of the turn
the words were found in, with the matches marked and "exact phrase" when all the words stand
together. Most relevant first, or newest first with the toggle (Alt+N). Filters narrow by
provider, model and dates. Enter or a double click chooses a result; the window opens it on its
own branch and highlights the match (client/ui/history/controller.py).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QDate,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSize,
    Qt,
    QTimer,
    Signal,
    Slot,
)
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
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from client.core.conversation import moment_of
from client.store.search_query import parse
from client.ui.fit import fit_to_screen
from client.ui.jobs import BackgroundJobs, JobHandle

if TYPE_CHECKING:
    from client.store.store import Store

RESULT_LIMIT = 50
PROMPT_CHARS = 90
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
    words the user searched for. `prompt` is the turn's own; `version` of `versions` is its
    place among the versions of that turn."""

    conversation_id: str
    turn_id: str
    field: str
    snippet: str
    created_at: str
    title: str
    query: str
    prompt: str = ""
    version: int = 1
    versions: int = 1
    exact_phrase: bool = False
    ranked: bool = False  # placed by relevance (not when hundreds of turns match)

    def turn_words(self) -> str:
        """The turn, as a person names it: its prompt (shortened) and its version."""
        prompt = " ".join(self.prompt.split()) or "(no prompt)"
        if len(prompt) > PROMPT_CHARS:
            prompt = prompt[: PROMPT_CHARS - 1] + "…"
        return (
            f"{prompt} (version {self.version} of {self.versions})" if self.versions > 1 else prompt
        )

    def where_words(self) -> str:
        """Where and when: "in the reasoning · Wie groß… · 27 Nov 2026 18:04 · exact phrase"."""
        parts = [FIELD_WORDS.get(self.field, self.field), self.title, when(self.created_at)]
        if self.exact_phrase:
            parts.append("exact phrase")
        return " · ".join(parts)

    def marked(self) -> list[str]:
        """The matched words as the snippet shows them (their own case and accents)."""
        return _MARKED.findall(self.snippet)


def find_hits(
    store: Store, query: str, filters: SearchFilters, *, newest: bool = False
) -> list[SearchHit]:
    """Run a search with its filters (on a worker): the results, each naming its turn."""
    if filters.has_findings:
        from client.audit_index import backfill_audits

        backfill_audits(store)  # turns stored before their audit was recorded
    results = store.search(
        query,
        RESULT_LIMIT,
        order="newest" if newest else "relevance",
        provider=filters.provider,
        model=filters.model,
        since=filters.since,
        until=filters.until,
        has_findings=True if filters.has_findings else None,
    )
    return [
        SearchHit(
            r["conversation_id"],
            r["turn_id"],
            r["field"],
            r["snippet"],
            r["created_at"],
            r["title"] or "New conversation",
            query,
            r["prompt"],
            r["version"],
            r["versions"],
            r["exact_phrase"],
            r["ranked"],
        )
        for r in results
    ]


def order_words(hits: list[SearchHit], newest: bool) -> str:
    """How the results are ordered, in words: "most relevant first, exact phrase first"."""
    if newest:
        return "newest first"
    exact = any(h.exact_phrase for h in hits)
    if any(not h.ranked and not h.exact_phrase for h in hits):
        first = "exact phrase first, then the newest" if exact else "the newest first"
        return f"{first} (hundreds of turns match: type more to rank them)"
    return "most relevant first, exact phrase first" if exact else "most relevant first"


def when(stamp: str) -> str:
    """A stored UTC instant as the user's local date and time: "27 Nov 2026 18:04"."""
    try:
        moment = moment_of(stamp).astimezone()
    except ValueError:
        return stamp[:16]
    return f"{moment.day} {moment:%b %Y %H:%M}"


def _marked(text: str) -> str:
    """Text on one line, escaped, its [matches] in bold and underlined (visible in bold text)."""
    return _MARKED.sub(r"<b><u>\1</u></b>", html.escape(" ".join(text.split())))


def hit_html(hit: SearchHit, head_colour: str = "gray") -> str:
    """The turn (its prompt and version) in bold, where and when in grey, then the snippet with
    its matches marked; a match in the prompt is marked in the first line instead."""
    version = f" (version {hit.version} of {hit.versions})" if hit.versions > 1 else ""
    if hit.field == "prompt":
        turn, snippet = _marked(hit.snippet) + html.escape(version), ""
    else:
        turn = html.escape(hit.turn_words())
        snippet = f'<p style="margin: 0">{_marked(hit.snippet)}</p>'
    return (
        f'<p style="margin: 0; font-weight: 600">{turn}</p>'
        f'<p style="margin: 0; color: {head_colour}">{html.escape(hit.where_words())}</p>'
        f"{snippet}"
    )


class _HitDelegate(QStyledItemDelegate):
    """Paints a result's two lines of rich text (escaped; only <b> and the header are markup),
    in the palette's colours, selected or not."""

    def _document(
        self,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
        selected: bool = False,
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

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
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

    def sizeHint(  # noqa: N802
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        document = self._document(option, index)
        return QSize(int(document.idealWidth()), int(document.size().height()) + 2)


class SearchDialog(QDialog):
    """Search everything, with filters.

    Signals:
        sig_result_chosen(object): the SearchHit the user chose (Enter or double click).
    """

    sig_result_chosen = Signal(object)

    def __init__(self, store: Store, jobs: BackgroundJobs, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Search everything")
        fit_to_screen(self, QSize(720, 520))
        self._store = store
        self._jobs = jobs
        self._pending: JobHandle | None = None
        self._generation = 0
        self._open_first = False  # Enter came before the results: open the first one
        self.edit = QLineEdit(self)
        self.edit.setPlaceholderText(
            'Words to find in prompts, answers and reasoning: "a phrase", -leave out, this OR that'
        )
        self.edit.setClearButtonEnabled(True)
        self.edit.setAccessibleName("Search")
        for button in self.edit.findChildren(QToolButton):  # the clear button, icon only
            button.setAccessibleName("Clear the search")
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
        self.newest_check = QCheckBox("&Newest first", self)
        self.newest_check.setToolTip(
            "Newest first instead of most relevant first (exact phrase first, then the best)"
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
        provider_label = QLabel("&Provider", self)  # a Linux screen reader names the box by it
        provider_label.setBuddy(self.provider_box)
        filters.addWidget(provider_label)
        filters.addWidget(self.provider_box)
        filters.addWidget(self.model_edit, 1)
        # Dates and toggles on a line of their own: in one line with the provider and the model
        # the window could not be narrower than 975 pixels, wider than a small screen.
        periods = QHBoxLayout()
        for widget in (
            self.since_check,
            self.since_edit,
            self.until_check,
            self.until_edit,
            self.findings_check,
            self.newest_check,
        ):
            periods.addWidget(widget)
        periods.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.edit)
        layout.addLayout(filters)
        layout.addLayout(periods)
        layout.addWidget(self.results, 1)
        layout.addWidget(self.status_label)
        self._name_controls()
        self._fill_providers()
        self._connect_signals()

    def _name_controls(self) -> None:
        for widget, name in (
            (self.edit, "Search words"),
            (self.provider_box, "Provider"),
            (self.model_edit, "Model"),
            (self.since_check, "Since a date"),
            (self.since_edit, "Since date"),
            (self.until_check, "Until a date"),
            (self.until_edit, "Until date"),
            (self.findings_check, "Only turns with audit findings"),
            (self.newest_check, "Newest first"),
            (self.results, "Results"),
            (self.status_label, "Search status"),
        ):
            widget.setAccessibleName(name)

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
        self.newest_check.toggled.connect(self.run_query)
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
            shown = edit.date()
            return date(shown.year(), shown.month(), shown.day()) if check.isChecked() else None

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
        query = self.edit.text()  # a space after the last word says it is finished
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None
        self._generation += 1
        parsed = parse(query)
        if parsed.empty:
            self.results.clear()
            if parsed.excluded:
                status = "Type a word to find too: -word only leaves turns out."
            elif query.strip():  # a lone quote, a bracket: no word in it to find
                status = "Nothing found: punctuation alone is not searched, only words."
            else:
                status = "Type to search."
            self.status_label.setText(status)
            return
        store, filters, generation = self._store, self.filters(), self._generation
        newest = self.newest_check.isChecked()
        self.status_label.setText("Searching…")
        self._pending = self._jobs.run(
            lambda: find_hits(store, query, filters, newest=newest),
            lambda hits: self._on_hits_found(generation, hits),
            lambda exc: self._on_search_failed(generation, exc),
            owner=self,
        )

    def _on_hits_found(self, generation: int, hits: list[SearchHit]) -> None:
        if generation != self._generation:
            return  # a newer query is on its way
        self._pending = None
        self.results.clear()
        for hit in hits:
            item = QListWidgetItem(f"{hit.turn_words()}: {hit.where_words()}: {hit.snippet}")
            item.setData(_HIT_ROLE, hit)
            item.setToolTip(f"{hit.turn_words()}\n{hit.where_words()}")
            self.results.addItem(item)
        count = f"{len(hits)} found" if len(hits) < RESULT_LIMIT else f"The first {len(hits)}"
        self.status_label.setText(
            f"{count}, {order_words(hits, self.newest_check.isChecked())}. "
            "Enter opens the selected one."
            if hits
            else "Nothing found."
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
