"""The audit, in words a user can read and hand to someone else: the strip, the path, the report.

The window's step view, its audit strip and the exported report (Markdown or HTML) must say the
same things in the same words, so those words live here, beside the checks, as pure functions of
a Turn, its AuditResult, the user's verdicts and a critic's opinion. The report says what was
audited (a raw trace, a provider's summary, or nothing), marks each finding's exact span, and
keeps a critic's opinion apart from the checks (docs/auditor.md principles 3-6). No trust score, ever.

Step text is model output, so it is hostile: the HTML report escapes every character of it and
carries no script and no remote resource; the Markdown report escapes what could become markup.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

from client.audit import PRINCIPLE, agreeing_steps
from client.core.audit import AuditResult, CriticOpinion, Finding, Severity
from client.core.conversation import Turn
from client.core.events import Visibility
from client.core.fold import visibility_of
from client.core.format import step_number

SUMMARY_CAVEAT = "This is the provider's summary, not the model's own reasoning; findings on a summary are weaker."
NO_REASONING = "No reasoning in this turn."
SEVERITY_LABELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "possible"}
TURNING_POINTS = frozenset({"plan", "switch", "retract", "conclude"})
_RANK = {Severity.NOTE: 0, Severity.WARNING: 1, Severity.ERROR: 2}
_AUDITED = {
    Visibility.RAW: "raw trace",
    Visibility.SUMMARY: "provider summary",
    Visibility.HIDDEN: "hidden reasoning: nothing to audit",
    Visibility.NONE: "no reasoning",
}
_FIXED = {"hedging": "hedged reasoning, certain answer", "truncated": "reasoning cut off"}
_RETRACTED_IN = re.compile(r"step (\d+) retracted")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]#|~])")
_LONG_TEXT = 4000  # the problem and the answer are quoted up to this many characters
_PATH_SHOWN = 8


def nothing_to_audit(tokens: int | None, redacted_blocks: int = 0) -> str:
    """Why hidden reasoning has no audit: the provider billed it but sent no text."""
    if tokens:
        billed = f"billed {tokens:,} reasoning token{'s' if tokens != 1 else ''}"
        sentence = f"Nothing to audit: the provider {billed} but did not show them."
    else:
        sentence = "Nothing to audit: the provider reasoned but did not show the reasoning."
    if redacted_blocks:
        sentence += f" Redacted blocks: {redacted_blocks}."
    return sentence


def audit_of(turn: Turn) -> AuditResult:
    """The audit of a turn's visible reasoning (raw or summary), with its prompt and answer; an
    empty result when there is no reasoning text to audit. The audit itself is the one
    client.audit.service keeps for the turn, so a report never audits a turn again."""
    from client.audit.service import audit_of as kept_audit
    from client.audit.service import has_trace

    return kept_audit(turn) if has_trace(turn) else AuditResult(steps=[])


def finding_lines(turn: Turn, audit: AuditResult) -> list[str]:
    """The auditor's findings in plain sentences, for exports: "error (arithmetic) in step 2
    (“17 × 3 = 41”): 17 × 3 is 51, not 41.", whole-trace findings last. [] when there was
    nothing to audit; one sentence when nothing was found."""
    if not audit.steps:
        return []
    lines = []
    for step in audit.steps:
        for f in audit.findings_for(step.index):
            quote = _quote(step.text, f)
            said = f" (“{quote}”)" if quote else ""
            lines.append(
                f"{SEVERITY_LABELS[f.severity]} ({f.check}) in step "
                f"{step_number(step.index)}{said}: {f.message}"
            )
    lines += [f"{SEVERITY_LABELS[f.severity]} ({f.check}): {f.message}" for f in audit.findings
              if f.step is None]  # fmt: skip
    if not lines:
        lines.append(f"No problems found in {_plural(len(audit.steps), 'step')}.")
    if visibility_of(turn) is Visibility.SUMMARY:
        lines.append(SUMMARY_CAVEAT)
    return lines


def what_was_audited(turn: Turn) -> str:
    """One sentence: a raw trace, a provider's summary (weaker), or nothing, and why."""
    visibility = visibility_of(turn)
    if visibility is Visibility.SUMMARY:
        return SUMMARY_CAVEAT
    if visibility is Visibility.HIDDEN:
        return nothing_to_audit(turn.reasoning.tokens, turn.reasoning.redacted_blocks)
    if visibility is Visibility.NONE:
        return NO_REASONING
    return f"The model's own reasoning, as it wrote it ({len(turn.reasoning.text):,} characters)."


def _plural(n: int, one: str) -> str:
    return f"{n} {one}{'' if n == 1 else 's'}"


def _steps_list(steps: Sequence[int], limit: int = 3) -> str:
    shown = ", ".join(str(step_number(s)) for s in steps[:limit])
    more = ", …" if len(steps) > limit else ""
    return f"(step{'s' if len(steps) > 1 else ''} {shown}{more})"


def audit_strip(audit: AuditResult, visibility: Visibility | str) -> str:
    """The one-line summary under the reasoning. Counts and places, never a trust score."""
    visibility = Visibility(visibility)
    if visibility in (Visibility.HIDDEN, Visibility.NONE):
        return _AUDITED[visibility]
    parts: list[str] = []
    by_check: dict[str, list[Finding]] = {}
    for finding in audit.findings:
        by_check.setdefault(finding.check, []).append(finding)
    for check, found in by_check.items():
        parts += _strip_parts(check, found, audit)
    if not parts:
        parts.append(f"no problems found in {_plural(len(audit.steps), 'step')}")
    return " · ".join([*parts, _AUDITED[visibility]])


def _strip_parts(check: str, found: list[Finding], audit: AuditResult) -> list[str]:
    errors = sorted({f.step for f in found if f.severity is Severity.ERROR and f.step is not None})
    quiet = [f for f in found if f.severity is not Severity.ERROR]
    if check == "arithmetic":
        parts = (
            [f"{_plural(len(errors), 'arithmetic error')} {_steps_list(errors)}"] if errors else []
        )
        # A correctly rounded value written with "=" is a note in the step view, but it is no
        # slip: the strip, read at a glance, leaves it out (precision first).
        slips = [f for f in quiet if "is a rounded value" not in f.message]
        if slips:
            parts.append(_plural(len(slips), "possible arithmetic slip"))
        return parts
    if check == "symbolic":
        # Binomials, roots, identities, solutions: "maths" says it is more than a sum.
        return [f"{_plural(len(errors), 'maths error')} {_steps_list(errors)}"] if errors else []
    if check == "retraction":
        retracted = sorted(
            {int(m.group(1)) for f in found if (m := _RETRACTED_IN.search(f.message))}
        )
        where = f" in step {retracted[0]}" if len(retracted) == 1 else ""
        who = "answer uses" if any(f.step is None for f in found) else "a later step uses"
        return [f"{who} a value retracted{where}"]
    if check == "loop":
        return [_plural(len(found), "repeated step")]
    if check == "answer_mismatch":
        if any(f.severity is not Severity.NOTE for f in found):
            return ["answer differs from the reasoning's conclusion"]
        return ["answer states a number not in the reasoning"]
    if check == "trajectory":
        changes = max(0, len(audit.candidates) - 1)
        return [f"changed its answer {_plural(changes, 'time')}"] if changes else []
    if check in _FIXED:
        return [_FIXED[check]]
    label = f"{_plural(len(errors), check + ' error')} {_steps_list(errors)}" if errors else ""
    return [label or _plural(len(found), f"{check} finding")]


def _key(value: str) -> str:
    return re.sub(r"[\s$,]+", "", value).rstrip(".").lower()


def _in_answer(value: str, answer: str) -> bool:
    key = re.escape(value.strip().rstrip("."))
    return bool(key) and re.search(rf"(?<![\w.]){key}(?![\w])", answer) is not None


def candidate_path(audit: AuditResult, answer: str | None = None) -> str:
    """ "42 (step 3) → 45 (step 9) → 45 final; first reached at step 9", or "" with no candidates."""
    path = audit.candidates
    if not path:
        return ""
    items = [f"{value} (step {step_number(step)})" for step, value in path]
    if len(items) > _PATH_SHOWN:
        items = [
            *items[:2],
            f"… {len(items) - _PATH_SHOWN + 3} more …",
            *items[-(_PATH_SHOWN - 3) :],
        ]
    shown = " → ".join(items)
    final = next((v for _, v in reversed(path) if answer and _in_answer(v, answer)), None)
    if final is None and answer and answer.strip():
        return f"{shown} → the final answer states none of these"
    value = final if final is not None else path[-1][1]
    first = next(step for step, v in path if _key(v) == _key(value))
    ending = f" → {value} final" if final is not None else ""
    return f"{shown}{ending}; first reached at step {step_number(first)}"


def critic_agreement(audit: AuditResult, critic: CriticOpinion) -> tuple[int, ...]:
    """Steps where the critic and the deterministic checks both see an error."""
    return tuple(agreeing_steps(critic, audit))


def spans(text: str, findings: Sequence[Finding]) -> list[tuple[int, int, tuple[Finding, ...]]]:
    """The step's text cut at every finding boundary: (start, end, findings covering it).

    Pieces covered by no finding have an empty tuple; spans are clamped to the text and trimmed
    of surrounding whitespace, so overlapping findings never produce broken or nested marks.
    """
    marked: list[tuple[int, int, Finding]] = []
    for f in findings:
        if f.start is None or f.end is None:
            continue
        start, end = max(0, min(f.start, len(text))), max(0, min(f.end, len(text)))
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start < end:
            marked.append((start, end, f))
    cuts = sorted({0, len(text), *(s for s, _, _ in marked), *(e for _, e, _ in marked)})
    pieces = []
    for start, end in zip(cuts, cuts[1:], strict=False):
        covering = tuple(f for s, e, f in marked if s <= start and end <= e)
        pieces.append((start, end, covering))
    return pieces


def worst(findings: Sequence[Finding]) -> Severity | None:
    return max((f.severity for f in findings), key=_RANK.__getitem__, default=None)


def _quote(text: str, finding: Finding) -> str:
    if finding.start is None or finding.end is None or finding.end - finding.start > 120:
        return ""
    return " ".join(text[finding.start : finding.end].split())


def _md(text: str) -> str:
    """Untrusted text as Markdown text: entities for HTML (every renderer decodes them, none
    treats them as tags, while some ignore a backslash before "<"), backslashes for the rest."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", text)


def _md_block(text: str) -> str:
    """Untrusted text as a Markdown block quote, every line escaped."""
    lines = (text if len(text) <= _LONG_TEXT else text[:_LONG_TEXT] + " …").splitlines() or [""]
    return "\n".join(f"> {_md(line)}" for line in lines)


_FENCE_LINE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")


def _md_answer(text: str) -> str:
    """The model's answer as the Markdown it is (bold, lists, code read as a person expects),
    quoted, with raw HTML made inert (entities, outside code fences: inside one it is shown as
    code anyway) and an unclosed fence closed so the rest of the report is not code."""
    text = text if len(text) <= _LONG_TEXT else text[:_LONG_TEXT] + " …"
    lines, fence = [], ""
    for line in text.splitlines() or [""]:
        match = _FENCE_LINE.match(line)
        if fence:
            if match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence):
                fence = ""
        elif match:
            fence = match.group(1)
        else:
            line = line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        lines.append(line)
    if fence:
        lines.append(fence)
    return "\n".join(f"> {line}".rstrip() for line in lines)


def _md_step_text(text: str, findings: Sequence[Finding]) -> str:
    out: list[str] = []
    bold = False
    for start, end, covering in spans(text, findings):
        if bool(covering) != bold:  # one bold run across touching marks: nested ** breaks
            out.append("**")
            bold = not bold
        out.append(_md(text[start:end]))
    if bold:
        out.append("**")
    return "".join(out).replace("\n", "  \n")


def critic_lines(audit: AuditResult, critic: CriticOpinion | None, model: str | None) -> list[str]:
    """The critic's opinion in plain sentences (escaping is the caller's business)."""
    if critic is None:
        return []
    who = f"the critic model ({model})" if model else "the critic model"
    lines = [f"Another model's opinion, not a check: {who} read the steps blind to the findings."]
    if critic.empty:
        return [*lines, "The critic gave no answer that could be read."]
    first = critic.first_error_step
    if first is not None:
        lines.append(
            "It found no error."
            if first < 0
            else f"It says the first error is in step {step_number(first)}."
        )
    for v in critic.verdicts:
        kind = f" ({v.kind})" if v.kind else ""
        lines.append(f"Step {step_number(v.step)}: {v.verdict}{kind}: “{v.quote}”: {v.why}")
    agree = critic_agreement(audit, critic)
    where = ", ".join(str(step_number(s)) for s in agree)
    lines.append(
        f"Agrees with the checks on step{'s' if len(agree) > 1 else ''} {where}."
        if agree
        else "It agrees with the checks on no step."
    )
    if critic.dropped:
        lines.append(
            f"{_plural(critic.dropped, 'verdict')} dropped: the quote was not in the step."
        )
    return lines


def _md_finding(finding: Finding, quote: str = "") -> str:
    said = f" (“{_md(quote)}”)" if quote else ""
    label = SEVERITY_LABELS[finding.severity]
    return f"- {label} ({_md(finding.check)}): {_md(finding.message)}{said}"


def audit_report_markdown(
    turn: Turn,
    audit: AuditResult,
    verdicts: Mapping[int, tuple[str, str]],
    critic: CriticOpinion | None,
    *,
    critic_model: str | None = None,
) -> str:
    """The audit as Markdown a person can read raw or rendered."""
    visibility = visibility_of(turn)
    out = [f"# Reasoning audit: {_md(turn.model_reported or turn.model)}", ""]
    out += [f"{_md(turn.provider)} · {turn.created_at} · turn {turn.id}", ""]
    out += [f"**{_md(audit_strip(audit, visibility))}**", "", _md(what_was_audited(turn)), ""]
    out += [f"*{PRINCIPLE}*", "", "## Problem", "", _md_block(turn.prompt), ""]
    if turn.answer.strip():
        out += ["## Answer", "", _md_answer(turn.answer), ""]
    if path := candidate_path(audit, turn.answer):
        out += ["## Candidate answers", "", _md(path), ""]
    if audit.steps:
        out += ["## Steps", ""]
    for step in audit.steps:
        found = audit.findings_for(step.index)
        out += [
            f"### Step {step_number(step.index)} · {step.kind}",
            "",
            _md_step_text(step.text, found),
            "",
        ]
        out += [_md_finding(f, _quote(step.text, f)) for f in found]
        if step.index in verdicts:
            verdict, note = verdicts[step.index]
            out.append(f"- **Your verdict: {verdict}**" + (f": {_md(note)}" if note else ""))
        if found or step.index in verdicts:
            out.append("")
    whole = [f for f in audit.findings if f.step is None]
    if whole:
        out += ["## The whole trace", "", *(_md_finding(f) for f in whole), ""]
    if critic is not None:
        out += ["## A model's opinion (critic)", ""]
        out += [*(f"- {_md(line)}" for line in critic_lines(audit, critic, critic_model)), ""]
    return "\n".join(out).rstrip() + "\n"


_STYLE = """
body{font:15px/1.5 system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;
color:#1d1d1f;background:#fff}
.meta,.principle,.kind{color:#666}.strip{font-weight:600}
.quote,.text{white-space:pre-wrap;word-wrap:break-word}
.quote,.answer{border-left:3px solid #ccc;padding-left:.8rem}
.step{border-top:1px solid #ddd;padding:.4rem 0}.step h3{font-size:1rem;margin:.2rem 0}
mark{color:inherit;border-radius:2px;padding:0 1px}
mark.error{background:#f7c4c4;border-bottom:2px solid #c62828}
mark.warning{background:#f9e2b3;border-bottom:2px solid #b7791f}
mark.possible{background:none;border-bottom:2px dotted #888}
.findings li.error{color:#b71c1c}.findings li.possible{color:#666}.verdict{font-weight:600}
.critic{border:2px dashed #7b61c4;border-radius:6px;padding:.2rem 1rem;margin-top:2rem}
@media (prefers-color-scheme:dark){body{color:#e6e6e6;background:#1f2023}
.meta,.principle,.kind,.findings li.possible{color:#a0a3aa}.step{border-color:#444}
mark.error{background:#6b2323}mark.warning{background:#5c4514}.findings li.error{color:#ff8a80}}
"""


#: Where the formulas of a text are, as (start, end) offsets: a mark never cuts one in two.
FormulaRanges = Callable[[str], Sequence[tuple[int, int]]]


def widened(text: str, findings: Sequence[Finding], ranges: FormulaRanges) -> list[Finding]:
    """`findings` with each span that touches a formula stretched to cover all of it."""
    formula_spans = ranges(text)
    if not formula_spans:
        return list(findings)
    out = []
    for f in findings:
        start, end = f.start, f.end
        if start is not None and end is not None:
            for low, high in formula_spans:
                if low < end and start < high:
                    start, end = min(start, low), max(end, high)
            f = replace(f, start=start, end=end)
        out.append(f)
    return out


def _html_step_text(
    text: str,
    findings: Sequence[Finding],
    text_html: Callable[[str], str] = html.escape,
    formula_ranges: FormulaRanges | None = None,
) -> str:
    out: list[str] = []
    if formula_ranges is not None:
        findings = widened(text, findings, formula_ranges)
    for start, end, covering in spans(text, findings):
        piece = text_html(text[start:end])
        if covering:
            severity = worst(covering) or Severity.NOTE
            title = html.escape(" ".join(f.message for f in covering), quote=True)
            piece = f'<mark class="{SEVERITY_LABELS[severity]}" title="{title}">{piece}</mark>'
        out.append(piece)
    return "".join(out)


def _html_findings(findings: Sequence[Finding]) -> str:
    items = "".join(
        f'<li class="{SEVERITY_LABELS[f.severity]}">{SEVERITY_LABELS[f.severity]} '
        f"({html.escape(f.check)}): {html.escape(f.message)}</li>"
        for f in findings
    )
    return f'<ul class="findings">{items}</ul>'


def audit_report_html(
    turn: Turn,
    audit: AuditResult,
    verdicts: Mapping[int, tuple[str, str]],
    critic: CriticOpinion | None,
    *,
    critic_model: str | None = None,
    text_html: Callable[[str], str] = html.escape,
    formula_ranges: FormulaRanges | None = None,
    answer_html: str | None = None,
) -> str:
    """The audit as one self-contained HTML page: escaped text, one inline style, no scripts.

    `answer_html` is the answer already rendered from its Markdown and sanitised by the caller
    (the renderer is a layer this package may not use); without it the answer is shown as
    text. `text_html` turns the model's text (problem, answer, steps) into HTML; the window
    passes one that also typesets formulas as MathML, and `formula_ranges` saying where they
    are, so that a finding inside a formula marks the whole formula."""
    e = html.escape
    visibility = visibility_of(turn)
    model = turn.model_reported or turn.model
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'\">",
        f"<title>Reasoning audit: {e(model)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>Reasoning audit: {e(model)}</h1>",
        f'<p class="meta">{e(turn.provider)} · {e(turn.created_at)} · turn {e(turn.id)}</p>',
        f'<p class="strip">{e(audit_strip(audit, visibility))}</p>',
        f'<p class="audited">{e(what_was_audited(turn))}</p>',
        f'<p class="principle"><em>{e(PRINCIPLE)}</em></p>',
        f'<h2>Problem</h2><div class="quote">{text_html(turn.prompt[:_LONG_TEXT])}</div>',
    ]
    if answer_html is not None and turn.answer.strip():
        out.append(f'<h2>Answer</h2><div class="answer">{answer_html}</div>')
    elif turn.answer.strip():
        answer = text_html(turn.answer[:_LONG_TEXT])
        out.append(f'<h2>Answer</h2><div class="quote">{answer}</div>')
    if path := candidate_path(audit, turn.answer):
        out.append(f"<h2>Candidate answers</h2><p>{e(path)}</p>")
    if audit.steps:
        out.append("<h2>Steps</h2>")
    for step in audit.steps:
        found = audit.findings_for(step.index)
        out.append(f'<section class="step" id="step-{step.index}">')
        out.append(
            f'<h3>Step {step_number(step.index)} <span class="kind">· {e(str(step.kind))}</span></h3>'
        )
        out.append(
            f'<div class="text">{_html_step_text(step.text, found, text_html, formula_ranges)}</div>'
        )
        if found:
            out.append(_html_findings(found))
        if step.index in verdicts:
            verdict, note = verdicts[step.index]
            out.append(f'<p class="verdict">Your verdict: {e(verdict)}</p>')
            if note:
                out.append(f'<p class="note">{e(note)}</p>')
        out.append("</section>")
    whole = [f for f in audit.findings if f.step is None]
    if whole:
        out.append(f"<h2>The whole trace</h2>{_html_findings(whole)}")
    if critic is not None:
        lines = "".join(f"<p>{e(line)}</p>" for line in critic_lines(audit, critic, critic_model))
        out.append(f'<section class="critic"><h2>A model\'s opinion (critic)</h2>{lines}</section>')
    out.append("</body></html>")
    return "\n".join(out) + "\n"
