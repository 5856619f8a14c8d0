"""The worker process helper (client.core.helper_process), with a tiny worker of its own: a reply
comes back, a worker that died is replaced and the request asked again once, a worker that never
says it is ready or runs too long is given up, a refused reply retires its worker, and shutting
down reaps it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from client.core.helper_process import READY, BadReply, HelperProcess, TimedOut, Unavailable

ROOT = Path(__file__).resolve().parents[2]


def serve(connection) -> None:
    """The test worker: "echo:x" answers "ok:x", "sleep:s" answers after s seconds, "die-once:path"
    ends the worker unless path exists (making it first), "die" always ends it, "garbage" answers
    out of shape."""
    connection.send_bytes(READY)
    while True:
        try:
            request = connection.recv_bytes().decode()
        except (EOFError, OSError):
            return
        command, _, argument = request.partition(":")
        if command == "sleep":
            time.sleep(float(argument))
        elif command == "die-once" and not os.path.exists(argument):
            Path(argument).touch()
            os._exit(1)
        elif command == "die":
            os._exit(1)
        elif command == "garbage":
            connection.send_bytes(b"\xff not the shape")
            continue
        connection.send_bytes(f"ok:{argument}".encode())


def silent(connection) -> None:
    """A worker that never says it is ready."""
    try:
        connection.recv_bytes()
    except (EOFError, OSError):
        return


def read(connection) -> str:
    reply = connection.recv_bytes(1024)
    if not reply.startswith(b"ok:"):
        raise BadReply
    return reply.decode()


def helper(target=serve, time_limit_s: float = 10.0, start_limit_s: float = 30.0) -> HelperProcess:
    return HelperProcess(
        target,
        "thinkpane-test-helper",
        time_limit_s=time_limit_s,
        start_limit_s=start_limit_s,
        activity="testing",
        noun="the test process",
    )


def reaped(pid: int) -> bool:
    """Whether process `pid` is gone, reaped rather than left running or a zombie."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def started(worker: HelperProcess) -> int:
    """The process id of `worker`'s worker, started and answering."""
    assert worker.ask(b"echo:warm", read) == "ok:warm"
    assert worker.pid is not None
    return worker.pid


@pytest.fixture
def worker():
    process = helper()
    yield process
    process.shutdown()


def test_a_reply_comes_back_from_another_process(worker):
    assert worker.pid is None and worker.starts == 0  # nothing started before the first request
    assert worker.ask(b"echo:2 + 2", read) == "ok:2 + 2"
    assert worker.pid not in (None, os.getpid())
    assert worker.ask(b"echo:again", read) == "ok:again"
    assert worker.starts == 1


def test_a_killed_worker_is_replaced(worker):
    first = started(worker)
    os.kill(first, signal.SIGKILL)
    assert worker.ask(b"echo:second", read) == "ok:second"
    assert worker.starts == 2 and worker.pid not in (None, first)


def test_the_request_a_worker_died_on_is_asked_of_a_fresh_one_once(worker, tmp_path):
    marker = tmp_path / "died"
    assert worker.ask(f"die-once:{marker}".encode(), read) == f"ok:{marker}"
    assert marker.exists() and worker.starts == 2
    with pytest.raises(Unavailable, match="^the test process stopped$"):
        worker.ask(b"die", read)  # the fresh one dies too: not asked a third time
    assert worker.starts == 3 and worker.pid is None


def test_a_worker_that_never_says_it_is_ready_is_unavailable():
    process = helper(silent, start_limit_s=0.5)
    try:
        with pytest.raises(Unavailable, match="^the test process did not start$"):
            process.ask(b"echo:x", read)
        assert process.pid is None and process.starts == 1
    finally:
        process.shutdown()


def test_after_three_failed_starts_no_more_are_tried():
    process = helper(silent, start_limit_s=0.2)
    try:
        for _ in range(3):
            with pytest.raises(Unavailable, match="did not start"):
                process.ask(b"echo:x", read)
        with pytest.raises(Unavailable, match="^the test process could not be started$"):
            process.ask(b"echo:x", read)
        assert process.starts == 3
    finally:
        process.shutdown()


def test_a_request_over_its_time_is_stopped_and_the_next_one_gets_a_fresh_worker(worker):
    first = started(worker)
    worker.time_limit_s = 0.2
    with pytest.raises(TimedOut):
        worker.ask(b"sleep:30", read)
    assert worker.pid is None and reaped(first)  # killed, not left to finish
    worker.time_limit_s = 10.0
    assert worker.ask(b"echo:next", read) == "ok:next"
    assert worker.starts == 2 and worker.pid not in (None, first)


def test_a_reply_out_of_shape_retires_its_worker(worker):
    first = started(worker)
    with pytest.raises(BadReply):
        worker.ask(b"garbage", read)
    assert worker.pid is None and reaped(first)
    assert worker.ask(b"echo:next", read) == "ok:next"
    assert worker.starts == 2


def test_an_error_the_reader_raises_reaches_the_caller_and_the_worker_goes_on(worker):
    def refuse(connection) -> str:
        raise LookupError(connection.recv_bytes().decode())

    with pytest.raises(LookupError, match="ok:no"):
        worker.ask(b"echo:no", refuse)
    first = worker.pid
    assert worker.ask(b"echo:yes", read) == "ok:yes"
    assert worker.pid == first and worker.starts == 1


def test_stop_ends_the_worker_and_the_next_request_starts_another(worker):
    first = started(worker)
    worker.stop()
    assert worker.pid is None and reaped(first)
    assert worker.ask(b"echo:again", read) == "ok:again"
    assert worker.starts == 2


def test_shutdown_reaps_the_worker_and_nothing_is_asked_after(worker):
    pid = started(worker)
    worker.shutdown()
    assert worker.pid is None
    assert reaped(pid)
    with pytest.raises(Unavailable, match="^testing has stopped$"):
        worker.ask(b"echo:x", read)
    assert worker.starts == 1


def test_importing_the_helper_does_not_load_multiprocessing():
    code = "import sys, client.core.helper_process; print('multiprocessing' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "False"
