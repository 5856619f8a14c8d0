"""`python bench/run.py search`: Ctrl+K's full-text search against a plain LIKE scan.

Builds a temporary database (never the real one) of 20,000 turns of synthetic prompts, answers
and reasoning: words drawn with a Zipf-like skew from a vocabulary that mixes English, accented
Latin, Cyrillic and Japanese, in conversations of 50 turns with a few regenerated branches. Then
it times the same queries two ways on the same data:

- `query_ms_p50`: `Store.search` (FTS5, bm25 ranking, snippets), the path the window and
  `thinkpane search` take;
- `baseline_query_ms_p50`: what search would cost without the index, every word a
  `LIKE '%word%'` over prompt, answer and reasoning, newest 20 first (no ranking, no snippets,
  so the baseline does less work per match than the real thing).

Queries span rare, middling and common words, two-word queries and non-ASCII words. Read the
p90 beside the p50: the LIKE scan's timings fall in two clusters (a common word fills 20 results
from the newest turns at once; a rare one, or a word in no turn, reads the whole table), so its
median jumps between runs, while FTS5 pays for the number of matches it ranks (the max is a word
in nearly every turn). Options: `--turns N` (default 20,000), `--repeat N` (timings per query,
default 3), `--seed N`.
"""

from __future__ import annotations

import argparse
import itertools
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from client.core.conversation import Conversation, ReasoningTrace, Turn, new_id  # noqa: E402
from client.core.events import TurnStatus, Visibility  # noqa: E402
from client.store import Store  # noqa: E402

TURNS_PER_CONVERSATION = 50
LIMIT = 20
# Zipf's law (frequency ∝ 1/rank) over this many words: "the" is in every turn, a word of rank
# 1,000 in a few hundred, one of rank 20,000 in a dozen or so, as in real prose.
VOCABULARY = 30_000


def _words(text: str) -> list[str]:
    return text.split()


BASE_WORDS = _words(
    "the of and to a in is that for it as with was on be by this are or from at which but not "
    "have an they we can all there one more if will about so when their would what than into "
    "prime number factor divide remainder sum product equation solve check step answer result "
    "assume therefore hence because wait actually verify compute estimate matrix vector graph "
    "proof lemma theorem integer fraction square root triangle angle probability expected value "
    "function variable loop array string parse error test python rust compile memory thread"
)
FOREIGN_WORDS = _words(
    "café naïve Größe théorème función déjà über Ελλάδα привет задача решение 日本語 テスト "
    "計算 答え 数学 確認 東京 中文 问题 검증"
)
SYLLABLES = _words("ka lo mi ra ven tor sel qui dar bex nu fa zor pil wen ult gry ost mab hej")
MODELS = (
    ("anthropic", "claude-sonnet-4-5"),
    ("openai", "gpt-5-mini"),
    ("gemini", "gemini-2.5-pro"),
    ("ollama", "qwen3:8b"),
    ("deepseek", "deepseek-reasoner"),
)


def vocabulary(rng: random.Random, size: int = VOCABULARY) -> list[str]:
    """Common words first, then invented ones; foreign words spread through the ranks."""
    invented: set[str] = set()
    while len(invented) < size - len(BASE_WORDS) - len(FOREIGN_WORDS):
        invented.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 5))))
    words = [*BASE_WORDS, *sorted(invented, key=lambda _: rng.random())]
    for index, word in enumerate(FOREIGN_WORDS):
        words.insert(100 + index * 400, word)
    return words


def _text(
    rng: random.Random, words: list[str], cumulative: list[float], low: int, high: int
) -> str:
    chosen = rng.choices(words, cum_weights=cumulative, k=rng.randint(low, high))
    sentences = [" ".join(chosen[i : i + 12]) for i in range(0, len(chosen), 12)]
    return ". ".join(s.capitalize() for s in sentences) + "."


def build(store: Store, turns: int, rng: random.Random) -> list[str]:
    """Fill the store; returns the vocabulary, most frequent first."""
    words = vocabulary(rng)
    cumulative = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(words))))
    start = datetime(2025, 1, 1, tzinfo=UTC)
    made = 0
    while made < turns:
        provider, model = rng.choice(MODELS)
        count = min(TURNS_PER_CONVERSATION, turns - made)
        stamp = start + timedelta(minutes=made)
        conversation = Conversation(
            id=new_id("c"),
            title=_text(rng, words, cumulative, 3, 6)[:60],
            created_at=stamp.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            updated_at=stamp.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        )
        tree: list[Turn] = []
        for index in range(count):
            # Mostly a chain; now and then a regeneration beside the previous turn.
            parent = tree[-1] if tree else None
            if parent is not None and rng.random() < 0.1:
                parent = next((t for t in tree if t.id == parent.parent_id), None)
            created = stamp + timedelta(seconds=index)
            tree.append(
                Turn(
                    id=new_id("t"),
                    conversation_id=conversation.id,
                    parent_id=parent.id if parent else None,
                    created_at=created.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                    provider=provider,
                    model=model,
                    status=TurnStatus.COMPLETE,
                    prompt=_text(rng, words, cumulative, 5, 25),
                    answer=_text(rng, words, cumulative, 20, 100),
                    reasoning=ReasoningTrace(
                        Visibility.RAW, _text(rng, words, cumulative, 40, 200)
                    ),
                )
            )
        store.insert_conversation_tree(conversation, tree)
        made += count
    return words


def queries(words: list[str]) -> list[str]:
    """Words across the whole range of frequencies, pairs, and non-ASCII words.

    From a word in nearly every turn (rank 5) to one in a handful, plus a word that is in none.
    """
    ranks = (5, 40, 200, 1000, 3000, 8000, 15000, 25000)
    pairs = [f"{words[8]} {words[80]}", f"{words[30]} {words[2000]}", f"{words[500]} {words[9000]}"]
    return [*(words[r] for r in ranks), *pairs, "café", "Größe", "привет", "日本語", "теорема"]


def _like_search(conn: sqlite3.Connection, query: str) -> list[str]:
    words = query.split()
    one = "(t.prompt LIKE ? OR t.answer LIKE ? OR t.reasoning_text LIKE ?)"
    values = [f"%{w}%" for w in words for _ in range(3)]
    rows = conn.execute(
        f"""
        SELECT t.id FROM turns AS t JOIN conversations AS c ON c.id = t.conversation_id
        WHERE c.deleted_at IS NULL AND {" AND ".join([one] * len(words))}
        ORDER BY t.created_at DESC LIMIT {LIMIT}
        """,
        values,
    ).fetchall()
    return [row[0] for row in rows]


def _times_ms(search: Callable[[str], object], texts: list[str], repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        for text in texts:
            started = time.perf_counter()
            search(text)
            samples.append((time.perf_counter() - started) * 1000)
    return samples


def _p90(samples: list[float]) -> float:
    return round(statistics.quantiles(samples, n=10)[-1], 3)


def run(args: list[str]) -> dict[str, float | int]:
    parser = argparse.ArgumentParser(prog="bench search")
    parser.add_argument("--turns", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    options, _ = parser.parse_known_args(args)
    rng = random.Random(options.seed)
    with tempfile.TemporaryDirectory(prefix="thinkpane-bench-search-") as folder:
        path = Path(folder) / "bench.sqlite3"
        with Store.open(path) as store:
            built = time.perf_counter()
            words = build(store, options.turns, rng)
            build_s = time.perf_counter() - built
            texts = queries(words)
            store.search(texts[0], LIMIT)  # warm the page cache for both sides alike
            fts = _times_ms(lambda q: store.search(q, LIMIT), texts, options.repeat)
            conn = sqlite3.connect(str(path))
            try:
                like = _times_ms(lambda q: _like_search(conn, q), texts, options.repeat)
            finally:
                conn.close()
    return {
        "query_ms_p50": round(statistics.median(fts), 3),
        "baseline_query_ms_p50": round(statistics.median(like), 3),
        "query_ms_p90": _p90(fts),
        "baseline_query_ms_p90": _p90(like),
        "query_ms_max": round(max(fts), 3),
        "baseline_query_ms_max": round(max(like), 3),
        "turns": options.turns,
        "queries": len(texts),
        "build_s": round(build_s, 2),
    }
