"""The application icon: an SVG drawn for Thinkpane and its PNG sizes, in resources/icons/hicolor.

Looked up in the package (an installed build ships resources/ as client/resources) and then next
to the source tree; without either the app simply runs without an icon rather than failing.
The desktop's icon theme comes first, so an installed menu entry and the window show the same
icon (packaging/install puts it there).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QIcon

APP_ID = "io.github.thinkpane.Thinkpane"
_HICOLOR = Path("icons") / "hicolor"
_ICON = _HICOLOR / "scalable" / "apps" / f"{APP_ID}.svg"
_HERE = Path(__file__).resolve()
ICON_PATH = next(
    (
        p
        for p in (_HERE.parents[1] / "resources" / _ICON, _HERE.parents[2] / "resources" / _ICON)
        if p.exists()
    ),
    _HERE.parents[2] / "resources" / _ICON,
)


def app_icon() -> QIcon:
    if not ICON_PATH.exists():
        return QIcon.fromTheme(APP_ID)
    icon = QIcon()
    for png in sorted(ICON_PATH.parents[2].glob(f"*x*/apps/{APP_ID}.png")):
        icon.addFile(str(png))  # drawn at every size a dock or title bar asks for, 16 to 512
    if icon.isNull():
        icon = QIcon(str(ICON_PATH))
    return QIcon.fromTheme(APP_ID) if QIcon.hasThemeIcon(APP_ID) else icon
