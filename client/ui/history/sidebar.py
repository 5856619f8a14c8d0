"""The left column: conversations, newest first; new, rename, and delete with undo.

Deleting is a soft delete in the store, so an Undo bar can bring the conversation back for a
while; nothing is lost by a slip of the Delete key. A conversation that is streaming shows a dot,
so the user can see that a turn is still running elsewhere.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QKeyEvent, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from client.core.conversation import Conversation

UNDO_SECONDS = 20
_ID_ROLE = Qt.ItemDataRole.UserRole + 1
_TITLE_ROLE = Qt.ItemDataRole.UserRole + 2
UNTITLED = "New conversation"
EMPTY = "No conversations yet. Type a question below to start one; it will be listed here."
NO_MATCH = "No conversation title contains “{words}”."


class _List(QListWidget):
    """A QListWidget where Delete asks to delete and F2 renames."""

    sig_delete_pressed = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        if event.matches(QKeySequence.StandardKey.Delete) or event.key() == Qt.Key.Key_Delete:
            self.sig_delete_pressed.emit()
            return
        if event.key() == Qt.Key.Key_F2 and self.currentItem() is not None:
            self.editItem(self.currentItem())
            return
        super().keyPressEvent(event)


class ConversationList(QWidget):
    """The list of conversations.

    Signals:
        sig_conversation_selected(str): the conversation the user opened.
        sig_new_requested(): the user wants a new conversation.
        sig_rename_requested(str, str): conversation id, its new title.
        sig_delete_requested(str): conversation id to delete (softly; undo is offered).
        sig_restore_requested(str): conversation id to bring back (Undo).
    """

    sig_conversation_selected = Signal(str)
    sig_new_requested = Signal()
    sig_rename_requested = Signal(str, str)
    sig_delete_requested = Signal(str)
    sig_restore_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._streaming: set[str] = set()
        self._deleted_id: str | None = None
        self.new_button = QPushButton("New conversation", self)
        self.new_button.setToolTip("New conversation (Ctrl+N)")
        self.filter_edit = QLineEdit(self)
        self.filter_edit.setPlaceholderText("Filter conversations")
        self.filter_edit.setAccessibleName("Filter conversations by title")
        self.filter_edit.setClearButtonEnabled(True)
        self.empty_label = QLabel(EMPTY, self)
        self.empty_label.setWordWrap(True)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.empty_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.empty_label.setContentsMargins(4, 8, 4, 4)
        self.list = _List(self)
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.setEditTriggers(QListWidget.EditTrigger.EditKeyPressed)
        self.list.setFrameShape(QFrame.Shape.NoFrame)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.undo_bar = QFrame(self)
        self.undo_bar.setFrameShape(QFrame.Shape.StyledPanel)
        self.undo_label = QLabel(self.undo_bar)
        self.undo_label.setWordWrap(True)
        self.undo_button = QPushButton("Undo", self.undo_bar)
        undo_layout = QHBoxLayout(self.undo_bar)
        undo_layout.setContentsMargins(6, 4, 6, 4)
        undo_layout.addWidget(self.undo_label, 1)
        undo_layout.addWidget(self.undo_button)
        self.undo_bar.hide()
        self._undo_timer = QTimer(self)
        self._undo_timer.setSingleShot(True)
        self._undo_timer.setInterval(UNDO_SECONDS * 1000)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 0, 6)
        layout.addWidget(self.new_button)
        layout.addWidget(self.filter_edit)
        layout.addWidget(self.empty_label)
        layout.addWidget(self.list, 1)
        layout.addStretch(0)
        layout.addWidget(self.undo_bar)
        self._connect_signals()
        self.apply_filter()

    def _connect_signals(self) -> None:
        self.new_button.clicked.connect(self.sig_new_requested)
        self.filter_edit.textChanged.connect(self._on_filter_edit_text_changed)
        self.list.currentItemChanged.connect(self._on_list_current_item_changed)
        self.list.itemChanged.connect(self._on_list_item_changed)
        self.list.customContextMenuRequested.connect(self._on_list_custom_context_menu_requested)
        self.list.sig_delete_pressed.connect(self._on_list_delete_pressed)
        self.undo_button.clicked.connect(self._on_undo_button_clicked)
        self._undo_timer.timeout.connect(self.undo_bar.hide)

    # Contents

    @Slot(str)
    def _on_filter_edit_text_changed(self, _text: str) -> None:
        self.apply_filter()

    def apply_filter(self) -> None:
        """Show the conversations whose title holds every word typed (any case); say so when
        the list is empty, or nothing matches."""
        words = self.filter_edit.text().casefold().split()
        shown = 0
        for row in range(self.list.count()):
            item = self.list.item(row)
            title = str(item.data(_TITLE_ROLE) or "").casefold()
            hidden = any(word not in title for word in words)
            item.setHidden(hidden)
            shown += not hidden
        if self.list.count() == 0:
            self.empty_label.setText(EMPTY)
        elif shown == 0:
            self.empty_label.setText(NO_MATCH.format(words=self.filter_edit.text().strip()))
        self.empty_label.setVisible(shown == 0)
        self.list.setVisible(shown > 0)

    def set_conversations(self, conversations: list[Conversation], current_id: str | None) -> None:
        self.list.blockSignals(True)
        self.list.clear()
        for conversation in conversations:
            item = QListWidgetItem()
            item.setData(_ID_ROLE, conversation.id)
            item.setData(_TITLE_ROLE, conversation.title or UNTITLED)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
            item.setToolTip(
                f"{conversation.title or UNTITLED}\nlast used {conversation.updated_at[:16].replace('T', ' ')} UTC"
            )
            self._label(item)
            self.list.addItem(item)
            if conversation.id == current_id:
                self.list.setCurrentItem(item)
        if current_id is None:
            self.list.setCurrentRow(-1)
        self.list.blockSignals(False)
        self.apply_filter()

    def _label(self, item: QListWidgetItem) -> None:
        title = item.data(_TITLE_ROLE)
        streaming = item.data(_ID_ROLE) in self._streaming
        item.setText(("● " if streaming else "") + title)

    def set_streaming(self, conversation_ids: set[str]) -> None:
        self._streaming = set(conversation_ids)
        self.list.blockSignals(True)
        for row in range(self.list.count()):
            self._label(self.list.item(row))
        self.list.blockSignals(False)

    def select(self, conversation_id: str | None) -> None:
        self.list.blockSignals(True)
        self.list.setCurrentRow(-1)
        for row in range(self.list.count()):
            if self.list.item(row).data(_ID_ROLE) == conversation_id:
                self.list.setCurrentRow(row)
        self.list.blockSignals(False)

    def ids(self) -> list[str]:
        return [self.list.item(row).data(_ID_ROLE) for row in range(self.list.count())]

    def rename(self, conversation_id: str) -> None:
        for row in range(self.list.count()):
            item = self.list.item(row)
            if item.data(_ID_ROLE) == conversation_id:
                self.list.blockSignals(True)
                item.setText(item.data(_TITLE_ROLE))  # edit the title, without the streaming dot
                self.list.blockSignals(False)
                self.list.editItem(item)

    def show_undo(self, conversation_id: str, title: str) -> None:
        self._deleted_id = conversation_id
        self.undo_label.setText(f"Deleted “{title or UNTITLED}”.")
        self.undo_bar.show()
        self._undo_timer.start()

    # Slots

    @Slot(QListWidgetItem, QListWidgetItem)
    def _on_list_current_item_changed(
        self, current: QListWidgetItem | None, _previous: object
    ) -> None:
        if current is not None:
            self.sig_conversation_selected.emit(current.data(_ID_ROLE))

    @Slot(QListWidgetItem)
    def _on_list_item_changed(self, item: QListWidgetItem) -> None:
        title = item.text().removeprefix("● ").strip()
        if title and title != item.data(_TITLE_ROLE):
            self.list.blockSignals(True)
            item.setData(_TITLE_ROLE, title)
            self._label(item)
            self.list.blockSignals(False)
            self.sig_rename_requested.emit(item.data(_ID_ROLE), title)
        else:
            self.list.blockSignals(True)
            self._label(item)
            self.list.blockSignals(False)

    @Slot(QPoint)
    def _on_list_custom_context_menu_requested(self, point: QPoint) -> None:
        item = self.list.itemAt(point)
        if item is None:
            return
        conversation_id = item.data(_ID_ROLE)
        menu = QMenu(self)
        menu.addAction("Rename", lambda: self.rename(conversation_id))
        menu.addAction("Delete", lambda: self.sig_delete_requested.emit(conversation_id))
        menu.exec(self.list.viewport().mapToGlobal(point))

    @Slot()
    def _on_list_delete_pressed(self) -> None:
        item = self.list.currentItem()
        if item is not None:
            self.sig_delete_requested.emit(item.data(_ID_ROLE))

    @Slot()
    def _on_undo_button_clicked(self) -> None:
        self.undo_bar.hide()
        self._undo_timer.stop()
        if self._deleted_id is not None:
            self.sig_restore_requested.emit(self._deleted_id)
            self._deleted_id = None
