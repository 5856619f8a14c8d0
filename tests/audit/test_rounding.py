"""A value written with "=" counts as rounded only when it is the exact value written to fewer
digits: rounded to its last place or cut off there. Anything else, however close in units of
its last place, is a slip."""

from __future__ import annotations

import pytest

from client.audit.arithmetic import check_step
from client.core.audit import Severity


@pytest.mark.parametrize(
    "text",
    [
        r"So \(\frac{1}{\frac{4}{3}} = 1\).",  # 0.75 rounds to 1
        "Each share is 7 / 8 = 0.9 of a cake.",  # 0.875 rounds to 0.9
        "The rate is 20 / 3 = 6.66 per hour.",  # cut off, not rounded: still a writing of it
        "That leaves 5 / 2 = 3 boxes.",  # half a unit: rounded up
        "We get 5 / 2 = 2 boxes.",  # and cut off
        "Then -7 / 3 = -2.33 each.",
    ],
)
def test_a_value_rounded_or_cut_off_is_a_note_at_most(text: str) -> None:
    assert all(f.severity is not Severity.ERROR for f in check_step(0, text)), text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (r"So \(\frac{1}{\frac{7}{3}} = 1\).", "(1/(7/3)) is about 0.4286, not 1."),
        ("The share is 3 / 8 = 1 of the whole.", "3 / 8 is 0.375, not 1."),
        ("Each part is 2 / 7 = 0.4 metres.", "2 / 7 is about 0.2857, not 0.4."),
    ],
)
def test_a_value_within_a_unit_that_no_rounding_gives_is_an_error(text: str, message: str) -> None:
    found = [f for f in check_step(0, text) if f.severity is Severity.ERROR]
    assert [f.message for f in found] == [message]


def test_an_announced_approximation_keeps_its_tolerance() -> None:
    # "≈" is the writer's own warning: 0.95 ≈ 1 stays judged by its share, not by digits.
    assert all(f.severity is not Severity.ERROR for f in check_step(0, "So 19 / 20 ≈ 1 of them."))
