"""Rendering a streaming answer in slices, so no single update holds the GUI thread for long.

client.render's StreamingDocument renders each finished block once, which makes an update cost
what arrived. But a fast stream can deliver hundreds of blocks between two frames (30,000
characters in half a second at full speed), and rendering them all at once would freeze the
window for a quarter of a second. `PacedRenderer` feeds the document at most about a frame's
worth of work at a time and lets the event loop run in between; the pane catches up a moment
later instead of the window stalling.

After each write the layouts the answer's new height invalidates (its turn, the column, the
scroll area following the bottom) are settled at once, not one level per turn of the event loop:
otherwise every update is painted twice, first with the new text clipped at the answer's old
height, then again grown and scrolled, which cost a third of an update.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer, Slot
from PySide6.QtGui import QTextDocument

from client.ui.conversation.browser import StreamingWriter

if TYPE_CHECKING:  # the renderer loads after the window shows
    from client.render import StreamingDocument

SLICE_CHARS = 256
BUDGET_S = 0.004
#: Layout levels between an answer and the scroll area (turn, column, viewport), and one spare.
LAYOUT_LEVELS = 4


class PacedRenderer(QObject):
    """Feeds markdown to a StreamingDocument in time-boxed slices and writes the result.

    Signals: none.
    """

    def __init__(self, document: QTextDocument, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._writer = StreamingWriter(document)
        self._stream: StreamingDocument | None = None  # while the answer grows
        self._backlog = ""
        self._offset = 0
        self._rendered = 0
        self._reset = False
        self._finishing = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._on_timer_timeout)

    @property
    def active(self) -> bool:
        """True while the answer may still grow (between start() and the end of finish())."""
        return self._stream is not None

    @property
    def pending(self) -> int:
        """Characters received but not yet rendered."""
        return len(self._backlog) - self._offset

    @property
    def rendered_chars(self) -> int:
        """Characters of the answer in the document so far (the benchmark's byte-to-pixel)."""
        return self._rendered

    def start(self, text: str, theme: str) -> None:
        """Start again with `text` so far; more comes through feed()."""
        from client.render import StreamingDocument

        self._stream = StreamingDocument(theme=theme)
        self._backlog, self._offset, self._rendered = text, 0, 0
        self._reset, self._finishing = True, False
        self._drain()

    def feed(self, text: str) -> None:
        if self._stream is None or not text:
            return
        if self._offset:
            self._backlog, self._offset = self._backlog[self._offset :], 0
        self._backlog += text
        self._drain()

    def finish(self) -> None:
        """No more text: render what is left (in slices) and close the last block."""
        if self._stream is not None:
            self._finishing = True
            self._drain()

    def set_html(self, html: str) -> None:
        """Show finished HTML at once (a stored answer), dropping any streaming state."""
        self._timer.stop()
        self._stream, self._backlog, self._offset = None, "", 0
        self._writer.set_html(html)

    def flush(self) -> None:
        """Render everything pending now (tests, and a theme change that re-renders anyway)."""
        while self._stream is not None and (self.pending or self._finishing):
            self._drain(budget_s=float("inf"))

    @Slot()
    def _on_timer_timeout(self) -> None:
        self._drain()

    def _drain(self, budget_s: float = BUDGET_S) -> None:
        from client.render import RenderUpdate

        stream = self._stream
        if stream is None:
            return
        started = time.perf_counter()
        new_blocks: list[str] = []
        consumed = 0
        while self._offset < len(self._backlog):
            piece = self._backlog[self._offset : self._offset + SLICE_CHARS]
            self._offset += len(piece)
            consumed += len(piece)
            new_blocks.extend(stream.extend(piece))
            if time.perf_counter() - started > budget_s:
                break
        tail: str | None = None
        if self._offset >= len(self._backlog):
            self._backlog, self._offset = "", 0
            if self._finishing:
                update = stream.finish()
                new_blocks.extend(update.new_blocks_html)
                tail = ""
                self._stream, self._finishing = None, False
        if tail is None and (consumed or self._reset):
            tail = stream.render_tail()  # once per slice of work, however many pieces it took
        self._rendered += consumed
        if tail is not None or new_blocks or self._reset:
            self._writer.apply(RenderUpdate(tuple(new_blocks), tail or "", self._reset))
            self._reset = False
            settle_layouts()
        if self.pending:
            self._timer.start()


def settle_layouts() -> None:
    """Run the layout requests posted so far, and those they post in turn, now: a widget that
    grew reaches its final place before the next paint, which then happens once."""
    for _ in range(LAYOUT_LEVELS):
        QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
