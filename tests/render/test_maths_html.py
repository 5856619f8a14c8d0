"""Formulas in rendered HTML: pictures in the window's HTML, MathML in files, streaming closes."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from client.render import StreamingDocument, StreamingPlain, render_markdown, render_plain
from client.render.maths_html import escape_with_mathml, with_mathml
from client.render.typeset import formula_of_href

_IMG = re.compile(r'<img src="(thinkpane-math:[^"]*)"')


def pictures(fragment: str) -> list[tuple[str, bool]]:
    decoded = [formula_of_href(href) for href in _IMG.findall(fragment)]
    return [d for d in decoded if d is not None]


def test_inline_and_display_formulas_become_pictures() -> None:
    text = "Roots: \\(x = \\frac{-b}{2a}\\).\n\n$$\n\\binom{28}{4}\n$$\n\nA pen costs $3 and a book $4."
    fragment = render_markdown(text)
    assert pictures(fragment) == [("x = \\frac{-b}{2a}", False), ("\\binom{28}{4}", True)]
    assert '<p align="center"><img' in fragment  # the display formula is centred
    assert "costs $3 and a book $4." in fragment


def test_hover_text_is_the_source() -> None:
    fragment = render_markdown("so $a < b$ holds")
    assert 'title="$a &lt; b$"' in fragment


def test_tex_is_not_read_as_markdown() -> None:
    fragment = render_markdown("$a_1 * b_2 * c_3$ and \\[ [x](y) \\]")
    assert "<em>" not in fragment and "<a " not in fragment
    assert pictures(fragment) == [("a_1 * b_2 * c_3", False), ("[x](y)", True)]


def test_code_keeps_its_dollars() -> None:
    fragment = render_markdown("`$x$` and\n\n```\n$$y$$\n```\n")
    assert pictures(fragment) == []
    assert "$x$" in fragment and "$$y$$" in fragment


def test_escaped_dollar_is_a_dollar() -> None:
    assert "<p>\\$5 or $6</p>" not in render_markdown("\\$5 or \\$6")
    assert "$5 or $6" in render_markdown("\\$5 or \\$6")


def test_a_pipe_in_a_formula_does_not_split_a_table() -> None:
    fragment = render_markdown("| a | b |\n|---|---|\n| $|x|$ | 2 |\n")
    assert pictures(fragment) == [("|x|", False)]
    assert fragment.count("<td") == 2


def test_markdown_images_cannot_pose_as_formulas() -> None:
    fragment = render_markdown("![x](thinkpane-math:ix) [y](thinkpane-math:iy)")
    assert "<img" not in fragment and "thinkpane-math" not in fragment


def test_plain_reasoning_gets_pictures_and_centred_display() -> None:
    fragment = render_plain("so $x$ and\n$$y$$\nend <b>")
    assert pictures(fragment) == [("x", False), ("y", True)]
    assert '<p align="center"><img src="thinkpane-math:dy"' in fragment
    assert "end &lt;b&gt;" in fragment


SAMPLE = "We need $\\frac{a}{b}$ here.\n\nThen \\[ x^2 + y^2 \\] holds."


@pytest.mark.parametrize("cut", range(len(SAMPLE) + 1))
def test_formula_split_at_every_position_renders_once_when_closed(cut: int) -> None:
    for document in (StreamingDocument(), StreamingPlain()):
        first = document.append(SAMPLE[:cut])
        shown_first = "\n".join([*first.new_blocks_html, first.tail_html])
        # A formula whose closer has not arrived is source text, not a picture.
        closed = SAMPLE.find("$ here") + 1, SAMPLE.find("\\] holds") + 2
        expected = [
            f for f, end in zip(["\\frac{a}{b}", "x^2 + y^2"], closed, strict=True) if cut >= end
        ]
        assert [tex for tex, _ in pictures(shown_first)] == expected
        second = document.append(SAMPLE[cut:])
        last = document.finish()
        blocks = [*first.new_blocks_html, *second.new_blocks_html, *last.new_blocks_html]
        assert [tex for tex, _ in pictures("\n".join(blocks))] == ["\\frac{a}{b}", "x^2 + y^2"]


def test_unclosed_at_the_end_stays_source() -> None:
    document = StreamingDocument()
    document.append("The answer is $\\frac{1}{2")
    update = document.finish()
    assert pictures("".join(update.new_blocks_html)) == []
    assert "$\\frac{1}{2" in "".join(update.new_blocks_html)


@given(st.text(alphabet=st.sampled_from(list("$\\`{}()[] \nx*_")), max_size=50))
def test_any_text_renders(text: str) -> None:
    render_markdown(text)
    render_plain(text)


def test_files_get_mathml_with_the_tex_annotated() -> None:
    fragment = with_mathml(render_markdown("Area $\\pi r^2$ and\n\n$$\\sum_{k=1}^n k$$\n"))
    assert fragment.count("<math") == 2
    assert '<annotation encoding="application/x-tex">\\pi r^2</annotation>' in fragment
    assert 'display="block"' in fragment
    assert "thinkpane-math" not in fragment


def test_files_keep_refused_formulas_as_source() -> None:
    fragment = with_mathml(render_markdown("$\\href{http://127.0.0.1:1/x}{y}$"))
    assert "<math" not in fragment
    assert '<code class="tex">$\\href{http://127.0.0.1:1/x}{y}$</code>' in fragment


def test_plain_text_to_mathml() -> None:
    assert escape_with_mathml("1 < 2 and $x$").startswith("1 &lt; 2 and <math")
