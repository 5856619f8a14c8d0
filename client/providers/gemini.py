"""Gemini native adapter (`--provider gemini`): thought summaries and thought signatures.

Gemini streams `streamGenerateContent?alt=sse` with CRLF framing. Parts flagged `thought` are
summaries of the thinking; any part may carry an opaque `thoughtSignature`, which Gemini 3 needs
back on the next turn on the very part it came with. So when a turn carries signatures we keep
the model turn's parts as they streamed (thought summaries left out unless a signature rides on
one) and replay them part for part, never merged, only to the same model. Usage rides on every
chunk, cumulative; the last one counts. The end is a `finishReason`; EOF without one means the
stream was cut. controls.py maps the thinking controls.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import quote

from client.core.errors import ErrorKind, ThinkpaneError
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
from client.providers.base import HTTPAdapter, as_int, parsed_frame
from client.providers.controls import gemini_thinking_config
from client.providers.framing import SSEDecoder, decoded
from client.providers.http import error_from_payload
from client.providers.restated import StreamedText, beyond_repeat

_REFUSED = {
    "SAFETY",
    "RECITATION",
    "BLOCKLIST",
    "PROHIBITED_CONTENT",
    "SPII",
    "IMAGE_SAFETY",
    "LANGUAGE",
}


def model_path(model: str) -> str:
    """`gemini-2.5-pro` whether the user wrote it bare or as `models/gemini-2.5-pro`."""
    return quote(model.removeprefix("models/"), safe="-._~")


def normalise_usage(meta: dict[str, Any], thoughts_seen: bool) -> Usage:
    """Candidates exclude thoughts; the contract's output includes them. Missing counts are 0."""

    def count(name: str) -> int:
        return as_int(meta.get(name)) or 0

    return Usage(
        input_tokens=count("promptTokenCount") + count("toolUsePromptTokenCount"),
        cached_input_tokens=as_int(meta.get("cachedContentTokenCount")),
        cache_write_tokens=None,
        output_tokens=count("candidatesTokenCount") + count("thoughtsTokenCount"),
        reasoning_tokens=count("thoughtsTokenCount") if thoughts_seen else None,
    )


class GeminiAdapter(HTTPAdapter):
    """Streams one turn over `POST {base}/v1beta/models/{model}:streamGenerateContent?alt=sse`."""

    key_header, key_prefix = "x-goog-api-key", ""

    def contents(self, request: TurnRequest) -> list[dict[str, Any]]:
        contents: list[dict[str, Any]] = []
        for turn in request.history:
            contents.append({"role": "user", "parts": [{"text": turn.prompt}]})
            parts: list[Any] = []
            if turn.provider == self.profile.name and turn.model == request.model:
                for item in turn.opaque:
                    if item.get("role") == "model" and isinstance(item.get("parts"), list):
                        parts = list(item["parts"])
            if not parts and turn.answer:
                parts = [{"text": turn.answer}]
            if parts:
                contents.append({"role": "model", "parts": parts})
        contents.append({"role": "user", "parts": [{"text": request.prompt}]})
        return contents

    def plan(self, request: TurnRequest) -> tuple[dict[str, Any], list[str]]:
        thinking, notices = gemini_thinking_config(request)
        body: dict[str, Any] = {"contents": self.contents(request)}
        if request.system:
            body["systemInstruction"] = {"parts": [{"text": request.system}]}
        config: dict[str, Any] = {}
        if request.max_output_tokens:
            config["maxOutputTokens"] = request.max_output_tokens
        if thinking is not None:
            config["thinkingConfig"] = thinking
        if config:
            body["generationConfig"] = config
        return body, notices

    def url(self, request: TurnRequest) -> str:
        base = self.profile.base_url(request.base_url)
        return f"{base}/v1beta/models/{model_path(request.model)}:streamGenerateContent"

    def params(self, request: TurnRequest) -> dict[str, str]:
        return {"alt": "sse"}

    def reader(self, request: TurnRequest, url: str) -> GenerateReader:
        return GenerateReader(self.profile.label, self.profile.key_hint)

    def list_models(self, base_url: str | None, api_key: str | None) -> list[str]:
        """Models that can generate content (embedding and other models are left out)."""
        return self.model_pages(
            f"{self.profile.base_url(base_url)}/v1beta/models",
            api_key,
            field="models",
            name=lambda m: str(m["name"]).removeprefix("models/") if "name" in m else None,
            keep=_generates,
            first={"pageSize": "1000"},
            next_page=_next_token,
        )


def _generates(model: dict[str, Any]) -> bool:
    methods = model.get("supportedGenerationMethods")
    return methods is None or (isinstance(methods, list) and "generateContent" in methods)


def _next_token(page: dict[str, Any]) -> dict[str, str] | None:
    token = page.get("nextPageToken")
    return {"pageSize": "1000", "pageToken": str(token)} if token else None


class GenerateReader:
    """The state of one streamed generation: the model turn's parts, the last usage, the end."""

    def __init__(self, label: str, key_hint: str = "") -> None:
        self.label = label
        self.key_hint = key_hint
        self.output_seen = False
        self.model_reported: str | None = None
        self.usage: dict[str, Any] | None = None
        self.thoughts_seen = False
        self.finish_reason: str | None = None
        self.block_reason: str | None = None
        self.parts: list[dict[str, Any]] = []  # the model turn as streamed, for the next turn
        self.signed = False
        self._flushed = False
        self.answer = StreamedText("answer")
        self.thoughts = StreamedText("thought summary")

    def read(self, chunks: Iterable[bytes]) -> Iterator[StreamEvent]:
        for event in decoded(SSEDecoder(), chunks):
            yield from self._on_chunk(event.data)
        yield from self.flush()
        if self.block_reason is not None and self.finish_reason is None:
            yield Finished(
                TurnStatus.REFUSED,
                stop_reason=self.block_reason,
                note=f"Gemini blocked the prompt ({self.block_reason}).",
                model_reported=self.model_reported,
            )
        elif self.finish_reason is None:
            raise ThinkpaneError(
                ErrorKind.NETWORK,
                f"The stream from {self.label} ended without a finish reason; what arrived is kept.",
                retryable=True,
            )
        else:
            yield self._finished(self.finish_reason)

    def _finished(self, reason: str) -> Finished:
        if reason == "STOP":
            return Finished(
                TurnStatus.COMPLETE, stop_reason=reason, model_reported=self.model_reported
            )
        if reason == "MAX_TOKENS":
            return Finished(
                TurnStatus.LENGTH, stop_reason=reason, model_reported=self.model_reported
            )
        if reason in _REFUSED:
            return Finished(
                TurnStatus.REFUSED, stop_reason=reason, model_reported=self.model_reported
            )
        return Finished(
            TurnStatus.COMPLETE,
            stop_reason=reason,
            note=f"Gemini ended with finish reason {reason}.",
            model_reported=self.model_reported,
        )

    def flush(self) -> Iterator[StreamEvent]:
        if self._flushed:
            return
        self._flushed = True
        if self.signed:
            yield OpaqueReasoning({"role": "model", "parts": self.parts})
        if self.usage is not None:
            yield UsageReport(
                normalise_usage(self.usage, self.thoughts_seen), None, self.model_reported
            )

    def _on_chunk(self, data: str) -> Iterator[StreamEvent]:
        chunk = parsed_frame(data, self.label, "chunk")
        if isinstance(chunk, list) and len(chunk) == 1:  # an error object wrapped in a list
            chunk = chunk[0]
        if not isinstance(chunk, dict):
            raise ThinkpaneError(
                ErrorKind.PROTOCOL, f"{self.label} sent an unexpected chunk: {data[:80]!r}"
            )
        if "error" in chunk:
            raise error_from_payload(
                chunk, status=None, provider=self.label, key_hint=self.key_hint
            )
        if isinstance(chunk.get("modelVersion"), str):
            self.model_reported = chunk["modelVersion"]
        meta = chunk.get("usageMetadata")
        if isinstance(meta, dict):
            self.usage = meta
            self.thoughts_seen = self.thoughts_seen or "thoughtsTokenCount" in meta
        feedback = chunk.get("promptFeedback")
        if isinstance(feedback, dict) and isinstance(feedback.get("blockReason"), str):
            self.block_reason = feedback["blockReason"]
        candidates = chunk.get("candidates")
        candidate = candidates[0] if isinstance(candidates, list) and candidates else None
        if not isinstance(candidate, dict):
            return
        content = candidate.get("content")
        parts = content.get("parts") if isinstance(content, dict) else None
        final = isinstance(candidate.get("finishReason"), str)
        for part in parts if isinstance(parts, list) else ():
            if isinstance(part, dict):
                yield from self._on_part(part, final)
        if isinstance(candidate.get("finishReason"), str):
            self.finish_reason = candidate["finishReason"]

    def _on_part(self, part: dict[str, Any], final: bool = False) -> Iterator[StreamEvent]:
        signed = bool(part.get("thoughtSignature"))
        self.signed = self.signed or signed
        raw = part.get("text")
        text = raw if isinstance(raw, str) else ""
        channel = self.thoughts if part.get("thought") else self.answer
        if final and text:
            # Some proxies end with the whole message again: keep only what is new (restated.py).
            new = beyond_repeat(channel, text)
            if new != text:
                if not new and not signed:
                    return
                part, text = {**part, "text": new}, new
        channel.delta(None, text)
        if part.get("thought"):
            if signed:
                self.parts.append(part)  # the signature must go back on its own part
            if text:
                self.output_seen = True
                yield ReasoningDelta(text, Visibility.SUMMARY)
            return
        self.parts.append(part)
        if text:
            self.output_seen = True
            yield AnswerDelta(text)
