"""Splits a model's inline `<think>…</think>` output into reasoning and answer while it streams.

Many servers (llama.cpp without a reasoning parser, vLLM without one, Groq `raw`, LM Studio,
Gemini compat's `<thought>`) put the chain of thought into the answer text between tags. Adapters
for them push every content delta through one `ThinkTagSplitter` per response (R12) and pass on
the `ReasoningDelta` / `AnswerDelta` / `Reclassify` events it returns. Its rules are
numbered R1–R12 below; the result never depends on where the text was split into chunks.

How it reads the output, state by state:

- **Lead** (nothing but whitespace yet). Any opening tag starts a block that ends only at its own
  partner tag (R2, R4). Any closing tag here is dropped (R6) and what follows is answer. The
  first other character starts the provisional answer, or, with `start_in_reasoning=True`
  (a prompt that ends with `<think>`, R5), the reasoning.
- **Provisional answer.** Streams as answer. Opening tags are literal now (R4). A closing tag of
  any configured pair is an orphan close (R5): a `Reclassify()` says everything streamed as answer
  so far was reasoning, and what follows the tag is the answer. `saw_orphan_close` then lets the
  adapter remember that the model starts in reasoning.
- **Reasoning** (after an opening tag, or from the start with `start_in_reasoning`). Ends at the
  partner tag, or, without an opening tag, at any pair's closing tag.
- **Answer** after a block or an orphan close: every tag is literal from here on, so a second
  `<think>` or a stray `</think>` in an answer that quotes them stays text.

Choices where §16 leaves room:

- Whitespace at the start of the output is dropped, even when no tag follows. It is either the
  gap before a tag or the head of text that a later orphan close makes reasoning (which R8 trims);
  the stream cannot tell which in time, and it does not matter in an answer. Likewise any
  whitespace that opens the answer after a tag is dropped (R8 names the newlines; we take all).
- Reasoning is trimmed at both ends (R8): its leading whitespace is dropped, and trailing
  whitespace is held until more reasoning text arrives, so nothing has to be taken back. The
  provisional answer holds its trailing whitespace the same way so that a `Reclassify` moves
  trimmed text; if no close tag comes, `finish()` releases it to the answer (R11).
- Holdback (R3) applies only to delimiters valid in the current state: in the provisional answer
  `<t` is released at once (no closing tag starts that way) and after a block nothing is held.
- When several delimiters start at the same place, the longest wins; if a longer one could still
  complete, the text is held until it is decided. `finish()` decides with what it has: a complete
  delimiter counts, a partial one is literal text in the current channel (R10, R11).
- With `start_in_reasoning`, an opening tag at the start is still taken as the opener (the hint
  was wrong, or the template changed); that block then closes only on its partner.
- `saw_orphan_close` is not set by a closing tag that opens the content (R6): that is usually a
  server that parsed the reasoning out and leaked the tag, and remembering such a model as
  "starts in reasoning" would turn its next answer into reasoning.
- After `structured_reasoning_seen()` (R9), text inside tags is dropped instead of streamed. Text
  before an orphan close has already streamed as answer, and our event vocabulary cannot retract
  it, so it is still reclassified.
- A `</think>` at the very start of `reasoning_content` (the other half of R6) is the adapter's to
  strip: that field never goes through this splitter.
"""

from __future__ import annotations

import re
from enum import Enum, auto

from client.core.events import AnswerDelta, ReasoningDelta, Reclassify, StreamEvent, Visibility

DEFAULT_PAIRS: tuple[tuple[str, str], ...] = (
    ("<think>", "</think>"),
    ("<thinking>", "</thinking>"),
    ("<thought>", "</thought>"),
    ("<reason>", "</reason>"),
    ("<reasoning>", "</reasoning>"),
    ("<|begin_of_thought|>", "<|end_of_thought|>"),
    ("◁think▷", "◁/think▷"),
)


class _State(Enum):
    LEAD = auto()  # only whitespace so far
    PROVISIONAL = auto()  # answer text that an orphan close would turn into reasoning
    REASONING = auto()  # inside a block, or forced open by the prompt
    ANSWER = auto()  # after the reasoning ended; every tag is literal


class _Delimiters:
    """The tags that matter in one state, with a fast search for where one might start."""

    def __init__(self, tags: set[str]) -> None:
        self.tags = sorted(tags, key=len, reverse=True)  # longest first: it wins a tie
        starts = "".join(sorted({tag[0] for tag in tags}))
        self.starts = re.compile(f"[{re.escape(starts)}]") if tags else None


_UNDECIDED = ""  # a match result: the text here may still become a tag


class _Trimmed:
    """One channel's text with leading whitespace dropped and trailing whitespace held back.

    The final answer needs no holdback (nothing can make its text reasoning any more), so it
    passes `hold_trailing=False` and shows whitespace as it arrives.
    """

    def __init__(self, *, hold_trailing: bool = True) -> None:
        self.started = False
        self.hold_trailing = hold_trailing
        self.pending: list[str] = []  # trailing whitespace not yet released

    def write(self, text: str) -> str:
        if not self.started:
            text = text.lstrip()
            if not text:
                return ""
            self.started = True
        if not self.hold_trailing:
            return text
        body = text.rstrip()
        if not body:
            self.pending.append(text)
            return ""
        released = "".join(self.pending) + body
        self.pending = [text[len(body) :]] if len(body) < len(text) else []
        return released

    def take_pending(self) -> str:
        held = "".join(self.pending)
        self.pending = []
        return held


class ThinkTagSplitter:
    """Turns a response's content deltas into reasoning and answer events ."""

    def __init__(
        self,
        *,
        start_in_reasoning: bool = False,
        pairs: tuple[tuple[str, str], ...] = DEFAULT_PAIRS,
    ) -> None:
        if not pairs:
            raise ValueError("at least one delimiter pair is needed")
        for tag in (tag for pair in pairs for tag in pair):
            if not tag or tag[0].isspace():
                raise ValueError(f"a delimiter must not be empty or start with whitespace: {tag!r}")
        self._start_in_reasoning = start_in_reasoning
        self._partner = {opening: closing for opening, closing in pairs}
        closings = {closing for _, closing in pairs}
        self._lead_tags = _Delimiters(set(self._partner) | closings)
        self._orphan_closings = _Delimiters(closings)
        self._block_closing: _Delimiters | None = None  # set when an opening tag was seen
        self._state = _State.LEAD
        self._held = ""  # a tail that may still become a tag; shorter than the longest tag
        self._reasoning = _Trimmed()
        self._answer = _Trimmed()
        self._drop_reasoning = False
        self._saw_orphan_close = False
        self._finished = False

    @property
    def ended_inside_reasoning(self) -> bool:
        """After `finish()`: the output stopped before the reasoning was closed (R10)."""
        if self._state is _State.LEAD:
            return self._start_in_reasoning
        return self._state is _State.REASONING

    @property
    def saw_orphan_close(self) -> bool:
        """A closing tag without an opening one ended reasoning text (R5): remember the model."""
        return self._saw_orphan_close

    def structured_reasoning_seen(self) -> None:
        """A structured reasoning field arrived: from now on drop the text inside tags (R9)."""
        self._drop_reasoning = True

    def feed(self, text: str) -> list[StreamEvent]:
        """The events that `text` (already JSON-decoded, R1) settles."""
        if self._finished:
            raise RuntimeError("this splitter has finished; use one per response (R12)")
        events: list[StreamEvent] = []
        self._held = self._consume(self._held + text, events, final=False)
        return events

    def finish(self) -> list[StreamEvent]:
        """Flush what is held: a partial tag is literal text of the current channel (R10, R11)."""
        if self._finished:
            return []
        self._finished = True
        events: list[StreamEvent] = []
        self._consume(self._held, events, final=True)
        self._held = ""
        # Whitespace held at the end of the reasoning stays unsaid (R8); the answer's is its own.
        self._answer_text(self._answer.take_pending(), events)
        return events

    def _consume(self, buffer: str, events: list[StreamEvent], *, final: bool) -> str:
        """Handle `buffer` and return the tail that must wait for more text."""
        pos = 0
        end = len(buffer)
        while pos < end:
            if self._state is _State.LEAD:
                rest = buffer[pos:].lstrip()
                pos = end - len(rest)
                if not rest:
                    break
                tag = self._match_at(buffer, pos, self._lead_tags, final)
                if tag == _UNDECIDED:
                    return buffer[pos:]
                if tag is None:  # the first real text
                    forced = self._start_in_reasoning
                    self._state = _State.REASONING if forced else _State.PROVISIONAL
                    continue
                pos += len(tag)
                self._on_lead_tag(tag)
                continue
            delimiters = self._current_delimiters()
            index, tag = self._search(buffer, pos, delimiters, final)
            self._write(buffer[pos:index], events)
            if tag is None:
                break
            if tag == _UNDECIDED:
                return buffer[index:]
            pos = index + len(tag)
            self._on_closing_tag(events)
        return ""

    def _current_delimiters(self) -> _Delimiters | None:
        if self._state is _State.PROVISIONAL:
            return self._orphan_closings
        if self._state is _State.REASONING:
            return self._block_closing or self._orphan_closings
        return None

    def _search(
        self, buffer: str, pos: int, delimiters: _Delimiters | None, final: bool
    ) -> tuple[int, str | None]:
        """The first place from `pos` where a tag is, or may be; (len(buffer), None) if none."""
        if delimiters is not None and delimiters.starts is not None:
            for candidate in delimiters.starts.finditer(buffer, pos):
                index = candidate.start()
                tag = self._match_at(buffer, index, delimiters, final)
                if tag is not None:
                    return index, tag
        return len(buffer), None

    @staticmethod
    def _match_at(buffer: str, index: int, delimiters: _Delimiters, final: bool) -> str | None:
        """The tag at `index`, `_UNDECIDED` if the text there could still become one, or None."""
        remaining = len(buffer) - index
        could_grow = False
        for tag in delimiters.tags:
            if buffer.startswith(tag, index):
                return _UNDECIDED if could_grow else tag
            if not final and remaining < len(tag) and tag.startswith(buffer[index:]):
                could_grow = True
        return _UNDECIDED if could_grow else None

    def _on_lead_tag(self, tag: str) -> None:
        closing = self._partner.get(tag)
        if closing is None:
            self._state = _State.ANSWER  # a closing tag that opens the content (R6)
            self._answer = _Trimmed(hold_trailing=False)
            return
        self._block_closing = _Delimiters({closing})
        self._state = _State.REASONING

    def _on_closing_tag(self, events: list[StreamEvent]) -> None:
        if self._state is _State.PROVISIONAL:
            events.append(Reclassify())
            self._saw_orphan_close = True
        elif self._block_closing is None:
            self._saw_orphan_close = True  # reasoning forced open by the prompt
        # Whitespace held back before the tag ended the reasoning, so it is never released (R8).
        self._answer = _Trimmed(hold_trailing=False)
        self._state = _State.ANSWER

    def _write(self, text: str, events: list[StreamEvent]) -> None:
        if not text:
            return
        if self._state is _State.REASONING:
            if self._drop_reasoning:
                return
            released = self._reasoning.write(text)
            if not released:
                return
            last = events[-1] if events else None
            if isinstance(last, ReasoningDelta):
                events[-1] = ReasoningDelta(last.text + released, Visibility.RAW)
            else:
                events.append(ReasoningDelta(released, Visibility.RAW))
        else:
            self._answer_text(self._answer.write(text), events)

    @staticmethod
    def _answer_text(text: str, events: list[StreamEvent]) -> None:
        if not text:
            return
        last = events[-1] if events else None
        if isinstance(last, AnswerDelta):
            events[-1] = AnswerDelta(last.text + text)
        else:
            events.append(AnswerDelta(text))
