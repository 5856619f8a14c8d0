"""Formulas typeset in a process of their own, so the window's interpreter never runs ziamath.

ziamath is pure Python. Run on a thread of the window's process, it competed with the GUI thread
for the interpreter lock, and a math-heavy answer streaming made the window stutter. Its
deadline was enforced by raising exceptions inside the running thread and pausing the cyclic
garbage collector of the whole process meanwhile: fragile, and both are gone.

`TypesetWorker` keeps one long-lived worker process (started with the first formula) and asks
it one formula at a time over a pipe: TeX, display or inline, size and colour go in; the SVG,
or the sentence saying why there is none, comes back. The caller waits on the pipe, holding
nothing the GUI thread needs (client/ui calls it from a thread of its own).

- The deadline: a formula not answered within `TIME_LIMIT_S` has its worker killed and fails
  with a sentence saying so; the next formula starts a fresh worker. Starting one (a new
  interpreter importing ziamath) is not counted against any formula's time.
- A worker that died (killed from outside, out of memory) is replaced the same way, and the
  formula it had is asked of the new one once; if that one dies too, the formula fails.
- `stop()` ends the worker now (the window closed; a later formula starts another);
  `shutdown()` ends it for good (the application quits).
- Hostile TeX is refused before it is sent (`typeset.refusal`), and by the worker again.
  Messages are JSON both ways, so the window never unpickles what the worker wrote, and a reply
  is at most `MAX_REPLY_BYTES` long.

Workers are started with multiprocessing's spawn method: a fresh interpreter, not a fork of a
process running Qt's threads. In the PyInstaller bundle that runs the bundle's executable again,
which packaging/thinkpane-entry.py hands to `multiprocessing.freeze_support()`. The worker also
ends by itself when the pipe closes, so it never outlives the window, even one that crashed.
"""

from __future__ import annotations

import json
import multiprocessing
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

from client.render.typeset import (
    MAX_SVG_CHARS,
    TIME_LIMIT_S,
    FormulaError,
    FormulaKey,
    TypesetFormula,
    measured,
    refusal,
    typeset_svg,
)

#: How long a new worker may take to be ready (an interpreter and ziamath on a busy machine).
START_LIMIT_S = 60.0
#: After this many workers in a row failed to start, typesetting gives up for the session.
START_ATTEMPTS = 3
#: The longest reply read from a worker: an SVG at its cap in UTF-8, and a margin.
MAX_REPLY_BYTES = 4 * MAX_SVG_CHARS + 4_096
#: The longest request a worker reads.
MAX_REQUEST_BYTES = 65_536
_READY = b'{"ready": true}'
_START_STEP_S = 0.05


@dataclass
class _Worker:
    """One worker process and our end of its pipe."""

    process: BaseProcess
    connection: Connection

    def kill(self) -> None:
        try:
            self.process.kill()
        except (OSError, ValueError):  # already gone, or already closed
            pass

    def end(self) -> None:
        """Kill it, reap it, close the pipe; only by the thread asking, or when none is."""
        self.kill()
        try:
            self.process.join(5.0)
        except (OSError, ValueError, AssertionError):
            pass
        self.connection.close()


class TypesetWorker:
    """Typesets formulas in a worker process; `typeset(key)` may be called from any thread but
    the GUI's (it waits for the answer), one formula at a time."""

    def __init__(
        self, time_limit_s: float = TIME_LIMIT_S, start_limit_s: float = START_LIMIT_S
    ) -> None:
        self.time_limit_s = time_limit_s
        self.start_limit_s = start_limit_s
        self.starts = 0  # workers started so far (a restart is one more)
        self._asking = threading.Lock()  # one formula at a time
        self._guard = threading.Lock()  # the fields below
        self._current: _Worker | None = None
        self._closed = False
        self._failed_starts = 0

    @property
    def pid(self) -> int | None:
        """The running worker's process id, if there is one."""
        with self._guard:
            return self._current.process.pid if self._current is not None else None

    def typeset(self, key: FormulaKey) -> TypesetFormula:
        """`key`'s formula as SVG, or FormulaError saying why it cannot be."""
        reason = refusal(key.tex)
        if reason:
            raise FormulaError(reason)
        request = json.dumps(
            {"tex": key.tex, "display": key.display, "size": key.size, "colour": key.colour}
        ).encode("utf-8")
        with self._asking:
            for attempt in range(2):
                worker = self._started()
                try:
                    worker.connection.send_bytes(request)
                    answered = worker.connection.poll(self.time_limit_s)
                    reply = worker.connection.recv_bytes(MAX_REPLY_BYTES) if answered else b""
                except (EOFError, OSError):  # it died, or was stopped: ask a fresh one once
                    self._forget(worker)
                    worker.end()
                    if attempt or self._closed:
                        raise FormulaError("the typesetting process stopped") from None
                    continue
                if not answered:
                    self._forget(worker)
                    worker.end()
                    raise FormulaError(
                        f"the formula took longer than {self.time_limit_s:g} s to typeset"
                    )
                return _result(reply)
        raise AssertionError("unreachable")

    def stop(self) -> None:
        """End the worker now, without waiting for the formula it has (which is then asked of
        a fresh worker); the next formula starts a new one."""
        with self._guard:
            worker, self._current = self._current, None
        if worker is None:
            return
        worker.kill()  # a formula being asked sees the pipe close
        if self._asking.acquire(blocking=False):  # none is: reap it here
            try:
                worker.end()
            finally:
                self._asking.release()

    def shutdown(self) -> None:
        """End the worker for good: no formula is typeset from now on."""
        with self._guard:
            self._closed = True
        self.stop()

    def _forget(self, worker: _Worker) -> None:
        with self._guard:
            if self._current is worker:
                self._current = None

    def _started(self) -> _Worker:
        """The running worker, started if there is none."""
        with self._guard:
            if self._closed:
                raise FormulaError("typesetting has stopped")
            if self._current is not None:
                return self._current
            if self._failed_starts >= START_ATTEMPTS:
                raise FormulaError("the typesetting process could not be started")
        worker = self._start()
        with self._guard:
            if self._closed:  # shut down while it started
                worker.end()
                raise FormulaError("typesetting has stopped")
            self._current = worker
            return worker

    def _start(self) -> _Worker:
        context = multiprocessing.get_context("spawn")
        mine, theirs = context.Pipe()
        process = context.Process(
            target=serve, args=(theirs,), name="thinkpane-typesetting", daemon=True
        )
        self.starts += 1
        process.start()
        theirs.close()  # the worker holds its end: when it dies, ours reads end of file
        worker = _Worker(process, mine)
        ready = False
        deadline = time.monotonic() + self.start_limit_s
        try:  # in steps: quitting meanwhile does not wait for it
            while not self._closed and time.monotonic() < deadline:
                if mine.poll(_START_STEP_S):
                    ready = mine.recv_bytes(len(_READY)) == _READY
                    break
        except (EOFError, OSError):
            ready = False
        if not ready:
            worker.end()
            with self._guard:
                self._failed_starts += 1
            raise FormulaError("the typesetting process did not start")
        with self._guard:
            self._failed_starts = 0
        return worker


def _result(reply: bytes) -> TypesetFormula:
    try:
        answer = json.loads(reply)
    except ValueError:
        raise FormulaError("the typesetting process gave no picture") from None
    if not isinstance(answer, dict):
        raise FormulaError("the typesetting process gave no picture")
    if isinstance(answer.get("error"), str):
        raise FormulaError(answer["error"])
    svg = answer.get("svg")
    if not isinstance(svg, str):
        raise FormulaError("the typesetting process gave no picture")
    return measured(svg)


def serve(connection: Connection) -> None:
    """The worker process: typeset each formula asked for, until the pipe closes."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C in a terminal is for the window
    typeset_svg(FormulaKey("x", False, 10.0, "#000000"))  # ziamath imported and warm
    connection.send_bytes(_READY)
    while True:
        try:
            request = json.loads(connection.recv_bytes(MAX_REQUEST_BYTES))
            key = FormulaKey(
                str(request["tex"]),
                bool(request["display"]),
                float(request["size"]),
                str(request["colour"]),
            )
        except (EOFError, OSError):  # the window is gone (or the request was over-long)
            return
        except (ValueError, KeyError, TypeError):
            connection.send_bytes(b'{"error": "the request could not be read"}')
            continue
        try:
            reply = {"svg": typeset_svg(key).svg}
        except FormulaError as error:
            reply = {"error": str(error)}
        except Exception as error:  # never let one formula take the worker down
            reply = {"error": f"the formula could not be read ({type(error).__name__})"}
        connection.send_bytes(json.dumps(reply, ensure_ascii=False).encode("utf-8"))
