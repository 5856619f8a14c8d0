"""A prompt set's chart: what each setting cost against how often it gave the majority answer.

One point per column: across, its total cost over the set; up, the share of its runs giving
their prompt's majority answer. The verdict (the cheapest setting still giving the majority
answer) is ringed and starred. Drawn with QPainter (PySide6-Essentials has no QtCharts), in the
palette's colours so it reads in light and dark alike. Its accessible description says every
point in words; the table beside it has every figure.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from client.compare.prompt_set import SetSummary
from client.core import format as fmt

_EMPTY = "No prompt has finished yet."


@dataclass(frozen=True)
class Point:
    label: str
    cost: Decimal
    share: float  # runs giving the majority answer, 0..1
    verdict: bool

    def words(self) -> str:
        mark = " (the cheapest still giving the majority answer)" if self.verdict else ""
        return f"{self.label}: {fmt.money(self.cost)}, {self.share:.0%} of runs{mark}"


class CostAgreementChart(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.points: list[Point] = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAutoFillBackground(True)
        self.setBackgroundRole(QPalette.ColorRole.Base)
        self.setAccessibleName("Cost against agreement with the majority answer")
        self.setAccessibleDescription(_EMPTY)

    def set_summary(self, summary: SetSummary) -> None:
        self.points = [
            Point(c.label, c.cost, c.majority_accuracy or 0.0, c.cheapest_majority)
            for c in summary.columns
            if c.runs
        ]
        self.setAccessibleDescription(self.summary_sentence())
        self.update()

    def summary_sentence(self) -> str:
        """The chart in words, for a screen reader."""
        if not self.points:
            return _EMPTY
        return (
            "Total cost across, share of runs giving the majority answer up, one point per "
            "setting: " + "; ".join(p.words() for p in self.points) + "."
        )

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(420, 300)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(260, 200)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal, fm = self.palette(), self.fontMetrics()
        text = pal.color(QPalette.ColorRole.Text)
        muted = pal.color(QPalette.ColorRole.PlaceholderText)
        accent = pal.color(QPalette.ColorRole.Highlight)
        line_h = fm.height()
        left = fm.horizontalAdvance("100%") + 16
        plot = QRectF(left, line_h + 12, self.width() - left - 24, self.height() - 3 * line_h - 28)
        if not self.points or plot.width() < 40 or plot.height() < 40:
            painter.setPen(muted)
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, _EMPTY)
            return
        top_cost = max((p.cost for p in self.points), default=Decimal(0))
        top_cost = top_cost * Decimal("1.1") if top_cost > 0 else Decimal(1)
        # axes and grid: 0%, 50%, 100% up; $0 and the largest cost across
        painter.setPen(QPen(muted, 1, Qt.PenStyle.DotLine))
        for share in (0.0, 0.5, 1.0):
            y = plot.bottom() - share * plot.height()
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            painter.drawText(
                QRectF(0, y - line_h / 2, left - 8, line_h),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                f"{share:.0%}",
            )
        painter.setPen(QPen(text, 1))
        painter.drawLine(plot.bottomLeft(), plot.bottomRight())
        painter.drawLine(plot.bottomLeft(), plot.topLeft())
        below = plot.bottom() + 4
        painter.drawText(QRectF(plot.left(), below, 120, line_h), Qt.AlignmentFlag.AlignLeft, "$0")
        painter.drawText(
            QRectF(plot.right() - 160, below, 160, line_h),
            Qt.AlignmentFlag.AlignRight,
            fmt.money(top_cost),
        )
        painter.setPen(muted)
        painter.drawText(
            QRectF(plot.left(), below + line_h + 2, plot.width(), line_h),
            Qt.AlignmentFlag.AlignHCenter,
            "total cost over the set →",
        )
        painter.drawText(
            QRectF(plot.left(), 2, plot.width(), line_h),
            Qt.AlignmentFlag.AlignLeft,
            "↑ runs giving the majority answer",
        )
        radius = max(4.0, line_h / 3)
        placed: list[QRectF] = []  # labels drawn so far: the next one goes where none is
        bounds = QRectF(self.rect())
        for point in self.points:
            x = plot.left() + float(point.cost / top_cost) * plot.width()
            y = plot.bottom() - point.share * plot.height()
            centre = QPointF(x, y)
            painter.setPen(QPen(text, 1))
            painter.setBrush(accent)
            painter.drawEllipse(centre, radius, radius)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            label = point.label
            if point.verdict:
                painter.setPen(QPen(text, 2))
                painter.drawEllipse(centre, radius + 4, radius + 4)
                label = f"★ {label}"
            width, gap = fm.horizontalAdvance(label) + 4, radius + 6
            spots = [
                QRectF(x + gap, y - line_h - 2, width, line_h),  # above right
                QRectF(x + gap, y + 2, width, line_h),  # below right
                QRectF(x - gap - width, y - line_h - 2, width, line_h),  # above left
                QRectF(x - gap - width, y + 2, width, line_h),  # below left
                QRectF(x - width / 2, y + gap, width, line_h),  # under
            ]
            free = [
                r for r in spots if bounds.contains(r) and not any(r.intersects(o) for o in placed)
            ]
            spot = (free or [r for r in spots if bounds.contains(r)] or spots)[0]
            placed.append(spot)
            painter.setPen(text)
            painter.drawText(spot, Qt.AlignmentFlag.AlignLeft, label)
