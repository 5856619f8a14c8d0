"""`ask --json`'s cost provenance, `thinkpane prices` and `thinkpane reprice` as a script sees them:
real subprocesses, a real loopback server (as the provider and as the price data source), a real
SQLite file under the temporary THINKPANE_HOME."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import genai_prices
import pytest

from client.pricing.refresh import SAVED_NAME
from client.store.store import Store
from tests.support.chat import chunk, usage_chunk
from tests.support.replay import Reply, sse
from tests.test_cli_ask import thinkpane

M = Decimal(1_000_000)
DATA_PATH = "/prices/data.json"
# Price data as a refresh would fetch it: DeepSeek at the rates it charges today.
NEW_DATA = [
    {
        "id": "deepseek",
        "name": "DeepSeek",
        "api_pattern": r"https://api\.deepseek\.com",
        "models": [
            {
                "id": "deepseek-reasoner",
                "match": {"equals": "deepseek-reasoner"},
                "prices": {"input_mtok": 0.28, "cache_read_mtok": 0.028, "output_mtok": 0.42},
            }
        ],
    }
]


def deepseek_frames(model: str = "deepseek-reasoner") -> list[str]:
    return sse(
        chunk(reasoning="Odd + odd is even.", model=model),
        chunk(content="Even.", model=model),
        chunk(
            finish="stop",
            model=model,
            usage={
                "prompt_tokens": 1000,
                "completion_tokens": 500,
                "prompt_cache_hit_tokens": 600,
                "prompt_cache_miss_tokens": 400,
                "completion_tokens_details": {"reasoning_tokens": 300},
            },
        ),
        done=True,
    )


def ask_deepseek(replay, model: str = "deepseek-reasoner") -> dict:
    replay.add("/chat/completions", Reply(chunks=deepseek_frames(model)))
    result = thinkpane("ask", "odd+odd?", "--provider", "deepseek", "--model", model, "--json",
                       "--base-url", replay.url, env={"DEEPSEEK_API_KEY": "sk-ds"})  # fmt: skip
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def prices_json(*args: str) -> dict:
    result = thinkpane("prices", "--json", *args)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_ask_json_says_where_the_price_data_rates_came_from(replay):
    cost = ask_deepseek(replay)["cost"]
    assert cost["source"] == "prices"
    price = cost["price"]
    assert set(price) == {"input_mtok", "cached_input_mtok", "cache_write_mtok", "output_mtok",
                          "data", "since", "conditions", "model_id"}  # fmt: skip
    assert price["data"] == f"genai-prices {genai_prices.__version__}"
    assert price["model_id"] == "deepseek-reasoner" and price["cache_write_mtok"] is None
    rates = (Decimal(price["input_mtok"]), Decimal(price["cached_input_mtok"]),
             Decimal(price["output_mtok"]))  # fmt: skip
    assert rates in {
        (Decimal("0.55"), Decimal("0.14"), Decimal("2.19")),
        (Decimal("0.135"), Decimal("0.035"), Decimal("0.55")),
    }  # peak or off-peak
    assert price["conditions"] in ("from 00:30 to 16:30 UTC", "outside 00:30–16:30 UTC")
    assert Decimal(cost["total"]) == (400 * rates[0] + 600 * rates[1] + 500 * rates[2]) / M


def test_ask_json_says_when_your_price_was_used(replay):
    result = thinkpane("prices", "--set", "deepseek-reasoner", "input=0.28", "output=0.42",
                       "cached=0.028", "--provider", "deepseek")  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "used from the next turn on" in result.stdout
    cost = ask_deepseek(replay)["cost"]
    assert cost["source"] == "override"
    assert cost["price"]["data"] == "your price"
    assert (cost["price"]["input_mtok"], cost["price"]["cached_input_mtok"],
            cost["price"]["output_mtok"]) == ("0.28", "0.028", "0.42")  # fmt: skip
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", cost["price"]["since"])
    assert Decimal(cost["total"]) == Decimal("0.0003388")  # 400×0.28 + 600×0.028 + 500×0.42
    replay.add("/chat/completions", Reply(chunks=deepseek_frames()))
    result = thinkpane("ask", "odd+odd?", "--provider", "deepseek", "--model", "deepseek-reasoner",
                       "--base-url", replay.url, env={"DEEPSEEK_API_KEY": "sk-ds"})  # fmt: skip
    assert "· $0.00034 at your price ·" in result.stderr


def test_ask_json_for_a_provider_charge_local_and_unknown(replay):
    frames = [
        chunk(content="Hi", model="openai/gpt-5"),
        chunk(finish="stop", model="openai/gpt-5"),
        usage_chunk(10, 20, reasoning=12, model="openai/gpt-5", cost=0.0042),
    ]
    replay.add("/v1/chat/completions", Reply(chunks=sse(*frames, done=True)))
    result = thinkpane("ask", "hi", "--provider", "openrouter", "--model", "openai/gpt-5",
                       "--json", "--base-url", replay.url + "/v1",
                       env={"OPENROUTER_API_KEY": "sk-or"})  # fmt: skip
    cost = json.loads(result.stdout)["cost"]
    assert cost["source"] == "provider" and cost["total"] == "0.0042"
    assert cost["price"]["data"].startswith("genai-prices ")  # the rates that split the charge

    local = [chunk(content="Hi", model="qwen3"), chunk(finish="stop", model="qwen3"),
             usage_chunk(10, 20, model="qwen3")]  # fmt: skip
    replay.add("/v1/chat/completions", Reply(chunks=sse(*local, done=True)))
    result = thinkpane("ask", "hi", "--provider", "openai-compatible", "--model", "qwen3",
                       "--json", "--base-url", replay.url + "/v1")  # fmt: skip
    cost = json.loads(result.stdout)["cost"]
    assert cost["source"] == "local" and cost["total"] == "0" and cost["price"] is None

    # Your price for a local model, and a server that says nothing of usage: unknown, not $0.
    thinkpane("prices", "--set", "qwen3", "input=1", "output=2", "--provider", "openai-compatible")
    replay.add("/v1/chat/completions", Reply(chunks=sse(*local[:2], done=True)))
    result = thinkpane("ask", "hi", "--provider", "openai-compatible", "--model", "qwen3",
                       "--json", "--base-url", replay.url + "/v1")  # fmt: skip
    cost = json.loads(result.stdout)["cost"]
    assert cost["source"] == "unknown" and cost["total"] is None and cost["price"] is None


def test_prices_lists_the_ledger_and_reprice_corrects_it(replay):
    ask_deepseek(replay)
    ask_deepseek(replay)
    table = prices_json()
    (row,) = table["models"]
    assert row["model"] == "deepseek-reasoner" and row["source"] == "prices"
    assert row["queries"] == row["turns"] == 2
    usage = json.loads(thinkpane("usage", "--json").stdout)
    assert Decimal(row["spend"]) == Decimal(usage["total"]["cost"])

    text = thinkpane("prices").stdout
    assert "deepseek-reasoner" in text and "price data" in text and "2 of 2" in text

    thinkpane("prices", "--set", "deepseek-reasoner", "input=0.28", "output=0.42", "cached=0.028")
    (row,) = prices_json()["models"]
    assert (row["source"], row["input_mtok"], row["queries"], row["turns"]) == (
        "override", "0.28", 0, 2)  # fmt: skip

    dry = json.loads(thinkpane("reprice", "--dry-run", "--json").stdout)
    assert dry == {"turns": 2, "changed": 2, "before": usage["total"]["cost"],
                   "after": "0.0006776", "provider_charged": 0, "dry_run": True}  # fmt: skip
    assert json.loads(thinkpane("usage", "--json").stdout) == usage  # nothing changed yet

    done = json.loads(thinkpane("reprice", "--model", "deepseek-reasoner", "--json").stdout)
    assert done["changed"] == 2 and done["after"] == "0.0006776"
    assert json.loads(thinkpane("usage", "--json").stdout)["total"]["cost"] == "0.0006776"
    assert json.loads(thinkpane("reprice", "--json").stdout)["changed"] == 0  # idempotent
    (row,) = prices_json()["models"]
    assert row["queries"] == 2 and row["spend"] == "0.0006776"
    with Store.open() as store:
        for turn in store.turns(store.list_conversations()[0].id):
            ((_, was),) = store.cost_history(turn.id)
            assert was.total == Decimal(turn.cost.price["previous_total"])


def test_bad_rates_and_periods_are_one_sentence():
    result = thinkpane("prices", "--set", "deepseek-reasoner", "input=cheap", "output=1")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "thinkpane: deepseek-reasoner's input price should be dollars per million tokens, "
        "like 0.28, not “cheap”."
    )
    result = thinkpane("prices", "--set", "deepseek-reasoner", "0.28")
    assert result.returncode == 2 and "input=0.28" in result.stderr
    result = thinkpane("reprice", "--since", "2026-11-30", "--until", "2026-11-01")
    assert result.returncode == 2 and "after it ends" in result.stderr
    assert "Traceback" not in result.stderr


def test_refreshed_data_is_kept_for_later_runs(replay, thinkpane_home):
    replay.add(DATA_PATH, Reply.json(200, NEW_DATA))
    result = thinkpane("prices", "--refresh", "--url", replay.url + DATA_PATH)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Prices updated: data ") and "1 provider." in result.stdout
    assert (thinkpane_home / SAVED_NAME).exists()

    # A later run, with no network asked for, prices with the kept data and says when it came.
    data = prices_json("deepseek-reasoner")
    assert data["data"]["version"] == genai_prices.__version__
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", data["data"]["fetched_at"])
    (row,) = data["models"]
    assert (row["input_mtok"], row["cached_input_mtok"], row["output_mtok"]) == (
        "0.28", "0.028", "0.42")  # fmt: skip
    cost = ask_deepseek(replay)["cost"]
    assert cost["source"] == "prices" and Decimal(cost["total"]) == Decimal("0.0003388")
    assert cost["price"]["data"] == (
        f"genai-prices {genai_prices.__version__}, fetched {data['data']['fetched_at']}"
    )

    # A failed refresh changes nothing, and says so in one sentence.
    kept = (thinkpane_home / SAVED_NAME).read_bytes()
    replay.add(DATA_PATH, Reply.json(503, {"error": "maintenance"}))
    result = thinkpane("prices", "--refresh", "--url", replay.url + DATA_PATH)
    assert result.returncode == 4
    assert result.stdout.strip().count(".") >= 1 and "\n" not in result.stdout.strip().split(
        "\n")[0]  # fmt: skip
    assert result.stdout.splitlines()[0] == (
        "The price data server answered HTTP 503, not prices. The prices in use are unchanged "
        f"(data {genai_prices.__version__}+{data['data']['fetched_at']})."
    )
    assert (thinkpane_home / SAVED_NAME).read_bytes() == kept
    assert prices_json()["data"] == data["data"]


@pytest.mark.parametrize("garbage", ["{not json", '{"format": 1}'])
def test_unreadable_kept_data_falls_back_to_the_bundled_data(thinkpane_home, garbage):
    (thinkpane_home / SAVED_NAME).write_text(garbage, encoding="utf-8")
    result = thinkpane("prices", "deepseek-reasoner")
    assert result.returncode == 0, result.stderr
    assert "could not be read, so the bundled data is used" in result.stdout
    assert prices_json()["data"]["fetched_at"] is None
