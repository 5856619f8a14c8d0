"""A find field with Previous, Next and a result count; Esc closes it (not the window's Stop).

Used twice: Ctrl+F in the conversation column, and the inspector's search of the reasoning.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal, Slot
from PySide6.QtGui import QKeyEvent, QPalette
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QToolButton, QWidget


class FindBar(QWidget):
    """A find field with previous/next; Esc closes it.

    Signals:
        sig_find_requested(str, bool): the text to find, and True to search backwards.
        sig_closed(): the bar was closed.
    """

    sig_find_requested = Signal(str, bool)
    sig_closed = Signal()

    def __init__(self, placeholder: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edit = QLineEdit(self)
        self.edit.setPlaceholderText(placeholder)
        self.edit.setClearButtonEnabled(True)
        self.edit.installEventFilter(self)
        self.result_label = QLabel(self)
        self.result_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.previous_button = QToolButton(self)
        self.previous_button.setText("Previous")
        self.next_button = QToolButton(self)
        self.next_button.setText("Next")
        self.close_button = QToolButton(self)
        self.close_button.setText("Close")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.result_label)
        for button in (self.previous_button, self.next_button, self.close_button):
            layout.addWidget(button)
        self._connect_signals()

    def _connect_signals(self) -> None:
        self.edit.returnPressed.connect(self._on_edit_return_pressed)
        self.edit.textChanged.connect(self._on_edit_text_changed)
        self.previous_button.clicked.connect(self._on_previous_button_clicked)
        self.next_button.clicked.connect(self._on_next_button_clicked)
        self.close_button.clicked.connect(self.close_bar)

    def reset(self) -> None:
        """Empty the field and the count, without searching (another turn is shown)."""
        self.edit.blockSignals(True)
        self.edit.clear()
        self.edit.blockSignals(False)
        self.result_label.clear()

    def open_bar(self) -> None:
        self.show()
        self.edit.setFocus()
        self.edit.selectAll()

    def close_bar(self) -> None:
        self.hide()
        self.sig_closed.emit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        # Esc belongs to the find field while it has focus, not to the window's Stop.
        is_key = isinstance(event, QKeyEvent)
        if (
            is_key
            and event.type() == QEvent.Type.ShortcutOverride
            and event.key() == Qt.Key.Key_Escape
        ):
            event.accept()
            return True
        if is_key and event.type() == QEvent.Type.KeyPress:
            if event.key() == Qt.Key.Key_Escape:
                self.close_bar()
                return True
            if (
                event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
                and event.modifiers() & Qt.KeyboardModifier.ShiftModifier
            ):
                self.sig_find_requested.emit(self.edit.text(), True)
                return True
        return False

    @Slot()
    def _on_edit_return_pressed(self) -> None:
        self.sig_find_requested.emit(self.edit.text(), False)

    @Slot(str)
    def _on_edit_text_changed(self, text: str) -> None:
        self.sig_find_requested.emit(text, False)

    @Slot()
    def _on_previous_button_clicked(self) -> None:
        self.sig_find_requested.emit(self.edit.text(), True)

    @Slot()
    def _on_next_button_clicked(self) -> None:
        self.sig_find_requested.emit(self.edit.text(), False)
