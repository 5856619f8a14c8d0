"""The columns of a comparison: which model, at which effort, on which server.

The command line takes `--efforts low,medium,high` (columns of one model) and repeatable
`--target PROVIDER:MODEL[@EFFORT][=BASE_URL]` (columns of other models); the window builds the
same list from its checkboxes. A label names each column in the view and the JSON.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from client.core.errors import UsageError

MAX_SAMPLES = 8
MAX_COLUMNS = 12


@dataclass(frozen=True)
class Column:
    provider: str
    model: str
    effort: str | None = None
    base_url: str | None = None
    label: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "provider": self.provider,
            "model": self.model,
            "effort": self.effort,
            "base_url": self.base_url,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Column:
        return cls(
            str(data["provider"]),
            str(data["model"]),
            data.get("effort"),
            data.get("base_url"),
            str(data.get("label") or ""),
        )


def parse_target(spec: str) -> Column:
    """`PROVIDER:MODEL[@EFFORT][=BASE_URL]`, e.g. `openai:gpt-5-mini@low` or
    `ollama:qwen3:8b=http://localhost:11434`. Raises UsageError with what is wrong."""
    head, _, base_url = spec.strip().partition("=")
    provider, sep, rest = head.partition(":")
    if not sep or not provider.strip() or not rest.strip():
        raise UsageError(
            f"--target {spec!r} is not PROVIDER:MODEL[@EFFORT][=BASE_URL], "
            "e.g. openai:gpt-5-mini@low"
        )
    model, at, effort = rest.rpartition("@")
    if not at:
        model, effort = rest, ""
    if not model.strip():
        raise UsageError(f"--target {spec!r} names no model before '@'.")
    return Column(provider.strip(), model.strip(), effort.strip() or None, base_url.strip() or None)


def build_columns(
    provider: str | None,
    model: str | None,
    base_url: str | None,
    efforts: Iterable[str] = (),
    targets: Iterable[Column] = (),
) -> list[Column]:
    """The columns in order: one per effort of the main model, then the other targets.

    With no efforts and no targets, the main model alone is one column (samples then compare
    answers of one setting). Labels are made unique."""
    columns: list[Column] = []
    efforts = [e.strip() for e in efforts if e.strip()]
    targets = list(targets)
    if provider and model:
        if efforts:
            columns += [Column(provider, model, e, base_url) for e in efforts]
        elif not targets:
            columns.append(Column(provider, model, None, base_url))
    columns += targets
    if not columns:
        raise UsageError("nothing to compare: give --provider and --model, or --target.")
    if len(columns) > MAX_COLUMNS:
        raise UsageError(f"at most {MAX_COLUMNS} columns in one comparison ({len(columns)} given).")
    return label_columns(columns)


def label_columns(columns: list[Column]) -> list[Column]:
    def short(c: Column) -> str:
        return f"{c.model} @ {c.effort}" if c.effort else c.model

    labels = [short(c) for c in columns]
    out = []
    for c, label in zip(columns, labels, strict=True):
        if labels.count(label) > 1:
            label = f"{c.provider}:{label}"
        if [f"{x.provider}:{short(x)}" for x in columns].count(label) > 1 and c.base_url:
            label = f"{label} ({c.base_url})"
        out.append(Column(c.provider, c.model, c.effort, c.base_url, c.label or label))
    return out


def check_samples(samples: int) -> int:
    if not 1 <= samples <= MAX_SAMPLES:
        raise UsageError(f"--samples must be from 1 to {MAX_SAMPLES} ({samples} given).")
    return samples
