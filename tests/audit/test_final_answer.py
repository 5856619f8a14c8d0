"""The final-answer module: what a text concludes, and equivalence tables for answers written in
different ways. Also the answer check it serves: numbers the answer derives are supported."""

from __future__ import annotations

import pytest

from client.audit import audit_trace
from client.audit.final_answer import final_answer, same_answer


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        (r"Adding them up, the total is $\boxed{\dfrac{7}{8}}$.", r"\dfrac{7}{8}"),
        (r"First \boxed{12}, but wait: it is \boxed{14}.", "14"),
        ("So the final answer is 2,450.", "2,450"),
        ("The answer is: -3/4", "-3/4"),
        ("Working...\n\nLots of reasoning here.\n\n**96**", "96"),
        ("The interval is\n\n$[2, 5)$", "[2, 5)"),
        (
            "**17 × 24 = 408.**\n\nWorking:\n\n$$17 \\times 24 = 340 + 68 = 408$$\n\n"
            "```python\nprint(17 * 24)\n```\n",
            "408",
        ),
        (
            "**The total is 56 apples.**\n\nEach of the seven baskets holds eight apples, and "
            "nothing was taken out or added between the counting and the end of the day.",
            "56",
        ),
        ("", None),
        ("A long paragraph with no conclusion at all, " * 5, None),
    ],
)
def test_final_answer_extracts_the_conclusion(text: str, answer: str | None) -> None:
    assert final_answer(text) == answer


SAME = [
    (r"\frac{3}{4}", "0.75"),
    ("3/4", r"\dfrac{3}{4}"),
    (r"$\frac{3}{4}$", "0.75"),
    ("0.750", "3/4"),
    ("2,450", "2450"),
    ("$2,450", "2450"),
    (r"\{3, 1, 2\}", r"\{1, 2, 3\}"),
    ("[2, 5)", r"[2,5)"),
    (r"\sqrt{12}", r"2\sqrt{3}"),
    (r"\frac{\pi}{4}", r"\pi/4"),
    ("k = 9", "9"),
    ("Yes", "yes"),
    ("-7", r"-7"),
]
DIFFERENT = [
    ("3/4", "0.7"),
    ("[2, 5)", "(2, 5)"),
    ("(2, 5]", "[2, 5]"),
    (r"\{1, 2\}", r"\{1, 2, 3\}"),
    ("-7", "7"),
    (r"\sqrt{12}", r"3\sqrt{2}"),
    ("Paris", "Lyon"),
    ("", "0"),
]


@pytest.mark.parametrize(("a", "b"), SAME)
def test_answers_written_differently_are_the_same(a: str, b: str) -> None:
    assert same_answer(a, b)
    assert same_answer(b, a)


@pytest.mark.parametrize(("a", "b"), DIFFERENT)
def test_different_answers_are_different(a: str, b: str) -> None:
    assert not same_answer(a, b)
    assert not same_answer(b, a)


def test_an_oversized_answer_is_compared_as_text_only() -> None:
    long = "(" + ", ".join(str(n) for n in range(200)) + ")"
    assert not same_answer(long, long.replace(", 5,", ", 6,"))


def test_the_answer_check_accepts_an_equivalent_form() -> None:
    result = audit_trace(
        steps=["Half of the 14 apples is 7.", r"So the share is \boxed{\frac{1}{2}}."],
        answer="Each gets 0.5 of the apples.",
    )
    assert [f for f in result.findings if f.check == "answer_mismatch"] == []


def test_the_answer_check_still_reports_a_different_answer() -> None:
    result = audit_trace(
        steps=["Half of the 14 apples is 7.", r"So the share is \boxed{\frac{1}{2}}."],
        answer="The share is 0.25.",
    )
    mismatches = [f.message for f in result.findings if f.check == "answer_mismatch"]
    assert "The reasoning concludes \\frac{1}{2} (step 2), but the answer says 0.25." in mismatches


def test_numbers_the_answer_derives_are_not_unsupported() -> None:
    reasoning = "Is 2,002 prime? It is even: 2,002 = 2 × 1,001. Not prime."
    answer = (
        "No, 2,002 is not prime.\n\n| divisor | 2,002 ÷ divisor |\n|---|---|\n"
        "| 3 | 667.33 |\n| 4 | 500.5 |\n| 7 | 286 |"
    )
    result = audit_trace(reasoning, answer=answer)
    assert [f.message for f in result.findings if f.check == "answer_mismatch"] == []


def test_a_number_from_nowhere_is_still_noted() -> None:
    result = audit_trace(
        "Is 2,002 prime? It is even, so no.", answer="No; it has 7919 as a factor."
    )
    notes = [f.message for f in result.findings if f.check == "answer_mismatch"]
    assert notes == ["The answer states 7919, which appears nowhere in the reasoning."]
