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
  what was written, and a formula is at most `maths.MAX_FORMULA_CHARS` long.
- Every typesetting runs against a deadline (`TIME_LIMIT_S`): past it, a watchdog thread raises
  an exception inside the typesetting thread (CPython's asynchronous exceptions), again every
  50 ms until it stops, and the caller gets `FormulaError`; so no formula can stall the
  renderer. The cyclic garbage collector is paused meanwhile, as its callbacks would swallow
  the interruption.
- The SVG is capped at `MAX_SVG_CHARS`; nothing here ever opens a file or a socket.

In the documents client.render makes, a formula is an ``<img>`` whose address is
``thinkpane-math:`` followed by "d" (display) or "i" (inline) and the percent-encoded TeX
(`formula_href`); the window supplies the picture for it and nothing else can. `FormulaKey` is
what a picture is cached by: the TeX, display or inline, the size and the colour.
"""

from __future__ import annotations

import ctypes
import gc
import re
import threading
import time
from dataclasses import dataclass
from urllib.parse import quote, unquote

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
    """Why `tex` will not be typeset (a refused command), or None when it may be."""
    for match in _COMMAND.finditer(tex):
        if match[1] in REFUSED_COMMANDS:
            return f"\\{match[1]} is not typeset: formulas may not link, load or define anything"
    return None


def typeset_svg(key: FormulaKey, *, time_limit_s: float = TIME_LIMIT_S) -> TypesetFormula:
    """`key`'s formula as SVG, or FormulaError saying why it cannot be.

    Safe to call from any thread; the deadline applies to the calling thread.
    """
    reason = refusal(key.tex)
    if reason:
        raise FormulaError(reason)
    import ziamath  # about 0.3 s to import: only once maths is actually shown

    # SVG 1.1: glyphs as plain paths, no <symbol>, which QtSvg (SVG Tiny) cannot draw.
    ziamath.config.svg2 = False

    def typeset() -> str:
        latex = ziamath.Latex(
            key.tex, size=key.size, color=key.colour, inline=not key.display, margin=0
        )
        return str(latex.svg())

    try:
        svg = _with_deadline(typeset, time_limit_s)
    except FormulaError:
        raise
    except RecursionError as error:
        raise FormulaError("the formula nests too deeply to typeset") from error
    except Exception as error:  # ziamath raises many kinds for malformed TeX
        raise FormulaError(f"the formula could not be read ({type(error).__name__})") from error
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
        converted = _with_deadline(
            lambda: convert(tex, display="block" if display else "inline"), TIME_LIMIT_S
        )
    except Exception:  # latex2mathml raises many kinds for malformed TeX
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


def _interrupt(thread: int, exception: type[BaseException] | None) -> None:
    """Raise `exception` in `thread` at its next bytecode; None cancels a pending one."""
    pending = ctypes.py_object(exception) if exception is not None else ctypes.c_void_p(None)
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread), pending)


class _Overtime(Exception):
    """Raised inside a typesetting thread by its watchdog."""


#: After the deadline, the watchdog interrupts again this often until the work has stopped: an
#: interruption that lands where Python ignores exceptions (a __del__ method) is not lost.
_REPEAT_S = 0.05
_gc_lock = threading.Lock()
_gc_paused = [0, False]  # how many typesettings run, whether the collector was on before


def _pause_collector(pause: bool) -> None:
    """The cyclic collector is off while any formula is typeset: its callbacks ignore
    exceptions, so an interruption landing in one would be lost (collection is only deferred)."""
    with _gc_lock:
        if pause:
            if _gc_paused[0] == 0:
                _gc_paused[1] = gc.isenabled()
                gc.disable()
            _gc_paused[0] += 1
        else:
            _gc_paused[0] -= 1
            if _gc_paused[0] == 0 and _gc_paused[1]:
                gc.enable()


class _Watchdog:
    """One thread for the whole process that interrupts typesettings past their deadline."""

    def __init__(self) -> None:
        self._lock = threading.Condition()
        self._deadlines: dict[int, float] = {}  # thread ident: when to interrupt it next
        self._thread: threading.Thread | None = None

    def start_watching(self, thread: int, seconds: float) -> None:
        with self._lock:
            self._deadlines[thread] = time.monotonic() + seconds
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="formula-deadlines")
                self._thread.daemon = True
                self._thread.start()
            self._lock.notify()

    def stop_watching(self, thread: int) -> None:
        with self._lock:
            self._deadlines.pop(thread, None)
            # An interruption set but not yet raised must not escape into the caller.
            _interrupt(thread, None)

    def _run(self) -> None:
        with self._lock:
            while True:
                now = time.monotonic()
                for thread, deadline in list(self._deadlines.items()):
                    if deadline <= now:
                        _interrupt(thread, _Overtime)
                        self._deadlines[thread] = now + _REPEAT_S
                soonest = min(self._deadlines.values(), default=None)
                self._lock.wait(None if soonest is None else max(0.0, soonest - now))


_watchdog = _Watchdog()


def _with_deadline(work, seconds: float):  # type: ignore[no-untyped-def]
    """`work()`, or FormulaError once it has run `seconds`: the watchdog interrupts it."""
    thread = threading.get_ident()
    _pause_collector(True)
    try:
        try:
            _watchdog.start_watching(thread, seconds)
            return work()
        finally:
            while True:  # an interruption may land after the work, before it was stopped
                try:
                    _watchdog.stop_watching(thread)
                    break
                except _Overtime:
                    continue
            _pause_collector(False)  # from here on nothing can interrupt this thread
    except _Overtime as error:
        raise FormulaError(f"the formula took longer than {seconds:g} s to typeset") from error
