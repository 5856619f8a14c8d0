"""math: how fast formulas are typeset, how often re-opening hits the cache, and whether a
math-heavy stream stalls the window.

- `formulas_per_s`: 60 distinct MATH-style formulas typeset through the window's cache and worker
  (ziamath SVG, rasterised by QtSvg), from asking to all shown; `baseline_formulas_per_s` is
  ziamath alone on the same formulas, one after another, in the same run.
- `reopen_hit_rate`: a conversation with those formulas is shown, closed and shown again; the
  share of pictures the second showing found in the cache (1.0: nothing typeset again).
- A 12,000-character answer and reasoning with a formula every ~200 characters stream from a
  loopback server through the real window, offscreen, while a 1 ms timer probes the GUI thread:
  `stall_ms_p50/p99/max`, beside `baseline_stall_ms_*` for the same stream with every formula
  turned into plain text. `formulas_typeset_on_gui_thread` must be 0.
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

FORMULAS = [
    "\\binom{28}{4} = 20475",
    "x = \\frac{-b \\pm \\sqrt{b^2-4ac}}{2a}",
    "\\sum_{k=1}^{n} k^2 = \\frac{n(n+1)(2n+1)}{6}",
    "\\int_0^1 x^2\\,dx = \\frac{1}{3}",
    "\\lim_{n \\to \\infty} \\left(1 + \\frac{1}{n}\\right)^n = e",
    "a^2 + b^2 = c^2",
    "\\frac{1}{2} + \\frac{1}{3} = \\frac{5}{6}",
    "\\sqrt[3]{27} = 3",
    "\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}",
    "f(x) = \\begin{cases} x^2 & x \\ge 0 \\\\ -x & x < 0 \\end{cases}",
]
ANSWER_CHARS = 12_000
GAP_CHARS = 200
FRAME_CHARS = 4


def _distinct(count: int) -> list[str]:
    return [f"{FORMULAS[i % len(FORMULAS)]} + {i}" for i in range(count)]


def _math_text(chars: int, inline: bool = True) -> str:
    prose = (
        "We substitute the values and simplify each side, checking the bound as we go, so the "
        "next line follows from the one before it without any gap in the argument at all. "
    )
    out, i = [], 0
    while sum(map(len, out)) < chars:
        out.append(prose[: GAP_CHARS - 40])
        tex = f"{FORMULAS[i % len(FORMULAS)]} + {i}"
        out.append(f"${tex}$ " if inline or i % 3 else f"\n\n$${tex}$$\n\n")
        i += 1
    return "".join(out)[:chars]


def _wait(app, condition, limit_s: float = 100.0) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QEventLoop

    started = time.perf_counter()
    while not condition() and time.perf_counter() - started < limit_s:
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)


def _typeset_rate(app) -> tuple[float, float, float]:  # type: ignore[no-untyped-def]
    """(formulas/s through the window's cache, formulas/s of bare ziamath, re-open hit rate)."""
    from client.render import render_markdown
    from client.render.typeset import FormulaKey, typeset_svg
    from client.ui.conversation.browser import AnswerBrowser
    from client.ui.conversation.formula_images import FormulaImages

    texts = _distinct(60)
    started = time.perf_counter()
    for tex in texts:
        typeset_svg(FormulaKey(f"{tex} \\cdot 1", False, 18.0, "#000000"))
    baseline = len(texts) / (time.perf_counter() - started)

    images = FormulaImages.instance()
    images.clear()
    document = "\n\n".join(f"Line {i}: ${tex}$ holds." for i, tex in enumerate(texts))
    view = AnswerBrowser()
    view.resize(900, 700)
    view.show()
    started = time.perf_counter()
    view.setHtml(render_markdown(document))
    app.processEvents()
    _wait(app, lambda: images.pending == 0 and images.stats.typeset + images.stats.failed >= 60)
    rate = len(texts) / (time.perf_counter() - started)
    view.close()

    before = (images.stats.hits, images.stats.misses)
    again = AnswerBrowser()
    again.resize(900, 700)
    again.show()
    again.setHtml(render_markdown(document))
    app.processEvents()
    hits = images.stats.hits - before[0]
    misses = images.stats.misses - before[1]
    again.close()
    return rate, baseline, hits / (hits + misses) if hits + misses else 0.0


def _window(app, store):  # type: ignore[no-untyped-def]
    from client.ui.app import build_window, collect_on_gui_thread

    window = build_window(app, store, discover=lambda: [], list_remote=lambda: {})
    collect_on_gui_thread(app, window)  # as run_app() does
    window.resize(1400, 900)
    window.show()
    ready = [False]
    window.sig_ready.connect(lambda: ready.__setitem__(0, True))
    window.start()
    _wait(app, lambda: ready[0], 30)
    return window


def _stream(app, window, server, answer: str, reasoning: str) -> dict:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QElapsedTimer, Qt, QTimer

    from client.ui.composer.model_picker import ModelChoice
    from client.ui.conversation.formula_images import FormulaImages
    from tests.support.chat import chunk, usage_chunk
    from tests.support.replay import Reply, sse

    events = [chunk(reasoning=reasoning[i : i + FRAME_CHARS]) for i in range(0, len(reasoning), FRAME_CHARS)]  # fmt: skip
    events += [chunk(content=answer[i : i + FRAME_CHARS]) for i in range(0, len(answer), FRAME_CHARS)]  # fmt: skip
    events += [chunk(finish="stop"), usage_chunk(50, 8_000, reasoning=4_000)]
    server.add("/v1/chat/completions", Reply(chunks=sse(*events, done=True)))
    window.conversations.new_conversation()

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
    window.send("Solve it")
    view = window.conversation

    def done() -> bool:
        states = view.states()
        widget = view.widget_for(states[-1].id) if states else None
        return (
            bool(widget)
            and not window.runner.busy
            and not widget.rendering
            and FormulaImages.instance().pending == 0
        )

    _wait(app, done)
    probe.stop()
    ordered = sorted(lateness) or [0.0]

    def pick(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))], 2)

    return {"p50": pick(0.5), "p99": pick(0.99), "max": round(ordered[-1], 2)}


def run(args: list[str]) -> dict:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["THINKPANE_HOME"] = tempfile.mkdtemp(prefix="thinkpane-bench-math-")
    from client.ui.app import tune_interpreter

    tune_interpreter()  # as run_app() does
    from PySide6.QtWidgets import QApplication

    import client.ui.conversation.formula_images as formula_images
    from client.render.maths import formulas
    from client.store.store import Store
    from tests.support.replay import ReplayServer

    app = QApplication.instance() or QApplication([])
    on_gui = [0]
    typeset = formula_images.typeset_svg

    def watched(*a, **k):  # type: ignore[no-untyped-def]
        on_gui[0] += threading.current_thread() is threading.main_thread()
        return typeset(*a, **k)

    formula_images.typeset_svg = watched
    rate, baseline_rate, hit_rate = _typeset_rate(app)

    answer, reasoning = _math_text(ANSWER_CHARS, inline=False), _math_text(ANSWER_CHARS)
    plain_answer = answer.replace("$", "")
    plain_reasoning = reasoning.replace("$", "")
    store = Store.open()
    server = ReplayServer().start()
    try:
        window = _window(app, store)
        baseline = _stream(app, window, server, plain_answer, plain_reasoning)
        formula_images.FormulaImages.instance().clear()
        maths = _stream(app, window, server, answer, reasoning)
        window.close()
    finally:
        server.stop()
        store.close()
        formula_images.typeset_svg = typeset
    return {
        "formulas_per_s": round(rate, 1),
        "baseline_formulas_per_s": round(baseline_rate, 1),
        "reopen_hit_rate": round(hit_rate, 3),
        "stall_ms_p50": maths["p50"],
        "baseline_stall_ms_p50": baseline["p50"],
        "stall_ms_p99": maths["p99"],
        "baseline_stall_ms_p99": baseline["p99"],
        "stall_ms_max": maths["max"],
        "baseline_stall_ms_max": baseline["max"],
        "formulas_in_stream": len(formulas(answer)) + len(formulas(reasoning)),
        "formulas_typeset_on_gui_thread": on_gui[0],
    }


if __name__ == "__main__":
    print(run(sys.argv[1:]))
