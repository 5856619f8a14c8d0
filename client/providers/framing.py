"""Byte-stream framing for streamed responses: Server-Sent Events and newline-delimited JSON.

Every streaming API we talk to frames its events one of two ways: SSE (OpenAI, Anthropic,
Gemini, OpenRouter and the OpenAI-compatible servers) or NDJSON (Ollama's native API). The
decoders here turn raw bytes, cut wherever the network happened to cut them, into whole frames,
so an adapter only ever sees complete events and never has to think about chunk boundaries.

Both are pure, synchronous and incremental: `feed()` whatever bytes arrived, get back the frames
they completed, and call `finish()` once at end of stream. The result never depends on how the
bytes were split, including splits inside a multi-byte UTF-8 character or between the CR and the
LF of a CRLF. Invalid UTF-8 becomes U+FFFD instead of raising, and a UTF-8 BOM at the very start
is dropped.

SSE follows the WHATWG event-stream rules, with three choices of ours:

- `retry:` is parsed and ignored: we never reconnect a model response, a retry is a new request.
- `SSEEvent.id` is the last event ID in force when the event was dispatched (as in the spec, it
  carries over to later events until another `id:` line changes it); an empty one is `None`.
- At end of stream an event whose last line was complete but which lacked the closing blank line
  is still dispatched (some servers omit it). If the stream instead stops in the middle of a line,
  the connection was cut mid-event, so that partial line and the event it belonged to are both
  dropped: half a JSON object is worse than none.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol, TypeVar

Frame = TypeVar("Frame")

_ANY_LINE_END = re.compile(r"\r\n|\r|\n")
_BOM = "\ufeff"


@dataclass(frozen=True)
class SSEEvent:
    """One dispatched server-sent event."""

    data: str  # data lines joined with "\n"
    event: str | None = None
    id: str | None = None


class _LineReader:
    """Incremental UTF-8 decoding and line splitting shared by both decoders.

    A partial line is kept as a list of pieces and joined once it completes, so a long line that
    arrives in many small chunks costs linear time, not quadratic.
    """

    def __init__(self, *, lone_cr_ends_line: bool) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._lone_cr_ends_line = lone_cr_ends_line
        self._partial: list[str] = []
        self._at_start = True
        # A CR ended the previous piece of text; an LF opening the next one belongs to it.
        self._skip_lf = False

    def feed(self, chunk: bytes) -> list[str]:
        return self._split(self._decoder.decode(chunk))

    def finish(self) -> tuple[list[str], str]:
        """The last complete lines, and whatever followed the final line ending."""
        lines = self._split(self._decoder.decode(b"", final=True))
        tail = "".join(self._partial)
        self._partial.clear()
        self._skip_lf = False
        return lines, tail

    def _split(self, text: str) -> list[str]:
        if not text:
            return []
        if self._at_start:
            self._at_start = False
            if text.startswith(_BOM):
                text = text[1:]
        if self._skip_lf:
            self._skip_lf = False
            if text.startswith("\n"):
                text = text[1:]
        if not text:
            return []
        if self._lone_cr_ends_line:
            pieces = _ANY_LINE_END.split(text)
            self._skip_lf = text.endswith("\r")
        else:
            pieces = text.split("\n")
        if len(pieces) == 1:
            self._partial.append(text)
            return []
        if self._partial:
            self._partial.append(pieces[0])
            pieces[0] = "".join(self._partial)
            self._partial.clear()
        tail = pieces.pop()
        if tail:
            self._partial.append(tail)
        return pieces


class SSEDecoder:
    """Turns the bytes of a `text/event-stream` body into `SSEEvent`s."""

    def __init__(self) -> None:
        self._lines = _LineReader(lone_cr_ends_line=True)
        self._data: list[str] = []
        self._event: str | None = None
        self._last_id: str | None = None

    def feed(self, chunk: bytes) -> list[SSEEvent]:
        """The events completed by `chunk`, in order."""
        events: list[SSEEvent] = []
        for line in self._lines.feed(chunk):
            self._take_line(line, events)
        return events

    def finish(self) -> list[SSEEvent]:
        """Events still pending at end of stream (see the module docstring for which)."""
        events: list[SSEEvent] = []
        lines, tail = self._lines.finish()
        for line in lines:
            self._take_line(line, events)
        if not tail:
            self._dispatch(events)
        self._data = []
        self._event = None
        return events

    def _take_line(self, line: str, events: list[SSEEvent]) -> None:
        if not line:
            self._dispatch(events)
            return
        if line[0] == ":":
            return  # a comment: keep-alives, OpenRouter's ": OPENROUTER PROCESSING"
        name, colon, value = line.partition(":")
        if colon and value.startswith(" "):
            value = value[1:]
        if name == "data":
            self._data.append(value)
        elif name == "event":
            self._event = value or None
        elif name == "id" and "\0" not in value:
            self._last_id = value or None
        # "retry" and unknown fields are ignored, as the spec says for unknown ones.

    def _dispatch(self, events: list[SSEEvent]) -> None:
        if self._data:
            events.append(SSEEvent("\n".join(self._data), self._event, self._last_id))
        self._data = []
        self._event = None


class NDJSONDecoder:
    """Splits a newline-delimited JSON body into lines; parsing them is the adapter's job.

    Lines end at LF (a CR before it is removed). A lone CR is not a line ending here: JSON may
    use it as whitespace, and no server we know sends old-Mac line endings. Blank lines, such as
    keep-alives, are skipped.
    """

    def __init__(self) -> None:
        self._lines = _LineReader(lone_cr_ends_line=False)

    def feed(self, chunk: bytes) -> list[str]:
        """The complete, non-blank lines that `chunk` finished, without their line endings."""
        return _non_blank(self._lines.feed(chunk))

    def finish(self) -> list[str]:
        """A last line that had no newline after it, if there is one."""
        lines, tail = self._lines.finish()
        lines.append(tail)
        return _non_blank(lines)


def _non_blank(lines: list[str]) -> list[str]:
    kept = []
    for line in lines:
        if line.endswith("\r"):
            line = line[:-1]
        if line and not line.isspace():
            kept.append(line)
    return kept


class _Decoder(Protocol[Frame]):
    def feed(self, chunk: bytes) -> list[Frame]: ...

    def finish(self) -> list[Frame]: ...


def decoded(decoder: _Decoder[Frame], chunks: Iterable[bytes]) -> Iterator[Frame]:
    """Every whole frame of the body: those each chunk completes, then those `finish` releases.
    A reader that stops early (its end event arrived) leaves the rest of the body unread."""
    for chunk in chunks:
        yield from decoder.feed(chunk)
    yield from decoder.finish()
