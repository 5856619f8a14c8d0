"""The reasoning auditor: where the visible reasoning goes wrong (docs/auditor.md).

`audit_trace` segments a trace into steps and runs every deterministic check over it: false
arithmetic, an answer that does not follow, a retracted value used anyway, the path of candidate
answers, repeated steps, hedging, truncation. It checks the text, not how the model computed.
The model critic's prompt and reply parsing live in `client.audit.critic`; sending the prompt
is the caller's business.

Everything here is pure: no I/O, imports of `client.core` and the standard library only.
"""

from __future__ import annotations

from client.audit.answer import check_answer
from client.audit.arithmetic import check_arithmetic
from client.audit.critic import agreeing_steps, build_critic_prompt, parse_critic_reply
from client.audit.hedging import check_hedging
from client.audit.loops import check_loops
from client.audit.quotients import check_quotients
from client.audit.retraction import check_retractions
from client.audit.segment import classify, from_texts, segment
from client.audit.symbolic import check_symbolic
from client.audit.trajectory import check_trajectory
from client.audit.truncation import check_truncation
from client.audit.unequal import check_unequal
from client.core.audit import AuditResult, Finding

PRINCIPLE = "This checks the text, not how the model computed."
# Bump when the checks change what they find, so stored audit summaries are recomputed.
AUDITOR_VERSION = 6

__all__ = [
    "AUDITOR_VERSION",
    "PRINCIPLE",
    "agreeing_steps",
    "audit_trace",
    "build_critic_prompt",
    "classify",
    "forget_cached_steps",
    "parse_critic_reply",
    "segment",
]


def audit_trace(
    reasoning: str | None = None,
    *,
    steps: list[str] | None = None,
    problem: str | None = None,
    answer: str | None = None,
    truncated: bool = False,
) -> AuditResult:
    """Audit one trace: raw `reasoning` text to split, or `steps` already split (kept as given).

    `problem` and `answer` are optional; checks that need them skip quietly without them.
    `truncated` says the provider stopped at the output budget.
    """
    if steps is not None:
        split = from_texts(steps)
    else:
        split = segment(reasoning or "")
    findings: list[Finding] = []
    findings.extend(check_arithmetic(split))
    findings.extend(check_symbolic(split))
    findings.extend(check_quotients(split))
    findings.extend(check_unequal(split))
    findings.extend(check_retractions(split, answer, problem))
    findings.extend(check_loops(split))
    path, trajectory_findings = check_trajectory(split, answer)
    findings.extend(trajectory_findings)
    findings.extend(check_answer(split, answer, problem))
    findings.extend(check_hedging(split, answer))
    findings.extend(check_truncation(split, truncated))
    findings.sort(key=_order)
    return AuditResult(steps=split, findings=findings, candidates=path)


def forget_cached_steps() -> None:
    """Drop what the checks remember of steps already read (the benchmark measures a first
    audit; the window never needs this)."""
    from client.audit.answer import canonical
    from client.audit.arithmetic import _parse

    _parse.cache_clear()
    canonical.cache_clear()


def _order(finding: Finding) -> tuple[int, int, int]:
    """Step findings in step order and reading order; whole-trace findings after them."""
    if finding.step is None:
        return (1, 0, 0)
    return (0, finding.step, finding.start or 0)
