"""The whole-trace checks: answer mismatch, retraction, trajectory, loops, hedging, truncation."""

from __future__ import annotations

from client.audit import audit_trace
from client.audit.answer import canonical, conclusions
from client.audit.segment import from_texts
from client.core.audit import Finding, Severity


def by_check(findings: list[Finding], check: str) -> list[Finding]:
    return [f for f in findings if f.check == check]


# answer_mismatch


def test_answer_that_differs_from_the_last_conclusion() -> None:
    result = audit_trace("12 + 30 = 42. So the answer is 42.", answer="The answer is 41.")
    [mismatch] = [
        f for f in by_check(result.findings, "answer_mismatch") if f.severity is Severity.WARNING
    ]
    assert mismatch.step is None
    assert mismatch.message == "The reasoning concludes 42 (step 2), but the answer says 41."


def test_matching_answer_written_differently_is_fine() -> None:
    result = audit_trace("So the answer is \\boxed{1200}.", answer="$1,200.00")
    assert by_check(result.findings, "answer_mismatch") == []


def test_number_in_the_answer_that_the_reasoning_never_mentions() -> None:
    result = audit_trace("12 + 30 = 42.", answer="42 apples, about 17 per box.")
    [note] = by_check(result.findings, "answer_mismatch")
    assert note.severity is Severity.NOTE
    assert "17" in note.message


def test_numbers_from_the_problem_are_supported() -> None:
    result = audit_trace(
        "12 + 30 = 42.", answer="42, from 17 crates", problem="There are 17 crates."
    )
    assert by_check(result.findings, "answer_mismatch") == []


def test_conclusions_and_canonical_values() -> None:
    [step] = from_texts([r"So \(\boxed{\frac{3}{4}}\); the answer is 0.75."])
    found = conclusions(step)
    assert [c.text for c in found] == [r"\frac{3}{4}", "0.75"]
    assert found[0].key == found[1].key == canonical("75%") == "3/4"
    assert canonical("B.") == canonical(" b ") == "b"


# retraction


def test_retracted_value_used_later() -> None:
    steps = [
        "17 × 3 = 41, so we have 41 boxes.",
        "Wait, that's wrong: 17 × 3 is 51, not 41.",
        "With 41 boxes and 2 more, we get 43.",
    ]
    result = audit_trace(steps=steps, answer="43")
    [use] = by_check(result.findings, "retraction")
    assert use.step == 2 and use.severity is Severity.WARNING
    assert steps[2][use.start : use.end] == "41"  # type: ignore[index]
    assert use.message == "Uses 41, which step 2 retracted."


def test_retraction_that_points_back_at_the_previous_result() -> None:
    steps = ["So 6 × 7 = 48.", "Wait, that's wrong.", "Then 48 + 2 = 50."]
    result = audit_trace(steps=steps, answer="50")
    assert [f.step for f in by_check(result.findings, "retraction")] == [2]


def test_answer_equal_to_a_retracted_value() -> None:
    steps = ["The total is 125.", "I made a mistake: it is 135, not 125."]
    result = audit_trace(steps=steps, answer="125")
    assert any(
        f.step is None and "125" in f.message for f in by_check(result.findings, "retraction")
    )


def test_mentions_that_reject_the_value_again_are_not_uses() -> None:
    steps = ["Total 125.", "That's wrong: it is 135, not 125.", "So 135, not 125, is right."]
    assert by_check(audit_trace(steps=steps).findings, "retraction") == []


def test_small_numbers_and_given_numbers_are_not_tracked() -> None:
    steps = ["Use 7 rows.", "That's wrong: 8 rows, not 7.", "With 7 columns..."]
    assert by_check(audit_trace(steps=steps).findings, "retraction") == []
    steps = ["Use 70 rows.", "That's wrong: 80 rows, not 70.", "With 70 columns..."]
    assert by_check(audit_trace(steps=steps, problem="70 columns").findings, "retraction") == []


# trajectory


def test_candidate_path_and_changes_of_mind() -> None:
    steps = [
        "So the answer is 12.",
        "Hmm, the answer is 12.",
        "Wait, the answer is 15.",
        "No, the answer is \\boxed{12}.",
    ]
    result = audit_trace(steps=steps)
    assert result.candidates == [(0, "12"), (2, "15"), (3, "12")]
    [changes] = [f for f in by_check(result.findings, "trajectory") if f.step is None]
    assert "changed 2 times" in changes.message


def test_where_the_final_answer_was_first_reached() -> None:
    steps = ["The answer is 30.", "Let me check.", "Checking again.", "Still checking.", "Done."]
    result = audit_trace(steps=steps, answer="30")
    [first] = by_check(result.findings, "trajectory")
    assert first.step == 0 and first.severity is Severity.NOTE
    assert steps[0][first.start : first.end] == "30"  # type: ignore[index]
    assert "4 more steps follow" in first.message


# loops


def test_a_repeated_step_is_found() -> None:
    step = "To get the total we multiply the twelve boxes by the thirty apples in each box"
    result = audit_trace(
        steps=[step + ".", "Something else entirely happens here.", step + " again."]
    )
    [loop] = by_check(result.findings, "loop")
    assert loop.step == 2 and "Repeats step 1" in loop.message


def test_parallel_steps_with_new_numbers_are_not_loops() -> None:
    steps = [
        "First, the magazine that sends 12 issues per year costs 3 dollars an issue in total.",
        "Second, the magazine that sends 6 issues per year costs 5 dollars an issue in total.",
    ]
    assert by_check(audit_trace(steps=steps).findings, "loop") == []


# hedging


def test_hedged_reasoning_behind_a_flat_answer() -> None:
    reasoning = "Maybe it is 4. Perhaps 5. I think 4. Probably 4, but not sure. It might be 6."
    [note] = by_check(audit_trace(reasoning, answer="4").findings, "hedging")
    assert note.severity is Severity.NOTE and "hedges 6 times" in note.message
    assert by_check(audit_trace(reasoning, answer="Probably 4.").findings, "hedging") == []
    assert by_check(audit_trace(reasoning).findings, "hedging") == []


# truncation


def test_truncated_flag_is_a_warning() -> None:
    [warning] = by_check(audit_trace("Some thinking.", truncated=True).findings, "truncated")
    assert warning.severity is Severity.WARNING and warning.step is None


def test_reasoning_that_stops_mid_sentence() -> None:
    text = "We add the two and then we get the"
    [note] = by_check(audit_trace(text).findings, "truncated")
    assert note.severity is Severity.NOTE and note.step == 0
    assert text[note.start : note.end] == "the"  # type: ignore[index]
    assert by_check(audit_trace("So the answer is 1244").findings, "truncated") == []
    assert by_check(audit_trace(r"So \(3 \times").findings, "truncated")


def test_retraction_that_restates_a_calculation_takes_back_its_old_value() -> None:
    steps = [
        "17 × 3 = 41, so 41 boxes.",
        "Wait, that's wrong: 17 × 3 is 51.",
        "So we have 41 boxes.",
    ]
    [use] = by_check(audit_trace(steps=steps).findings, "retraction")
    assert use.step == 2 and use.message == "Uses 41, which step 2 retracted."


def test_a_retraction_after_an_interjection_names_its_value() -> None:
    steps = [
        "So the rate is 420 / 6 = 70 pages a day.",
        "Hmm, wait, no, 70 is wrong: there are 7 days, so 420 / 7 = 60.",
        "In 3 days at 70 pages a day she reads 210 pages.",
    ]
    result = audit_trace(steps=steps, answer="210")
    assert [f.step for f in by_check(result.findings, "retraction")] == [2]


def test_an_answer_in_square_units_states_its_number() -> None:
    steps = ["The room is 6 m by 5 m.", "Its area is 6 × 5 = 30 m².", "So the answer is 30."]
    assert [f.message for f in audit_trace(steps=steps, answer="36 m²").findings] == [
        "The reasoning concludes 30 (step 3), but the answer says 36."
    ]
    assert audit_trace(steps=steps, answer="30 m²").findings == []
