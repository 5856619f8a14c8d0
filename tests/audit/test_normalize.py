"""Normalisation of LaTeX and Unicode maths, and the offsets that lead back to the source;
tokenising and exact evaluation of what comes out."""

from __future__ import annotations

from fractions import Fraction

import pytest

from client.audit.expr import NotArithmetic, evaluate, tokenize
from client.audit.normalize import matching_braces, normalise


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (r"\frac{3}{5} \times 30", "((3)/(5)) * 30"),
        (r"\dfrac{1}{2} \cdot 4", "((1)/(2)) * 4"),
        (r"2\frac{1}{2}", "(2+((1)/(2)))"),
        ("2½", "(2+(1/2))"),
        ("1,200 − 15 × 4", "1200 - 15 * 4"),
        (r"1{,}200 + 1\,000", "1200 + 1000"),
        ("12 ÷ 4", "12 / 4"),
        (r"\$4.95", "4.95"),
        ("60 x 60", "60  *  60"),
        ("5 times 3", "5  *  3"),
        ("18 divided by 3", "18  / 3"),
        ("50% of 30", "50%  *  30"),
        (r"x^{2}", "x^(2)"),
        ("x²", "x^2"),
        (r"7 \div 2 \approx 3.5", "7 / 2 ≈ 3.5"),
        (r"\(a\)", "|a|"),
        (r"\text{Total} = 5", " Total  = 5"),
        (r"90^\circ", "90 "),
        (r"3 \neq 4", "3 ≠ 4"),
    ],
)
def test_normalised_text(source: str, expected: str) -> None:
    assert normalise(source).text == expected


@pytest.mark.parametrize(
    ("source", "normalised_part", "source_part"),
    [
        (r"so \frac{3}{5} = 1", "((3)/(5))", r"\frac{3}{5}"),
        (r"is 50\%.", "50%", r"50\%"),
        ("pay $12 now", "12", "$12"),
        (r"\left( 2 + 3 \right)", "( 2 + 3 )", r"\left( 2 + 3 \right)"),
        ("1,200 apples", "1200", "1,200"),
    ],
)
def test_spans_map_back_to_the_source(source: str, normalised_part: str, source_part: str) -> None:
    norm = normalise(source)
    start = norm.text.index(normalised_part)
    begin, end = norm.span(start, start + len(normalised_part))
    assert source[begin:end] == source_part


def test_every_output_character_has_a_source() -> None:
    source = r"Let \(x = \frac{1}{2}\): 2½ × 1,000 − 3² = \$491."
    norm = normalise(source)
    assert len(norm.text) == len(norm.source) == len(norm.source_end)
    assert all(0 <= a < b <= len(source) for a, b in zip(norm.source, norm.source_end, strict=True))


def test_matching_braces_skip_escaped_ones() -> None:
    assert matching_braces(r"\{a{b}\}{c}") == {3: 5, 8: 10}


def test_unclosed_fraction_reads_as_a_word() -> None:
    assert "frac" in normalise(r"\frac{1").text


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("(-9 - 5 - 0)", Fraction(-14)),
        ("5 + 3 - -2 * 2", Fraction(12)),
        ("2 1/2 * 4", Fraction(10)),
        ("2^10", Fraction(1024)),
        ("2 ** 3", Fraction(8)),
        ("√(16)", Fraction(4)),
        ("(3)(4)", Fraction(12)),
        ("2(3 + 4)", Fraction(14)),
        ("50% * 30", Fraction(15)),
        ("20% + 30%", Fraction(1, 2)),
        ("0.1 + 0.2", Fraction(3, 10)),
    ],
)
def test_exact_evaluation(text: str, value: Fraction) -> None:
    assert evaluate(tokenize(text)).value == value


@pytest.mark.parametrize(
    "text",
    [
        "1/0",
        "√(2)",
        "2^(1/2)",
        "10^1000",
        "50 + 10%",
        "(1 + 2",
        "1 +",
        "(" * 80 + "1" + ")" * 80,
        "-" * 200 + "1",
    ],
)
def test_what_cannot_be_evaluated_exactly_is_refused(text: str) -> None:
    with pytest.raises(NotArithmetic):
        evaluate(tokenize(text))


def test_evaluation_reports_the_form_of_a_side() -> None:
    literal = evaluate(tokenize("12.50%"))
    assert literal.literal and literal.percent and literal.decimals == 4
    division = evaluate(tokenize("17 / 5"))
    assert division.divides_integers and not division.integral
    assert evaluate(tokenize("3 * 4 + 2")).integral


def test_clock_times_are_one_token() -> None:
    assert [t.kind for t in tokenize("at 3:45 today")] == ["word", "clock", "word"]
