"""The window's small settings, kept in the store's settings table (never in a file of our own).

Read once at start-up (a handful of tiny rows, before the window shows, so it opens where it was
left); written in the background through BackgroundJobs, in order. API keys are not settings:
they go to the keyring through client.store.secrets and nowhere else.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from client.ui.composer.model_picker import ModelChoice
from client.ui.jobs import BackgroundJobs

if TYPE_CHECKING:
    from client.store.store import Store

RECENT_LIMIT = 12

DEFAULTS: dict[str, Any] = {
    "ui.theme": "system",
    "ui.font_size": 0,
    "ui.window": {},
    "ui.last_conversation": None,
    "default_model": None,
    "local_base_urls": [],
    "recent_models": [],
    "turns.idle_timeout_s": 600,  # a stream silent this long ends as a network failure (0: never)
}


class Preferences:
    """In-memory copy of the settings the window uses, written back through the store."""

    def __init__(
        self,
        store: Store | None,
        jobs: BackgroundJobs | None,
        settings: dict[str, Any] | None = None,
    ) -> None:
        """From the open store; or, with no store yet, from the `settings` read off the file
        before it opened (client.store.db.read_settings), so the window shows as it was left:
        `bind()` hands the store over once it is open."""
        self._store = store
        self._jobs = jobs
        self._unsaved: dict[str, Any] = {}
        if store is not None:
            self._values = {key: store.get_setting(key, d) for key, d in DEFAULTS.items()}
        else:
            given = settings or {}
            self._values = {key: given.get(key, d) for key, d in DEFAULTS.items()}

    def bind(self, store: Store) -> None:
        """The store is open: what was set before is written now, in the order it was set."""
        self._store = store
        unsaved, self._unsaved = self._unsaved, {}
        for key, value in unsaved.items():
            self._write(key, value)

    def get(self, key: str) -> Any:
        return self._values.get(key, DEFAULTS.get(key))

    def set(self, key: str, value: Any) -> None:
        if self._values.get(key) == value:
            return
        self._values[key] = value
        if self._store is None:  # not open yet: written by bind()
            self._unsaved.pop(key, None)
            self._unsaved[key] = value
            return
        self._write(key, value)

    def _write(self, key: str, value: Any) -> None:
        store = self._store
        assert store is not None
        if self._jobs is None:
            store.set_setting(key, value)
        else:
            self._jobs.run(lambda: store.set_setting(key, value))

    @property
    def default_model(self) -> ModelChoice | None:
        return ModelChoice.from_json(self.get("default_model"))

    @property
    def recent_models(self) -> list[ModelChoice]:
        choices = [ModelChoice.from_json(item) for item in self.get("recent_models") or []]
        return [c for c in choices if c is not None]

    def remember_model(self, choice: ModelChoice) -> None:
        recent = [choice] + [c for c in self.recent_models if c != choice]
        self.set("recent_models", [c.to_json() for c in recent[:RECENT_LIMIT]])

    @property
    def local_base_urls(self) -> list[str]:
        return [str(u) for u in self.get("local_base_urls") or [] if str(u).strip()]
