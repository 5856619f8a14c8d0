"""Both themes meet WCAG AA: 4.5:1 for text (the quiet grey lines, links, selected rows, the
text over a highlighted finding) and 3:1 for what marks focus against the window."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QColor, QPalette

from client.core.audit import Severity
from client.ui.audit.steps import mark_format
from client.ui.theme import palette_for

R = QPalette.ColorRole
TEXT_PAIRS = [
    (R.WindowText, R.Window),
    (R.Text, R.Base),
    (R.Text, R.AlternateBase),  # striped table rows
    (R.ButtonText, R.Button),
    (R.PlaceholderText, R.Window),  # costs, estimates, hints
    (R.PlaceholderText, R.Base),  # the spend chart's captions
    (R.HighlightedText, R.Highlight),  # a selected row or step
    (R.Link, R.Window),  # links, the critic's word, the visibility badge
    (R.Link, R.Base),
    (R.ToolTipText, R.ToolTipBase),
]


def _channel(v: float) -> float:
    return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4


def luminance(c: QColor) -> float:
    return (
        0.2126 * _channel(c.redF()) + 0.7152 * _channel(c.greenF()) + 0.0722 * _channel(c.blueF())
    )


def over(fg: QColor, bg: QColor) -> QColor:
    """A translucent colour as the eye sees it on its background."""
    a = fg.alphaF()
    return QColor.fromRgbF(*(f * a + b * (1 - a) for f, b in zip(
        (fg.redF(), fg.greenF(), fg.blueF()), (bg.redF(), bg.greenF(), bg.blueF()), strict=True)))  # fmt: skip


def contrast(fg: QColor, bg: QColor) -> float:
    hi, lo = sorted((luminance(over(fg, bg)), luminance(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_the_formula_matches_wcag_examples():
    assert contrast(QColor("#000000"), QColor("#ffffff")) == pytest.approx(21.0)
    assert contrast(QColor("#767676"), QColor("#ffffff")) == pytest.approx(4.54, abs=0.01)
    half_black = QColor(0, 0, 0, 128)
    assert contrast(half_black, QColor("#efefef")) < 4.5  # Fusion's own quiet text fails


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_every_text_colour_reads_at_4_5_to_1(qapp, theme):
    palette = palette_for(theme)
    failing = []
    for fg, bg in TEXT_PAIRS:
        ratio = contrast(palette.color(fg), palette.color(bg))
        if ratio < 4.5:
            failing.append(f"{fg.name} on {bg.name}: {ratio:.2f}")
    assert not failing, f"{theme}: " + "; ".join(failing)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_text_over_a_highlighted_finding_reads_at_4_5_to_1(qapp, theme):
    palette = palette_for(theme)
    for severity in (Severity.ERROR, Severity.WARNING):
        mark = mark_format(palette, severity, "why")
        ratio = contrast(mark.foreground().color(), mark.background().color())
        assert ratio >= 4.5, f"{theme} {severity}: {ratio:.2f}"


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_focus_colour_stands_out_from_the_window(qapp, theme):
    """Fusion draws the focus frame of edits, lists and the audit strip in the highlight colour."""
    palette = palette_for(theme)
    for bg in (R.Window, R.Base):
        ratio = contrast(palette.color(R.Highlight), palette.color(bg))
        assert ratio >= 3.0, f"{theme} highlight on {bg.name}: {ratio:.2f}"


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_compare_dialogs_problem_line_reads_at_4_5_to_1(qapp, qtbot, theme):
    """It said "Tick earlier prompts or paste some" in white on the light grey window."""
    from client.ui.compare.setup_dialog import CompareSetupDialog

    dialog = CompareSetupDialog(None, "")
    qtbot.addWidget(dialog)
    dialog.setPalette(palette_for(theme))
    dialog.show()
    qtbot.waitUntil(lambda: dialog.problem_label.isVisible())
    label = dialog.problem_label
    ratio = contrast(
        label.palette().color(label.foregroundRole()), dialog.palette().color(R.Window)
    )
    assert ratio >= 4.5, f"{theme}: {label.text()!r} at {ratio:.2f}"
