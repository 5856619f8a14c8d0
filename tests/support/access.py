"""Reading a window the way a screen reader does: through Qt's accessibility tree.

`unnamed_controls(widget)` walks the accessibility interfaces below a window (what AT-SPI, UIA or
NSAccessibility are given) and lists every visible interactive control that has neither a name
nor a description: what a screen reader would announce as just "edit text" or "button".

A combo box is held to more: Qt names it by its current item ("qwen3"), so it needs a label
whose buddy it is ("Model"). That label is what every platform reads as what the box is: on
Windows and macOS Qt takes the buddy's text as the box's name, and on Linux, where Qt ignores a
combo box's accessible name, AT-SPI hands the label to Orca as a labelled-by relation. Without it
a screen reader hears "qwen3" and not "Model, qwen3".
"""

from __future__ import annotations

from PySide6.QtGui import QAccessible, QAccessibleInterface
from PySide6.QtWidgets import QComboBox, QLabel, QWidget

from client.ui.tab_order import focus_order

_Role = QAccessible.Role
INTERACTIVE = {
    _Role.Button,
    _Role.PushButton,
    _Role.CheckBox,
    _Role.RadioButton,
    _Role.ComboBox,
    _Role.EditableText,
    _Role.SpinBox,
    _Role.List,
    _Role.Table,
    _Role.Tree,
    _Role.PageTab,
    _Role.PageTabList,
    _Role.Slider,
    _Role.ButtonMenu,
    _Role.ButtonDropDown,
}


def _walk(iface: QAccessibleInterface, depth: int = 0):
    if iface is None or not iface.isValid() or depth > 60:
        return
    if iface.state().invisible:
        return
    yield iface
    for i in range(iface.childCount()):
        yield from _walk(iface.child(i), depth + 1)


def describe(iface: QAccessibleInterface) -> str:
    obj = iface.object()
    cls = type(obj).__name__ if obj is not None else "?"
    name = obj.objectName() if obj is not None else ""
    path = []
    parent = obj.parent() if obj is not None else None
    while parent is not None and len(path) < 4:
        path.append(type(parent).__name__)
        parent = parent.parent()
    return f"{iface.role().name} {cls}({name!r}) in {'/'.join(path)}"


def controls(window: QWidget) -> list[QAccessibleInterface]:
    """Every visible interactive control below `window`, in accessibility-tree order."""
    root = QAccessible.queryAccessibleInterface(window)
    return [i for i in _walk(root) if i.role() in INTERACTIVE]


def unnamed_controls(window: QWidget) -> list[str]:
    """Each visible interactive control with neither an accessible name nor a description, and
    each combo box without a label (it would be read only as its current item)."""
    missing = []
    for iface in controls(window):
        name = iface.text(QAccessible.Text.Name).strip()
        description = iface.text(QAccessible.Text.Description).strip()
        if not name and not description:
            missing.append(describe(iface))
        elif isinstance(iface.object(), QComboBox) and not _says_what_it_is(iface):
            missing.append(describe(iface) + f" read only as its item {name!r}")
    return missing


def unnamed_stops(window: QWidget) -> list[str]:
    """Each place Tab stops at below `window` that has neither a name nor a description (a
    scroll area taking the focus is no control by role, but a screen reader announces it)."""
    missing = []
    for widget in focus_order(window):
        if not (widget.isVisibleTo(window) and widget.isEnabled()):
            continue
        iface = QAccessible.queryAccessibleInterface(widget)
        if (
            not iface.text(QAccessible.Text.Name).strip()
            and not iface.text(QAccessible.Text.Description).strip()
        ):
            missing.append(f"Tab stop {describe(iface)}")
    return missing


def _says_what_it_is(iface: QAccessibleInterface) -> bool:
    """A label, whose buddy the combo box is, that a screen reader reads before its item."""
    return any(
        isinstance(other.object(), QLabel)  # not the group box around it: "Model", not "Look"
        and other.text(QAccessible.Text.Name).strip()
        for other, _ in iface.relations(QAccessible.RelationFlag.Label)
    )
