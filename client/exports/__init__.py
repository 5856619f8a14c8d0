"""Exports and imports of whole conversations: Markdown and HTML to read, JSON to keep.

`thinkpane export` / `thinkpane import` and the window's File menu use these:

- `export_markdown` and `export_html`: one branch, root to leaf (the newest unless `leaf_id`
  says which), or every branch with `all_branches=True` (see `readable.py`);
- `export_json` / `export_document`: everything the store keeps about the conversation, with a
  `"format": "thinkpane-export", "version": 1` header (see `document.py`);
- `import_json` / `import_document`: that document back into the store, exactly, as a new
  conversation; a file that is not one raises `InvalidExport` with a sentence for the user, a
  conversation already stored raises `AlreadyImported` (nothing changes) unless `as_copy`.

Exports never contain API keys: the store holds none, and a password in a base URL is dropped.
This package sits beside the turn controller (client.session) in the layers: it uses the store,
the renderer, the auditor's step segmentation and core, and no Qt.
"""

from __future__ import annotations

from client.exports.document import (
    FORMAT,
    VERSION,
    AlreadyImported,
    InvalidExport,
    export_document,
    export_json,
    import_document,
    import_json,
)
from client.exports.readable import gather, to_html, to_markdown
from client.store import Store

__all__ = [
    "FORMAT",
    "VERSION",
    "AlreadyImported",
    "InvalidExport",
    "export_document",
    "export_html",
    "export_json",
    "export_markdown",
    "import_document",
    "import_json",
]


def export_markdown(
    store: Store, conversation_id: str, *, all_branches: bool = False, leaf_id: str | None = None
) -> str:
    """The conversation as Markdown. KeyError for an unknown conversation or leaf."""
    return to_markdown(gather(store, conversation_id, all_branches=all_branches, leaf_id=leaf_id))


def export_html(
    store: Store, conversation_id: str, *, all_branches: bool = False, leaf_id: str | None = None
) -> str:
    """The conversation as one self-contained, sanitised HTML page. KeyError as above."""
    return to_html(gather(store, conversation_id, all_branches=all_branches, leaf_id=leaf_id))
