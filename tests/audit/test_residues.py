"""Residues of whole numbers: `a mod n = r`, `a ≡ r (mod n)`, and a name given `a mod n` whose
value follows on the next line. False only when a - r is not a multiple of n."""

from __future__ import annotations

import pytest

from client.audit import audit_trace
from client.core.audit import Severity


def errors(text: str) -> list[str]:
    result = audit_trace(steps=[text])
    return [f.message for f in result.findings if f.severity is Severity.ERROR]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (r"So \(100 \mod 7 = 3\).", "100 mod 7 is 2, not 3."),
        (r"So \(100 \bmod 7 = 3\).", "100 \\bmod 7 is 2, not 3."),  # the symbolic check's, once
        ("Then 250 mod 12 is 11.", "250 mod 12 is 10, not 11."),
        (r"Hence \(96 \equiv 5 \pmod{9}\).", "96 mod 9 is 6, not 5."),
        ("and 61 ≡ 3 (mod 8) as well", "61 mod 8 is 5, not 3."),
        (r"\[ T = 1000 \mod 33 \] \[ T = 13 \]", "1000 mod 33 is 10, not 13."),
        (r"- \(77 \mod 10 = 6\)", "77 mod 10 is 7, not 6."),  # a bullet, not a minus
    ],
)
def test_a_false_residue_is_an_error(text: str, message: str) -> None:
    assert errors(text) == [message]


@pytest.mark.parametrize(
    "text",
    [
        r"So \(100 \bmod 7 = 2\).",
        r"so \(40 \equiv 12 \pmod{7}\)",  # not reduced, but congruent
        r"and \(-1 \equiv 16 \pmod{17}\)",  # a negative residue
        r"\(2^{10} \equiv 5 \pmod{7}\)",  # a power: not a plain number
        r"\(3 \cdot 5 \equiv 3 \pmod{7}\)",  # part of a product
        r"The inverse of 5 mod 7 is 4.",  # a phrase, not the residue of 5
        r"If \(58 \equiv 3 \pmod{7}\), we would be done.",  # supposed
        r"Is 58 mod 7 = 3?",  # asked
        r"\[ T = 1000 \mod 33 \] \[ T = 10 \]",
        r"\[ T = 1000 \mod 33 \] \[ U = 13 \]",  # another name
        r"\(x \equiv 4 \pmod{9}\)",  # a variable
    ],
)
def test_true_or_unread_residues_stay_quiet(text: str) -> None:
    assert errors(text) == []
