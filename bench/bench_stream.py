"""stream: a 100,000-character reasoning and a 30,000-character answer through the real window.

The turn streams from a loopback replay server (OpenAI-compatible chat SSE, about four characters
a frame, at full speed) through the real worker, TurnRunner, conversation view and inspector,
offscreen. The server runs in a process of its own, as a real provider does: its Python must not
compete with the window's for the interpreter lock. The window runs in a child process whose
QApplication times every event the GUI thread dispatches (bench/gui_clock.py), so a stall is
measured for as long as it lasts, not sampled by a timer that cannot fire while it happens:

- `stall_time_share`: the share of the stream's wall time spent inside dispatches longer than
  one 60 Hz frame (16.7 ms), each weighed by its length; `stall_ms_max`: the longest one.
- `byte_to_pixel_ms_p50`/`_p99`: for each SSE frame, from the moment the worker read its bytes
  from the socket to the end of the first paint of the answer pane (or the reasoning pane) that
  shows its text.
- `update_ms_first_decile`/`_last_decile`: the GUI thread's busy time per window update (the
  update itself, the paced rendering slices, layout and paint until the next update), averaged
  over the first and the last tenth of the updates; `*_answer_*` the same within the answer part
  alone (the reasoning streams first and costs less per character than markdown).
- `render_s`: the GUI thread's time in the window's render calls (the answer's markdown runs on
  a render thread, and only writing its HTML counts here); `baseline_render_s` replays the same sequence
  of updates through the naive path (re-render the whole answer as markdown and reset the whole
  reasoning on every update), in the same run.

`two_conversations` repeats it with two turns streaming at once: one in a conversation the user
has left, one in the conversation shown.

`bench/run.py math` measures the same figures with a math-heavy turn (modes "math" and
"math-plain", its baseline with every formula as plain text); there the stream waits for every
formula picture too, and `formulas_typeset_on_gui_thread` counts ziamath calls the GUI thread made.
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
FRAMES_PER_WRITE = 8
WRITE_INTERVAL_S = 0.004


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


def run(args: list[str]) -> dict:
    figures = _child("one")
    figures["two_conversations"] = _child("two")
    figures["full_speed"] = _child("full")
    return figures


def _child(mode: str) -> dict:
    """Run one measurement in a fresh process (its QApplication must be the timed one)."""
    import json
    import subprocess

    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    out = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child", mode],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=170,
    )
    lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
    if out.returncode != 0 or not lines:
        raise SystemExit(f"bench stream ({mode}) failed:\n{out.stderr[-3000:]}")
    return json.loads(lines[-1])


def _serve(events: list[dict], full_speed: bool) -> tuple[object, str]:
    """The replay server in a process of its own; (process, base url).

    Paced, it writes FRAMES_PER_WRITE frames every WRITE_INTERVAL_S (about 2,000 frames, 8,000
    characters a second: the fastest hosted models); at full speed, as fast as it can."""
    import subprocess

    code = (
        "import json, sys\n"
        "from tests.support.replay import ReplayServer, Reply, sse\n"
        "events, group, delay = json.load(sys.stdin)\n"
        "frames = sse(*events, done=True)\n"
        "chunks = [''.join(frames[i : i + group]) for i in range(0, len(frames), group)]\n"
        "server = ReplayServer().start()\n"
        "for name in ('a', 'b'):\n"
        "    for _ in range(4):\n"
        "        server.add(f'/{name}/v1/chat/completions',"
        " Reply(chunks=chunks, delay_s=delay))\n"
        "print(server.url, flush=True)\n"
        "sys.stdin = open(0)\n"
        "import time\n"
        "time.sleep(300)\n"
    )
    import json

    process = subprocess.Popen(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdin is not None and process.stdout is not None
    pacing = [1, 0.0] if full_speed else [FRAMES_PER_WRITE, WRITE_INTERVAL_S]
    process.stdin.write(json.dumps([events, *pacing]))
    process.stdin.close()
    return process, process.stdout.readline().strip()


def _frames(reasoning: str, answer: str) -> list[tuple[str, int]]:
    """For each SSE frame carrying text: which pane shows it and the text length it completes."""
    out = []
    for i in range(0, len(reasoning), FRAME_CHARS):
        out.append(("reasoning", min(len(reasoning), i + FRAME_CHARS)))
    for i in range(0, len(answer), FRAME_CHARS):
        out.append(("answer", min(len(answer), i + FRAME_CHARS)))
    return out


def measure(mode: str) -> dict:
    """The measurement itself, in the child process."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    home = tempfile.mkdtemp(prefix="thinkpane-bench-stream-")
    os.environ["THINKPANE_HOME"] = home
    from client.ui.app import tune_interpreter

    tune_interpreter()  # as run_app() does
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from gui_clock import TimedApplication, gap_figures, percentile
    from PySide6.QtCore import QEventLoop, QTimer

    import client.providers.http as http
    from client.store.store import Store
    from client.ui.app import build_window, collect_on_gui_thread
    from client.ui.composer.model_picker import ModelChoice
    from client.ui.conversation.formula_images import FormulaImages
    from client.ui.conversation.paced import PacedRenderer

    app = TimedApplication([])
    maths = mode.startswith("math")
    if maths:
        from bench_math import math_stream

        reasoning, answer = math_stream(plain=mode.startswith("math-plain"))
        on_gui = _count_typesetting_on_gui_thread()
    else:
        reasoning, answer = _reasoning_text(REASONING_CHARS), _answer_text(ANSWER_CHARS)
    frames = _frames(reasoning, answer)
    server, url = _serve(_events(reasoning, answer), full_speed=mode.endswith("full"))

    # When each frame's bytes were read from the socket, per stream ("a" or "b"): the worker's
    # reads, counted in SSE frames completed ("\n\n" ends one).
    reads: dict[str, list[tuple[float, int]]] = {"a": [], "b": []}
    iter_body = http.iter_body

    def timed_iter_body(response, cancel, provider):  # type: ignore[no-untyped-def]
        log = reads[response.request.url.path.split("/")[1]]
        done = 0
        for data in iter_body(response, cancel, provider):
            done += data.count(b"\n\n")
            log.append((time.perf_counter(), done))
            yield data

    http.iter_body = timed_iter_body
    store = Store.open()
    try:
        window = build_window(app, store, discover=lambda: [], list_remote=lambda: {})
        collect_on_gui_thread(app, window)  # as run_app() does
        window.resize(1400, 900)
        window.show()
        loop = QEventLoop()
        window.sig_ready.connect(loop.quit)
        window.start()
        loop.exec()

        render = {"s": 0.0}
        # (start, answer and reasoning characters received at the time)
        updates: list[tuple[float, int, int]] = []
        view, inspector = window.conversation, window.inspector
        refresh_turns, refresh_inspector = view.refresh_turns, inspector.refresh

        def timed_refresh_turns(ids):  # type: ignore[no-untyped-def]
            started = time.perf_counter()
            states = view.states()
            last = states[-1] if states else None
            updates.append(
                (started, last.answer.length, last.reasoning.length) if last else (started, 0, 0)
            )
            refresh_turns(ids)
            render["s"] += time.perf_counter() - started

        def timed_refresh_inspector():  # type: ignore[no-untyped-def]
            started = time.perf_counter()
            refresh_inspector()
            render["s"] += time.perf_counter() - started

        view.refresh_turns = timed_refresh_turns
        inspector.refresh = timed_refresh_inspector
        # The answer pane writes what its render thread made in time-boxed slices
        # (client/ui/conversation/paced.py): that is the GUI thread's part of rendering.
        write_ready = PacedRenderer.write_ready

        def timed_write_ready(self, *a, **k):  # type: ignore[no-untyped-def]
            started = time.perf_counter()
            write_ready(self, *a, **k)
            render["s"] += time.perf_counter() - started

        PacedRenderer.write_ready = timed_write_ready

        paints: dict[str, list[tuple[float, int]]] = {"answer": [], "reasoning": []}
        shown_turn: dict[str, object] = {}

        def watch(turn_state) -> None:  # type: ignore[no-untyped-def]
            widget = view.widget_for(turn_state.id)
            renderer = widget._renderer
            app.watch_paint(
                widget.answer_view.viewport(),
                lambda t: paints["answer"].append((t, renderer.rendered_chars)),
            )
            app.watch_paint(
                inspector.text_view.viewport(),
                lambda t: paints["reasoning"].append((t, inspector.shown_chars)),
            )

        def on_started(_key, turn_state) -> None:  # type: ignore[no-untyped-def]
            shown_turn["state"] = turn_state

        window.runner.sig_turn_started.connect(on_started)
        base = url + "/{}/v1"
        if mode == "two":
            window.composer.set_choice(ModelChoice("openai-compatible", "bench", base.format("a")))
            window.sending.send("Stream a long answer in the background")
        app.recording = True
        started = time.perf_counter()
        if mode == "two":
            wait = QEventLoop()
            window.runner.sig_turn_started.connect(wait.quit)
            wait.exec()
            window.conversations.new_conversation()
        window.composer.set_choice(ModelChoice("openai-compatible", "bench", base.format("b")))
        shown_turn.clear()
        window.sending.send("Stream a long answer")

        def check() -> None:
            if "state" in shown_turn and "watched" not in shown_turn:
                shown_turn["watched"] = True
                watch(shown_turn["state"])
            states = view.states()
            widget = view.widget_for(states[-1].id) if states else None
            waiting = maths and FormulaImages.instance().pending > 0  # pictures still coming
            if (
                widget is not None
                and not window.runner.busy
                and not widget.rendering
                and not waiting
            ):
                finished.quit()
            if time.perf_counter() - started > 110:
                finished.quit()

        finished = QEventLoop()
        poll = QTimer()
        poll.setInterval(5)
        poll.timeout.connect(check)
        poll.start()
        finished.exec()
        poll.stop()
        app.processEvents()  # the last paint
        ended = time.perf_counter()
        app.recording = False
        PacedRenderer.write_ready = write_ready
        http.iter_body = iter_body
        state = view.states()[-1]
        shown = view.widget_for(state.id).answer_view.toPlainText()
        shown_ok = (
            state.answer.text() == answer
            and inspector.text().rstrip() == reasoning.rstrip()
            and (maths or "block 0" in shown)
            and (maths or f"Step {answer.count('## Step') - 1}" in shown)
        )
        baseline_s = _naive(
            app, [(a, r) for _, a, r in updates], answer, reasoning, window.theme.name
        )
        window.close()
    finally:
        server.kill()
        store.close()

    figures = gap_figures(app.dispatches, app.waits, started, ended)
    if app.trace:
        print(sorted(app.long, reverse=True)[:40], file=sys.stderr)
    latencies = _byte_to_pixel(frames, reads["b"], paints)

    def cost(i: int, own: bool) -> float:
        until = updates[i + 1][0] if i + 1 < len(updates) else ended
        return app.busy_between(updates[i][0], until, own) * 1000

    costs = [cost(i, False) for i in range(len(updates))]
    own = [cost(i, True) for i in range(len(updates))]
    answer_own = [c for c, (_, n, _) in zip(own, updates, strict=True) if n > 0]
    reasoning_own = [c for c, (_, n, _) in zip(own, updates, strict=True) if n == 0]
    figures.update(
        {
            "byte_to_pixel_ms_p50": round(percentile(latencies, 0.50), 2),
            "byte_to_pixel_ms_p99": round(percentile(latencies, 0.99), 2),
            "byte_to_pixel_frames": len(latencies),
            **_deciles("update_ms", costs),
            **_deciles("update_ms", own, "_own"),
            **_deciles("update_ms_reasoning", reasoning_own, "_own"),
            **_deciles("update_ms_answer", answer_own, "_own"),
            "updates": len(updates),
            "render_s": round(render["s"], 3),
            "baseline_render_s": round(baseline_s, 3),
            "chars": len(answer) + len(reasoning),
            "stream_s": round(ended - started, 2),
            "rendered_correctly": int(shown_ok),
        }
    )
    if maths:
        figures["formulas_typeset_on_gui_thread"] = on_gui[0]
    return figures


def _count_typesetting_on_gui_thread() -> list[int]:
    """Count the ziamath typesettings this process runs on its main (GUI) thread."""
    import threading

    import ziamath

    on_gui = [0]
    latex = ziamath.Latex

    def counted(*a, **k):  # type: ignore[no-untyped-def]
        on_gui[0] += threading.current_thread() is threading.main_thread()
        return latex(*a, **k)

    ziamath.Latex = counted
    return on_gui


def _deciles(name: str, costs: list[float], suffix: str = "") -> dict:
    tenth = max(1, len(costs) // 10)
    first, last = costs[:tenth], costs[-tenth:]
    return {
        f"{name}_first_decile{suffix}": round(statistics.fmean(first), 2) if first else 0.0,
        f"{name}_last_decile{suffix}": round(statistics.fmean(last), 2) if last else 0.0,
    }


def _byte_to_pixel(
    frames: list[tuple[str, int]],
    reads: list[tuple[float, int]],
    paints: dict[str, list[tuple[float, int]]],
) -> list[float]:
    """Milliseconds from each frame's read to the first paint of its pane showing its text."""
    import bisect

    read_counts = [done for _, done in reads]
    shown = {pane: [n for _, n in log] for pane, log in paints.items()}
    out = []
    for index, (pane, needed) in enumerate(frames):
        at = bisect.bisect_left(read_counts, index + 1)  # the read that completed frame `index`
        if at >= len(reads):
            break
        # Paints report what the pane holds; it only grows during one turn.
        log = paints[pane]
        p = bisect.bisect_left(shown[pane], needed)
        while p < len(log) and log[p][0] < reads[at][0]:
            p += 1
        if p < len(log):
            out.append((log[p][0] - reads[at][0]) * 1000)
    return out


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
    if sys.argv[1:2] == ["--child"]:
        import json

        print(json.dumps(measure(sys.argv[2])), flush=True)
    else:
        print(run(sys.argv[1:]))
