"""Anthropic Messages adapter (`--provider anthropic`): thinking, redacted thinking and signatures.

Claude streams its thinking in `thinking` content blocks, each closed by a signature, sometimes
alongside `redacted_thinking` blocks whose text nobody may read. Both must go back unchanged and
in order on the next turn to the same model, so each finished block is yielded verbatim as
OpaqueReasoning. Claude 3.7's thinking is its own (raw); Claude 4+ stream a summary written by
another model while billing the full thinking. Usage is cumulative: message_start gives a first
count and every message_delta overwrites the fields it carries. controls.py maps the reasoning
controls per model generation.
"""

from __future__ import annotations

from collections.abc import Generator, Iterable, Iterator
from typing import Any

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
from client.providers.controls import claude_thinking, claude_thinking_is_raw
from client.providers.framing import SSEDecoder, decoded
from client.providers.http import error_from_payload
from client.providers.restated import StreamedText

API_VERSION = "2023-06-01"
_STOP = {
    "end_turn": TurnStatus.COMPLETE,
    "stop_sequence": TurnStatus.COMPLETE,
    "tool_use": TurnStatus.COMPLETE,
    "pause_turn": TurnStatus.COMPLETE,
    "max_tokens": TurnStatus.LENGTH,
    "model_context_window_exceeded": TurnStatus.LENGTH,
    "refusal": TurnStatus.REFUSED,
}
_ECHOED_BLOCKS = ("thinking", "redacted_thinking")
_USAGE_FIELDS = (
    "input_tokens",
    "cache_read_input_tokens",
    "cache_creation_input_tokens",
    "output_tokens",
)


def normalise_usage(wire: dict[str, Any]) -> Usage:
    """Anthropic's input excludes cache reads and writes; the contract's includes both."""
    parts = [as_int(wire.get(name)) for name in _USAGE_FIELDS[:3]]
    known = [p for p in parts if p is not None]
    details = wire.get("output_tokens_details")
    thinking = as_int(details.get("thinking_tokens")) if isinstance(details, dict) else None
    return Usage(
        input_tokens=sum(known) if known else None,
        cached_input_tokens=parts[1],
        cache_write_tokens=parts[2],
        output_tokens=as_int(wire.get("output_tokens")),
        reasoning_tokens=thinking,
    )


class AnthropicAdapter(HTTPAdapter):
    """Streams one turn over `POST {base}/v1/messages`."""

    key_header, key_prefix = "x-api-key", ""

    def headers(self, api_key: str | None) -> dict[str, str]:
        return {"anthropic-version": API_VERSION, **super().headers(api_key)}

    def messages(self, request: TurnRequest) -> list[dict[str, Any]]:
        """The history, with each earlier turn of this same model carrying its thinking blocks
        first, unchanged and in order, then its text. Other models' blocks are never sent."""
        messages: list[dict[str, Any]] = []
        for turn in request.history:
            messages.append({"role": "user", "content": turn.prompt})
            content: list[dict[str, Any]] = []
            if turn.provider == self.profile.name and turn.model == request.model:
                content.extend(dict(b) for b in turn.opaque if b.get("type") in _ECHOED_BLOCKS)
            if turn.answer:
                content.append({"type": "text", "text": turn.answer})
            if content:  # an empty assistant turn is refused; consecutive user turns are merged
                messages.append({"role": "assistant", "content": content})
        messages.append({"role": "user", "content": request.prompt})
        return messages

    def plan(self, request: TurnRequest) -> tuple[dict[str, Any], list[str]]:
        """The JSON body and notices about translated settings; refuses what cannot be sent."""
        thinking = claude_thinking(request)
        body: dict[str, Any] = {
            "model": request.model,
            "max_tokens": thinking.max_tokens,
            "messages": self.messages(request),
            "stream": True,
        }
        if request.system:
            body["system"] = request.system
        if thinking.thinking is not None:
            body["thinking"] = thinking.thinking
        if thinking.output_config is not None:
            body["output_config"] = thinking.output_config
        return body, thinking.notices

    def url(self, request: TurnRequest) -> str:
        return f"{self.profile.base_url(request.base_url)}/v1/messages"

    def reader(self, request: TurnRequest, url: str) -> MessagesReader:
        return MessagesReader(self.profile.label, request.model, self.profile.key_hint)

    def list_models(self, base_url: str | None, api_key: str | None) -> list[str]:
        return self.model_pages(
            f"{self.profile.base_url(base_url)}/v1/models",
            api_key,
            first={"limit": "1000"},
            next_page=_after_last,
        )


def _after_last(page: dict[str, Any]) -> dict[str, str] | None:
    """Anthropic pages by the last id seen."""
    if not page.get("has_more") or not page.get("last_id"):
        return None
    return {"limit": "1000", "after_id": str(page["last_id"])}


class MessagesReader:
    """The state of one streamed message: open content blocks, cumulative usage, the stop reason."""

    def __init__(self, label: str, model: str, key_hint: str = "") -> None:
        self.label = label
        self.key_hint = key_hint
        self.kind = Visibility.RAW if claude_thinking_is_raw(model) else Visibility.SUMMARY
        self.output_seen = False
        self.model_reported: str | None = None
        self.usage: dict[str, Any] = {}
        self.stop_reason: str | None = None
        self._blocks: dict[int, dict[str, Any]] = {}
        self.answer = StreamedText("answer")  # by block index, for closing events (restated.py)
        self.thinking = StreamedText("thinking")
        self._thinking_begun: set[int] = set()  # thinking blocks that have shown text
        self._flushed = False

    def read(self, chunks: Iterable[bytes]) -> Iterator[StreamEvent]:
        for event in decoded(SSEDecoder(), chunks):
            if (yield from self._on_event(event.data)):
                yield from self._finish()
                return
        raise cut_short(self.label, "message_stop")

    def flush(self) -> Iterator[StreamEvent]:
        if self._flushed:
            return
        self._flushed = True
        if self.usage:
            yield UsageReport(normalise_usage(self.usage), None, self.model_reported)

    def _finish(self) -> Iterator[StreamEvent]:
        yield from self.flush()
        reason = self.stop_reason
        status = _STOP.get(reason or "end_turn", TurnStatus.COMPLETE)
        note = None
        if reason == "pause_turn":
            note = "Claude paused this long turn; it can be resumed by continuing the conversation."
        elif reason is not None and reason not in _STOP:
            note = f"Claude stopped with an unfamiliar reason: {reason}."
        yield Finished(status, stop_reason=reason, note=note, model_reported=self.model_reported)

    def _on_event(self, data: str) -> Generator[StreamEvent, None, bool]:
        """Handle one event; True at message_stop."""
        event = frame_object(data, self.label, "event")
        kind = event.get("type")
        if kind == "content_block_delta":
            yield from self._on_delta(event)
        elif kind == "content_block_start":
            yield from self._on_block_start(event)
        elif kind == "content_block_stop":
            yield from self._restated(event)
            block = self._blocks.pop(_index(event), None)
            if block is not None and block.get("type") == "thinking":
                block["thinking"] = self.thinking.text_at(_index(event))  # joined once
            if block is not None and block.get("type") in _ECHOED_BLOCKS:
                yield OpaqueReasoning(block, redacted=block["type"] == "redacted_thinking")
        elif kind == "message_start":
            message = as_dict(event.get("message"))
            if isinstance(message.get("model"), str):
                self.model_reported = message["model"]
            self._take_usage(message.get("usage"))
        elif kind == "message_delta":
            delta = as_dict(event.get("delta"))
            if isinstance(delta.get("stop_reason"), str):
                self.stop_reason = delta["stop_reason"]
            self._take_usage(event.get("usage"))
        elif kind == "message_stop":
            return True
        elif kind == "error":
            raise error_from_payload(
                event, status=None, provider=self.label, key_hint=self.key_hint
            )
        return False  # ping, and event types newer than this code

    def _restated(self, event: dict[str, Any]) -> Iterator[StreamEvent]:
        """Some gateways close a block with the whole block (`content_block`): add only what the
        deltas at that index missed, never a copy (restated.py)."""
        block, index = event.get("content_block"), _index(event)
        if not isinstance(block, dict):
            return
        if block.get("type") == "text" and isinstance(block.get("text"), str):
            missing = self.answer.close(index, block["text"])
            if missing:
                self.output_seen = True
                yield AnswerDelta(missing)
        elif block.get("type") == "thinking" and isinstance(block.get("thinking"), str):
            yield from self._thinking(index, self.thinking.close(index, block["thinking"]))
            ours = self._blocks.get(index)
            if ours is not None and not ours.get("signature") and block.get("signature"):
                ours["signature"] = str(block["signature"])

    def _take_usage(self, usage: Any) -> None:
        if isinstance(usage, dict):
            # Cumulative: a later count overwrites every field it carries (43 input may become 61).
            self.usage.update({k: v for k, v in usage.items() if v is not None})

    def _on_block_start(self, event: dict[str, Any]) -> Iterator[StreamEvent]:
        block = event.get("content_block")
        if not isinstance(block, dict):
            return
        kind = block.get("type")
        if kind == "thinking":
            self._blocks[_index(event)] = {"type": "thinking", "thinking": "", "signature": ""}
            self.thinking.delta(_index(event), str(block.get("thinking") or ""))
            yield from self._thinking(_index(event), str(block.get("thinking") or ""))
            self._blocks[_index(event)]["signature"] = str(block.get("signature") or "")
        elif kind == "redacted_thinking":
            self.output_seen = True
            self._blocks[_index(event)] = dict(block)
        elif kind == "text" and block.get("text"):
            self.output_seen = True
            self.answer.delta(_index(event), str(block["text"]))
            yield AnswerDelta(str(block["text"]))

    def _on_delta(self, event: dict[str, Any]) -> Iterator[StreamEvent]:
        delta = event.get("delta")
        if not isinstance(delta, dict):
            return
        kind = delta.get("type")
        if kind == "text_delta":
            text = str(delta.get("text") or "")
            if text:
                self.output_seen = True
                self.answer.delta(_index(event), text)
                yield AnswerDelta(text)
        elif kind == "thinking_delta":
            text = str(delta.get("thinking") or "")
            if _index(event) in self._blocks:
                self.thinking.delta(_index(event), text)
            yield from self._thinking(_index(event), text)
        elif kind == "signature_delta":
            block = self._blocks.get(_index(event))
            if block is not None and block.get("type") == "thinking":
                block["signature"] = block.get("signature", "") + str(delta.get("signature") or "")

    def _thinking(self, index: int, text: str) -> Iterator[StreamEvent]:
        block = self._blocks.get(index)
        if block is None or not text:
            return
        shown = text
        if index not in self._thinking_begun and self._thinking_begun:
            shown = "\n\n" + text  # a later thinking block (interleaved thinking): a paragraph
        self._thinking_begun.add(index)
        self.output_seen = True
        yield ReasoningDelta(shown, self.kind)


def _index(event: dict[str, Any]) -> int:
    index = event.get("index")
    return index if isinstance(index, int) else -1
