"""What the next turn will take, in the composer's words, and the question before crossing a budget.

`next_turn_figures` is the work the window does off the GUI thread whenever the prompt or the
model changes, and again when the user presses Send: it reads the branch that will be sent as
history, estimates the next turn with client.budget (the same pricing a finished turn gets: the
user's price, the price data, zero for a local model, or unknown) and checks it against the
user's budgets. client.budget loads genai-prices, so it is imported there, on the worker, never
while the window starts.

`ask_to_cross` is the default confirmation (Send anyway / Cancel); the window takes any callable
of the same shape, so tests answer it without a modal dialog.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QMessageBox, QWidget

from client.core import format as fmt
from client.core.cost import CostSource
from client.core.errors import UsageError
from client.providers.registry import PROFILES

if TYPE_CHECKING:
    from client.budget import BudgetCheck, Estimate

ESTIMATE_TIP = (
    "An estimate, before sending: the whole conversation that goes with the prompt, at about "
    "four characters a token (or from the provider's own count of the last turn). The cost "
    "adds an answer as long as the earlier ones when there are any; prompt caching is ignored, "
    "so it errs on the dear side."
)


@dataclass(frozen=True)
class NextTurn:
    """What would be sent next: where, to whom, and the prompt as it stands."""

    conversation_id: str | None
    leaf_id: str | None  # the last turn of the branch shown (None: the newest)
    prompt: str
    draft_system: str | None  # a new conversation's system prompt, not stored yet
    provider: str
    model: str
    base_url: str | None


def _priced_url(provider: str, base_url: str | None) -> str | None:
    """The base URL a turn to this provider is stored with (and priced by)."""
    profile = PROFILES.get(provider)
    if profile is None:
        return base_url
    try:
        return profile.base_url(base_url)
    except UsageError:
        return base_url


def next_turn_figures(store: Any, nxt: NextTurn) -> tuple[Estimate, BudgetCheck]:
    """The estimate of the next turn and whether it keeps within budgets. Runs on a worker."""
    from client.budget import check_budget, estimate_next_turn

    cid = nxt.conversation_id
    conversation = store.get_conversation(cid) if cid else None
    history = []
    if conversation is not None:
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
        store.price_overrides(),
        send_reasoning=send_reasoning,
    )
    return estimate, check_budget(store, cid if conversation is not None else None, estimate)


def estimate_line(estimate: Estimate) -> str:
    """ "Estimate for the next turn: 1,240 tokens in · about $0.0041 with a typical answer"."""
    tokens = f"Estimate for the next turn: {fmt.tokens(estimate.input_tokens, 'tokens in')}"
    if estimate.source == CostSource.LOCAL:
        cost = "local, $0"
    elif estimate.cost is None:
        cost = "cost —"
    elif estimate.covers_output:
        cost = f"about {fmt.money(estimate.cost)} with a typical answer"
    else:
        cost = f"at least {fmt.money(estimate.cost)} (the input alone)"
    return f"{tokens} · {cost}"


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
