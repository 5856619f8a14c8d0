"""The store's one kind of error, in a module of its own: finding the data folder and reading the
settings before the window shows (client/ui/app.py) must not load SQLite for a folder that has no
database yet."""

from __future__ import annotations

from pathlib import Path


class StoreError(Exception):
    """A storage failure the user should read as a sentence: what happened and what to do."""

    def __init__(self, message: str, *, path: Path | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
