"""stream: a 100,000-character reasoning and a 30,000-character answer through the real window.

The turn streams from a loopback replay server (OpenAI-compatible chat SSE, about four characters
a frame, at full speed) through the real worker, TurnRunner, conversation view and inspector,
offscreen. A 1 ms QTimer probes the GUI thread meanwhile: its lateness is the stall a user feels.
`render_s` is the time the window spent updating the answer pane and the inspector;
`baseline_render_s` replays the same sequence of updates through the naive path (re-render the
whole answer as markdown and reset the whole reasoning on every update), in the same run.
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

REASONING_CHARS = 100_000
ANSWER_CHARS = 30_000
FRAME_CHARS = 4


def _reasoning_text(n: int) -> str:
    sentences = [
        "Let me check the second term again: 17 times 3 is 51, so the total is 68. ",
        "Wait, the question asks for the remainder, not the quotient. ",
        "Alternatively I could factor the expression first and compare both results. ",
        "So the candidate answer is consistent with every constraint so far. ",
    ]
    out, i = [], 0
    while sum(map(len, out)) < n:
        out.append(sentences[i % 4])
        i += 1
        if i % 9 == 0:
            out.append("\n\n")
    return "".join(out)[:n]


def _answer_text(n: int) -> str:
    section = (
        "## Step {i}\n\nWe compute the **partial sum** for block {i} and check it against the "
        "bound. The result holds for every case we tried, including the edge cases.\n\n"
        "- first, the base case\n- then the inductive step\n- finally the bound\n\n"
        "```python\ndef partial_sum(n):\n    return n * (n + 1) // 2  # block {i}\n```\n\n"
        "| n | sum |\n|---|---|\n| 1 | 1 |\n| 2 | 3 |\n| 3 | 6 |\n\n"
    )
    out, i = [], 0
    while sum(map(len, out)) < n:
        out.append(section.format(i=i))
        i += 1
    return "".join(out)[:n]


def _events(reasoning: str, answer: str) -> list[dict]:
    from tests.support.chat import chunk, usage_chunk

    events = [
        chunk(reasoning=reasoning[i : i + FRAME_CHARS])
        for i in range(0, len(reasoning), FRAME_CHARS)
    ]
    events += [
        chunk(content=answer[i : i + FRAME_CHARS]) for i in range(0, len(answer), FRAME_CHARS)
    ]
    events += [chunk(finish="stop"), usage_chunk(50, 33_000, reasoning=25_000)]
    return events


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def run(args: list[str]) -> dict:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    home = tempfile.mkdtemp(prefix="thinkpane-bench-stream-")
    os.environ["THINKPANE_HOME"] = home
    from client.ui.app import tune_interpreter

    tune_interpreter()  # as run_app() does
    from PySide6.QtCore import QElapsedTimer, QEventLoop, Qt, QTimer
    from PySide6.QtWidgets import QApplication

    from client.store.store import Store
    from client.ui.app import build_window
    from client.ui.composer.model_picker import ModelChoice
    from client.ui.conversation.paced import PacedRenderer
    from tests.support.replay import ReplayServer, Reply, sse

    app = QApplication.instance() or QApplication([])
    reasoning, answer = _reasoning_text(REASONING_CHARS), _answer_text(ANSWER_CHARS)
    store = Store.open()
    server = ReplayServer().start()
    try:
        server.add(
            "/v1/chat/completions", Reply(chunks=sse(*_events(reasoning, answer), done=True))
        )
        window = build_window(app, store, discover=lambda: [], list_remote=lambda: {})
        window.resize(1400, 900)
        window.show()
        loop = QEventLoop()
        window.sig_ready.connect(loop.quit)
        window.start()
        loop.exec()

        # Time spent rendering: wrap the two places the window renders a streaming turn.
        render = {"s": 0.0, "updates": []}
        view, inspector = window.conversation, window.inspector
        refresh_turns, refresh_inspector = view.refresh_turns, inspector.refresh

        def timed_refresh_turns(ids):  # type: ignore[no-untyped-def]
            started = time.perf_counter()
            refresh_turns(ids)
            render["s"] += time.perf_counter() - started
            states = view.states()
            if states:
                render["updates"].append((states[-1].answer.length, states[-1].reasoning.length))

        def timed_refresh_inspector():  # type: ignore[no-untyped-def]
            started = time.perf_counter()
            refresh_inspector()
            render["s"] += time.perf_counter() - started

        view.refresh_turns = timed_refresh_turns
        inspector.refresh = timed_refresh_inspector
        # The answer pane also renders in time-boxed slices from a timer (client/ui/conversation/paced.py).
        drain = PacedRenderer._drain

        def timed_drain(self, *a, **k):  # type: ignore[no-untyped-def]
            started = time.perf_counter()
            drain(self, *a, **k)
            render["s"] += time.perf_counter() - started

        PacedRenderer._drain = timed_drain

        lateness: list[float] = []
        clock = QElapsedTimer()
        probe = QTimer()
        probe.setTimerType(Qt.TimerType.PreciseTimer)
        probe.setInterval(1)
        last = [0]

        def on_probe() -> None:
            now = clock.nsecsElapsed()
            if last[0]:
                lateness.append(max(0.0, (now - last[0]) / 1e6 - 1.0))
            last[0] = now

        probe.timeout.connect(on_probe)
        window.composer.set_choice(ModelChoice("openai-compatible", "bench", server.url + "/v1"))
        clock.start()
        probe.start()
        window.send("Stream a long answer")
        started = time.perf_counter()

        def done() -> bool:
            states = view.states()
            widget = view.widget_for(states[-1].id) if states else None
            return bool(widget) and not window.runner.busy and not widget.rendering

        while not done():
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
            if time.perf_counter() - started > 110:
                break
        stream_s = time.perf_counter() - started
        probe.stop()
        PacedRenderer._drain = drain
        state = view.states()[-1]
        shown = view.widget_for(state.id).answer_view.toPlainText()
        shown_ok = (
            state.answer.text() == answer
            and inspector.text().rstrip() == reasoning.rstrip()
            and "block 0" in shown
            and f"Step {answer.count('## Step') - 1}" in shown
        )
        baseline_s = _naive(app, render["updates"], answer, reasoning, window.theme.name)
        window.close()
    finally:
        server.stop()
        store.close()
    return {
        "stall_ms_p50": round(_percentile(lateness, 0.50), 2),
        "stall_ms_p99": round(_percentile(lateness, 0.99), 2),
        "stall_ms_max": round(max(lateness, default=0.0), 2),
        "render_s": round(render["s"], 3),
        "baseline_render_s": round(baseline_s, 3),
        "chars": len(answer) + len(reasoning),
        "updates": len(render["updates"]),
        "stream_s": round(stream_s, 2),
        "rendered_correctly": int(shown_ok),
        "probe_samples": len(lateness),
        "probe_mean_ms": round(statistics.fmean(lateness), 3) if lateness else 0.0,
    }


def _naive(app, updates: list[tuple[int, int]], answer: str, reasoning: str, theme: str) -> float:
    """The same updates, each re-rendering everything: markdown of the whole answer, all reasoning."""
    from PySide6.QtWidgets import QPlainTextEdit, QSplitter

    from client.render import render_markdown
    from client.ui.conversation.browser import AnswerBrowser

    holder = QSplitter()
    browser, plain = AnswerBrowser(holder), QPlainTextEdit(holder)
    holder.resize(1400, 900)
    holder.show()
    total = 0.0
    for answer_len, reasoning_len in updates:
        started = time.perf_counter()
        browser.setHtml(render_markdown(answer[:answer_len], theme=theme))
        plain.setPlainText(reasoning[:reasoning_len])
        total += time.perf_counter() - started
        app.processEvents()
    holder.close()
    return total


if __name__ == "__main__":
    print(run(sys.argv[1:]))
