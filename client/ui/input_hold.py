"""What the user does in the window before its store is open waits, then happens in order.

The window shows before the store opens and its controllers are wired (client/ui/app.py), for a
few tens of milliseconds. A click on Send or a shortcut in that time would reach a widget or an
action that nothing listens to yet, and be lost. `InputHold` keeps the keyboard, mouse and
shortcut events meant for the window (and the objects it owns: its actions) from the moment it
shows, and posts them again, in the order they came, once `release()` is called.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject

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
    """An application event filter holding input meant for `window` until `release()`."""

    def __init__(self, app: QCoreApplication, window: QObject) -> None:
        super().__init__()
        self._app, self._window = app, window
        self._held: list[tuple[QObject, QEvent]] = []
        self._releasing = False
        app.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if self._releasing or event.type() not in _HELD or not self._ours(watched):
            return False
        self._held.append((watched, event.clone()))
        return True

    def _ours(self, obj: QObject | None) -> bool:
        while obj is not None:
            if obj is self._window:
                return True
            obj = obj.parent()
        return False

    @property
    def held(self) -> int:
        """How many events wait (for the tests)."""
        return len(self._held)

    def release(self) -> None:
        """Stop holding; what was held is posted again, in order."""
        if self._releasing:
            return
        self._releasing = True
        self._app.removeEventFilter(self)
        import shiboken6

        held, self._held = self._held, []
        for receiver, event in held:
            if shiboken6.isValid(receiver):
                QCoreApplication.postEvent(receiver, event)
