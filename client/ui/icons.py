"""The application icon: an SVG drawn for Thinkpane, kept in resources/icons.

Looked up in the package (an installed build ships resources/ as client/resources) and then next
to the source tree; without either the app simply runs without an icon rather than failing.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QIcon

_ICON = Path("icons") / "io.github.thinkpane.Thinkpane.svg"
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
    return QIcon(str(ICON_PATH)) if ICON_PATH.exists() else QIcon()
