"""Dialogs that fit the screen they open on.

A dialog as tall as its contents can be taller than a laptop's screen (Settings' General page is
about 950 pixels): its Save and Cancel buttons were below the bottom edge, out of reach. A tall
page goes in a `ScrollingPage`, which scrolls instead, and keeps the field that has the keyboard
focus in view; `fit_to_screen` sizes a dialog to what it wants, within the screen.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Slot
from PySide6.QtWidgets import QApplication, QFrame, QScrollArea, QWidget

SCREEN_SHARE = 0.9  # of the screen's free height and width, at most


class ScrollingPage(QScrollArea):
    """`page`, scrolled vertically when there is less room than it wants.

    Signals: none.
    """

    def __init__(self, page: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidget(page)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        # Not a Tab stop: Tab goes to the page's fields, and the page follows (below).
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._on_app_focus_changed)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        page = self.widget()
        wanted = page.sizeHint() if page is not None else super().sizeHint()
        return QSize(wanted.width() + self.verticalScrollBar().sizeHint().width(), wanted.height())

    @Slot(QWidget, QWidget)
    def _on_app_focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        page = self.widget()
        if new is not None and page is not None and page.isAncestorOf(new):
            self.ensureWidgetVisible(new, 8, 24)


def fit_to_screen(dialog: QWidget, wanted: QSize | None = None) -> None:
    """Size `dialog` to `wanted` (by default its size hint), within the free area of the screen
    it opens on."""
    screen = dialog.screen() or QApplication.primaryScreen()
    if wanted is None:
        wanted = dialog.sizeHint().expandedTo(dialog.minimumSizeHint())
    if screen is None:
        dialog.resize(wanted)
        return
    room = screen.availableGeometry()
    dialog.resize(
        min(wanted.width(), int(room.width() * SCREEN_SHARE)),
        min(wanted.height(), int(room.height() * SCREEN_SHARE)),
    )
