"""OpenAI Responses adapter (`--provider openai`): reasoning summaries and encrypted reasoning items.

The Responses API is the only OpenAI surface that shows anything of a reasoning model's thinking
(a summary, streamed part by part) and the only one that hands back the reasoning itself, as an
encrypted item to return on the next turn. We run it stateless (`store: false`): every reasoning
item comes back from `response.output_item.done` with its `encrypted_content` and is sent again,
unchanged, before the answer it led to, but only to the same model.

Streamed text is keyed by its position (output_index with summary_index or content_index), never
by item_id: gateways such as GitHub Copilot's give every event a fresh id, and the `.done` events
that restate a part must add only what its deltas missed (restated.py), or the reply shows twice.
"""

from __future__ import annotations

from collections.abc import Generator, Hashable, Iterable, Iterator
from typing import Any

from client.core.errors import ErrorKind, ThinkpaneError, UsageError
from client.core.events import (
    AnswerDelta,
    Finished,
    OpaqueReasoning,
    ReasoningDelta,
    StreamEvent,
    TurnStatus,
    UsageReport,
    Visibility,
)
from client.core.request import TurnRequest
from client.core.usage import Usage
from client.providers.base import HTTPAdapter, as_dict, as_int, cut_short, frame_object
from client.providers.controls import check_common
from client.providers.framing import SSEDecoder, decoded
from client.providers.http import error_from_payload
from client.providers.restated import StreamedText

# Models that do not reason reject the `reasoning` object and the encrypted-content include.
_NON_REASONING_PREFIXES = ("gpt-4", "gpt-3.5", "chatgpt-")
_INCOMPLETE = {"max_output_tokens": TurnStatus.LENGTH, "content_filter": TurnStatus.REFUSED}


def is_reasoning_model(model: str) -> bool:
    m = model.lower().rsplit("/", 1)[-1]
    return not (m.startswith(_NON_REASONING_PREFIXES) or m.endswith("-chat-latest"))


def normalise_usage(usage: dict[str, Any]) -> Usage:
    """Responses usage already has the contract's meaning: input includes cached, output reasoning."""
    return Usage(
        input_tokens=as_int(usage.get("input_tokens")),
        cached_input_tokens=as_int(as_dict(usage.get("input_tokens_details")).get("cached_tokens")),
        cache_write_tokens=as_int(
            as_dict(usage.get("input_tokens_details")).get("cache_write_tokens")
        ),
        output_tokens=as_int(usage.get("output_tokens")),
        reasoning_tokens=as_int(
            as_dict(usage.get("output_tokens_details")).get("reasoning_tokens")
        ),
    )


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _place(event: dict[str, Any], part: str) -> tuple[int, int] | None:
    """Where this text sits in the response: (output_index, summary or content index), or None
    when the event carries no usable position."""
    out, sub = event.get("output_index"), event.get(part)
    if not isinstance(out, int) or isinstance(out, bool):
        return None
    return out, sub if isinstance(sub, int) and not isinstance(sub, bool) else 0


def _echoed(item: dict[str, Any]) -> dict[str, Any]:
    """A stored reasoning item as input: its id, summary and encrypted state, nothing else."""
    echoed = {"type": "reasoning", "encrypted_content": item["encrypted_content"]}
    if item.get("id"):
        echoed["id"] = item["id"]
    echoed["summary"] = item.get("summary") or []
    return echoed


class OpenAIResponsesAdapter(HTTPAdapter):
    """Streams one turn over `POST {base}/responses`."""

    def input_items(self, request: TurnRequest) -> list[dict[str, Any]]:
        """The conversation as Responses input items, with our reasoning items echoed back."""
        items: list[dict[str, Any]] = []
        for turn in request.history:
            items.append({"role": "user", "content": turn.prompt})
            if not turn.answer:
                continue  # a reasoning item may not go back without the item that followed it
            if turn.provider == self.profile.name and turn.model == request.model:
                for item in turn.opaque:
                    if item.get("type") == "reasoning" and item.get("encrypted_content"):
                        items.append(_echoed(item))
            items.append({"role": "assistant", "content": turn.answer})
        items.append({"role": "user", "content": request.prompt})
        return items

    def body(self, request: TurnRequest) -> dict[str, Any]:
        """The JSON body; a control this model cannot take is refused here, before sending."""
        check_common(request)
        if request.thinking_budget is not None:
            raise UsageError(
                "OpenAI takes no thinking budget; use --effort to say how hard to think."
            )
        body: dict[str, Any] = {
            "model": request.model,
            "input": self.input_items(request),
            "stream": True,
            "store": False,
        }
        if request.system:
            body["instructions"] = request.system
        if request.max_output_tokens:
            body["max_output_tokens"] = request.max_output_tokens
        if not is_reasoning_model(request.model):
            if request.effort is not None or request.summary not in (None, "none"):
                raise UsageError(
                    f"{request.model} is not a reasoning model; drop --effort and --summary."
                )
            return body
        reasoning: dict[str, Any] = {}
        if request.effort is not None:
            reasoning["effort"] = request.effort
        if request.summary != "none":
            reasoning["summary"] = request.summary or "auto"
        if reasoning:
            body["reasoning"] = reasoning
        body["include"] = ["reasoning.encrypted_content"]
        return body

    def url(self, request: TurnRequest) -> str:
        return f"{self.profile.base_url(request.base_url)}/responses"

    def reader(self, request: TurnRequest, url: str) -> ResponsesReader:
        return ResponsesReader(self.profile.label, self.profile.key_hint)

    def list_models(self, base_url: str | None, api_key: str | None) -> list[str]:
        return self.model_pages(f"{self.profile.base_url(base_url)}/models", api_key)


class ResponsesReader:
    """The state of one streamed response: which summary part is open, the last usage, the end."""

    def __init__(self, label: str, key_hint: str = "") -> None:
        self.label = label
        self.key_hint = key_hint
        self.output_seen = False
        self.model_reported: str | None = None
        self.usage: Usage | None = None
        self.error: ThinkpaneError | None = (
            None  # a mid-stream `error` event; response.failed follows
        )
        self.refused = False
        # Text by position in the response (output_index with summary_index or content_index):
        # gateways give every event a fresh item_id, so ids never key text (restated.py).
        self.summary = StreamedText("summary")
        self.raw = StreamedText("reasoning")
        self.answer = StreamedText("answer")
        self._summary_parts: set[Hashable] = set()  # the summary paragraphs begun
        self._summary_break = False  # a new summary part was announced
        self._flushed = False

    def read(self, chunks: Iterable[bytes]) -> Iterator[StreamEvent]:
        for event in decoded(SSEDecoder(), chunks):
            end = yield from self._on_event(event.data)
            if end is not None:
                yield from self.flush()
                yield end
                return
        if self.error is not None:
            raise self.error
        raise cut_short(self.label, "the response did")

    def flush(self) -> Iterator[StreamEvent]:
        if self._flushed:
            return
        self._flushed = True
        if self.usage is not None:
            yield UsageReport(self.usage, None, self.model_reported)

    def _on_event(self, data: str) -> Generator[StreamEvent, None, Finished | None]:
        """Handle one event; return the Finished that ends the stream, if this was the end."""
        if data.strip() == "[DONE]":  # not OpenAI's, but some compatible servers add it
            return None
        event = frame_object(data, self.label, "event")
        kind = event.get("type")
        if kind == "response.reasoning_summary_text.delta":
            yield from self._summary(event, str(event.get("delta") or ""))
        elif kind == "response.reasoning_summary_text.done":
            key = _place(event, "summary_index")
            yield from self._summary(event, self.summary.close(key, _str(event.get("text"))), False)
        elif kind == "response.reasoning_summary_part.done":
            key = _place(event, "summary_index")
            done = _str(as_dict(event.get("part")).get("text"))
            yield from self._summary(event, self.summary.close(key, done), False)
        elif kind == "response.content_part.done":
            part = as_dict(event.get("part"))
            self.refused = self.refused or part.get("type") == "refusal"
            done = _str(part.get("text")) or _str(part.get("refusal"))
            key = _place(event, "content_index")
            yield from self._answer(event, self.answer.close(key, done), False)
        elif kind == "response.reasoning_summary_part.added":
            # With no position, the next summary text opens a paragraph (with one, its position).
            self._summary_break = _place(event, "summary_index") is None
        elif kind == "response.reasoning_text.delta":
            yield from self._raw(event, str(event.get("delta") or ""))
        elif kind == "response.reasoning_text.done":
            key = _place(event, "content_index")
            yield from self._raw(event, self.raw.close(key, _str(event.get("text"))), False)
        elif kind in ("response.output_text.delta", "response.refusal.delta"):
            self.refused = self.refused or kind == "response.refusal.delta"
            yield from self._answer(event, str(event.get("delta") or ""))
        elif kind in ("response.output_text.done", "response.refusal.done"):
            self.refused = self.refused or kind == "response.refusal.done"
            key = _place(event, "content_index")
            done = _str(event.get("text")) or _str(event.get("refusal"))
            yield from self._answer(event, self.answer.close(key, done), False)
        elif kind == "response.output_item.done":
            yield from self._on_item_done(event)
        elif kind in ("response.created", "response.in_progress"):
            self._on_response(as_dict(event.get("response")))
        elif kind in ("response.completed", "response.incomplete", "response.failed"):
            return self._on_terminal(kind, as_dict(event.get("response")))
        elif kind == "error":
            # Two shapes are recorded: code/message at the top level, or nested under `error`.
            nested = event.get("error")
            fields = (
                nested
                if isinstance(nested, dict)
                else {"code": event.get("code"), "message": event.get("message")}
            )
            self.error = error_from_payload(
                {"error": fields}, status=None, provider=self.label, key_hint=self.key_hint
            )
        return None

    def _on_item_done(self, event: dict[str, Any]) -> Iterator[StreamEvent]:
        """The finished item: its encrypted state for the next turn (whatever id a gateway gave
        it), and any of its text the deltas and `.done` events missed, at the same position."""
        item = as_dict(event.get("item"))
        out = event.get("output_index")
        placed = isinstance(out, int) and not isinstance(out, bool)
        if item.get("type") == "reasoning":
            if placed:
                for i, part in enumerate(_list(item.get("summary"))):
                    text = self.summary.close((out, i), _str(as_dict(part).get("text")))
                    yield from self._summary({"output_index": out, "summary_index": i}, text, False)
                # Raw reasoning (gpt-oss and other open models served this way) is restated
                # here as the item's content: it fills what the deltas missed, like the summary.
                for i, part in enumerate(_list(item.get("content"))):
                    text = self.raw.close((out, i), _str(as_dict(part).get("text")))
                    yield from self._raw({"output_index": out, "content_index": i}, text, False)
            if item.get("encrypted_content"):
                yield OpaqueReasoning(item)
        elif item.get("type") == "message" and placed:
            for i, part in enumerate(_list(item.get("content"))):
                part = as_dict(part)
                if part.get("type") == "refusal":
                    self.refused = True
                done = _str(part.get("text")) or _str(part.get("refusal"))
                text = self.answer.close((out, i), done)
                yield from self._answer({"output_index": out, "content_index": i}, text, False)

    def _summary(
        self, event: dict[str, Any], text: str, record: bool = True
    ) -> Iterator[StreamEvent]:
        if not text:
            return
        key = _place(event, "summary_index")
        if record:
            self.summary.delta(key, text)
        # Each summary part is a paragraph: a new position (or, unplaced, a new summary index).
        part = key if key is not None else ("unplaced", event.get("summary_index"))
        if self._summary_parts and (part not in self._summary_parts or self._summary_break):
            text = "\n\n" + text
        self._summary_parts.add(part)
        self._summary_break = False
        self.output_seen = True
        yield ReasoningDelta(text, Visibility.SUMMARY)

    def _raw(self, event: dict[str, Any], text: str, record: bool = True) -> Iterator[StreamEvent]:
        if not text:
            return
        if record:
            self.raw.delta(_place(event, "content_index"), text)
        self.output_seen = True
        yield ReasoningDelta(text, Visibility.RAW)

    def _answer(
        self, event: dict[str, Any], text: str, record: bool = True
    ) -> Iterator[StreamEvent]:
        if not text:
            return
        if record:
            self.answer.delta(_place(event, "content_index"), text)
        self.output_seen = True
        yield AnswerDelta(text)

    def _on_response(self, response: dict[str, Any]) -> None:
        if isinstance(response.get("model"), str):
            self.model_reported = response["model"]
        usage = response.get("usage")
        if isinstance(usage, dict) and usage:
            self.usage = normalise_usage(usage)

    def _on_terminal(self, kind: str, response: dict[str, Any]) -> Finished:
        self._on_response(response)
        if kind == "response.failed":
            err = response.get("error")
            if (
                self.error is None
                and isinstance(err, dict)
                and (err.get("message") or err.get("code"))
            ):
                self.error = error_from_payload(
                    {"error": err}, status=None, provider=self.label, key_hint=self.key_hint
                )
            raise self.error or ThinkpaneError(
                ErrorKind.SERVER, f"{self.label} reported that the response failed."
            )
        if kind == "response.incomplete":
            reason = as_dict(response.get("incomplete_details")).get("reason")
            reason = str(reason) if reason else None
            status = _INCOMPLETE.get(reason or "", TurnStatus.INTERRUPTED)
            note = (
                None
                if reason in _INCOMPLETE
                else f"{self.label} stopped early ({reason or 'no reason given'})."
            )
            return Finished(
                status, stop_reason=reason, note=note, model_reported=self.model_reported
            )
        status = TurnStatus.REFUSED if self.refused else TurnStatus.COMPLETE
        return Finished(
            status,
            stop_reason="refusal" if self.refused else "completed",
            model_reported=self.model_reported,
        )
