"""Streaming renders finished blocks once, re-renders only the tail, and ends where a whole
render would: however the text was cut into chunks."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from client.render import RenderUpdate, StreamingDocument, code_blocks, render_markdown
from client.render.markdown_html import MarkdownRenderer, RenderedMarkdown
from tests.render.html_scan import hrefs, squash

# Blocks of the kinds models write, some of which Python-Markdown joins across blank lines.
TYPICAL_BLOCKS = [
    "A paragraph with *emphasis* and `code`.",
    "Two lines\nof one paragraph.",
    "## A heading",
    "- tight\n- list",
    "- item",
    "1. first\n2. second",
    "3. third",
    "- loose item\n\n  continued paragraph",
    "  - indented item",
    "- fruit\n  - apple\n    - deeper\n- veg",
    "> a quote",
    "> another quote",
    "Intro:\n- list right under\n- its paragraph",
    "| a | b |\n|---|---|\n| 1 | 2 |",
    "```python\ndef f():\n\n    return 1\n```",
    "~~~\nblank\n\n\nlines inside\n~~~",
    "1. Step:\n   ```sh\n   ls\n\n   pwd\n   ```",
    "```\nunclosed fence at the end",
    "    indented code",
    "---",
    "Text with <tags> & ampersands",
    "![an image](https://img.example/i.png)",
]

typical_documents = st.lists(st.sampled_from(TYPICAL_BLOCKS), min_size=1, max_size=10).map(
    lambda blocks: "\n\n".join(blocks)
)
markdownish = st.text(alphabet="ab `~*->|#1.\n\n\t\r[]()!:<&", max_size=300)


def chunks(text: str, cuts: list[int]) -> Iterator[str]:
    """`text` cut at the positions `cuts` (wrapped into range, any order)."""
    edges = sorted({0, len(text), *(cut % (len(text) + 1) for cut in cuts)})
    for start, end in zip(edges, edges[1:], strict=False):
        yield text[start:end]


def stream(text: str, cuts: list[int]) -> tuple[StreamingDocument, list[RenderUpdate]]:
    document = StreamingDocument()
    updates = [document.append(chunk) for chunk in chunks(text, cuts)]
    updates.append(document.finish())
    return document, updates


@settings(max_examples=200, deadline=None)
@given(text=typical_documents, cuts=st.lists(st.integers(min_value=0), max_size=40))
def test_streamed_typical_markdown_equals_the_whole_render(text: str, cuts: list[int]) -> None:
    document, updates = stream(text, cuts)
    finished = [html for update in updates for html in update.new_blocks_html]
    assert squash("\n".join(finished)) == squash(render_markdown(text))
    assert document.full_html() == "\n".join(finished)


@settings(max_examples=300, deadline=None)
@given(text=markdownish, cuts_a=st.lists(st.integers(0)), cuts_b=st.lists(st.integers(0)))
def test_any_text_renders_the_same_however_it_is_chunked(
    text: str, cuts_a: list[int], cuts_b: list[int]
) -> None:
    first, _ = stream(text, cuts_a)
    second, _ = stream(text, cuts_b)
    assert first.full_html() == second.full_html()


@settings(max_examples=200, deadline=None)
@given(text=typical_documents, cuts=st.lists(st.integers(min_value=0), max_size=40))
def test_copy_links_while_streaming_match_code_blocks(text: str, cuts: list[int]) -> None:
    document, _ = stream(text, cuts)
    links = [href for href in hrefs(document.full_html()) if href.startswith("thinkpane-copy:")]
    assert links == [f"thinkpane-copy:{n}" for n in range(len(code_blocks(text)))]


def test_a_fence_open_across_chunks_keeps_its_block_open() -> None:
    document = StreamingDocument()
    assert document.append("Intro.\n\n```python\nx = 1\n").new_blocks_html[0] == "<p>Intro.</p>"
    for chunk in ["\n", "\n", "y = 2\n\n", "\nz = 3\n"]:
        update = document.append(chunk)
        assert update.new_blocks_html == ()
        assert "thinkpane-copy:0" in update.tail_html
    # The block after a blank line is known to be a new one once its first line is complete.
    update = document.append("```\n\nAfter")
    assert update.new_blocks_html == ()
    assert "z" in update.tail_html and "After" in update.tail_html
    update = document.append(" that.\n")
    assert len(update.new_blocks_html) == 1
    assert "z" in update.new_blocks_html[0] and update.tail_html == "<p>After that.</p>"
    assert document.finish().new_blocks_html == ("<p>After that.</p>",)


def test_each_finished_block_is_returned_exactly_once() -> None:
    document = StreamingDocument()
    text = "one\n\ntwo\n\nthree\n\nfour"
    returned = [html for char in text for html in document.append(char).new_blocks_html]
    returned += document.finish().new_blocks_html
    assert returned == ["<p>one</p>", "<p>two</p>", "<p>three</p>", "<p>four</p>"]


def test_a_list_stays_one_block_across_blank_lines() -> None:
    document = StreamingDocument()
    update = document.append("- a\n\n- b\n\n- c\n")
    assert update.new_blocks_html == ()
    assert update.tail_html.count("<ul>") == 1


def test_replace_resets_and_finish_closes() -> None:
    document = StreamingDocument()
    document.append("old text\n\nmore")
    update = document.replace("new\n\ntext\n")
    assert update.reset is True
    assert update.new_blocks_html == ("<p>new</p>",) and update.tail_html == "<p>text</p>"
    assert document.append("grows").reset is False
    assert document.finish() == RenderUpdate(("<p>text\ngrows</p>",), "", reset=False)
    assert document.finished
    assert document.finish() == RenderUpdate((), "")
    with pytest.raises(RuntimeError):
        document.append("late")
    assert document.full_html() == "<p>new</p>\n<p>text\ngrows</p>"


def test_crlf_split_across_chunks_is_one_line_end() -> None:
    split = StreamingDocument()
    for chunk in ["a\r", "\n\r", "\nb\r"]:
        split.append(chunk)
    split.finish()
    assert split.full_html() == render_markdown("a\r\n\r\nb\r") == "<p>a</p>\n<p>b</p>"


def test_dark_theme_applies_to_streamed_code() -> None:
    document = StreamingDocument(theme="dark")
    document.append("```python\nx = 1\n```")
    document.finish()
    assert document.theme == "dark"
    assert document.full_html() == render_markdown("```python\nx = 1\n```", theme="dark")


def test_cost_per_append_does_not_grow_with_the_document(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Counts the characters handed to the renderer per append, at the start and at the end."""
    rendered_chars: list[int] = []
    original = MarkdownRenderer.render

    def counting(self: MarkdownRenderer, text: str, **kwargs: int) -> RenderedMarkdown:
        rendered_chars[-1] += len(text)
        return original(self, text, **kwargs)

    monkeypatch.setattr(MarkdownRenderer, "render", counting)
    block = "A paragraph of ordinary length, about a line or two of prose. " * 3
    text = "\n\n".join([block, "- a\n- b", "```py\nx = 1\n```"] * 200)
    document = StreamingDocument()
    for start in range(0, len(text), 25):
        rendered_chars.append(0)
        document.append(text[start : start + 25])
    assert len(text) > 40_000
    assert max(rendered_chars) < 2 * len(block) + 50
    early, late = rendered_chars[:200], rendered_chars[-200:]
    assert sum(late) < 1.5 * sum(early)


@settings(max_examples=200, deadline=None)
@given(text=typical_documents, cuts=st.lists(st.integers(min_value=0), max_size=40))
def test_extend_then_one_tail_shows_what_append_shows(text: str, cuts: list[int]) -> None:
    # The paced renderer feeds several pieces and renders the growing block once at the end.
    by_append, by_extend = StreamingDocument(), StreamingDocument()
    pieces = list(chunks(text, cuts))
    for piece in pieces:
        tail = by_append.append(piece).tail_html
    blocks = [html for piece in pieces for html in by_extend.extend(piece)]
    assert by_extend.render_tail() == tail
    assert "\n".join([*blocks, tail] if tail else blocks) == by_append.full_html()
    assert by_extend.finish() == by_append.finish()
