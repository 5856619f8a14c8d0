"""API keys: from the environment, or the operating system's keyring; never from a file of ours.

Service "thinkpane", user = the provider profile name. The environment wins, so scripts and CI
can supply a key without touching the keyring. Where no safe keyring exists (a headless Linux
box, or only a plaintext "keyring"), we say so in a sentence and offer the environment variable;
we never quietly write the key anywhere else. Instead the user may keep a key in memory for this
session only (`keep_for_session`): it is read after the environment and the keyring, is never
written anywhere, and is gone when the app closes. Nothing here logs or prints a key.
"""

from __future__ import annotations

import os

import keyring
from keyring.backend import KeyringBackend
from keyring.backends import chainer, fail, null
from keyring.errors import KeyringError, PasswordDeleteError

from client.store.db import StoreError

SERVICE = "thinkpane"

# Keys the user chose to keep in memory until the app closes (no safe keyring): never written.
_SESSION_KEYS: dict[str, str] = {}

NO_KEYRING = (
    "No system keyring was found, so Thinkpane cannot store API keys safely on this computer. "
    "Set the key in an environment variable (for example OPENAI_API_KEY, ANTHROPIC_API_KEY or "
    "THINKPANE_API_KEY) and start Thinkpane from that environment, or type it below: it is then "
    "kept in memory until Thinkpane closes and written nowhere."
)
PLAINTEXT_KEYRING = (
    "The only keyring available keeps passwords in a plain file, so Thinkpane will not store API "
    "keys in it. Set the key in an environment variable (for example OPENAI_API_KEY), install a "
    "system keyring such as GNOME Keyring or KWallet, or type it below: it is then kept in memory "
    "until Thinkpane closes and written nowhere."
)


def _problem(backend: KeyringBackend) -> str | None:
    """Why `backend` cannot keep a key safely, or None if it can."""
    if isinstance(backend, fail.Keyring | null.Keyring):
        return NO_KEYRING
    if isinstance(backend, chainer.ChainerBackend):
        members = list(backend.backends)
        if not members:
            return NO_KEYRING
        problems = [_problem(member) for member in members]
        if all(problems):
            return problems[0]
        return None
    kind = f"{type(backend).__module__}.{type(backend).__name__}".lower()
    if "plaintext" in kind or ("keyrings.alt" in kind and "encrypted" not in kind):
        return PLAINTEXT_KEYRING
    return None


def keyring_available() -> tuple[bool, str]:
    """(True, a sentence naming the keyring) or (False, what is missing and what to do instead)."""
    backend = keyring.get_keyring()
    problem = _problem(backend)
    if problem:
        return False, problem
    return True, f"API keys are kept in the system keyring ({backend.name})."


def get_api_key(profile: str, env_vars: tuple[str, ...] = ()) -> str | None:
    """The key for `profile`: the first non-empty environment variable, else the keyring, else None."""
    for name in env_vars:
        value = os.environ.get(name, "").strip()
        if value:
            return value
    if _problem(keyring.get_keyring()):
        return _SESSION_KEYS.get(profile)
    try:
        return keyring.get_password(SERVICE, profile) or _SESSION_KEYS.get(profile)
    except KeyringError:
        # A locked or broken keyring reads as "no stored key"; setting one says why.
        return _SESSION_KEYS.get(profile)


def keep_for_session(profile: str, key: str) -> None:
    """Keep `key` in this process's memory until it exits: for a computer with no safe keyring.
    It is never written anywhere (not the database, not a file, not the keyring)."""
    key = key.strip()
    if not key:
        raise ValueError("an API key cannot be empty")
    _SESSION_KEYS[profile] = key


def forget_session_key(profile: str) -> None:
    _SESSION_KEYS.pop(profile, None)


def has_session_key(profile: str) -> bool:
    return profile in _SESSION_KEYS


def set_api_key(profile: str, key: str) -> None:
    """Keep `key` in the system keyring. Raises StoreError (a sentence) when that is not possible."""
    key = key.strip()
    if not key:
        raise ValueError("an API key cannot be empty")
    problem = _problem(keyring.get_keyring())
    if problem:
        raise StoreError(problem)
    try:
        keyring.set_password(SERVICE, profile, key)
    except KeyringError as exc:
        raise StoreError(
            f"The system keyring refused to store the key for {profile} ({type(exc).__name__}). "
            "Unlock the keyring and try again, or set the key in an environment variable."
        ) from None  # the keyring's own message might quote what it was given


def delete_api_key(profile: str) -> None:
    """Forget the stored key for `profile`; nothing happens if there is none."""
    if _problem(keyring.get_keyring()):
        return
    try:
        keyring.delete_password(SERVICE, profile)
    except PasswordDeleteError:
        pass
    except KeyringError as exc:
        raise StoreError(
            f"The system keyring refused to remove the key for {profile} ({type(exc).__name__}). "
            "Unlock the keyring and try again."
        ) from None


def has_stored_key(profile: str) -> bool:
    """Whether the keyring holds a key for `profile` (the environment is not consulted)."""
    return get_api_key(profile, ()) is not None
