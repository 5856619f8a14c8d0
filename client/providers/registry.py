"""The providers Thinkpane speaks to: their CLI names, default base URLs and where keys come from.

This is the one table the command line, the settings page and the session consult; adapters are
imported lazily so asking for one provider loads only its module.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from client.core.errors import UsageError

if TYPE_CHECKING:  # base.py builds on ProviderProfile, so it cannot be imported first
    from client.providers.base import Adapter


@dataclass(frozen=True)
class ProviderProfile:
    name: str  # the CLI name, also the keyring user name
    label: str  # what the user reads
    default_base_url: str | None
    env_vars: tuple[str, ...]
    adapter: str  # "module:Class" under client.providers
    local: bool = False  # a local server: no key, zero cost

    def base_url(self, override: str | None) -> str:
        url = (override or self.default_base_url or "").rstrip("/")
        if not url:
            raise UsageError(
                f"--base-url is required for {self.name} (for example http://127.0.0.1:8080/v1)."
            )
        return url

    @property
    def key_hint(self) -> str:
        env = " or ".join(self.env_vars)
        return (
            f"set {env}, or save a key for '{self.name}' in Settings (kept in the system keyring)."
        )


PROFILES: dict[str, ProviderProfile] = {
    p.name: p
    for p in (
        ProviderProfile(
            "openai",
            "OpenAI (Responses)",
            "https://api.openai.com/v1",
            ("OPENAI_API_KEY",),
            "client.providers.openai_responses:OpenAIResponsesAdapter",
        ),
        ProviderProfile(
            "openai-chat",
            "OpenAI (Chat Completions)",
            "https://api.openai.com/v1",
            ("OPENAI_API_KEY",),
            "client.providers.openai_compat:ChatCompletionsAdapter",
        ),
        ProviderProfile(
            "anthropic",
            "Anthropic",
            "https://api.anthropic.com",
            ("ANTHROPIC_API_KEY",),
            "client.providers.anthropic:AnthropicAdapter",
        ),
        ProviderProfile(
            "gemini",
            "Google Gemini",
            "https://generativelanguage.googleapis.com",
            ("GEMINI_API_KEY", "GOOGLE_API_KEY"),
            "client.providers.gemini:GeminiAdapter",
        ),
        ProviderProfile(
            "ollama",
            "Ollama",
            "http://127.0.0.1:11434",
            (),
            "client.providers.ollama:OllamaAdapter",
            local=True,
        ),
        ProviderProfile(
            "deepseek",
            "DeepSeek",
            "https://api.deepseek.com",
            ("DEEPSEEK_API_KEY",),
            "client.providers.openai_compat:ChatCompletionsAdapter",
        ),
        ProviderProfile(
            "openrouter",
            "OpenRouter",
            "https://openrouter.ai/api/v1",
            ("OPENROUTER_API_KEY",),
            "client.providers.openai_compat:ChatCompletionsAdapter",
        ),
        ProviderProfile(
            "mistral",
            "Mistral",
            "https://api.mistral.ai/v1",
            ("MISTRAL_API_KEY",),
            "client.providers.mistral:MistralAdapter",
        ),
        ProviderProfile(
            "openai-compatible",
            "OpenAI-compatible server",
            None,
            ("THINKPANE_API_KEY",),
            "client.providers.openai_compat:ChatCompletionsAdapter",
        ),
    )
}


def profile(name: str) -> ProviderProfile:
    try:
        return PROFILES[name]
    except KeyError:
        raise UsageError(
            f"unknown provider {name!r}; choose one of: {', '.join(PROFILES)}"
        ) from None


def adapter_for(name: str) -> Adapter:
    """An adapter instance for the named provider."""
    prof = profile(name)
    module_name, _, class_name = prof.adapter.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name == module_name:
            raise UsageError(
                f"the {prof.label} adapter is not available in this build yet."
            ) from None
        raise
    return cast("Adapter", getattr(module, class_name)(prof))
