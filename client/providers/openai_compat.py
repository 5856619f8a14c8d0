"""Chat Completions adapter: OpenAI's reasoning models, DeepSeek, OpenRouter, and every
OpenAI-compatible server (llama.cpp, LM Studio, vLLM, Ollama's /v1, Groq, xAI, …).

One wire format with many dialects: reasoning arrives as `reasoning_content`, `reasoning`,
`reasoning_details`, a Gemini thought flag, or inline think tags in `content` (split by
ThinkTagSplitter); usage in several shapes (chat_usage.py). The adapter reads them all and
yields canonical StreamEvents. Content may also come as typed chunks (typed_content.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from client.core.errors import ErrorKind, ThinkpaneError, UsageError
from client.core.events import (
    Finished,
    Notice,
    OpaqueReasoning,
    ReasoningDelta,
    StreamEvent,
    TurnStatus,
    UsageReport,
    Visibility,
)
from client.core.request import EFFORTS, TurnRequest
from client.providers.base import HTTPAdapter, cut_short, parsed_frame
from client.providers.chat_usage import find_usage, normalise_chat_usage, reported_cost
from client.providers.framing import SSEDecoder, decoded
from client.providers.http import error_from_payload
from client.providers.restated import StreamedText, beyond_repeat
from client.providers.thinktags import ThinkTagSplitter
from client.providers.typed_content import ChunkList, split_content, without_repeat

log = logging.getLogger(__name__)
_FINISH = {
    "stop": TurnStatus.COMPLETE,
    "tool_calls": TurnStatus.COMPLETE,
    "function_call": TurnStatus.COMPLETE,
    "end_turn": TurnStatus.COMPLETE,
    "eos": TurnStatus.COMPLETE,
    "length": TurnStatus.LENGTH,
    "max_tokens": TurnStatus.LENGTH,
    "content_filter": TurnStatus.REFUSED,
}


def _text(value: Any) -> str | None:
    """Reasoning fields: treat "" like null (some servers send both, one empty)."""
    return value if isinstance(value, str) and value else None


def openrouter_kind(model: str, detail_type: str | None = None) -> Visibility:
    """OpenRouter relays several providers: Claude 4+ and OpenAI text is a summary, others raw."""
    if detail_type == "reasoning.summary":
        return Visibility.SUMMARY
    m = model.lower()
    if m.startswith("anthropic/"):
        return Visibility.RAW if "3.7" in m or "3-7" in m else Visibility.SUMMARY
    if m.startswith("openai/o") or m.startswith("openai/gpt-5") or m.startswith("google/gemini"):
        return Visibility.SUMMARY
    return Visibility.RAW


class ChatCompletionsAdapter(HTTPAdapter):
    """Streams one turn over `/chat/completions` in the dialect of `profile.name`."""

    # Some servers label their event stream loosely; a web page or JSON is refused.
    expected = ("event-stream", "text/plain", "octet-stream")

    @property
    def flavour(self) -> str:
        """Which dialect: the provider's name (openai-chat, deepseek, openrouter, …)."""
        return self.profile.name

    # -- the request -------------------------------------------------------------------------

    def url(self, request: TurnRequest) -> str:
        return f"{self.profile.base_url(request.base_url)}/chat/completions"

    def headers(self, api_key: str | None) -> dict[str, str]:
        headers = super().headers(api_key)
        if self.flavour == "openrouter":
            headers["X-Title"] = "Thinkpane"
        return headers

    def messages(self, request: TurnRequest) -> list[dict[str, Any]]:
        messages: list[dict[str, Any]] = []
        if request.system:
            messages.append({"role": "system", "content": request.system})
        for turn in request.history:
            messages.append({"role": "user", "content": turn.prompt})
            assistant: dict[str, Any] = {"role": "assistant", "content": turn.answer}
            same_model = turn.provider == self.flavour and turn.model == request.model
            chunks = [i["content"] for i in turn.opaque if isinstance(i.get("content"), list)]
            if same_model and chunks:
                # Typed chunks go back as they came, thinking included, to the model that wrote them.
                messages.append({"role": "assistant", "content": chunks[-1]})
                continue
            if self.flavour == "openrouter" and same_model:
                details = [d for item in turn.opaque for d in item.get("reasoning_details", [])]
                if details:
                    assistant["reasoning_details"] = details
            if (
                request.send_reasoning
                and turn.reasoning
                and self.flavour in ("deepseek", "openai-compatible")
            ):
                assistant["reasoning_content"] = turn.reasoning
            messages.append(assistant)
        messages.append({"role": "user", "content": request.prompt})
        return messages

    def body(self, request: TurnRequest) -> dict[str, Any]:
        """The JSON body, with reasoning controls mapped to what this server accepts.

        A setting the server cannot take is refused here, before anything is sent."""
        body: dict[str, Any] = {
            "model": request.model,
            "messages": self.messages(request),
            "stream": True,
            "stream_options": {"include_usage": True},
        }
        effort, budget, flavour = request.effort, request.thinking_budget, self.flavour
        if effort is not None and effort not in EFFORTS:
            raise UsageError(f"--effort must be one of {', '.join(EFFORTS)}")
        if budget is not None and budget < 0:
            raise UsageError("--thinking-budget must be a number of tokens, 0 or more")
        if request.summary not in (None, "none", "auto") and flavour != "openrouter":
            raise UsageError(
                f"{self.profile.label} does not summarise reasoning; --summary works with "
                "--provider openai, anthropic and gemini."
            )
        if flavour == "openai-chat":
            if budget is not None:
                raise UsageError("OpenAI Chat Completions takes no thinking budget; use --effort.")
            if effort:
                body["reasoning_effort"] = effort
            if request.max_output_tokens:
                body["max_completion_tokens"] = request.max_output_tokens
            return body
        if flavour == "openrouter":
            if effort and budget is not None:
                raise UsageError("OpenRouter takes either --effort or --thinking-budget, not both.")
            if budget is not None:
                body["reasoning"] = {"max_tokens": budget}
            elif effort:
                body["reasoning"] = {"effort": effort}
        elif flavour == "deepseek":
            if budget is not None:
                raise UsageError(
                    "DeepSeek takes no thinking budget; use --effort none to turn thinking off."
                )
            if effort == "none":
                body["thinking"] = {"type": "disabled"}
            elif effort:
                body["thinking"] = {"type": "enabled"}
                body["reasoning_effort"] = effort
        else:
            if budget is not None:
                raise UsageError(
                    "OpenAI-compatible servers take no per-request thinking budget; llama.cpp sets "
                    "one at launch (--reasoning-budget N). Use --effort instead."
                )
            if effort:
                body["reasoning_effort"] = effort
                if effort == "none":  # Qwen3-style templates on vLLM and llama.cpp
                    body["chat_template_kwargs"] = {"enable_thinking": False}
        if request.max_output_tokens:
            body["max_tokens"] = request.max_output_tokens
        return body

    # -- the stream --------------------------------------------------------------------------

    def reader(self, request: TurnRequest, url: str) -> _ChatStreamReader:
        return _ChatStreamReader(self, request.model, url)

    def list_models(self, base_url: str | None, api_key: str | None) -> list[str]:
        return self.listed_models(base_url, api_key)

    def listed_models(
        self,
        base_url: str | None,
        api_key: str | None,
        keep: Callable[[dict[str, Any]], bool] = lambda _m: True,
    ) -> list[str]:
        """`GET {base}/models`, the models `keep` accepts."""
        return self.model_pages(f"{self.profile.base_url(base_url)}/models", api_key, keep=keep)


class _ChatStreamReader:
    """The state of one response: one splitter, merged reasoning_details, the last usage."""

    def __init__(self, adapter: ChatCompletionsAdapter, model: str, url: str = "") -> None:
        self.adapter = adapter
        self.flavour = adapter.flavour
        self.model = model
        self.splitter = ThinkTagSplitter()
        self.details: dict[int, dict[str, Any]] = {}
        self._detail_pieces: dict[tuple[int, str], list[str]] = {}
        self.finish_reason: str | None = None
        self.model_reported: str | None = None
        self.output_seen = False
        self.flushed = False
        # What streamed, for a last chunk or a whole message that repeats it (restated.py).
        self.reasoning = StreamedText("reasoning")
        self.answer = StreamedText("answer")
        self.chunks = ChunkList()  # the reply as typed chunks, when it came as lists
        self.unshown_types: set[str] = set()  # chunk types logged as not shown
        self.unshown_told: set[str] = set()  # … and those whose text the user was shown
        self.label = adapter.profile.label
        # Gemini's compat endpoint wraps thought summaries in <thought> tags.
        # (It was pointed at through --base-url: no profile has that host as its default.)
        self.tag_kind = Visibility.SUMMARY if "generativelanguage" in url else Visibility.RAW

    def read(self, chunks: Iterable[bytes]) -> Iterator[StreamEvent]:
        done = False
        for event in decoded(SSEDecoder(), chunks):
            if event.data.strip() == "[DONE]":
                done = True
                break
            yield from self._on_data(event.data)
        yield from self.flush()
        if self.finish_reason == "error":
            raise ThinkpaneError(
                ErrorKind.SERVER, f"{self.adapter.profile.label} ended the stream with an error."
            )
        if self.finish_reason is None and not done:
            raise cut_short(self.adapter.profile.label, "the model finished")
        status = _FINISH.get(self.finish_reason or "stop", TurnStatus.COMPLETE)
        yield Finished(status, stop_reason=self.finish_reason, model_reported=self.model_reported)

    def _on_data(self, data: str) -> Iterator[StreamEvent]:
        chunk = parsed_frame(data, self.adapter.profile.label, "line")
        if not isinstance(chunk, dict):
            raise ThinkpaneError(
                ErrorKind.PROTOCOL, f"{self.adapter.profile.label} sent an unexpected frame."
            )
        if ("error" in chunk and not chunk.get("choices")) or chunk.get("object") == "error":
            raise error_from_payload(
                chunk,
                status=None,
                provider=self.adapter.profile.label,
                key_hint=self.adapter.profile.key_hint,
            )
        if isinstance(chunk.get("model"), str):
            self.model_reported = chunk["model"]
        choices = chunk.get("choices")
        if isinstance(choices, list) and choices and isinstance(choices[0], dict):
            yield from self._on_choice(choices[0])
        usage = find_usage(chunk)
        if usage is not None:
            timings = chunk.get("timings") if isinstance(chunk.get("timings"), dict) else None
            yield UsageReport(
                normalise_chat_usage(usage, timings), reported_cost(usage), self.model_reported
            )
        elif isinstance(chunk.get("timings"), dict):
            yield UsageReport(normalise_chat_usage({}, chunk["timings"]), None, self.model_reported)

    def _on_choice(self, choice: dict[str, Any]) -> Iterator[StreamEvent]:
        delta = choice.get("delta") or {}
        if not isinstance(delta, dict):
            delta = {}
        final = isinstance(choice.get("finish_reason"), str) and bool(choice["finish_reason"])
        text = _text(delta.get("reasoning_content")) or _text(delta.get("reasoning"))
        kind = openrouter_kind(self.model) if self.flavour == "openrouter" else Visibility.RAW
        details = delta.get("reasoning_details")
        if isinstance(details, list):
            detail_text = self._merge_details(details)
            if detail_text is not None:
                detail_type = next((d.get("type") for d in details if isinstance(d, dict)), None)
                kind = (
                    openrouter_kind(self.model, detail_type)
                    if self.flavour == "openrouter"
                    else kind
                )
                text = text or detail_text
            if details:
                self.splitter.structured_reasoning_seen()
        content = delta.get("content")
        chunks = content if isinstance(content, list) else None
        before_typed = 0  # how much of the reasoning came from a field before the typed chunks
        if chunks is not None:  # typed chunks (Mistral): thinking, text, others
            typed = split_content(chunks)
            yield from self._unshown(typed.other)
            if typed.reasoning:
                if text and text != typed.reasoning:
                    before_typed, text = len(text), text + typed.reasoning
                else:
                    text = typed.reasoning
            content = typed.answer
        google = (
            (delta.get("extra_content") or {}).get("google")
            if isinstance(delta.get("extra_content"), dict)
            else None
        )
        if isinstance(google, dict) and google.get("thought") and isinstance(content, str):
            text, content, kind = content, None, Visibility.SUMMARY
        reasoning_cut = answer_cut = 0  # what a last chunk repeated, dropped from the echo too
        if text and final:
            shown = beyond_repeat(self.reasoning, text)  # a last chunk repeating it all
            reasoning_cut, text = len(text) - len(shown), shown
        if isinstance(content, str) and content and final:
            shown = beyond_repeat(self.answer, content)
            answer_cut, content = len(content) - len(shown), shown
        if chunks is not None:
            cut = max(reasoning_cut - before_typed, 0)
            self.chunks.add(
                without_repeat(chunks, cut, answer_cut) if cut or answer_cut else chunks
            )
        elif isinstance(content, str):
            self.chunks.text(content)
        if text:
            self.reasoning.delta(None, text)
            self.splitter.structured_reasoning_seen()
            self.output_seen = True
            yield ReasoningDelta(text, kind)
        if isinstance(content, str) and content:
            self.answer.delta(None, content)
            self.output_seen = True
            yield from self._from_splitter(self.splitter.feed(content))
        message = choice.get("message")
        if isinstance(message, dict):
            yield from self._on_whole_message(message, kind)
        reason = choice.get("finish_reason")
        if isinstance(reason, str) and reason:
            self.finish_reason = reason

    def _on_whole_message(self, message: dict[str, Any], kind: Visibility) -> Iterator[StreamEvent]:
        """Some servers end a stream with the whole message (`choices[0].message`) instead of,
        or after, its deltas: show only what the deltas missed, never a copy (restated.py)."""
        typed = split_content(message.get("content"))
        said = (
            _text(message.get("reasoning_content"))
            or _text(message.get("reasoning"))
            or typed.reasoning
        )
        missing = self.reasoning.close(None, said) if said else ""
        if missing:
            self.splitter.structured_reasoning_seen()
            self.output_seen = True
            yield ReasoningDelta(missing, kind)
        yield from self._unshown(typed.other)  # what only the whole message carried is told too
        content = message.get("content")
        if self.chunks.empty and isinstance(content, list):
            self.chunks.add(content)  # the whole reply came only here
        missing = self.answer.close(None, typed.answer) if content is not None else ""
        if missing:
            self.output_seen = True
            yield from self._from_splitter(self.splitter.feed(missing))

    def _unshown(self, chunks: list[tuple[str, str]]) -> Iterator[StreamEvent]:
        """Chunk types we do not show (a `reference`, a tool chunk) stay out of the answer, and
        are said once per type, with their text, never dropped silently: a first chunk with no
        text is only logged, so the first one of that type that carries text is still told."""
        for kind, text in chunks:
            if kind not in self.unshown_types:
                self.unshown_types.add(kind)
                log.warning("%s sent a %r content chunk, kept out of the answer", self.label, kind)
            if text and kind not in self.unshown_told:
                self.unshown_told.add(kind)
                yield Notice(
                    f"{self.label} sent content of type '{kind}', which is not part of the answer "
                    f"and is not shown: {text[:200]}",
                    {"type": kind, "text": text},
                )

    def _merge_details(self, details: list[Any]) -> str | None:
        """Merge OpenRouter's streamed reasoning_details by index; return any displayable text."""
        shown: list[str] = []
        for item in details:
            if not isinstance(item, dict):
                continue
            index = item.get("index", len(self.details))
            index = index if isinstance(index, int) else len(self.details)
            merged = self.details.setdefault(index, {})
            for key, value in item.items():
                if key in ("text", "summary", "data") and isinstance(value, str):
                    # Pieces, joined once when the stream ends (a long trace would be re-copied).
                    self._detail_pieces.setdefault((index, key), []).append(value)
                    merged.setdefault(key, "")
                    if key != "data" and value:
                        shown.append(value)
                elif value is not None and value != "":
                    merged[key] = value
        return "".join(shown) if shown else None

    def _from_splitter(self, events: list[StreamEvent]) -> Iterator[StreamEvent]:
        for event in events:
            if isinstance(event, ReasoningDelta) and event.kind is not self.tag_kind:
                yield ReasoningDelta(event.text, self.tag_kind)
            else:
                yield event

    def flush(self) -> Iterator[StreamEvent]:
        """Held-back text and merged opaque state, once, however the stream ended."""
        if self.flushed:
            return
        self.flushed = True
        yield from self._from_splitter(self.splitter.finish())
        if self.chunks.thinking_seen:
            # The reply as typed chunks, thinking included, for the next turn to the same model.
            yield OpaqueReasoning({"content": self.chunks.items})
        if self.details:
            for (index, key), pieces in self._detail_pieces.items():
                self.details[index][key] = "".join(pieces)
            items = [self.details[i] for i in sorted(self.details)]
            encrypted_only = all(d.get("type") == "reasoning.encrypted" for d in items)
            yield OpaqueReasoning({"reasoning_details": items}, redacted=encrypted_only)
