"""A 100,000-character trace audits in well under a second, and no input shape makes the
auditor quadratic (many steps, one huge step, deep nesting, long chains)."""

from __future__ import annotations

import random
import time
from collections.abc import Callable

import pytest

from client.audit import audit_trace

SIZE = 100_000


def realistic_trace(seed: int = 3) -> str:
    rng = random.Random(seed)
    paragraphs: list[str] = []
    while sum(len(p) + 2 for p in paragraphs) < SIZE:
        a, b = rng.randint(2, 999), rng.randint(2, 99)
        paragraphs.append(
            rng.choice(
                [
                    f"So {a} × {b} = {a * b}, and adding {b} gives {a * b} + {b} = {a * b + b}.",
                    f"Wait, let me check: \\(\\frac{{{a * b}}}{{{b}}} = {a}\\) and \\({a} \\cdot {b} = {a * b + 1}\\).",
                    f"Hmm, maybe the answer is {a}. But I think I should verify with {a} and {b}.",
                    f"Then {a} + {b} = {a + b + 10} marbles, I believe.",
                    f"Wait, that's wrong: {a} + {b} is {a + b}, not {a + b + 1}. Let me redo {a} and {b}.",
                    f"Alternatively, the total is ${a:,} - ${b} = ${a - b:,}. So the answer is \\boxed{{{a - b}}}.",
                ]
            )
        )
    return "\n\n".join(paragraphs)[:SIZE]


def best_seconds(work: Callable[[], object], repeats: int = 3) -> float:
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - started)
    return best


def test_realistic_trace_of_100k_characters_under_a_second() -> None:
    trace = realistic_trace()
    assert len(trace) == SIZE
    result = audit_trace(trace, answer="42")
    assert len(result.steps) > 1000 and result.first_error_step is not None
    assert best_seconds(lambda: audit_trace(trace, answer="42")) < 1.0


@pytest.mark.parametrize(
    "trace",
    [
        "Wait. " * (SIZE // 6),  # many tiny steps
        ("3 + 4 = 7 and " * SIZE)[:SIZE],  # one long sentence of claims
        ("12 + 30 = 42. " * SIZE)[:SIZE],  # one long paragraph of true claims
        "(" * (SIZE // 2) + "1" + ")" * (SIZE // 2 - 10) + " = 2",  # deep nesting
        r"\frac{" * (SIZE // 6),  # unclosed LaTeX
        r"\boxed{" * (SIZE // 7),
        "-" * (SIZE - 5) + "5 = 5",
        "=" * SIZE,
        ("So the answer is 12. " * SIZE)[:SIZE],
    ],
    ids=["steps", "claims", "paragraph", "nesting", "frac", "boxed", "signs", "equals", "answers"],
)
def test_pathological_shapes_stay_linear(trace: str) -> None:
    assert best_seconds(lambda: audit_trace(trace, answer="12"), repeats=1) < 3.0
