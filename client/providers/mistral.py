"""Mistral adapter (`--provider mistral`): its reasoning models over its own Chat Completions.

Mistral speaks Chat Completions with three differences that matter here. Its reasoning models
reply with typed content chunks (thinking, then text; typed_content.py reads them, as the
OpenAI-compatible adapter does). It refuses any request field it does not document, so nothing
of OpenAI's dialect goes out: `max_tokens`, never `max_completion_tokens`, no `stream_options`
(usage comes in the last chunk anyway), no `reasoning_content` in the history. And reasoning is
set per model generation: Small 4 and Medium 3.5 take `reasoning_effort` none or high (Large 4
also low and medium), the Magistral models always think and take none, the others take none;
a setting a model cannot take is refused with a sentence before anything is sent.

On the next turn the assistant message goes back to the same model as the list of chunks it
came as, thinking included; any other model gets the answer text only.
"""

from __future__ import annotations

import re
from typing import Any

from client.core.errors import UsageError
from client.core.request import TurnRequest
from client.providers.controls import check_common
from client.providers.openai_compat import ChatCompletionsAdapter

# (model id pattern, the reasoning efforts it takes), first match wins.
_EFFORTS: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = (
    (re.compile(r"magistral-"), ()),  # always thinks
    (re.compile(r"mistral-small-(latest|2603|4\b)"), ("none", "high")),  # Small 4
    (re.compile(r"mistral-medium-(3-5|3\.5)"), ("none", "high")),
    (re.compile(r"mistral-large-4"), ("none", "low", "medium", "high")),
)
ADJUSTABLE_MODELS = "mistral-small-latest, mistral-medium-3-5 and Mistral Large 4"


def efforts_for(model: str) -> tuple[str, ...]:
    """The `reasoning_effort` values this model takes (none: it takes no effort)."""
    name = model.lower().rsplit("/", 1)[-1]
    for pattern, efforts in _EFFORTS:
        if pattern.match(name):
            return efforts
    return ()


def always_thinks(model: str) -> bool:
    return model.lower().rsplit("/", 1)[-1].startswith("magistral-")


def _chat_capable(capabilities: Any) -> bool:
    return isinstance(capabilities, dict) and capabilities.get("completion_chat") is True


class MistralAdapter(ChatCompletionsAdapter):
    """Streams one turn over `POST {base}/chat/completions` in Mistral's own dialect."""

    def body(self, request: TurnRequest) -> dict[str, Any]:
        """The JSON body; a reasoning setting this model cannot take is refused here."""
        check_common(request)
        model, effort = request.model, request.effort
        if request.thinking_budget is not None:
            raise UsageError(
                "Mistral takes no thinking budget; use --effort none or high "
                f"on {ADJUSTABLE_MODELS}."
            )
        if request.summary in ("concise", "detailed"):
            raise UsageError("Mistral shows the model's own reasoning; it has no summaries.")
        body: dict[str, Any] = {
            "model": model,
            "messages": self.messages(request),
            "stream": True,
        }
        if effort is not None:
            takes = efforts_for(model)
            if always_thinks(model):
                raise UsageError(
                    f"{model} always thinks and takes no --effort; drop it, or use "
                    f"{ADJUSTABLE_MODELS} to choose."
                )
            if not takes:
                raise UsageError(
                    f"{model} takes no reasoning effort; drop --effort, or use "
                    f"{ADJUSTABLE_MODELS}, which do."
                )
            if effort not in takes:
                raise UsageError(f"{model} takes --effort {' or '.join(takes)}; not {effort}.")
            body["reasoning_effort"] = effort
        if request.max_output_tokens:
            body["max_tokens"] = request.max_output_tokens
        return body

    def messages(self, request: TurnRequest) -> list[dict[str, Any]]:
        """The history: this model's own replies as the typed chunks they came as, thinking
        included; anything else as its answer text. Reasoning never goes back as a field."""
        messages: list[dict[str, Any]] = []
        if request.system:
            messages.append({"role": "system", "content": request.system})
        for turn in request.history:
            messages.append({"role": "user", "content": turn.prompt})
            content: Any = turn.answer
            if turn.provider == self.profile.name and turn.model == request.model:
                chunks = [i["content"] for i in turn.opaque if isinstance(i.get("content"), list)]
                content = chunks[-1] if chunks else content
            messages.append({"role": "assistant", "content": content})
        messages.append({"role": "user", "content": request.prompt})
        return messages

    def list_models(self, base_url: str | None, api_key: str | None) -> list[str]:
        """The chat models only (embeddings, OCR and moderation models are left out)."""
        return self.listed_models(
            base_url,
            api_key,
            keep=lambda m: _chat_capable(m.get("capabilities")),
        )
