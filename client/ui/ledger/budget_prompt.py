"""The next turn in one line under the prompt, and the question before crossing a budget.

"Next turn: ≈1,240 tokens in (1% of 128,000) · about $0.0041 with a typical answer": one count
of what the next turn sends (the system prompt, the branch shown as history, earlier reasoning
when the conversation sends it back, the prompt as typed), that count's share of the model's
context window when the window is known, what it would cost, and ⚠ when it would cross a budget
or not fit the model.

`next_turn_figures` is the work behind the line, done off the GUI thread whenever the prompt, the
model, the branch or the reasoning setting changes, and again before any turn is sent (Send,
Retry, Regenerate, Edit): it reads the branch that will go as history, counts it the way
client.core.context does (client.budget.estimate_next_turn with reported_input=False), prices it
as a finished turn is priced (the user's price, the price data, zero for a local model, or
unknown) and checks it against the user's budgets. client.budget loads genai-prices, so it is
imported there, on the worker, never while the window starts.

`ask_to_cross` is the default confirmation (Send anyway / Cancel); the window takes any callable
of the same shape, so tests answer it without a modal dialog.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QMessageBox, QWidget

from client.core import format as fmt
from client.core.cost import Cost, CostSource

if TYPE_CHECKING:
    from client.budget import BudgetCheck, Estimate

NEXT_TURN_TIP = (
    "An estimate of what the next turn sends: the system prompt, every earlier prompt and "
    "answer of the branch shown{reasoning}, and the prompt as typed. Counted at about four "
    "characters a token (one a character for Chinese, Japanese and Korean), so expect ±20%. The "
    "share is of the model's context window; local servers often run with a smaller window than "
    "the model's own. The cost adds an answer as long as the earlier ones when there are any; "
    "prompt caching is ignored, so it errs on the dear side."
)
REASONING_TOO = ", and the earlier reasoning, which this conversation sends back"
BUDGET_WORDS = {"warn": "crosses a budget", "over": "over budget"}


@dataclass(frozen=True)
class NextTurn:
    """What would be sent next: where, to whom, and the prompt as it stands.

    `leaf_id` is the last turn of the history (None: the newest branch's); `as_root` sends with
    no history at all (a conversation's first turn asked again)."""

    conversation_id: str | None
    leaf_id: str | None
    prompt: str
    draft_system: str | None  # a new conversation's system prompt, not stored yet
    provider: str
    model: str
    base_url: str | None
    as_root: bool = False


@dataclass(frozen=True)
class NextTurnFigures:
    """The estimate of a next turn, its budget check, and the model's context window (None:
    unknown)."""

    estimate: Estimate
    check: BudgetCheck
    context_window: int | None
    send_reasoning: bool

    @property
    def too_long(self) -> bool:
        window = self.context_window
        return window is not None and self.estimate.input_tokens > window

    @property
    def warn(self) -> bool:
        """The line deserves a ⚠: a budget crossed, or more than the model takes."""
        return self.check.level != "ok" or self.too_long


def _priced_url(provider: str, base_url: str | None) -> str | None:
    """The base URL a turn to this provider is stored with (and priced by)."""
    from client.core.errors import UsageError
    from client.providers.registry import PROFILES

    profile = PROFILES.get(provider)
    if profile is None:
        return base_url
    try:
        return profile.base_url(base_url)
    except UsageError:
        return base_url


def next_turn_figures(store: Any, nxt: NextTurn) -> NextTurnFigures:
    """The estimate of the next turn and whether it keeps within budgets. Runs on a worker."""
    from client.budget import check_budget, estimate_next_turn
    from client.core.context import context_window
    from client.prices import rates_in_use

    cid = nxt.conversation_id
    conversation = store.get_conversation(cid) if cid else None
    history = []
    if conversation is not None and not nxt.as_root:
        try:
            history = store.branch(cid, nxt.leaf_id)
        except KeyError:  # the turn shown last is not stored yet: the newest branch
            history = store.branch(cid)
    system = conversation.system if conversation is not None else nxt.draft_system
    send_reasoning = bool(conversation and conversation.settings.get("send_reasoning"))
    estimate = estimate_next_turn(
        history,
        nxt.prompt,
        system,
        nxt.provider,
        nxt.model,
        _priced_url(nxt.provider, nxt.base_url),
        rates_in_use(store),  # the rates the ledger prices with: your prices, the kept data
        send_reasoning=send_reasoning,
        reported_input=False,  # one count for the price and the context window
    )
    check = check_budget(store, cid if conversation is not None else None, estimate)
    return NextTurnFigures(estimate, check, context_window(nxt.model), send_reasoning)


def _share(tokens: int, window: int) -> str:
    share = tokens / window
    return "<1%" if share < 0.01 else f"{share:.0%}"


def next_turn_line(figures: NextTurnFigures) -> str:
    """ "Next turn: ≈1,240 tokens in (1% of 128,000) · about $0.0041 with a typical answer"."""
    estimate, window = figures.estimate, figures.context_window
    count = f"≈{fmt.tokens(estimate.input_tokens, 'tokens in')}"
    if window:
        too_long = ": too long for this model" if figures.too_long else ""
        count += f" ({_share(estimate.input_tokens, window)} of {window:,}{too_long})"
    if estimate.source == CostSource.LOCAL:
        cost = "local, $0"
    elif estimate.cost is None:
        cost = "cost —"
    elif estimate.covers_output:
        cost = f"about {fmt.money(estimate.cost)} with a typical answer"
    else:
        cost = f"at least {fmt.money(estimate.cost)} (the input alone)"
    parts = [f"Next turn: {count}", cost]
    if figures.check.level in BUDGET_WORDS:
        parts.append(BUDGET_WORDS[figures.check.level])
    return " · ".join(parts)


def next_turn_tip(figures: NextTurnFigures) -> str:
    """The line's tooltip: the budget sentence first when there is one, then how it counts."""
    tip = NEXT_TURN_TIP.format(reasoning=REASONING_TOO if figures.send_reasoning else "")
    estimate = figures.estimate
    if estimate.price:  # the same rates the ledger will charge it at
        tip += "\n\n" + Cost(estimate.source, price=estimate.price).provenance()
    return f"{figures.check.message}\n\n{tip}" if figures.check.message else tip


def ask_to_cross(parent: QWidget, sentence: str) -> bool:
    """Ask before a turn that would cross a budget; True to send it anyway."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle("Over budget")
    box.setText(sentence)
    box.setInformativeText("Send this turn anyway?")
    send = box.addButton("Send anyway", QMessageBox.ButtonRole.AcceptRole)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel)
    box.exec()
    return box.clickedButton() is send
