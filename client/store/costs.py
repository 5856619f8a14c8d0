"""What turns cost, as the Store answers it: the ledger's reports, reprices with the costs they
replaced, and the prices the user set themselves.

The report queries are client.store.ledger's; this part wraps them in the store's lock.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from client.core.conversation import utc_now
from client.core.cost import Cost
from client.core.prices import PriceOverride
from client.core.usage import Usage
from client.store import ledger
from client.store.connection import StoreConnection
from client.store.rows import (
    cost_from_row,
    cost_values,
    price_override_from_row,
    price_override_values,
    usage_from_row,
)


@dataclass(frozen=True)
class RepriceRow:
    """A stored turn as a reprice needs it: what it was, when it was priced, what it cost."""

    id: str
    provider: str
    model: str
    model_reported: str | None
    base_url: str | None
    asked_at: str  # ISO 8601 UTC: when the request was sent (time-of-day rates go by it)
    usage: Usage
    cost: Cost


class Costs(StoreConnection):
    """The `Store`'s ledger and price methods."""

    def usage_report(
        self, by: str | None = None, since: date | None = None, *, reasoning: bool = False
    ) -> dict[str, Any]:
        """docs/cli.md's `usage --json` object; `by` is conversation|model|provider|day|month.

        `reasoning` adds what reasoning and hidden reasoning cost to every group (see ledger)."""
        with self._reading() as conn:
            return ledger.usage_report(conn, by, since, reasoning)

    def conversation_totals(self, conversation_id: str) -> dict[str, Any]:
        with self._reading() as conn:
            return ledger.conversation_totals(conn, conversation_id)

    def conversation_list(self, limit: int | None = None) -> list[dict[str, Any]]:
        """`ledger.conversation_list`: newest first, with turns and cost."""
        with self._reading() as conn:
            return ledger.conversation_list(conn, limit)

    def models_in_ledger(self) -> list[dict[str, Any]]:
        """Every provider and model with turns, with counts, spend and stored prices (ledger)."""
        with self._reading() as conn:
            return ledger.models_in_ledger(conn)

    def turns_to_reprice(
        self,
        *,
        model: str | None = None,
        provider: str | None = None,
        since: date | None = None,
        until: date | None = None,
    ) -> list[RepriceRow]:
        """The turns a reprice covers, each with its usage and the cost it has now."""
        with self._reading() as conn:
            rows = ledger.turns_to_reprice(
                conn, model=model, provider=provider, since=since, until=until
            )
        return [
            RepriceRow(
                row["id"],
                row["provider"],
                row["model"],
                row["model_reported"],
                row["base_url"],
                row["created_at"],
                usage_from_row(row),
                cost_from_row(row),
            )  # fmt: skip
            for row in rows
        ]

    def replace_costs(self, changes: Mapping[str, Cost]) -> int:
        """Give turns new costs in one transaction, each keeping the cost it replaces in its
        history (`cost_history`). Returns how many turns changed."""
        values = [(turn_id, cost_values(cost)) for turn_id, cost in changes.items()]
        with self._writing() as conn:
            return ledger.replace_costs(conn, values, utc_now())

    def cost_history(self, turn_id: str) -> list[tuple[str, Cost]]:
        """What a turn cost before each reprice, oldest first: (replaced_at, cost)."""
        with self._reading() as conn:
            rows = conn.execute(
                "SELECT * FROM cost_history WHERE turn_id = ? ORDER BY replaced_at, rowid",
                (turn_id,),
            ).fetchall()
        return [(row["replaced_at"], cost_from_row(row)) for row in rows]

    # Price overrides

    def set_price_override(self, provider: str, model: str, override: PriceOverride) -> None:
        values = price_override_values(override)
        with self._writing() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO price_overrides (provider, model, input_mtok, output_mtok,"
                " cache_read_mtok, cache_write_mtok, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    provider,
                    model,
                    values["input_mtok"],
                    values["output_mtok"],
                    values["cache_read_mtok"],
                    values["cache_write_mtok"],
                    utc_now(),
                ),
            )

    def price_overrides(self) -> dict[tuple[str, str], PriceOverride]:
        with self._reading() as conn:
            rows = conn.execute("SELECT * FROM price_overrides ORDER BY provider, model").fetchall()
        return {(row["provider"], row["model"]): price_override_from_row(row) for row in rows}

    def delete_price_override(self, provider: str, model: str) -> None:
        with self._writing() as conn:
            conn.execute(
                "DELETE FROM price_overrides WHERE provider = ? AND model = ?", (provider, model)
            )
