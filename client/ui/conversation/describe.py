"""The sentences and figure lines the window shows about a turn, in one place.

Numbers go through client.core.format so the window and the command line say "1,408 tokens",
"$0.021" and "12 s" the same way. Nothing here touches a widget: these are plain functions of a
TurnState, easy to read and to test. A cost nobody knows is "—", never a guess and never $0.
"""

from __future__ import annotations

from client.core import format as fmt
from client.core.cost import CostSource
from client.core.errors import ErrorKind
from client.core.events import TurnStatus, Visibility
from client.providers.registry import PROFILES
from client.ui.conversation.live import STOPPED_NOTE, TurnState

VISIBILITY_LABELS = {
    Visibility.RAW: "Raw",
    Visibility.SUMMARY: "Summary",
    Visibility.HIDDEN: "Hidden",
    Visibility.NONE: "No reasoning",
}

VISIBILITY_TIPS = {
    Visibility.RAW: "The model's own reasoning, as it wrote it.",
    Visibility.SUMMARY: "A summary of the reasoning, written by the provider; the full reasoning is not shown.",
    Visibility.HIDDEN: "Reasoning was billed, but the provider sent none of its text.",
    Visibility.NONE: "The model did not reason before answering (or did not say so).",
}


def _cost_text(state: TurnState) -> str:
    cost = state.turn.cost
    if state.live:
        return ""
    if cost.source == CostSource.UNKNOWN:
        return "cost —"
    if cost.source == CostSource.LOCAL:
        return "local, $0"
    text = fmt.money(cost.total, cost.currency)
    return text + " reported" if cost.source == CostSource.PROVIDER else text


def cost_tip(state: TurnState) -> str:
    """Where the turn's cost came from: the rates, their data or your price, since when, under
    what condition, and what it was before a reprice ("" while the turn runs)."""
    if state.live:
        return ""
    return state.turn.cost.provenance()


def settings_text(state: TurnState) -> str:
    s = state.turn.settings
    parts = []
    if s.effort:
        parts.append(f"effort {s.effort}")
    if s.thinking_budget is not None:
        parts.append(f"budget {s.thinking_budget:,}")
    if s.summary:
        parts.append(f"summary {s.summary}")
    return ", ".join(parts)


def meta_line(state: TurnState) -> str:
    """model · effort · first token · tokens in / out / reasoning · cost; and, on a second line,
    what hidden reasoning took: "reasoning 1,408 tokens · $0.021 · not shown by the provider"."""
    line = _figures_line(state)
    hidden = hidden_line(state)
    return f"{line}\n{hidden}" if hidden else line


def hidden_line(state: TurnState) -> str:
    """The ledger's line for reasoning billed but never shown ("" for any other turn)."""
    if state.live or state.turn.reasoning.visibility != Visibility.HIDDEN:
        return ""
    from client.budget import hidden_reasoning_line  # genai-prices: loaded once, after start-up

    return hidden_reasoning_line(state.turn) or ""


def _figures_line(state: TurnState) -> str:
    turn = state.turn
    parts = [turn.model_reported or turn.model]
    if settings := settings_text(state):
        parts.append(settings)
    if state.streaming:
        parts.append("streaming…")
        return " · ".join(parts)
    if turn.timing.time_to_first_token_s is not None:
        parts.append(f"first token {fmt.duration(turn.timing.time_to_first_token_s)}")
    u = turn.usage
    if not u.is_empty:
        tokens = f"{fmt.tokens(u.input_tokens, 'in')} / {fmt.tokens(u.output_tokens, 'out')}"
        if u.reasoning_tokens is not None:
            tokens += f" / {fmt.tokens(u.reasoning_tokens, 'reasoning')}"
        parts.append(tokens)
    if cost := _cost_text(state):
        parts.append(cost)
    return " · ".join(parts)


# After this many seconds without a byte, a streaming turn says so (it does not stop: reasoning
# models can think silently for minutes; the idle timeout in Settings ends it).
SILENT_AFTER_S = 15.0


def silence_sentence(state: TurnState) -> str:
    """ "No data for 42 s…" while a streaming turn has been silent a while; "" otherwise."""
    silent = state.silent_for()
    if not state.streaming or silent < SILENT_AFTER_S:
        return ""
    return (
        f"No data for {int(silent)} s. Reasoning models can think silently for minutes; Stop "
        "(Esc) ends the turn and keeps what arrived."
    )


def status_sentence(state: TurnState) -> str:
    """What became of the turn, when that is not plain success; "" otherwise."""
    turn = state.turn
    if state.streaming:
        return silence_sentence(state)
    status, error = turn.status, turn.error
    if status is TurnStatus.COMPLETE:
        return ""
    if status is TurnStatus.LENGTH:
        return "Cut off: the output budget ran out before the answer was finished."
    if status is TurnStatus.REFUSED:
        return "The provider refused to answer this prompt (its content filter stopped it)."
    if status is TurnStatus.INTERRUPTED:
        if (
            state.stopped
            or turn.note == STOPPED_NOTE
            or (error and error.kind is ErrorKind.CANCELLED)
        ):
            return "Stopped. What arrived before you stopped it is kept."
        if error is not None:
            return f"Interrupted: {error.message}"
        return f"Interrupted: {turn.note or 'the stream ended early'}. What arrived is kept."
    if status is TurnStatus.ERROR:
        return f"Failed: {error.message}" if error else "Failed: the provider sent no answer."
    return ""


def notes(state: TurnState) -> str:
    """Things worth knowing that are not output: a retry, a setting the adapter translated."""
    lines = list(dict.fromkeys(state.notices))
    if state.turn.status is TurnStatus.COMPLETE and state.turn.note:
        lines.append(state.turn.note)
    return "\n".join(lines)


def can_retry(state: TurnState) -> bool:
    return not state.streaming and state.turn.status is not TurnStatus.COMPLETE


def reasoning_figures(state: TurnState) -> str:
    """ "thought for 12 s · 1,408 tokens · $0.014" for the inspector's header."""
    parts = []
    seconds = state.reasoning_seconds()
    if seconds is not None:
        verb = (
            "thinking for" if state.streaming and state.first_answer_at is None else "thought for"
        )
        parts.append(f"{verb} {fmt.duration(seconds)}")
    tokens = state.turn.usage.reasoning_tokens
    if tokens is not None:
        parts.append(fmt.tokens(tokens))
    elif state.reasoning.length:
        parts.append(f"{state.reasoning.length:,} characters")
    cost = state.turn.cost
    if not state.live and cost.reasoning is not None and cost.source != CostSource.LOCAL:
        parts.append(fmt.money(cost.reasoning, cost.currency))
    elif not state.live and parts and cost.source == CostSource.UNKNOWN:
        parts.append("cost —")  # nobody knows the price: not $0
    return " · ".join(parts)


def hidden_explanation(state: TurnState) -> str:
    """Plain words for reasoning that was paid for and not shown."""
    turn = state.turn
    tokens = turn.usage.reasoning_tokens
    cost = turn.cost
    billed = fmt.tokens(tokens) + " of reasoning" if tokens else "reasoning"
    price = ""
    if cost.reasoning is not None and cost.source not in (CostSource.UNKNOWN, CostSource.LOCAL):
        price = f", which cost {fmt.money(cost.reasoning, cost.currency)}"
    profile = PROFILES.get(turn.provider)
    provider = profile.label if profile else turn.provider
    text = (
        f"The model thought before answering: {provider} billed {billed}{price}, "
        "counted in the output tokens. The provider keeps that reasoning private and sent "
        "none of its text, so there is nothing here to read or audit."
    )
    if turn.reasoning.redacted_blocks:
        text += (
            f" It sent {turn.reasoning.redacted_blocks} encrypted reasoning block(s) instead; "
            "Thinkpane keeps them to send back with the next turn, as the provider requires."
        )
    if turn.provider in ("openai", "openai-chat"):
        text += (
            " OpenAI can send a summary of the reasoning through its Responses API: choose "
            "“OpenAI (Responses)” and set Summary to auto."
        )
    return text
