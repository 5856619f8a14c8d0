"""Saving an audit report (docs/auditor.md: "an audit report a user can hand to someone else").

The words come from client.audit.report (Markdown or HTML, the same sentences the step view
shows); this module only picks the file and writes it. The audit view's Export button and the
window's Turn → Export audit report… both come here, so they save the same report the same way.
`choose_report_path` is the one place a file dialog opens: tests replace it on the view.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QFileDialog, QWidget

from client.audit.report import audit_report_html, audit_report_markdown
from client.core.audit import AuditResult
from client.core.conversation import Turn
from client.render.maths import formula_ranges
from client.render.maths_html import escape_with_mathml

if TYPE_CHECKING:  # client.critic brings the turn controller: loaded when a critic runs
    from client.critic import CriticReview

FORMATS = {"markdown": "md", "md": "md", "html": "html", "htm": "html"}
FILTERS = "Markdown (*.md);;HTML (*.html)"


def report_kind(fmt: str) -> str:
    """ "md" or "html" for a format name or suffix; ValueError for anything else."""
    kind = FORMATS.get(fmt.lower().lstrip("."))
    if kind is None:
        raise ValueError(f"a report is Markdown or HTML, not {fmt!r}")
    return kind


def write_report(
    path: Path,
    fmt: str,
    turn: Turn,
    audit: AuditResult,
    verdicts: dict[int, Any],
    review: CriticReview | None,
) -> None:
    """Write the report of `turn`'s audit, the user's verdicts and any critic to `path`."""
    critic = review.opinion if review else None
    critic_model = (review.turn.model_reported or review.turn.model) if review else None
    if report_kind(fmt) == "html":
        from client.exports.readable import answer_html

        # Formulas as MathML with their TeX annotated; the Markdown report keeps the TeX.
        text = audit_report_html(
            turn,
            audit,
            verdicts,
            critic,
            critic_model=critic_model,
            answer_html=answer_html(turn),
            text_html=escape_with_mathml,
            formula_ranges=formula_ranges,
        )
    else:
        text = audit_report_markdown(turn, audit, verdicts, critic, critic_model=critic_model)
    Path(path).write_text(text, encoding="utf-8")


def choose_report_path(parent: QWidget, suggested: str) -> tuple[Path, str] | None:
    """Ask where to save; (path with its suffix, "md" or "html"), or None when cancelled."""
    name, chosen = QFileDialog.getSaveFileName(
        parent, "Export the audit report", suggested, FILTERS
    )
    if not name:
        return None
    path = Path(name)
    html = chosen.startswith("HTML") or path.suffix.lower() in (".html", ".htm")
    kind = "html" if html else "md"
    if not path.suffix:
        path = path.with_suffix("." + kind)
    return path, kind
