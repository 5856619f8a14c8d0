"""A data folder with a long history, for the benchmarks that must not grow with it.

`build(folder)` fills `folder/thinkpane.sqlite3` through the real Store with 10,000 finished
turns of about 15 KB of reasoning each (300 MB on disk with the full-text index), in
conversations of 50 turns: a year of heavy use. It takes a minute or so, so a benchmark builds
it once per run.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

from client.core.conversation import Conversation, ReasoningTrace, Turn, new_id
from client.core.events import TurnStatus, Visibility
from client.store import Store

TURNS = 10_000
REASONING_CHARS = 15_000
TURNS_PER_CONVERSATION = 50
_WORDS = (
    "the of and to a in is that for it as with was on be by this are or from at which but not "
    "prime number factor divide remainder sum product equation solve check step answer result "
    "assume therefore hence because wait actually verify compute estimate matrix vector graph "
    "proof lemma theorem integer fraction square root triangle angle probability expected value"
)
WORDS = _WORDS.split()


def _pool(rng: random.Random, chars: int) -> str:
    words = rng.choices(WORDS, k=chars // 5)
    sentences = [" ".join(words[i : i + 14]).capitalize() + "." for i in range(0, len(words), 14)]
    return " ".join(sentences)


def build(folder: Path, turns: int = TURNS, reasoning_chars: int = REASONING_CHARS) -> Path:
    """Fill a new database in `folder`; returns its path."""
    rng = random.Random(12)
    pool = _pool(rng, 400_000)
    path = folder / "thinkpane.sqlite3"
    start = datetime(2025, 1, 1, tzinfo=UTC)
    with Store.open(path) as store:
        made = 0
        while made < turns:
            stamp = start + timedelta(hours=made)
            conversation = Conversation(
                id=new_id("c"),
                title=f"History {made // TURNS_PER_CONVERSATION}",
                created_at=stamp.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                updated_at=stamp.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            )
            tree: list[Turn] = []
            for index in range(min(TURNS_PER_CONVERSATION, turns - made)):
                at = rng.randrange(len(pool) - reasoning_chars)
                created = stamp + timedelta(minutes=index)
                tree.append(
                    Turn(
                        id=new_id("t"),
                        conversation_id=conversation.id,
                        parent_id=tree[-1].id if tree else None,
                        created_at=created.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                        provider="openai-compatible",
                        model="bench",
                        status=TurnStatus.COMPLETE,
                        prompt=pool[at : at + 200],
                        answer=pool[at + 200 : at + 1_200],
                        reasoning=ReasoningTrace(Visibility.RAW, pool[at : at + reasoning_chars]),
                    )
                )
            store.insert_conversation_tree(conversation, tree)
            made += len(tree)
    return path
