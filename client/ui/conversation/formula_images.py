"""Formula pictures for Qt's rich text: made in a worker process, cached, swapped in when ready.

client.render puts each formula in the HTML as ``<img src="thinkpane-math:…">`` (see
client/render/typeset.py). A document asks for that picture through `loadResource`; this module
answers: `FormulaImages` (one for the application) keeps pictures by `FormulaKey` (TeX, display,
size in device pixels, colour), and has the missing ones made in a worker process
(formula_worker.py: ziamath typesets, QtSvg draws at the screen's pixel ratio in the text
colour; the window's interpreter does neither), from a thread that waits for the pixels.
Until a picture is ready the document shows the formula's source in a quiet colour, and once
it is ready only the places showing that formula are laid out again: nothing else of the
answer is re-rendered.

A formula that cannot be typeset (malformed, refused as hostile, over its time or size limit)
stays its source text in the quiet colour: no dialog, no error; `FormulaImages.reason` says why.

Inline pictures are padded so that, placed with Qt's ``align="middle"`` (centred on half the
x-height above the baseline), the formula's own baseline sits on the line's baseline.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QCoreApplication,
    QObject,
    QPointF,
    Qt,
    QTimer,
    QUrl,
    Signal,
    Slot,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontInfo,
    QFontMetricsF,
    QImage,
    QPainter,
    QPalette,
    QTextCharFormat,
    QTextDocument,
    QTextImageFormat,
)
from PySide6.QtWidgets import QWidget

from client.render.maths import Formula
from client.render.typeset import (
    MATH_SCHEME,
    FormulaError,
    FormulaKey,
    formula_href,
    formula_of_href,
)
from client.ui.conversation.formula_worker import FormulaWorker

MATH_PREFIX = MATH_SCHEME  # the addresses client.render gives formula pictures
#: How many pictures are kept; a long conversation full of maths has a few hundred.
CACHE_SIZE = 3_000
#: Pictures that arrive within this long are swapped into a document in one go.
SWAP_INTERVAL_MS = 120
#: Maths fonts look small beside text fonts at the same size.
SIZE_FACTOR = 1.12


@dataclass
class FormulaStats:
    """What the cache did, for `bench/run.py math` and the tests."""

    hits: int = 0
    misses: int = 0
    typeset: int = 0
    failed: int = 0
    typeset_s: float = 0.0

    @property
    def hit_rate(self) -> float:
        asked = self.hits + self.misses
        return self.hits / asked if asked else 0.0


@dataclass(frozen=True, slots=True)
class _Done:
    key: FormulaKey
    image: QImage | None  # None: could not be typeset
    reason: str
    seconds: float


class FormulaImages(QObject):
    """The application's formula pictures: a cache, and one thread that fills it from the
    typesetting process (`typesetter`), so the GUI thread never waits for a formula.

    Signals:
        sig_ready(str): the picture of this ``thinkpane-math:`` address (in some size and
            colour) is ready, or known not to be typeset; documents showing it refresh.
    """

    sig_ready = Signal(str)
    _sig_done = Signal(object)  # from the worker thread to the GUI thread (queued)

    _instance: FormulaImages | None = None

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pictures: OrderedDict[FormulaKey, QImage | None] = OrderedDict()
        self._reasons: dict[FormulaKey, str] = {}  # why a formula is not typeset
        self._pending: set[FormulaKey] = set()
        from concurrent.futures import ThreadPoolExecutor  # with the first formula: 5 ms

        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="formulas")
        self.typesetter = FormulaWorker()
        self.stats = FormulaStats()
        self._closed = False
        self._sig_done.connect(self._on_self_done, Qt.ConnectionType.QueuedConnection)

    @classmethod
    def instance(cls) -> FormulaImages:
        """The one shared by every document of the application (made on first use)."""
        if cls._instance is None:
            cls._instance = FormulaImages()
            app = QCoreApplication.instance()
            if app is not None:  # quitting never waits for formulas still queued
                app.aboutToQuit.connect(cls._instance.shutdown)
        return cls._instance

    def shutdown(self) -> None:
        """Stop taking work, drop what is queued and end the typesetting process now (the
        application quits: nothing waits for a formula)."""
        self._closed = True
        self._worker.shutdown(wait=False, cancel_futures=True)
        self.typesetter.shutdown()

    def stop(self) -> None:
        """End the typesetting process (the window closed); a formula asked for later, or
        still queued, starts a new one."""
        self.typesetter.stop()

    @classmethod
    def stop_if_running(cls) -> None:
        """`stop()` the shared instance if there is one: a window that never showed a formula
        makes none (nor a thread pool) only to stop it."""
        if cls._instance is not None:
            cls._instance.stop()

    def clear(self) -> None:
        """Forget every picture (a benchmark's cold start)."""
        self._pictures.clear()
        self._reasons.clear()
        self.stats = FormulaStats()

    def reason(self, key: FormulaKey) -> str:
        """Why `key`'s formula is shown as its source ("" if it is not, or not known yet)."""
        return self._reasons.get(key, "")

    @property
    def pending(self) -> int:
        """Formulas waiting to be typeset."""
        return len(self._pending)

    def picture(self, key: FormulaKey, x_height: float) -> tuple[bool, QImage | None]:
        """(known, picture) for `key`: (True, image) when typeset, (True, None) when it cannot
        be, (False, None) while it is still being typeset (asked for now if it was not)."""
        if key in self._pictures:
            self.stats.hits += 1
            self._pictures.move_to_end(key)
            return True, self._pictures[key]
        self.stats.misses += 1
        if key not in self._pending and not self._closed:
            self._pending.add(key)
            self._worker.submit(self._typeset, key, x_height)
        return False, None

    def _typeset(self, key: FormulaKey, x_height: float) -> None:
        # The formulas thread: it waits on the worker process's pipe; the QImage it gets is
        # a copy of the pixels received, handed to the GUI thread by a queued signal.
        started = time.perf_counter()
        image: QImage | None = None
        reason = ""
        try:
            image = self.typesetter.picture(key, x_height)
        except FormulaError as error:
            reason = str(error)
        except Exception as error:  # never let one formula take the worker down
            reason = f"the formula could not be drawn ({type(error).__name__})"
        self._sig_done.emit(_Done(key, image, reason, time.perf_counter() - started))

    @Slot(object)
    def _on_self_done(self, done: _Done) -> None:
        self._pending.discard(done.key)
        self._pictures[done.key] = done.image
        if done.image is None:
            self._reasons[done.key] = done.reason
        self.stats.typeset += done.image is not None
        self.stats.failed += done.image is None
        self.stats.typeset_s += done.seconds
        while len(self._pictures) > CACHE_SIZE:
            dropped, _ = self._pictures.popitem(last=False)
            self._reasons.pop(dropped, None)
        self.sig_ready.emit(formula_href(done.key.tex, done.key.display))


def source_image(source: str, font: QFont, colour: QColor, ratio: float) -> QImage:
    """The formula's source as a picture of quiet text: shown until (or instead of) the typeset one."""
    metrics = QFontMetricsF(font)
    lines = source.split("\n")
    width = max(metrics.horizontalAdvance(line) for line in lines) + 2
    height = metrics.lineSpacing() * len(lines)
    image = QImage(
        max(1, math.ceil(width * ratio)),
        max(1, math.ceil(height * ratio)),
        QImage.Format.Format_ARGB32_Premultiplied,
    )
    image.setDevicePixelRatio(ratio)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setFont(font)
    painter.setPen(colour)
    for number, line in enumerate(lines):
        painter.drawText(QPointF(1, metrics.ascent() + number * metrics.lineSpacing()), line)
    painter.end()
    return image


class FormulaResources(QObject):
    """One document's formula pictures: answers `loadResource` and refreshes what became ready.

    A child of the document it serves (so it lives and dies with it, and Qt drops its
    connections then: no Python callback runs while a document is being destroyed). The
    document's owner (a browser, or the Steps view's rows) calls `resource(name)` from its
    `loadResource`; when a picture arrives, it is put into the document and only the characters
    showing it are laid out again.

    Signals:
        sig_refreshed(): pictures were swapped into the document (a row may have a new height).
    """

    sig_refreshed = Signal()

    def __init__(self, document: QTextDocument) -> None:
        super().__init__(document)
        self._font = QFont()
        self._text = QColor("#000000")
        self._quiet = QColor("#808080")
        self._ratio = 1.0
        # (TeX, display) of the formulas shown as source until their picture arrives; by meaning,
        # not address: QUrl may spell an address's percent-escapes differently.
        self._waiting: dict[tuple[str, bool], set[str]] = {}
        self._arrived: set[str] = set()
        self._swap_timer = QTimer(self)
        self._swap_timer.setSingleShot(True)
        self._swap_timer.setInterval(SWAP_INTERVAL_MS)
        self._swap_timer.timeout.connect(self._on_swap_timer_timeout)
        FormulaImages.instance().sig_ready.connect(self._on_images_ready)

    @property
    def _document(self) -> QTextDocument:
        parent = self.parent()
        assert isinstance(parent, QTextDocument)
        return parent

    def set_look(self, font: QFont, palette: QPalette, ratio: float) -> None:
        """The text's font, the palette's text and quiet colours, the screen's pixel ratio."""
        self._font = QFont(font)
        self._text = palette.color(QPalette.ColorRole.Text)
        self._quiet = palette.color(QPalette.ColorRole.PlaceholderText)
        self._ratio = ratio or 1.0

    def refresh_look(self) -> None:
        """Draw every formula of the document again in the current look (a new theme or font)."""
        names: set[str] = set()
        cursor = self._document.find("\ufffc")
        while not cursor.isNull():
            fmt = cursor.charFormat()
            name = fmt.toImageFormat().name() if fmt.isImageFormat() else ""
            if name.startswith(MATH_PREFIX):
                names.add(name)
            cursor = self._document.find("\ufffc", cursor)
        for name in names:
            image = self.resource(name)
            if image is not None:
                self._document.addResource(
                    QTextDocument.ResourceType.ImageResource, QUrl(name), image
                )
        if names:
            self._document.markContentsDirty(0, self._document.characterCount())

    @property
    def outstanding(self) -> int:
        """Formulas shown as their source that will be swapped for a picture when it arrives."""
        return sum(map(len, self._waiting.values())) + len(self._arrived)

    def key(self, tex: str, display: bool) -> FormulaKey:
        pixels = QFontInfo(self._font).pixelSize() * self._ratio * SIZE_FACTOR
        return FormulaKey(tex, display, round(pixels, 1), self._text.name(), self._ratio)

    def resource(self, name: str) -> QImage | None:
        """The image for a ``thinkpane-math:`` address (typeset, or the source for now)."""
        decoded = formula_of_href(name)
        if decoded is None:
            return None
        tex, display = decoded
        x_height = QFontMetricsF(self._font).xHeight() * self._ratio
        known, image = FormulaImages.instance().picture(self.key(tex, display), x_height)
        if image is not None:
            return image  # made at this pixel ratio (the key says so): shared, not copied
        if not known:
            self._waiting.setdefault(decoded, set()).add(name)
        source = f"$${tex}$$" if display else f"${tex}$"
        return source_image(source, self._font, self._quiet, self._ratio)

    @Slot(str)
    def _on_images_ready(self, address: str) -> None:
        decoded = formula_of_href(address)
        names = self._waiting.pop(decoded, None) if decoded is not None else None
        if not names:
            return
        # Pictures arriving together are swapped in together: one layout pass, not one each.
        self._arrived |= names
        if not self._swap_timer.isActive():
            self._swap_timer.start()

    @Slot()
    def _on_swap_timer_timeout(self) -> None:
        names, self._arrived = self._arrived, set()
        document = self._document
        for name in names:
            image = self.resource(name)
            if image is not None:
                document.addResource(QTextDocument.ResourceType.ImageResource, QUrl(name), image)
        # By meaning: the document's own spelling of an address may differ from QUrl's.
        arrived = {formula_of_href(name) for name in names}
        cursor = document.find("\ufffc")
        while not cursor.isNull():
            fmt = cursor.charFormat()
            if fmt.isImageFormat() and formula_of_href(fmt.toImageFormat().name()) in arrived:
                document.markContentsDirty(cursor.selectionStart(), 1)
            cursor = document.find("\ufffc", cursor)
        self.sig_refreshed.emit()


def formula_source_at(document: QTextDocument, position: int) -> str | None:
    """The source of the formula picture at `position` of `document`, else None."""
    cursor = document.find("\ufffc", position)
    if cursor.isNull() or cursor.selectionStart() != position:
        return None
    fmt = cursor.charFormat()
    if not fmt.isImageFormat() or not fmt.toImageFormat().name().startswith(MATH_PREFIX):
        return None
    return fmt.toolTip() or _source_of(fmt.toImageFormat().name())


def _source_of(name: str) -> str:
    decoded = formula_of_href(name)
    if decoded is None:
        return ""
    tex, display = decoded
    return f"$${tex}$$" if display else f"${tex}$"


def plain_text_with_sources(document: QTextDocument, start: int, end: int) -> str:
    """The text between `start` and `end` with each formula picture as its source."""
    from PySide6.QtGui import QTextCursor

    cursor = QTextCursor(document)
    cursor.setPosition(start)
    cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
    text = cursor.selection().toPlainText()
    if "\ufffc" not in text:
        return text
    sources: list[str] = []
    found = document.find("\ufffc", start)
    while not found.isNull() and found.selectionStart() < end:
        sources.append(formula_source_at(document, found.selectionStart()) or "\ufffc")
        found = document.find("\ufffc", found)
    pieces = text.split("\ufffc")
    out = [pieces[0]]
    for index, piece in enumerate(pieces[1:]):
        out.append(sources[index] if index < len(sources) else "")
        out.append(piece)
    return "".join(out)


class FormulaDocument(QTextDocument):
    """A document of its own (a row of the Steps view) that draws formula pictures.

    `look_from` gives the font, colours and pixel ratio; `formulas.sig_refreshed` says when a
    picture arrived, so the owner can repaint.
    """

    def __init__(self, look_from: QWidget) -> None:
        super().__init__()
        self.formulas = FormulaResources(self)
        self.formulas.set_look(look_from.font(), look_from.palette(), look_from.devicePixelRatioF())

    def loadResource(self, type_: int, name: QUrl | str) -> Any:  # noqa: N802 - Qt's name
        address = name.toString() if isinstance(name, QUrl) else name
        if address.startswith(MATH_PREFIX):
            return self.formulas.resource(address)
        return None  # nothing else is ever loaded


def typeset_in_place(
    document: QTextDocument, places: list[tuple[int, int, Formula]]
) -> Callable[[int], int]:
    """Replace each (start, end, formula) range of `document` by the formula's picture.

    Ranges are document positions, in order, not overlapping. Returns where a position of the
    document before the replacement is now (a position inside a formula goes to its picture).
    """
    from PySide6.QtGui import QTextCursor

    cursor = QTextCursor(document)
    for start, end, formula in reversed(places):
        cursor.setPosition(start)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        image = QTextImageFormat()
        image.merge(cursor.charFormat())
        image.setName(formula_href(formula.tex, formula.display))
        image.setToolTip(formula.source)
        image.setVerticalAlignment(QTextCharFormat.VerticalAlignment.AlignMiddle)
        cursor.removeSelectedText()
        cursor.insertImage(image)
    starts = [start for start, _, _ in places]
    removed = [end - start - 1 for start, end, _ in places]

    def moved(position: int) -> int:
        shift = 0
        for index, start in enumerate(starts):
            end = start + removed[index] + 1
            if position >= end:
                shift += removed[index]
            elif position > start:
                return start - shift + 1  # inside: just after the picture
            else:
                break
        return position - shift

    return moved
