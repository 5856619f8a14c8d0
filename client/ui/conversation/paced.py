"""Rendering a streaming answer's markdown on a thread of its own, and writing it in slices.

client.render's StreamingDocument renders each finished block once, which makes an update cost
what arrived. That cost is Python-Markdown, pygments and nh3: pure Python for the most part, a
millisecond or two for each update of an ordinary answer, and a quarter of a second for the
30,000 characters a fast stream can deliver between two frames. On the GUI thread it made an
answer update cost half as much again as a reasoning update (bench/run.py stream), and a fast
answer would freeze the window.

So the markdown runs on one render thread shared by all answers (`_RenderThread`); the GUI
thread only writes the HTML it produced into the document. The thread works while the GUI
thread waits for events (it never touches a Qt object, so nothing of Qt's is ever created or
freed there), in slices of `SLICE_CHARS`, and says when a slice is ready; the window writes at
most about a frame's worth (`BUDGET_S`) of finished blocks at a time and lets the event loop run
in between, so even a burst of hundreds of blocks never stalls it.

After each write the layouts the answer's new height invalidates (its turn, the column, the
scroll area following the bottom) are settled at once, not one level per turn of the event loop:
otherwise every update is painted twice, first with the new text clipped at the answer's old
height, then again grown and scrolled.
"""

from __future__ import annotations

import itertools
import queue
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer, Signal, Slot
from PySide6.QtGui import QTextDocument

from client.ui.conversation.browser import StreamingWriter

if TYPE_CHECKING:  # the renderer loads after the window shows
    from client.render import StreamingDocument

SLICE_CHARS = 1024
BUDGET_S = 0.004
#: Layout levels between an answer and the scroll area (turn, column, viewport), and one spare.
LAYOUT_LEVELS = 4
_keys = itertools.count(1)  # names renderers in the mailbox (ids of freed objects come back)


@dataclass
class _Work:
    """One answer's rendering, shared by the window (which adds text and takes HTML) and the
    render thread (which turns one into the other). Plain Python: the thread must never hold
    the last reference to a Qt object. Every field is guarded by `lock`."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    generation: int = 0  # bumped by start() and set_html(): older output is dropped
    stream: StreamingDocument | None = None  # the thread's; None once finished or replaced
    text: str = ""  # received, not yet rendered
    finishing: bool = False  # finish() asked: close the last block once `text` is rendered
    queued: bool = False  # a job for this answer waits on the thread's queue
    # Rendered, not yet written: finished blocks (with the characters each slice covered), the
    # tail after the last of them, whether the document starts over, whether it is finished.
    blocks: list[tuple[str, int]] = field(default_factory=list)
    tail: str | None = None
    tail_chars: int = 0
    reset: bool = False
    finished: bool = False
    failed: bool = False  # the renderer raised: nothing more will come


class _Mailbox(QObject):
    """Lives on the GUI thread; the render thread posts "this answer has output" through it.

    Signals:
        sig_ready(int): output of the renderer with this key is ready (queued to the GUI thread).
    """

    sig_ready = Signal(int)

    def __init__(self) -> None:
        super().__init__()
        self.renderers: dict[int, PacedRenderer] = {}
        self.sig_ready.connect(self._on_self_ready)

    @Slot(int)
    def _on_self_ready(self, key: int) -> None:
        renderer = self.renderers.get(key)
        if renderer is not None:
            renderer.write_ready()


class _RenderThread:
    """The one thread that renders answers' markdown, started with the first answer."""

    _instance: _RenderThread | None = None

    def __init__(self, mailbox: _Mailbox) -> None:
        self.mailbox = mailbox
        self._jobs: queue.SimpleQueue[tuple[int, _Work]] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="thinkpane-render", daemon=True)
        self._thread.start()

    @classmethod
    def instance(cls) -> _RenderThread:
        if cls._instance is None:
            mailbox = _Mailbox()
            mailbox.setParent(QCoreApplication.instance())  # lives as long as the app
            cls._instance = _RenderThread(mailbox)
        return cls._instance

    def submit(self, key: int, work: _Work) -> None:
        """Render what `work` holds (call with work.lock held)."""
        if not work.queued:
            work.queued = True
            self._jobs.put((key, work))

    def _run(self) -> None:
        while True:
            key, work = self._jobs.get()
            try:
                more = _render_slice(work)
            except Exception:  # a bug in the renderer must not end the thread for all answers
                import logging

                logging.getLogger(__name__).exception("rendering an answer failed")
                with work.lock:  # the window keeps what it shows and stops waiting for more
                    work.queued, work.text, work.finishing = False, "", False
                    work.stream, work.failed = None, True
            else:
                if more:
                    self._jobs.put((key, work))  # after the other answers' turn
            try:
                self.mailbox.sig_ready.emit(key)
            except RuntimeError:  # the application is gone
                return


def _render_slice(work: _Work) -> bool:
    """Render one slice of `work` (on the render thread); True if more is left."""
    with work.lock:
        stream, generation = work.stream, work.generation
        if stream is None:  # replaced by finished HTML, or already finished
            work.queued = False
            return False
        piece = work.text[:SLICE_CHARS]
        finishing = work.finishing and len(work.text) <= SLICE_CHARS
    # The markdown itself, outside the lock: the window may add text meanwhile.
    blocks = stream.extend(piece) if piece else []
    if finishing:
        blocks.extend(stream.finish().new_blocks_html)
        tail = ""
    else:
        tail = stream.render_tail()
    with work.lock:
        if work.generation != generation:  # started again or replaced meanwhile: go on with
            more = work.stream is not None and (bool(work.text) or work.finishing)  # the new
            work.queued = more
            return more
        work.text = work.text[len(piece) :]
        if blocks:  # they carry the characters of earlier slices whose tail was not written
            work.blocks.append(("\n".join(blocks), len(piece) + work.tail_chars))
            work.tail, work.tail_chars = tail, 0
        else:
            work.tail = tail
            work.tail_chars += len(piece)
        if finishing:
            work.finishing, work.finished, work.stream = False, True, None
        more = bool(work.text) or work.finishing
        work.queued = more
        return more


class PacedRenderer(QObject):
    """Feeds markdown to the render thread and writes what it renders into `document`.

    Signals: none.
    """

    def __init__(self, document: QTextDocument, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._writer = StreamingWriter(document)
        self._work = _Work()
        self._active = False  # between start() and the written end of finish()
        self._received = 0
        self._rendered = 0
        self._thread: _RenderThread | None = None
        self._key = next(_keys)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.write_ready)
        # Text fed during an update goes to the thread once the window has painted it
        # (`_submit_later`): rendering meanwhile, the thread would make the GUI thread wait
        # for the interpreter lock at each of its returns into Python.
        self._submit_timer = QTimer(self)
        self._submit_timer.setSingleShot(True)
        self._submit_timer.setInterval(0)
        self._submit_timer.timeout.connect(self._submit_later)
        self.destroyed.connect(_forget(self._key))

    @property
    def active(self) -> bool:
        """True while the answer may still grow (between start() and the end of finish())."""
        return self._active

    @property
    def pending(self) -> int:
        """Characters received but not yet in the document, plus one while finish() is not
        written yet: 0 means the document shows everything."""
        return self._received - self._rendered + (1 if self._active and self._closing() else 0)

    @property
    def rendered_chars(self) -> int:
        """Characters of the answer in the document so far (the benchmark's byte-to-pixel)."""
        return self._rendered

    def start(self, text: str, theme: str) -> None:
        """Start again with `text` so far; more comes through feed()."""
        from client.render import StreamingDocument

        work = self._work
        with work.lock:
            work.generation += 1
            work.stream = StreamingDocument(theme=theme)
            work.text, work.finishing, work.finished, work.failed = text, False, False, False
            work.blocks, work.tail, work.tail_chars, work.reset = [], None, 0, True
            self._submit()
        self._active, self._received, self._rendered = True, len(text), 0

    def feed(self, text: str) -> None:
        if not self._active or not text:
            return
        work = self._work
        with work.lock:
            work.text += text
        self._received += len(text)
        self._submit_timer.start()

    def finish(self) -> None:
        """No more text: render what is left and close the last block."""
        if not self._active:
            return
        work = self._work
        with work.lock:
            if work.stream is not None and not work.finishing:
                work.finishing = True
                self._submit()

    def set_html(self, html: str) -> None:
        """Show finished HTML at once (a stored answer), dropping any streaming state."""
        self._timer.stop()
        self._submit_timer.stop()
        work = self._work
        with work.lock:
            work.generation += 1
            work.stream, work.text, work.finishing, work.failed = None, "", False, False
            work.blocks, work.tail, work.finished, work.reset = [], None, False, False
        self._active = False
        self._received = self._rendered = 0
        self._writer.set_html(html)

    @Slot()
    def _submit_later(self) -> None:
        with self._work.lock:
            self._submit()

    def _submit(self) -> None:
        if self._thread is None:
            self._thread = _RenderThread.instance()
            self._thread.mailbox.renderers[self._key] = self
        self._thread.submit(self._key, self._work)

    def _closing(self) -> bool:
        with self._work.lock:
            return self._work.finishing or self._work.finished

    @Slot()
    def write_ready(self, budget_s: float = BUDGET_S) -> None:
        """Write what the render thread has finished: a batch of blocks at a time for about
        `budget_s`, the last batch together with the tail that follows it."""
        from client.render import RenderUpdate

        work = self._work
        with work.lock:
            failed, work.failed = work.failed, False
        if failed:
            self._active, self._rendered = False, self._received
        started = time.perf_counter()
        written = False
        while True:
            with work.lock:
                if not (work.blocks or work.tail is not None or work.finished):
                    break  # nothing yet (a reset waits for the first output: no blank flash)
                reset, work.reset = work.reset, False
                html, chars = work.blocks.pop(0) if work.blocks else ("", 0)
                last = not work.blocks
                tail, tail_chars, finished = None, 0, False
                if last:
                    tail, tail_chars, finished = work.tail, work.tail_chars, work.finished
                    work.tail, work.tail_chars, work.finished = None, 0, False
            if html or tail is not None or reset:
                blocks = (html,) if html else ()
                # A batch before the last drops the tail shown; the last batch brings the new one.
                self._writer.apply(RenderUpdate(blocks, tail or "", reset))
                self._rendered += chars + tail_chars
                written = True
            if finished:
                self._active = False
            if last:
                break
            if time.perf_counter() - started > budget_s:
                self._timer.start()  # the rest after the event loop has run
                break
        if written:
            settle_layouts()


def _forget(key: int):  # type: ignore[no-untyped-def]
    def forget(*_args: object) -> None:
        thread = _RenderThread._instance
        if thread is not None:
            thread.mailbox.renderers.pop(key, None)

    return forget


def settle_layouts() -> None:
    """Run the layout requests posted so far, and those they post in turn, now: a widget that
    grew reaches its final place before the next paint, which then happens once."""
    for _ in range(LAYOUT_LEVELS):
        QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
