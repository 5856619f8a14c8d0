"""The shape of a conversation's turn tree, for the window's "‹ 2 / 3 ›" between versions of a turn.

Editing a prompt or regenerating an answer adds a sibling beside the turn (same parent), so a
conversation is a tree and the window shows one branch of it, root to leaf. The navigator on
each turn needs the versions of that turn and where each version's branch leads. The store
answers those one turn at a time (`Store.siblings`, `Store.leaf_of`); the window asks for them
for every turn it shows, so it keeps the tree's shape, ids only, loaded once per conversation
and grown as turns start. The rules are the store's (client.store.branches): versions are chat
turns with the same parent, oldest first; a branch continues in the newest chat child.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from client.core.conversation import Turn


@dataclass
class TurnTree:
    """Parent and children of every chat turn of one conversation (ids only)."""

    conversation_id: str
    parent: dict[str, str | None] = field(default_factory=dict)
    children: dict[str | None, list[str]] = field(default_factory=dict)

    @classmethod
    def from_turns(cls, conversation_id: str, turns: Iterable[Turn]) -> TurnTree:
        """From `Store.turns(conversation_id)` (creation order); critic turns are left out."""
        tree = cls(conversation_id)
        for turn in turns:
            if turn.purpose == "chat":
                tree.add(turn.id, turn.parent_id)
        return tree

    def add(self, turn_id: str, parent_id: str | None) -> None:
        """A new turn, newer than every turn already here."""
        if turn_id in self.parent:
            return
        self.parent[turn_id] = parent_id
        self.children.setdefault(parent_id, []).append(turn_id)

    def __contains__(self, turn_id: object) -> bool:
        return turn_id in self.parent

    def siblings(self, turn_id: str) -> list[str]:
        """The versions of the turn, itself included, oldest first ([] for an unknown turn)."""
        if turn_id not in self.parent:
            return []
        return list(self.children.get(self.parent[turn_id], []))

    def position(self, turn_id: str) -> tuple[int, int]:
        """(1-based place among its versions, how many versions); (1, 1) for an unknown turn."""
        versions = self.siblings(turn_id)
        if not versions:
            return 1, 1
        return versions.index(turn_id) + 1, len(versions)

    def sibling(self, turn_id: str, step: int) -> str | None:
        """The version `step` places away (-1: the one before), or None past either end."""
        versions = self.siblings(turn_id)
        if not versions:
            return None
        index = versions.index(turn_id) + step
        return versions[index] if 0 <= index < len(versions) else None

    def leaf_of(self, turn_id: str) -> str:
        """Where the branch through `turn_id` ends: the newest child, repeatedly."""
        while self.children.get(turn_id):
            turn_id = self.children[turn_id][-1]
        return turn_id

    def positions(self, turn_ids: Iterable[str]) -> dict[str, tuple[int, int]]:
        return {turn_id: self.position(turn_id) for turn_id in turn_ids}
