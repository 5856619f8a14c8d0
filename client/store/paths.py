"""Where Thinkpane keeps its data: one folder, `THINKPANE_HOME` or the platform's user data folder.

Everything the app stores lives under that folder (CONTRACT.md, Data), so tests, portable
installs and scripts can point the whole app somewhere else with one environment variable.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

DATABASE_NAME = "thinkpane.sqlite3"


def data_dir() -> Path:
    """The data folder, created if missing."""
    home = os.environ.get("THINKPANE_HOME", "").strip()
    folder = (
        Path(home).expanduser()
        if home
        else Path(platformdirs.user_data_dir("thinkpane", appauthor=False))
    )
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def database_path() -> Path:
    return data_dir() / DATABASE_NAME
