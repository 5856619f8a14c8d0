"""0 and 1 to a power too big to work out still have a known value: `0^{(7^{500})}` is 0 and
`1^{(2^{900})}` is 1. Other huge powers stay unjudged."""

from __future__ import annotations

import pytest

from client.audit import audit_trace
from client.audit.exact import positive
from client.core.audit import Severity


def errors(text: str) -> list[str]:
    result = audit_trace(steps=[text])
    return [f.message for f in result.findings if f.severity is Severity.ERROR]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (r"Hence \(0^{(7^{500})} = 1\).", "0^{(7^{500})} is 0, not 1."),
        (r"Hence \(1^{(2^{900})} = 2\).", "1^{(2^{900})} is 1, not 2."),
        (r"Hence \(0^{3 \cdot 4^{99}} = 1\).", r"0^{3 \cdot 4^{99}} is 0, not 1."),
    ],
)
def test_a_wrong_value_of_zero_or_one_to_a_huge_power(text: str, message: str) -> None:
    assert errors(text) == [message]


@pytest.mark.parametrize(
    "text",
    [
        r"Hence \(0^{(7^{500})} = 0\).",
        r"Hence \(1^{(2^{900})} = 1\).",
        r"Hence \(3^{(2^{90})} = 9\).",  # too big to judge: left alone
        r"Hence \(0^{(2 - 3^{80})} = 0\).",  # the exponent's sign is not plain: left alone
    ],
)
def test_true_or_unjudged_huge_powers_stay_quiet(text: str) -> None:
    assert errors(text) == []


def test_positive() -> None:
    assert positive(("pow", ("num", 5, False), ("num", 90, False)))
    assert not positive(("add", [("num", 2, False), ("neg", ("num", 3, False))]))
