"""OpenAI Responses through gateways that rewrite ids (GitHub Copilot's endpoint and proxies give
every event a fresh `item_id`): the answer and the summary come out once, keyed by position.

The same reply is streamed with stable ids, with ids rotating on every event, with the `.done`
events missing, with the deltas missing (only `.done`), and with no positions at all; each must
give the same answer and summary. A property test draws any mix of these and checks the answer
is what the provider meant, never more.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from client.core.cancel import CancelToken
from client.core.events import Finished, TurnStatus, Visibility
from client.core.request import HistoryTurn, TurnRequest
from client.providers.http import RetryPolicy
from client.providers.openai_responses import OpenAIResponsesAdapter
from client.providers.registry import PROFILES
from tests.providers.test_openai_responses import USAGE, collect
from tests.support.replay import Reply, sse

PATH = "/v1/responses"
BLOB = "gAAAAABo_encrypted=="
SUMMARY = [["**Counting r**\n\n", "s-t-r-a-w-b-e-r-r-y: ", "positions 3, 8, 9."], ["So 3."]]
ANSWER = ["There are **3** letter ", '"r"s in "strawberry": ', "positions 3, 8, and 9."]
MEANT_SUMMARY = "\n\n".join("".join(p) for p in SUMMARY)
MEANT_ANSWER = "".join(ANSWER)


@dataclass(frozen=True)
class Shape:
    """How a gateway (or a server) mangles the stream of one reply."""

    rotate_ids: bool = False  # a fresh item_id on every event
    keep_deltas: tuple[int, ...] | None = None  # per part: how many deltas survive (None: all)
    text_done: bool = True  # the `….text.done` events
    item_done_text: bool = True  # `output_item.done` carries the whole text
    positions: bool = True  # output_index / summary_index / content_index on text events
    part_done: bool = False  # the `….part.done` events, which restate the part once more


def stream(
    summary: list[list[str]] = SUMMARY, answer: list[str] = ANSWER, shape: Shape = Shape()
) -> list[dict[str, Any]]:
    seq, fresh = itertools.count(), itertools.count(1)

    def item_id(stable: str) -> str:
        return f"{stable}_gw{next(fresh)}" if shape.rotate_ids else stable

    def ev(kind: str, **fields: Any) -> dict[str, Any]:
        return {"type": kind, "sequence_number": next(seq), **fields}

    def loc(stable: str, out: int, sub: str, index: int) -> dict[str, Any]:
        where: dict[str, Any] = {"item_id": item_id(stable)}
        if shape.positions:
            where.update({"output_index": out, sub: index})
        return where

    parts = [*summary, answer]
    kept = shape.keep_deltas or tuple(len(p) for p in parts)
    resp = {"id": "resp_1", "object": "response", "status": "in_progress", "model": "gpt-5-mini"}
    out = [ev("response.created", response=resp)]
    out.append(ev("response.output_item.added", output_index=0,
                  item={"id": item_id("rs_1"), "type": "reasoning", "summary": []}))  # fmt: skip
    for i, deltas in enumerate(summary):
        out.append(
            ev("response.reasoning_summary_part.added", **loc("rs_1", 0, "summary_index", i))
        )
        out += [
            ev(
                "response.reasoning_summary_text.delta",
                **loc("rs_1", 0, "summary_index", i),
                delta=d,
            )
            for d in deltas[: kept[i]]
        ]
        if shape.text_done:
            out.append(ev("response.reasoning_summary_text.done",
                          **loc("rs_1", 0, "summary_index", i), text="".join(deltas)))  # fmt: skip
        if shape.part_done:
            out.append(ev("response.reasoning_summary_part.done", **loc("rs_1", 0, "summary_index", i),
                          part={"type": "summary_text", "text": "".join(deltas)}))  # fmt: skip
    item: dict[str, Any] = {"id": item_id("rs_1"), "type": "reasoning", "encrypted_content": BLOB,
                            "summary": []}  # fmt: skip
    if shape.item_done_text:
        item["summary"] = [{"type": "summary_text", "text": "".join(p)} for p in summary]
    out.append(ev("response.output_item.done", output_index=0, item=item))
    out.append(ev("response.output_item.added", output_index=1,
                  item={"id": item_id("msg_1"), "type": "message", "content": []}))  # fmt: skip
    out += [
        ev("response.output_text.delta", **loc("msg_1", 1, "content_index", 0), delta=d)
        for d in answer[: kept[-1]]
    ]
    if shape.text_done:
        out.append(ev("response.output_text.done", **loc("msg_1", 1, "content_index", 0),
                      text="".join(answer)))  # fmt: skip
    if shape.part_done:
        out.append(ev("response.content_part.done", **loc("msg_1", 1, "content_index", 0),
                      part={"type": "output_text", "text": "".join(answer)}))  # fmt: skip
    message: dict[str, Any] = {"id": item_id("msg_1"), "type": "message", "content": []}
    if shape.item_done_text:
        message["content"] = [{"type": "output_text", "text": "".join(answer)}]
    out.append(ev("response.output_item.done", output_index=1, item=message))
    out.append(ev("response.completed", response={**resp, "status": "completed", "usage": USAGE}))
    return out


def request(base: str, **kw: Any) -> TurnRequest:
    return TurnRequest("openai", "gpt-5-mini", kw.pop("prompt", "How many r in strawberry?"),
                       base_url=base + "/v1", api_key="sk-test", **kw)  # fmt: skip


def adapter(client: httpx.Client | None = None) -> OpenAIResponsesAdapter:
    return OpenAIResponsesAdapter(PROFILES["openai"], client=client, policy=RetryPolicy(attempts=1))


def over_loopback(replay, events: list[dict[str, Any]], **kw: Any) -> dict[str, Any]:
    replay.add(PATH, Reply(chunks=sse(*events, event_names=True)))
    return collect(adapter().stream(request(replay.url, **kw), CancelToken()))


SHAPES = {
    "stable ids": Shape(),
    "ids rotating on every event": Shape(rotate_ids=True),
    "no .done events": Shape(text_done=False, item_done_text=False),
    "no deltas, only .done": Shape(keep_deltas=(0, 0, 0)),
    "no deltas, only output_item.done": Shape(keep_deltas=(0, 0, 0), text_done=False),
    "rotating ids and no positions": Shape(rotate_ids=True, positions=False),
    "rotating ids, no positions, no deltas": Shape(
        rotate_ids=True, positions=False, keep_deltas=(0, 0, 0)
    ),
    "rotating ids, half the deltas lost": Shape(rotate_ids=True, keep_deltas=(1, 0, 2)),
    "every closing event, rotating ids": Shape(rotate_ids=True, part_done=True),
    "no deltas, only part.done": Shape(keep_deltas=(0, 0, 0), text_done=False, part_done=True),
    "no positions, every closing event": Shape(rotate_ids=True, positions=False, part_done=True),
}


def test_every_shape_of_the_same_reply_gives_the_same_answer_and_summary(replay):
    for name, shape in SHAPES.items():
        out = over_loopback(replay, stream(shape=shape))
        assert (out["answer"], out["reasoning"]) == (MEANT_ANSWER, MEANT_SUMMARY), name
        assert out["end"] == Finished(TurnStatus.COMPLETE, "completed", model_reported="gpt-5-mini")


def test_a_gateway_that_rewrites_ids_shows_the_answer_once_not_twice(replay):
    """The recorded failure: Copilot's endpoint, every event with a fresh item_id."""
    out = over_loopback(replay, stream(shape=Shape(rotate_ids=True)))
    assert out["answer"].count("There are **3**") == 1
    assert out["reasoning"].count("So 3.") == 1
    # Deltas with rotating ids stay in their paragraph: one break between the two parts.
    assert out["reasoning"].count("\n\n") == MEANT_SUMMARY.count("\n\n")


def test_the_reasoning_item_goes_back_whatever_id_the_gateway_gave_it(replay):
    first = over_loopback(replay, stream(shape=Shape(rotate_ids=True)))
    [opaque] = first["opaque"]
    assert opaque.item["encrypted_content"] == BLOB and opaque.item["id"].startswith("rs_1_gw")
    turn = HistoryTurn("How many r in strawberry?", first["answer"], "openai", "gpt-5-mini",
                       first["reasoning"], (opaque.item,))  # fmt: skip
    over_loopback(replay, stream(), prompt="And in raspberry?", history=(turn,))
    sent = replay.requests_to(PATH)[-1].json["input"]
    assert sent[1] == {"type": "reasoning", "encrypted_content": BLOB, "id": opaque.item["id"],
                       "summary": opaque.item["summary"]}  # fmt: skip
    assert sent[2] == {"role": "assistant", "content": MEANT_ANSWER}


def test_a_done_event_that_disagrees_with_the_deltas_never_adds_a_copy(replay):
    events = stream()
    for e in events:
        if e["type"] == "response.output_text.done":
            e["text"] = "There are 3 r's."  # a gateway's rewrite of the final text
    out = over_loopback(replay, events)
    assert out["answer"] == MEANT_ANSWER


# -- the property ----------------------------------------------------------------------------


class _Chunks(httpx.SyncByteStream):
    def __init__(self, body: bytes) -> None:
        self.body = body

    def __iter__(self) -> Iterator[bytes]:
        yield self.body


def over_mock(events: list[dict[str, Any]]) -> dict[str, Any]:
    body = "".join(sse(*events, event_names=True)).encode()

    def reply(_: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, headers={"content-type": "text/event-stream"}, stream=_Chunks(body)
        )

    with httpx.Client(transport=httpx.MockTransport(reply)) as client:
        return collect(adapter(client).stream(request("http://gateway"), CancelToken()))


_TEXT = st.text(alphabet="ab r*\n3.", min_size=1, max_size=6)
_PARTS = st.lists(_TEXT, min_size=1, max_size=4)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    summary=st.lists(_PARTS, min_size=0, max_size=3),
    answer=_PARTS,
    rotate=st.booleans(),
    positions=st.booleans(),
    text_done=st.booleans(),
    item_done=st.booleans(),
    part_done=st.booleans(),
    data=st.data(),
)
def test_the_answer_is_what_the_provider_meant_never_more(
    summary, answer, rotate, positions, text_done, item_done, part_done, data
):
    parts = [*summary, answer]
    kept = tuple(data.draw(st.integers(0, len(p))) for p in parts)
    shape = Shape(rotate, kept, text_done, item_done, positions, part_done)
    out = over_mock(stream(summary, answer, shape))
    meant_answer = "".join(answer)
    meant_summary = "\n\n".join("".join(p) for p in summary)
    # Never more than the provider said once, whatever survived.
    assert len(out["answer"]) <= len(meant_answer)
    assert meant_answer.startswith(out["answer"])
    assert len(out["reasoning"]) <= len(meant_summary)
    whole_text = all(k == len(p) for k, p in zip(kept, parts, strict=True))
    # With no position and no delta, a part's closing event cannot be told from a second
    # closing event of the part before it when both say the same: it is dropped, never doubled.
    matchable = positions or all(kept)
    if whole_text or ((text_done or part_done) and matchable):
        # The deltas, or a closing event right after each part, carried everything.
        assert (out["answer"], out["reasoning"]) == (meant_answer, meant_summary)
    elif item_done and positions:
        # Only the finished items restate the text: all of it arrives, a late part possibly
        # after a later one (a stream cannot go back), and nothing twice.
        assert out["answer"] == meant_answer
        assert len(out["reasoning"]) == len(meant_summary)


RAW = ["391 is odd, and 3 + 9 + 1 = 13, so not divisible by 3. ", "Try 17: 17 × 23 = 391."]


def raw_stream(deltas: bool, text_done: bool, item_done: bool) -> list[dict[str, Any]]:
    """A reply with raw reasoning (gpt-oss and other open models behind a Responses server)."""
    seq = itertools.count()

    def ev(kind: str, **fields: Any) -> dict[str, Any]:
        return {"type": kind, "sequence_number": next(seq), **fields}

    where = {"item_id": "rs_1", "output_index": 0, "content_index": 0}
    resp = {"id": "resp_1", "object": "response", "status": "in_progress", "model": "gpt-oss-20b"}
    out = [ev("response.created", response=resp)]
    out.append(ev("response.output_item.added", output_index=0,
                  item={"id": "rs_1", "type": "reasoning", "summary": []}))  # fmt: skip
    if deltas:
        out += [ev("response.reasoning_text.delta", **where, delta=d) for d in RAW]
    if text_done:
        out.append(ev("response.reasoning_text.done", **where, text="".join(RAW)))
    item: dict[str, Any] = {"id": "rs_1", "type": "reasoning", "summary": []}
    if item_done:
        item["content"] = [{"type": "reasoning_text", "text": "".join(RAW)}]
    out.append(ev("response.output_item.done", output_index=0, item=item))
    answer = {"item_id": "msg_1", "output_index": 1, "content_index": 0}
    out += [ev("response.output_text.delta", **answer, delta=d) for d in ANSWER]
    out.append(ev("response.completed", response={**resp, "status": "completed", "usage": USAGE}))
    return out


@pytest.mark.parametrize(
    ("deltas", "text_done", "item_done"),
    [
        (True, True, True),
        (True, False, False),
        (False, True, True),
        (False, True, False),
        (False, False, True),
    ],  # fmt: skip
)
def test_raw_reasoning_comes_out_once_from_deltas_or_either_closing_event(
    replay, deltas: bool, text_done: bool, item_done: bool
) -> None:
    got = over_loopback(replay, raw_stream(deltas, text_done, item_done))
    assert got["reasoning"] == "".join(RAW)  # only the finished item carried it: kept, not lost
    assert got["kinds"] == {Visibility.RAW}
    assert got["answer"] == MEANT_ANSWER
