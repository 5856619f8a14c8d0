"""startup: how soon the window is on screen, and how much memory the app takes.

Each run launches a fresh process (offscreen, a fresh THINKPANE_HOME) and times from launch to
the line the app prints once its window is shown (THINKPANE_STARTUP_PROBE, see
client/ui/app.py); the process then finishes its background start-up (genai-prices, keyring,
the renderer) and quits, so its peak RSS (VmHWM, reported by the process itself as it exits)
includes them. The baseline is a bare PySide6 window
in a process of its own, timed and measured the same way. Medians of several runs.
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
RUNS = 5

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
APP = PEAK + "from client.ui.app import run_app\nraise SystemExit(run_app())\n"
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


def _launch(code: str, home: str) -> tuple[float, float]:
    """(seconds until the marker line, peak RSS in MB) of one process."""
    env = dict(
        os.environ,
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
    shown, peak_kb = float("nan"), float("nan")
    assert process.stdout is not None
    for line in process.stdout:
        if line.strip() == MARKER and shown != shown:
            shown = time.perf_counter() - started
        elif line.startswith("peak_kb "):
            peak_kb = float(line.split()[1])
    process.wait()
    return shown, peak_kb / 1024


def run(args: list[str]) -> dict:
    runs = int(args[0]) if args and args[0].isdigit() else RUNS
    app_times, app_rss, bare_times, bare_rss = [], [], [], []
    with tempfile.TemporaryDirectory(prefix="thinkpane-bench-startup-") as folder:
        _launch(APP, str(Path(folder) / "warm"))  # first launch compiles bytecode: not measured
        for i in range(runs):
            shown, rss = _launch(APP, str(Path(folder) / f"app{i}"))
            app_times.append(shown)
            app_rss.append(rss)
            shown, rss = _launch(BARE, str(Path(folder) / f"bare{i}"))
            bare_times.append(shown)
            bare_rss.append(rss)
    return {
        "first_window_s": round(statistics.median(app_times), 3),
        "baseline_first_window_s": round(statistics.median(bare_times), 3),
        "peak_rss_mb": round(statistics.median(app_rss), 1),
        "baseline_peak_rss_mb": round(statistics.median(bare_rss), 1),
        "runs": runs,
    }


if __name__ == "__main__":
    print(run(sys.argv[1:]))
