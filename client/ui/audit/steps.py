"""The step list behind the audit view: a model of numbered steps, and a delegate that paints them.

A trace can have thousands of steps, so the view is a QListView whose delegate paints only the
rows on screen. Each row is the step's number and kind, the user's verdict and the critic's
opinion as small tags, and the step's text with every finding's exact span marked in place.
The text goes into a QTextDocument with setPlainText, so model output is never parsed as markup;
marks are character formats coloured by severity, blended from the palette so they read in light
and dark themes alike. Hovering a mark shows its one-sentence explanation. Formulas are typeset
in place (formula_images.py), and a finding inside a formula marks the whole of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    QPointF,
    QRect,
    QSize,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QColor,
    QFont,
    QKeyEvent,
    QPainter,
    QPalette,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QToolTip,
)
from shiboken6 import isValid

from client.audit.report import SEVERITY_LABELS, TURNING_POINTS, spans, widened, worst
from client.core.audit import AuditResult, CriticVerdict, Finding, Severity, Step
from client.core.format import step_number
from client.render.maths import Formula, formula_ranges, split_maths
from client.ui.conversation.formula_images import (
    FormulaDocument,
    formula_source_at,
    typeset_in_place,
)

STEP_ROLE = Qt.ItemDataRole.UserRole + 1  # the Step
FINDINGS_ROLE = Qt.ItemDataRole.UserRole + 2  # tuple[Finding, ...]
SEVERITY_ROLE = Qt.ItemDataRole.UserRole + 3  # "error" | "warning" | "note" | None
VERDICT_ROLE = Qt.ItemDataRole.UserRole + 4  # (verdict, note) or None
CRITIC_ROLE = Qt.ItemDataRole.UserRole + 5  # tuple[CriticVerdict, ...]

VERDICT_TAGS = {"sound": "✓ sound", "spurious": "✗ spurious", "unsure": "? unsure"}
_HUES = {Severity.ERROR: QColor(211, 47, 47), Severity.WARNING: QColor(224, 150, 0)}
_PAD = 6
_BAR = 4
_INDENT = _BAR + 8


def _blend(a: QColor, b: QColor, share: float) -> QColor:
    return QColor.fromRgbF(
        *(
            x * (1 - share) + y * share
            for x, y in zip(a.getRgbF()[:3], b.getRgbF()[:3], strict=True)  # type: ignore[index]
        )
    )


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def severity_colour(palette: QPalette, severity: Severity) -> QColor:
    """The line colour of a severity: red, amber, or the palette's quiet grey for "possible"."""
    hue = _HUES.get(severity)
    if hue is None:
        return palette.color(QPalette.ColorRole.PlaceholderText)
    return hue.lighter(135) if is_dark(palette) else hue


def mark_format(palette: QPalette, severity: Severity, tooltip: str) -> QTextCharFormat:
    """How a finding's span looks: a tinted background for errors and warnings, a dotted grey
    underline for what is only possible (docs/auditor.md principle 2). Text keeps the palette's colour."""
    fmt = QTextCharFormat()
    fmt.setToolTip(tooltip)
    line = severity_colour(palette, severity)
    fmt.setUnderlineColor(line)
    if severity is Severity.NOTE:
        fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.DotLine)
        return fmt
    base = palette.color(QPalette.ColorRole.Base)
    fmt.setBackground(_blend(base, _HUES[severity], 0.45 if is_dark(palette) else 0.32))
    fmt.setForeground(palette.color(QPalette.ColorRole.Text))
    style = QTextCharFormat.UnderlineStyle
    fmt.setUnderlineStyle(
        style.WaveUnderline if severity is Severity.ERROR else style.SingleUnderline
    )
    return fmt


def qt_offsets(text: str) -> list[int] | None:
    """Python offsets → QTextDocument positions (UTF-16 units, "\\r\\n" as one); None when equal."""
    if text.isascii() and "\r\n" not in text:
        return None
    positions, pos = [], 0
    for i, ch in enumerate(text):
        positions.append(pos)
        if not (ch == "\r" and text[i + 1 : i + 2] == "\n"):
            pos += 2 if ord(ch) > 0xFFFF else 1
    positions.append(pos)
    return positions


def formula_places(text: str) -> list[tuple[int, int, Formula]]:
    """(start, end, formula) for each formula of a step's text, in Python offsets."""
    places, position = [], 0
    for part in split_maths(text):
        end = position + len(part.source)
        if isinstance(part, Formula):
            places.append((position, end, part))
        position = end
    return places


class StepListModel(QAbstractListModel):
    """The audited steps, all of them or only the turning points, with verdicts and critic tags.

    Signals: only QAbstractListModel's own.
    """

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.audit = AuditResult(steps=[])
        self.verdicts: dict[int, tuple[str, str]] = {}
        self._findings: dict[int, tuple[Finding, ...]] = {}
        self._critic: dict[int, tuple[CriticVerdict, ...]] = {}
        self.agreement: frozenset[int] = frozenset()
        self.turning_points_only = False
        self._rows: list[int] = []

    def set_audit(self, audit: AuditResult, verdicts: dict[int, tuple[str, str]]) -> None:
        self.beginResetModel()
        self.audit = audit
        self.verdicts = dict(verdicts)
        self._findings = {}
        for finding in audit.findings:
            if finding.step is not None:
                self._findings[finding.step] = (*self._findings.get(finding.step, ()), finding)
        self._critic, self.agreement = {}, frozenset()
        self._rows = self._visible()
        self.endResetModel()

    def set_turning_points_only(self, only: bool) -> None:
        self.beginResetModel()
        self.turning_points_only = only
        self._rows = self._visible()
        self.endResetModel()

    def _visible(self) -> list[int]:
        steps = self.audit.steps
        if self.turning_points_only:
            return [s.index for s in steps if str(s.kind) in TURNING_POINTS]
        return [s.index for s in steps]

    def set_verdict(self, step: int, verdict: str | None, note: str = "") -> None:
        if verdict is None:
            self.verdicts.pop(step, None)
        else:
            self.verdicts[step] = (verdict, note)
        self._changed(step)

    def set_critic(self, verdicts: tuple[CriticVerdict, ...], agreement: tuple[int, ...]) -> None:
        self._critic = {}
        for verdict in verdicts:
            self._critic[verdict.step] = (*self._critic.get(verdict.step, ()), verdict)
        self.agreement = frozenset(agreement)
        if self._rows:
            self.dataChanged.emit(self.index(0), self.index(len(self._rows) - 1))

    def _changed(self, step: int) -> None:
        row = self.row_of(step)
        if row is not None:
            self.dataChanged.emit(self.index(row), self.index(row))

    def row_of(self, step: int) -> int | None:
        try:
            return self._rows.index(step)
        except ValueError:
            return None

    def step_at(self, row: int) -> Step:
        return self.audit.steps[self._rows[row]]

    def findings_of(self, step: int) -> tuple[Finding, ...]:
        return self._findings.get(step, ())

    def critic_of(self, step: int) -> tuple[CriticVerdict, ...]:
        return self._critic.get(step, ())

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex | None = None) -> int:  # noqa: N802 - Qt's name
        return 0 if parent is not None and parent.isValid() else len(self._rows)

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        step = self.audit.steps[self._rows[index.row()]]
        found = self._findings.get(step.index, ())
        if role == Qt.ItemDataRole.DisplayRole:
            return f"Step {step_number(step.index)} · {step.kind}: {step.text}"
        if role == Qt.ItemDataRole.ToolTipRole:
            lines = [f"{SEVERITY_LABELS[f.severity]}: {f.message}" for f in found]
            return "\n".join(lines) or None
        if role == Qt.ItemDataRole.AccessibleTextRole:  # what a screen reader says for the row
            said = [f"Step {step_number(step.index)}, {step.kind}: {step.text}"]
            said += [f"{SEVERITY_LABELS[f.severity]}: {f.message}" for f in found]
            verdict = self.verdicts.get(step.index)
            if verdict:
                said.append(f"Your verdict: {verdict[0]}")
            return ". ".join(said)
        if role == STEP_ROLE:
            return step
        if role == FINDINGS_ROLE:
            return found
        if role == SEVERITY_ROLE:
            severity = worst(found)
            return None if severity is None else str(severity)
        if role == VERDICT_ROLE:
            return self.verdicts.get(step.index)
        if role == CRITIC_ROLE:
            return self._critic.get(step.index, ())
        return None


@dataclass
class Laid:
    """A step's text as a document, with its marks."""

    doc: QTextDocument
    marks: list[tuple[int, int, str]]  # document positions and the explanation shown on hover


class StepDelegate(QStyledItemDelegate):
    """Paints a step: number and kind, tags, and the text with its findings marked in place.

    Documents are built once per step and kept until `forget()` (a new audit, a new palette).

    Signals: none.
    """

    def __init__(self, view: Any) -> None:
        super().__init__(view)
        self._view = view
        self._laid: dict[int, Laid] = {}
        # The documents are Python's, and a formula's picture signal ties each back to this
        # delegate: a cycle. Left to the cyclic collector, they could be freed on whatever thread
        # it next runs on (a worker auditing), under a GUI thread still painting. Freed here, on
        # the GUI thread, as soon as the list goes.
        view.destroyed.connect(self._laid.clear)

    def forget(self) -> None:
        self._laid.clear()

    def laid_out(self, index: QModelIndex | QPersistentModelIndex) -> Laid:
        """The step's document, wrapped to the list's current width."""
        width = self._text_width()
        step: Step = index.data(STEP_ROLE)
        laid = self._laid.get(step.index)
        if laid is None:
            laid = self._lay_out(step, index.data(FINDINGS_ROLE))
            self._laid[step.index] = laid
        if laid.doc.textWidth() != width:
            laid.doc.setTextWidth(width)
        return laid

    def _lay_out(self, step: Step, found: tuple[Finding, ...]) -> Laid:
        # Owned here, not by the delegate: forget() really frees it. Formulas are typeset
        # (formula_images.py); a finding inside one marks the whole formula.
        places = formula_places(step.text)
        doc = FormulaDocument(self._view) if places else QTextDocument()
        if isinstance(doc, FormulaDocument):
            doc.formulas.sig_refreshed.connect(self._on_formula_ready)
            found = tuple(widened(step.text, found, formula_ranges))
        doc.setDocumentMargin(0)
        doc.setUndoRedoEnabled(False)
        doc.setDefaultFont(self._view.font())
        doc.setPlainText(step.text)
        palette = self._view.palette()
        where = qt_offsets(step.text)
        marks = []
        cursor = QTextCursor(doc)
        for start, end, covering in spans(step.text, found):
            if not covering:
                continue
            if where is not None:
                start, end = where[start], where[end]
            tip = "\n".join(f"{SEVERITY_LABELS[f.severity]}: {f.message}" for f in covering)
            cursor.setPosition(start)
            cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
            cursor.mergeCharFormat(mark_format(palette, worst(covering) or Severity.NOTE, tip))
            marks.append((start, end, tip))
        if places:
            if where is not None:
                places = [(where[start], where[end], formula) for start, end, formula in places]
            moved = typeset_in_place(doc, places)
            marks = [(moved(start), moved(end), tip) for start, end, tip in marks]
        return Laid(doc, marks)

    @Slot()
    def _on_formula_ready(self) -> None:
        # A picture replaced a formula's source: its row may have a new height. The picture may
        # arrive after the list is gone (documents outlive it until the delegate is collected).
        if not isValid(self._view):
            return
        self._view.scheduleDelayedItemsLayout()
        self._view.viewport().update()

    def _text_width(self) -> int:
        return max(120, self._view.viewport().width() - _INDENT - 2 * _PAD)

    def _header_height(self) -> int:
        return self._view.fontMetrics().height()

    def _text_origin(self, rect: QRect) -> QPointF:
        return QPointF(rect.left() + _INDENT + _PAD, rect.top() + _PAD + self._header_height() + 2)

    def sizeHint(self, option: Any, index: QModelIndex | QPersistentModelIndex) -> QSize:  # noqa: N802 - Qt's name
        laid = self.laid_out(index)
        height = _PAD + self._header_height() + 2 + int(laid.doc.size().height()) + _PAD
        return QSize(self._text_width() + _INDENT + 2 * _PAD, height)

    def paint(
        self, painter: QPainter, option: Any, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        palette: QPalette = option.palette
        rect: QRect = option.rect
        role = QPalette.ColorRole
        painter.save()
        background = palette.color(role.Base)
        if option.state & QStyle.StateFlag.State_Selected:
            background = _blend(background, palette.color(role.Highlight), 0.22)
        painter.fillRect(rect, background)
        painter.setPen(palette.color(role.Mid))
        painter.drawLine(rect.bottomLeft(), rect.bottomRight())
        severity = index.data(SEVERITY_ROLE)
        if severity is not None:
            painter.fillRect(
                QRect(rect.left(), rect.top(), _BAR, rect.height()),
                severity_colour(palette, Severity(severity)),
            )
        self._paint_header(painter, palette, rect, index)
        laid = self.laid_out(index)
        origin = self._text_origin(rect)
        painter.translate(origin)
        context = QAbstractTextDocumentLayout.PaintContext()
        context.palette.setColor(role.Text, palette.color(role.Text))
        laid.doc.documentLayout().draw(painter, context)
        painter.restore()

    def _paint_header(
        self,
        painter: QPainter,
        palette: QPalette,
        rect: QRect,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        step: Step = index.data(STEP_ROLE)
        line = QRect(
            rect.left() + _INDENT + _PAD,
            rect.top() + _PAD,
            rect.width() - _INDENT - 2 * _PAD,
            self._header_height(),
        )
        font = QFont(self._view.font())
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
        painter.drawText(
            line,
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            f"Step {step_number(step.index)} · {step.kind}",
        )
        painter.setFont(self._view.font())
        metrics = painter.fontMetrics()
        right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        critic = index.data(CRITIC_ROLE)
        if critic:  # the critic's word in the link colour of its frame: apart from the user's
            said = "error" if any(v.verdict == "error" for v in critic) else critic[0].verdict
            model = index.model()
            agreement = model.agreement if isinstance(model, StepListModel) else ()
            agrees = " · agrees" if step.index in agreement else ""
            tag = f"critic: {said}{agrees}"
            painter.setPen(palette.color(QPalette.ColorRole.Link))
            painter.drawText(line, right, tag)
            line.setRight(line.right() - metrics.horizontalAdvance(tag) - 2 * _PAD)
        verdict = index.data(VERDICT_ROLE)
        if verdict is not None:
            tag = VERDICT_TAGS.get(verdict[0], verdict[0]) + (
                f": {verdict[1]}" if verdict[1] else ""
            )
            tag = metrics.elidedText(tag, Qt.TextElideMode.ElideRight, line.width() // 2)
            painter.setPen(palette.color(QPalette.ColorRole.Text))
            painter.drawText(line, right, tag)

    def tooltip_at(
        self, index: QModelIndex | QPersistentModelIndex, rect: QRect, pos: Any
    ) -> str | None:
        """The explanation under `pos` (viewport coordinates): the mark's, else the step's."""
        laid = self.laid_out(index)
        point = QPointF(pos) - self._text_origin(rect)
        layout = laid.doc.documentLayout()
        at = layout.hitTest(point, Qt.HitTestAccuracy.ExactHit)
        source = ""
        if layout.imageAt(point):  # a typeset formula: its source first
            source = formula_source_at(laid.doc, at) or formula_source_at(laid.doc, at - 1) or ""
        for start, end, tip in laid.marks:
            if start <= at < end or (source and start <= at - 1 < end):
                return f"{source}\n{tip}" if source else tip
        return source or index.data(Qt.ItemDataRole.ToolTipRole)

    def helpEvent(
        self, event: Any, view: Any, option: Any, index: QModelIndex | QPersistentModelIndex
    ) -> bool:  # noqa: N802
        if not index.isValid():
            return False
        tip = self.tooltip_at(index, option.rect, event.pos())
        if not tip:
            QToolTip.hideText()
            return True
        QToolTip.showText(event.globalPos(), tip, view.viewport(), option.rect)
        return True


VERDICT_KEYS = {Qt.Key.Key_S: "sound", Qt.Key.Key_P: "spurious", Qt.Key.Key_U: "unsure"}


class StepList(QListView):
    """The steps of one audit, painted by a StepDelegate: fast for thousands of rows.

    Up and Down move between steps; S, P and U give the current step a verdict (sound,
    spurious, unsure) without leaving the list.

    Signals:
        sig_verdict_key(str): "sound", "spurious" or "unsure": its key was pressed in the list.
    """

    sig_verdict_key = Signal(str)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setObjectName("audit_steps")
        self.setAccessibleName("Steps")
        self.setAccessibleDescription(
            "Up and Down move between steps; S marks a step sound, P spurious, U unsure"
        )
        self.steps = StepListModel(self)
        self.setModel(self.steps)
        self.delegate = StepDelegate(self)
        self.setItemDelegate(self.delegate)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setResizeMode(QListView.ResizeMode.Adjust)  # rows re-wrap when the width changes
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # text wraps
        self.setWordWrap(True)
        self.setLayoutMode(QListView.LayoutMode.Batched)  # 2,000 steps lay out in turns
        self.setUniformItemSizes(False)

    def lay_out_all(self) -> None:
        """Finish the batched layout now, so that any row can be scrolled to."""
        self.setLayoutMode(QListView.LayoutMode.SinglePass)
        self.doItemsLayout()
        self.setLayoutMode(QListView.LayoutMode.Batched)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        # Marks are blended from the palette: a new theme or font needs them made again.
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.FontChange):
            self.delegate.forget()
            self.scheduleDelayedItemsLayout()
        super().changeEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        verdict = VERDICT_KEYS.get(Qt.Key(event.key()))
        plain = not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if verdict is not None and plain and self.currentIndex().isValid():
            self.sig_verdict_key.emit(verdict)
            event.accept()
            return
        super().keyPressEvent(event)
