"""The comparison view: one column per setting, side by side, each run streaming in its card.

Each card shows the run's final answer (coloured: answers that agree share a colour across the
whole comparison), the answer text (plain text: model output never loads anything), the
reasoning's visibility and tokens, the time, the cost and the audit's findings. Under each
column's title, its summary: majority answer, agreement, cost, median reasoning tokens and time;
the cheapest setting giving the majority answer is marked. Buttons open a run in the inspector,
stop a run, or continue the conversation from a column.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from client.compare.report import ComparisonFigures
from client.compare.runner import RunResult
from client.compare.tally import cluster, conclusion
from client.core import format as fmt
from client.core.audit import AuditSummary
from client.core.conversation import Turn
from client.core.events import Visibility
from client.ui.conversation.browser import SafeBrowser
from client.ui.theme import is_dark

# Tints for answer groups, largest group first; text on them is always dark.
GROUP_COLOURS = ("#cdeccd", "#d6e2fb", "#fbe0c8", "#f1d3f1", "#fff0b0", "#cdeff0", "#e6e6e6")
NO_ANSWER = "#f4f4f4"
CHEAPEST = "★ cheapest giving the majority answer"
STOPPED = "stopped by you: what arrived is kept"


def _short(text: str, limit: int) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _visibility_words(turn: Turn) -> str:
    vis = turn.reasoning.visibility
    tokens = turn.reasoning.tokens
    count = f", {fmt.tokens(tokens)}" if tokens is not None else ""
    return {
        Visibility.RAW: f"reasoning shown{count}",
        Visibility.SUMMARY: f"reasoning summarised{count}",
        Visibility.HIDDEN: f"reasoning hidden{count}",
    }.get(vis, "no reasoning" if tokens in (None, 0) else f"reasoning{count}")


def audit_words(summary: AuditSummary | None) -> str:
    if summary is None:
        return "audit: nothing to audit"
    if not summary.errors and not summary.warnings:
        return "audit: no findings"
    parts = []
    if summary.errors:
        parts.append(f"{summary.errors} error{'s' if summary.errors != 1 else ''}")
        if summary.first_error_step is not None:
            parts[-1] += f" (first at step {summary.first_error_step + 1})"
    if summary.warnings:
        parts.append(f"{summary.warnings} warning{'s' if summary.warnings != 1 else ''}")
    return "audit: " + ", ".join(parts)


class RunCard(QFrame):
    """One run. Signals: sig_inspect(), sig_stop()."""

    sig_inspect = Signal()
    sig_stop = Signal()

    def __init__(self, label: str, sample: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.sample = sample
        self.turn: Turn | None = None
        self.ended = False  # its result is shown: nothing left to stop
        self.answer_label = QLabel(f"#{sample + 1} · waiting", self)
        self.answer_label.setTextFormat(Qt.TextFormat.PlainText)
        self.answer_label.setAccessibleName(f"{label} sample {sample + 1} final answer")
        self.answer_label.setWordWrap(True)
        self.answer_label.setMargin(4)
        self.text = SafeBrowser(self)  # the finished answer as in the conversation: Markdown, maths
        self.text.setAccessibleName(f"{label} sample {sample + 1} answer")
        self.text.setFixedHeight(self.fontMetrics().lineSpacing() * 5 + 12)
        self.meta = QLabel(self)
        self.meta.setTextFormat(Qt.TextFormat.PlainText)
        self.meta.setMinimumHeight(self.fontMetrics().lineSpacing() * 2 + 2)  # no jumps
        self.meta.setAccessibleName(f"{label} sample {sample + 1} figures")
        self.inspect_button = QPushButton("Inspect", self)
        self.inspect_button.setAccessibleName(f"Open {label} sample {sample + 1} in the inspector")
        self.inspect_button.setEnabled(False)
        self.stop_button = QPushButton("Stop", self)
        self.stop_button.setAccessibleName(f"Stop {label} sample {sample + 1}")
        self.stop_button.hide()
        buttons = QHBoxLayout()
        buttons.addWidget(self.inspect_button)
        buttons.addWidget(self.stop_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.answer_label)
        layout.addWidget(self.text)
        layout.addWidget(self.meta)
        layout.addLayout(buttons)
        self.inspect_button.clicked.connect(self.sig_inspect)
        self.stop_button.clicked.connect(self.sig_stop)
        self.set_colour(NO_ANSWER)

    def set_colour(self, colour: str) -> None:
        self.colour = colour
        self.answer_label.setStyleSheet(f"background: {colour}; color: #1a1a1a;")

    def show_live(self, answer: str, reasoning_chars: int) -> None:
        self.stop_button.show()
        self.answer_label.setText(f"#{self.sample + 1} · streaming…")
        if answer != self.text.toPlainText():
            self.text.setPlainText(answer)
        thinking = f"reasoning: {reasoning_chars:,} characters so far" if reasoning_chars else ""
        self.meta.setText(thinking + "\n")

    def show_result(self, result: RunResult, audit: AuditSummary | None) -> None:
        self.ended = True
        self.stop_button.hide()
        turn = result.turn
        self.turn = turn
        failure = result.failure
        if turn is None:
            if result.stopped:
                self.answer_label.setText(f"#{self.sample + 1} · not sent (stopped)")
                self.text.setPlainText("Stopped before it was sent: nothing was asked or paid for.")
            else:
                self.answer_label.setText(f"#{self.sample + 1} · not sent")
                self.text.setPlainText(failure.message if failure else "not sent")
            self.meta.setText("")
            self.inspect_button.setEnabled(False)
            return
        stated = conclusion(turn)
        if result.stopped:  # like a stopped turn: what arrived is kept, it is no failure
            status = " · stopped"
            said = turn.answer or "Stopped before any answer arrived."
            why = STOPPED
        else:
            status = "" if failure is None else f" · {turn.status}"
            said = turn.answer or (failure.message if failure else "")
            why = _short(failure.message, 60) if failure is not None else ""
        self.answer_label.setText(f"#{self.sample + 1} · {stated or 'no final answer'}{status}")
        if turn.answer:
            from client.render import render_markdown

            theme = "dark" if is_dark(self.palette()) else "light"
            self.text.setHtml(render_markdown(turn.answer, theme=theme))
        else:
            self.text.setPlainText(said)
        cost = fmt.money(turn.cost.total) if turn.cost.total is not None else "cost unknown"
        figures = " · ".join([_visibility_words(turn), fmt.duration(turn.timing.total_s), cost])
        lines = [figures, audit_words(audit)]
        if why:
            lines.append(why)
        self.meta.setText("\n".join(lines))
        tip = "" if failure is None or result.stopped else failure.message
        self.meta.setToolTip(tip)
        self.inspect_button.setEnabled(True)


class ColumnBox(QFrame):
    """One setting. Signals: sig_continue(), sig_inspect(int sample), sig_stop(int sample)."""

    sig_continue = Signal()
    sig_inspect = Signal(int)
    sig_stop = Signal(int)

    def __init__(self, label: str, samples: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = label
        self.setFrameShape(QFrame.Shape.Box)
        self.title = QLabel(label, self)
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.title.setAccessibleName(f"Column {label}")
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.summary = QLabel(self)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setMinimumHeight(self.fontMetrics().lineSpacing() * 2 + 2)  # no jumps
        self.summary.setAccessibleName(f"{label} summary")
        self.cheapest = QLabel(CHEAPEST, self)
        self.cheapest.setAccessibleName(f"{label} is the cheapest giving the majority answer")
        self.cheapest.setStyleSheet("background: #ffe58a; color: #1a1a1a; padding: 2px;")
        self.cheapest.hide()
        self.continue_button = QPushButton("Continue with this", self)
        self.continue_button.setAccessibleName(f"Continue the conversation with {label}")
        self.continue_button.setToolTip(
            "Follow this column's answer: the next prompt continues from it"
        )
        self.continue_button.setEnabled(False)
        self.cards = [RunCard(label, s, self) for s in range(samples)]
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.summary)
        layout.addWidget(self.cheapest)
        for card in self.cards:
            layout.addWidget(card)
            card.sig_inspect.connect(lambda s=card.sample: self.sig_inspect.emit(s))
            card.sig_stop.connect(lambda s=card.sample: self.sig_stop.emit(s))
        layout.addWidget(self.continue_button)
        layout.addStretch(1)
        layout.setSizeConstraint(QVBoxLayout.SizeConstraint.SetMinimumSize)
        self.continue_button.clicked.connect(self.sig_continue)
        self.setMinimumWidth(340)


class ComparisonView(QWidget):
    """The columns side by side. Signals carry (column, sample) or the column index."""

    sig_inspect = Signal(int, int)
    sig_stop_run = Signal(int, int)
    sig_continue = Signal(int)
    sig_stop_all = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Comparison")
        self.heading = QLabel(self)
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        self.heading.setWordWrap(True)
        self.heading.setAccessibleName("Comparison prompt")
        self.status = QLabel(self)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Comparison status")
        self.stop_button = QPushButton("Stop all", self)
        self.stop_button.setAccessibleName("Stop every run of the comparison")
        self.stop_button.setToolTip("Stop every run; finished runs are kept (Esc)")
        self.stop_button.hide()
        self.stop_button.clicked.connect(self.sig_stop_all)
        top = QHBoxLayout()
        top.addWidget(self.status, 1)
        top.addWidget(self.stop_button)
        self.strip = QWidget(self)
        # never squeezed below what its wrapped lines need: the area scrolls instead
        self.strip.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.strip_layout = QHBoxLayout(self.strip)
        self.strip_layout.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.scroll_area = QScrollArea(self)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setWidget(self.strip)
        self.scroll_area.setAccessibleName("Comparison columns")
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(top)
        layout.addWidget(self.scroll_area, 1)
        self.columns: list[ColumnBox] = []

    def set_layout(self, prompt: str, labels: list[str], samples: int) -> None:
        for box in self.columns:
            box.setParent(None)
            box.deleteLater()
        self.columns = []
        short = " ".join(prompt.split())
        self.heading.setText(short if len(short) <= 300 else short[:299] + "…")
        for i, label in enumerate(labels):
            box = ColumnBox(label, samples, self.strip)
            box.sig_continue.connect(lambda i=i: self.sig_continue.emit(i))
            box.sig_inspect.connect(lambda s, i=i: self.sig_inspect.emit(i, s))
            box.sig_stop.connect(lambda s, i=i: self.sig_stop_run.emit(i, s))
            self.strip_layout.addWidget(box)
            self.columns.append(box)

    def set_running(self, running: bool) -> None:
        """While it runs, Stop all, and each run's own Stop until that run has ended."""
        self.stop_button.setVisible(running)
        for box in self.columns:
            for card in box.cards:
                card.stop_button.setVisible(running and not card.ended)

    def card(self, column: int, sample: int) -> RunCard:
        return self.columns[column].cards[sample]

    def show_figures(
        self,
        fig: ComparisonFigures,
        audits: dict[tuple[int, int], AuditSummary | None],
        finished: set[tuple[int, int]],
    ) -> None:
        """The runs finished so far, their colours, each column's summary and the mark."""
        answers: list[str] = []
        keys: list[tuple[int, int]] = []
        for c, runs in enumerate(fig.runs):
            for r in runs:
                if (c, r.sample) in finished and r.turn is not None:
                    stated = conclusion(r.turn)
                    if stated is not None:
                        answers.append(stated)
                        keys.append((c, r.sample))
        colours: dict[tuple[int, int], str] = {}
        for g, group in enumerate(cluster(answers)):
            for k in group:
                colours[keys[k]] = GROUP_COLOURS[min(g, len(GROUP_COLOURS) - 1)]
        for c, (box, runs, tally) in enumerate(
            zip(self.columns, fig.runs, fig.tallies, strict=True)
        ):
            for r in runs:
                if (c, r.sample) in finished:
                    card = box.cards[r.sample]
                    card.show_result(r, audits.get((c, r.sample)))
                    card.set_colour(colours.get((c, r.sample), NO_ANSWER))
            done = sum(1 for r in runs if (c, r.sample) in finished)
            if done == 0:
                continue
            first, second = [], []
            if tally.majority_answer is not None:
                first.append(f"majority {_short(tally.majority_answer, 30)}")
            if tally.agreement is not None and len(runs) > 1:
                first.append(f"agreement {tally.agreement:.0%}")
            first.append(fmt.money(tally.cost) if tally.cost is not None else "cost unknown")
            if tally.reasoning_tokens_median is not None:
                second.append(f"median reasoning {fmt.tokens(int(tally.reasoning_tokens_median))}")
            if tally.total_s_median is not None:
                second.append(f"median time {fmt.duration(tally.total_s_median)}")
            box.summary.setText(" · ".join(first) + "\n" + " · ".join(second))
            box.summary.setToolTip(tally.majority_answer or "")
            box.continue_button.setEnabled(any(r.completed for r in runs))
        all_done = len(finished) == sum(len(r) for r in fig.runs)
        for c, box in enumerate(self.columns):
            box.cheapest.setVisible(all_done and fig.cheapest == c)

    def summary_texts(self) -> dict[str, Any]:
        """What the view says, for tests and the accessibility tree."""
        return {
            box.label: {
                "summary": box.summary.text(),
                "cheapest": not box.cheapest.isHidden(),
                "answers": [card.answer_label.text() for card in box.cards],
                "colours": [card.colour for card in box.cards],
            }
            for box in self.columns
        }
