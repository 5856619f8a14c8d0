"""What the window does once it is on screen, and the layout it remembers between sessions.

The first frame must not wait for genai-prices, keyring, the renderer, the adapters or the
auditor, so `warm_up()` imports them on a background thread after the window shows, and renders
a small document once so that the first streamed answer does not pay for compiling Markdown's
and pygments' patterns. The widgets built only once something is shown or asked for (a turn, the
Settings dialog, Ctrl+K search) are imported next, by `load_widgets_later()` on the GUI thread:
not before the first frame, and not on the first click either. The layout (geometry, splitter,
which side panes are open) is kept in the store's settings table through Preferences, never in
a file of our own.
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray

if TYPE_CHECKING:  # the window calls these; typed only
    from client.ui.main_window import MainWindow

WARM_UP_MARKDOWN = (
    "# Title\n\nSome *text* with `code` and a [link](https://example.com).\n\n"
    "- one\n- two\n\n1. first\n\n> quote\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
    "```python\nprint('hi')\n```\n"
)


def warm_up(theme: str) -> bool:
    """Import and exercise the heavy parts (on a worker thread); True if any API key is set up."""
    import client.audit.report  # noqa: F401 - the auditor's checks, before the first audit
    import client.pricing  # noqa: F401 - genai-prices: the heaviest import, done early
    import client.session  # noqa: F401 - keyring, the store, the adapters' registry
    from client.providers.registry import PROFILES
    from client.render import render_markdown
    from client.store.secrets import get_api_key

    render_markdown(WARM_UP_MARKDOWN, theme=theme)
    return any(get_api_key(p.name, p.env_vars) for p in PROFILES.values() if not p.local)


def load_widgets_later() -> None:
    """Import the widgets the window builds only when needed (on the GUI thread, once warm_up is
    done). They define Qt classes, and PySide sets up a Qt class's types lazily, on first use,
    which is not meant to happen on two threads at once: so not on warm_up's worker.
    (What start-up made is then frozen out of the cyclic collector's walks: client/ui/collector.py.)"""
    import client.ui.audit.view  # noqa: F401 - the audit of a turn, once its reasoning is complete
    import client.ui.conversation.formula_images  # noqa: F401 - formulas, in answers and reasoning
    import client.ui.conversation.turn_view  # noqa: F401 - a turn, when a conversation opens or a prompt goes
    import client.ui.history.search_dialog  # noqa: F401 - Ctrl+K
    import client.ui.settings_dialog  # noqa: F401 - Settings…


def _encode(data: QByteArray) -> str:
    return base64.b64encode(bytes(data.data())).decode("ascii")


def _decode(text: str) -> QByteArray:
    return QByteArray(base64.b64decode(text))


def layout_state(window: MainWindow) -> dict[str, Any]:
    """The window's layout as a small JSON-able dict."""
    return {
        "geometry": _encode(window.saveGeometry()),
        "splitter": _encode(window.splitter.saveState()),
        "sidebar": window.actions_.show_conversations.isChecked(),
        "inspector": window.actions_.show_inspector.isChecked(),
    }


def restore_layout(window: MainWindow, saved: dict[str, Any]) -> None:
    if geometry := saved.get("geometry"):
        window.restoreGeometry(_decode(geometry))
    if splitter := saved.get("splitter"):
        window.splitter.restoreState(_decode(splitter))
    window.actions_.show_conversations.setChecked(bool(saved.get("sidebar", True)))
    window.actions_.show_inspector.setChecked(bool(saved.get("inspector", True)))
    window.sidebar.setVisible(window.actions_.show_conversations.isChecked())
    window.inspector.setVisible(window.actions_.show_inspector.isChecked())
