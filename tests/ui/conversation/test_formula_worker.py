"""The typesetting process: formula pictures come from a process that is not the window's; a
formula over its deadline kills the worker and the next one still renders; a worker that dies
is replaced; stopping ends it, and a window that goes away (even by crashing) leaves none behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QImage

from client.render.typeset import TIME_LIMIT_S, FormulaError, FormulaKey
from client.ui.conversation.formula_worker import FormulaWorker

ROOT = Path(__file__).resolve().parents[3]
#: About a second of ziamath here: far over the short deadline the tests give it.
SLOW = "\\sum_{k=1}^{n} k^2 + " * 180 + "1"


def key(tex: str, display: bool = False, colour: str = "#000000", scale: float = 1.0) -> FormulaKey:
    return FormulaKey(tex, display, 20.0 * scale, colour, scale)


def ink(image: QImage) -> QColor | None:
    """The colour of the most opaque pixel: the formula's ink."""
    best, colour = 0, None
    for y in range(image.height()):
        for x in range(image.width()):
            pixel = image.pixelColor(x, y)
            if pixel.alpha() > best:
                best, colour = pixel.alpha(), pixel
    return colour


def running(pid: int) -> bool:
    """Whether process `pid` still runs (a zombie waiting to be reaped does not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def wait_until_gone(pid: int) -> None:
    for _ in range(600):  # a bound, not a measure: the worker goes within milliseconds
        if not running(pid):
            return
        time.sleep(0.05)
    raise AssertionError(f"the worker {pid} still runs")


@pytest.fixture
def worker():
    typesetter = FormulaWorker()
    yield typesetter
    typesetter.shutdown()


def test_a_formula_is_drawn_in_another_process(worker) -> None:
    image = worker.picture(key("\\frac{a}{b} + x_1^2", colour="#123456"), 8.0)
    assert image.width() > 20 and image.height() > 20 and image.devicePixelRatio() == 1.0
    colour = ink(image)
    assert colour is not None and colour.name() == "#123456"
    assert worker.pid is not None and worker.pid != os.getpid() and running(worker.pid)
    # The same worker serves the next formula, at a screen's pixel ratio of 2.
    sharp = worker.picture(key("\\frac{a}{b} + x_1^2", colour="#123456", scale=2.0), 16.0)
    assert sharp.devicePixelRatio() == 2.0
    assert abs(sharp.width() - 2 * image.width()) <= 2
    assert worker.starts == 1


def test_hostile_formulas_are_refused_before_anything_is_sent(worker) -> None:
    for tex in ("\\href{http://127.0.0.1:1/x}{y}", "\\def\\a{\\a\\a}\\a", "x + " * 1_001):
        with pytest.raises(FormulaError):
            worker.picture(key(tex), 8.0)
    assert worker.starts == 0 and worker.pid is None  # no worker was even started


def test_malformed_tex_is_a_sentence_from_the_worker(worker) -> None:
    with pytest.raises(FormulaError, match="could not be read"):
        worker.picture(key("\\frac{"), 8.0)
    assert worker.picture(key("x"), 8.0).width() > 0  # and the worker goes on
    assert worker.starts == 1


def test_a_formula_over_its_deadline_kills_the_worker_and_the_next_formula_renders(
    worker,
) -> None:
    assert worker.picture(key("x"), 8.0).width() > 0
    first = worker.pid
    assert first is not None
    worker.time_limit_s = 0.05
    with pytest.raises(FormulaError, match="longer than 0.05 s"):
        worker.picture(key(SLOW, display=True), 8.0)
    assert not running(first)  # killed, not left to finish
    worker.time_limit_s = TIME_LIMIT_S
    assert worker.picture(key("\\sqrt{2}"), 8.0).width() > 0
    assert worker.starts == 2 and worker.pid not in (None, first)


def test_a_worker_killed_from_outside_is_replaced(worker) -> None:
    assert worker.picture(key("x"), 8.0).width() > 0
    first = worker.pid
    assert first is not None
    os.kill(first, signal.SIGKILL)
    wait_until_gone(first)
    assert worker.picture(key("y^2"), 8.0).width() > 0  # asked again of a fresh worker
    assert worker.starts == 2 and worker.pid not in (None, first)


def test_stop_ends_the_worker_and_a_later_formula_starts_another(worker) -> None:
    assert worker.picture(key("x"), 8.0).width() > 0
    first = worker.pid
    assert first is not None
    worker.stop()
    assert worker.pid is None
    wait_until_gone(first)
    assert worker.picture(key("z"), 8.0).width() > 0
    second = worker.pid
    assert second not in (None, first)
    worker.shutdown()
    wait_until_gone(second)
    with pytest.raises(FormulaError, match="stopped"):
        worker.picture(key("z"), 8.0)
    assert worker.pid is None


def test_a_crashed_window_leaves_no_worker_behind() -> None:
    # The window's process dies without any clean-up; its worker reads the end of its pipe.
    script = (
        "import os, sys\n"
        "from client.render.typeset import FormulaKey\n"
        "from client.ui.conversation.formula_worker import FormulaWorker\n"
        "worker = FormulaWorker()\n"
        "worker.picture(FormulaKey('x', False, 20.0, '#000000'), 8.0)\n"
        "print(worker.pid, flush=True)\n"
        "os._exit(3)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 3, done.stderr
    wait_until_gone(int(done.stdout.split()[-1]))
