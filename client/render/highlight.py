"""Code blocks as Qt-friendly HTML: pygments colours as inline styles, and a "Copy" link.

Qt's rich-text engine knows no style sheets worth relying on for this, so every colour is an
inline `style` on a `<span>` (pygments' `noclasses` mode) inside a `<pre>` that carries the
theme's background and default text colour: a block highlighted for the light theme stays
readable if the window is dark, and the other way round.

Each block is preceded by a line holding a "Copy" link whose href is ``thinkpane-copy:N``, N
being the block's index in the document (see `fences.code_blocks`). An unknown or missing
language gives plain escaped text: guessing a lexer is slow and often wrong.
"""

from __future__ import annotations

import html
from functools import cache, lru_cache

from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.style import StyleMeta
from pygments.styles import get_style_by_name
from pygments.token import Token
from pygments.util import ClassNotFound

#: The pygments style used for code in each theme the window knows.
THEME_STYLES: dict[str, str] = {"light": "default", "dark": "monokai"}

# Default text colours for styles that leave plain text uncoloured.
_FALLBACK_TEXT = {"light": "#1f2328", "dark": "#f8f8f2"}

COPY_SCHEME = "thinkpane-copy:"

# Highlighting a multi-megabyte block is slow and nobody reads it coloured; show it plain.
MAX_HIGHLIGHTED_CHARS = 200_000


def check_theme(theme: str) -> str:
    """`theme` itself, or ValueError naming the themes there are."""
    if theme not in THEME_STYLES:
        raise ValueError(f"unknown theme {theme!r}; expected one of {sorted(THEME_STYLES)}")
    return theme


def copy_href(index: int) -> str:
    """The href of the "Copy" link of code block `index`."""
    return f"{COPY_SCHEME}{index}"


def copy_block_index(href: str) -> int | None:
    """The code block index a clicked ``thinkpane-copy:N`` href stands for, else None."""
    if not href.startswith(COPY_SCHEME):
        return None
    number = href[len(COPY_SCHEME) :]
    return int(number) if number.isascii() and number.isdigit() else None


def code_block_html(code: str, language: str, index: int, theme: str) -> str:
    """One fenced block as a "Copy" line followed by a `<pre>` of highlighted code."""
    style = _style(theme)
    background = style.background_color or "#ffffff"
    text_colour = style.style_for_token(Token)["color"]
    foreground = f"#{text_colour}" if text_colour else _FALLBACK_TEXT[theme]
    label = f" \u00b7 {html.escape(language)}" if language else ""
    body = _highlighted(code, language, theme)
    return (
        f'<p><a href="{copy_href(index)}">Copy</a>{label}</p>\n'
        f'<pre style="background-color: {background}; color: {foreground}">{body}</pre>'
    )


def _highlighted(code: str, language: str, theme: str) -> str:
    lexer = _lexer(language) if language and len(code) <= MAX_HIGHLIGHTED_CHARS else None
    if lexer is None:
        return html.escape(code, quote=False)
    # pygments ends its output with the newline it adds; <pre> would show it as an empty line.
    highlighted: str = highlight(code, lexer, _formatter(theme))
    return highlighted.removesuffix("\n")


@lru_cache(maxsize=64)
def _lexer(language: str) -> Lexer | None:
    try:
        return get_lexer_by_name(language)
    except ClassNotFound:
        return None


@cache
def _formatter(theme: str) -> HtmlFormatter[str]:
    return HtmlFormatter(style=THEME_STYLES[theme], noclasses=True, nowrap=True)


@cache
def _style(theme: str) -> StyleMeta:
    return get_style_by_name(THEME_STYLES[check_theme(theme)])
