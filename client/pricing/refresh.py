"""Newer price data from the network, on request, kept in the data folder for later runs.

genai-prices bundles its price data with the package and can use another copy of it (a "custom
snapshot"). `refresh_prices` fetches the newest data once, on the caller's thread, and only a
fetch that succeeds replaces the data in use: a machine without a network, or a server that
sends garbage, loses nothing and gets one sentence saying so. Given the data folder, it also
writes what it fetched there (`price-data.json`, with the fetch date), and `use_saved_prices`
makes every later run price with that copy. Nothing here runs at start-up: the first pricing of
a run (a finished turn, an estimate, the Prices page) reads the file, on a worker.

Every turn priced from this data records `data_version()` with its price, so an old turn's cost
can be explained even after the data changed under it.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import genai_prices
import httpx2
from genai_prices import data_snapshot

# The parser genai-prices' own UpdatePrices.fetch uses; private, so imported in this one place.
from genai_prices.types import _providers_from_raw
from genai_prices.update_prices import DEFAULT_UPDATE_URL

from client.core.conversation import moment_of

__all__ = [
    "DEFAULT_UPDATE_URL",
    "SAVED_NAME",
    "RefreshResult",
    "data_info",
    "data_version",
    "refresh_prices",
    "use_bundled_prices",
    "use_saved_prices",
]

SAVED_NAME = "price-data.json"
_FORMAT = 1
# Connecting should never take long: a dead network fails fast instead of waiting out timeout_s.
_CONNECT_CAP_S = 5.0

_lock = threading.Lock()
_saved_state: tuple[Path, int | None] | None = None  # the folder and file version in use
_saved_problem = ""  # a sentence when the kept data could not be read


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


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def data_version() -> str:
    """The package version, plus when the data in use was fetched: "0.2.3+2026-11-27T18:00:00Z"."""
    fetched = _snapshot_time(data_snapshot.get_snapshot())
    if fetched is None:
        return genai_prices.__version__
    return f"{genai_prices.__version__}+{_stamp(fetched)}"


def data_info() -> dict[str, Any]:
    """The contract's `prices --json` `data` object: source, version, fetched_at (None: bundled);
    `problem` is a sentence when kept data could not be read ("" otherwise)."""
    fetched = _snapshot_time(data_snapshot.get_snapshot())
    return {
        "source": "genai-prices",
        "version": genai_prices.__version__,
        "fetched_at": _stamp(fetched) if fetched is not None else None,
        "problem": _saved_problem,
    }


def _providers(n: int) -> str:
    return f"{n} provider" if n == 1 else f"{n} providers"


def _unchanged() -> str:
    return f"The prices in use are unchanged (data {data_version()})."


def _snapshot(payload: Any, fetched: datetime) -> data_snapshot.DataSnapshot:
    """Price data from its JSON; ValueError when it is not price data."""
    if not isinstance(payload, list):
        raise ValueError("not a list of providers")
    snapshot = data_snapshot.DataSnapshot(_providers_from_raw(payload), from_auto_update=True)
    snapshot.timestamp = fetched.astimezone().replace(tzinfo=None)  # genai-prices' naive local
    return snapshot


def _save(folder: Path, payload: Any, fetched: datetime, url: str) -> None:
    """Write the fetched data beside the database, whole or not at all (a temporary file first)."""
    record = {"format": _FORMAT, "fetched_at": _stamp(fetched), "url": url, "providers": payload}
    path = folder / SAVED_NAME
    temporary = path.with_name(path.name + ".part")
    try:
        temporary.write_text(json.dumps(record, separators=(",", ":")), encoding="utf-8")
        os.replace(temporary, path)
    finally:
        with contextlib.suppress(OSError):
            temporary.unlink()


def _version_of(path: Path) -> int | None:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return None


def use_saved_prices(folder: Path) -> bool:
    """Price with the data a refresh kept in `folder`, or the bundled data when there is none.

    Cheap after the first call (one stat of the file); True when kept data is in use. A file
    that cannot be read leaves the bundled data in use and `data_info()["problem"]` says why.
    """
    global _saved_state, _saved_problem
    path = folder / SAVED_NAME
    state = (folder, _version_of(path))
    with _lock:
        if state == _saved_state:
            return data_snapshot.get_snapshot().from_auto_update
        _saved_state = state
        _saved_problem = ""
        if state[1] is None:
            data_snapshot.set_custom_snapshot(None)
            return False
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
            fetched = moment_of(record["fetched_at"])
            snapshot = _snapshot(record["providers"], fetched)
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            _saved_problem = (
                f"The price data kept in {path} could not be read, so the bundled data is used; "
                "refresh the prices to replace it."
            )
            data_snapshot.set_custom_snapshot(None)
            return False
        data_snapshot.set_custom_snapshot(snapshot)
        return True


def refresh_prices(
    timeout_s: float = 10.0, *, url: str = DEFAULT_UPDATE_URL, folder: Path | None = None
) -> RefreshResult:
    """Fetch the newest price data and use it from now on; never raises for a failed fetch.

    With `folder` (the data folder), the data is also kept there for later runs. This blocks for
    up to about `timeout_s` per network wait (connecting, then each read), so the window calls it
    off the GUI thread. Turns already stored keep the price they were charged at until the user
    reprices them; only turns priced after a successful refresh use the new data.
    """
    global _saved_state, _saved_problem
    if timeout_s <= 0:
        raise ValueError(f"timeout_s must be more than zero, not {timeout_s}")
    timeout = httpx2.Timeout(timeout_s, connect=min(timeout_s, _CONNECT_CAP_S))
    try:
        response = httpx2.get(url, timeout=timeout)
        response.raise_for_status()
        payload = json.loads(response.content)
        fetched = datetime.now(UTC).replace(microsecond=0)
        snapshot = _snapshot(payload, fetched)
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
        if not snapshot.providers:
            reason = "The price data server sent no prices."
        else:
            kept = ""
            if folder is not None:
                try:
                    _save(folder, payload, fetched, url)
                except OSError as exc:
                    kept = f" It could not be kept for later runs ({exc.strerror or exc})."
            with _lock:
                data_snapshot.set_custom_snapshot(snapshot)
                if folder is not None and not kept:
                    _saved_state = (folder, _version_of(folder / SAVED_NAME))
                    _saved_problem = ""
            version = data_version()
            return RefreshResult(
                True,
                f"Prices updated: data {version}, {_providers(len(snapshot.providers))}.{kept}",
                version,
                len(snapshot.providers),
            )
    return RefreshResult(False, f"{reason} {_unchanged()}", data_version())


def use_bundled_prices() -> None:
    """Go back to the data bundled with the package (for tests, and a "reset prices" action)."""
    global _saved_state, _saved_problem
    with _lock:
        data_snapshot.set_custom_snapshot(None)
        _saved_state, _saved_problem = None, ""
