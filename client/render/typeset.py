"""Typesetting one formula, safely: TeX to SVG for the window, TeX to MathML for exports.

The window shows a formula as a picture: ziamath turns TeX into SVG in pure Python (no TeX
installation, no browser engine), and the window rasterises the SVG (client/ui). Exports get
MathML from latex2mathml, which current browsers render natively, with the TeX kept beside it
as an annotation.

A formula is model output, so it is hostile until shown otherwise:

- Commands that would link, load or run something, or define macros, are refused before any
  parsing (`refusal`): ``\\href``, ``\\url``, ``\\includegraphics``, the ``\\html…`` family,
  ``\\input``, ``\\def``, ``\\newcommand`` and their kin. Such a formula stays its source text.
  Refusing macro definitions is what bounds the work: without them, what ziamath expands is
  what was written, and a formula is at most `MAX_FORMULA_CHARS` long (longer ones are refused).
- The window's typesetting runs in a worker process of its own (formula_worker.py in
  client/ui/conversation) with a deadline (`TIME_LIMIT_S`): past it the worker is killed and a
  fresh one started, so no formula can stall the renderer, and the window's interpreter never
  runs ziamath at all.
  MathML for exports is made in the calling process: latex2mathml only reads the TeX once, and a
  formula is at most `MAX_FORMULA_CHARS` long (about 20 ms at worst here), so that is its bound.
- The SVG is capped at `MAX_SVG_CHARS`; nothing here ever opens a file or a socket.

In the documents client.render makes, a formula is an ``<img>`` whose address is
``thinkpane-math:`` followed by "d" (display) or "i" (inline) and the percent-encoded TeX
(`formula_href`); the window supplies the picture for it and nothing else can. `FormulaKey` is
what a picture is cached by: the TeX, display or inline, the size and the colour.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, unquote

from client.render.maths import MAX_FORMULA_CHARS

MATH_SCHEME = "thinkpane-math:"
TIME_LIMIT_S = 2.0
MAX_SVG_CHARS = 2_000_000

#: Commands no formula in an answer needs and that a hostile one could use.
REFUSED_COMMANDS = frozenset({
    "href", "url", "includegraphics", "htmlClass", "htmlId", "htmlStyle", "htmlData",
    "html", "class", "cssId", "style", "input", "include", "require", "def", "gdef", "edef", "xdef", "let", "futurelet",
    "newcommand", "renewcommand", "providecommand", "DeclareMathOperator", "newenvironment",
    "renewenvironment", "expandafter", "csname", "catcode", "write", "immediate", "openout",
    "special", "directlua", "usepackage", "documentclass",
})  # fmt: skip
_COMMAND = re.compile(r"\\([A-Za-z]+)")
_VIEW_BOX = re.compile(r'viewBox="([-\d.e]+) ([-\d.e]+) ([\d.e]+) ([\d.e]+)"')


class FormulaError(Exception):
    """A formula that cannot be typeset; str() is a sentence saying why."""


@dataclass(frozen=True, slots=True)
class FormulaKey:
    """What a typeset picture depends on: a cache key.

    size is the font size in device pixels (the text size times the screen's pixel ratio);
    colour is "#rrggbb"; scale is the screen's pixel ratio the picture is made for.
    """

    tex: str
    display: bool
    size: float
    colour: str
    scale: float = 1.0


@dataclass(frozen=True, slots=True)
class TypesetFormula:
    """A formula as SVG, with its size in pixels and how far its baseline is below its top."""

    svg: str
    width: float
    height: float
    ascent: float

    @property
    def descent(self) -> float:
        return self.height - self.ascent


def formula_href(tex: str, display: bool) -> str:
    """The address of a formula's picture in rendered HTML."""
    return f"{MATH_SCHEME}{'d' if display else 'i'}{quote(tex, safe='')}"


def formula_of_href(href: str) -> tuple[str, bool] | None:
    """(TeX, display) for a ``thinkpane-math:`` address, else None."""
    if not href.startswith(MATH_SCHEME) or len(href) <= len(MATH_SCHEME):
        return None
    kind, encoded = href[len(MATH_SCHEME)], href[len(MATH_SCHEME) + 1 :]
    if kind not in "di":
        return None
    return unquote(encoded), kind == "d"


def refusal(tex: str) -> str | None:
    """Why `tex` will not be typeset (a refused command, or too long), or None when it may be."""
    if len(tex) > MAX_FORMULA_CHARS:
        return f"the formula is longer than {MAX_FORMULA_CHARS:,} characters: it is not typeset"
    for match in _COMMAND.finditer(tex):
        if match[1] in REFUSED_COMMANDS:
            return f"\\{match[1]} is not typeset: formulas may not link, load or define anything"
    return None


def typeset_svg(key: FormulaKey) -> TypesetFormula:
    """`key`'s formula as SVG, or FormulaError saying why it cannot be.

    Runs ziamath in the calling process, with no deadline: the window calls it through
    the worker process of client/ui's formula_worker, which is killed when it runs too long.
    """
    reason = refusal(key.tex)
    if reason:
        raise FormulaError(reason)
    import ziamath  # about 0.3 s to import: only once maths is actually shown

    # SVG 1.1: glyphs as plain paths, no <symbol>, which QtSvg (SVG Tiny) cannot draw.
    ziamath.config.svg2 = False
    try:
        latex = ziamath.Latex(
            key.tex, size=key.size, color=key.colour, inline=not key.display, margin=0
        )
        svg = str(latex.svg())
    except RecursionError as error:
        raise FormulaError("the formula nests too deeply to typeset") from error
    except Exception as error:  # ziamath raises many kinds for malformed TeX
        raise FormulaError(f"the formula could not be read ({type(error).__name__})") from error
    return measured(svg)


def measured(svg: str) -> TypesetFormula:
    """A typeset formula's SVG with its size and baseline read from it, or FormulaError."""
    if len(svg) > MAX_SVG_CHARS:
        raise FormulaError("the formula is too large to typeset")
    box = _VIEW_BOX.search(svg)
    if box is None:
        raise FormulaError("the typeset formula has no size")
    top, width, height = float(box[2]), float(box[3]), float(box[4])
    return TypesetFormula(svg=svg, width=width, height=height, ascent=-top)


def mathml(tex: str, display: bool) -> str | None:
    """`tex` as a MathML ``<math>`` element with the TeX as its annotation; None if it cannot be."""
    if refusal(tex):
        return None
    from latex2mathml.converter import convert

    try:
        converted = convert(tex, display="block" if display else "inline")
    except Exception:  # latex2mathml raises many kinds for malformed TeX (RecursionError too)
        return None
    opening_end = converted.find(">") + 1
    closing = converted.rfind("</math>")
    if opening_end <= 0 or closing < opening_end:
        return None
    annotation = (
        '<annotation encoding="application/x-tex">'
        + tex.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        + "</annotation>"
    )
    return (
        converted[:opening_end]
        + "<semantics>"
        + converted[opening_end:closing]
        + annotation
        + "</semantics></math>"
    )
