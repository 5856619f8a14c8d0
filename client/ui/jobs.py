"""Small background jobs with a callback on the GUI thread: Picard's run_task/to_main, for us.

The GUI thread never waits on the disk, the keyring or the network.
Store queries, the keyring, local-server discovery and the heavy imports after start-up all go
through `BackgroundJobs.run(work, on_done)`: `work` runs on a pool thread, `on_done(result)`
runs on the GUI thread. With one thread (the default) jobs run in the order they were asked for,
which is what store writes need: a rename is never overtaken by the list refresh that follows it.

A result can arrive after the widget that asked for it is gone (a dialog closed, a window taken
down). Each job has an owner, the widget its callbacks touch: the object a bound-method callback
belongs to, or the `owner` given for a lambda. Once the owner's C++ object is deleted, the
result goes nowhere.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

log = logging.getLogger(__name__)


def owner_of(
    on_done: Callable[..., Any] | None, on_error: Callable[..., Any] | None
) -> QObject | None:
    """The Qt object a bound-method callback belongs to (None for a lambda or a function)."""
    for callback in (on_done, on_error):
        target = getattr(callback, "__self__", None)
        if isinstance(target, QObject):
            return target
    return None


class JobHandle(QObject):
    """One job's way back to the GUI thread. `cancel()` drops the result: the callbacks never run;
    neither do they once the owner (the widget they touch) has been deleted.

    Signals:
        sig_job_done(object): the job's return value (emitted on the pool thread, delivered on
            the GUI thread because the handle lives there).
        sig_job_failed(object): the exception the job raised.
    """

    sig_job_done = Signal(object)
    sig_job_failed = Signal(object)

    def __init__(
        self,
        on_done: Callable[[Any], None] | None,
        on_error: Callable[[BaseException], None] | None,
        forget: Callable[[JobHandle], None],
        owner: QObject | None = None,
    ) -> None:
        super().__init__()
        self._on_done_cb = on_done
        self._on_error_cb = on_error
        self._forget = forget
        self._owner = owner
        self.cancelled = False
        self._connect_signals()

    def _connect_signals(self) -> None:
        self.sig_job_done.connect(self._on_self_job_done)
        self.sig_job_failed.connect(self._on_self_job_failed)

    def cancel(self) -> None:
        # Orange3's rule: disconnect first, so a late result can never reach a widget that moved on.
        self.cancelled = True
        self._on_done_cb = self._on_error_cb = None

    @property
    def owner_gone(self) -> bool:
        return self._owner is not None and not shiboken6.isValid(self._owner)

    @Slot(object)
    def _on_self_job_done(self, result: Any) -> None:
        callback = self._on_done_cb
        self._forget(self)
        if callback is not None and not self.cancelled and not self.owner_gone:
            callback(result)

    @Slot(object)
    def _on_self_job_failed(self, exc: BaseException) -> None:
        callback = self._on_error_cb
        self._forget(self)
        if self.cancelled or self.owner_gone:
            return
        if callback is not None:
            callback(exc)
        else:
            log.warning("a background job failed: %s: %s", type(exc).__name__, exc)


class _Job(QRunnable):
    def __init__(self, work: Callable[[], Any], handle: JobHandle) -> None:
        super().__init__()
        self._work = work
        self._handle = handle

    def run(self) -> None:
        if self._handle.cancelled:
            self._handle.sig_job_done.emit(None)
            return
        try:
            result = self._work()
        except Exception as exc:  # reported to the GUI thread as a sentence, never a crash
            self._handle.sig_job_failed.emit(exc)
        else:
            self._handle.sig_job_done.emit(result)


class BackgroundJobs(QObject):
    """A pool of `threads` worker threads (1: strictly in order) for short jobs.

    Signals: none; each job gets its own JobHandle.
    """

    def __init__(self, threads: int = 1, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(threads)
        self._handles: set[JobHandle] = set()

    def run(
        self,
        work: Callable[[], Any],
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        owner: QObject | None = None,
    ) -> JobHandle:
        """Run `work` on a pool thread; `on_done(result)` or `on_error(exc)` on the GUI thread,
        unless the job was cancelled or its owner (`owner`, else the Qt object a bound-method
        callback belongs to) was deleted first."""
        if owner is None:
            owner = owner_of(on_done, on_error)
        handle = JobHandle(on_done, on_error, self._handles.discard, owner)
        self._handles.add(handle)  # the handle must outlive the job, or its signal goes nowhere
        self._pool.start(_Job(work, handle))
        return handle

    @property
    def busy(self) -> bool:
        return bool(self._handles)

    def wait(self, msecs: int = -1) -> bool:
        """Block until every job has run (for quitting and for tests). True if they all did."""
        return self._pool.waitForDone(msecs)

    def drop_callbacks(self) -> None:
        """No callback runs from now on: for a window that is closing. A job's result is
        delivered through the event loop, after its work is done: waiting for the work is not
        enough, the delivery would still reach widgets the window has already taken down."""
        for handle in list(self._handles):
            handle.cancel()
