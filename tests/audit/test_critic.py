"""The model critic's prompt and the parsing of its reply: quotes verified, code fences and
thinking tolerated, a bare boxed step number accepted, junk read as no opinion."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from client.audit import build_critic_prompt, parse_critic_reply
from client.audit.segment import from_texts
from client.core.audit import CriticOpinion

STEPS = ["There are 17 boxes of 3 apples.", "So 17 × 3 = 41 apples.", "The answer is 41."]


def test_prompt_numbers_the_steps_and_asks_for_json() -> None:
    prompt = build_critic_prompt("How many apples?", STEPS, "41")
    assert "Problem:\nHow many apples?" in prompt
    assert "[0] There are 17 boxes of 3 apples." in prompt
    assert "[2] The answer is 41." in prompt
    assert "Final answer:\n41" in prompt
    assert '"first_error_step"' in prompt and "\\boxed{" in prompt


def test_prompt_accepts_steps_and_omits_what_is_missing() -> None:
    prompt = build_critic_prompt(None, from_texts(STEPS), None)
    assert "Problem:" not in prompt and "Final answer:" not in prompt
    assert "[1] So 17 × 3 = 41 apples." in prompt


def reply(payload: object, fence: bool = False) -> str:
    text = json.dumps(payload, ensure_ascii=False)
    return f"Here is my verdict:\n```json\n{text}\n```\nThanks." if fence else text


def test_verdicts_with_exact_quotes_are_kept_with_their_span() -> None:
    payload = {
        "first_error_step": 1,
        "verdicts": [
            {
                "step": 1,
                "verdict": "error",
                "type": "arithmetic",
                "quote": "17 × 3 = 41",
                "why": "It is 51.",
            },
            {"step": 0, "verdict": "ok", "type": "logic", "quote": "17 boxes", "why": ""},
        ],
    }
    opinion = parse_critic_reply(reply(payload, fence=True), STEPS)
    assert opinion.source == "json" and opinion.first_error_step == 1 and opinion.dropped == 0
    error = opinion.verdicts[0]
    assert (error.step, error.verdict, error.kind, error.why) == (
        1,
        "error",
        "arithmetic",
        "It is 51.",
    )
    assert STEPS[1][error.start : error.end] == "17 × 3 = 41"


def test_verdicts_whose_quote_is_not_in_that_step_are_dropped() -> None:
    payload = {
        "first_error_step": "1",
        "verdicts": [
            {"step": 1, "verdict": "error", "quote": "17 x 3 = 41", "why": "paraphrased"},
            {"step": 0, "verdict": "error", "quote": "17 × 3 = 41", "why": "wrong step"},
            {"step": 9, "verdict": "error", "quote": "boxes", "why": "no such step"},
            {"step": 2, "verdict": "maybe", "quote": "answer", "why": "unknown verdict"},
            {"step": 2, "verdict": "OK", "type": "vibes", "quote": "answer", "why": 3},
        ],
    }
    opinion = parse_critic_reply(reply(payload), STEPS)
    assert opinion.first_error_step == 1
    assert opinion.dropped == 4
    [kept] = opinion.verdicts
    assert (kept.step, kept.verdict, kept.kind, kept.why) == (2, "ok", None, "")


def test_thinking_and_prose_around_the_json_are_ignored() -> None:
    text = "<think>maybe {not json}</think> I think step 1. " + reply(
        {"first_error_step": -1, "verdicts": []}
    )
    opinion = parse_critic_reply(text, STEPS)
    assert opinion == CriticOpinion(first_error_step=-1, verdicts=(), source="json", dropped=0)


def test_boxed_step_number_is_the_fallback() -> None:
    assert parse_critic_reply("The first wrong step is \\boxed{1}.", STEPS) == CriticOpinion(
        1, (), "boxed"
    )
    assert parse_critic_reply("All fine: \\boxed{-1}", STEPS).first_error_step == -1
    assert parse_critic_reply("\\boxed{7}", STEPS).empty


def test_junk_is_an_empty_opinion() -> None:
    for junk in ["", "no idea", "{broken json", "[1, 2]", '{"other": 1}', "\\boxed{x}"]:
        opinion = parse_critic_reply(junk, STEPS)
        assert opinion.empty and opinion.source == "none"


def test_out_of_range_first_error_step_is_no_answer() -> None:
    assert parse_critic_reply(reply({"first_error_step": 5}), STEPS).first_error_step is None
    assert parse_critic_reply(reply({"first_error_step": True}), STEPS).first_error_step is None


def test_opinion_to_json() -> None:
    payload = {
        "first_error_step": 1,
        "verdicts": [{"step": 1, "verdict": "error", "quote": "41", "why": "x"}],
    }
    data = parse_critic_reply(reply(payload), STEPS).to_json()
    assert data["first_error_step"] == 1 and data["source"] == "json"
    assert data["verdicts"] == [
        {
            "step": 1,
            "verdict": "error",
            "type": None,
            "quote": "41",
            "why": "x",
            "start": 12,
            "end": 14,
        }
    ]


@given(st.text())
def test_any_reply_parses_without_error(text: str) -> None:
    opinion = parse_critic_reply(text, STEPS)
    for verdict in opinion.verdicts:
        assert STEPS[verdict.step][verdict.start : verdict.end] == verdict.quote


def test_agreement_with_the_deterministic_checks() -> None:
    from client.audit import agreeing_steps, audit_trace

    result = audit_trace(steps=STEPS)
    payload = {"first_error_step": 1, "verdicts": [{"step": 2, "verdict": "error", "quote": "41"}]}
    assert agreeing_steps(parse_critic_reply(reply(payload), STEPS), result) == [1]
    assert agreeing_steps(CriticOpinion(), result) == []
