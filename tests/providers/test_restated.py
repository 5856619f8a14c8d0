"""Every place a closing event is reconciled with its deltas, apart from OpenAI Responses
(test_responses_gateways.py): a reply is never longer than what the provider said once.

- Anthropic: a gateway's `content_block_stop` carrying the whole block.
- Gemini: a last chunk (with its finishReason) repeating the whole answer or thoughts.
- Chat Completions: a last chunk repeating the whole message as a delta, or carrying it whole
  as `choices[0].message`.
"""

from __future__ import annotations

from typing import Any

import httpx
from hypothesis import given, settings
from hypothesis import strategies as st

from client.core.cancel import CancelToken
from client.core.request import HistoryTurn
from client.providers.openai_compat import ChatCompletionsAdapter
from client.providers.registry import PROFILES
from tests.providers import test_anthropic as claude
from tests.providers import test_gemini as gemini
from tests.providers import test_openai_compat as compat
from tests.providers.test_openai_responses import collect
from tests.support.chat import chunk
from tests.support.replay import sse

ANSWER = "No: 391 = 17 × 23."
THINKING = "Two odd numbers multiply to 391: 17 × 23."

# -- Anthropic ---------------------------------------------------------------------------------


def _closing_with_blocks(
    events: list[dict[str, Any]], *, drop_deltas: bool
) -> list[dict[str, Any]]:
    """A gateway's stream: each content_block_stop carries its whole block."""
    starts = {
        e["index"]: e["content_block"]["type"] for e in events if e["type"] == "content_block_start"
    }
    out = []
    for e in events:
        if (
            drop_deltas
            and e["type"] == "content_block_delta"
            and e["delta"]["type"] != "signature_delta"
        ):
            continue
        if e["type"] == "content_block_stop":
            kind = starts[e["index"]]
            if kind == "text":
                e = {**e, "content_block": {"type": "text", "text": ANSWER}}
            elif kind == "thinking":
                e = {**e, "content_block": {"type": "thinking", "thinking": THINKING,
                                            "signature": claude.SIG}}  # fmt: skip
        out.append(e)
    return out


def test_claude_blocks_restated_at_their_stop_are_shown_once(replay):
    events = _closing_with_blocks(claude.messages_events(), drop_deltas=False)
    out = claude.run(replay, claude.frames(events))
    assert (out["reasoning"], out["answer"]) == (THINKING, ANSWER)
    assert [o.item["thinking"] for o in out["opaque"]] == [THINKING]  # echoed once, too


def test_claude_blocks_only_at_their_stop_fill_in_the_missing_deltas(replay):
    events = _closing_with_blocks(claude.messages_events(), drop_deltas=True)
    out = claude.run(replay, claude.frames(events))
    assert (out["reasoning"], out["answer"]) == (THINKING, ANSWER)
    assert out["opaque"][0].item == {
        "type": "thinking",
        "thinking": THINKING,
        "signature": claude.SIG,
    }


def test_a_claude_stop_that_disagrees_keeps_the_streamed_text(replay):
    events = claude.messages_events()
    for e in events:
        if e["type"] == "content_block_stop" and e["index"] == 1:
            e["content_block"] = {"type": "text", "text": "Something else entirely."}
    out = claude.run(replay, claude.frames(events))
    assert out["answer"] == ANSWER


# -- Gemini ------------------------------------------------------------------------------------


def _gemini_with_repeat(**parts: Any) -> list[dict[str, Any]]:
    chunks = gemini.gemini_chunks()
    chunks[-1]["candidates"][0]["content"]["parts"] = [
        {"text": "No: 391 = 17 × 23, so the ladder reaches.", **parts}
    ]
    return chunks


def test_a_gemini_last_chunk_repeating_the_whole_answer_is_shown_once(replay):
    out = gemini.run(replay, sse(*_gemini_with_repeat(), crlf=True))
    assert out["answer"] == "No: 391 = 17 × 23, so the ladder reaches."
    assert out["reasoning"] == "**Testing divisors**\n\nTry 17. 17 × 23 = 391."


def test_a_repeated_last_part_keeps_its_signature_but_not_its_copy_for_the_next_turn(replay):
    first = gemini.run(replay, sse(*_gemini_with_repeat(thoughtSignature=gemini.SIG), crlf=True))
    assert first["answer"] == "No: 391 = 17 × 23, so the ladder reaches."
    [item] = [o.item for o in first["opaque"]]
    assert item["parts"][-1] == {"text": "", "thoughtSignature": gemini.SIG}
    echoed = "".join(p.get("text", "") for p in item["parts"])
    assert echoed == "No: 391 = 17 × 23, so the ladder reaches."


def test_a_short_gemini_answer_that_really_ends_by_repeating_itself_is_kept(replay):
    chunks = gemini.gemini_chunks()
    chunks[2:4] = [gemini.chunk([{"text": "ha"}])]
    chunks[-1]["candidates"][0]["content"]["parts"] = [{"text": "ha"}]
    assert gemini.run(replay, sse(*chunks, crlf=True))["answer"] == "haha"


# -- Chat Completions --------------------------------------------------------------------------


def _chat(pieces: list[str], last: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    frames = [chunk(reasoning="Odd. ", model="m"), chunk(reasoning="Try 17.", model="m")]
    frames += [chunk(content=p, model="m") for p in pieces]
    frames.append(chunk(finish="stop", model="m", **(last or {})))
    return frames


def test_a_last_chunk_repeating_the_whole_answer_as_a_delta_is_shown_once(replay):
    # ragflow's OpenAI-compatible endpoint did this (infiniflow/ragflow#15286).
    frames = _chat(["No: 391 ", "= 17 × 23."])
    frames[-1]["choices"][0]["delta"] = {"content": ANSWER}
    out = compat.run(replay, sse(*frames, done=True))
    assert (out["reasoning"], out["answer"]) == ("Odd. Try 17.", ANSWER)


def test_a_last_chunk_carrying_the_whole_message_is_shown_once(replay):
    message = {"role": "assistant", "content": ANSWER, "reasoning_content": "Odd. Try 17."}
    frames = _chat(["No: 391 ", "= 17 × 23."])
    frames[-1]["choices"][0]["message"] = message
    out = compat.run(replay, sse(*frames, done=True))
    assert (out["reasoning"], out["answer"]) == ("Odd. Try 17.", ANSWER)


def test_a_whole_message_fills_in_what_the_deltas_missed(replay):
    frames = _chat(["No: 391 "])
    frames[-1]["choices"][0]["message"] = {"role": "assistant", "content": ANSWER}
    assert compat.run(replay, sse(*frames, done=True))["answer"] == ANSWER
    frames = _chat([])
    frames[-1]["choices"][0]["message"] = {"role": "assistant", "content": ANSWER}
    assert compat.run(replay, sse(*frames, done=True))["answer"] == ANSWER


def test_a_one_piece_reply_that_really_repeats_itself_is_kept(replay):
    frames = _chat(["6"])
    frames[-1]["choices"][0]["delta"] = {"content": "6"}
    assert compat.run(replay, sse(*frames, done=True))["answer"] == "66"


def events_over_mock(frames: list[dict[str, Any]]) -> list[Any]:
    body = "".join(sse(*frames, done=True)).encode()

    def reply(_: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=body)

    with httpx.Client(transport=httpx.MockTransport(reply)) as client:
        a = ChatCompletionsAdapter(PROFILES["openai-compatible"], client=client)
        return list(a.stream(compat.request("http://mock", model="m"), CancelToken()))


@settings(max_examples=100, deadline=None)
@given(
    pieces=st.lists(st.text(alphabet="ab1./", min_size=1, max_size=5), min_size=2, max_size=6),
    ending=st.sampled_from(["none", "delta", "message", "both"]),
)
def test_a_chat_answer_is_never_longer_than_what_was_said_once(pieces, ending):
    meant = "".join(pieces)
    frames = _chat(pieces)
    choice = frames[-1]["choices"][0]
    if ending in ("delta", "both"):
        choice["delta"] = {"content": meant}
    if ending in ("message", "both"):
        choice["message"] = {"role": "assistant", "content": meant}
    out = collect(events_over_mock(frames))
    assert (out["reasoning"], out["answer"]) == ("Odd. Try 17.", meant)


def test_history_turns_are_untouched_by_reconciliation():
    """Reconciliation lives in the readers: what goes back is the stored answer, once."""
    turn = HistoryTurn("q", ANSWER, "openai-compatible", "m")
    body = compat.adapter().body(compat.request("http://x", model="m", history=(turn,)))
    assert [m["content"] for m in body["messages"]] == ["q", ANSWER, "Is 391 prime?"]
