"""Reasoning shown as written: escaped, paragraphs kept, cheap for long traces."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from client.render import StreamingPlain, render_plain
from tests.render.html_scan import assert_inert, elements

P = '<p style="white-space: pre-wrap">'


def test_markup_and_markdown_are_shown_literally() -> None:
    text = "<script>alert(1)</script> & **not bold** <img src=x onerror=alert(1)>"
    html = render_plain(text)
    assert_inert(html)
    assert html == (
        f"{P}&lt;script&gt;alert(1)&lt;/script&gt; &amp; **not bold** "
        "&lt;img src=x onerror=alert(1)&gt;</p>"
    )
    assert [e.text for e in elements(html)] == [text]


def test_paragraphs_and_line_breaks_are_kept() -> None:
    text = "\n\nFirst line\n  indented second\n\n \t\n\nNext paragraph\n\n"
    assert render_plain(text) == f"{P}First line\n  indented second</p>\n{P}Next paragraph</p>"


def test_line_ends_are_normalised() -> None:
    assert render_plain("a\r\n\r\nb\rc") == f"{P}a</p>\n{P}b\nc</p>"


def test_blank_text_renders_nothing() -> None:
    assert render_plain("") == ""
    assert render_plain(" \n\t\n ") == ""


def test_nul_is_shown_as_a_replacement_character() -> None:
    assert render_plain("a\x00b") == f"{P}a\ufffdb</p>"


def test_a_long_trace_renders_whole() -> None:
    trace = ("Let me think about this step by step. " * 20 + "\n\n") * 140
    assert len(trace) > 100_000
    html = render_plain(trace)
    assert html.count("<p ") == 140


def test_streaming_returns_each_paragraph_once() -> None:
    document = StreamingPlain()
    finished: list[str] = []
    for char in "one\n\ntwo <b>\nstill two\n\n\nthree":
        update = document.append(char)
        finished += update.new_blocks_html
    assert update.tail_html == f"{P}three</p>"
    finished += document.finish().new_blocks_html
    assert finished == [f"{P}one</p>", f"{P}two &lt;b&gt;\nstill two</p>", f"{P}three</p>"]
    assert document.finished


def test_streaming_replace_resets() -> None:
    document = StreamingPlain()
    document.append("old\n\nold")
    update = document.replace("new\n\nnewer")
    assert update.reset and update.new_blocks_html == (f"{P}new</p>",)
    assert update.tail_html == f"{P}newer</p>"
    document.finish()
    assert document.full_html() == render_plain("new\n\nnewer")


plainish = st.text(alphabet="ab <&\n\n\t \r", max_size=200)


@settings(max_examples=300, deadline=None)
@given(text=plainish, cuts=st.lists(st.integers(min_value=0), max_size=30))
def test_streamed_plain_equals_the_whole_render(text: str, cuts: list[int]) -> None:
    edges = sorted({0, len(text), *(cut % (len(text) + 1) for cut in cuts)})
    document = StreamingPlain()
    finished: list[str] = []
    for start, end in zip(edges, edges[1:], strict=False):
        finished += document.append(text[start:end]).new_blocks_html
    finished += document.finish().new_blocks_html
    assert "\n".join(finished) == document.full_html() == render_plain(text)
