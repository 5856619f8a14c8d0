"""Maths read as maths: Markdown bullets, LaTeX functions, vectors and norms, scoped bindings,
`align` chains and units. Every example is written for this test."""

from __future__ import annotations

import pytest

from client.audit import audit_trace
from client.audit.arithmetic import check_step
from client.audit.latex import chains, parse
from client.core.audit import Severity


def errors(*steps: str) -> list[str]:
    result = audit_trace(steps=list(steps))
    return [f.message for f in result.findings if f.severity is Severity.ERROR]


@pytest.mark.parametrize(
    "text",
    [
        "The cubes are:\n- \\(3^3 = 27\\)\n- \\(4^3 = 64\\)\n- \\(6^3 = 216\\)",
        "Halving each time:\n* \\(4096 \\div 2 = 2048\\)\n* \\(2048 \\div 2 = 1024\\)",
        "Totals:\n  - 12 + 30 = 42\n  - 7 × 6 = 42",
        "Powers of 3:\n+ $3^4 = 81$\n+ $3^5 = 243$",
    ],
)
def test_a_list_bullet_is_not_a_minus_sign(text: str) -> None:
    assert check_step(0, text) == []


def test_a_wrong_item_in_a_bulleted_list_is_still_found() -> None:
    found = check_step(0, "The cubes are:\n- \\(3^3 = 27\\)\n- \\(4^3 = 68\\)")
    assert [f.message for f in found] == ["4^3 is 64, not 68."]


def test_a_leading_minus_without_a_space_is_still_a_minus() -> None:
    assert check_step(0, "-3 + 5 = 2") == []
    assert [f.message for f in check_step(0, "-3 + 5 = 8")] == ["-3 + 5 is 2, not 8."]


@pytest.mark.parametrize(
    "text",
    [
        # law of cosines: `\cos A` is a factor, not a unit word after 12
        r"\[ 49 = 25 + 16 - 40 \cos A \] \[ 8 = -40 \cos A \]",
        r"\( 9 = 34 - 30 \cos \theta \)",
        r"\( \log(p/q) = -3 \)",
        r"\( 5 \sin B = 3 \)",
    ],
)
def test_functions_of_angles_and_logs_are_not_numbers(text: str) -> None:
    assert check_step(0, text) == []


@pytest.mark.parametrize(
    "steps",
    [
        # a value bound in one sentence is about that sentence's objects
        ["For the first point, $p = 3$ and $q = 0$.", "Then $p + q = 5$ for the second point."],
        # two bindings in one clause are not one chain ("p = 3 and q = 0" does not make p 0)
        ["Here $p=3$ and $q=0$, so the distance is $\\sqrt{p^2+q^2} = 3$."],
        # norms and vectors are never numbers
        [r"We know $\|u\| = 4$, $\|v\| = 6$, $\|w\| = 8$ and $u + v + w = 0$."],
        [r"Let $\mathbf{u} = 2$ units long; then $\vec{u} + \vec{v} = 0$."],
        # indexed names and functions are names of their own
        [r"Here $a_1 = 4$ and $a_2 = 9$, so $a_1 + a_2 = 13$ and $g(2) = 7$."],
    ],
)
def test_bindings_are_scoped_and_only_plain_names_bind(steps: list[str]) -> None:
    assert errors(*steps) == []


def test_a_binding_applies_to_later_clauses_of_its_own_step() -> None:
    found = errors("Take m = 6. Then m + 2 = 9.")
    assert found == ["m + 2 is 8, not 9."]


def test_a_stated_value_does_not_travel_to_other_steps() -> None:
    assert errors("Take m = 6.", "In the other case m + 2 = 9.") == []


def test_a_worked_out_quantity_travels_to_later_steps() -> None:
    found = errors("First, T = (8 + 4) = 12.", "So T + 5 = 18.")
    assert found == ["T + 5 is 17, not 18."]


def test_align_lines_starting_with_equals_continue_the_chain() -> None:
    text = r"\begin{align*} \binom{7}{2} &= \frac{7 \cdot 6}{2} \\ &= 22 \end{align*}"
    (chain,) = chains(text)
    assert [side.source(text) for side in chain.sides] == [
        r"\binom{7}{2}",
        r"\frac{7 \cdot 6}{2}",
        "22",
    ]


@pytest.mark.parametrize(
    ("latex", "parsed"),
    [
        (r"\left( 2 \right) \cdot 3", True),
        (r"\dfrac{1}{2} \times 4 \div 2", True),
        (r"\sqrt[3]{27}", True),
        (r"\binom{5}{2}", True),
        (r"4!", True),
        (r"10{,}000", True),
        (r"f(3)", False),
        (r"a_{n}", False),
        (r"\vec{v}", False),
        (r"\{1, 2\}", False),
    ],
)
def test_the_parser_reads_maths_and_refuses_names_it_cannot_value(latex: str, parsed: bool) -> None:
    text = f"$y = {latex}$"
    read = [parse(side) for chain in chains(text) for side in chain.sides[1:]]
    assert (read != [] and all(tree is not None for tree in read)) is parsed


def test_units_in_text_end_a_side() -> None:
    assert errors(r"\( \sqrt{49} \text{ cm} = 8 \text{ cm} \)") == [r"\sqrt{49} is 7, not 8."]


def test_a_false_middle_expression_is_found_though_the_result_is_right() -> None:
    text = "So C(10, 7) = (10 * 9 * 8 * 7 * 6 * 5) / (7 * 6 * 5 * 4 * 3 * 2 * 1) = 120 ways."
    assert [f.message for f in check_step(0, text)] == [
        "(10 * 9 * 8 * 7 * 6 * 5) / (7 * 6 * 5 * 4 * 3 * 2 * 1) is 30, not 120."
    ]


def test_a_cancelled_factor_that_does_not_cancel_is_found() -> None:
    text = (
        r"\[ \frac{30 \times 29 \times 28}{3 \times 2 \times 1}"
        r" = \frac{30 \times 29 \times 28}{3} \]"
    )
    assert [f.message for f in check_step(0, text)] == ["(3 × 2 × 1) is 6, but 3 is 3."]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("17 times 3 is 41.", "17 times 3 is 51, not 41."),
        ("So 12 + 30 equals 43 in total.", "12 + 30 is 42, not 43."),
    ],
)
def test_claims_in_words_are_checked(text: str, message: str) -> None:
    assert [f.message for f in check_step(0, text)] == [message]


@pytest.mark.parametrize(
    "text",
    ["Step 2 is 5 pages long.", "The sum of 20 and 50 is 70.", "17 times 3 is 51, not 41."],
)
def test_words_that_are_not_claims_stay_quiet(text: str) -> None:
    assert check_step(0, text) == []


def test_a_function_of_names_is_not_evaluated_with_their_values() -> None:
    # p and q are worked-out quantities, but \log(p/q) is not p/q
    steps = [
        "First, p = (2 + 4) = 6. Separately, q = (1 + 2) = 3.",
        r"Then \[ \log \left(\frac{p}{q}\right) = -5 \] by the second equation.",
    ]
    assert errors(*steps) == []


def test_a_power_on_a_unit_squares_the_unit_not_the_number() -> None:
    assert check_step(0, r"\[ A = 9 \times 6.5 = 58.5 \text{ cm}^2 \]") == []
    assert check_step(0, "So 8 × 4.5 = 36 m² of floor.") == []
    found = check_step(0, r"\[ A = 9 \times 6.5 = 59.5 \text{ cm}^2 \]")
    assert [f.message for f in found] == ["9 × 6.5 is 58.5, not 59.5."]


@pytest.mark.parametrize(
    "text",
    [
        "Drei Hefte kosten 3 × 2,40 € = 7,20 €.",
        "Mit Rabatt: 80,00 € × 0,75 = 60,00 €.",
        "Es sind 1,5 kg + 2,25 kg = 3,75 kg.",
        "Zwei Geräte: 2 × 1.234,56 € = 2.469,12 €.",
        # a comma between numbers in a list, a pair, a set or an index separates them
        "The roots are 1,2,3 and the point (0,5) = P; then 4 + 1 = 5.",
        r"The set \(\{1,2\}\) and \(a_{1,2} = 7\).",
    ],
)
def test_decimal_commas_are_decimals(text: str) -> None:
    assert check_step(0, text) == []


def test_a_false_sum_with_decimal_commas_is_found() -> None:
    found = check_step(0, "Drei Hefte kosten 3 × 2,40 € = 7,50 €.")
    assert [f.message for f in found] == ["3 × 2,40 is 7.2, not 7,50."]


@pytest.mark.parametrize(
    "text",
    [
        r"The ratio of boys to girls is $3:4 = 0.75$.",
        "A gear ratio of 5 : 2 = 2.5 turns.",
        "Mix it 2:1 = 2 parts water per part juice.",
    ],
)
def test_a_ratio_is_not_a_clause_break(text: str) -> None:
    # read across the colon, the 4 alone was claimed to equal 0.75
    assert check_step(0, text) == []


def test_a_label_colon_still_ends_a_clause() -> None:
    assert [f.message for f in check_step(0, "Case 2: 6 + 5 = 12.")] == ["6 + 5 is 11, not 12."]
