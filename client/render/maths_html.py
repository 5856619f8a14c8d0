"""Formulas in rendered HTML: pictures for the window, MathML for files, source for search.

`split_maths` (maths.py) says where the formulas are; this file says what they become:

- In the window's HTML, a formula is an ``<img>`` addressed ``thinkpane-math:…`` (see
  `typeset.formula_href`) with the source as its title, so the window's resource provider draws
  it and hovering shows the TeX. Inline formulas sit in the line (``align="middle"``: the
  picture is padded so that its baseline lands on the text's); a display formula standing on
  its own line(s) becomes a centred paragraph.
- `MathPreprocessor` does that for markdown (answers, prompts): formulas are taken out before
  Python-Markdown sees them, so ``\\(``, ``_`` and ``*`` in TeX are never read as markdown.
- `plain_paragraphs_html` does it for reasoning, which is plain text.
- `with_mathml` turns those pictures into MathML for HTML files (exports, the audit report),
  with the TeX kept as an annotation; `escape_with_mathml` does the same for plain text.
"""

from __future__ import annotations

import html
import re

from markdown.preprocessors import Preprocessor

from client.render.maths import Formula, Prose, split_maths, stands_alone
from client.render.typeset import MATH_SCHEME, formula_href, formula_of_href, mathml

_MATH_IMAGE = re.compile(r'<img [^>]*?src="(' + re.escape(MATH_SCHEME) + r'[^"]*)"[^>]*>')


def formula_img(formula: Formula) -> str:
    """The ``<img>`` standing for `formula` in the window's HTML."""
    title = html.escape(formula.source, quote=True)
    href = html.escape(formula_href(formula.tex, formula.display), quote=True)
    return f'<img src="{href}" title="{title}" alt="{title}" align="middle">'


def formula_block(formula: Formula) -> str:
    """A display formula as a centred paragraph of its own."""
    return f'<p align="center">{formula_img(formula)}</p>'


class MathPreprocessor(Preprocessor):
    """Replaces each formula in markdown by a placeholder for its picture's HTML."""

    def run(self, lines: list[str]) -> list[str]:
        text = "\n".join(lines)
        parts = split_maths(text)
        if not any(isinstance(part, Formula) for part in parts):
            return lines
        out: list[str] = []
        for index, part in enumerate(parts):
            if isinstance(part, Prose):
                out.append(part.source)
            elif stands_alone(parts, index):
                # A paragraph of its own, indented as its line was (inside a list item, say).
                before = out[-1] if out else ""
                indent = before[before.rfind("\n") + 1 :]
                if indent:
                    out[-1] = before[: len(before) - len(indent)]
                placeholder = self.md.htmlStash.store(formula_block(part))
                out.append(f"\n\n{indent}{placeholder}\n\n")
            else:
                out.append(self.md.htmlStash.store(formula_img(part)))
        return "".join(out).split("\n")


def plain_paragraphs_html(paragraph: str) -> str:
    """One paragraph of plain text as ``<p>`` HTML, formulas as pictures.

    A display formula alone on its lines becomes a centred paragraph between the text before
    and after it; everything else stays in a ``white-space: pre-wrap`` paragraph, escaped.
    """
    parts = split_maths(paragraph)
    chunks: list[str] = []
    current: list[str] = []

    def close() -> None:
        body = "".join(current).strip("\n")
        if body:
            chunks.append(f'<p style="white-space: pre-wrap">{body}</p>')
        current.clear()

    for index, part in enumerate(parts):
        if isinstance(part, Prose):
            current.append(html.escape(part.source, quote=False).replace("\x00", "\ufffd"))
        elif stands_alone(parts, index):
            close()
            chunks.append(formula_block(part))
        else:
            current.append(formula_img(part))
    close()
    return "\n".join(chunks)


def _mathml_or_source(tex: str, display: bool, source: str) -> str:
    converted = mathml(tex, display)
    if converted is None:
        return f'<code class="tex">{html.escape(source, quote=False)}</code>'
    return converted


def with_mathml(fragment: str) -> str:
    """Rendered HTML with each formula picture replaced by MathML (TeX annotated), for files."""

    def replace(match: re.Match[str]) -> str:
        decoded = formula_of_href(html.unescape(match[1]))
        if decoded is None:
            return ""
        tex, display = decoded
        title = re.search(r'title="([^"]*)"', match[0])
        source = html.unescape(title[1]) if title else tex
        return _mathml_or_source(tex, display, source)

    return _MATH_IMAGE.sub(replace, fragment)


def escape_with_mathml(text: str) -> str:
    """Plain `text` escaped for HTML, its formulas as MathML."""
    return "".join(
        html.escape(part.source)
        if isinstance(part, Prose)
        else _mathml_or_source(part.tex, part.display, part.source)
        for part in split_maths(text)
    )
