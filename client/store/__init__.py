"""The store layer: SQLite storage of conversations and turns, the cost ledger, full-text search,
and API keys in the system keyring. Uses core only."""

from client.store.db import StoreError
from client.store.paths import data_dir, database_path
from client.store.store import Store

__all__ = ["Store", "StoreError", "data_dir", "database_path"]
