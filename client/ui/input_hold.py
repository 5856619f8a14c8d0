"""What the user does in the window before its store is open waits, then happens in order.

The window shows before the store opens and its controllers are wired (client/ui/app.py), for a
few tens of milliseconds. A click on Send or a shortcut in that time would reach a widget or an
action that nothing listens to yet, and be lost. `InputHold` keeps the keyboard, mouse and
shortcut events meant for the window from the moment it shows, and posts them again, in the
order they came, once `release()` is called.

It watches only what input reaches first: the window's native window (every key, click, wheel
turn, touch and drop the system delivers to it, before Qt hands them to a widget), the window's
actions (a shortcut goes straight to its action) and the widget with the keyboard focus (input
methods write to it directly). An application-wide filter would see every event of every object
in Python, and turning each object Qt hands it into a Python one made PySide build the Python
class of every Qt widget it knows: about 200 classes, 15 ms of the first frame.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget

_HELD = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.KeyRelease,
        QEvent.Type.Shortcut,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonRelease,
        QEvent.Type.MouseButtonDblClick,
        QEvent.Type.Wheel,
        QEvent.Type.InputMethod,
        QEvent.Type.ContextMenu,
        QEvent.Type.TouchBegin,
        QEvent.Type.TouchUpdate,
        QEvent.Type.TouchEnd,
        QEvent.Type.Drop,
    }
)


class InputHold(QObject):
    """An event filter on `window` (shown) holding its input until `release()`.

    Signals: none.
    """

    def __init__(self, window: QWidget) -> None:
        super().__init__()
        self._held: list[tuple[QObject, QEvent]] = []
        self._releasing = False
        watched: list[QObject] = [window, *window.findChildren(QAction)]
        if (handle := window.windowHandle()) is not None:
            watched.append(handle)
        if (focus := window.focusWidget()) is not None:
            watched.append(focus)
        self._watched = watched
        for obj in watched:
            obj.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if self._releasing or event.type() not in _HELD:
            return False
        self._held.append((watched, event.clone()))
        return True

    @property
    def held(self) -> int:
        """How many events wait (for the tests)."""
        return len(self._held)

    def release(self) -> None:
        """Stop holding; what was held is posted again, in order."""
        if self._releasing:
            return
        self._releasing = True
        import shiboken6

        for obj in self._watched:
            if shiboken6.isValid(obj):
                obj.removeEventFilter(self)
        self._watched = []
        held, self._held = self._held, []
        for receiver, event in held:
            if shiboken6.isValid(receiver):
                QCoreApplication.postEvent(receiver, event)
