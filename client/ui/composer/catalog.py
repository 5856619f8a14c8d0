"""Which models the picker offers, gathered in the background from everywhere they can come from.

Recent models and the default come from the settings; local servers from discovery (the usual
ports, plus the base URLs the user added); remote models from the model lists of providers that
have a key. Discovery and model lists touch the network, so they run on BackgroundJobs and the
picker fills in as answers arrive; a provider that fails to list simply contributes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

from client.ui.composer.model_picker import ModelChoice, group_label
from client.ui.jobs import BackgroundJobs
from client.ui.prefs import Preferences

Discover = Callable[[], list[Any]]


def default_discover() -> list[Any]:
    from client.providers.discovery import discover_local_servers

    return discover_local_servers(timeout_s=1.0)


def _custom_servers(urls: list[str]) -> list[tuple[str, list[str]]]:
    from client.providers.registry import adapter_for

    found = []
    for url in urls:
        try:
            models = adapter_for("openai-compatible").list_models(url, None)
        except Exception:  # a server that is down or not OpenAI-compatible lists nothing
            continue
        found.append((url, models))
    return found


def _remote_lists() -> dict[str, list[str]]:
    """provider → models, for each provider with a key (providers sharing a key listed once)."""
    from client.providers.registry import PROFILES, adapter_for
    from client.store.secrets import get_api_key

    lists: dict[str, list[str]] = {}
    seen: set[tuple[tuple[str, ...], str | None]] = set()
    for profile in PROFILES.values():
        if profile.local or not profile.default_base_url:
            continue
        identity = (profile.env_vars, profile.default_base_url)
        key = get_api_key(profile.name, profile.env_vars)
        if not key or identity in seen:
            continue
        seen.add(identity)
        try:
            lists[profile.name] = list(adapter_for(profile.name).list_models(None, key))
        except Exception:
            continue
    return lists


class ModelCatalog(QObject):
    """The models on offer, grouped under headings for the picker.

    Signals:
        sig_catalog_changed(object): dict heading → list[ModelChoice].
        sig_servers_found(object): the LocalServer list from the latest discovery, the servers
            the user added in Settings (that answered) included.
    """

    sig_catalog_changed = Signal(object)
    sig_servers_found = Signal(object)

    def __init__(
        self,
        prefs: Preferences,
        jobs: BackgroundJobs,
        discover: Discover | None = None,
        list_remote: Callable[[], dict[str, list[str]]] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._prefs = prefs
        self._jobs = jobs
        self._discover = discover or default_discover
        self._list_remote = list_remote or _remote_lists
        self.servers: list[Any] = []
        self.discovered = False
        self._custom: list[tuple[str, list[str]]] = []
        self._remote: dict[str, list[str]] = {}

    def groups(self) -> dict[str, list[ModelChoice]]:
        groups: dict[str, list[ModelChoice]] = {}
        recent = self._prefs.recent_models
        default = self._prefs.default_model
        if default is not None and default not in recent:
            recent = [default, *recent]
        if recent:
            groups["Recent"] = recent
        for server in self.servers:
            choices = [ModelChoice(server.provider, m, server.base_url) for m in server.models]
            if choices:
                groups[group_label(choices[0], server.kind)] = choices
        for url, models in self._custom:
            choices = [ModelChoice("openai-compatible", m, url) for m in models]
            if choices:
                groups[group_label(choices[0], "Server")] = choices
        for provider, models in self._remote.items():
            choices = [ModelChoice(provider, m) for m in models]
            if choices:
                groups[group_label(choices[0])] = choices
        return groups

    def changed(self) -> None:
        self.sig_catalog_changed.emit(self.groups())

    def refresh_local(self, urls: list[str] | None = None) -> None:
        """Look for local servers: the usual ports, and `urls` (by default the saved ones)."""
        discover = self._discover
        urls = self._prefs.local_base_urls if urls is None else urls
        self._jobs.run(
            lambda: (discover(), _custom_servers(urls) if urls else []),
            self._on_local_found,
            self._on_local_failed,
        )

    def refresh_remote(self) -> None:
        self._jobs.run(self._list_remote, self._on_remote_listed, lambda _exc: None)

    def all_servers(self) -> list[Any]:
        """Discovered servers, then those added in Settings that answered, as LocalServer."""
        from client.providers.discovery import LocalServer

        known = {s.base_url.rstrip("/") for s in self.servers}
        added = [
            LocalServer("Server", url, "openai-compatible", tuple(models))
            for url, models in self._custom
            if url.rstrip("/") not in known
        ]
        return [*self.servers, *added]

    def _on_local_found(self, result: tuple[list[Any], list[tuple[str, list[str]]]]) -> None:
        self.servers, self._custom = list(result[0]), list(result[1])
        self.discovered = True
        self.sig_servers_found.emit(self.all_servers())
        self.changed()

    def _on_local_failed(self, _exc: BaseException) -> None:
        self.servers, self.discovered = [], True
        self.sig_servers_found.emit([])

    def _on_remote_listed(self, lists: dict[str, list[str]]) -> None:
        self._remote = lists
        self.changed()
