"""The JSON export: a whole conversation as one document, and reading such a document back.

The document keeps everything the store keeps about a conversation, so `import_document`
rebuilds it exactly: every field of every turn of every branch (critic turns included), the
provider state that goes back with the next turn, exact decimal costs with the price used, the
conversation's settings and the user's step verdicts. Audit findings are not in it because the
store does not keep them (the window recomputes them from the reasoning).

Nothing secret goes out: API keys never reach the store, and a password written into a base URL
(`https://user:password@host`) is dropped. A file to import is untrusted: every field is checked
before anything is written, and whatever is wrong becomes one `InvalidExport` sentence.
Importing a conversation that is already in the database changes nothing: `AlreadyImported`
says so and names it (importing the same file twice must not double the spend). Asked for a
copy, an import keeps ids that are free and replaces all of them otherwise (parent links and
verdicts follow). Either way the conversation is written in one transaction.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from client import __version__
from client.core.audit import VERDICTS
from client.core.conversation import (
    Conversation,
    ReasoningTrace,
    Timing,
    Turn,
    TurnSettings,
    new_id,
    utc_now,
)
from client.core.cost import Cost, CostSource
from client.core.errors import ErrorInfo, ErrorKind
from client.core.events import TurnStatus, Visibility
from client.core.usage import Usage
from client.store import Store
from client.store.rows import dec_text

FORMAT = "thinkpane-export"
VERSION = 1
STREAMING_NOTE = "exported while it was still streaming"


_KIND_NAMES = {
    str: "text",
    int: "a whole number",
    float: "a number",
    bool: "true or false",
    dict: "an object",
    list: "a list",
}


class InvalidExport(ValueError):
    """A file import cannot read. The message is a sentence saying what is wrong with it."""

    def __init__(self, message: str) -> None:
        super().__init__(message[:1].upper() + message[1:])


class AlreadyImported(Exception):
    """The conversation in the file is already in the database; nothing was changed."""

    def __init__(self, conversation: Conversation, where: str) -> None:
        title = f" ({conversation.title!r})" if conversation.title else ""
        super().__init__(
            f"The conversation in {where} is already here as {conversation.id}{title}, so nothing "
            "was changed. Import it as a copy to add a second one."
        )
        self.conversation = conversation


def _public_url(url: str | None) -> str | None:
    """`url` without a user name and password, which may be a credential."""
    if not url:
        return url
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))


def turn_record(turn: Turn, verdicts: Mapping[int, tuple[str, str]]) -> dict[str, Any]:
    """Every field of `turn` (its conversation id aside) and its verdicts, as JSON values."""
    cost = turn.cost
    return {
        "id": turn.id,
        "parent_id": turn.parent_id,
        "created_at": turn.created_at,
        "purpose": turn.purpose,
        "provider": turn.provider,
        "model": turn.model,
        "model_reported": turn.model_reported,
        "base_url": _public_url(turn.base_url),
        "status": str(turn.status),
        "stop_reason": turn.stop_reason,
        "note": turn.note,
        "prompt": turn.prompt,
        "answer": turn.answer,
        "reasoning": {**turn.reasoning.to_json(), "opaque": turn.reasoning.opaque},
        "usage": turn.usage.to_json(),
        "cost": {
            "source": str(cost.source),
            "currency": cost.currency,
            **{k: dec_text(getattr(cost, k)) for k in ("total", "input", "output", "reasoning")},
            "price": dict(cost.price),
        },
        "timing": asdict(turn.timing),
        "settings": turn.settings.to_json(),
        "error": turn.error.to_json() if turn.error else None,
        "verdicts": [
            {"step": step, "verdict": verdict, "note": note}
            for step, (verdict, note) in sorted(verdicts.items())
        ],
    }


def export_document(store: Store, conversation_id: str) -> dict[str, Any]:
    """The whole conversation as the JSON export object. KeyError if there is no such one."""
    conversation = store.get_conversation(conversation_id)
    if conversation is None:
        raise KeyError(f"no conversation {conversation_id}")
    verdicts = store.conversation_verdicts(conversation_id)
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": utc_now(),
        "exported_by": f"thinkpane {__version__}",
        "conversation": {
            "id": conversation.id,
            "title": conversation.title,
            "created_at": conversation.created_at,
            "updated_at": conversation.updated_at,
            "system": conversation.system,
            "settings": conversation.settings,
        },
        "turns": [turn_record(t, verdicts.get(t.id, {})) for t in store.turns(conversation_id)],
    }


def export_json(store: Store, conversation_id: str) -> str:
    return json.dumps(export_document(store, conversation_id), ensure_ascii=False, indent=2) + "\n"


# Reading a document back


class _Fields:
    """Typed access to one JSON object of the file, failing with a sentence naming the place."""

    def __init__(self, data: object, where: str) -> None:
        if not isinstance(data, dict):
            raise InvalidExport(f"{where} should be a JSON object.")
        self.data, self.where = data, where

    def get(self, key: str, kind: type | tuple[type, ...], default: Any = None) -> Any:
        """The value of `key` (None and absent give `default`), which must be of `kind`."""
        value = self.data.get(key)
        if value is None:
            return default
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
            names = " or ".join(_KIND_NAMES[k] for k in kinds)
            raise InvalidExport(f"in {self.where}, {key!r} should be {names}.")
        return value

    def need(self, key: str, kind: type | tuple[type, ...]) -> Any:
        value = self.get(key, kind)
        if value is None:
            raise InvalidExport(f"{self.where} has no {key!r}.")
        return value

    def part(self, key: str) -> _Fields:
        return _Fields(self.get(key, dict, {}), f"the {key!r} of {self.where}")

    def decimal(self, key: str) -> Decimal | None:
        text = self.get(key, str)
        try:
            value = None if text is None else Decimal(text)
        except InvalidOperation:
            value = Decimal("NaN")
        if value is not None and not value.is_finite():
            raise InvalidExport(f'in {self.where}, {key!r} should be a decimal like "0.0123".')
        return value


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def _read_turn(data: object, where: str, conversation_id: str) -> tuple[Turn, dict[int, Any]]:
    f = _Fields(data, where)
    r, u, c, t, s = (f.part(k) for k in ("reasoning", "usage", "cost", "timing", "settings"))
    opaque = r.get("opaque", list, [])
    price = c.get("price", dict, {})
    if not all(isinstance(item, dict) for item in opaque):
        raise InvalidExport(f"in {where}, the reasoning's 'opaque' should be a list of objects.")
    try:
        error = f.get("error", dict)
        turn = Turn(
            id=f.need("id", str),
            conversation_id=conversation_id,
            parent_id=f.get("parent_id", str),
            created_at=f.need("created_at", str),
            purpose=f.get("purpose", str, "chat"),
            provider=f.need("provider", str),
            model=f.need("model", str),
            model_reported=f.get("model_reported", str),
            base_url=f.get("base_url", str),
            status=TurnStatus(f.need("status", str)),
            stop_reason=f.get("stop_reason", str),
            note=f.get("note", str),
            prompt=f.get("prompt", str, ""),
            answer=f.get("answer", str, ""),
            reasoning=ReasoningTrace(
                Visibility(r.get("visibility", str, "none")),
                r.get("text", str, ""),
                r.get("tokens", int),
                r.get("redacted_blocks", int, 0),
                opaque,
            ),
            usage=Usage(*(u.get(k, int) for k in Usage().to_json())),
            cost=Cost(
                CostSource(c.get("source", str, "unknown")),
                c.get("currency", str, "USD"),
                c.decimal("total"),
                c.decimal("input"),
                c.decimal("output"),
                c.decimal("reasoning"),
                {str(k): str(v) for k, v in price.items()},
            ),
            timing=Timing(*(_number(t.get(k, (int, float))) for k in asdict(Timing()))),
            settings=TurnSettings(
                s.get("effort", str),
                s.get("thinking_budget", int),
                s.get("summary", str),
                s.get("max_output_tokens", int),
                s.get("system", str),
            ),
            error=None if error is None else _read_error(_Fields(error, f"the error of {where}")),
        )
    except ValueError as exc:
        if isinstance(exc, InvalidExport):
            raise
        raise InvalidExport(f"{where} has a value Thinkpane does not know ({exc}).") from None
    if turn.purpose not in ("chat", "critic"):
        raise InvalidExport(f"in {where}, 'purpose' should be chat or critic.")
    if turn.status is TurnStatus.STREAMING:  # a snapshot of a turn that was still running
        turn.status, turn.note = TurnStatus.INTERRUPTED, turn.note or STREAMING_NOTE
    verdicts: dict[int, Any] = {}
    for index, item in enumerate(f.get("verdicts", list, [])):
        v = _Fields(item, f"verdict {index + 1} of {where}")
        step, verdict = v.need("step", int), v.need("verdict", str)
        if step < 0 or verdict not in VERDICTS:
            raise InvalidExport(f"{v.where} should name a step (0 or more) and one of {VERDICTS}.")
        verdicts[step] = (verdict, v.get("note", str, ""))
    return turn, verdicts


def _read_error(f: _Fields) -> ErrorInfo:
    return ErrorInfo(
        ErrorKind(f.need("kind", str)),
        f.get("message", str, ""),
        f.get("retryable", bool, False),
        f.get("status", int),
    )


def _parents_first(turns: list[Turn], where: str) -> list[Turn]:
    """`turns` reordered so each parent comes before its children (file order otherwise)."""
    ids = [t.id for t in turns]
    if len(set(ids)) != len(ids):
        raise InvalidExport(f"{where} has two turns with the same id.")
    for turn in turns:
        if turn.parent_id is not None and turn.parent_id not in ids:
            raise InvalidExport(f"turn {turn.id} follows {turn.parent_id}, not in {where}.")
    ordered: list[Turn] = []
    placed: set[str | None] = {None}
    pending = turns
    while pending:
        ready = [t for t in pending if t.parent_id in placed]
        if not ready:
            raise InvalidExport(f"The turns in {where} follow each other in a circle.")
        ordered += ready
        placed.update(t.id for t in ready)
        pending = [t for t in pending if t.id not in placed]
    return ordered


def import_document(
    store: Store, document: object, where: str = "the file", *, as_copy: bool = False
) -> Conversation:
    """Add the conversation in an export document to the store; returns it as stored.

    AlreadyImported if that conversation is already stored (nothing changes), unless `as_copy`:
    then its id is kept if free, else a new one is made; turn ids likewise, all or none.
    """
    top = _Fields(document, where)
    if top.get("format", str) != FORMAT:
        raise InvalidExport(f"{where} is not a Thinkpane export (its 'format' is not {FORMAT!r}).")
    version = top.need("version", int)
    if version != VERSION:
        raise InvalidExport(
            f"{where} is a version {version} export; this Thinkpane reads version {VERSION}."
            + (" Update Thinkpane to import it." if version > VERSION else "")
        )
    c = top.part("conversation")
    conversation_id = c.need("id", str)
    conversation = Conversation(
        id=conversation_id,
        title=c.get("title", str, ""),
        created_at=c.need("created_at", str),
        updated_at=c.get("updated_at", str) or c.need("created_at", str),
        system=c.get("system", str),
        settings=c.get("settings", dict, {}),
    )
    read = [
        _read_turn(item, f"turn {n + 1} of {where}", conversation_id)
        for n, item in enumerate(top.get("turns", list, []))
    ]
    turns = _parents_first([turn for turn, _ in read], where)
    verdicts = {turn.id: by_step for turn, by_step in read if by_step}
    existing = store.get_conversation(conversation_id)
    if existing is not None:  # checked once the whole file is known to be good
        if not as_copy:
            raise AlreadyImported(existing, where)
        conversation.id = new_id("c")
        for turn in turns:
            turn.conversation_id = conversation.id
    if store.taken_turn(t.id for t in turns) is not None:
        fresh = {t.id: new_id("t") for t in turns}
        for turn in turns:
            turn.id = fresh[turn.id]
            turn.parent_id = fresh[turn.parent_id] if turn.parent_id else None
        verdicts = {fresh[k]: v for k, v in verdicts.items()}
    store.insert_conversation_tree(conversation, turns, verdicts)
    return conversation


def import_json(
    store: Store, text: str, where: str = "the file", *, as_copy: bool = False
) -> Conversation:
    """`import_document` for the text of a JSON export; InvalidExport if it is not one."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidExport(
            f"{where} is not JSON ({exc.msg} at line {exc.lineno}). Thinkpane imports the JSON "
            "that `thinkpane export ID --format json` writes."
        ) from None
    return import_document(store, document, where, as_copy=as_copy)
