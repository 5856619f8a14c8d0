"""refresh_prices: newer price data over HTTP (a loopback server here), and every way it can fail
leaving the prices in use untouched and saying so in one sentence."""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal

import genai_prices
import pytest
from genai_prices import data_snapshot

from client.core.cost import CostSource
from client.core.usage import Usage
from client.pricing import cost_for, data_version, refresh_prices
from client.pricing.refresh import use_bundled_prices
from tests.support.replay import Reply

WHEN = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
PATH = "/prices/data.json"
USAGE = Usage(input_tokens=1_000_000, output_tokens=100_000, reasoning_tokens=40_000)
# The smallest price data genai-prices accepts: one provider, one model, made-up rates.
NEW_DATA = [
    {
        "id": "openai",
        "name": "OpenAI",
        "api_pattern": r"https://api\.openai\.com",
        "models": [
            {
                "id": "gpt-5",
                "match": {"equals": "gpt-5"},
                "prices": {"input_mtok": 2, "output_mtok": 20},
            }
        ],
    }
]


@pytest.fixture(autouse=True)
def bundled_prices() -> Iterator[None]:
    """Every test starts and ends with the bundled data, whatever it fetched."""
    use_bundled_prices()
    yield
    use_bundled_prices()


def _sentence(text: str) -> None:
    assert text.endswith(".") and "\n" not in text and "Traceback" not in text


def test_the_bundled_data_is_the_package_version():
    assert data_version() == genai_prices.__version__
    assert cost_for("openai", "gpt-5", USAGE, when=WHEN).price["data_version"] == data_version()


def test_new_data_is_used_from_then_on_and_recorded_with_each_price(replay):
    before = cost_for("openai", "gpt-5", USAGE, when=WHEN)
    replay.add(PATH, Reply.json(200, NEW_DATA))
    result = refresh_prices(5, url=replay.url + PATH)
    assert result.updated and result.providers == 1
    assert re.fullmatch(
        re.escape(genai_prices.__version__) + r"\+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ",
        result.data_version,
    )
    assert result.data_version == data_version()
    assert result.message == f"Prices updated: data {result.data_version}, 1 provider."
    after = cost_for("openai", "gpt-5", USAGE, when=WHEN)
    assert after.source is CostSource.PRICES
    assert after.total == Decimal(2) + Decimal(2)  # 1M in at $2, 100k out at $20
    assert after.reasoning == Decimal("0.8")
    assert after.price["data_version"] == result.data_version
    assert after.total != before.total
    use_bundled_prices()
    assert cost_for("openai", "gpt-5", USAGE, when=WHEN) == before


@pytest.mark.parametrize(
    ("reply", "words"),
    [
        (Reply.json(503, {"error": "maintenance"}), "answered HTTP 503, not prices"),
        (Reply(200, ["{not json"], content_type="application/json"), "not price data"),
        (Reply.json(200, {"providers": []}), "not price data"),
        (Reply.json(200, [{"id": "openai"}]), "not price data"),
        (Reply.json(200, []), "sent no prices"),
    ],
)
def test_a_bad_answer_changes_nothing(replay, reply, words):
    before = data_snapshot.get_snapshot()
    replay.add(PATH, reply)
    result = refresh_prices(5, url=replay.url + PATH)
    assert not result.updated and words in result.message
    assert result.message.endswith(f"The prices in use are unchanged (data {data_version()}).")
    _sentence(result.message)
    assert data_snapshot.get_snapshot() is before
    assert result.data_version == genai_prices.__version__


def test_a_slow_server_times_out(replay):
    replay.add(PATH, Reply(200, ["[]"], content_type="application/json", delay_s=2))
    result = refresh_prices(0.3, url=replay.url + PATH)
    assert not result.updated
    assert result.message.startswith("The price data server did not answer within 0.3 s.")
    _sentence(result.message)


def test_no_server_listening():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # free once closed: nothing listens there
    result = refresh_prices(2, url=f"http://127.0.0.1:{port}/data.json")
    assert not result.updated
    assert result.message.startswith("Could not reach the price data server")
    _sentence(result.message)


def test_offline_is_one_sentence_and_loses_nothing():
    # .invalid never resolves (RFC 2606): the same failure as a machine with no network.
    before = cost_for("anthropic", "claude-sonnet-4-5", USAGE, when=WHEN)
    result = refresh_prices(2, url="https://prices.invalid/data.json")
    assert result.message == (
        "Could not reach the price data server; this computer may be offline."
        f" The prices in use are unchanged (data {genai_prices.__version__})."
    )
    assert cost_for("anthropic", "claude-sonnet-4-5", USAGE, when=WHEN) == before


def test_a_timeout_must_be_positive():
    with pytest.raises(ValueError, match="more than zero"):
        refresh_prices(0)
