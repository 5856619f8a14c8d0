"""The spend view's bar chart: each group's cost, its reasoning share, and the part never shown.

Drawn with QPainter (PySide6-Essentials has no QtCharts): the reasoning share in the palette's
highlight colour and the hidden part hatched, so it reads in light and dark alike. With nothing
charged (local models only), the bars show output tokens instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QSizePolicy, QWidget

from client.budget import SpendReport
from client.core import format as fmt
from client.store.ledger import TIME_GROUPINGS

LEGEND = ("reasoning", "not shown by the provider", "everything else")
_NO_QUERIES = "No queries in this period."
_NO_FIGURES = "Nothing with a known price or token count in this period."
_TOKENS_ONLY = "Nothing was charged in this period: the bars show output tokens."


@dataclass(frozen=True)
class _Bar:
    label: str
    value: Decimal
    reasoning: Decimal
    hidden: Decimal
    text: str


class SpendChart(QWidget):
    """Horizontal bars, one a group (the dearest first, the rest summed into one), each split
    into reasoning (highlight colour; hidden reasoning hatched) and everything else (mid grey).
    With nothing charged (local models only), the bars show output tokens instead."""

    MAX_BARS = 10

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bars: list[_Bar] = []
        self.caption = _NO_QUERIES
        self._by_time = False
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setAutoFillBackground(True)
        self.setBackgroundRole(QPalette.ColorRole.Base)
        self.setAccessibleName("Spend chart")

    def set_report(self, report: SpendReport) -> None:
        money = Decimal(report.total["cost"]) > 0
        names = ("cost", "reasoning_cost", "hidden_reasoning_cost") if money else (
            "output_tokens", "reasoning_tokens", None)  # fmt: skip

        def figures(g: dict[str, Any]) -> tuple[str, Decimal, Decimal, Decimal]:
            value, reasoning, hidden = (Decimal(g[n]) if n else Decimal(0) for n in names)
            return report.label(g["key"]), value, reasoning, hidden

        self._by_time = report.by in TIME_GROUPINGS
        if self._by_time:
            # Periods read as a time line, oldest first; only the latest fit.
            by_time = sorted(report.groups, key=lambda g: str(g["key"]))
            rows = [f for f in map(figures, by_time) if f[1] > 0][-self.MAX_BARS :]
        else:
            rows = sorted((f for f in map(figures, report.groups) if f[1] > 0), key=lambda f: -f[1])
        if len(rows) > self.MAX_BARS:
            rest = rows[self.MAX_BARS - 1 :]
            zero = Decimal(0)
            v, r, h = (sum((f[1] for f in rest), zero), sum((f[2] for f in rest), zero),
                       sum((f[3] for f in rest), zero))  # fmt: skip
            rows = [*rows[: self.MAX_BARS - 1], (f"{len(rest)} others", v, r, h)]
        self.bars = [_Bar(label, v, r, h, self._text(v, r, money)) for label, v, r, h in rows]
        if self.bars:
            self.caption = "" if money else _TOKENS_ONLY
        else:
            self.caption = _NO_FIGURES if report.total["queries"] else _NO_QUERIES
        self.setAccessibleDescription(self.summary_sentence())
        self.updateGeometry()
        self.update()

    def summary_sentence(self) -> str:
        """The chart in one sentence, for a screen reader (the table below has every figure)."""
        if not self.bars:
            return self.caption
        bars = "; ".join(f"{b.label}: {b.text}" for b in self.bars)
        order = "oldest first" if self._by_time else "largest first"
        caption = f" {self.caption}" if self.caption else ""
        count = f"{len(self.bars)} bar" + ("s" if len(self.bars) > 1 else "")
        return f"{count}, {order}: {bars}.{caption}"

    @staticmethod
    def _text(value: Decimal, reasoning: Decimal, money: bool) -> str:
        text = fmt.money(value) if money else fmt.tokens(int(value))
        if reasoning > 0:
            text += f" · {reasoning / value * 100:.0f}% reasoning"
        return text

    def legend(self) -> list[str]:
        """The legend's entries: "not shown by the provider" only when some of it was hidden."""
        hidden = any(bar.hidden > 0 for bar in self.bars)
        return [words for words in LEGEND if hidden or words != LEGEND[1]]

    def _row_height(self) -> int:
        return self.fontMetrics().height() + 12

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        rows = max(len(self.bars), 2) + 1 + (1 if self.caption else 0)
        return QSize(560, rows * self._row_height() + 24)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(240, 3 * self._row_height())

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal, fm = self.palette(), self.fontMetrics()
        text = pal.color(QPalette.ColorRole.Text)
        muted = pal.color(QPalette.ColorRole.PlaceholderText)
        accent, other = pal.color(QPalette.ColorRole.Highlight), pal.color(QPalette.ColorRole.Mid)
        hatch = QBrush(pal.color(QPalette.ColorRole.Base), Qt.BrushStyle.BDiagPattern)
        row_h, bar_h, margin = self._row_height(), fm.height() + 2, 12
        middle = Qt.AlignmentFlag.AlignVCenter
        width = self.width() - 2 * margin
        y = margin
        if self.caption:
            painter.setPen(muted)
            flags = Qt.AlignmentFlag.AlignLeft if self.bars else Qt.AlignmentFlag.AlignCenter
            painter.drawText(QRectF(margin, y, width, row_h), flags | middle, self.caption)
            y += row_h
        if not self.bars:
            return
        # Legend: what each colour means.
        x = float(margin)
        swatches = dict(zip(LEGEND, ((accent, False), (accent, True), (other, False)), strict=True))
        for words in self.legend():
            colour, hatched = swatches[words]
            swatch = QRectF(x, y + (row_h - fm.height()) / 2 + 2, fm.height() - 4, fm.height() - 4)
            painter.fillRect(swatch, colour)
            if hatched:
                painter.fillRect(swatch, hatch)
            painter.setPen(text)
            x = swatch.right() + 6
            painter.drawText(QRectF(x, y, width, row_h), middle, words)
            x += fm.horizontalAdvance(words) + 18
        y += row_h
        # +4: an advance is rounded, and elidedText elides a text that fits only to the pixel.
        widest = max(fm.horizontalAdvance(b.label) for b in self.bars) + 4
        label_w = min(widest, int(width * 0.3)) + 12
        value_w = max(fm.horizontalAdvance(b.text) for b in self.bars) + 12
        room = max(width - label_w - value_w, 20)
        largest = max(b.value for b in self.bars)
        for bar in self.bars:
            painter.setPen(text)
            label = fm.elidedText(bar.label, Qt.TextElideMode.ElideMiddle, label_w - 12)
            painter.drawText(QRectF(margin, y, label_w - 12, row_h), middle, label)
            left, top = margin + label_w, y + (row_h - bar_h) / 2
            length = max(float(bar.value / largest) * room, 2.0)
            shares = (float(bar.reasoning / bar.value), float(bar.hidden / bar.value))
            painter.fillRect(QRectF(left, top, length, bar_h), other)
            painter.fillRect(QRectF(left, top, length * shares[0], bar_h), accent)
            if shares[1] > 0:
                painter.fillRect(QRectF(left, top, length * shares[1], bar_h), hatch)
            painter.drawText(QRectF(left + length + 8, y, value_w, row_h), middle, bar.text)
            y += row_h
