"""Where Thinkpane keeps its data: one folder, `THINKPANE_HOME` or the platform's user data folder.

Everything the app stores lives under that folder (docs/cli.md), so tests, portable
installs and scripts can point the whole app somewhere else with one environment variable.
A folder that cannot be used (a file of that name, a folder we may not write to) is a
`DataFolderError` naming the folder and what to do, never a traceback.
"""

from __future__ import annotations

import os
from pathlib import Path

from client.store.errors import StoreError

DATABASE_NAME = "thinkpane.sqlite3"


class DataFolderError(StoreError):
    """The data folder cannot be used; the message names it and says what to do."""


def chosen_dir() -> Path:
    """The data folder as configured, whether or not it exists or can be used."""
    home = os.environ.get("THINKPANE_HOME", "").strip()
    if home:
        return Path(home).expanduser()
    import platformdirs  # only without THINKPANE_HOME

    return Path(platformdirs.user_data_dir("thinkpane", appauthor=False))


def _where() -> str:
    if os.environ.get("THINKPANE_HOME", "").strip():
        return "set THINKPANE_HOME to a folder you can write to"
    return "make that folder writable, or set THINKPANE_HOME to a folder you can write to"


def data_dir() -> Path:
    """The data folder, created if missing. DataFolderError if it cannot be used."""
    folder = chosen_dir()
    if folder.exists() and not folder.is_dir():
        raise DataFolderError(
            f"Thinkpane's data folder {folder} is a file, not a folder, so nothing can be stored "
            f"there; {_where()}, or move that file aside.",
            path=folder,
        )
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DataFolderError(
            f"Thinkpane could not create its data folder {folder} ({exc.strerror or exc}); "
            f"{_where()}.",
            path=folder,
        ) from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise DataFolderError(
            f"Thinkpane may not write to its data folder {folder}; {_where()}.", path=folder
        )
    return folder


def database_path() -> Path:
    return data_dir() / DATABASE_NAME
