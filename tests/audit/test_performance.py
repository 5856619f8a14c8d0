"""A 100,000-character trace is audited whole, and pathological shapes (many steps, one huge
step, deep nesting, long chains, unclosed LaTeX) complete with a sane result. How fast is
measured in `bench/run.py audit` beside a baseline, never asserted here: the machine's load is
not the code's behaviour."""

from __future__ import annotations

import random

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


def test_realistic_trace_of_100k_characters_is_audited_whole() -> None:
    trace = realistic_trace()
    assert len(trace) == SIZE
    result = audit_trace(trace, answer="42")
    assert len(result.steps) > 1000 and result.first_error_step is not None
    assert result.steps[-1].end == len(trace.rstrip())


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
        "\\(" + "\\sqrt{" * (SIZE // 7) + "2 = 3\\)",
        "$" + "x^" * (SIZE // 3) + "2 = 1$",
        ("\\[ (x+1)^{20} = x^{20} + 1 = x \\] " * SIZE)[:SIZE],
        ("\\( \\binom{90}{45} = 7 \\) " * SIZE)[:SIZE],
    ],
    ids=[
        "steps",
        "claims",
        "paragraph",
        "nesting",
        "frac",
        "boxed",
        "signs",
        "equals",
        "answers",
        "sqrt",
        "powers",
        "identities",
        "binomials",
    ],  # fmt: skip
)
def test_pathological_shapes_complete(trace: str) -> None:
    result = audit_trace(trace, answer="12")
    assert result.steps and all(
        f.step is None or f.step < len(result.steps) for f in result.findings
    )
