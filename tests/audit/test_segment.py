"""Segmentation into steps with offsets into the original text, and step kinds."""

from __future__ import annotations

import pytest

from client.audit import audit_trace
from client.audit.segment import classify, from_texts, segment
from client.core.audit import StepKind

TRACE = """First, I need the total. 12 + 30 = 42.

Wait, that's wrong. Let me check: 12 + 30 is 42. So the total is 42.

Alternatively, count by tens. Hmm, maybe that is slower.
But it works. The answer is \\boxed{42}."""


def test_paragraphs_and_discourse_markers_split_steps() -> None:
    texts = [s.text for s in segment(TRACE)]
    assert texts == [
        "First, I need the total. 12 + 30 = 42.",
        "Wait, that's wrong.",
        "Let me check: 12 + 30 is 42.",
        "So the total is 42.",
        "Alternatively, count by tens.",
        "Hmm, maybe that is slower.",
        "But it works. The answer is \\boxed{42}.",
    ]


def test_offsets_point_into_the_original_text() -> None:
    for step in segment(TRACE):
        assert TRACE[step.start : step.end] == step.text


def test_kinds() -> None:
    kinds = [s.kind for s in segment(TRACE)]
    assert kinds == [
        StepKind.COMPUTE,
        StepKind.RETRACT,
        StepKind.VERIFY,
        StepKind.COMPUTE,
        StepKind.SWITCH,
        StepKind.REFLECT,
        StepKind.CONCLUDE,
    ]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Let me verify by substituting back.", StepKind.VERIFY),
        ("To find the total, we add the parts.", StepKind.PLAN),
        ("I made a mistake in the second line.", StepKind.RETRACT),
        ("Another approach: work backwards.", StepKind.SWITCH),
        ("Therefore, she has 12 apples.", StepKind.CONCLUDE),
        ("Hmm.", StepKind.REFLECT),
        ("The remaining 30 - 18 = 12 cats stay.", StepKind.COMPUTE),
    ],
)
def test_classify(text: str, kind: StepKind) -> None:
    assert classify(text) is kind


def test_blank_reasoning_has_no_steps() -> None:
    assert segment("") == []
    assert segment("  \n\n  \n") == []
    assert audit_trace(None).steps == []


def test_pre_split_steps_are_kept_as_given() -> None:
    given = ["  Wait, so 2 + 2 = 4.  ", "", "So the answer is 4."]
    steps = from_texts(given)
    assert [s.text for s in steps] == given
    assert [(s.start, s.end) for s in steps] == [(0, len(t)) for t in given]
    assert [s.index for s in steps] == [0, 1, 2]


def test_markers_inside_a_sentence_do_not_split() -> None:
    assert len(segment("I think so but I am not sure, wait for it.")) == 1
