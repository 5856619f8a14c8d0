"""The ledger: what queries cost, summed over turns, as docs/cli.md's `usage --json` object.

Token counts are summed by SQLite; money is summed exactly, as decimals, by an aggregate we
register on the connection (`decimal_sum`), so a total never drifts the way a float sum does.
Every turn that reached the model counts, whatever its status, branch or purpose: each one was a
query someone paid for. A request that failed before anything came back (a refused connection,
an HTTP 404) produced no tokens and is not a query; one cut mid-way is, and when the provider
never reported its usage it is counted in `unreported_queries` (its cost is unknown because of
that, not for want of a price).
"""

from __future__ import annotations

import sqlite3
from datetime import date
from decimal import Context, Decimal
from typing import Any

# Far more digits than any sum of costs needs, so additions are exact.
_EXACT = Context(prec=100)

GROUPINGS: dict[str, str] = {
    "conversation": "conversation_id",
    "model": "model",
    "provider": "provider",
    "day": "substr(created_at, 1, 10)",  # created_at is ISO 8601 UTC: the UTC date
    "week": "iso_week(created_at)",  # "2026-W48": ISO weeks start on Monday
    "month": "substr(created_at, 1, 7)",
    # A comparison's runs; a turn outside every comparison has no key (NULL).
    "comparison": "(SELECT r.comparison_id FROM comparison_runs AS r WHERE r.turn_seq = turns.seq)",
}

# Groupings that are periods of time: shown oldest first, not largest first.
TIME_GROUPINGS = frozenset({"day", "week", "month"})


def _iso_week(created_at: str | None) -> str | None:
    if not created_at:
        return None
    try:
        year, week, _ = date.fromisoformat(created_at[:10]).isocalendar()
    except ValueError:
        return None
    return f"{year}-W{week:02d}"


_TOKEN_FIELDS = (
    "input_tokens",
    "cached_input_tokens",
    "cache_write_tokens",
    "output_tokens",
    "reasoning_tokens",
)

# A turn that reached the model: it finished, or something came back (text, opaque reasoning,
# a usage report). A turn that failed or was stopped before any of that is not a query.
IS_QUERY = (
    "(status IN ('complete', 'length', 'refused', 'streaming') OR answer != '' "
    "OR reasoning_text != '' OR opaque_json != '[]' "
    "OR input_tokens IS NOT NULL OR output_tokens IS NOT NULL)"
)
_UNREPORTED = "input_tokens IS NULL AND output_tokens IS NULL AND cost_source = 'unknown'"

_SUMS = ", ".join(
    [
        "count(*) AS queries",
        *(f"coalesce(sum({name}), 0) AS {name}" for name in _TOKEN_FIELDS),
        "coalesce(decimal_sum(cost_total), '0') AS cost",
        "coalesce(sum(cost_source = 'unknown'), 0) AS unpriced_queries",
    ]
)

# What the reasoning cost, the part of that paid for reasoning the provider never showed, and the
# queries whose cost is unknown because their usage was never reported (the window's sentences).
REASONING_FIELDS = ("reasoning_cost", "hidden_reasoning_cost", "unreported_queries")
_REASONING_SUMS = f"""
    coalesce(decimal_sum(cost_reasoning), '0') AS reasoning_cost,
    coalesce(decimal_sum(CASE WHEN visibility = 'hidden' THEN cost_reasoning END), '0')
        AS hidden_reasoning_cost,
    coalesce(sum({_UNREPORTED}), 0) AS unreported_queries
"""


def format_amount(value: Decimal) -> str:
    """Decimal text as docs/cli.md shows money: no exponent, no trailing zeros."""
    return format(value.normalize(_EXACT), "f")


class _DecimalSum:
    """SQLite aggregate: the exact sum of decimal-text values, NULLs skipped, as decimal text.

    Over no rows at all SQLite never calls it and the result is NULL: queries coalesce to '0'.
    """

    def __init__(self) -> None:
        self.total = Decimal(0)

    def step(self, value: str | None) -> None:
        if value is not None:
            self.total = _EXACT.add(self.total, Decimal(value))

    def finalize(self) -> str:
        return format_amount(self.total)


def install(conn: sqlite3.Connection) -> None:
    """Register the functions the ledger queries use on this connection."""
    conn.create_aggregate("decimal_sum", 1, _DecimalSum)  # type: ignore[arg-type]
    conn.create_function("iso_week", 1, _iso_week, deterministic=True)


def _fields(row: sqlite3.Row, reasoning: bool = False) -> dict[str, Any]:
    fields = {
        "queries": row["queries"],
        **{name: row[name] for name in _TOKEN_FIELDS},
        "cost": row["cost"],
        "unpriced_queries": row["unpriced_queries"],
    }
    if reasoning:
        fields.update({name: row[name] for name in REASONING_FIELDS})
    return fields


def usage_report(
    conn: sqlite3.Connection, by: str | None, since: date | None, reasoning: bool = False
) -> dict[str, Any]:
    """`{"groups": [...], "total": {...}}` of docs/cli.md, grouped `by` one of GROUPINGS.

    With `by` None there is one group, keyed "all". `since` keeps turns created on or after
    that UTC date. With `reasoning`, every group and the total also carry REASONING_FIELDS
    (decimal text, like `cost`); without it the object is exactly the contract's.
    """
    if by is not None and by not in GROUPINGS:
        raise ValueError(f"cannot group usage by {by!r}; choose one of {', '.join(GROUPINGS)}")
    where, params = (
        (f"WHERE {IS_QUERY} AND created_at >= ?", [since.isoformat()])
        if since
        else (f"WHERE {IS_QUERY}", [])
    )
    sums = f"{_SUMS}, {_REASONING_SUMS}" if reasoning else _SUMS
    total_row = conn.execute(f"SELECT {sums} FROM turns {where}", params).fetchone()
    total = _fields(total_row, reasoning)
    if by is None:
        return {"groups": [{"key": "all", **total}], "total": total}
    key = GROUPINGS[by]
    rows = conn.execute(
        f"SELECT {key} AS key, {sums} FROM turns {where} GROUP BY 1 ORDER BY 1", params
    ).fetchall()
    return {
        "groups": [{"key": row["key"], **_fields(row, reasoning)} for row in rows],
        "total": total,
    }


def conversation_totals(conn: sqlite3.Connection, conversation_id: str) -> dict[str, Any]:
    """The ledger fields for one conversation, plus what its reasoning cost.

    Every query of the conversation counts: each branch, regeneration, stopped or cut turn and
    critic turn was a query someone paid for (a turn that failed before any output was not). `reasoning_cost` is the part of the output cost
    paid for reasoning; `hidden_reasoning_cost` is the part of that paid for reasoning the
    provider never showed.
    """
    row = conn.execute(
        f"SELECT {_SUMS}, {_REASONING_SUMS} FROM turns WHERE conversation_id = ? AND {IS_QUERY}",
        (conversation_id,),
    ).fetchone()
    return _fields(row, reasoning=True)


def conversation_list(conn: sqlite3.Connection, limit: int | None = None) -> list[dict[str, Any]]:
    """Conversations not deleted, most recently updated first: id, title, dates, the number of
    chat turns (every branch), what its queries cost and how many of them have no known cost."""
    rows = conn.execute(
        f"""
        SELECT c.id, c.title, c.created_at, c.updated_at,
               coalesce(chat.turns, 0) AS turns,
               coalesce(queries.cost, '0') AS cost,
               coalesce(queries.unpriced_queries, 0) AS unpriced_queries
        FROM conversations c
        LEFT JOIN (
            SELECT conversation_id, sum(purpose = 'chat') AS turns
            FROM turns GROUP BY conversation_id
        ) AS chat ON chat.conversation_id = c.id
        LEFT JOIN (
            SELECT conversation_id, decimal_sum(cost_total) AS cost,
                   sum(cost_source = 'unknown') AS unpriced_queries
            FROM turns WHERE {IS_QUERY} GROUP BY conversation_id
        ) AS queries ON queries.conversation_id = c.id
        WHERE c.deleted_at IS NULL
        ORDER BY c.updated_at DESC, c.id
        LIMIT ?
        """,
        (-1 if limit is None else limit,),
    ).fetchall()
    return [dict(row) for row in rows]


# -- the rates in the ledger, and repricing it -------------------------------------------------

_REPRICE_COLUMNS = (
    "id, provider, model, model_reported, base_url, created_at, input_tokens,"
    " cached_input_tokens, cache_write_tokens, output_tokens, reasoning_tokens, cost_source,"
    " cost_currency, cost_total, cost_input, cost_output, cost_reasoning, price_json"
)


def models_in_ledger(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """One entry per provider and model that has turns: how many, what they cost (decimal text),
    the base URL of the latest one (it decides the price of an OpenAI-compatible server), a name
    the provider reported for it (the price data may know only that one), and
    `prices`: each stored price (its JSON text) with how many turns were priced at it."""
    rows = conn.execute(
        f"""
        SELECT provider, model, count(*) AS queries,
               coalesce(decimal_sum(cost_total), '0') AS spend,
               coalesce(sum(cost_source = 'unknown'), 0) AS unpriced_queries,
               (SELECT base_url FROM turns AS latest
                 WHERE latest.provider = turns.provider AND latest.model = turns.model
                 ORDER BY latest.created_at DESC, latest.seq DESC LIMIT 1) AS base_url,
               max(model_reported) AS model_reported
        FROM turns WHERE {IS_QUERY} GROUP BY provider, model
        """
    ).fetchall()
    prices: dict[tuple[str, str], list[tuple[str, str, int]]] = {}
    for row in conn.execute(
        "SELECT provider, model, cost_source, price_json, count(*) AS n FROM turns"
        " GROUP BY provider, model, cost_source, price_json"
    ):
        prices.setdefault((row["provider"], row["model"]), []).append(
            (row["cost_source"], row["price_json"], row["n"])
        )
    return [
        {
            "provider": row["provider"],
            "model": row["model"],
            "queries": row["queries"],
            "spend": row["spend"],
            "unpriced_queries": row["unpriced_queries"],
            "base_url": row["base_url"],
            "model_reported": row["model_reported"],
            "prices": prices.get((row["provider"], row["model"]), []),
        }
        for row in rows
    ]


def turns_to_reprice(
    conn: sqlite3.Connection,
    *,
    model: str | None = None,
    provider: str | None = None,
    since: date | None = None,
    until: date | None = None,
) -> list[sqlite3.Row]:
    """The turns a reprice covers: of `model` (as asked for or as the provider reported it), of
    `provider`, created from `since` to `until` (UTC days, both included); oldest first."""
    where, params = [], []
    if model is not None:
        where.append("(model = ? OR model_reported = ?)")
        params += [model, model]
    if provider is not None:
        where.append("provider = ?")
        params.append(provider)
    if since is not None:
        where.append("created_at >= ?")
        params.append(since.isoformat())
    if until is not None:
        where.append("substr(created_at, 1, 10) <= ?")
        params.append(until.isoformat())
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    return conn.execute(
        f"SELECT {_REPRICE_COLUMNS} FROM turns {clause} ORDER BY created_at, seq", params
    ).fetchall()


def replace_costs(
    conn: sqlite3.Connection,
    changes: list[tuple[str, tuple[str | None, ...]]],
    now: str,
) -> int:
    """Give each turn its new cost (`rows.cost_values` order), keeping the one it replaces in
    cost_history. Returns how many turns changed. The caller holds the write transaction."""
    from client.store.rows import COST_COLUMNS

    columns = ", ".join(COST_COLUMNS)
    assignments = ", ".join(f"{c} = ?" for c in COST_COLUMNS)
    changed = 0
    for turn_id, values in changes:
        conn.execute(
            f"INSERT INTO cost_history (turn_id, replaced_at, {columns})"
            f" SELECT id, ?, {columns} FROM turns WHERE id = ?",
            (now, turn_id),
        )
        cursor = conn.execute(f"UPDATE turns SET {assignments} WHERE id = ?", (*values, turn_id))
        changed += cursor.rowcount
    return changed
