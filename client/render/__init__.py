"""Model output to safe HTML for Qt's rich-text engine, whole or while it streams.

Answers are markdown: `render_markdown` (whole text) and `StreamingDocument` (chunk by chunk).
Reasoning is shown as written: `render_plain` and `StreamingPlain`. The HTML uses two internal
link schemes the window handles itself, never the system browser:

- ``thinkpane-copy:N`` on each fenced code block's "Copy" link: copy `code_blocks(text)[N]`
  (`copy_block_index(href)` gives N);
- ``thinkpane-image:<percent-encoded address>`` on each image placeholder: offer to open the
  image's address, which is never fetched by itself (`image_address(href)` gives it).

Every other link is http, https or mailto. This package imports no Qt.

The names below are loaded on first use (PEP 562), so that importing one light module of this
package (`client.render.maths`, `client.render.typeset`, which the window's widgets need at
start-up) does not import Markdown, pygments and nh3 before the first frame: the warm-up after
the window shows does that.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from client.render.extension import image_address
    from client.render.fences import code_blocks
    from client.render.highlight import THEME_STYLES, copy_block_index
    from client.render.markdown_html import render_markdown
    from client.render.plain import StreamingPlain, render_plain
    from client.render.streaming import RenderUpdate, StreamingDocument

_WHERE = {
    "image_address": "extension",
    "code_blocks": "fences",
    "THEME_STYLES": "highlight",
    "copy_block_index": "highlight",
    "render_markdown": "markdown_html",
    "StreamingPlain": "plain",
    "render_plain": "plain",
    "RenderUpdate": "streaming",
    "StreamingDocument": "streaming",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'client.render' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"client.render.{module}"), name)
    globals()[name] = value
    return value


__all__ = [
    "THEME_STYLES",
    "RenderUpdate",
    "StreamingDocument",
    "StreamingPlain",
    "code_blocks",
    "copy_block_index",
    "image_address",
    "render_markdown",
    "render_plain",
]
