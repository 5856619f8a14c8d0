"""Message content as a list of typed chunks, the way Mistral's reasoning models send it.

Mistral Small 4, Medium 3.5 and Magistral reply with `content` as a list instead of a string:
`{"type": "thinking", "thinking": [{"type": "text", "text": …}]}` chunks for their reasoning,
`{"type": "text", "text": …}` chunks for the answer, possibly `reference` or tool chunks, and a
stream may mix list deltas with plain-string deltas. Some OpenAI-compatible proxies pass these
lists through unchanged. Reading only strings loses every answer chunk that came in a list, so
every reader of chat content goes through `split_content`; `ChunkList` keeps the reply in its
whole-message form (consecutive deltas merged) to send back to the same model on the next turn.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any


@dataclass
class SplitContent:
    """One content value, sorted: reasoning, answer, and chunk types we do not show."""

    reasoning: str = ""
    answer: str = ""
    other: list[tuple[str, str]] = field(default_factory=list)  # (type, any text it carried)
    thinking_seen: bool = False


def texts_in(value: Any, depth: int = 0) -> str:
    """All the text a chunk carries, wherever it nests it (a `text` field, a list of them)."""
    if depth > 6:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "".join(texts_in(v, depth + 1) for v in value)
    if isinstance(value, dict):
        found = [
            texts_in(value[k], depth + 1) for k in ("text", "thinking", "content") if k in value
        ]
        return "".join(found)
    return ""


def split_content(content: Any, into: ChunkList | None = None) -> SplitContent:
    """A content value as received (a string, a list of chunks, None) sorted into channels,
    and, with `into`, added to that reply's chunk list in the same pass."""
    out = SplitContent()
    if isinstance(content, str):
        out.answer = content
        if into is not None:
            into.text(content)
        return out
    if not isinstance(content, list):
        return out
    for chunk in content:
        kind: Any
        if isinstance(chunk, str):
            text, kind = chunk, "text"
        elif not isinstance(chunk, dict):
            continue
        else:
            kind, raw = chunk.get("type"), chunk.get("text")
            text = raw if kind == "text" and isinstance(raw, str) else ""
        if kind == "text":
            out.answer += text
            if into is not None:
                into.text(text)
        elif kind == "thinking":
            out.thinking_seen = True
            text = texts_in(chunk.get("thinking"))
            out.reasoning += text
            if into is not None:
                into.thinking(chunk, text)
        else:
            out.other.append((str(kind), texts_in(chunk)))
            if into is not None:
                into.other(chunk)
    return out


def without_repeat(content: list[Any], reasoning: int, answer: int) -> list[Any]:
    """`content` less the first `reasoning` characters of its thinking and the first `answer`
    characters of its text: what a stream's last chunk repeated of the reply, which is shown once
    and so must go back to the model once too. Chunks left empty are dropped, others kept."""
    out: list[Any] = []
    for chunk in content:
        if isinstance(chunk, str) or (isinstance(chunk, dict) and chunk.get("type") == "text"):
            text = chunk if isinstance(chunk, str) else chunk.get("text")
            if not isinstance(text, str):
                out.append(chunk)
                continue
            cut = min(answer, len(text))
            answer -= cut
            if text[cut:]:
                out.append(text[cut:] if isinstance(chunk, str) else {**chunk, "text": text[cut:]})
        elif isinstance(chunk, dict) and chunk.get("type") == "thinking" and reasoning:
            text = texts_in(chunk.get("thinking"))
            cut = min(reasoning, len(text))
            reasoning -= cut
            if text[cut:]:
                out.append({**chunk, "thinking": [{"type": "text", "text": text[cut:]}]})
        else:
            out.append(chunk)
    return out


class ChunkList:
    """The reply as a list of typed chunks in its whole-message form: consecutive text deltas
    merged into one text chunk, thinking deltas into one thinking chunk, other chunks as sent.

    Text is kept as pieces and joined once, in `items`: growing a string per delta would copy
    a long trace over and over."""

    def __init__(self) -> None:
        self._items: list[tuple[str, dict[str, Any], list[str]]] = []  # (kind, chunk, pieces)
        self.thinking_seen = False

    @property
    def empty(self) -> bool:
        return not self._items

    @property
    def items(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for kind, chunk, pieces in self._items:
            if kind == "text":
                out.append({"type": "text", "text": "".join(pieces)})
            elif kind == "thinking":
                out.append({**chunk, "thinking": [{"type": "text", "text": "".join(pieces)}]})
            else:
                out.append(chunk)
        return out

    def add(self, content: Any) -> None:
        split_content(content, self)

    def text(self, text: str) -> None:
        if not text:
            return
        if self._items and self._items[-1][0] == "text":
            self._items[-1][2].append(text)
        else:
            self._items.append(("text", {}, [text]))

    def thinking(self, chunk: dict[str, Any], text: str) -> None:
        self.thinking_seen = True
        if self._items and self._items[-1][0] == "thinking":
            extra = [k for k in chunk if k not in ("type", "thinking")]  # e.g. "closed"
            self._items[-1][1].update({k: copy.deepcopy(chunk[k]) for k in extra})
            self._items[-1][2].append(text)
        else:
            self._items.append(("thinking", copy.deepcopy(chunk), [text]))

    def other(self, chunk: dict[str, Any]) -> None:
        self._items.append(("other", copy.deepcopy(chunk), []))
