"""The conversations the Store keeps: their titles, system prompts and settings, deleted or not.

A delete is soft (the list and search hide the conversation until it is restored or purged), so
Undo can bring it back with its turns.
"""

from __future__ import annotations

import json
from typing import Any

from client.core.conversation import Conversation, new_id, utc_now
from client.store.connection import StoreConnection
from client.store.rows import conversation_from_row, to_json


class Conversations(StoreConnection):
    """The `Store`'s conversation methods."""

    def create_conversation(
        self,
        title: str = "",
        system: str | None = None,
        settings: dict[str, Any] | None = None,
        conversation_id: str | None = None,
    ) -> Conversation:
        """A new conversation; `conversation_id` keeps an id drawn before it was stored."""
        now = utc_now()
        conversation = Conversation(
            id=conversation_id or new_id("c"),
            title=title,
            created_at=now,
            updated_at=now,
            system=system,
            settings=dict(settings or {}),
        )
        with self._writing() as conn:
            conn.execute(
                "INSERT INTO conversations (id, title, created_at, updated_at, system, settings_json)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (conversation.id, title, now, now, system, to_json(conversation.settings)),
            )
        return conversation

    def get_conversation(self, conversation_id: str) -> Conversation | None:
        """The conversation, deleted or not; None if there is no such conversation."""
        with self._reading() as conn:
            row = conn.execute(
                "SELECT * FROM conversations WHERE id = ?", (conversation_id,)
            ).fetchone()
        return conversation_from_row(row) if row else None

    def list_conversations(self, include_deleted: bool = False) -> list[Conversation]:
        """Most recently updated first."""
        where = "" if include_deleted else "WHERE deleted_at IS NULL"
        with self._reading() as conn:
            rows = conn.execute(
                f"SELECT * FROM conversations {where} ORDER BY updated_at DESC, created_at DESC, rowid DESC"
            ).fetchall()
        return [conversation_from_row(row) for row in rows]

    def _update_conversation(
        self, conversation_id: str, assignments: str, values: tuple[Any, ...]
    ) -> None:
        with self._writing() as conn:
            cursor = conn.execute(
                f"UPDATE conversations SET {assignments} WHERE id = ?", (*values, conversation_id)
            )
            if cursor.rowcount == 0:
                raise KeyError(f"no conversation {conversation_id}")

    def rename_conversation(self, conversation_id: str, title: str) -> None:
        self._update_conversation(conversation_id, "title = ?, updated_at = ?", (title, utc_now()))

    def set_conversation_system(self, conversation_id: str, system: str | None) -> None:
        self._update_conversation(
            conversation_id, "system = ?, updated_at = ?", (system, utc_now())
        )

    def update_conversation_settings(self, conversation_id: str, settings: dict[str, Any]) -> None:
        """Merge `settings` into the conversation's settings (keys not given are kept)."""
        with self._writing() as conn:
            row = conn.execute(
                "SELECT settings_json FROM conversations WHERE id = ?", (conversation_id,)
            ).fetchone()
            if row is None:
                raise KeyError(f"no conversation {conversation_id}")
            merged = {**json.loads(row["settings_json"] or "{}"), **settings}
            conn.execute(
                "UPDATE conversations SET settings_json = ?, updated_at = ? WHERE id = ?",
                (to_json(merged), utc_now(), conversation_id),
            )

    def delete_conversation(self, conversation_id: str) -> None:
        """Soft delete: hidden from the list and search until restored or purged."""
        self._update_conversation(
            conversation_id, "deleted_at = coalesce(deleted_at, ?)", (utc_now(),)
        )

    def restore_conversation(self, conversation_id: str) -> None:
        self._update_conversation(conversation_id, "deleted_at = NULL", ())

    def purge_deleted(self) -> int:
        """Remove deleted conversations for good, with their turns. Returns how many went."""
        with self._writing() as conn:
            return conn.execute("DELETE FROM conversations WHERE deleted_at IS NOT NULL").rowcount
