"""Which processes have the database open, so crash recovery never touches a live turn.

Every Store holds a shared lock on `thinkpane.sqlite3.lock` while it is open. A store that opens
and can briefly take that lock exclusively knows no other Thinkpane process is running, so any
turn still marked streaming was left by a crash and can be marked interrupted. When the window is
streaming and `thinkpane usage` opens the same file, the exclusive lock is refused and the live
turn is left alone. The operating system drops a dead process's locks, so a crash never leaves a
stale lock behind. Where POSIX file locks are missing, every open counts as the only one.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO

try:
    import fcntl
except ImportError:  # Windows: no flock; recovery runs on every open, as before
    fcntl = None  # type: ignore[assignment]


class Presence:
    """This process's shared lock on the database; `alone` says whether it was the only one."""

    def __init__(self, database: Path) -> None:
        self._file: IO[bytes] | None = None
        self.alone = True
        if fcntl is None:
            return
        try:
            self._file = open(f"{database}.lock", "ab")  # noqa: SIM115 - held for the store's life
        except OSError:
            return  # a read-only folder: no lock, no way to tell; behave as before
        fd = self._file.fileno()
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self.alone = False
            fcntl.flock(fd, fcntl.LOCK_SH)
        else:
            fcntl.flock(fd, fcntl.LOCK_SH)  # downgrade: others may open now

    def release(self) -> None:
        if self._file is not None:
            try:
                self._file.close()  # closing the descriptor drops the lock
            finally:
                self._file = None
