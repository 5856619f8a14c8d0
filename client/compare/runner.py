"""Running a comparison: every column × sample a normal turn, in parallel, each failing alone.

All runs are prepared before any is sent, so a setting a model cannot take is refused with the
provider's own sentence and never sent (that column fails; the others run), and every run gets
the same parent: they are sibling turns, the versions of one turn the branch machinery already
shows (‹ n / m ›). Each run is linked to its comparison (column, sample) in the store as soon as
it starts, so a crash leaves a comparison that `resume` completes, running only what is missing.

Runs go in parallel up to `per_provider` at once for each server (one at a time for a local
server, which answers one request at a time anyway: Ollama, LM Studio, or an OpenAI-compatible
server on this machine). Rate limits are the adapters' business, as
for a single turn. Each run has its own cancel token (`cancel_run`); `cancel` stops them all and
starts no more: runs already finished stay stored, and count.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from client.compare.columns import Column, check_samples, label_columns
from client.compare.tally import ANSWERED
from client.core.cancel import CancelToken
from client.core.conversation import Turn, TurnSettings, new_id
from client.core.errors import ErrorInfo, ErrorKind, ThinkpaneError, UsageError
from client.core.events import StreamEvent
from client.core.idle import DEFAULT_IDLE_TIMEOUT_S

if TYPE_CHECKING:  # the session (adapters, httpx, keyring) loads after the window is up
    from client.session import PreparedTurn, TurnController

DEFAULT_PER_PROVIDER = 4
_LOOPBACK = {"localhost", "127.0.0.1", "::1"}

RunEvent = Callable[[int, int, Turn, StreamEvent], None]
RunDone = Callable[["RunResult"], None]


@dataclass
class RunResult:
    """One run: its turn once it started (stored), or the error that kept it from being sent."""

    column: int
    sample: int
    turn: Turn | None = None
    error: ErrorInfo | None = None

    @property
    def completed(self) -> bool:
        return self.turn is not None and self.turn.status in ANSWERED and self.error is None

    @property
    def failure(self) -> ErrorInfo | None:
        if self.error is not None:
            return self.error
        if self.turn is not None and self.turn.status not in ANSWERED:
            return self.turn.error or ErrorInfo(ErrorKind.PROTOCOL, f"The run {self.turn.status}.")
        return None

    @property
    def stopped(self) -> bool:
        """Stopped by the user (a run's Stop, Stop all, Ctrl+C), not failed: while it ran (its
        turn is stored, interrupted, with whatever arrived, perhaps nothing) or before it went."""
        failure = self.failure
        return failure is not None and failure.kind is ErrorKind.CANCELLED


@dataclass
class ComparisonPlan:
    """What a comparison is: a prompt, its columns, samples per column, where it hangs."""

    prompt: str
    columns: list[Column]
    samples: int = 1
    conversation_id: str | None = None
    parent_id: str | None = None
    system: str | None = None
    max_output_tokens: int | None = None
    set_key: str | None = None
    comparison_id: str = field(default_factory=lambda: new_id("k"))


class Comparison:
    """One comparison being run. `prepare()` then `run()`; both may be called from a worker."""

    def __init__(
        self,
        controller: TurnController,
        plan: ComparisonPlan,
        *,
        per_provider: int = DEFAULT_PER_PROVIDER,
        on_event: RunEvent | None = None,
        on_done: RunDone | None = None,
        done: dict[tuple[int, int], Turn] | None = None,
        idle_timeout_s: float | None = DEFAULT_IDLE_TIMEOUT_S,
    ) -> None:
        check_samples(plan.samples)
        self.idle_timeout_s = idle_timeout_s  # as for a single turn: a silent stream ends
        plan.columns = label_columns(plan.columns)
        self.controller = controller
        self.plan = plan
        self.per_provider = max(1, per_provider)
        self.on_event = on_event
        self.on_done = on_done
        self.results: dict[tuple[int, int], RunResult] = {
            key: RunResult(key[0], key[1], turn) for key, turn in (done or {}).items()
        }
        self._prepared: dict[tuple[int, int], PreparedTurn] = {}
        self._tokens: dict[tuple[int, int], CancelToken] = {}
        self._cancel = CancelToken()
        self._lock = threading.Lock()
        self.prepared = False

    @property
    def id(self) -> str:
        return self.plan.comparison_id

    @property
    def cancelled(self) -> bool:
        return self._cancel.cancelled

    # -- preparing ---------------------------------------------------------------------------

    def pending(self) -> list[tuple[int, int]]:
        """The runs still to send: not done, in column order then sample order."""
        return [
            (c, s)
            for c in range(len(self.plan.columns))
            for s in range(self.plan.samples)
            if not (self.results.get((c, s)) and self.results[(c, s)].completed)
        ]

    def prepare(self) -> None:
        """Create the conversation and the comparison (when storing), then prepare every pending
        run. A column whose setting is refused fails here, without a request."""
        from client.session import title_from

        plan, store = self.plan, self.controller.store
        if store is not None:
            if plan.conversation_id is None:
                conversation = store.create_conversation(
                    title_from(plan.prompt), system=plan.system
                )
                plan.conversation_id = conversation.id
            if store.get_comparison(plan.comparison_id) is None:
                store.create_comparison(
                    plan.comparison_id,
                    plan.conversation_id,
                    plan.parent_id,
                    plan.prompt,
                    [c.to_json() for c in plan.columns],
                    plan.samples,
                    plan.set_key,
                )
        for key in self.pending():
            column = plan.columns[key[0]]
            settings = TurnSettings(column.effort, None, None, plan.max_output_tokens, plan.system)
            try:
                prepared = self.controller.prepare(
                    provider=column.provider,
                    model=column.model,
                    prompt=plan.prompt,
                    base_url=column.base_url,
                    conversation_id=plan.conversation_id if store is not None else None,
                    parent_id=plan.parent_id,
                    settings=settings,
                    with_history=plan.parent_id is not None,
                )
            except UsageError as exc:
                self.results[key] = RunResult(
                    *key, error=ErrorInfo(ErrorKind.BAD_REQUEST, str(exc))
                )
                continue
            except ThinkpaneError as exc:
                self.results[key] = RunResult(*key, error=exc.info)
                continue
            self._prepared[key] = prepared
            self.results.pop(key, None)
        self.prepared = True

    def _slot(self, prepared: PreparedTurn) -> tuple[str, int]:
        url = prepared.request.base_url or ""
        # A local server (Ollama, LM Studio, a llama.cpp server here) answers one request at a
        # time; a native API's address on this machine is a proxy in front of the provider.
        local = prepared.profile.local or (
            prepared.profile.name == "openai-compatible"
            and (urlsplit(url).hostname or "") in _LOOPBACK
        )
        return f"{prepared.profile.name} {url}", 1 if local else self.per_provider

    # -- running -----------------------------------------------------------------------------

    def run(self) -> dict[tuple[int, int], RunResult]:
        """Send every prepared run and wait for all of them. Returns every run's result."""
        if not self.prepared:
            self.prepare()
        jobs = sorted(self._prepared)
        for key in jobs:  # a run stopped before this (while preparing) keeps its stopped token
            self._tokens.setdefault(key, CancelToken())
        # One queue per server, taken in column then sample order by as many workers as that
        # server may serve at once: columns fill from the left, and a limit is never passed.
        queues: dict[str, deque[tuple[int, int]]] = {}
        limits: dict[str, int] = {}
        for key in jobs:
            name, limit = self._slot(self._prepared[key])
            queues.setdefault(name, deque()).append(key)
            limits[name] = limit
        workers = [
            threading.Thread(target=self._drain, args=(queue,), name="comparison-run", daemon=True)
            for name, queue in queues.items()
            for _ in range(min(limits[name], len(queue)))
        ]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        self._prepared.clear()
        return dict(self.results)

    def _drain(self, queue: deque[tuple[int, int]]) -> None:
        while True:
            with self._lock:
                if not queue:
                    return
                key = queue.popleft()
            try:
                self._run_one(key)
            except Exception as exc:  # never lose the rest of the queue to one run
                self._finish(RunResult(*key, error=ErrorInfo(ErrorKind.PROTOCOL, str(exc))))

    def _run_one(self, key: tuple[int, int]) -> None:
        prepared = self._prepared[key]
        token = self._tokens[key]
        if self._cancel.cancelled or token.cancelled:
            result = RunResult(
                *key, error=ErrorInfo(ErrorKind.CANCELLED, "Stopped before it was sent.")
            )
            self._finish(result)
            return
        unhook = self._cancel.on_cancel(token.cancel)
        linked = False

        def on_event(turn: Turn, event: StreamEvent) -> None:
            nonlocal linked
            if not linked:
                linked = self._link(key, turn)
            if self.on_event is not None:
                self.on_event(key[0], key[1], turn, event)

        try:
            turn = self.controller.run(
                prepared, token, on_event, idle_timeout_s=self.idle_timeout_s
            )
        except Exception as exc:  # a bug of ours: this run fails, the others go on
            turn = prepared.turn
            result = RunResult(*key, turn, ErrorInfo(ErrorKind.PROTOCOL, str(exc)))
        except BaseException:  # a stop that closed the stream under it: the turn is kept, stopped
            turn = prepared.turn
            result = RunResult(*key, turn)
        else:
            result = RunResult(*key, turn)
        finally:
            unhook()
        if not linked:
            self._link(key, turn)
        self._finish(result)

    def _link(self, key: tuple[int, int], turn: Turn) -> bool:
        store = self.controller.store
        if store is None:
            return True
        try:
            store.add_comparison_run(self.plan.comparison_id, turn.id, key[0], key[1])
        except Exception:
            return False  # the turn is not stored yet (no event reached the store): try at the end
        return True

    def _finish(self, result: RunResult) -> None:
        with self._lock:
            self.results[(result.column, result.sample)] = result
        if self.on_done is not None:
            self.on_done(result)

    def cancel(self) -> None:
        """Stop every run now and send no more; finished runs stay."""
        self._cancel.cancel()

    def cancel_run(self, column: int, sample: int) -> None:
        """Stop one run: while it streams (what arrived is kept), or before it is sent."""
        with self._lock:
            token = self._tokens.setdefault((column, sample), CancelToken())
        token.cancel()

    def cancel_column(self, column: int) -> None:
        for s in range(self.plan.samples):
            self.cancel_run(column, s)

    # -- reading -----------------------------------------------------------------------------

    def column_runs(self, column: int) -> list[RunResult]:
        return [
            self.results.get((column, s)) or RunResult(column, s) for s in range(self.plan.samples)
        ]


def resume(controller: TurnController, comparison_id: str, **kwargs: object) -> Comparison:
    """A stored comparison, ready to run what it still lacks (failed, stopped or never sent)."""
    store = controller.store
    if store is None:
        raise UsageError("resuming a comparison needs the local database.")
    stored = store.get_comparison(comparison_id)
    if stored is None:
        raise ThinkpaneError(ErrorKind.NOT_FOUND, f"No comparison {comparison_id} is stored.")
    return from_stored(controller, stored, **kwargs)


def from_stored(controller: TurnController, stored: object, **kwargs: object) -> Comparison:
    from client.store.comparisons import StoredComparison

    assert isinstance(stored, StoredComparison)
    columns = [Column.from_json(c) for c in stored.columns]
    first = next(iter(stored.runs.values()), None)
    plan = ComparisonPlan(
        stored.prompt,
        columns,
        stored.samples,
        stored.conversation_id,
        stored.parent_id,
        first.settings.system if first else None,
        first.settings.max_output_tokens if first else None,
        stored.set_key,
        stored.id,
    )
    return Comparison(controller, plan, done=dict(stored.runs), **kwargs)  # type: ignore[arg-type]
