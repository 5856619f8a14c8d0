"""Light and dark: follow the system unless the user picked one, and build both from palette roles.

Widgets never hard-code a colour: they ask the palette (or use `palette(role)` in a style sheet),
so nothing vanishes when the theme flips. This module owns the two palettes, decides which one
applies (`THINKPANE_THEME` wins, for screenshots and tests; then the user's choice; then the
system's colour scheme) and re-applies it when the system changes its mind.
"""

from __future__ import annotations

import os

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QColor, QFont, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QStyleFactory

CHOICES = ("system", "light", "dark")
CHOICE_LABELS = {"system": "Follow the system", "light": "Light", "dark": "Dark"}

_R = QPalette.ColorRole
_G = QPalette.ColorGroup

_DARK = {
    _R.Window: "#2b2c30", _R.WindowText: "#e6e6e6", _R.Base: "#1f2023", _R.AlternateBase: "#2f3034",
    _R.ToolTipBase: "#3a3b40", _R.ToolTipText: "#e6e6e6", _R.PlaceholderText: "#8c8f96",
    _R.Text: "#e6e6e6", _R.Button: "#36373c", _R.ButtonText: "#e6e6e6", _R.BrightText: "#ff6b6b",
    _R.Light: "#4a4b51", _R.Midlight: "#404147", _R.Mid: "#5a5c63", _R.Dark: "#18191b",
    _R.Shadow: "#000000", _R.Highlight: "#3d7fd9", _R.HighlightedText: "#ffffff",
    _R.Link: "#7fb2ff", _R.LinkVisited: "#b59cff", _R.Accent: "#3d7fd9",
}  # fmt: skip
_DARK_DISABLED = {
    _R.WindowText: "#7d8087",
    _R.Text: "#7d8087",
    _R.ButtonText: "#7d8087",
    _R.Highlight: "#4a4b51",
    _R.HighlightedText: "#a0a3aa",
}


def resolve(choice: str | None, scheme: Qt.ColorScheme | None = None) -> str:
    """ "light" or "dark": THINKPANE_THEME, else the user's choice, else the system's scheme
    (`scheme` when the system just announced it, else what the style hints say)."""
    forced = os.environ.get("THINKPANE_THEME", "").strip().lower()
    if forced in ("light", "dark"):
        return forced
    if choice in ("light", "dark"):
        return choice
    if scheme is None:
        scheme = QGuiApplication.styleHints().colorScheme()
    return "dark" if scheme == Qt.ColorScheme.Dark else "light"


def palette_for(name: str) -> QPalette:
    if name != "dark":
        style = QStyleFactory.create("Fusion")
        return style.standardPalette()
    palette = QPalette()
    for role, colour in _DARK.items():
        palette.setColor(role, QColor(colour))
    for role, colour in _DARK_DISABLED.items():
        palette.setColor(_G.Disabled, role, QColor(colour))
    return palette


def is_dark(palette: QPalette) -> bool:
    return palette.color(_R.Window).lightness() < 128


def refresh_widgets(app: QApplication) -> None:
    """Make widgets that keep a copy of the old palette take the new one.

    A widget polished under a style sheet (its own or an ancestor's) gets its palette from the
    style sheet style, fixed at that moment: the application's new palette does not reach it (a
    conversation card stays white in the dark theme). Setting the sheet again re-polishes it and
    its children. A rich-text label keeps its links in the colour they were laid out with: its
    text is set again.
    """
    for widget in app.allWidgets():
        sheet = widget.styleSheet()
        if sheet:
            widget.setStyleSheet("")
            widget.setStyleSheet(sheet)
    for widget in app.allWidgets():
        if isinstance(widget, QLabel) and "<a " in (text := widget.text()):
            widget.setText("")
            widget.setText(text)


class ThemeController(QObject):
    """Applies the chosen theme and font size to the application, and follows the system.

    Signals:
        sig_theme_changed(str): "light" or "dark", after the palette changed.
    """

    sig_theme_changed = Signal(str)

    def __init__(
        self, app: QApplication, choice: str = "system", font_size: int | None = None
    ) -> None:
        super().__init__(app)
        self._app = app
        self.choice = choice if choice in CHOICES else "system"
        self.name = ""
        self._base_font_size = app.font().pointSizeF()
        app.setStyle("Fusion")  # the one style whose look we control on every platform
        self.set_font_size(font_size)
        self._apply()
        self._connect_signals()

    def _connect_signals(self) -> None:
        QGuiApplication.styleHints().colorSchemeChanged.connect(self._on_hints_color_scheme_changed)

    def set_choice(self, choice: str) -> None:
        self.choice = choice if choice in CHOICES else "system"
        self._apply()

    def set_font_size(self, size: int | None) -> None:
        font = QFont(self._app.font())
        font.setPointSizeF(float(size) if size else self._base_font_size)
        self._app.setFont(font)

    def _apply(self, scheme: Qt.ColorScheme | None = None) -> None:
        name = resolve(self.choice, scheme)
        if name == self.name:
            return
        self.name = name
        self._app.setPalette(palette_for(name))
        refresh_widgets(self._app)
        self.sig_theme_changed.emit(name)

    def _on_hints_color_scheme_changed(self, scheme: Qt.ColorScheme) -> None:
        if self.choice == "system":
            self._apply(scheme)
