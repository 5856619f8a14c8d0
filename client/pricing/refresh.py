"""Newer price data from the network, on request, and the version of the data in use.

genai-prices bundles its price data with the package and can fetch a newer copy from its
repository (`UpdatePrices.fetch`). Thinkpane does not run genai-prices' shared background
thread: `refresh_prices` fetches once, on the caller's thread, and only a fetch that succeeds
replaces the data in use, so a machine without a network (or a server that sends garbage)
loses nothing and gets one sentence saying so. The fetched data lives for the rest of the
process; the bundled data is what every new process starts with.

Every turn priced from this data records `data_version()` with its price, so an old turn's cost
can be explained even after the data changed under it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import genai_prices
import httpx2
from genai_prices import data_snapshot
from genai_prices.update_prices import DEFAULT_UPDATE_URL, UpdatePrices

__all__ = [
    "DEFAULT_UPDATE_URL",
    "RefreshResult",
    "data_version",
    "refresh_prices",
    "use_bundled_prices",
]

# Connecting should never take long: a dead network fails fast instead of waiting out timeout_s.
_CONNECT_CAP_S = 5.0


@dataclass(frozen=True)
class RefreshResult:
    """What a refresh did: `updated` is True only when new data replaced the data in use.

    `message` is a sentence for a status line; `data_version` is the version in use afterwards
    (unchanged when the refresh failed); `providers` is how many providers the new data has.
    """

    updated: bool
    message: str
    data_version: str
    providers: int = 0


def _snapshot_time(snapshot: data_snapshot.DataSnapshot) -> datetime | None:
    """When the data in use was fetched, or None for the data bundled with the package."""
    if not snapshot.from_auto_update:
        return None
    stamp = snapshot.timestamp
    # genai-prices stamps a snapshot with a naive local time; astimezone() reads it as local.
    return stamp.astimezone(UTC)


def data_version() -> str:
    """The package version, plus when the data in use was fetched: "0.2.3+2026-11-27T18:00:00Z"."""
    fetched = _snapshot_time(data_snapshot.get_snapshot())
    if fetched is None:
        return genai_prices.__version__
    return f"{genai_prices.__version__}+{fetched.strftime('%Y-%m-%dT%H:%M:%SZ')}"


def _providers(n: int) -> str:
    return f"{n} provider" if n == 1 else f"{n} providers"


def _unchanged() -> str:
    return f"The prices in use are unchanged (data {data_version()})."


def refresh_prices(timeout_s: float = 10.0, *, url: str = DEFAULT_UPDATE_URL) -> RefreshResult:
    """Fetch the newest price data and use it from now on; never raises for a failed fetch.

    This blocks for up to about `timeout_s` per network wait (connecting, then each read), so
    the window calls it off the GUI thread. Turns already stored keep the price they were
    charged at; only turns priced after a successful refresh use the new data.
    """
    if timeout_s <= 0:
        raise ValueError(f"timeout_s must be more than zero, not {timeout_s}")
    timeout = httpx2.Timeout(timeout_s, connect=min(timeout_s, _CONNECT_CAP_S))
    updater = UpdatePrices(url=url, request_timeout=timeout)
    try:
        snapshot = updater.fetch()
    except httpx2.ConnectTimeout:
        reason = "Could not reach the price data server in time; this computer may be offline."
    except httpx2.TimeoutException:
        reason = f"The price data server did not answer within {timeout_s:g} s."
    except httpx2.HTTPStatusError as exc:
        reason = f"The price data server answered HTTP {exc.response.status_code}, not prices."
    except httpx2.HTTPError:
        reason = "Could not reach the price data server; this computer may be offline."
    except ValueError:
        # Not JSON, or JSON that is not price data (pydantic's ValidationError is a ValueError).
        reason = "The price data server sent something that is not price data."
    else:
        if snapshot is None or not snapshot.providers:
            reason = "The price data server sent no prices."
        else:
            data_snapshot.set_custom_snapshot(snapshot)
            version = data_version()
            return RefreshResult(
                True,
                f"Prices updated: data {version}, {_providers(len(snapshot.providers))}.",
                version,
                len(snapshot.providers),
            )
    return RefreshResult(False, f"{reason} {_unchanged()}", data_version())


def use_bundled_prices() -> None:
    """Go back to the data bundled with the package (for tests, and a "reset prices" action)."""
    data_snapshot.set_custom_snapshot(None)
