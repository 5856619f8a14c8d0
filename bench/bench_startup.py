"""startup: how soon the window is on screen, how soon it is gone, and what the app takes.

Each run launches a fresh process (offscreen, a fresh THINKPANE_HOME) and times from launch to
the line the app prints once its window is shown (THINKPANE_STARTUP_PROBE, see
client/ui/app.py); the process then finishes its background start-up (genai-prices, keyring,
the renderer) and quits, so its peak RSS (VmHWM, reported by the process itself as it exits)
includes them. The baseline is a bare PySide6 window in a process of its own, timed and
measured the same way. Medians of several runs.

- `first_window_with_history_s`: the same with a data folder holding 10,000 turns of ~15 KB
  reasoning (bench/history.py, built once per run): start-up must not grow with the history.
- `quit_s`: from the moment the app asks its window to close (printed by the app, on the
  monotonic clock this process reads too) to the process's exit, with the last conversation of
  that history open.
- `cli_version_s`, `cli_usage_s`: `thinkpane --version` and `thinkpane usage` on that history,
  beside `baseline_cli_version_s` and `baseline_cli_usage_s` on an empty folder.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MARKER = "thinkpane: window shown"
CLOSING = "thinkpane: closing at"
RUNS = 5
CLI_RUNS = 3

# Each process reports its own peak RSS (VmHWM) as it exits: the parent's ru_maxrss for a child
# would count the memory of this (large) benchmark process it was forked from.
PEAK = """
import atexit
def _peak():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            print("peak_kb", line.split()[1], flush=True)
atexit.register(_peak)
"""
APP = PEAK + "from client.cli import main\nraise SystemExit(main([]))\n"  # as `thinkpane` starts
BARE = (
    PEAK
    + f"""
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication([])
window = QMainWindow()
window.resize(1400, 860)
window.show()
QTimer.singleShot(0, lambda: (print({MARKER!r}, flush=True), QTimer.singleShot(0, app.quit)))
app.exec()
"""
)


def _environment() -> dict[str, str]:
    """This environment, but with bytecode caching on: an installed app has its .pyc files, and
    without them every launch would compile our modules again (the bare baseline has none)."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _launch(code: str, home: str) -> tuple[float, float, float]:
    """(seconds until the marker line, peak RSS in MB, seconds from the close request to the
    exit) of one process."""
    env = dict(
        _environment(),
        QT_QPA_PLATFORM="offscreen",
        THINKPANE_HOME=home,
        THINKPANE_STARTUP_PROBE="quit",
        PYTHONPATH=str(ROOT),
    )
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    shown, peak_kb, closing = float("nan"), float("nan"), float("nan")
    assert process.stdout is not None
    for line in process.stdout:
        if line.strip() == MARKER and shown != shown:
            shown = time.perf_counter() - started
        elif line.startswith("peak_kb "):
            peak_kb = float(line.split()[1])
        elif line.startswith(CLOSING):
            closing = float(line.split()[-1])
    process.wait()
    return shown, peak_kb / 1024, time.monotonic() - closing


def _command(args: list[str], home: str) -> float:
    """Seconds for one `thinkpane ARGS` process, start to exit."""
    env = dict(_environment(), THINKPANE_HOME=home, PYTHONPATH=str(ROOT))
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", CLI, *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=True,
    )
    return time.perf_counter() - started


CLI = "import sys\nfrom client.cli import main\nraise SystemExit(main(sys.argv[1:]))\n"


def run(args: list[str]) -> dict:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    sys.path.insert(0, str(ROOT))
    from history import build

    runs = int(args[0]) if args and args[0].isdigit() else RUNS
    app_times, app_rss, bare_times, bare_rss = [], [], [], []
    history_times, history_rss, quits = [], [], []
    cli: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="thinkpane-bench-startup-") as folder:
        history = Path(folder) / "history"
        history.mkdir()
        build(history)
        empty = Path(folder) / "empty"
        _launch(APP, str(Path(folder) / "warm"))  # first launch compiles bytecode: not measured
        _launch(APP, str(history))  # and migrates nothing, reads the history into the page cache
        for i in range(runs):
            shown, rss, _quit = _launch(APP, str(Path(folder) / f"app{i}"))
            app_times.append(shown)
            app_rss.append(rss)
            shown, rss, _quit = _launch(BARE, str(Path(folder) / f"bare{i}"))
            bare_times.append(shown)
            bare_rss.append(rss)
            shown, rss, quit_s = _launch(APP, str(history))
            history_times.append(shown)
            history_rss.append(rss)
            quits.append(quit_s)
            if i >= CLI_RUNS:
                continue
            for name, command in (("version", ["--version"]), ("usage", ["usage"])):
                cli.setdefault(name, []).append(_command(command, str(history)))
                cli.setdefault(f"baseline_{name}", []).append(_command(command, str(empty)))
        history_mb = round((history / "thinkpane.sqlite3").stat().st_size / 1e6, 1)
    return {
        "first_window_s": round(statistics.median(app_times), 3),
        "baseline_first_window_s": round(statistics.median(bare_times), 3),
        "first_window_with_history_s": round(statistics.median(history_times), 3),
        "quit_s": round(statistics.median(quits), 3),
        "peak_rss_mb": round(statistics.median(app_rss), 1),
        "baseline_peak_rss_mb": round(statistics.median(bare_rss), 1),
        "peak_rss_with_history_mb": round(statistics.median(history_rss), 1),
        **{
            f"cli_{k}_s" if not k.startswith("baseline_") else f"baseline_cli_{k[9:]}_s": round(
                statistics.median(v), 3
            )
            for k, v in cli.items()
        },
        "history_mb": history_mb,
        "runs": runs,
    }


if __name__ == "__main__":
    print(run(sys.argv[1:]))
