"""Choosing a prompt set in the Compare dialog: earlier prompts picked from the history (with a
filter), and prompts pasted one per line.

"Is high effort worth it for *my* questions?" is best asked with questions already asked: the
list holds the user's earlier prompts, newest first, each once (read on the store worker and
handed over with `set_earlier`). Ticking one adds it to the set; the filter narrows the list
without losing ticks. Pasted lines come after the ticked prompts; a prompt is never taken twice.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

SHOWN_CHARS = 120


class PromptSetPicker(QWidget):
    """Signals: sig_changed(): the prompts chosen changed."""

    sig_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.filter_edit = QLineEdit(self)
        self.filter_edit.setPlaceholderText("Filter your earlier prompts")
        self.filter_edit.setAccessibleName("Filter earlier prompts")
        self.filter_edit.setClearButtonEnabled(True)
        self.tick_shown_button = QPushButton("Tick all shown", self)
        self.tick_shown_button.setAccessibleName("Tick every earlier prompt shown")
        self.earlier_list = QListWidget(self)
        self.earlier_list.setAccessibleName("Earlier prompts")
        self.earlier_list.setToolTip("Tick the prompts to run; Space ticks the one selected")
        self.paste_edit = QPlainTextEdit(self)
        self.paste_edit.setAccessibleName("Prompts pasted, one per line")
        self.paste_edit.setPlaceholderText("Or paste prompts here, one per line")
        self.paste_edit.setFixedHeight(self.fontMetrics().lineSpacing() * 4 + 12)
        self.count_label = QLabel(self)
        self.count_label.setAccessibleName("Prompts chosen")
        self.count_label.setTextFormat(Qt.TextFormat.PlainText)
        top = QHBoxLayout()
        top.addWidget(self.filter_edit, 1)
        top.addWidget(self.tick_shown_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.earlier_list, 1)
        layout.addWidget(self.paste_edit)
        layout.addWidget(self.count_label)
        self.filter_edit.textChanged.connect(self._on_filter_changed)
        self.tick_shown_button.clicked.connect(self._on_tick_shown)
        self.earlier_list.itemChanged.connect(self._on_changed)
        self.paste_edit.textChanged.connect(self._on_changed)
        self._on_changed()

    def set_earlier(self, prompts: list[str]) -> None:
        """The earlier prompts, newest first (plain text: shown, never interpreted)."""
        self.earlier_list.blockSignals(True)
        self.earlier_list.clear()
        for prompt in prompts:
            line = " ".join(prompt.split())
            shown = line if len(line) <= SHOWN_CHARS else line[: SHOWN_CHARS - 1] + "…"
            item = QListWidgetItem(shown, self.earlier_list)
            item.setData(Qt.ItemDataRole.UserRole, prompt)
            item.setToolTip(prompt[:2000])
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
        self.earlier_list.blockSignals(False)
        if not prompts:
            self.earlier_list.addItem("No earlier prompts yet: paste some below.")
            self.earlier_list.item(0).setFlags(Qt.ItemFlag.NoItemFlags)
        self._on_filter_changed(self.filter_edit.text())
        self._on_changed()

    def _items(self) -> list[QListWidgetItem]:
        items = (self.earlier_list.item(i) for i in range(self.earlier_list.count()))
        return [i for i in items if i.data(Qt.ItemDataRole.UserRole) is not None]

    def prompts(self) -> list[str]:
        """Ticked earlier prompts (newest first), then pasted lines; each prompt once."""
        ticked = [
            str(i.data(Qt.ItemDataRole.UserRole))
            for i in self._items()
            if i.checkState() == Qt.CheckState.Checked
        ]
        pasted = [line.strip() for line in self.paste_edit.toPlainText().splitlines()]
        return list(dict.fromkeys(p for p in ticked + pasted if p.strip()))

    def _on_filter_changed(self, text: str) -> None:
        words = text.casefold().split()
        for item in self._items():
            prompt = str(item.data(Qt.ItemDataRole.UserRole)).casefold()
            item.setHidden(not all(w in prompt for w in words))

    def _on_tick_shown(self) -> None:
        self.earlier_list.blockSignals(True)
        for item in self._items():
            if not item.isHidden():
                item.setCheckState(Qt.CheckState.Checked)
        self.earlier_list.blockSignals(False)
        self._on_changed()

    def _on_changed(self, *_: object) -> None:
        n = len(self.prompts())
        self.count_label.setText(f"{n} prompt{'s' if n != 1 else ''} chosen")
        self.sig_changed.emit()
