"""Tab goes where the eye goes: top to bottom, left to right, region by region.

Qt's focus chain follows the order widgets were created in, which is not the order they are
shown in: the turns of a conversation are built as they scroll into view (newest first, after
the composer and the inspector existed), and a tab widget's pages come before its tab bar. A
keyboard user would jump from the reasoning back into the middle of the conversation. This
module walks a window in its layouts' order when Tab is pressed (the window's
`focusNextPrevChild` calls `tab_to_next`), so turns built later still take their place.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLayout,
    QLineEdit,
    QPlainTextEdit,
    QSplitter,
    QTabBar,
    QTabWidget,
    QTextEdit,
    QWidget,
)

# Controls whose children are their own parts (a spin box's edit, a line edit's clear button):
# Qt orders those itself.
_WHOLE = (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSlider,
    QAbstractSpinBox,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QTabBar,
    QTextEdit,
)


def _layout_widgets(layout: QLayout) -> list[QWidget]:
    found: list[QWidget] = []
    for i in range(layout.count()):
        item = layout.itemAt(i)
        if item is None:
            continue
        if (widget := item.widget()) is not None:
            found.append(widget)
        elif (inner := item.layout()) is not None:
            found += _layout_widgets(inner)
        # PySide keeps the wrapper of a layout's item alive for as long as the layout lives,
        # and does not learn when the layout deletes the item: a widget created later at the
        # same address then came back from QApplication.allWidgets() as that QWidgetItem.
        shiboken6.invalidate(item)
    return found


def _shown_order(widget: QWidget) -> list[QWidget]:
    """The child widgets of `widget`: its tab bar first, then its layout's order, then the rest."""
    children = [c for c in widget.children() if isinstance(c, QWidget) and not c.isWindow()]
    ordered: list[QWidget] = []
    if isinstance(widget, QTabWidget):
        ordered.append(widget.tabBar())
    if isinstance(widget, QSplitter):
        ordered += [w for i in range(widget.count()) if (w := widget.widget(i)) is not None]
    if (layout := widget.layout()) is not None:
        ordered += [w for w in _layout_widgets(layout) if w.parent() is widget]
    seen = set(map(id, ordered))
    return ordered + [c for c in children if id(c) not in seen]


def focus_order(root: QWidget) -> list[QWidget]:
    """Every widget below `root` that Tab can reach, in the order it is shown; a container
    that takes focus itself (the conversation's scroll area: arrows scroll it) comes before the
    controls inside it."""
    order: list[QWidget] = []
    for child in _shown_order(root):
        if child.focusPolicy() & Qt.FocusPolicy.TabFocus and child.focusProxy() is None:
            order.append(child)
        if not isinstance(child, _WHOLE):
            order += focus_order(child)
    return order


def _stops(root: QWidget) -> list[QWidget]:
    return [w for w in focus_order(root) if w.isVisibleTo(root) and w.isEnabled()]


def tab_to_next(root: QWidget, forward: bool) -> bool:
    """Move the focus to the next (or previous) stop below `root`, in the order shown.

    For a window's `focusNextPrevChild`: Qt's chain follows creation order, this follows the
    layouts. False when there is no stop (Qt's own chain then decides)."""
    stops = _stops(root)
    if not stops:
        return False
    current = QApplication.focusWidget()
    while current is not None and current not in stops and current is not root:
        current = current.parentWidget()  # a stop's own part (a spin box's edit) counts as it
    if current in stops:
        index = stops.index(current) + (1 if forward else -1)
    else:
        index = 0 if forward else -1
    target = stops[index % len(stops)]
    reason = Qt.FocusReason.TabFocusReason if forward else Qt.FocusReason.BacktabFocusReason
    target.setFocus(reason)
    return True
