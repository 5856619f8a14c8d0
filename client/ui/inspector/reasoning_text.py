"""Reasoning as plain text with its formulas typeset, written into a document as it streams.

The inspector shows reasoning as the model wrote it: plain text, every line break kept, nothing
parsed as markup. Formulas are the exception: each closed formula (client.render.maths) is one
picture character (formula_images.py) whose tooltip is its source, so `text()` gives back
exactly the text that arrived, and copying a formula copies its TeX.

A formula never spans a blank line, so only the paragraph still growing can change. Finished
paragraphs are written once; the growing one is extended by what arrived when its formulas are
unchanged (the common case: one insertion per update, like plain text), and rewritten only when
a formula closed (or a digit after a ``$`` un-closed one), at the cost of that paragraph.
A display formula alone on its line is centred.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import (
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextImageFormat,
)

if TYPE_CHECKING:
    from client.render.maths import Formula, Prose

# The maths (client.render.maths, typeset, formula_images) is imported with the first reasoning
# written, not with the window: the inspector is empty at the first frame.

_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")


class ReasoningWriter:
    """Writes growing plain text into `document`, formulas as pictures."""

    def __init__(self, document: QTextDocument | Callable[[], QTextDocument]) -> None:
        # A view's document is asked for each time (pass `view.document`): PySide may hand out a
        # new wrapper for the same document and drop the old one, which then reads as deleted.
        self._document_of = document if callable(document) else (lambda: document)
        self._tail = ""  # the source of the paragraph still growing
        self._tail_start = 0  # where it starts in the document
        self._parts: list[Formula | Prose] = []  # how it is shown now

    @property
    def _doc(self) -> QTextDocument:
        return self._document_of()

    def set_text(self, text: str) -> None:
        """Start again with `text`."""
        self._doc.clear()
        self._tail, self._tail_start, self._parts = "", 0, []
        self.append(text)

    def append(self, delta: str) -> None:
        """Add `delta` at the end."""
        if not delta:
            return
        delta = delta.replace("\r\n", "\n").replace("\r", "\n")
        tail = self._tail + delta
        breaks = list(_PARAGRAPH_BREAK.finditer(tail))
        if breaks:
            cut = breaks[-1].end()
            self._write_tail(tail[:cut])  # finished: never touched again
            self._tail_start = self._end()
            self._tail, self._parts = "", []
            tail = tail[cut:]
        self._write_tail(tail)
        self._tail = tail

    def text(self) -> str:
        """Everything written, formulas as their sources."""
        from client.ui.conversation.formula_images import plain_text_with_sources

        return plain_text_with_sources(self._doc, 0, self._end())

    def _end(self) -> int:
        return max(0, self._doc.characterCount() - 1)

    def _write_tail(self, tail: str) -> None:
        from client.render.maths import Prose, split_maths

        parts: list[Formula | Prose] = (
            split_maths(tail) if ("$" in tail or "\\" in tail) else ([Prose(tail)] if tail else [])
        )
        old = self._parts
        cursor = QTextCursor(self._doc)
        cursor.beginEditBlock()
        if self._extends(old, parts):
            cursor.movePosition(QTextCursor.MoveOperation.End)
            start = len(old) - 1 if old else 0
            grown = parts[start].source[len(old[-1].source) :] if old else None
            if grown is not None:
                self._insert_prose(cursor, grown)
                start += 1
            self._insert(cursor, parts, start)
        else:
            cursor.setPosition(self._tail_start)
            cursor.movePosition(QTextCursor.MoveOperation.End, QTextCursor.MoveMode.KeepAnchor)
            cursor.removeSelectedText()
            cursor.setBlockFormat(QTextBlockFormat())
            self._insert(cursor, parts, 0)
        cursor.endEditBlock()
        self._parts = parts

    @staticmethod
    def _extends(old: list[Formula | Prose], new: list[Formula | Prose]) -> bool:
        """True when `new` is `old` with more text after it (its last prose grown, or more parts)."""
        from client.render.maths import Formula, Prose

        if not old:
            return True
        if len(new) < len(old) or new[: len(old) - 1] != old[:-1]:
            return False
        last, same = old[-1], new[len(old) - 1]
        if isinstance(last, Formula):
            return last == same
        return isinstance(same, Prose) and same.source.startswith(last.source)

    def _insert(self, cursor: QTextCursor, parts: list[Formula | Prose], start: int) -> None:
        from client.render.maths import Prose, stands_alone
        from client.render.typeset import formula_href

        for index in range(start, len(parts)):
            part = parts[index]
            if isinstance(part, Prose):
                self._insert_prose(cursor, part.source)
                continue
            image = QTextImageFormat()
            image.setName(formula_href(part.tex, part.display))
            image.setToolTip(part.source)
            image.setVerticalAlignment(QTextCharFormat.VerticalAlignment.AlignMiddle)
            if stands_alone(parts, index):
                block = cursor.blockFormat()
                block.setAlignment(Qt.AlignmentFlag.AlignHCenter)
                cursor.setBlockFormat(block)
            cursor.insertImage(image)

    @staticmethod
    def _insert_prose(cursor: QTextCursor, text: str) -> None:
        plain = QTextCharFormat()
        if cursor.blockFormat().alignment() & Qt.AlignmentFlag.AlignHCenter and "\n" in text:
            # The line after a centred formula is ordinary text again.
            first, rest = text.split("\n", 1)
            cursor.insertText(first, plain)
            cursor.insertBlock(QTextBlockFormat(), plain)
            text = rest
        if text:
            cursor.insertText(text.replace("\x00", "\ufffd"), plain)
