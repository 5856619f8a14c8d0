"""Reasoning controls: the contract's --effort/--thinking-budget/--summary, checked and mapped per API.

The command line offers one vocabulary for every provider (effort
none|minimal|low|medium|high|xhigh|max, a budget in tokens, a summary mode), but each API takes a
different subset, and for Claude and Gemini which subset depends on the model generation. The
rules live here, apart from the wire code, so a setting a model cannot take is refused with a
sentence (UsageError) before anything is sent, and a setting we translate is announced.

Model generations are read from the model id (Anthropic's and Google's thinking docs):

- Claude before 4.6 (3.7, 4, 4.1, 4.5): only a budget, `{"type":"enabled","budget_tokens":N}`
  with 1024 ≤ N < max_tokens; an effort is translated to a budget (EFFORT_BUDGETS).
- Claude 4.6: adaptive thinking plus `output_config.effort`; a budget is deprecated but works.
- Claude 4.7 and later, and the families that only exist there (mythos, fable): adaptive only;
  a budget is refused (the API answers 400).
- An id we cannot read (a proxy alias) follows what the user gave: an effort means adaptive,
  a budget means enabled.
- Gemini 3 and later: `thinkingLevel` for an effort (cannot be turned off), `thinkingBudget` for a
  budget. Gemini 2.5: a budget only, effort translated (`none` → 0, refused on 2.5 Pro). Gemini
  before 2.5 does not think. Never both a level and a budget.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from client.core.errors import UsageError
from client.core.request import EFFORTS, TurnRequest

SUMMARIES = ("auto", "concise", "detailed", "none")

# What an effort becomes on an API that only takes a budget (Claude < 4.6, Gemini 2.5).
EFFORT_BUDGETS = {"minimal": 1024, "low": 2048, "medium": 8192, "high": 16384, "xhigh": 32768}
GEMINI_25_BUDGETS = {"minimal": 512, "low": 1024, "medium": 8192, "high": 24576}
CLAUDE_DEFAULT_MAX_TOKENS = 16000
CLAUDE_MIN_BUDGET = 1024
CLAUDE_ANSWER_ROOM = 4096  # what max_tokens leaves beyond the budget when we raise it ourselves
CLAUDE_EFFORTS = ("low", "medium", "high", "xhigh", "max")


def check_common(request: TurnRequest) -> None:
    """The checks every API shares: known values only."""
    if request.effort is not None and request.effort not in EFFORTS:
        raise UsageError(f"--effort must be one of {', '.join(EFFORTS)}")
    if request.thinking_budget is not None and request.thinking_budget < 0:
        raise UsageError("--thinking-budget must be a number of tokens, 0 or more")
    if request.summary is not None and request.summary not in SUMMARIES:
        raise UsageError(f"--summary must be one of {', '.join(SUMMARIES)}")
    if request.max_output_tokens is not None and request.max_output_tokens < 1:
        raise UsageError("--max-output-tokens must be at least 1")


def refuse_both(request: TurnRequest, label: str) -> None:
    if request.effort is not None and request.thinking_budget is not None:
        raise UsageError(f"{label} takes either --effort or --thinking-budget, not both.")


def _version(match: re.Match[str] | None, major: int, minor: int) -> tuple[int, int] | None:
    if match is None:
        return None
    return int(match.group(major)), int(match.group(minor) or 0)


_CLAUDE_NEW_FAMILIES = re.compile(r"claude-(mythos|fable)\b")
_CLAUDE_FAMILY_FIRST = re.compile(
    r"claude-(?:opus|sonnet|haiku|mythos|fable)-(\d+)(?:[-.](\d{1,2})(?!\d))?"
)
_CLAUDE_NUMBER_FIRST = re.compile(r"claude-(\d+)(?:[-.](\d))?-(?:opus|sonnet|haiku)")


def claude_version(model: str) -> tuple[int, int] | None:
    """(4, 6) for claude-opus-4-6, (3, 7) for claude-3-7-sonnet-20250219; None if unreadable.

    A date suffix is never a minor version (claude-sonnet-4-20250514 is 4.0)."""
    m = model.lower()
    found = _version(_CLAUDE_FAMILY_FIRST.search(m), 1, 2) or _version(
        _CLAUDE_NUMBER_FIRST.search(m), 1, 2
    )
    if found is None and _CLAUDE_NEW_FAMILIES.search(m):
        return (4, 7)  # mythos-preview and friends arrived with adaptive-only thinking
    return found


def claude_thinking_is_raw(model: str) -> bool:
    """Claude 3.7 streams its full thinking; Claude 4+ stream a summary by another model."""
    return claude_version(model) == (3, 7)


@dataclass
class ClaudeThinking:
    """The thinking part of an Anthropic request body."""

    max_tokens: int
    thinking: dict[str, Any] | None = None
    output_config: dict[str, Any] | None = None
    notices: list[str] = field(default_factory=list)


def claude_thinking(request: TurnRequest) -> ClaudeThinking:
    check_common(request)
    refuse_both(request, "Claude")
    model, effort, budget, user_max = (
        request.model,
        request.effort,
        request.thinking_budget,
        request.max_output_tokens,
    )
    version = claude_version(model)
    adaptive_only = version is not None and version >= (4, 7)
    budget_only = version is not None and version < (4, 6)
    if request.summary in ("concise", "detailed"):
        raise UsageError(
            "Claude shows its thinking summarised or not at all: use --summary auto or none."
        )
    display = "omitted" if request.summary == "none" else "summarized"
    plan = ClaudeThinking(max_tokens=user_max or CLAUDE_DEFAULT_MAX_TOKENS)
    if effort == "none" or budget == 0:
        plan.thinking = {"type": "disabled"}
        return plan
    if budget is None and effort is not None and budget_only:
        budget = EFFORT_BUDGETS.get(effort, EFFORT_BUDGETS["xhigh"])
        if user_max is not None:
            if user_max <= CLAUDE_MIN_BUDGET:
                raise UsageError(
                    f"{model} needs --max-output-tokens above {CLAUDE_MIN_BUDGET} to think "
                    "(its smallest thinking budget is 1024 tokens)."
                )
            budget = max(CLAUDE_MIN_BUDGET, min(budget, user_max // 2))
        plan.notices.append(
            f"{model} takes a thinking budget, not an effort: --effort {effort} was sent as budget_tokens {budget}."
        )
    if budget is not None:
        if adaptive_only:
            raise UsageError(
                f"{model} takes no thinking budget (Claude 4.7 and later decide how long to think); "
                f"use --effort {'|'.join(CLAUDE_EFFORTS)} instead."
            )
        if budget < CLAUDE_MIN_BUDGET:
            raise UsageError(
                f"Claude's thinking budget must be at least {CLAUDE_MIN_BUDGET} tokens (or 0 to turn thinking off)."
            )
        if user_max is not None and budget >= user_max:
            raise UsageError(
                f"Claude's thinking budget ({budget}) must be below --max-output-tokens ({user_max}), "
                "which also pays for the thinking; raise --max-output-tokens or lower the budget."
            )
        if user_max is None:
            plan.max_tokens = max(plan.max_tokens, budget + CLAUDE_ANSWER_ROOM)
        plan.thinking = {"type": "enabled", "budget_tokens": budget, "display": display}
        return plan
    if effort is not None:
        if effort not in CLAUDE_EFFORTS:
            raise UsageError(
                f"Claude takes --effort none, {', '.join(CLAUDE_EFFORTS)}; not {effort}."
            )
        plan.thinking = {"type": "adaptive", "display": display}
        plan.output_config = {"effort": effort}
    elif adaptive_only and request.summary != "none":
        # These models think by default, and some default to showing nothing: ask to see it.
        plan.thinking = {"type": "adaptive", "display": display}
    return plan


_GEMINI_VERSION = re.compile(r"gemini-(\d+)(?:\.(\d+))?")


def gemini_version(model: str) -> tuple[int, int] | None:
    return _version(_GEMINI_VERSION.search(model.lower()), 1, 2)


def gemini_thinking_config(request: TurnRequest) -> tuple[dict[str, Any] | None, list[str]]:
    """`generationConfig.thinkingConfig` (None: send none) and notices about translations."""
    check_common(request)
    refuse_both(request, "Gemini")
    model, effort, budget = request.model, request.effort, request.thinking_budget
    version = gemini_version(model)
    if request.summary in ("concise", "detailed"):
        raise UsageError("Gemini's thought summaries have no modes: use --summary auto or none.")
    if version is not None and version < (2, 5):
        if effort is not None or budget is not None:
            raise UsageError(f"{model} does not think; drop --effort and --thinking-budget.")
        return None, []
    config: dict[str, Any] = {}
    notices: list[str] = []
    if request.summary != "none":
        config["includeThoughts"] = True
    is_25_pro = version == (2, 5) and "pro" in model.lower()
    if budget == 0 and (is_25_pro or (version or (3, 0)) >= (3, 0)):
        raise UsageError(
            f"{model} cannot turn thinking off; give a budget above 0 or a low --effort."
        )
    if budget is not None:
        config["thinkingBudget"] = budget
    elif effort is not None and version == (2, 5):
        if effort == "none":
            if is_25_pro:
                raise UsageError(
                    f"{model} cannot turn thinking off; its lowest is --effort minimal."
                )
            config["thinkingBudget"] = 0
        elif effort in GEMINI_25_BUDGETS:
            config["thinkingBudget"] = GEMINI_25_BUDGETS[effort]
            notices.append(
                f"Gemini 2.5 takes a thinking budget, not an effort: --effort {effort} was sent as thinkingBudget {config['thinkingBudget']}."
            )
        else:
            raise UsageError(
                f"Gemini 2.5 takes --effort none|minimal|low|medium|high, or --thinking-budget N; not {effort}."
            )
    elif effort is not None:
        if effort == "none":
            raise UsageError(
                f"{model} cannot turn thinking off; its lowest level is --effort minimal (Flash) or low."
            )
        if effort not in ("minimal", "low", "medium", "high"):
            raise UsageError(f"Gemini 3 takes --effort minimal|low|medium|high; not {effort}.")
        config["thinkingLevel"] = effort
    return (config or None), notices
