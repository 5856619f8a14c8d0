"""Typesetting one formula: SVG with a size and a baseline, MathML with its TeX, and hostile TeX
refused or cut off without harm."""

from __future__ import annotations

import pytest

from client.render.typeset import (
    FormulaError,
    FormulaKey,
    formula_href,
    formula_of_href,
    mathml,
    refusal,
    typeset_svg,
)


def test_svg_has_a_size_and_a_baseline_and_the_colour() -> None:
    typeset = typeset_svg(FormulaKey("\\frac{a}{b} + x_1^2", False, 20.0, "#123456"))
    assert typeset.width > 20 and typeset.height > 20
    assert 0 < typeset.ascent < typeset.height and typeset.descent > 0  # a fraction hangs below
    assert "#123456" in typeset.svg
    assert "<symbol" not in typeset.svg  # QtSvg draws plain paths only


@pytest.mark.parametrize(
    "tex",
    [
        "\\href{http://127.0.0.1:1/x}{y}",
        "\\url{http://127.0.0.1:1/x}",
        "\\includegraphics{/etc/passwd}",
        "\\htmlClass{x}{y}",
        "\\def\\a{\\a\\a}\\a",
        "\\newcommand{\\b}{\\b\\b}\\b",
        "\\input{/etc/passwd}",
    ],
)
def test_hostile_commands_are_refused_everywhere(tex: str) -> None:
    assert refusal(tex)
    with pytest.raises(FormulaError, match="not typeset"):
        typeset_svg(FormulaKey(tex, False, 20.0, "#000000"))
    assert mathml(tex, False) is None


def test_malformed_tex_is_a_sentence_not_a_traceback() -> None:
    with pytest.raises(FormulaError, match="could not be read"):
        typeset_svg(FormulaKey("\\frac{", False, 20.0, "#000000"))


def test_an_over_long_formula_is_refused_before_any_parsing() -> None:
    long = "x + " * 1_001  # over MAX_FORMULA_CHARS
    assert refusal(long)
    with pytest.raises(FormulaError, match="longer than"):
        typeset_svg(FormulaKey(long, False, 20.0, "#000000"))
    assert mathml(long, False) is None


def test_mathml_keeps_the_tex_as_an_annotation() -> None:
    converted = mathml("a < b", True)
    assert converted is not None and converted.startswith("<math")
    assert 'display="block"' in converted
    assert '<annotation encoding="application/x-tex">a &lt; b</annotation>' in converted


@pytest.mark.parametrize("tex", ["x", "a b%20 $\\frac{1}{2}$", "ü → ∞", "100%"])
def test_addresses_round_trip(tex: str) -> None:
    for display in (True, False):
        assert formula_of_href(formula_href(tex, display)) == (tex, display)
    assert formula_of_href("thinkpane-math:") is None and formula_of_href("http://x") is None
