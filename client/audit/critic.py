"""The model critic's pure parts: the prompt, and reading the reply.

On request the user asks any configured model to judge the steps (docs/auditor.md, pipeline step 3).
Sending the prompt is the session's job; this module only writes it and reads the answer, so
both can be tested without a model. The reply is trusted no further than it can be checked: a
verdict whose quote is not an exact substring of the step it names is dropped, and a model too
small to write JSON may answer with the step number in `\\boxed{}`.

The critic runs blind to the deterministic findings, so nothing of them goes into the prompt.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from client.core.audit import AuditResult, CriticOpinion, CriticVerdict, Severity, Step

VERDICTS = frozenset({"error", "ok", "unsure"})
ERROR_TYPES = frozenset({"arithmetic", "logic", "assumption", "misread", "unsupported"})
_FENCE = re.compile(r"```[A-Za-z]*\s*(.*?)```", re.DOTALL)
_THINKING = re.compile(r"<think>.*?</think>", re.DOTALL | re.IGNORECASE)
_BOXED_STEP = re.compile(r"\\boxed\{\s*(-?\d+)\s*\}")

_INSTRUCTIONS = """\
You are checking a worked solution one step at a time. Find the first step that contains an \
error: a false calculation, a step that does not follow, an unjustified assumption, or a \
misreading of the problem. Steps are numbered from 0.

Reply with JSON only, in exactly this shape:
{"first_error_step": 2, "verdicts": [{"step": 2, "verdict": "error", "type": "arithmetic", \
"quote": "17 × 3 = 41", "why": "17 × 3 is 51."}]}

- first_error_step: the number of the first step with an error, or -1 if every step is right.
- verdict: "error", "ok" or "unsure".
- type: one of arithmetic, logic, assumption, misread, unsupported.
- quote: the exact words of that step you mean, copied character for character (a quote that \
is not found in the step is ignored).
- why: one sentence.

If you cannot write JSON, reply with the number of the first wrong step in \\boxed{}, for \
example \\boxed{3}, or \\boxed{-1} if every step is right."""


def _texts(steps: Sequence[str | Step]) -> list[str]:
    return [s.text if isinstance(s, Step) else s for s in steps]


def build_critic_prompt(
    problem: str | None, steps: Sequence[str | Step], answer: str | None
) -> str:
    """The message to send the critic model: instructions, problem, numbered steps, answer."""
    parts = [_INSTRUCTIONS, ""]
    if problem and problem.strip():
        parts += ["Problem:", problem.strip(), ""]
    parts.append("Steps:")
    parts += [f"[{i}] {text.strip()}" for i, text in enumerate(_texts(steps))]
    if answer and answer.strip():
        parts += ["", "Final answer:", answer.strip()]
    return "\n".join(parts) + "\n"


def parse_critic_reply(text: str, steps: Sequence[str | Step]) -> CriticOpinion:
    """Read a critic's reply; junk gives an empty opinion, never an exception."""
    texts = _texts(steps)
    reply = _THINKING.sub("", text or "")
    data = _find_json_object(reply)
    if data is not None:
        return _from_json(data, texts)
    boxed = _BOXED_STEP.findall(reply)
    if boxed:
        step = int(boxed[-1])
        if -1 <= step < len(texts):
            return CriticOpinion(first_error_step=step, source="boxed")
    return CriticOpinion()


def agreeing_steps(opinion: CriticOpinion, result: AuditResult) -> list[int]:
    """Steps both the critic and the deterministic checks call wrong, to be shown as agreement
    beside (never merged with) the two sets of findings."""
    critic = {v.step for v in opinion.verdicts if v.verdict == "error"}
    if opinion.first_error_step is not None and opinion.first_error_step >= 0:
        critic.add(opinion.first_error_step)
    checks = {
        f.step for f in result.findings if f.severity is Severity.ERROR and f.step is not None
    }
    return sorted(critic & checks)


def _find_json_object(reply: str) -> dict[str, object] | None:
    """The first JSON object that looks like a critic's answer, in a code fence or loose."""
    decoder = json.JSONDecoder()
    for chunk in [*_FENCE.findall(reply), reply]:
        for start in [m.start() for m in re.finditer(r"\{", chunk)][:50]:
            try:
                value, _ = decoder.raw_decode(chunk, start)
            except ValueError:
                continue
            if isinstance(value, dict) and ("first_error_step" in value or "verdicts" in value):
                return value
    return None


def _from_json(data: dict[str, object], texts: list[str]) -> CriticOpinion:
    first = _step_number(data.get("first_error_step"), len(texts), allow_none=True)
    verdicts: list[CriticVerdict] = []
    dropped = 0
    raw_verdicts = data.get("verdicts")
    for raw in raw_verdicts if isinstance(raw_verdicts, list) else []:
        verdict = _verdict(raw, texts)
        if verdict is None:
            dropped += 1
        else:
            verdicts.append(verdict)
    return CriticOpinion(first, tuple(verdicts), "json", dropped)


def _verdict(raw: object, texts: list[str]) -> CriticVerdict | None:
    if not isinstance(raw, dict):
        return None
    step = _step_number(raw.get("step"), len(texts), allow_none=False)
    verdict = str(raw.get("verdict", "")).strip().lower()
    quote = raw.get("quote")
    if (
        step is None
        or step < 0
        or verdict not in VERDICTS
        or not isinstance(quote, str)
        or not quote
    ):
        return None
    start = texts[step].find(quote)
    if start < 0:
        return None
    kind = str(raw.get("type") or "").strip().lower()
    why = raw.get("why")
    return CriticVerdict(
        step=step,
        verdict=verdict,
        kind=kind if kind in ERROR_TYPES else None,
        quote=quote,
        why=why.strip() if isinstance(why, str) else "",
        start=start,
        end=start + len(quote),
    )


def _step_number(value: object, count: int, *, allow_none: bool) -> int | None:
    """A step number from JSON (an int, or digits in a string) that names a real step."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*", value):
        value = int(value)
    if not isinstance(value, int):
        return None
    if value == -1 and allow_none:
        return -1
    return value if 0 <= value < count else None
