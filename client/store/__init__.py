"""The store layer: SQLite storage of conversations and turns, the cost ledger, full-text search,
and API keys in the system keyring. Uses core only.

`Store` is imported on first use (PEP 562): the window reads its settings and shows before the
store opens (client/ui/app.py), and `client.store.db` alone must not pull in the whole store."""

from typing import TYPE_CHECKING, Any

from client.store.errors import StoreError
from client.store.paths import data_dir, database_path

if TYPE_CHECKING:
    from client.store.store import Store

__all__ = ["Store", "StoreError", "data_dir", "database_path"]


def __getattr__(name: str) -> Any:
    if name == "Store":
        from client.store.store import Store

        return Store
    raise AttributeError(f"module 'client.store' has no attribute {name!r}")
