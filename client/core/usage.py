"""Token usage in the one meaning docs/cli.md gives it for every provider.

`input_tokens` counts every prompt token, cached ones included (`cached_input_tokens` and
`cache_write_tokens` are parts of it); `output_tokens` counts every generated token, reasoning
included (`reasoning_tokens` is part of it). A count the provider did not report is None.
Adapters convert their wire counts into this before anything else sees them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields


@dataclass(frozen=True)
class Usage:
    input_tokens: int | None = None
    cached_input_tokens: int | None = None
    cache_write_tokens: int | None = None
    output_tokens: int | None = None
    reasoning_tokens: int | None = None

    def to_json(self) -> dict[str, int | None]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, object] | None) -> Usage:
        if not data:
            return cls()
        values: dict[str, int | None] = {}
        for f in fields(cls):
            v = data.get(f.name)
            values[f.name] = (
                int(v) if isinstance(v, int | float) and not isinstance(v, bool) else None
            )
        return cls(**values)

    @property
    def is_empty(self) -> bool:
        return all(getattr(self, f.name) is None for f in fields(self))

    def __add__(self, other: Usage) -> Usage:
        """Sum two usages; a field is None only if it is None on both sides."""

        def add(a: int | None, b: int | None) -> int | None:
            if a is None and b is None:
                return None
            return (a or 0) + (b or 0)

        return Usage(
            **{f.name: add(getattr(self, f.name), getattr(other, f.name)) for f in fields(self)}
        )
