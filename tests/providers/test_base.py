"""The adapter interface: every provider's adapter is an Adapter, built by the registry."""

from __future__ import annotations

import pytest

from client.core.request import TurnRequest
from client.providers.base import Adapter, HTTPAdapter, as_int
from client.providers.registry import PROFILES, adapter_for


@pytest.mark.parametrize("name", sorted(PROFILES))
def test_every_provider_has_an_adapter_that_builds_a_body_without_io(name):
    adapter = adapter_for(name)
    assert isinstance(adapter, Adapter) and isinstance(adapter, HTTPAdapter)
    request = TurnRequest(name, "some-model", "Is 391 prime?", base_url="http://127.0.0.1:9/v1")
    body = adapter.body(request)
    assert "Is 391 prime?" in str(body)


@pytest.mark.parametrize(
    "value,expected",
    [(12, 12), (12.0, 12), (12.5, None), (True, None), ("12", None), (None, None)],
)
def test_token_counts_are_whole_numbers_never_booleans(value, expected):
    assert as_int(value) == expected
