"""One event fold: the worker that streams and stores a turn (client.session) and the window's live
picture of it (client/ui/conversation/live.py) turn the same StreamEvents into the same turn:
the same text, the same visibility at every step, the same end status.

The live picture is Qt-free (it is a `TurnFold` with the window's flags), so this runs without a
display. Streams are drawn by hypothesis, including blank leading reasoning, a `Reclassify`
midway, opaque and redacted blocks, usage, and every way a stream can end (or not end).
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Iterator

from hypothesis import given, settings
from hypothesis import strategies as st

from client.core.cancel import CancelToken
from client.core.conversation import Turn
from client.core.errors import ErrorInfo, ErrorKind
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
from client.core.fold import TurnFold
from client.core.request import TurnRequest
from client.core.usage import Usage
from client.session import TurnController
from client.store.store import Store
from client.ui.conversation.live import TurnState

text = st.text(alphabet=" \n\tab1=+.", max_size=8)
middle = st.one_of(
    st.builds(ReasoningDelta, text, st.sampled_from([Visibility.RAW, Visibility.SUMMARY])),
    st.builds(AnswerDelta, text),
    st.just(Reclassify()),
    st.builds(OpaqueReasoning, st.just({"type": "thinking", "signature": "s"}), st.booleans()),
    st.builds(
        UsageReport,
        st.builds(Usage, st.integers(0, 99), st.none(), st.none(), st.integers(0, 99)),
        model_reported=st.sampled_from([None, "qwen3:8b-q4"]),
    ),
    st.builds(Notice, st.sampled_from(["retrying", "effort clamped"])),
)
ending = st.one_of(
    st.builds(Finished, st.sampled_from([TurnStatus.COMPLETE, TurnStatus.LENGTH]), st.just("stop")),
    st.builds(
        Failed,
        st.sampled_from(
            [
                ErrorInfo(ErrorKind.NETWORK, "The connection dropped."),
                ErrorInfo(ErrorKind.CANCELLED, "Stopped."),
            ]
        ),
        st.booleans(),
    ),
    st.nothing(),
)
streams = st.tuples(st.lists(middle, max_size=25), st.lists(ending, max_size=1)).map(
    lambda parts: parts[0] + parts[1]
)


class ReplayAdapter:
    """An adapter whose stream is the given events (the wire formats have their own tests)."""

    def __init__(self, events: list[StreamEvent]) -> None:
        self.events = events

    def body(self, request: TurnRequest) -> dict[str, object]:
        return {"model": request.model}

    def list_models(self, base_url: str | None, api_key: str | None) -> list[str]:
        return ["qwen3"]

    def stream(self, request: TurnRequest, cancel: CancelToken) -> Iterator[StreamEvent]:
        yield from self.events


def worker_and_live(
    events: list[StreamEvent], store: Store | None = None
) -> tuple[Turn, TurnState, list[tuple[Visibility, Visibility]]]:
    """Run the stream through the worker, feeding what it passes on to a live state as the
    window's runner does; returns the finished turn, the live state and the visibility each side
    showed after every event."""
    ticks = itertools.count()
    controller = TurnController(
        store, adapter_factory=lambda _name: ReplayAdapter(events), clock=lambda: float(next(ticks))
    )
    prepared = controller.prepare(
        provider="ollama", model="qwen3", prompt="What is 2+2?", api_key="-"
    )
    state = TurnState(copy.deepcopy(prepared.turn), live=True, local=True)  # as the runner does
    seen: list[tuple[Visibility, Visibility]] = []

    def on_event(turn: Turn, event: StreamEvent) -> None:
        state.apply(event)
        seen.append((turn.reasoning.visibility, state.visibility))

    # No idle watchdog: its thread would read the counting clock too, taking ticks at random
    # and making the timings differ from run to run (the fold is what is compared here).
    final = controller.run(prepared, on_event=on_event, idle_timeout_s=None)
    return final, state, seen


@settings(max_examples=150, deadline=None)
@given(streams)
def test_the_worker_and_the_window_fold_a_stream_into_the_same_turn(
    events: list[StreamEvent],
) -> None:
    final, state, seen = worker_and_live(events)
    assert all(worker == live for worker, live in seen)
    assert state.answer.text() == final.answer
    assert state.reasoning.text().rstrip() == final.reasoning.text
    state.sync_text(final=True)
    state.end()  # the window's own ending, from its own fold
    assert (state.turn.status, state.turn.error, state.turn.note) == (
        final.status,
        final.error,
        final.note,
    )
    assert state.turn.reasoning.visibility == final.reasoning.visibility
    assert state.turn.reasoning.redacted_blocks == final.reasoning.redacted_blocks
    assert state.turn.usage == final.usage


@settings(max_examples=150, deadline=None)
@given(streams)
def test_the_window_folds_the_raw_stream_as_it_folds_the_worker_s(
    events: list[StreamEvent],
) -> None:
    """The runner forwards what the worker folded; folding the provider's events directly gives
    the same picture (the fold is idempotent), so nothing depends on which side dropped what."""
    _final, forwarded, _seen = worker_and_live(events)
    start = copy.deepcopy(forwarded.turn)
    start.reasoning.opaque.clear()
    start.reasoning.redacted_blocks = 0
    direct = TurnFold(start, local=True)
    for n, event in enumerate(events):
        direct.apply(event, float(n))
    assert direct.answer.text() == forwarded.answer.text()
    assert direct.reasoning.text() == forwarded.reasoning.text()
    assert direct.visibility == forwarded.visibility
    assert direct.generation == forwarded.generation


def test_a_stored_turn_reads_back_as_the_live_window_showed_it(tmp_path) -> None:
    events: list[StreamEvent] = [
        ReasoningDelta("  \n"),
        ReasoningDelta("  Two and two "),
        AnswerDelta("make "),
        Reclassify(),
        ReasoningDelta("so four.\n"),
        AnswerDelta("4"),
        UsageReport(Usage(12, None, None, 9)),
        Finished(TurnStatus.COMPLETE, "stop"),
    ]
    store = Store.open(tmp_path / "thinkpane.db")
    try:
        final, state, _seen = worker_and_live(events, store)
        stored = store.get_turn(final.id)
    finally:
        store.close()
    assert stored is not None
    assert stored.reasoning.text == "Two and two make so four."
    assert stored.answer == "4" == state.answer.text()
    assert state.reasoning.text().rstrip() == stored.reasoning.text
    assert stored.reasoning.visibility == state.visibility == Visibility.RAW
    assert state.generation == 1  # the window's viewers start again after the reclassify
