"""Where model output meets Qt's rich-text engine: a browser that fetches nothing and opens nothing.

`SafeBrowser` is a QTextBrowser that never follows a link by itself (the window's link policy
decides, on a click, after showing the address) and whose `loadResource` refuses every resource
but formula pictures, which it draws itself (formula_images.py): the HTML from client.render has
no other images, and were one ever to slip through, Qt would still have no way to fetch it.
Copying a formula copies its TeX; hovering one shows it. `AnswerBrowser` grows to fit its text, for answers stacked in one
scrolling column. `StreamingWriter` applies client.render's incremental updates to a document:
finished blocks are inserted once, and only the growing tail is replaced.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QMimeData, QPoint, QPointF, QSize, Qt, QUrl, Signal, Slot
from PySide6.QtGui import QTextBlockFormat, QTextCharFormat, QTextCursor, QTextDocument
from PySide6.QtWidgets import QFrame, QSizePolicy, QTextBrowser, QToolTip, QWidget

if TYPE_CHECKING:
    from client.ui.conversation.formula_images import FormulaResources

# Formula pictures (formula_images.py, with the maths typesetting it imports) are loaded with the
# first formula or copy, not with the window: no answer is on screen at the first frame.
MATH_PREFIX = "thinkpane-math:"  # as formula_images.MATH_PREFIX (test_maths holds them equal)

# A character no model writes, used to open a clean block (see StreamingWriter._insert).
_MARK = "\u2063"
_PARAGRAPH = "\u2029"


class SafeBrowser(QTextBrowser):
    """Read-only rich text for untrusted HTML: no link is followed, no resource is loaded.

    Signals:
        sig_link_clicked(QUrl): a link the user clicked; the window's LinkPolicy decides.
        sig_link_hovered(str): the address under the mouse ("" when it leaves a link).
    """

    sig_link_clicked = Signal(QUrl)
    sig_link_hovered = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.setReadOnly(True)
        self.setUndoRedoEnabled(
            False
        )  # an undo stack of every streamed token is memory for nothing
        self.setSearchPaths([])
        self.refused_resources: list[str] = []
        self._formulas: FormulaResources | None = None
        self._connect_signals()

    def _connect_signals(self) -> None:
        self.anchorClicked.connect(self._on_self_anchor_clicked)
        self.highlighted.connect(self._on_self_highlighted)

    def loadResource(self, type_: int, name: QUrl | str) -> Any:  # noqa: N802 - Qt's name
        """Refuse everything but formula pictures, which are drawn here (formula_images.py):
        model output may not make Qt read a file or touch the network."""
        address = name.toString() if isinstance(name, QUrl) else name
        if address.startswith(MATH_PREFIX):
            return self.formulas().resource(address)
        self.refused_resources.append(address)
        return None

    def formulas(self) -> FormulaResources:
        """This browser's formula pictures (in its font, text colour and pixel ratio)."""
        if self._formulas is None:
            from client.ui.conversation.formula_images import FormulaResources

            self._formulas = FormulaResources(self.document())
        # Asked each time: the theme or the screen may have changed since.
        self._formulas.set_look(self.font(), self.palette(), self.devicePixelRatioF())
        return self._formulas

    def createMimeDataFromSelection(self) -> QMimeData:  # noqa: N802 - Qt's name
        """Copying a formula copies its TeX source."""
        data = super().createMimeDataFromSelection()
        cursor = self.textCursor()
        if "\ufffc" in cursor.selectedText():
            from client.ui.conversation.formula_images import plain_text_with_sources

            text = plain_text_with_sources(
                self.document(), cursor.selectionStart(), cursor.selectionEnd()
            )
            data = QMimeData()
            data.setText(text)
        return data

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        # Formula pictures are drawn in the text colour and size: a new theme or font redraws
        # them (documents rendered again from HTML ask afresh anyway).
        if getattr(self, "_formulas", None) is not None and event.type() in (
            QEvent.Type.PaletteChange,
            QEvent.Type.FontChange,
        ):
            self.formulas().refresh_look()
        super().changeEvent(event)

    def viewportEvent(self, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.ToolTip and self._formula_tip(event):
            return True
        return super().viewportEvent(event)

    def _formula_tip(self, event: Any) -> bool:
        """Hovering anywhere over a formula shows its source."""
        offset = QPoint(self.horizontalScrollBar().value(), self.verticalScrollBar().value())
        point = QPointF(event.pos() + offset)
        layout = self.document().documentLayout()
        if not layout.imageAt(point).startswith(MATH_PREFIX):
            return False
        position = layout.hitTest(point, Qt.HitTestAccuracy.FuzzyHit)
        from client.ui.conversation.formula_images import formula_source_at

        source = formula_source_at(self.document(), position) or formula_source_at(
            self.document(), position - 1
        )
        if not source:
            return False
        QToolTip.showText(event.globalPos(), source, self.viewport())
        return True

    def setSource(self, name: QUrl | str, type_: Any = None) -> None:  # noqa: N802 - Qt's name
        # QTextBrowser would load `name` itself on backward/forward/home; it never navigates.
        return

    @Slot(QUrl)
    def _on_self_anchor_clicked(self, url: QUrl) -> None:
        self.sig_link_clicked.emit(url)

    @Slot(QUrl)
    def _on_self_highlighted(self, url: QUrl) -> None:
        self.sig_link_hovered.emit(url.toString() if url.isValid() else "")


class AnswerBrowser(SafeBrowser):
    """A SafeBrowser as tall as its text, so a conversation scrolls as one column.

    Signals (besides SafeBrowser's):
        sig_pressed(): a mouse button went down on the text (the turn is being selected).
    """

    sig_pressed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.viewport().setAutoFillBackground(False)
        self.document().setDocumentMargin(2)
        self.document().documentLayout().documentSizeChanged.connect(self._on_layout_size_changed)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        height = int(self.document().size().height()) + 2 * self.frameWidth()
        scrollbar = self.horizontalScrollBar()
        if scrollbar.isVisible():
            height += scrollbar.sizeHint().height()
        return QSize(super().sizeHint().width(), max(height, self.fontMetrics().height() + 4))

    def mousePressEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        self.sig_pressed.emit()
        super().mousePressEvent(event)

    def wheelEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        event.ignore()  # let the conversation scroll, not this browser (it shows all of itself)

    def _on_layout_size_changed(self, _size: Any) -> None:
        height = self.sizeHint().height()
        if height != self.height():
            self.setFixedHeight(height)


class StreamingWriter:
    """Applies client.render's RenderUpdates (new_blocks_html, tail_html, reset) to a document.

    Finished blocks are inserted once at the end; the tail (the block still growing) is removed
    and inserted again on each update, so an update costs the size of what changed.
    """

    def __init__(self, document: QTextDocument) -> None:
        self._doc = document
        self._tail_start: int | None = None

    def apply(self, update: Any) -> None:
        doc = self._doc
        if update.reset:
            doc.clear()
            self._tail_start = None
        cursor = QTextCursor(doc)
        cursor.beginEditBlock()
        if self._tail_start is not None:
            cursor.setPosition(self._tail_start)
            cursor.movePosition(QTextCursor.MoveOperation.End, QTextCursor.MoveMode.KeepAnchor)
            cursor.removeSelectedText()
        if update.new_blocks_html:
            self._insert("\n".join(update.new_blocks_html))
        self._tail_start = self._end()
        if update.tail_html:
            self._insert(update.tail_html)
        cursor.endEditBlock()

    def set_html(self, html: str) -> None:
        """Everything at once (a stored answer): no tail."""
        self._doc.setHtml(html)
        self._tail_start = None

    def _end(self) -> int:
        return max(0, self._doc.characterCount() - 1)

    def _insert(self, html: str) -> None:
        # Qt merges an inserted fragment's first block into the block at the cursor and drops
        # that block's format (a heading or code block would lose its look). So the fragment
        # starts with a throw-away paragraph, which is deleted afterwards together with its
        # separator: the first real block then keeps its own format.
        doc = self._doc
        cursor = QTextCursor(doc)
        cursor.movePosition(QTextCursor.MoveOperation.End)
        if not doc.isEmpty():
            cursor.insertBlock(QTextBlockFormat(), QTextCharFormat())
            text_list = cursor.currentList()
            if text_list is not None:
                text_list.remove(cursor.block())
        start = cursor.position()
        cursor.insertHtml(f"<p>{_MARK}</p>{html}")
        cursor.setPosition(start)
        length = 2 if doc.characterAt(start + 1) == _PARAGRAPH else 1  # not before a table
        cursor.setPosition(start + length, QTextCursor.MoveMode.KeepAnchor)
        cursor.removeSelectedText()
