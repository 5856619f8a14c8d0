"""A prompt set's summary as CSV and Markdown: "is more thinking worth it for my questions?",
kept as a file to share or to open in a spreadsheet.

CSV: one row per column with the figures of `compare --prompts --json`'s summary objects (the
same names, values as text that reads back exactly). Markdown: the verdict, the table of the
columns, then each prompt with the answer most columns gave and what each column answered.
Prompts and answers are model output or user text: in Markdown they are escaped so they show
literally (no link, image or HTML is made of them); in CSV a cell that a spreadsheet would run
as a formula is quoted with a leading apostrophe.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from client.compare.prompt_set import SetSummary
from client.core import format as fmt
from client.exports.readable import md_literal

CSV_FIELDS = (
    "label",
    "prompts",
    "runs",
    "completed",
    "majority_prompts",
    "majority_accuracy",
    "accuracy",
    "correct",
    "agreement",
    "cost",
    "cost_median",
    "cost_per_correct",
    "unpriced_runs",
    "reasoning_tokens_mean",
    "reasoning_tokens_median",
    "total_s_median",
    "cheapest_majority",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return "" if value is None else value


def summary_csv(summary: SetSummary) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_FIELDS)
    for column in summary.columns:
        row = column.to_json()
        writer.writerow([_cell(row[name]) for name in CSV_FIELDS])
    return out.getvalue()


def _share(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def _cell_md(text: str | None, limit: int = 80) -> str:
    if text is None:
        return "—"
    line = " ".join(text.split())
    if len(line) > limit:
        line = line[: limit - 1] + "…"
    return md_literal(line)


def summary_markdown(summary: SetSummary) -> str:
    rows = [c.to_json() for c in summary.columns]
    graded = any(r["accuracy"] is not None for r in rows)
    out = [f"# Is more thinking worth it? {summary.prompts} prompts", ""]
    out += [md_literal(summary.verdict()), ""]
    head = ["setting", "majority answer on", "runs giving it", "total cost", "mean reasoning"]
    head += ["median time"] + (["accuracy (expected)", "cost per correct"] if graded else [])
    out.append("| " + " | ".join(head) + " |")
    out.append("|" + "---|" * len(head))
    for column, row in zip(summary.columns, rows, strict=True):
        mark = " ★" if column.cheapest_majority else ""
        cells = [
            md_literal(column.label) + mark,
            f"{column.majority_prompts} of {summary.prompts} prompts",
            _share(column.majority_accuracy),
            fmt.money(column.cost)
            + (f" (+{column.unpriced_runs} unpriced)" if column.unpriced_runs else ""),
            "—" if column.reasoning_mean is None else fmt.tokens(round(column.reasoning_mean)),
            "—" if row["total_s_median"] is None else fmt.duration(row["total_s_median"]),
        ]
        if graded:
            cost_per = row["cost_per_correct"]
            cells += [
                _share(row["accuracy"]),
                "—" if cost_per is None else fmt.money(Decimal(cost_per)),
            ]
        out.append("| " + " | ".join(cells) + " |")
    out += ["", "★ the cheapest setting that still gets the majority answer.", "", "## Prompts", ""]
    head = ["#", "prompt", "majority answer"] + [md_literal(label) for label in summary.labels]
    out.append("| " + " | ".join(head) + " |")
    out.append("|" + "---|" * len(head))
    for number, prompt in enumerate(summary.rows, 1):
        cells = [str(number), _cell_md(prompt.prompt), _cell_md(prompt.majority, 40)]
        for answer, agreement in zip(prompt.answers, prompt.agreements, strict=True):
            said = _cell_md(answer, 40)
            cells.append(said if agreement is None else f"{said} ({agreement:.0%})")
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out) + "\n"
