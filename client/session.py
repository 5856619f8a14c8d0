"""The turn controller: one running turn from request to stored, priced result.

It wires a provider adapter's StreamEvents into a Turn, checkpoints the turn to the store at most
once a second (so a crash loses at most the last second of text), prices it at the end, and tells
its listener about every event. The window and the command line both drive turns through it.
No Qt here: the window runs `run()` on a worker thread and marshals the callbacks itself.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from client.audit_index import record_audit
from client.core.cancel import CancelToken
from client.core.conversation import Conversation, Turn, TurnSettings, moment_of, new_id
from client.core.cost import Cost
from client.core.errors import ErrorInfo, ErrorKind, ThinkpaneError
from client.core.events import (
    Failed,
    Finished,
    StreamEvent,
)
from client.core.fold import TurnFold
from client.core.idle import DEFAULT_IDLE_TIMEOUT_S, IdleWatchdog
from client.core.request import HistoryTurn, TurnRequest, sent_back
from client.providers.base import Adapter
from client.providers.registry import ProviderProfile, adapter_for, profile
from client.store.paths import data_dir
from client.store.secrets import get_api_key
from client.store.store import Store

CHECKPOINT_INTERVAL_S = 1.0


@dataclass
class PreparedTurn:
    """A turn ready to run: the stored record and the request the adapter will send."""

    turn: Turn
    request: TurnRequest
    conversation: Conversation | None
    profile: ProviderProfile


def _asked_at(turn: Turn) -> datetime:
    try:
        return moment_of(turn.created_at)
    except ValueError:
        return datetime.now(UTC)


@dataclass(frozen=True)
class TurnContext:
    """What a next turn goes with: its conversation (None: a new one), the branch before it
    (root first), the system prompt it is sent with, and whether earlier reasoning goes back."""

    conversation: Conversation | None
    history: list[Turn]
    system: str | None
    send_reasoning: bool


def context_for(
    store: Store | None,
    conversation_id: str | None,
    parent_id: str | None,
    *,
    with_history: bool = True,
    system: str | None = None,
    newest_if_missing: bool = False,
) -> TurnContext:
    """The one reading of a next turn's context, for sending it (`TurnController.prepare`) and
    for estimating it before it is sent (the window's next-turn line and budget check).

    The history is the branch ending at `parent_id` (None: the newest branch), or nothing
    without `with_history`; `system` (set: a new conversation's, or a turn's own) wins over the
    conversation's. `newest_if_missing` falls back to the newest branch when `parent_id` is not
    stored yet (an estimate made while the turn shown last is still starting)."""
    conversation = store.get_conversation(conversation_id) if store and conversation_id else None
    history: list[Turn] = []
    if store is not None and conversation is not None and with_history:
        try:
            history = store.branch(conversation.id, parent_id)
        except KeyError:
            if not newest_if_missing:
                raise
            history = store.branch(conversation.id)
    return TurnContext(
        conversation,
        history,
        system if system is not None else (conversation.system if conversation else None),
        bool(conversation and conversation.settings.get("send_reasoning")),
    )


def title_from(prompt: str) -> str:
    line = " ".join(prompt.split())
    return line if len(line) <= 60 else line[:57].rstrip() + "…"


class TurnController:
    """Prepares and runs turns. `store` may be None (`ask --no-save`): nothing is written."""

    def __init__(
        self,
        store: Store | None,
        *,
        adapter_factory: Callable[[str], Adapter] = adapter_for,
        clock: Callable[[], float] = time.monotonic,
        checkpoint_interval_s: float = CHECKPOINT_INTERVAL_S,
        audit_apart: bool = False,
    ) -> None:
        self.store = store
        # The window's turns audit long traces in the auditor's process (client.audit.process),
        # not on the worker thread, whose Python would hold the lock the GUI thread needs.
        self.audit_apart = audit_apart
        self._adapter_factory = adapter_factory
        self._clock = clock
        self._checkpoint_interval_s = checkpoint_interval_s

    # -- preparing ---------------------------------------------------------------------------

    def prepare(
        self,
        *,
        provider: str,
        model: str,
        prompt: str,
        base_url: str | None = None,
        conversation_id: str | None = None,
        parent_id: str | None = None,
        settings: TurnSettings | None = None,
        api_key: str | None = None,
        purpose: str = "chat",
        with_history: bool = True,
    ) -> PreparedTurn:
        """Resolve the provider, key and history. Raises UsageError or ThinkpaneError (auth).

        `with_history=False` sends the prompt alone (a critic, or retrying a conversation's first
        turn); the turn is then attached under `parent_id`, or is a new root when that is None."""
        prof = profile(provider)
        url = prof.base_url(base_url)
        key = api_key or get_api_key(prof.name, prof.env_vars)
        if not key and not prof.local and prof.name != "openai-compatible":
            raise ThinkpaneError(ErrorKind.AUTH, f"No API key for {prof.label}: {prof.key_hint}")
        settings = settings or TurnSettings()
        if conversation_id and self.store is None:
            raise ThinkpaneError(
                ErrorKind.NOT_FOUND, "--conversation needs the local database; drop --no-save."
            )
        context = context_for(
            self.store,
            conversation_id,
            parent_id,
            with_history=with_history,
            system=settings.system,
        )
        conversation, history, system = context.conversation, context.history, context.system
        if conversation_id and conversation is None:
            raise ThinkpaneError(
                ErrorKind.NOT_FOUND,
                f"No conversation {conversation_id} in the local database. `thinkpane usage --by conversation` lists them.",
            )
        settings = TurnSettings(
            settings.effort,
            settings.thinking_budget,
            settings.summary,
            settings.max_output_tokens,
            system,
        )
        request = TurnRequest(
            provider=prof.name,
            model=model,
            prompt=prompt,
            base_url=url,
            api_key=key,
            history=tuple(
                HistoryTurn(
                    t.prompt,
                    t.answer,
                    t.provider,
                    t.model,
                    t.reasoning.text,
                    tuple(t.reasoning.opaque),
                )
                for t in sent_back(history)
            ),
            system=system,
            effort=settings.effort,
            thinking_budget=settings.thinking_budget,
            summary=settings.summary,
            max_output_tokens=settings.max_output_tokens,
            send_reasoning=context.send_reasoning,
        )
        # A setting this provider or model cannot take is refused now, before anything is sent
        # or stored (every adapter builds its request body without I/O).
        self._adapter_factory(prof.name).body(request)
        turn = Turn(
            id=new_id("t"),
            conversation_id=conversation.id if conversation else new_id("c"),
            prompt=prompt,
            provider=prof.name,
            model=model,
            parent_id=history[-1].id if history else parent_id,
            base_url=url,
            settings=settings,
            purpose=purpose,
        )
        return PreparedTurn(turn, request, conversation, prof)

    def open_conversation(self, prepared: PreparedTurn) -> None:
        """Store a new conversation for the prepared turn, under the id the turn already carries
        (once; the one place a conversation is created for a turn)."""
        if self.store is None or prepared.conversation is not None:
            return
        turn = prepared.turn
        prepared.conversation = self.store.create_conversation(
            title_from(turn.prompt),
            system=turn.settings.system,
            conversation_id=turn.conversation_id,
        )

    # -- running -----------------------------------------------------------------------------

    def run(
        self,
        prepared: PreparedTurn,
        cancel: CancelToken | None = None,
        on_event: Callable[[Turn, StreamEvent], None] | None = None,
        *,
        idle_timeout_s: float | None = DEFAULT_IDLE_TIMEOUT_S,
    ) -> Turn:
        """Stream the turn to its end (complete, failed, or stopped) and return it, stored.

        A stream silent for `idle_timeout_s` (None: never) is ended as a network failure,
        keeping what arrived."""
        cancel = cancel or CancelToken()
        run = _TurnRun(self, prepared, on_event)
        run.begin()
        # The adapter gets its own token: the user's Stop cancels it, and so does the watchdog.
        stream_cancel = CancelToken()
        unregister = cancel.on_cancel(stream_cancel.cancel)
        watchdog = IdleWatchdog(
            stream_cancel,
            cancel,
            idle_timeout_s,
            last_activity=lambda: run.last_activity,
            clock=self._clock,
            provider=prepared.profile.label,
        )
        try:
            adapter = self._adapter_factory(prepared.profile.name)
            for event in adapter.stream(prepared.request, stream_cancel):
                run.apply(watchdog.reword(event, run.output_seen))
        except ThinkpaneError as exc:
            run.apply(watchdog.reword(Failed(exc.info, after_output=run.output_seen), False))
        except (KeyboardInterrupt, SystemExit, GeneratorExit):
            # Ctrl+C or a shutdown: keep what arrived before letting it propagate.
            run.apply(
                Failed(ErrorInfo(ErrorKind.CANCELLED, "Stopped."), after_output=run.output_seen)
            )
            run.finish()
            raise
        except Exception as exc:
            # A bug of ours, not the user's Stop: say so, keep what arrived, and let it surface.
            message = (
                f"Thinkpane hit an internal error ({type(exc).__name__}: {exc}); what arrived "
                "is kept. Please report this."
            )
            run.apply(Failed(ErrorInfo(ErrorKind.PROTOCOL, message), after_output=run.output_seen))
            run.finish()
            raise
        finally:
            watchdog.stop()
            unregister()
        if watchdog.expired and run.outcome is None:
            run.apply(watchdog.reword(Failed(ErrorInfo(ErrorKind.CANCELLED, "Stopped.")), False))
        elif cancel.cancelled and run.outcome is None:
            run.apply(
                Failed(ErrorInfo(ErrorKind.CANCELLED, "Stopped."), after_output=run.output_seen)
            )
        return run.finish()


class _TurnRun:
    """One running turn: the shared event fold (client.core.fold), plus what only the worker
    does around it: create the conversation, checkpoint, time, price and store the turn."""

    def __init__(
        self,
        controller: TurnController,
        prepared: PreparedTurn,
        on_event: Callable[[Turn, StreamEvent], None] | None,
    ) -> None:
        self.c = controller
        self.prepared = prepared
        self.turn = prepared.turn
        self.on_event = on_event
        self.fold = TurnFold(self.turn, local=prepared.profile.local)
        self.started = 0.0
        self.last_checkpoint = 0.0
        self.last_activity = 0.0  # when the last event arrived (the idle watchdog reads it)
        self.finished = False

    @property
    def outcome(self) -> Finished | Failed | None:
        return self.fold.outcome

    @property
    def output_seen(self) -> bool:
        return self.fold.output_seen

    def begin(self) -> None:
        self.started = self.c._clock()
        self.last_checkpoint = self.last_activity = self.started
        store = self.c.store
        if store is None:
            return
        self.c.open_conversation(self.prepared)
        store.insert_turn(self.turn)

    def apply(self, event: StreamEvent) -> None:
        now = self.c._clock()
        self.last_activity = now
        folded = self.fold.apply(event, now)
        if folded is None:
            return
        if self.on_event is not None:
            self.on_event(self.turn, folded)
        if self.c.store is not None and now - self.last_checkpoint >= self.c._checkpoint_interval_s:
            self.last_checkpoint = now
            # Joining the text costs only what arrived since the last checkpoint (TextParts), and
            # happens only here and at the end, never per event (a 100,000-character trace
            # streams in tens of thousands of deltas).
            self.fold.sync_text()
            self.c.store.checkpoint_turn(self.turn)

    def finish(self) -> Turn:
        if self.finished:
            return self.turn
        self.finished = True
        turn, fold = self.turn, self.fold
        fold.sync_text(final=True)
        fold.end()
        end = self.c._clock()
        timing = turn.timing
        timing.total_s = end - self.started
        if fold.first_token_at is not None:
            timing.time_to_first_token_s = fold.first_token_at - self.started
        if fold.first_answer_at is not None:
            timing.time_to_first_answer_token_s = fold.first_answer_at - self.started
        if fold.first_reasoning_at is not None:
            timing.reasoning_s = (fold.first_answer_at or end) - fold.first_reasoning_at
        turn.cost = self._price()
        if self.c.store is not None:
            self.c.store.finalise_turn(turn)
            record_audit(self.c.store, turn, apart=self.c.audit_apart)
        return turn

    def _price(self) -> Cost:
        # genai-prices is heavy: load it when first needed, with the data a refresh kept.
        from client.pricing import cost_for, use_saved_prices

        store, turn = self.c.store, self.turn
        use_saved_prices(store.path.parent if store is not None else data_dir())
        return cost_for(
            turn.provider,
            turn.model,
            turn.usage,
            model_reported=turn.model_reported,
            base_url=turn.base_url,
            provider_cost=self.fold.provider_cost,
            overrides=store.price_overrides() if store is not None else None,
            when=_asked_at(turn),  # the hour the request went: what a reprice also uses
        )
