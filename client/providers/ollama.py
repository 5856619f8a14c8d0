"""Ollama native adapter (`--provider ollama`): `/api/chat` over newline-delimited JSON.

Ollama's own API is the one that takes `think` (on, off, or a level) and streams the model's
chain of thought in `message.thinking`, apart from the answer. Its answer text still goes through
a ThinkTagSplitter because some models leak `<think>` into `content` (ollama-python#529). The last
line (`"done": true`) carries the finish reason and the token counts; durations are nanoseconds.
Nothing of the reasoning goes back on later turns (nothing shows that Ollama uses it).
"""

from __future__ import annotations

from collections.abc import Generator, Iterable, Iterator
from typing import Any

from client.core.errors import UsageError
from client.core.events import (
    Finished,
    Notice,
    ReasoningDelta,
    StreamEvent,
    TurnStatus,
    UsageReport,
    Visibility,
)
from client.core.request import TurnRequest
from client.core.usage import Usage
from client.providers.base import HTTPAdapter, as_int, cut_short, frame_object
from client.providers.controls import check_common
from client.providers.framing import NDJSONDecoder, decoded
from client.providers.http import error_from_payload
from client.providers.thinktags import ThinkTagSplitter

# --effort → `think`; Ollama has no minimal or xhigh level and no budget.
THINK = {"none": False, "low": "low", "medium": "medium", "high": "high", "max": "max"}
_DONE = {"stop": TurnStatus.COMPLETE, "length": TurnStatus.LENGTH}


class OllamaAdapter(HTTPAdapter):
    """Streams one turn over `POST {base}/api/chat`."""

    expected = ("ndjson", "json")

    accept = "application/x-ndjson"  # a key, if set, as a Bearer: a hosted Ollama behind a proxy

    def body(self, request: TurnRequest) -> dict[str, Any]:
        check_common(request)
        if request.thinking_budget is not None:
            raise UsageError(
                "Ollama takes no thinking budget; use --effort none|low|medium|high|max."
            )
        if request.summary in ("concise", "detailed"):
            raise UsageError("Ollama shows the model's own reasoning; it has no summaries.")
        messages: list[dict[str, Any]] = []
        if request.system:
            messages.append({"role": "system", "content": request.system})
        for turn in request.history:
            messages.append({"role": "user", "content": turn.prompt})
            messages.append({"role": "assistant", "content": turn.answer})
        messages.append({"role": "user", "content": request.prompt})
        body: dict[str, Any] = {"model": request.model, "messages": messages, "stream": True}
        if request.effort is not None:
            if request.effort not in THINK:
                raise UsageError(
                    f"Ollama takes --effort none, low, medium, high or max; not {request.effort}."
                )
            if request.effort == "none" and request.model.lower().startswith("gpt-oss"):
                raise UsageError("gpt-oss cannot turn thinking off; its lowest is --effort low.")
            body["think"] = THINK[request.effort]
        if request.max_output_tokens:
            body["options"] = {"num_predict": request.max_output_tokens}
        return body

    def url(self, request: TurnRequest) -> str:
        return f"{self.profile.base_url(request.base_url)}/api/chat"

    def reader(self, request: TurnRequest, url: str) -> ChatLinesReader:
        return ChatLinesReader(self.profile.label)

    def list_models(self, base_url: str | None, api_key: str | None = None) -> list[str]:
        return self.model_pages(
            f"{self.profile.base_url(base_url)}/api/tags",
            api_key,
            field="models",
            name=lambda m: m.get("name") or m.get("model"),
            what="Ollama's model list",
        )


class ChatLinesReader:
    """The state of one streamed chat: the think-tag splitter, the final line's counts."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.splitter = ThinkTagSplitter()
        self.output_seen = False
        self.model_reported: str | None = None
        self.usage: Usage | None = None
        self._flushed = False

    def read(self, chunks: Iterable[bytes]) -> Iterator[StreamEvent]:
        for line in decoded(NDJSONDecoder(), chunks):
            done = yield from self._on_line(line)
            if done is not None:
                yield from self.flush()
                yield done
                return
        raise cut_short(self.label, "the model was done")

    def flush(self) -> Iterator[StreamEvent]:
        """Text the splitter held back, and the usage, once, however the stream ended."""
        if self._flushed:
            return
        self._flushed = True
        yield from self.splitter.finish()
        if self.usage is not None:
            yield UsageReport(self.usage, None, self.model_reported)

    def _on_line(self, line: str) -> Generator[StreamEvent, None, Finished | None]:
        data = frame_object(line, self.label, "line")
        if "error" in data:
            raise error_from_payload(data, status=None, provider=self.label)
        if isinstance(data.get("model"), str):
            self.model_reported = data["model"]
        message = data.get("message")
        if isinstance(message, dict):
            thinking = message.get("thinking")
            if isinstance(thinking, str) and thinking:
                self.splitter.structured_reasoning_seen()
                self.output_seen = True
                yield ReasoningDelta(thinking, Visibility.RAW)
            content = message.get("content")
            if isinstance(content, str) and content:
                self.output_seen = True
                yield from self.splitter.feed(content)
        if data.get("done") is not True:
            return None
        self.usage = Usage(
            input_tokens=as_int(data.get("prompt_eval_count")),
            output_tokens=as_int(data.get("eval_count")),
        )
        reason = data.get("done_reason") if isinstance(data.get("done_reason"), str) else None
        speed = _speed(data)
        if speed is not None:
            yield speed
        return Finished(
            _DONE.get(reason or "stop", TurnStatus.COMPLETE),
            stop_reason=reason,
            model_reported=self.model_reported,
        )


def _speed(done: dict[str, Any]) -> Notice | None:
    """How fast the local model ran, from the final line's durations (nanoseconds)."""
    seconds = {
        name: ns / 1e9
        for name in ("total_duration", "load_duration", "prompt_eval_duration", "eval_duration")
        if (ns := as_int(done.get(name))) is not None
    }
    tokens = as_int(done.get("eval_count"))
    if not tokens or not seconds.get("eval_duration"):
        return None
    rate = tokens / seconds["eval_duration"]
    extra = {
        f"{name.removesuffix('_duration')}_s": round(value, 3) for name, value in seconds.items()
    }
    extra["tokens_per_s"] = round(rate, 1)
    return Notice(f"{rate:.1f} tokens/s", extra)
