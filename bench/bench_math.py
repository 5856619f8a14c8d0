"""math: how fast formulas are typeset, how often re-opening hits the cache, and whether a
math-heavy stream stalls the window.

- `formulas_per_s`: 60 distinct MATH-style formulas typeset through the window's cache and worker
  (ziamath SVG, rasterised by QtSvg), from asking to all shown; `baseline_formulas_per_s` is
  ziamath alone on the same formulas, one after another, in the same run.
- `reopen_hit_rate`: a conversation with those formulas is shown, closed and shown again; the
  share of pictures the second showing found in the cache (1.0: nothing typeset again).
- A 12,000-character answer and a 12,000-character reasoning with a formula every ~200
  characters stream from a loopback server through the real window, offscreen, timed from inside
  the GUI thread's event dispatch by bench/bench_stream.py (mode "math"; see there):
  `stall_time_share`, `stall_ms_max`, `byte_to_pixel_ms_p50/p99`, beside `baseline_*` for the
  same stream with every formula turned into plain text ("math-plain"), each in a fresh process.
  The stream is paced like a fast hosted model; `full_speed` is the same stream sent as fast as
  the server can (every formula arrives at once, so the typesetting runs beside the rendering).
  `formulas_typeset_on_gui_thread` must be 0.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for _path in (ROOT, ROOT / "bench"):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

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
#: The stream figures reported beside their plain-text baseline.
STREAM_FIGURES = (
    "stall_time_share",
    "stall_ms_max",
    "stall_ms_p99",
    "byte_to_pixel_ms_p50",
    "byte_to_pixel_ms_p99",
    "stall_time_share_own",
    "stall_ms_max_own",
    "cpu_wait_share",
    "stream_s",
)


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


def math_stream(plain: bool = False) -> tuple[str, str]:
    """(reasoning, answer) of the math-heavy stream; `plain`: every formula as plain text."""
    answer, reasoning = _math_text(ANSWER_CHARS, inline=False), _math_text(ANSWER_CHARS)
    if plain:
        return reasoning.replace("$", ""), answer.replace("$", "")
    return reasoning, answer


def run(args: list[str]) -> dict:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["THINKPANE_HOME"] = tempfile.mkdtemp(prefix="thinkpane-bench-math-")
    from client.ui.app import tune_interpreter

    tune_interpreter()  # as run_app() does
    from bench_stream import _child
    from PySide6.QtWidgets import QApplication

    from client.render.maths import formulas

    app = QApplication.instance() or QApplication([])
    rate, baseline_rate, hit_rate = _typeset_rate(app)
    reasoning, answer = math_stream()
    figures: dict = {
        "formulas_per_s": round(rate, 1),
        "baseline_formulas_per_s": round(baseline_rate, 1),
        "reopen_hit_rate": round(hit_rate, 3),
        "formulas_in_stream": len(formulas(answer)) + len(formulas(reasoning)),
    }
    full_speed: dict = {}
    for speed, into in (("", figures), ("-full", full_speed)):
        plain, maths = _child(f"math-plain{speed}"), _child(f"math{speed}")
        for name in STREAM_FIGURES:
            into[name] = maths[name]
            into[f"baseline_{name}"] = plain[name]
        into["formulas_typeset_on_gui_thread"] = maths["formulas_typeset_on_gui_thread"]
        into["rendered_correctly"] = maths["rendered_correctly"]
    figures["full_speed"] = full_speed
    return figures


if __name__ == "__main__":
    print(run(sys.argv[1:]))
