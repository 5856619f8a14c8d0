"""The audit strip, the candidate path and the exported report say what AUDIT.md promises.

Spans marked exactly, the user's verdicts, a critic apart from the checks, honest words about
summaries and hidden reasoning, no trust score, and hostile step text kept inert.
"""

from __future__ import annotations

import re

import markdown

from client.audit import PRINCIPLE, audit_trace
from client.audit.report import (
    SUMMARY_CAVEAT,
    audit_report_html,
    audit_report_markdown,
    audit_strip,
    candidate_path,
    critic_agreement,
    spans,
)
from client.core.audit import AuditResult, CriticOpinion, CriticVerdict, Finding, Severity, Step
from client.core.conversation import ReasoningTrace, Turn
from client.core.events import TurnStatus, Visibility
from tests.render.html_scan import elements, text_of

HOSTILE = '<img src=http://x> <script>alert(1)</script> "quoted" & <a href="http://y">'
REASONING = f"""First, find 17 times 3 and add 4.

17 × 3 = 41, so the notebooks cost 41.

So 41 + 4 = 45. The answer is 45.

Wait, that's wrong: 17 × 3 is 51. So 51 + 4 = 55. The answer is 55.

{HOSTILE}"""


def turn(visibility: Visibility = Visibility.RAW, text: str = REASONING, **kw: object) -> Turn:
    values: dict[str, object] = {"answer": "The answer is 55.", "status": TurnStatus.COMPLETE}
    values.update(kw)
    return Turn(
        id="t_1",
        conversation_id="c_1",
        prompt="What is 17 × 3 + 4?",
        provider="openai-compatible",
        model="qwen3",
        reasoning=ReasoningTrace(visibility, text, tokens=1408),
        **values,  # type: ignore[arg-type]
    )


def audited(t: Turn) -> AuditResult:
    return audit_trace(t.reasoning.text, problem=t.prompt, answer=t.answer)


def critic() -> CriticOpinion:
    verdict = CriticVerdict(1, "error", "arithmetic", "17 × 3 = 41", "17 × 3 is 51.", 0, 11)
    return CriticOpinion(first_error_step=1, verdicts=(verdict,), source="json")


def test_strip_counts_and_says_what_was_audited_without_a_score():
    t = turn()
    strip = audit_strip(audited(t), Visibility.RAW)
    assert strip.startswith("1 arithmetic error (step 2)")
    assert strip.endswith("raw trace")
    assert not re.search(r"\d+\s*%|score|trust", strip, re.IGNORECASE)
    assert audit_strip(audited(t), "summary").endswith("provider summary")
    assert "nothing to audit" in audit_strip(AuditResult(steps=[]), Visibility.HIDDEN)


def test_strip_names_retracted_values_and_repeats():
    audit = AuditResult(
        steps=[Step(i, "x", "compute") for i in range(13)],  # type: ignore[arg-type]
        findings=[
            Finding("arithmetic", Severity.ERROR, "17 × 3 is 51, not 41.", 12, 0, 5),
            Finding(
                "retraction", Severity.WARNING, "The answer is 45, the value step 9 retracted."
            ),
            Finding("loop", Severity.WARNING, "Repeats step 2.", 4, 0, 1),
            Finding("loop", Severity.WARNING, "Repeats step 3.", 5, 0, 1),
        ],
    )
    assert audit_strip(audit, Visibility.RAW) == (
        "1 arithmetic error (step 13) · answer uses a value retracted in step 9 · "
        "2 repeated steps · raw trace"
    )


def test_candidate_path_ends_at_the_final_answer_and_says_where_it_was_first_reached():
    audit = AuditResult(steps=[], candidates=[(3, "42"), (9, "45")])
    assert (
        candidate_path(audit, "45")
        == "42 (step 4) → 45 (step 10) → 45 final; first reached at step 10"
    )
    assert candidate_path(audit, "It is 7.").endswith("the final answer states none of these")
    assert candidate_path(AuditResult(steps=[]), "45") == ""


def test_spans_cut_overlapping_findings_without_nesting():
    text = "a 17 × 3 = 41 b"
    findings = [
        Finding("arithmetic", Severity.ERROR, "m1", 0, 2, 13),
        Finding("loop", Severity.WARNING, "m2", 0, 0, len(text)),
    ]
    pieces = spans(text, findings)
    assert "".join(text[s:e] for s, e, _ in pieces) == text
    assert [len(c) for _, _, c in pieces] == [1, 2, 1]


def test_markdown_marks_spans_lists_verdicts_and_keeps_the_critic_apart():
    t = turn()
    audit = audited(t)
    md = audit_report_markdown(
        t, audit, {1: ("spurious", "off by ten")}, critic(), critic_model="judge-1"
    )
    assert "**17 × 3 = 41**" in md
    assert "17 × 3 is 51, not 41." in md
    assert "Your verdict: spurious**: off by ten" in md
    assert PRINCIPLE in md
    steps_part, critic_part = md.split("## A model's opinion (critic)")
    assert "judge-1" in critic_part and "Agrees with the checks on step 2." in critic_part
    assert "judge-1" not in steps_part
    assert "45 (step 3) → 55 (step 5) → 55 final; first reached at step 5" in md


def test_markdown_escapes_hostile_step_text():
    md = audit_report_markdown(turn(), audited(turn()), {}, None)
    assert "<img" not in md and "<script" not in md and "<a " not in md
    assert "&lt;img src=http://x&gt;" in md
    rendered = markdown.markdown(md)  # what a reader's Markdown viewer makes of it
    tags = {e.tag for e in elements(rendered)}
    assert not tags & {"img", "script", "a"}
    assert HOSTILE in text_of(rendered)


def test_html_is_self_contained_escaped_and_marks_spans_with_their_message():
    t = turn()
    page = audit_report_html(t, audited(t), {1: ("unsure", "<b>check</b>")}, critic())
    assert page.count("<style>") == 1
    assert "<script" not in page.lower()
    assert "<img" not in page and "<a " not in page
    assert "&lt;img src=http://x&gt;" in page
    assert "&lt;b&gt;check&lt;/b&gt;" in page
    assert re.search(r'<mark class="error" title="17 × 3 is 51, not 41\.">17 × 3 = 41</mark>', page)
    found = elements(page)
    assert not {e.tag for e in found} & {"img", "script", "a", "link", "iframe", "object"}
    assert not [e for e in found if "src" in e.attrs or "href" in e.attrs]
    assert HOSTILE in text_of(page)
    steps_part, critic_part = page.split('<section class="critic">')
    assert "Agrees with the checks on step 2." in critic_part
    assert "Agrees" not in steps_part


def test_summary_and_hidden_turns_say_what_was_audited():
    summary = turn(Visibility.SUMMARY)
    md = audit_report_markdown(summary, audited(summary), {}, None)
    assert "findings on a summary are weaker" in SUMMARY_CAVEAT
    assert "provider's summary, not the model's own reasoning" in md
    hidden = turn(Visibility.HIDDEN, text="")
    page = audit_report_html(hidden, AuditResult(steps=[]), {}, None)
    assert (
        "Nothing to audit: the provider billed 1,408 reasoning tokens but did not show them."
        in page
    )
    assert "<h2>Steps</h2>" not in page
    none = turn(Visibility.NONE, text="")
    assert "No reasoning in this turn." in audit_report_markdown(
        none, AuditResult(steps=[]), {}, None
    )


def test_critic_agreement_and_an_unreadable_critic():
    t = turn()
    audit = audited(t)
    assert critic_agreement(audit, critic()) == (1,)
    assert critic_agreement(audit, CriticOpinion(first_error_step=3)) == ()
    md = audit_report_markdown(t, audit, {}, CriticOpinion())
    assert "no answer that could be read" in md


def test_the_strip_does_not_call_correct_rounding_a_slip():
    from client.audit import audit_trace
    from client.audit.report import audit_strip

    audit = audit_trace("391 / 7 = 55.86, no. 391 / 11 = 35.5, no. 391 / 13 = 30.08.")
    assert any("rounded value" in f.message for f in audit.findings)  # still shown in the step
    assert "slip" not in audit_strip(audit, "raw")


def test_the_markdown_report_keeps_the_answers_markdown_and_makes_html_inert():
    answer = "**55**, since 17 × 3 = 51.\n\n- one\n- two\n\n<img src=http://x>\n```\nx < y\n"
    md = audit_report_markdown(turn(answer=answer), audited(turn(answer=answer)), {}, None)
    part = md.split("## Answer")[1].split("##")[0]
    assert "> **55**, since 17 × 3 = 51." in part  # not \\*\\*55\\*\\*
    assert "> - one" in part and "\\*" not in part
    assert "<img" not in part and "&lt;img src=http://x&gt;" in part
    assert "> x < y" in part and part.rstrip().endswith("> ```")  # the cut fence is closed


def test_the_html_report_shows_the_answer_rendered_by_the_caller():
    t = turn(answer="**55**")
    page = audit_report_html(t, audited(t), {}, None, answer_html="<p><strong>55</strong></p>")
    assert '<div class="answer"><p><strong>55</strong></p></div>' in page
    plain = audit_report_html(t, audited(t), {}, None)
    assert "**55**" in plain and "<strong>55" not in plain


def test_strip_names_maths_errors_from_the_symbolic_check():
    audit = audit_trace(
        steps=["We count teams.", r"There are \(\binom{7}{3} = 30\) teams.", "So 30 teams."]
    )
    assert audit_strip(audit, Visibility.RAW).startswith("1 maths error (step 2)")


def test_html_report_typesets_maths_as_mathml_when_asked() -> None:
    from client.render.maths import formula_ranges
    from client.render.maths_html import escape_with_mathml

    text = "First $\\frac{1}{2} + \\frac{1}{3} = \\frac{2}{5}$ so.\n\nThen 5/6 is it."
    t = turn(text=text, answer="It is $\\frac{5}{6}$.")
    page = audit_report_html(
        t, audited(t), {}, None, text_html=escape_with_mathml, formula_ranges=formula_ranges
    )
    assert page.count("<math") == 2  # the step and the answer
    # The false equation is marked whole, and typeset inside its mark.
    assert re.search(r'<mark class="error"[^>]*><math', page)
    assert (
        '<annotation encoding="application/x-tex">\\frac{1}{2} + \\frac{1}{3} = \\frac{2}{5}</annotation>'
        in page
    )
    assert "<math" not in audit_report_html(t, audited(t), {}, None)  # the default escapes
    md = audit_report_markdown(t, audited(t), {}, None).replace("\\\\", "\\")
    assert "\\frac{1}{2} + \\frac{1}{3} = \\frac{2}{5}" in md and "<math" not in md  # TeX kept
