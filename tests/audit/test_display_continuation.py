"""A display that starts with "=" continues the expression of the display right before it
(`\\[ (a+b)^2 \\] \\[ = a^2 + 2ab + b^2 \\]`): together they are one chain, judged link by link."""

from __future__ import annotations

import pytest

from client.audit import audit_trace
from client.audit.latex import chains
from client.core.audit import Severity


def errors(text: str) -> list[str]:
    result = audit_trace(steps=[text])
    return [f.message for f in result.findings if f.severity is Severity.ERROR]


def sides(text: str) -> list[list[str]]:
    return [[text[s.start : s.end] for s in chain.sides] for chain in chains(text)]


def test_displays_starting_with_equals_join_the_chain_before() -> None:
    text = r"So \[ B = 3 \times 7 \times y \] \[ = 21y \] \[ = 20y \]"
    assert sides(text) == [["B", r"3 \times 7 \times y", "21y", "20y"]]
    assert errors(text) == ["21y and 20y are not equal: they differ by y."]


def test_a_run_that_continues_the_words_before_starts_at_its_first_expression() -> None:
    text = r"Simplifying: \[ = (c + 2)(c - 2) \] \[ = c^2 - 2 \]"
    assert sides(text) == [["(c + 2)(c - 2)", "c^2 - 2"]]
    assert len(errors(text)) == 1


@pytest.mark.parametrize(
    "text",
    [
        r"So \[ B = 3 \times 7 \times y \] \[ = 21y \]",
        r"We expand: \[ (p-1)^2 \] \[ = p^2 - 2p + 1 \]",
        # Words between: not a continuation of that display.
        r"\[ (p-1)^2 \] which we compare with \[ = p^2 + 1 \]",
        # A display that does not start with "=" is a new chain.
        r"\[ 2q + 1 = 7 \] \[ q = 3 \]",
    ],
)
def test_true_runs_and_separate_displays_stay_quiet(text: str) -> None:
    assert errors(text) == []


def test_the_first_display_is_not_judged_twice() -> None:
    text = r"\[ (p-1)^2 = p^2 - 2p + 1 \] \[ = p^2 + 1 \]"
    assert len(chains(text)) == 1
    assert len(errors(text)) == 1
