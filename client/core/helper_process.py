"""A long-lived worker process, asked one request at a time over a pipe.

Two parts of Thinkpane do their work in a process of their own, so that the window's interpreter
never holds its lock for it: the auditor (client.audit.process) and the formula typesetter
(client.ui.conversation.formula_worker). Starting a worker, waiting for it to be ready,
replacing one that died and killing one that ran too long are the same for both, so they live
here, once. Here, in client.core, because it is the one layer both may import (client.audit may
not import client.ui).

- A worker is started by the first request (multiprocessing's spawn, loaded only then: a fresh
  interpreter, not a fork of a process running Qt's threads). In the PyInstaller bundle that runs
  the bundle's executable again, which packaging/thinkpane-entry.py hands to
  `multiprocessing.freeze_support()`. It sends `READY` once its imports are loaded and warm;
  that start is not counted against any request's time, and is waited for in short steps, so a
  shutdown meanwhile does not wait for it. After `START_ATTEMPTS` failed starts in a row, no
  more are tried and every request is `Unavailable`.
- `ask()` sends one request at a time and waits on the pipe, holding nothing another thread
  needs. A request not answered within `time_limit_s` has its worker killed (`TimedOut`); the
  next request starts a fresh one. A worker that died (killed from outside, out of memory) is
  replaced, and the request it had is asked of the new one once; if that one dies too, the
  request is `Unavailable`.
- A reply the caller's `read` refuses (`BadReply`) leaves the pipe out of step: that worker is
  never asked again.
- `stop()` ends the worker now (a later request starts another); `shutdown()` ends it for good.

What goes over the pipe is the caller's business (both send JSON, so the window never unpickles
what a worker wrote), and so is the worker's `serve` function: it takes its end of the pipe,
sends `READY`, answers each request, and returns when the pipe closes, so a worker never
outlives the window, even one that crashed.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:  # multiprocessing loads with the first worker, not at start-up
    from multiprocessing.connection import Connection
    from multiprocessing.process import BaseProcess

#: After this many workers in a row failed to start, no more are tried.
START_ATTEMPTS = 3
#: What a worker sends once it is ready for requests.
READY = b'{"ready": true}'
_START_STEP_S = 0.05

T = TypeVar("T")


class Unavailable(Exception):
    """No worker could answer (it would not start, it died twice, or the helper was shut down):
    the sentence says which."""


class TimedOut(Exception):
    """The request was not answered within the time limit; its worker was killed."""


class BadReply(Exception):
    """A reply not in the shape the worker writes: raised by the caller's `read`."""


@dataclass
class _Worker:
    """One worker process and our end of its pipe."""

    process: BaseProcess
    connection: Connection

    def kill(self) -> None:
        try:
            self.process.kill()
        except (OSError, ValueError, AssertionError):  # already gone, or already closed
            pass

    def end(self) -> None:
        """Kill it, reap it, close the pipe; only by the thread asking, or when none is."""
        self.kill()
        try:
            self.process.join(5.0)
        except (OSError, ValueError, AssertionError):
            pass
        self.connection.close()


class HelperProcess:
    """Runs `target(connection)` in a worker process and asks it requests; `ask()` may be called
    from any thread but the GUI's (it waits for the answer), one request at a time.

    `activity` and `noun` name it in the sentences `Unavailable` carries: "{activity} has
    stopped", "{noun} could not be started", "{noun} did not start", "{noun} stopped".
    """

    def __init__(
        self,
        target: Callable[[Connection], None],
        name: str,
        *,
        time_limit_s: float,
        start_limit_s: float,
        activity: str,
        noun: str,
    ) -> None:
        self.time_limit_s = time_limit_s  # for each request
        self.start_limit_s = start_limit_s  # for a new worker to be ready
        self.starts = 0  # workers started so far (a restart is one more)
        self._target = target
        self._name = name
        self._activity = activity
        self._noun = noun
        self._asking = threading.Lock()  # one request at a time
        self._guard = threading.Lock()  # the fields below
        self._current: _Worker | None = None
        self._closed = False
        self._failed_starts = 0

    @property
    def pid(self) -> int | None:
        """The running worker's process id, if there is one."""
        with self._guard:
            return self._current.process.pid if self._current is not None else None

    def ask(self, request: bytes, read: Callable[[Connection], T]) -> T:
        """Send `request` to the worker and return `read(connection)` once it answers.

        `read` raises `BadReply` for a reply not in the worker's shape (the worker is then
        retired); any other exception of its own (the worker's reported error) reaches the
        caller, and the worker goes on. Raises `TimedOut` or `Unavailable`.
        """
        with self._asking:
            for attempt in range(2):
                worker = self._started()
                try:
                    worker.connection.send_bytes(request)
                    if worker.connection.poll(self.time_limit_s):
                        return read(worker.connection)
                except BadReply:  # out of step with the pipe: never trust it again
                    self._retire(worker)
                    raise
                except (EOFError, OSError):  # it died, or was stopped: ask a fresh one once
                    self._retire(worker)
                    if attempt or self._closed:
                        raise Unavailable(f"{self._noun} stopped") from None
                    continue
                self._retire(worker)
                raise TimedOut
        raise AssertionError("unreachable")

    def stop(self) -> None:
        """End the worker now, without waiting for the request it has (which is then asked of
        a fresh worker); the next request starts a new one."""
        with self._guard:
            worker, self._current = self._current, None
        if worker is None:
            return
        worker.kill()  # a request being asked sees the pipe close, and reaps it
        if self._asking.acquire(blocking=False):  # none is: reap it here
            try:
                worker.end()
            finally:
                self._asking.release()

    def shutdown(self) -> None:
        """End the worker for good: no request is asked from now on."""
        with self._guard:
            self._closed = True
        self.stop()

    def _retire(self, worker: _Worker) -> None:
        with self._guard:
            if self._current is worker:
                self._current = None
        worker.end()

    def _started(self) -> _Worker:
        """The running worker, started if there is none."""
        with self._guard:
            if self._closed:
                raise Unavailable(f"{self._activity} has stopped")
            if self._current is not None:
                return self._current
            if self._failed_starts >= START_ATTEMPTS:
                raise Unavailable(f"{self._noun} could not be started")
        worker = self._start()
        with self._guard:
            if self._closed:  # shut down while it started
                worker.end()
                raise Unavailable(f"{self._activity} has stopped")
            self._current = worker
            return worker

    def _start(self) -> _Worker:
        import multiprocessing

        context = multiprocessing.get_context("spawn")
        mine, theirs = context.Pipe()
        process = context.Process(target=self._target, args=(theirs,), name=self._name, daemon=True)
        self.starts += 1
        try:
            process.start()
        except OSError as error:
            mine.close()
            theirs.close()
            self._start_failed()
            raise Unavailable(f"{self._noun} could not be started: {error}") from None
        theirs.close()  # the worker holds its end: when it dies, ours reads end of file
        worker = _Worker(process, mine)
        ready = False
        deadline = time.monotonic() + self.start_limit_s
        try:  # in steps: a shutdown meanwhile does not wait for it
            while not self._closed and time.monotonic() < deadline:
                if mine.poll(_START_STEP_S):
                    ready = mine.recv_bytes(len(READY)) == READY
                    break
        except (EOFError, OSError):
            ready = False
        if not ready:
            worker.end()
            self._start_failed()
            raise Unavailable(f"{self._noun} did not start")
        with self._guard:
            self._failed_starts = 0
        return worker

    def _start_failed(self) -> None:
        with self._guard:
            self._failed_starts += 1
