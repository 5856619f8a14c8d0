"""Driving a modal dialog the way a user does: wait until it is on screen, act on its widgets,
press its buttons. `exec()` blocks the test, so the actions run from a timer inside its loop."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog, QWidget

_POLL_MS = 20


def when_modal(act: Callable[[QWidget], Any], *, kind: type = QDialog, tries: int = 500) -> list:
    """Run `act(dialog)` once a modal `kind` is on screen; the returned list gets what act
    returned (or the exception it raised, so the test can re-raise it after exec returns)."""
    done: list[Any] = []

    def poll(left: int) -> None:
        widget = QApplication.activeModalWidget()
        if isinstance(widget, kind) and widget.isVisible():
            try:
                done.append(act(widget))
            except Exception as exc:  # noqa: BLE001 - handed back to the test
                done.append(exc)
                widget.close()
            return
        if left:
            QTimer.singleShot(_POLL_MS, lambda: poll(left - 1))

    QTimer.singleShot(0, lambda: poll(tries))
    return done
