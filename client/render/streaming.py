"""Rendering an answer while it streams, at a cost per update that does not grow with its length.

The answer pane holds the HTML of finished blocks, which never change, followed by the HTML of
the block still growing. Each `append` renders the blocks its chunk finished, once, and the
growing block again; it never looks at earlier text (see `blocks.py` for where blocks end).
So an update costs the chunk plus the size of the last block: constant for ordinary prose,
which is mostly short paragraphs. A block that does not end (one giant table, a long code block,
a long loose list) is re-rendered whole on each update, like any renderer would have to.

`finish()` renders the last block as finished. The finished blocks then equal
`render_markdown` of the whole text, modulo whitespace between blocks, with two known
differences: a reference-style link or definition in a different block than its counterpart
renders as plain text while streaming (the whole-text render resolves it), and blank lines after
an indented code block are not kept inside that block. Fenced code blocks are numbered across
the whole document, so Copy link N always stands for `code_blocks(text)[N]`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Protocol

from client.render.blocks import LineBuffer, MarkdownBlockSplitter
from client.render.markdown_html import MarkdownRenderer


@dataclass(frozen=True, slots=True)
class RenderUpdate:
    """What the pane must change after one call.

    new_blocks_html: HTML of blocks finished by this call, each returned exactly once; append
        them, in order, after the blocks already shown.
    tail_html: the whole HTML of the block still growing; replace the previous tail with it
        (empty when there is none).
    reset: True only after `replace()`: throw away everything shown and start with this update.
    """

    new_blocks_html: tuple[str, ...]
    tail_html: str
    reset: bool = False


class _BlockSplitter(Protocol):
    def feed(self, line: str) -> str | None: ...
    def pending(self, partial: str = "") -> str: ...
    def finish(self) -> str: ...


class IncrementalDocument:
    """What `StreamingDocument` and `StreamingPlain` share: lines in, finished blocks out once.

    A subclass says how text splits into blocks (`_new_splitter`), how a finished block renders
    (`_commit`, which keeps its HTML in `_blocks`; "" for a block that renders to nothing) and
    how the growing tail renders (`_render_tail`).
    """

    def __init__(self) -> None:
        self._start()

    def _new_splitter(self) -> _BlockSplitter:
        raise NotImplementedError

    def _commit(self, block: str) -> str:
        raise NotImplementedError

    def _render_tail(self, text: str) -> str:
        raise NotImplementedError

    def _start(self) -> None:
        self._lines = LineBuffer()
        self._splitter = self._new_splitter()
        self._blocks: list[str] = []
        self._tail_html = ""
        self._finished = False

    def append(self, delta: str) -> RenderUpdate:
        """Adds `delta` to the text; the blocks it finished and the new tail."""
        new_blocks = self.extend(delta)
        return RenderUpdate(tuple(new_blocks), self.render_tail())

    def extend(self, delta: str) -> list[str]:
        """Adds `delta` to the text; the HTML of the blocks it finished, without touching the
        tail. Several `extend` calls and one `render_tail` cost what one `append` of all the
        deltas would: the growing block is rendered once, not once per delta."""
        if self._finished:
            raise RuntimeError("append() after finish(); call replace() to start again")
        return self._feed(self._lines.feed(delta))

    def render_tail(self) -> str:
        """The HTML of the block still growing (rendered now), as `append` returns it."""
        self._tail_html = self._render_tail(self._splitter.pending(self._lines.partial))
        return self._tail_html

    def finish(self) -> RenderUpdate:
        """The text has ended: the tail becomes a finished block. Nothing can be appended after."""
        if self._finished:
            return RenderUpdate((), "")
        new_blocks = self._feed(self._lines.flush())
        if (last := self._splitter.finish()) and (html := self._commit(last)):
            new_blocks.append(html)
        self._tail_html = ""
        self._finished = True
        return RenderUpdate(tuple(new_blocks), "")

    def replace(self, text: str) -> RenderUpdate:
        """Starts again from `text` (say, after Reclassify moved part of the answer away).

        The update has `reset` set: the pane discards what it showed. The document is open
        again; call `finish()` when `text` is complete.
        """
        self._start()
        return replace(self.append(text), reset=True)

    def full_html(self) -> str:
        """The finished blocks and the tail, as one fragment."""
        parts = [*self._blocks, self._tail_html] if self._tail_html else self._blocks
        return "\n".join(parts)

    @property
    def finished(self) -> bool:
        """True once `finish()` has been called (and `replace()` has not since)."""
        return self._finished

    def _feed(self, lines: list[str]) -> list[str]:
        new_blocks: list[str] = []
        for line in lines:
            if (block := self._splitter.feed(line)) and (html := self._commit(block)):
                new_blocks.append(html)
        return new_blocks


class StreamingDocument(IncrementalDocument):
    """An answer's markdown, rendered incrementally as chunks arrive.

    Not thread-safe: use one document from one thread (the GUI thread, typically).
    """

    def __init__(self, *, theme: str = "light") -> None:
        self._renderer = MarkdownRenderer(theme)
        super().__init__()

    def _new_splitter(self) -> MarkdownBlockSplitter:
        return MarkdownBlockSplitter()

    def _start(self) -> None:
        super()._start()
        self._code_count = 0

    @property
    def theme(self) -> str:
        """The theme code is highlighted for."""
        return self._renderer.theme

    def _commit(self, block: str) -> str:
        rendered = self._renderer.render(block, first_code_index=self._code_count)
        self._code_count += rendered.code_count
        if rendered.html:
            self._blocks.append(rendered.html)
        return rendered.html

    def _render_tail(self, text: str) -> str:
        if not text.strip():
            return ""
        return self._renderer.render(text, first_code_index=self._code_count).html
