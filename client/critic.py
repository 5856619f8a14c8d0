"""The model critic, on request: ask any configured model to judge a turn's reasoning steps.

The critic runs blind to the deterministic findings (docs/auditor.md principle 4), as a turn of its
own (purpose "critic") attached under the audited turn, so its cost lands in the same
conversation's ledger like any other query. Its reply is kept verbatim as that turn's answer
and read with the auditor's parser whenever it is shown, so a better parser improves old
opinions too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from client.audit import agreeing_steps, build_critic_prompt, parse_critic_reply
from client.audit.service import audit_of
from client.core.audit import AuditResult, CriticOpinion
from client.core.cancel import CancelToken
from client.core.conversation import Turn, TurnSettings
from client.core.events import StreamEvent, TurnStatus
from client.session import TurnController
from client.store.store import Store

CRITIC = "critic"


@dataclass(frozen=True)
class CriticReview:
    """A critic turn and what it said, beside the deterministic audit of the same steps."""

    turn: Turn
    opinion: CriticOpinion
    # Steps where the critic and the deterministic checks both flag an error.
    agreement: tuple[int, ...]


def agreement(audit: AuditResult, opinion: CriticOpinion) -> tuple[int, ...]:
    return tuple(agreeing_steps(opinion, audit))


def review_of(audited: Turn, critic_turn: Turn) -> CriticReview:
    """What a stored critic turn said about the audited turn's steps."""
    audit = audit_of(audited)
    opinion = parse_critic_reply(critic_turn.answer, audit.steps)
    return CriticReview(critic_turn, opinion, agreement(audit, opinion))


def run_critic(
    controller: TurnController,
    audited: Turn,
    *,
    provider: str,
    model: str,
    base_url: str | None = None,
    cancel: CancelToken | None = None,
    on_event: Callable[[Turn, StreamEvent], None] | None = None,
) -> CriticReview:
    """Send the audited turn's numbered steps to a critic model and read its verdicts."""
    audit = audit_of(audited)
    prompt = build_critic_prompt(audited.prompt, audit.steps, audited.answer)
    stored = controller.store is not None and controller.store.get_turn(audited.id) is not None
    prepared = controller.prepare(
        provider=provider,
        model=model,
        prompt=prompt,
        base_url=base_url,
        conversation_id=audited.conversation_id if stored else None,
        parent_id=audited.id if stored else None,
        settings=TurnSettings(system=""),  # blind: not the conversation's system prompt
        purpose=CRITIC,
        with_history=False,
    )
    turn = controller.run(prepared, cancel, on_event)
    if turn.status not in (TurnStatus.COMPLETE, TurnStatus.LENGTH):
        return CriticReview(turn, CriticOpinion(), ())
    opinion = parse_critic_reply(turn.answer, audit.steps)
    return CriticReview(turn, opinion, agreement(audit, opinion))


def critic_turns(store: Store | None, audited: Turn) -> list[Turn]:
    """The critic reviews stored for a turn that ran to their end, oldest first."""
    if store is None:
        return []
    return [
        t
        for t in store.children(audited.id)
        if t.purpose == CRITIC and t.status in (TurnStatus.COMPLETE, TurnStatus.LENGTH)
    ]


def latest_review(store: Store | None, audited: Turn) -> CriticReview | None:
    """The latest stored critic's review of the turn (None: no critic, or no steps to judge)."""
    critics = critic_turns(store, audited)
    if not critics or not audit_of(audited).steps:
        return None
    return review_of(audited, critics[-1])
