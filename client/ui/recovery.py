"""When the database will not open at start: say what happened and offer a way on, not a traceback.

`Store.open` raises StoreError with a sentence when the file is damaged, was written by a newer
Thinkpane, is read-only, or the disk is full. `open_store` turns that into a choice:

- Open the latest backup (when a `thinkpane.sqlite3.bak-v*` exists, the copy taken before a
  schema migration): the damaged file is moved aside, the backup copied in and opened;
- Start with an empty database: the damaged file is moved aside and a new one is made;
- Quit.

A data folder that cannot be used at all (THINKPANE_HOME is a file, a folder we may not write
to) is asked about before that: choose another folder for this session, or quit.

Nothing is ever deleted: the file moved aside keeps its name with `.damaged-<timestamp>` added
(its `-wal` and `-shm` go with it, so SQLite cannot replay them into the new file). The choice is
asked through a function, so the logic is tested without a dialog; `ask_what_to_do` is the thin
dialog the app uses.

Opening reads only the file's header and schema; `BackgroundCheck` reads the rest once the
window is up and, if it finds damage, asks the same question over the window.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox, QPushButton, QWidget

from client.store.db import IntegrityCheck, StoreError
from client.store.paths import DataFolderError, database_path
from client.store.store import Store

OPEN_BACKUP, START_EMPTY, QUIT = "backup", "empty", "quit"
_SIDE_FILES = ("-wal", "-shm")


@dataclass(frozen=True)
class Trouble:
    """Why the database did not open, and what there is to fall back on."""

    error: StoreError
    path: Path
    backup: Path | None


def latest_backup(path: Path) -> Path | None:
    """The newest `<name>.bak-v*` beside the database, or None."""
    try:
        backups = [p for p in path.parent.glob(f"{path.name}.bak-v*") if p.is_file()]
    except OSError:
        return None
    return max(backups, key=lambda p: (p.stat().st_mtime, p.name), default=None)


def set_aside(path: Path, now: datetime | None = None) -> Path | None:
    """Move the database (and its -wal, -shm) to `<name>.damaged-<timestamp>`; None if absent."""
    if not path.exists():
        return None
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.damaged-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.damaged-{stamp}-{n}")
    os.replace(path, target)
    for suffix in _SIDE_FILES:
        side = path.with_name(path.name + suffix)
        if side.exists():
            os.replace(side, target.with_name(target.name + suffix))
    return target


def restore_backup(path: Path, backup: Path) -> Path | None:
    """Set the database aside and put a copy of `backup` in its place (the backup stays)."""
    aside = set_aside(path)
    partial = path.with_name(path.name + ".partial")
    shutil.copy2(backup, partial)
    os.replace(partial, path)
    return aside


def usable_database_path(
    choose_folder: Callable[[DataFolderError], Path | None],
) -> tuple[Path | None, str]:
    """The database's path, asking for another data folder for as long as the one set cannot be
    used. (None, "") when the user chose to quit; the sentence says which folder is used."""
    note = ""
    while True:
        try:
            return database_path(), note
        except DataFolderError as exc:
            folder = choose_folder(exc)
        if folder is None:
            return None, ""
        os.environ["THINKPANE_HOME"] = str(folder)  # for this session: the CLI keeps its own
        note = (
            f"Using the data folder {folder} for this session. Set THINKPANE_HOME to it to keep "
            "using it."
        )


def open_store(
    ask: Callable[[Trouble], str],
    path: Path | None = None,
    choose_folder: Callable[[DataFolderError], Path | None] | None = None,
) -> tuple[Store | None, str]:
    """Open the store, asking what to do for as long as it will not open.

    Returns the store (None when the user chose to quit) and a sentence about what was done
    ("" when nothing was)."""
    note = ""
    if path is None:
        path, note = usable_database_path(choose_folder or (lambda _error: None))
        if path is None:
            return None, ""
    while True:
        try:
            return Store.open(path), note
        except StoreError as exc:
            error = exc
        while True:
            trouble = Trouble(error, path, latest_backup(path))
            try:
                done = act_on(ask(trouble), trouble)
            except OSError as exc:
                error = _not_moved(path, exc)
                continue
            if done is None:
                return None, ""
            note = done
            break


def act_on(choice: str, trouble: Trouble) -> str | None:
    """Do what the user chose (the store must be closed): the sentence saying what was done,
    or None for Quit. Raises OSError when the file could not be moved or the backup copied."""
    path, backup = trouble.path, trouble.backup
    if choice == OPEN_BACKUP and backup is not None:
        aside = restore_backup(path, backup)
        return f"Opened the backup {backup.name}" + _kept(aside)
    if choice == START_EMPTY:
        aside = set_aside(path)
        return "Started with an empty database" + _kept(aside)
    return None


def _not_moved(path: Path, exc: OSError) -> StoreError:
    return StoreError(
        f"Thinkpane could not move {path.name} aside or copy the backup in "
        f"({exc.strerror or exc}). Check the folder {path.parent}; nothing was deleted.",
        path=path,
    )


def _kept(aside: Path | None) -> str:
    return f"; the damaged file is kept as {aside}." if aside is not None else "."


# The dialog: thin on purpose


def recovery_box(trouble: Trouble, parent: QWidget | None = None) -> tuple[QMessageBox, dict]:
    """The question, with a button per choice; returns the box and button → choice."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Critical)
    box.setWindowTitle("Thinkpane cannot open its data")
    box.setText(trouble.error.message)
    box.setInformativeText(
        "Choose what to do. Whatever you choose, nothing is deleted: the file is moved aside, next"
        " to the new one."
    )
    choices: dict[QPushButton, str] = {}
    if trouble.backup is not None:
        stamp = datetime.fromtimestamp(trouble.backup.stat().st_mtime)
        button = box.addButton("Open the Latest Backup", QMessageBox.ButtonRole.AcceptRole)
        button.setToolTip(f"{trouble.backup.name}, from {stamp:%d %b %Y %H:%M}")
        choices[button] = OPEN_BACKUP
    empty = box.addButton("Start with an Empty Database", QMessageBox.ButtonRole.DestructiveRole)
    empty.setToolTip(f"{trouble.path.name} is moved aside as {trouble.path.name}.damaged-…")
    choices[empty] = START_EMPTY
    quit_button = box.addButton("Quit", QMessageBox.ButtonRole.RejectRole)
    choices[quit_button] = QUIT
    box.setDefaultButton(quit_button)
    box.setEscapeButton(quit_button)
    return box, choices


def ask_what_to_do(trouble: Trouble, parent: QWidget | None = None) -> str:
    """Ask with a modal dialog (before any window exists, or over the window)."""
    box, choices = recovery_box(trouble, parent)
    box.exec()
    return choices.get(box.clickedButton(), QUIT)


class BackgroundCheck(QObject):
    """The whole database read once the window is up, with the same question if it is damaged.

    Opening checks only the file's header and schema, so that starting does not take longer as
    the history grows; this reads every page, on a thread of its own, after the first frame.
    Damage found brings up the dialog of a damaged file at start (`ask`); the choice is kept in
    `choice` and announced, and the app closes the window, acts on it and opens again.
    `stop()` interrupts the check at once (quitting never waits for it).

    Signals:
        sig_recovery_chosen(str): the file is damaged and the user chose OPEN_BACKUP,
            START_EMPTY or QUIT; `trouble` says what was found.
    """

    sig_recovery_chosen = Signal(str)

    def __init__(
        self, path: Path, ask: Callable[[Trouble], str], parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        from client.ui.jobs import BackgroundJobs

        self._check = IntegrityCheck(path)
        self._ask = ask
        self._jobs = BackgroundJobs(1, self)
        self.trouble: Trouble | None = None
        self.choice: str | None = None
        self.sound: bool | None = None  # True once the whole file was read and found sound

    def start(self) -> None:
        self._jobs.run(self._check.run, self._on_check_done, self._on_check_failed)

    def stop(self) -> None:
        self._check.cancel()
        self._jobs.wait()

    def _on_check_done(self, sound: bool) -> None:
        self.sound = sound or None

    def _on_check_failed(self, exc: BaseException) -> None:
        if not isinstance(exc, StoreError):
            raise exc
        path = self._check.path
        self.sound = False
        self.trouble = Trouble(exc, path, latest_backup(path))
        self.choice = self._ask(self.trouble)
        self.sig_recovery_chosen.emit(self.choice)


# The data folder: a choice of another one, or quit


CHOOSE_FOLDER, QUIT_FOLDER = "choose", "quit"


def folder_box(error: DataFolderError, parent: QWidget | None = None) -> tuple[QMessageBox, dict]:
    """What is wrong with which folder, and the two ways on; returns the box and button → choice."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Critical)
    box.setWindowTitle("Thinkpane cannot use its data folder")
    box.setText(error.message)
    box.setInformativeText(
        "Choose another folder to keep your conversations in for this session, or quit and "
        "fix the folder (or THINKPANE_HOME). Nothing in the folder is changed."
    )
    choose = box.addButton("Choose Another Folder…", QMessageBox.ButtonRole.AcceptRole)
    choose.setToolTip("Pick or create a folder you can write to")
    quit_button = box.addButton("Quit", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(choose)
    box.setEscapeButton(quit_button)
    return box, {choose: CHOOSE_FOLDER, quit_button: QUIT_FOLDER}


def ask_for_folder(error: DataFolderError) -> Path | None:
    """Ask with a modal dialog (before any window exists); None when the user quits."""
    while True:
        box, choices = folder_box(error)
        box.exec()
        if choices.get(box.clickedButton(), QUIT_FOLDER) != CHOOSE_FOLDER:
            return None
        chosen = QFileDialog.getExistingDirectory(
            None, "Choose a folder for Thinkpane's data", str(Path.home())
        )
        if chosen:
            return Path(chosen)
