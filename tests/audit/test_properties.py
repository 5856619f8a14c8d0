"""Properties that hold for any input: no exception, offsets inside their step, spans that
cover an equality, pre-split steps kept exactly, and JSON that follows the contract."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from client.audit import audit_trace
from client.audit.normalize import normalise
from client.core.audit import AuditResult

# Text built from the pieces the checks react to, so the interesting paths are exercised.
PIECES = [
    "17",
    "3",
    "0.5",
    "1,200",
    "2 1/2",
    "½",
    "=",
    " = ",
    "≈",
    "+",
    "-",
    "−",
    "×",
    "*",
    "/",
    "÷",
    "^",
    "%",
    "(",
    ")",
    "{",
    "}",
    "\\frac{",
    "\\times",
    "\\(",
    "\\)",
    "\\[",
    "\\]",
    "\\boxed{",
    "\\left(",
    "\\right)",
    "\\text{",
    "\\sqrt{",
    "$",
    "x",
    "A",
    " ",
    "\n",
    "\n\n",
    ". ",
    ", ",
    "?",
    "Wait, ",
    "So ",
    "Hmm, ",
    "not ",
    "that's wrong",
    " apples",
    "the answer is ",
    "3:45",
    "mod",
    "...",
    "<",
    "maybe ",
]
mathy_text = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)
any_text = st.one_of(st.text(max_size=300), mathy_text)


def check_offsets(result: AuditResult) -> None:
    texts = {s.index: s.text for s in result.steps}
    for finding in result.findings:
        if finding.step is None:
            assert finding.start is None
            continue
        text = texts[finding.step]
        assert finding.start is not None and finding.end is not None
        assert 0 <= finding.start < finding.end <= len(text)
        if finding.check == "arithmetic":
            span = text[finding.start : finding.end]
            assert "=" in span or "≈" in span or "approx" in span


@settings(max_examples=300, deadline=None)
@given(any_text, st.one_of(st.none(), any_text), st.one_of(st.none(), any_text), st.booleans())
def test_reasoning_never_raises_and_offsets_stay_inside(
    reasoning: str, answer: str | None, problem: str | None, truncated: bool
) -> None:
    result = audit_trace(reasoning, answer=answer, problem=problem, truncated=truncated)
    for step in result.steps:
        assert reasoning[step.start : step.end] == step.text
    check_offsets(result)
    json.dumps(result.to_json())


@settings(max_examples=200, deadline=None)
@given(st.lists(any_text, max_size=8), st.one_of(st.none(), any_text))
def test_pre_split_steps_are_kept_as_given(steps: list[str], answer: str | None) -> None:
    result = audit_trace(steps=steps, answer=answer)
    assert [s.text for s in result.steps] == steps
    assert [s.index for s in result.steps] == list(range(len(steps)))
    check_offsets(result)


@settings(max_examples=300, deadline=None)
@given(any_text)
def test_normalised_offsets_are_ordered_and_inside_the_source(text: str) -> None:
    norm = normalise(text)
    assert len(norm.text) == len(norm.source) == len(norm.source_end)
    for start, end in zip(norm.source, norm.source_end, strict=True):
        assert 0 <= start < end <= len(text)


@settings(max_examples=200, deadline=None)
@given(
    st.integers(-999, 999),
    st.integers(-999, 999),
    st.sampled_from(["+", "-", "*"]),
    st.integers(-5, 5),
)
def test_integer_arithmetic_is_judged_exactly(a: int, b: int, op: str, slip: int) -> None:
    exact = {"+": a + b, "-": a - b, "*": a * b}[op]
    text = f"So {a} {op} {b} = {exact + slip}."
    errors = [f for f in audit_trace(steps=[text]).findings if f.severity.value == "error"]
    if slip == 0:
        assert errors == []
    elif not _power_of_ten_apart(exact, exact + slip):  # that is a quieter note
        assert len(errors) == 1
        assert text[errors[0].start : errors[0].end] == f"{a} {op} {b} = {exact + slip}"  # type: ignore[index]


def _power_of_ten_apart(x: int, y: int) -> bool:
    if x * y <= 0:
        return False
    big, small = max(abs(x), abs(y)), min(abs(x), abs(y))
    return big % small == 0 and str(big // small).strip("0") == "1"


def test_contract_shape() -> None:
    data = audit_trace(steps=["17 × 3 = 41"], answer="42").to_json()
    assert set(data) == {"steps", "findings", "first_error_step"}
    [step] = data["steps"]  # type: ignore[misc]
    assert set(step) == {"index", "text", "kind", "findings"}
    assert step["findings"] == [
        {
            "check": "arithmetic",
            "severity": "error",
            "message": "17 × 3 is 51, not 41.",
            "start": 0,
            "end": 11,
        }
    ]
    assert all(f["step"] is None for f in data["findings"])  # type: ignore[attr-defined]
    assert data["first_error_step"] == 0
