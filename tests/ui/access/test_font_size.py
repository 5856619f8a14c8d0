"""Text follows the user's font size (Settings → Font size) everywhere, also in widgets that
use a smaller or bolder variant of it: none keeps a fixed size."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QWidget

from tests.ui.audit.test_audit_integration import stream_false_equation


def _sizes(window: QWidget) -> dict[str, float]:
    shown = [w for w in window.findChildren(QWidget) if w.isVisibleTo(window)]
    return {f"{type(w).__name__}#{w.objectName()}#{id(w)}": w.font().pointSizeF() for w in shown}


@pytest.mark.parametrize("size", [16, 7])
def test_every_shown_widget_follows_the_font_size_setting(qtbot, window, replay, qapp, size):
    stream_false_equation(qtbot, window, replay)
    base = qapp.font().pointSizeF()
    before = _sizes(window)
    window.prefs.set("ui.font_size", size)
    try:
        window.settings._on_settings_saved()  # what Save in Settings does
        qtbot.wait(50)
        after = _sizes(window)
    finally:
        window.theme.set_font_size(None)  # the application's font is shared by every test
    stuck = [
        f"{key.split('#')[0]} {before[key]}pt"
        for key in before
        if key in after and before[key] == after[key] and before[key] > 0
    ]
    assert not stuck, f"kept their size when the font became {size} pt: {stuck}"
    # Relative variants keep their ratio: small labels 0.9, the welcome title 1.6.
    ratios = {round(after[k] / before[k], 2) for k in before if k in after and before[k] > 0}
    assert ratios <= {round(size / base, 2), round(max(7.0, size * 0.9) / (base * 0.9), 2)}, ratios


def test_no_style_sheet_or_code_fixes_a_pixel_font_size():
    """The cheap half of the rule, for code that is not on screen in the test above."""
    import pathlib
    import re

    root = pathlib.Path(__file__).resolve().parents[3] / "client" / "ui"
    pattern = re.compile(r"setPixelSize|font-size\s*:\s*\d+px|font:\s*[^;]*\d+px")
    offenders = [
        f"{path.relative_to(root)}:{n}"
        for path in root.rglob("*.py")
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert offenders == []
