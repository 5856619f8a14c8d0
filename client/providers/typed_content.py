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


def split_content(content: Any) -> SplitContent:
    """A content value as received (a string, a list of chunks, None) sorted into channels."""
    out = SplitContent()
    if isinstance(content, str):
        out.answer = content
        return out
    if not isinstance(content, list):
        return out
    for chunk in content:
        if isinstance(chunk, str):
            out.answer += chunk
            continue
        if not isinstance(chunk, dict):
            continue
        kind = chunk.get("type")
        if kind == "text" and isinstance(chunk.get("text"), str):
            out.answer += chunk["text"]
        elif kind == "thinking":
            out.thinking_seen = True
            out.reasoning += texts_in(chunk.get("thinking"))
        else:
            out.other.append((str(kind), texts_in(chunk)))
    return out


class ChunkList:
    """The reply as a list of typed chunks in its whole-message form: consecutive text deltas
    merged into one text chunk, thinking deltas into one thinking chunk, other chunks as sent."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []
        self.thinking_seen = False

    def add(self, content: Any) -> None:
        if isinstance(content, str):
            self._text(content)
        elif isinstance(content, list):
            for chunk in content:
                if isinstance(chunk, str):
                    self._text(chunk)
                elif isinstance(chunk, dict):
                    self._chunk(chunk)

    def _text(self, text: str) -> None:
        if not text:
            return
        last = self.items[-1] if self.items else None
        if last is not None and last.get("type") == "text" and isinstance(last.get("text"), str):
            last["text"] += text
        else:
            self.items.append({"type": "text", "text": text})

    def _chunk(self, chunk: dict[str, Any]) -> None:
        kind = chunk.get("type")
        if kind == "text" and isinstance(chunk.get("text"), str):
            self._text(chunk["text"])
            return
        if kind != "thinking":
            self.items.append(copy.deepcopy(chunk))
            return
        self.thinking_seen = True
        text = texts_in(chunk.get("thinking"))
        last = self.items[-1] if self.items else None
        if last is None or last.get("type") != "thinking":
            last = {**copy.deepcopy(chunk), "thinking": [{"type": "text", "text": ""}]}
            self.items.append(last)
        else:
            last.update({k: copy.deepcopy(v) for k, v in chunk.items() if k != "thinking"})
        last["thinking"][-1]["text"] += text
