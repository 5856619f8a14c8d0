"""The symbolic check: each kind of claim SymPy (or exact fractions) judges, true ones left
alone, and the limits that keep a pathological expression from stalling an audit."""

from __future__ import annotations

import subprocess
import sys

import pytest

from client.audit import audit_trace
from client.audit.segment import from_texts
from client.audit.symbolic import check_symbolic
from client.core.audit import Severity


def messages(*steps: str, budget: float | None = None) -> list[str]:
    split = from_texts(list(steps))
    found = check_symbolic(split) if budget is None else check_symbolic(split, budget)
    return [f.message for f in found]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (r"There are \(\binom{7}{3} = 30\) teams.", r"\binom{7}{3} is 35, not 30."),
        (r"so $6! = 620$ orders", "6! is 720, not 620."),
        (r"\( \sqrt{75} = 5\sqrt{2} \)", r"\sqrt{75} is about 8.66025, not 5\sqrt{2}."),
        (r"\( \sqrt[3]{125} = 6 \)", r"\sqrt[3]{125} is 5, not 6."),
        (r"\( \log_3 81 = 5 \)", r"\log_3 81 is 4, not 5."),
        (r"\( \log_2 10 = 3 \)", r"\log_2 10 is about 3.32193, not 3."),
        (
            r"\( \cos 60^\circ = \frac{\sqrt{3}}{2} \)",
            r"\cos 60^\circ is 0.5, not \frac{\sqrt{3}}{2}.",
        ),
        (r"\( \tan \frac{\pi}{4} = 2 \)", r"\tan \frac{\pi}{4} is 1, not 2."),
        (r"\( \gcd(24, 36) = 6 \)", r"\gcd(24, 36) is 12, not 6."),
        (r"\( \operatorname{lcm}(6, 10) = 60 \)", r"\operatorname{lcm}(6, 10) is 30, not 60."),
        (r"\( 23 \bmod 7 = 3 \)", r"23 \bmod 7 is 2, not 3."),
        (r"\( \sum_{k=1}^{5} k^2 = 50 \)", r"\sum_{k=1}^{5} k^2 is 55, not 50."),
        (r"\( \prod_{j=1}^{4} j = 20 \)", r"\prod_{j=1}^{4} j is 24, not 20."),
    ],
)
def test_evaluated_functions(text: str, message: str) -> None:
    assert messages(text) == [message]


@pytest.mark.parametrize(
    "text",
    [
        r"\( \binom{7}{3} = 35 \)",
        r"\( 6! = 720 \)",
        r"\( \sqrt{75} = 5\sqrt{3} \)",
        r"\( \log_3 81 = 4 \)",
        r"\( \sin 30^\circ = \frac{1}{2} \)",
        r"\( \cos \frac{\pi}{3} = \frac{1}{2} \)",
        r"\( \gcd(24, 36) = 12 \)",
        r"\( \sum_{k=1}^{5} k^2 = 55 \)",
        r"\( \sqrt{2} = 1.414 \)",  # a rounded value is not a false one
        r"\( \sin 30 = \frac{1}{2} \)",  # degrees or radians? not judged
        r"\( \log 100 = 2 \)",  # base 10 or e? not judged
    ],
)
def test_true_or_ambiguous_evaluations_stay_quiet(text: str) -> None:
    assert messages(text) == []


def test_a_slip_in_an_expansion_chain() -> None:
    text = r"\[ (y+3)^2 = y^2 + 6y + 9 = y^2 + 9 \]"
    assert messages(text) == ["y^2 + 6y + 9 and y^2 + 9 are not equal: they differ by 6y."]


def test_a_true_expansion_chain_is_quiet() -> None:
    assert messages(r"\[ (y+3)^2 = y^2 + 6y + 9 = (y+3)(y+3) \]") == []


def test_expanding_in_words_makes_a_two_sided_identity() -> None:
    text = r"Expanding, \( (t+2)(t+5) = t^2 + 7t + 7 \)."
    assert messages(text) == ["(t+2)(t+5) and t^2 + 7t + 7 are not equal: they differ by 3."]


def test_an_equation_to_solve_is_not_an_identity() -> None:
    assert messages(r"We need \( t^2 + 7t = 3t + 12 \).") == []


def test_a_known_relation_substituted_is_not_a_false_identity() -> None:
    # p + q = 5 is known; the chain uses it
    text = r"\[ p^2 + q^2 = (p+q)^2 - 2pq = 25 - 2pq \]"
    assert messages(text) == []


def test_a_claimed_solution_is_substituted_back() -> None:
    assert messages(r"From \( 4w - 7 = 21 \) we get \( w = 6 \).") == [
        "w = 6 does not solve 4w - 7 = 21."
    ]
    assert messages(r"From \( 4w - 7 = 21 \) we get \( w = 7 \).") == []


def test_cases_are_not_one_line_of_solving() -> None:
    text = r"\[ w + 4 = 0 \quad \text{or} \quad w - 1 = 0 \] so \[ w = -4 \quad \text{or} \quad w = 1 \]"
    assert messages(text) == []


def test_a_value_solving_any_alternative_is_not_wrong() -> None:
    text = r"\(w+4=0\) or \(w-1=0\), so \(w=-4\) or \(w=1\)."
    assert messages(text) == []


def test_a_restatement_after_or_is_still_a_claim() -> None:
    assert messages(r"So \( 12 \cdot 13 = m \), or \( m = 146 \).") == [
        r"m = 146 does not solve 12 \cdot 13 = m."
    ]


def test_cases_solved_one_after_another_are_not_one_derivation() -> None:
    text = (
        r"so either \( q - 2 = 3 \) or \( q - 2 = 9 \). Solving: "
        r"\[ q - 2 = 3 \implies q = 5 \] \[ q - 2 = 9 \implies q = 11 \]"
    )
    assert messages(text) == []


def test_expansions_with_fractions_are_exact() -> None:
    assert messages(r"Expanding, \((y + \frac{1}{3})^2 = y^2 + \frac{2}{3}y + \frac{1}{9}\).") == []
    assert messages(r"Expanding, \((y + \frac{1}{3})^2 = y^2 + \frac{2}{3}y + \frac{1}{3}\).") == [
        r"(y + \frac{1}{3})^2 and y^2 + \frac{2}{3}y + \frac{1}{3} are not equal: they differ by -2/9."
    ]


def test_a_solving_step_that_changes_the_solution() -> None:
    text = r"\[ 3z + 4 = 19 \] \[ 3z = 19 + 4 \] \[ z = \frac{23}{3} \]"
    assert messages(text) == [
        "3z = 19 + 4 does not follow from 3z + 4 = 19: that gives z = 5, this z = 23/3."
    ]


def test_a_worked_out_value_must_agree_with_its_later_claim() -> None:
    text = r"So \( 23 \cdot 47 = k \), that is \( k = 1071 \)."
    assert messages(text) == [r"k = 1071 does not solve 23 \cdot 47 = k."]


def test_equal_huge_powers_are_compared_by_their_bases() -> None:
    text = r"\[ \left(2 + \frac{1}{3}\right)^{70} = \left(\frac{5}{3} + \frac{1}{3}\right)^{70} \]"
    assert messages(text) == [
        r"\left(2 + \frac{1}{3}\right)^{70} is (7/3)^70, not "
        r"\left(\frac{5}{3} + \frac{1}{3}\right)^{70}."
    ]


def test_testing_sentences_are_not_claims() -> None:
    assert messages(r"Let's check whether \( \binom{7}{3} = 30 \)?") == []


def test_findings_are_errors_with_spans_on_the_claim() -> None:
    text = r"There are \(\binom{7}{3} = 30\) teams."
    (finding,) = check_symbolic(from_texts([text]))
    assert finding.severity is Severity.ERROR
    assert finding.check == "symbolic"
    assert text[finding.start : finding.end] == r"\binom{7}{3} = 30"


def test_the_audit_reports_symbolic_findings_as_first_error() -> None:
    result = audit_trace(
        steps=["We count committees.", r"There are \(\binom{7}{3} = 30\) of them."]
    )
    assert result.first_error_step == 1


def test_an_exhausted_budget_leaves_sympy_claims_unjudged() -> None:
    text = r"\( \sqrt{75} = 5\sqrt{2} \) and \[ (y+3)^2 = y^2 + 6y + 9 = y^2 + 9 \]"
    assert messages(text, budget=0) == []
    # claims exact fractions can judge need no budget
    assert messages(r"\( \binom{7}{3} = 30 \)", budget=0) == [r"\binom{7}{3} is 35, not 30."]


@pytest.mark.parametrize(
    "text",
    [
        r"\( 9^{9^{9^{9}}} = 3 \)",
        r"\( 100000! = 5 \)",
        r"\( \binom{10^{9}}{500} = 2 \)",
        r"\( \sum_{k=1}^{10^{12}} k = 7 \)",
        r"\( " + "(" * 200 + "1" + ")" * 200 + " = 2 \\)",
        r"\( (x+1)^{60} = x^{60} + 1 = x \cdot x \)",
    ],
)
def test_pathological_expressions_give_up_quietly(text: str) -> None:
    assert messages(text) == []


def test_sympy_and_math_verify_are_not_imported_by_a_plain_audit() -> None:
    code = (
        "import sys\n"
        "from client.audit import audit_trace\n"
        "audit_trace('So 17 x 3 = 51 and \\\\(\\\\frac{6}{3} = 2\\\\). The answer is 51.', answer='51')\n"
        "print('sympy' in sys.modules, 'math_verify' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_pi_taken_as_a_fraction_is_an_approximation_not_a_slip() -> None:
    text = r"Taking \(\pi = \frac{22}{7}\), the area is \(\pi \cdot 7^2 = \frac{22}{7} \cdot 49\)."
    assert messages(text) == []
    assert messages(r"So \(\pi \cdot 7^2 = 140\).") == [r"\pi \cdot 7^2 is about 153.938, not 140."]


def test_a_name_given_a_new_meaning_is_not_judged_against_the_old_equation() -> None:
    text = r"From \(3m = 12\) we get \(m = 4\). Shifting everything up by one, the new \(m = 5\)."
    assert messages(text) == []


def test_an_environment_inside_display_maths_is_read_line_by_line() -> None:
    text = "\\[\n\\begin{aligned}\n(p-2)^2 &= p^2 - 4p + 4 \\\\\n&= p^2 + 4\n\\end{aligned}\n\\]"
    assert messages(text) == ["p^2 - 4p + 4 and p^2 + 4 are not equal: they differ by -4p."]


def test_a_matrix_never_joins_the_maths_around_it() -> None:
    text = r"\[ \det\begin{pmatrix} 2 & 7 \\ 1 & 4 \end{pmatrix} = 2 \cdot 4 - 7 \cdot 1 = 1 \]"
    assert messages(text) == []


def test_a_worked_out_value_restated_differently() -> None:
    assert messages(r"Let \(q = 31 \cdot 17\), so \(q = 517\).") == [
        r"q = 517, but 31 \cdot 17 is 527."
    ]
    assert messages(r"Let \(q = 31 \cdot 17\), so \(q = 527\).") == []
    # another case gives the name another value: not a restatement
    assert messages(r"Take \(q = 2^4 - 1\). In the second case \(q = 31\).") == []


def test_loading_sympy_does_not_use_up_the_first_audits_budget() -> None:
    code = (
        "import sys\n"
        "from client.audit import audit_trace\n"
        "r = audit_trace(steps=[r'\\[ (w+5)^2 = w^2 + 10w + 25 = w^2 + 25 \\]'])\n"
        "print('sympy' in sys.modules, [f.step for f in r.findings])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "[0]"]


def test_a_line_of_solving_in_the_next_step_is_still_one_derivation() -> None:
    found = check_symbolic(from_texts([r"Solve \(4k + 6 = 30\).", r"Then \(4k = 30 + 6\)."]))
    assert [(f.step, f.message) for f in found] == [
        (1, "4k = 30 + 6 does not follow from 4k + 6 = 30: that gives k = 6, this k = 9.")
    ]
    found = check_symbolic(from_texts([r"We have \(4k + 6 = 30\).", r"So \(k = 7\)."]))
    assert [f.message for f in found] == ["k = 7 does not solve 4k + 6 = 30."]


def test_the_next_step_about_something_else_is_not_a_derivation() -> None:
    assert messages(r"Solve \(4k + 6 = 30\).", r"For part (b), \(4k = 30 + 6\).") == []
    assert messages(r"\(4k + 6 = 30\) gives \(k = 6\).", r"In the second part \(k = 7\).") == []
    # a step without maths between ends the derivation
    assert messages(r"Solve \(4k + 6 = 30\).", "Now a new problem.", r"So \(k = 7\).") == []
