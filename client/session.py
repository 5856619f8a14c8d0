"""The turn controller: one running turn from request to stored, priced result.

It wires a provider adapter's StreamEvents into a Turn, checkpoints the turn to the store at most
once a second (so a crash loses at most the last second of text), prices it at the end, and tells
its listener about every event. The window and the command line both drive turns through it.
No Qt here: the window runs `run()` on a worker thread and marshals the callbacks itself.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from client.core.cancel import CancelToken
from client.core.conversation import Conversation, Turn, TurnSettings, new_id
from client.core.cost import Cost
from client.core.errors import ErrorInfo, ErrorKind, ThinkpaneError
from client.core.events import (
    AnswerDelta,
    Failed,
    Finished,
    Notice,
    OpaqueReasoning,
    ReasoningDelta,
    Reclassify,
    StreamEvent,
    TurnStatus,
    UsageReport,
    Visibility,
)
from client.core.request import HistoryTurn, TurnRequest
from client.core.usage import Usage
from client.providers.base import Adapter
from client.providers.registry import ProviderProfile, adapter_for, profile
from client.store.paths import data_dir
from client.store.secrets import get_api_key
from client.store.store import Store

CHECKPOINT_INTERVAL_S = 1.0
# How long a stream may stay silent (no event at all) before it is ended as a network failure.
# Reasoning models can think silently for minutes, so this is generous; `ask --idle-timeout` and
# the window's setting change it.
DEFAULT_IDLE_TIMEOUT_S = 600.0
_ANSWERED = {TurnStatus.COMPLETE, TurnStatus.LENGTH, TurnStatus.INTERRUPTED}


@dataclass
class PreparedTurn:
    """A turn ready to run: the stored record and the request the adapter will send."""

    turn: Turn
    request: TurnRequest
    conversation: Conversation | None
    profile: ProviderProfile


def _asked_at(turn: Turn) -> datetime:
    try:
        moment = datetime.fromisoformat(turn.created_at.replace("Z", "+00:00"))
    except ValueError:
        return datetime.now(UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


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
    ) -> None:
        self.store = store
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
        conversation: Conversation | None = None
        history: list[Turn] = []
        if conversation_id:
            if self.store is None:
                raise ThinkpaneError(
                    ErrorKind.NOT_FOUND, "--conversation needs the local database; drop --no-save."
                )
            conversation = self.store.get_conversation(conversation_id)
            if conversation is None:
                raise ThinkpaneError(
                    ErrorKind.NOT_FOUND,
                    f"No conversation {conversation_id} in the local database. `thinkpane usage --by conversation` lists them.",
                )
            if with_history:
                history = self.store.branch(conversation_id, parent_id)
        system = (
            settings.system
            if settings.system is not None
            else (conversation.system if conversation else None)
        )
        settings = TurnSettings(
            settings.effort,
            settings.thinking_budget,
            settings.summary,
            settings.max_output_tokens,
            system,
        )
        send_reasoning = bool(conversation and conversation.settings.get("send_reasoning"))
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
                for t in history
                if t.status in _ANSWERED and t.purpose == "chat"
            ),
            system=system,
            effort=settings.effort,
            thinking_budget=settings.thinking_budget,
            summary=settings.summary,
            max_output_tokens=settings.max_output_tokens,
            send_reasoning=send_reasoning,
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
        watchdog = _IdleWatchdog(run, stream_cancel, cancel, idle_timeout_s)
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


def record_audit(store: Store, turn: Turn) -> bool:
    """Audit a finished chat turn's reasoning and keep the summary for search. The audit is only
    an index here: a failure of it must never cost the user their turn, so it is swallowed."""
    if turn.purpose != "chat" or not turn.reasoning.text or turn.status is TurnStatus.STREAMING:
        return False
    from client.audit import AUDITOR_VERSION, audit_trace

    try:
        result = audit_trace(
            turn.reasoning.text,
            problem=turn.prompt,
            answer=turn.answer or None,
            truncated=turn.status is TurnStatus.LENGTH,
        )
        store.set_audit_summary(turn.id, result.summary(AUDITOR_VERSION))
    except Exception:
        return False
    return True


def backfill_audits(store: Store, limit: int = 500) -> int:
    """Audit stored turns that have no summary from this auditor yet (older turns, imports)."""
    from client.audit import AUDITOR_VERSION

    return sum(record_audit(store, turn) for turn in store.unaudited_turns(AUDITOR_VERSION, limit))


class _IdleWatchdog:
    """Ends a stream that has been silent (no event at all) for `timeout_s`, by cancelling the
    adapter's token; the controller then records a network failure, keeping what arrived."""

    def __init__(
        self, run: _TurnRun, cancel: CancelToken, user_cancel: CancelToken, timeout_s: float | None
    ) -> None:
        self.run, self.cancel, self.user_cancel, self.timeout_s = (
            run,
            cancel,
            user_cancel,
            timeout_s,
        )
        self.expired = False
        self._done = threading.Event()
        if timeout_s is not None and timeout_s > 0:
            threading.Thread(target=self._watch, name="idle-watchdog", daemon=True).start()

    def _watch(self) -> None:
        assert self.timeout_s is not None
        clock = self.run.c._clock
        while True:
            remaining = self.run.last_activity + self.timeout_s - clock()
            if remaining <= 0:
                self.expired = True
                self.cancel.cancel()
                return
            if self._done.wait(remaining):
                return

    def stop(self) -> None:
        self._done.set()

    def reword(self, event: StreamEvent, output_seen: bool) -> StreamEvent:
        """The adapter's "Stopped" after the watchdog ended the stream, as the network failure it
        is (the user did not press Stop); any other event unchanged."""
        if not (
            self.expired
            and not self.user_cancel.cancelled
            and isinstance(event, Failed)
            and event.error.kind is ErrorKind.CANCELLED
        ):
            return event
        provider = self.run.prepared.profile.label
        error = ErrorInfo(
            ErrorKind.NETWORK,
            f"No data from {provider} for {self.timeout_s:g} s, so the stream was ended; what "
            "arrived is kept. Try again, or allow a longer silence (the idle timeout setting, "
            "or ask --idle-timeout).",
            retryable=True,
        )
        return Failed(error, after_output=event.after_output or output_seen)


class _TurnRun:
    """The mutable state of one running turn; text kept as parts and joined only when stored."""

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
        self.reasoning: list[str] = []
        self.answer: list[str] = []
        self.kinds: set[Visibility] = set()
        self.usage = Usage()
        self.provider_cost: Decimal | None = None
        self.outcome: Finished | Failed | None = None
        self.output_seen = False
        self.started = 0.0
        self.first_token: float | None = None
        self.first_reasoning: float | None = None
        self.first_answer: float | None = None
        self.last_checkpoint = 0.0
        self.last_activity = 0.0  # when the last event arrived (the idle watchdog reads it)
        self.finished = False

    def begin(self) -> None:
        self.started = self.c._clock()
        self.last_checkpoint = self.last_activity = self.started
        store = self.c.store
        if store is None:
            return
        if self.prepared.conversation is None:
            conversation = store.create_conversation(
                title_from(self.turn.prompt), system=self.turn.settings.system
            )
            # The conversation id was drawn before the store existed for it; keep the store's.
            self.turn.conversation_id = conversation.id
            self.prepared.conversation = conversation
        store.insert_turn(self.turn)

    def apply(self, event: StreamEvent) -> None:
        now = self.c._clock()
        self.last_activity = now
        if isinstance(event, ReasoningDelta | AnswerDelta):
            self.output_seen = True
            if self.first_token is None:
                self.first_token = now
            if isinstance(event, ReasoningDelta):
                if not self.reasoning:
                    text = event.text.lstrip()
                    if not text:
                        return
                    event = ReasoningDelta(text, event.kind)
                    self.first_reasoning = now
                self.reasoning.append(event.text)
                self.kinds.add(event.kind)
            else:
                if self.first_answer is None:
                    self.first_answer = now
                self.answer.append(event.text)
        elif isinstance(event, Reclassify):
            moved = ("".join(self.reasoning) + "".join(self.answer)).lstrip()
            self.reasoning = [moved] if moved else []
            self.answer = []
            self.kinds.add(Visibility.RAW)
            self.first_reasoning = self.first_reasoning or self.first_answer
            self.first_answer = None
        elif isinstance(event, OpaqueReasoning):
            self.turn.reasoning.opaque.append(event.item)
            if event.redacted:
                self.turn.reasoning.redacted_blocks += 1
        elif isinstance(event, UsageReport):
            self.usage = event.usage
            self.provider_cost = event.provider_cost
            self.turn.model_reported = event.model_reported or self.turn.model_reported
        elif isinstance(event, Finished | Failed):
            if self.outcome is None:
                self.outcome = event
            if isinstance(event, Finished) and event.model_reported:
                self.turn.model_reported = event.model_reported
        elif isinstance(event, Notice):
            pass
        self._sync(text=False)
        if self.on_event is not None:
            self.on_event(self.turn, event)
        if self.c.store is not None and now - self.last_checkpoint >= self.c._checkpoint_interval_s:
            self.last_checkpoint = now
            self._sync(text=True)
            self.c.store.checkpoint_turn(self.turn)

    def _sync(self, *, text: bool) -> None:
        """Bring the Turn up to date. Joining the text parts is O(length), so it happens only at
        checkpoints and at the end, never per event (a 100,000-character trace streams in
        tens of thousands of deltas)."""
        if text:
            if len(self.reasoning) > 1:
                self.reasoning = ["".join(self.reasoning)]
            if len(self.answer) > 1:
                self.answer = ["".join(self.answer)]
            self.turn.reasoning.text = self.reasoning[0] if self.reasoning else ""
            self.turn.answer = self.answer[0] if self.answer else ""
        self.turn.usage = self.usage
        self.turn.reasoning.tokens = self.usage.reasoning_tokens
        self.turn.reasoning.visibility = self._visibility()

    def _visibility(self) -> Visibility:
        if self.reasoning:  # leading whitespace is dropped as it arrives, so non-empty means text
            if self.prepared.profile.local or Visibility.SUMMARY not in self.kinds:
                return Visibility.RAW
            return Visibility.SUMMARY
        if self.turn.reasoning.opaque or (self.usage.reasoning_tokens or 0) > 0:
            return Visibility.HIDDEN
        return Visibility.NONE

    def finish(self) -> Turn:
        if self.finished:
            return self.turn
        self.finished = True
        turn = self.turn
        self.reasoning = ["".join(self.reasoning).rstrip()] if self.reasoning else []
        self._sync(text=True)
        end = self.c._clock()
        outcome = self.outcome
        if isinstance(outcome, Finished):
            turn.status = outcome.status
            turn.stop_reason = outcome.stop_reason
            turn.note = outcome.note
        elif isinstance(outcome, Failed):
            turn.error = outcome.error
            if outcome.error.kind is ErrorKind.CANCELLED:
                turn.status = TurnStatus.INTERRUPTED
                turn.note = "stopped by the user"
            elif outcome.after_output or self.output_seen:
                turn.status = TurnStatus.INTERRUPTED
            else:
                turn.status = TurnStatus.ERROR
        else:
            turn.status = TurnStatus.INTERRUPTED
            turn.error = ErrorInfo(ErrorKind.PROTOCOL, "The stream ended without a final event.")
        timing = turn.timing
        timing.total_s = end - self.started
        if self.first_token is not None:
            timing.time_to_first_token_s = self.first_token - self.started
        if self.first_answer is not None:
            timing.time_to_first_answer_token_s = self.first_answer - self.started
        if self.first_reasoning is not None:
            timing.reasoning_s = (self.first_answer or end) - self.first_reasoning
        turn.cost = self._price()
        if self.c.store is not None:
            self.c.store.finalise_turn(turn)
            record_audit(self.c.store, turn)
        return turn

    def _price(self) -> Cost:
        # genai-prices is heavy: load it when first needed, with the data a refresh kept.
        from client.pricing import cost_for_turn, use_saved_prices

        store, turn = self.c.store, self.turn
        use_saved_prices(store.path.parent if store is not None else data_dir())
        return cost_for_turn(
            turn.provider,
            turn.model,
            turn.model_reported,
            self.usage,
            base_url=turn.base_url,
            provider_cost=self.provider_cost,
            overrides=store.price_overrides() if store is not None else None,
            when=_asked_at(turn),  # the hour the request went: what a reprice also uses
        )
