"""open: how soon a long conversation is on screen and usable, beside a short one, in one run.

A store is seeded with a 300-turn conversation holding 3 MB of reasoning (10,000 characters a
turn) and realistic markdown answers (headings, lists, a code block, a table), and a 3-turn one
of the same kind. The real window opens each, offscreen, from the sidebar's path
(`open_conversation`): the figure is the time from the click until the conversation's newest
turn has been painted and the event loop has answered a timer posted after that paint (the
window is responsive). `first_screen_s` is the long conversation, `baseline_first_screen_s` the
short one; medians of several alternating runs. A 1 ms timer probes the GUI thread for a second
after each long open: `stall_ms_max` is the longest the window was unresponsive meanwhile (older
turns are built in slices, so this stays small).
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

LONG_TURNS = 300
SHORT_TURNS = 3
REASONING_PER_TURN = 10_000  # 300 turns: 3 MB
RUNS = 5
PROBE_S = 1.0


def _reasoning(i: int) -> str:
    sentences = [
        f"Turn {i}: let me restate the problem before computing anything. ",
        "The second term is 17 times 3, which is 51, so the running total is 68. ",
        "Wait, the question asks for the remainder, not the quotient; check again. ",
        "Alternatively factor first and compare both routes; they should agree. ",
        "So the candidate answer satisfies every constraint seen so far. ",
    ]
    out, n = [], 0
    while n < REASONING_PER_TURN:
        piece = sentences[len(out) % len(sentences)]
        out.append(piece)
        n += len(piece)
        if len(out) % 11 == 0:
            out.append("\n\n")
    return "".join(out)[:REASONING_PER_TURN]


def _answer(i: int) -> str:
    return (
        f"## Part {i}\n\nThe short answer is **{i * 7 % 13}**, and here is why. We split the "
        "problem in two, solve each half, and check the result against the bound we were "
        "given. Each step is small enough to verify by hand.\n\n"
        "1. Rewrite the expression so the common factor is visible.\n"
        "2. Apply the identity to each half.\n"
        "3. Add the halves and reduce modulo the divisor.\n\n"
        f"```python\ndef part_{i}(n: int) -> int:\n    total = sum(k * k for k in range(n))\n"
        "    return total % 13\n```\n\n"
        "| n | total | remainder |\n|---|---|---|\n| 3 | 5 | 5 |\n| 4 | 14 | 1 |\n| 5 | 30 | 4 |\n\n"
        "> The check at the end matters more than the arithmetic in the middle.\n\n"
        "If you want the general case, the same argument works for any modulus that is prime; "
        "for composite moduli, split by the Chinese remainder theorem first."
    )


def seed(store, turns: int, title: str) -> str:  # type: ignore[no-untyped-def]
    from client.core.conversation import ReasoningTrace, Turn, new_id
    from client.core.events import TurnStatus, Visibility
    from client.core.usage import Usage

    conversation = store.create_conversation(title)
    parent = None
    for i in range(turns):
        turn = Turn(
            id=new_id("t"),
            conversation_id=conversation.id,
            prompt=f"Question {i}: what is the remainder of the sum of squares below {i + 3} "
            "when divided by 13? Show the steps.",
            provider="deepseek",
            model="deepseek-reasoner",
            parent_id=parent,
            answer=_answer(i),
            reasoning=ReasoningTrace(Visibility.RAW, _reasoning(i), 2_500),
            usage=Usage(400 + i, 0, None, 3_000, 2_500),
            status=TurnStatus.COMPLETE,
            model_reported="deepseek-reasoner",
        )
        store.insert_turn(turn)
        store.finalise_turn(turn)
        parent = turn.id
    return conversation.id


def run(args: list[str]) -> dict:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["THINKPANE_HOME"] = tempfile.mkdtemp(prefix="thinkpane-bench-open-")
    from client.ui.app import tune_interpreter

    tune_interpreter()
    from PySide6.QtCore import QEvent, QEventLoop, QObject, Qt, QTimer, qInstallMessageHandler
    from PySide6.QtWidgets import QApplication, QWidget

    from client.store.store import Store
    from client.ui.app import build_window, collect_on_gui_thread

    # The offscreen platform says this for every window shown; real platforms do not.
    def quiet(_mode, _context, message: str) -> None:  # type: ignore[no-untyped-def]
        if "propagateSizeHints" not in message:
            print(message, file=sys.stderr)

    qInstallMessageHandler(quiet)
    app = QApplication.instance() or QApplication([])
    store = Store.open()
    long_id = seed(store, LONG_TURNS, "Long conversation")
    short_id = seed(store, SHORT_TURNS, "Short conversation")
    reasoning_mb = round(LONG_TURNS * REASONING_PER_TURN / 1e6, 2)
    store.create_conversation("Start here")  # the newest: what the window opens at start

    class PaintWatch(QObject):
        """Notes a paint of anything inside the conversation column."""

        def __init__(self, area) -> None:  # type: ignore[no-untyped-def]
            super().__init__()
            self.area = area
            self.painted = False

        def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt's name
            if (
                event.type() == QEvent.Type.Paint
                and isinstance(watched, QWidget)
                and self.area.isAncestorOf(watched)
            ):
                self.painted = True
            return False

    def spin(until, limit_s: float = 60.0) -> None:  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        while not until():
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)
            if time.perf_counter() - started > limit_s:
                raise RuntimeError("the window did not get there in time")

    try:
        window = build_window(app, store, discover=lambda: [], list_remote=lambda: {})
        collect_on_gui_thread(app, window)  # as run_app() does
        window.resize(1400, 900)
        window.show()
        loop = QEventLoop()
        window.sig_ready.connect(loop.quit)
        window.start()
        loop.exec()
        view = window.conversation
        watch = PaintWatch(view.scroll)
        app.installEventFilter(watch)

        def open_once(conversation_id: str, turns: int) -> tuple[float, float]:
            window.conversations.new_conversation()
            spin(lambda: not window.jobs.busy)
            app.processEvents()
            watch.painted = False
            answered = [False]
            started = time.perf_counter()
            window.conversations.open_conversation(conversation_id)

            def shown() -> bool:
                states = view.states()
                if view.conversation_id != conversation_id or len(states) != turns:
                    return False
                newest = view.widget_for(states[-1].id)
                return newest is not None and newest.isVisible() and watch.painted

            spin(shown)
            QTimer.singleShot(0, lambda: answered.__setitem__(0, True))
            spin(lambda: answered[0])
            first_screen = time.perf_counter() - started
            # How long the window stays unresponsive while older turns are built behind it.
            gaps: list[float] = []
            last = [time.perf_counter()]

            def on_probe() -> None:
                now = time.perf_counter()
                gaps.append((now - last[0]) * 1000 - 1.0)
                last[0] = now

            probe = QTimer()
            probe.setTimerType(Qt.TimerType.PreciseTimer)
            probe.setInterval(1)
            probe.timeout.connect(on_probe)
            probe.start()
            until = time.perf_counter() + PROBE_S
            spin(lambda: time.perf_counter() > until)
            probe.stop()
            return first_screen, max(gaps, default=0.0)

        long_runs, short_runs, stalls = [], [], []
        for _ in range(RUNS):
            seconds, _stall = open_once(short_id, SHORT_TURNS)
            short_runs.append(seconds)
            seconds, stall = open_once(long_id, LONG_TURNS)
            long_runs.append(seconds)
            stalls.append(stall)
        app.removeEventFilter(watch)
        built = len([s for s in view.states() if view.widget_for(s.id) is not None])
        window.close()
    finally:
        store.close()
    return {
        "first_screen_s": round(statistics.median(long_runs), 3),
        "baseline_first_screen_s": round(statistics.median(short_runs), 3),
        "stall_ms_max": round(statistics.median(stalls), 1),
        "turns": LONG_TURNS,
        "reasoning_mb": reasoning_mb,
        "turn_widgets_built_after_1s": built,
    }


if __name__ == "__main__":
    import json

    print(json.dumps(run(sys.argv[1:]), indent=2))
