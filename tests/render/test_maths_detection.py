"""Which parts of model output are formulas: prices, code and escapes stay text."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from client.render.maths import Formula, Prose, formulas, split_maths


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # maths
        ("so $x^2$ holds", [("x^2", False)]),
        ("$$\\frac{a}{b}$$", [("\\frac{a}{b}", True)]),
        ("\\(x = 1\\) then \\[y = 2\\]", [("x = 1", False), ("y = 2", True)]),
        ("$\\binom{28}{4}$ ways", [("\\binom{28}{4}", False)]),
        ("$$\n\\begin{aligned} a &= b \\\\ c &= d \\end{aligned}\n$$",
         [("\\begin{aligned} a &= b \\\\ c &= d \\end{aligned}", True)]),
        ("\\[ f(x) = \\begin{cases} 1 & x > 0 \\\\ 0 \\end{cases} \\]",
         [("f(x) = \\begin{cases} 1 & x > 0 \\\\ 0 \\end{cases}", True)]),
        ("$\\begin{pmatrix} 1 & 2 \\end{pmatrix}$", [("\\begin{pmatrix} 1 & 2 \\end{pmatrix}", False)]),
        ("\\begin{align}\na &= 1\n\\end{align}", [("\\begin{align}\na &= 1\n\\end{align}", True)]),
        ("$\\boxed{42}$", [("\\boxed{42}", False)]),
        ("The answer is \\boxed{\\frac{5}{6}}.", [("\\boxed{\\frac{5}{6}}", False)]),
        ("unbalanced \\boxed{x", []),
        ("$a$$b$", [("a", False), ("b", False)]),
        # nested braces
        ("$\\frac{\\{a\\}}{\\sqrt{b_{i}}}$", [("\\frac{\\{a\\}}{\\sqrt{b_{i}}}", False)]),
        ("$\\text{costs \\$5}$ and", [("\\text{costs \\$5}", False)]),
        # prices are not maths
        ("a notebook costs $3 and a pen $4", []),
        ("between $3-$4 each", []),
        ("$5 and $10", []),
        ("it costs $ 5 and $ 6", []),
        ("from $20 to $30, that is $10 more", []),
        ("badges cost $3 each, a banner $4: then solve $x^2 - 5x + 6 = 0$.",
         [("x^2 - 5x + 6 = 0", False)]),
        ("pay $5 now, and $x$ later", [("x", False)]),
        # escaped dollars
        ("escaped \\$5 and \\$6", []),
        ("\\$x$ is not", []),
        ("$a\\$b$", [("a\\$b", False)]),
        ("\\\\[not display]", []),
        # code
        ("`$x$` is code", []),
        ("``$a` and `b$`` too", []),
        ("`$x` then $y$", [("y", False)]),
        # unclosed, empty, blank lines
        ("the end: $x + y", []),
        ("\\[ x + y", []),
        ("$$ x", []),
        ("$$$$", []),
        ("\\[ \\]", []),
        ("$x\n\ny$", []),
        ("$$x\n\ny$$", []),
        ("$x\ny$", [("x\ny", False)]),
    ],
)  # fmt: skip
def test_detection(text: str, expected: list[tuple[str, bool]]) -> None:
    assert [(f.tex, f.display) for f in formulas(text)] == expected


def test_sources_keep_delimiters() -> None:
    parts = split_maths("a $x$ b \\(y\\) c")
    assert parts == [
        Prose("a "),
        Formula("x", False, "$x$"),
        Prose(" b "),
        Formula("y", False, "\\(y\\)"),
        Prose(" c"),
    ]


@pytest.mark.parametrize(
    "opener", ["${", "\\(", "\\[", "$$x{", "\\begin{align}\n", "`` `", "\\boxed{", "\\boxed{a"]
)
def test_thousands_of_unclosed_openers(opener: str) -> None:
    # Each opener looks ahead for its closer; the scanner remembers what it found, so this is
    # linear (a naive scan took 20 s on 40,000 characters of "${").
    text = opener * 20_000
    assert "".join(part.source for part in split_maths(text)) == text


def test_a_huge_formula_is_text() -> None:
    text = "$" + "x" * 10_000 + "$"
    assert formulas(text) == []


_ALPHABET = st.sampled_from(list("$\\`{}()[] \nx1a") + ["\\begin{align}", "\\end{align}"])


@given(st.lists(_ALPHABET, max_size=60).map("".join))
def test_any_text_parts_join_back(text: str) -> None:
    parts = split_maths(text)
    assert "".join(part.source for part in parts) == text
    assert all(part.source for part in parts)


@given(st.text(max_size=200))
def test_any_unicode_text(text: str) -> None:
    assert "".join(part.source for part in split_maths(text)) == text


@given(st.text(alphabet=st.characters(blacklist_characters="$\\`"), max_size=80))
def test_text_without_markers_is_prose(text: str) -> None:
    assert formulas(text) == []
