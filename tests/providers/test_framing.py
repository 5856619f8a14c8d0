"""SSE and NDJSON framing: the WHATWG rules we rely on, end-of-stream handling, and fuzzing that
splitting a byte stream anywhere (inside a UTF-8 character, between CR and LF) changes nothing."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from client.providers.framing import NDJSONDecoder, SSEDecoder, SSEEvent


def sse(*chunks: bytes) -> list[SSEEvent]:
    decoder = SSEDecoder()
    events = [event for chunk in chunks for event in decoder.feed(chunk)]
    return events + decoder.finish()


def ndjson(*chunks: bytes) -> list[str]:
    decoder = NDJSONDecoder()
    lines = [line for chunk in chunks for line in decoder.feed(chunk)]
    return lines + decoder.finish()


def split_at(blob: bytes, cuts: list[int]) -> list[bytes]:
    edges = [0, *sorted({cut % (len(blob) + 1) for cut in cuts}), len(blob)]
    return [blob[start:end] for start, end in zip(edges, edges[1:], strict=False)]


# --- SSE: line endings -------------------------------------------------------------------------


@pytest.mark.parametrize("eol", [b"\n", b"\r\n", b"\r"])
def test_each_line_ending_frames_events(eol: bytes) -> None:
    stream = b"data: one" + eol + eol + b"data: two" + eol + eol
    assert sse(stream) == [SSEEvent("one"), SSEEvent("two")]


def test_mixed_line_endings_in_one_stream() -> None:
    assert sse(b"data: a\r\ndata: b\rdata: c\n\r\n") == [SSEEvent("a\nb\nc")]


def test_cr_at_chunk_end_and_lf_in_next_chunk_are_one_line_ending() -> None:
    # Were the LF taken as a second line ending, "a" would be dispatched alone.
    assert sse(b"data: a\r", b"\ndata: b\r", b"\n\r", b"\n") == [SSEEvent("a\nb")]


def test_cr_at_chunk_end_then_an_empty_chunk_then_lf() -> None:
    assert sse(b"data: a\r", b"", b"\n", b"\r\n") == [SSEEvent("a")]


def test_lone_cr_then_blank_line_dispatches() -> None:
    assert sse(b"data: a\r", b"\r") == [SSEEvent("a")]


# --- SSE: fields -------------------------------------------------------------------------------


def test_comments_and_keep_alives_are_skipped() -> None:
    stream = b": OPENROUTER PROCESSING\n\n:\n\ndata: {}\n: ping\n\n"
    assert sse(stream) == [SSEEvent("{}")]


def test_event_lines_name_the_event_and_reset_after_dispatch() -> None:
    stream = b"event: message_start\ndata: {}\n\ndata: plain\n\n"
    assert sse(stream) == [SSEEvent("{}", event="message_start"), SSEEvent("plain")]


def test_multi_line_data_is_joined_with_newlines() -> None:
    assert sse(b'data: {\ndata:  "a": 1\ndata: }\n\n') == [SSEEvent('{\n "a": 1\n}')]


def test_only_one_space_after_the_colon_is_removed() -> None:
    assert sse(b"data:x\n\ndata:  x\n\ndata:\tx\n\n") == [
        SSEEvent("x"),
        SSEEvent(" x"),
        SSEEvent("\tx"),
    ]


def test_data_keeps_colons_after_the_first() -> None:
    assert sse(b'data: {"url": "http://x"}\n\n') == [SSEEvent('{"url": "http://x"}')]


def test_empty_data_line_is_dispatched_as_empty_text() -> None:
    assert sse(b"data\n\ndata:\n\n") == [SSEEvent(""), SSEEvent("")]


def test_event_without_data_lines_is_not_dispatched() -> None:
    assert sse(b"event: ping\n\nid: 3\n\nretry: 10\n\n\n\n") == []


def test_retry_and_unknown_fields_are_ignored() -> None:
    assert sse(b"retry: 3000\nfoo: bar\ndata: x\n\n") == [SSEEvent("x")]


def test_field_names_are_case_sensitive() -> None:
    assert sse(b"Data: x\nEVENT: y\ndata: z\n\n") == [SSEEvent("z")]


def test_last_event_id_carries_over_until_changed() -> None:
    stream = b"id: 1\ndata: a\n\ndata: b\n\nid\ndata: c\n\nid: bad\0id\ndata: d\n\n"
    assert sse(stream) == [
        SSEEvent("a", id="1"),
        SSEEvent("b", id="1"),
        SSEEvent("c", id=None),  # an empty id resets it
        SSEEvent("d", id=None),  # an id with NUL is ignored
    ]


# --- SSE: bytes --------------------------------------------------------------------------------


def test_multi_byte_character_split_across_chunks() -> None:
    encoded = "data: 思考 ◁think▷ 🙂\n\n".encode()
    chunks = [encoded[i : i + 1] for i in range(len(encoded))]
    assert sse(*chunks) == [SSEEvent("思考 ◁think▷ 🙂")]


def test_invalid_utf8_is_replaced_not_raised() -> None:
    assert sse(b"data: a\xff\xfeb\n\n") == [SSEEvent("a\ufffd\ufffdb")]


def test_bom_at_start_is_dropped_even_when_split() -> None:
    bom = "\ufeff".encode()
    assert sse(bom[:1], bom[1:], b"data: x\n\n") == [SSEEvent("x")]
    assert sse(bom + b"data: x\n\n") == [SSEEvent("x")]


def test_bom_after_the_start_is_kept() -> None:
    assert sse("data: \ufeffx\n\n".encode()) == [SSEEvent("\ufeffx")]


def test_bom_only_once() -> None:
    # With the BOM dropped, the second one starts the first line: a field named "\ufeffdata".
    assert sse("\ufeff\ufeffdata: x\n\ndata: y\n\n".encode()) == [SSEEvent("y")]


# --- SSE: end of stream ------------------------------------------------------------------------


@pytest.mark.parametrize("eol", [b"\n", b"\r\n", b"\r"])
def test_complete_line_without_final_blank_line_is_dispatched_at_finish(eol: bytes) -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"data: [DONE]" + eol) == []
    assert decoder.finish() == [SSEEvent("[DONE]")]


def test_partial_line_at_end_is_not_dispatched() -> None:
    assert sse(b'data: {"ok": 1}\n\ndata: {"choices": [{"del') == [SSEEvent('{"ok": 1}')]


def test_partial_line_drops_the_unfinished_event_it_belongs_to() -> None:
    assert sse(b'data: {\ndata: "cut') == []


def test_truncated_utf8_at_end_counts_as_a_partial_line() -> None:
    assert sse(b"data: x\n\xe2\x82") == []


def test_finish_twice_gives_nothing_more() -> None:
    decoder = SSEDecoder()
    decoder.feed(b"data: x\n")
    assert decoder.finish() == [SSEEvent("x")]
    assert decoder.finish() == []


# --- SSE: recorded shapes and size -------------------------------------------------------------


def test_anthropic_shaped_stream() -> None:
    stream = (
        b'event: message_start\r\ndata: {"type":"message_start"}\r\n\r\n'
        b'event: ping\r\ndata: {"type": "ping"}\r\n\r\n'
        b'event: content_block_delta\r\ndata: {"type":"content_block_delta"     }\r\n\r\n'
    )
    events = sse(*split_at(stream, [7, 30, 31, 60, 120]))
    assert [e.event for e in events] == ["message_start", "ping", "content_block_delta"]
    assert json.loads(events[2].data) == {"type": "content_block_delta"}


def test_one_megabyte_in_thousands_of_chunks() -> None:
    payload = {"choices": [{"delta": {"content": "token é思 "}}]}
    one = b"data: " + json.dumps(payload, ensure_ascii=False).encode() + b"\n\n"
    stream = one * (1_000_000 // len(one)) + b"data: [DONE]\n\n"
    chunks = [stream[i : i + 257] for i in range(0, len(stream), 257)]
    events = sse(*chunks)
    assert len(events) == 1_000_000 // len(one) + 1
    assert json.loads(events[0].data) == payload
    assert events[-1] == SSEEvent("[DONE]")


def test_one_huge_line_in_ten_thousand_chunks_is_joined_once() -> None:
    line = "x" * 1_000_000
    stream = f"data: {line}\n\n".encode()
    step = len(stream) // 10_000 + 1
    events = sse(*(stream[i : i + step] for i in range(0, len(stream), step)))
    assert events == [SSEEvent(line)]


# --- NDJSON ------------------------------------------------------------------------------------


def test_ndjson_lines_blank_lines_and_crlf() -> None:
    assert ndjson(b'{"a":1}\n\n  \r\n{"b":2}\r\n{"c"', b":3}") == ['{"a":1}', '{"b":2}', '{"c":3}']


def test_ndjson_final_line_only_at_finish() -> None:
    decoder = NDJSONDecoder()
    assert decoder.feed(b'{"done":false}\n{"done":true}') == ['{"done":false}']
    assert decoder.finish() == ['{"done":true}']
    assert decoder.finish() == []


def test_ndjson_crlf_split_between_chunks() -> None:
    assert ndjson(b'{"a":1}\r', b'\n{"b":2}\r', b"\n") == ['{"a":1}', '{"b":2}']


def test_ndjson_lone_cr_is_not_a_line_ending() -> None:
    assert ndjson(b'{"a":\r1}\n') == ['{"a":\r1}']


def test_ndjson_bytes_bom_and_invalid_utf8() -> None:
    text = '{"message":{"content":"思考🙂"}}\n'.encode()
    assert ndjson("\ufeff".encode(), *(text[i : i + 1] for i in range(len(text)))) == [
        '{"message":{"content":"思考🙂"}}'
    ]
    assert ndjson(b"\xff{}\n") == ["\ufffd{}"]


# --- fuzzing -----------------------------------------------------------------------------------

_LINE_TEXT = st.text(st.characters(blacklist_characters="\r\n", codec="utf-8"), max_size=12)
_FIELD = st.sampled_from(["event", "id", "retry", "unknown"])


@st.composite
def sse_streams(draw: st.DrawFn) -> tuple[bytes, list[SSEEvent]]:
    """A well-formed stream and the events it must decode to."""
    eol = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    out = ["\ufeff"] if draw(st.booleans()) else []
    expected = []
    last_id: str | None = None
    for _ in range(draw(st.integers(0, 5))):
        event: str | None = None
        data: list[str] = []
        for _ in range(draw(st.integers(0, 4))):
            kind = draw(st.sampled_from(["data", "data", "comment", "field"]))
            value = draw(_LINE_TEXT)
            if kind == "data":
                data.append(value)
                out.append(
                    "data: " + value
                    if value.startswith(" ") or draw(st.booleans())
                    else "data:" + value
                )
            elif kind == "comment":
                out.append(":" + value)
            else:
                name = draw(_FIELD)
                value = value.lstrip(" ")
                out.append(f"{name}: {value}")
                if name == "event":
                    event = value or None
                elif name == "id" and "\0" not in value:
                    last_id = value or None
            out.append(eol)
        out.append(eol)
        if data:
            expected.append(SSEEvent("\n".join(data), event, last_id))
    return "".join(out).encode(), expected


@settings(max_examples=300, deadline=None)
@given(sse_streams(), st.lists(st.integers(min_value=0), max_size=30))
def test_sse_round_trip_at_any_byte_split(
    stream: tuple[bytes, list[SSEEvent]], cuts: list[int]
) -> None:
    blob, expected = stream
    assert sse(blob) == expected
    assert sse(*split_at(blob, cuts)) == expected


# Field names, line endings, a BOM, a whole and a halved multi-byte character, invalid UTF-8.
_SOUP_BYTES = b"data:|data: |event: x|id: 7|:|\r|\n|\r\n| |{}|\xef\xbb\xbf|\xe6\x80\x9d|\xf0\x9f|\x99\x82|\xff|a"
_SOUP = st.lists(st.sampled_from(_SOUP_BYTES.split(b"|")), max_size=40).map(b"".join)


@settings(max_examples=400, deadline=None)
@given(_SOUP, st.lists(st.integers(min_value=0), max_size=40))
def test_any_byte_soup_decodes_the_same_however_split(blob: bytes, cuts: list[int]) -> None:
    assert sse(*split_at(blob, cuts)) == sse(blob)
    assert ndjson(*split_at(blob, cuts)) == ndjson(blob)
