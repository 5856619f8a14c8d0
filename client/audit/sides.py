"""One side of an equality: the tokens between two signs, and the span of text they cover.

Both readers of a step cut equalities into sides: the arithmetic claims over normalised text
(claims.py, whose offsets map back through the normaliser) and the LaTeX chains over the
step's own text (latex.py). A side only needs its tokens to know where it starts and ends.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar


class _Spanned(Protocol):
    @property
    def start(self) -> int: ...

    @property
    def end(self) -> int: ...


T = TypeVar("T", bound=_Spanned)


@dataclass(frozen=True)
class Side(Generic[T]):
    """One side of `a = b`: its tokens, never empty, in order."""

    tokens: tuple[T, ...]

    @property
    def start(self) -> int:
        return self.tokens[0].start

    @property
    def end(self) -> int:
        return self.tokens[-1].end

    def source(self, text: str) -> str:
        """The side as written in `text` (the text its offsets point into), spaces collapsed."""
        return " ".join(text[self.start : self.end].split())
