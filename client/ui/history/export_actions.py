"""File → Export Conversation as Markdown, HTML or JSON…, and File → Import Conversation….

Markdown and HTML are for reading and show the branch on screen; JSON keeps everything (every
branch, the provider state, exact costs) and is what Import reads back (client.exports). The
file dialog is the only part on the GUI thread: reading the store, rendering and writing the
file happen on the window's background jobs, and the result is one sentence in the status bar.
`export_to(path, kind)` and `import_from(path)` are the commands without their dialogs.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QStatusBar, QWidget

if TYPE_CHECKING:
    from client.core.conversation import Conversation
    from client.store.store import Store
    from client.ui.conversation.view import ConversationView
    from client.ui.focus import ConversationFocus
    from client.ui.jobs import BackgroundJobs

KINDS = {
    "markdown": ("Markdown", "md", "Markdown (*.md)"),
    "html": ("HTML", "html", "HTML page (*.html)"),
    "json": ("JSON", "json", "Thinkpane export (*.json)"),
}
EXPORT_TIPS = {
    "markdown": "Save the branch shown as Markdown, reasoning included, to read or share",
    "html": "Save the branch shown as one self-contained web page",
    "json": "Save everything about this conversation (every branch) to import it again later",
}
STATUS_MS = 15_000


def write_export(
    store: Store, conversation_id: str, kind: str, leaf_id: str | None, path: Path
) -> None:
    """Render the export and write it (on a worker). KeyError for an unknown conversation."""
    from client.exports import export_html, export_json, export_markdown

    if kind == "json":
        text = export_json(store, conversation_id)
    else:
        render = export_markdown if kind == "markdown" else export_html
        text = render(store, conversation_id, leaf_id=leaf_id)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)  # never a half-written file under the name the user chose


def read_import(store: Store, path: Path, as_copy: bool = False) -> Conversation:
    """Add the conversation in a JSON export to the store (on a worker); returns it.
    AlreadyImported when it is already here and `as_copy` is False (nothing changes)."""
    from client.exports import InvalidExport, import_json

    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InvalidExport(
            f"{path.name} is not a text file, so it is not a Thinkpane export."
        ) from None
    return import_json(store, text, where=path.name, as_copy=as_copy)


def failure_sentence(exc: BaseException, doing: str) -> str:
    from client.exports import InvalidExport

    if isinstance(exc, InvalidExport):
        return str(exc)  # already a sentence naming the file and what is wrong with it
    if isinstance(exc, OSError):
        return f"Could not {doing}: {exc.strerror or exc} ({exc.filename or 'the file'})."
    if isinstance(exc, KeyError):
        return f"Could not {doing}: the conversation is no longer in the database."
    return f"Could not {doing}: {getattr(exc, 'message', None) or exc}"


class ExportActions(QObject):
    """The File menu's export and import commands for one window.

    Signals:
        sig_conversation_exported(str): the path written.
        sig_conversation_imported(str): the id of the conversation added (and opened).
        sig_conversation_already_here(str): the id of the conversation an import found already
            here (opened; nothing changed).
        sig_transfer_failed(str): the sentence shown when an export or import failed.
    """

    sig_conversation_exported = Signal(str)
    sig_conversation_imported = Signal(str)
    sig_conversation_already_here = Signal(str)
    sig_transfer_failed = Signal(str)

    def __init__(
        self,
        store: Store,
        jobs: BackgroundJobs,
        view: ConversationView,
        focus: ConversationFocus,
        status: QStatusBar,
        export_actions: dict[str, QAction],
        import_action: QAction,
        import_copy_action: QAction,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._store, self._jobs, self._view = store, jobs, view
        self._focus, self._status, self._parent = focus, status, parent
        self._title = ""
        self._importing = ""
        self.export_actions = export_actions  # by kind, each carrying its kind as data
        self.import_action = import_action
        self.import_copy_action = import_copy_action
        self._connect_signals()
        self.set_conversation(None)

    def _connect_signals(self) -> None:
        for action in self.export_actions.values():
            action.triggered.connect(self._on_export_action_triggered)
        self.import_action.triggered.connect(self._on_import_action_triggered)
        self.import_copy_action.triggered.connect(self._on_import_copy_action_triggered)

    def set_conversation(self, conversation_id: str | None, title: str = "") -> None:
        """The conversation shown (None: a new one, nothing to export yet) and its title."""
        self._title = title
        for action in self.export_actions.values():
            action.setEnabled(conversation_id is not None)

    # The commands, without their dialogs

    def export_to(self, path: str | Path, kind: str) -> None:
        """Export the conversation shown ("markdown", "html" or "json") to `path`."""
        target = Path(path)
        conversation_id, store = self._focus.current_id, self._store
        if conversation_id is None:
            return
        leaf_id = self._view.leaf_id()
        label = KINDS[kind][0]
        self._status.showMessage(f"Exporting to {target.name}…")
        self._jobs.run(
            lambda: write_export(store, conversation_id, kind, leaf_id, target),
            lambda _none: self._on_exported(target, label),
            lambda exc: self._fail(failure_sentence(exc, f"export to {target}")),
        )

    def import_from(self, path: str | Path, *, as_copy: bool = False) -> None:
        """Add the conversation in a JSON export and open it; a bad file changes nothing, and a
        conversation already here is opened as it is (unless `as_copy`: then a copy is added)."""
        source, store = Path(path), self._store
        self._status.showMessage(f"Importing {source.name}…")
        self._importing = source.name
        self._jobs.run(
            lambda: read_import(store, source, as_copy),
            self._on_imported,
            self._on_import_failed,
        )

    def _on_import_failed(self, exc: BaseException) -> None:
        from client.exports import AlreadyImported

        if isinstance(exc, AlreadyImported):
            self._status.showMessage(str(exc), STATUS_MS * 2)
            self._focus.open(exc.conversation.id)
            self.sig_conversation_already_here.emit(exc.conversation.id)
            return
        self._fail(failure_sentence(exc, f"import {self._importing}"))

    def _on_exported(self, path: Path, label: str) -> None:
        self._status.showMessage(f"Exported this conversation as {label} to {path}.", STATUS_MS)
        self.sig_conversation_exported.emit(str(path))

    def _on_imported(self, conversation: Conversation) -> None:
        title = conversation.title or "New conversation"
        self._status.showMessage(f"Imported “{title}”.", STATUS_MS)
        self._focus.sig_list_changed.emit()
        self._focus.open(conversation.id)
        self.sig_conversation_imported.emit(conversation.id)

    def _fail(self, sentence: str) -> None:
        self._status.showMessage(sentence, STATUS_MS * 2)
        self.sig_transfer_failed.emit(sentence)

    # Slots: the dialogs

    @Slot()
    def _on_export_action_triggered(self) -> None:
        sender = self.sender()
        kind = sender.data() if isinstance(sender, QAction) else "json"
        label, suffix, name_filter = KINDS[kind]
        states = self._view.states()
        stem = _file_stem(self._title or (states[0].turn.prompt if states else ""))
        path, _ = QFileDialog.getSaveFileName(
            self._parent,
            f"Export conversation as {label}",
            str(Path.home() / f"{stem}.{suffix}"),
            name_filter,
        )
        if path:
            self.export_to(path, kind)

    @Slot()
    def _on_import_action_triggered(self) -> None:
        self._ask_and_import(as_copy=False)

    @Slot()
    def _on_import_copy_action_triggered(self) -> None:
        self._ask_and_import(as_copy=True)

    def _ask_and_import(self, *, as_copy: bool) -> None:
        title = "Import conversation as a copy" if as_copy else "Import conversation"
        path, _ = QFileDialog.getOpenFileName(
            self._parent, title, str(Path.home()), KINDS["json"][2]
        )
        if path:
            self.import_from(path, as_copy=as_copy)


def _file_stem(text: str) -> str:
    """A file name from a title or prompt: its first words, safe on every system."""
    words = "".join(ch if ch.isalnum() or ch in " -_" else " " for ch in text).split()
    return "-".join(words[:8])[:60] or "conversation"
