"""Closing events that restate what the deltas already said: keep only what the deltas missed.

Streaming APIs often say the same text twice: in deltas while it is written, then whole in a
closing event (OpenAI Responses' `….done` events and `output_item.done`, a gateway's
`content_block_stop` carrying its block, a chat stream's last chunk repeating the message,
Gemini through some proxies). Appending both shows the reply twice; ignoring the closing event
loses whatever deltas went missing. Every adapter follows the same rule, kept here:

- Text is keyed by its position in the reply (an output index with a content or summary index,
  a block index), never by an item id: gateways rewrite ids on every event, not positions.
- A closing event adds only what extends the text streamed at its position, never a copy.
  When it disagrees with the deltas, the deltas win: a reply is never longer than what the
  provider said once.
- With no usable position, the closing text is compared with what streamed on that channel
  since the previous closing event, and a second closing event equal to the first adds nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Hashable

log = logging.getLogger(__name__)


class StreamedText:
    """The text streamed on one channel of one reply (the answer, the summary, raw reasoning).

    Deltas are kept as lists of pieces, joined only when a closing event needs them: a long
    reasoning trace arrives in tens of thousands of deltas, and growing strings would copy it
    all on each."""

    def __init__(self, channel: str) -> None:
        self.channel = channel
        self._at: dict[Hashable, list[str]] = {}  # by position
        self._since_close: list[str] = []  # every delta since the last closing event
        self._closed: list[str] = []  # the text of each part closed at a position
        self._closed_unplaced: list[str] = []  # … and closed with no position
        self._unplaced = False  # some delta had no position: the deltas cannot be matched
        self._total: list[str] = []  # everything streamed on this channel, in order
        self.pieces = 0  # how many non-empty deltas streamed

    @property
    def total(self) -> str:
        return "".join(self._total)

    def text_at(self, key: Hashable) -> str:
        """Everything said at `key` so far (deltas, and what closing events filled in)."""
        return "".join(self._at.get(key, ()))

    def delta(self, key: Hashable | None, text: str) -> None:
        """Record a delta at `key` (None: no usable position)."""
        if not text:
            return
        if key is None:
            self._unplaced = True
        else:
            self._at.setdefault(key, []).append(text)
        self._since_close.append(text)
        self._total.append(text)
        self.pieces += 1

    def close(self, key: Hashable | None, final: str) -> str:
        """A closing event's whole text for the part at `key` (None: no usable position).
        Return only what the deltas missed: '' when they said it all, or something else."""
        since, self._since_close = "".join(self._since_close), []
        if key is not None and key in self._at:
            seen = "".join(self._at[key])
        elif key is not None and self._unplaced:
            seen = final  # deltas with no position said this part somewhere: prefer them
        elif key is None and since:
            seen = since  # the deltas since the last closing event are this part's
        elif final in self._closed_unplaced or (key is None and final in self._closed):
            seen = final  # the same part closed again (a second closing event)
            (self._closed_unplaced if final in self._closed_unplaced else self._closed).remove(
                final
            )
        else:
            seen = ""  # no delta said any of it
        part, missing = seen, ""
        if len(final) > len(seen) and final.startswith(seen):
            part, missing = final, final[len(seen) :]
        elif final and not seen.startswith(final):
            log.warning(
                "%s: a closing event disagrees with the streamed text; the streamed text is kept",
                self.channel,
            )
        if key is not None:
            self._at[key] = [part]
        if part:
            (self._closed if key is not None else self._closed_unplaced).append(part)
        return missing


def beyond_repeat(streamed: StreamedText, text: str) -> str:
    """A stream's final frame may repeat the whole message before (or instead of) its last
    delta. Return what of `text` is new: '' for a whole repeat, the tail for a repeat plus more.

    Only a repeat of something streamed in two pieces or more counts, so a short reply that
    legitimately ends by saying itself again ("ha" + "ha") is left alone."""
    whole = streamed.total
    if streamed.pieces < 2 or not whole or not text.startswith(whole):
        return text
    log.warning(
        "%s: the final frame repeated the streamed text; it is shown once", streamed.channel
    )
    return text[len(whole) :]
