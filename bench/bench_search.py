"""`python bench/run.py search`: Ctrl+K's full-text search against a plain LIKE scan.

Builds a temporary database (never the real one), once per run, of 10,000 turns, about 300 MB
on disk: long reasoning (800–2,400 words), answers (150–600) and prompts (8–40), in
conversations of 50 turns with a few regenerated branches. Words follow Zipf's law over a
vocabulary of English, accented Latin, Cyrillic and invented words; one conversation in twenty
is written in Japanese and Chinese, without spaces between words. (To build 200 MB of text in
seconds, each text is a slice at a random place of a long Zipf-drawn stream, with a few words
drawn at random from the whole vocabulary mixed in, so the rarest words are still rare.)

Then it times the same queries two ways on the same data:

- `query_ms_p50` / `query_ms_p99`: `Store.search` (FTS5, ranking, snippets, the turn's version),
  the path the window and `thinkpane search` take, over every query below, most relevant
  first; `query_cpu_ms_*` the same in CPU time (a shared machine inflates the wall clock);
  `newest_ms_*` the word, prefix and phrase queries newest first;
- `baseline_query_ms_p50`: what search would cost without the index, every word a
  `LIKE '%word%'` over prompt, answer and reasoning, newest 20 first (no ranking, no snippets,
  so the baseline does less work per match than the real thing).

Queries, each kind with its own p50 and p99: whole words across the range of frequencies and
pairs of them (`word_`), the first letters of a word still being typed, two to five of them, and
the first words of a stored prompt with the last one cut short (`prefix_`), quoted phrases taken
from stored text (`phrase_`), and words of one to four characters inside Japanese and Chinese
sentences (`cjk_`). Beside them the database's size and each index's (`db_mb`, `index_mb`,
`substring_index_mb`).

Options: `--turns N` (default 10,000), `--repeat N` (timings per query, default 5), `--seed N`,
and `--study N`: also compare the word index with and without prefix indexes against a trigram
index of everything, built over the first N turns (size, build time, query times), the
measurement behind the choice of indexes.
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
# 20,000 in a handful, as in real prose.
VOCABULARY = 30_000
STREAM_WORDS = 1_500_000  # the Zipf-drawn stream texts are sliced from
RARE_EVERY = 60  # one word in this many is drawn from the whole vocabulary instead
CJK_EVERY = 20  # one conversation in this many is in Japanese and Chinese
PROMPT_WORDS = (8, 40)
ANSWER_WORDS = (150, 600)
REASONING_WORDS = (800, 2400)


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
    "café naïve Größe théorème función déjà über Ελλάδα привет задача решение проверка"
)
SYLLABLES = _words("ka lo mi ra ven tor sel qui dar bex nu fa zor pil wen ult gry ost mab hej")
# Words of Japanese and Chinese text, written together without spaces.
CJK_WORDS = _words(
    "東京 天気 晴れ 計算 答え 数学 確認 問題 解く 素数 因数 分解 方程式 証明 定理 検証 結果 "
    "の は が を に で と も から まで です ます する した 考える 次に まず つまり だから "
    "我们 问题 计算 答案 数学 验证 结果 因为 所以 首先 然后 质数 分解 方程 证明 定理 "
    "テスト データ モデル 推論 ステップ チェック 日本語 中文 확인 검증 결과"
)
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


class Writer:
    """Texts as slices of a Zipf-drawn stream of words, with rare words mixed in."""

    def __init__(self, rng: random.Random, words: list[str], joiner: str, stream: int) -> None:
        cumulative = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(words))))
        self.rng = rng
        self.words = words
        self.joiner = joiner
        self.stream = rng.choices(words, cum_weights=cumulative, k=stream)

    def text(self, low: int, high: int) -> str:
        rng = self.rng
        count = rng.randint(low, high)
        start = rng.randrange(len(self.stream) - count)
        chosen = self.stream[start : start + count]
        for _ in range(count // RARE_EVERY):
            chosen[rng.randrange(count)] = rng.choice(self.words)
        stop = "。" if self.joiner == "" else ". "
        return stop.join(self.joiner.join(chosen[i : i + 12]) for i in range(0, count, 12)) + stop


def build(store: Store, turns: int, rng: random.Random) -> list[str]:
    """Fill the store; returns the vocabulary, most frequent first."""
    words = vocabulary(rng)
    latin = Writer(rng, words, " ", STREAM_WORDS)
    cjk = Writer(rng, CJK_WORDS, "", STREAM_WORDS // CJK_EVERY)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    made = 0
    conversations = 0
    while made < turns:
        provider, model = rng.choice(MODELS)
        writer = cjk if conversations % CJK_EVERY == CJK_EVERY - 1 else latin
        conversations += 1
        count = min(TURNS_PER_CONVERSATION, turns - made)
        stamp = start + timedelta(minutes=made)
        conversation = Conversation(
            id=new_id("c"),
            title=writer.text(3, 6)[:60],
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
                    prompt=writer.text(*PROMPT_WORDS),
                    answer=writer.text(*ANSWER_WORDS),
                    reasoning=ReasoningTrace(Visibility.RAW, writer.text(*REASONING_WORDS)),
                )
            )
        store.insert_conversation_tree(conversation, tree)
        made += count
    return words


def queries(words: list[str], conn: sqlite3.Connection, rng: random.Random) -> dict[str, list[str]]:
    """The queries of each kind (see the module docstring), some taken from stored prompts."""
    ranks = (5, 40, 200, 1000, 3000, 8000, 15000, 25000)
    pairs = [f"{words[8]} {words[80]}", f"{words[30]} {words[2000]}", f"{words[500]} {words[9000]}"]
    # A space after the last word: typing is finished, so these are whole words.
    word = [f"{words[r]} " for r in ranks] + [f"{p} " for p in pairs]
    word += ["café ", "Größe ", "привет ", "теорема "]
    latin = conn.execute("SELECT prompt FROM turns WHERE prompt NOT GLOB '*[一-鿿]*'").fetchall()
    prompts = [row[0] for row in rng.sample(latin, 14)]
    typed = []
    for prompt in prompts[:6]:  # the first words of a prompt, the last cut short
        first = prompt.split()[:3]
        first[-1] = first[-1][: max(2, len(first[-1]) // 2)]
        typed.append(" ".join(first))
    prefix = [words[r][:n] for r, n in ((3000, 2), (8000, 3), (15000, 4), (200, 3), (25000, 5))]
    prefix += typed
    phrase = []
    for prompt in prompts[6:14]:
        parts = prompt.replace(".", " ").split()
        at = rng.randrange(max(1, len(parts) - 2))
        phrase.append('"' + " ".join(parts[at : at + 2]) + '"')
    cjk = ["天気", "確認", "素数", "方程式", "問題を", "日本語", "中文", "검증"]
    return {"word": word, "prefix": prefix, "phrase": phrase, "cjk": cjk}


def _like_search(conn: sqlite3.Connection, query: str) -> list[str]:
    words = query.replace('"', " ").split()
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


def _times_ms(
    search: Callable[[str], object], texts: list[str], repeat: int, cpu: list[float] | None = None
) -> list[float]:
    """Wall-clock milliseconds per query; `cpu`, if given, gets this process's CPU time too
    (on a shared machine, waiting for a core inflates the wall clock, not the CPU time)."""
    samples = []
    for _ in range(repeat):
        for text in texts:
            started, started_cpu = time.perf_counter(), time.process_time()
            search(text)
            samples.append((time.perf_counter() - started) * 1000)
            if cpu is not None:
                cpu.append((time.process_time() - started_cpu) * 1000)
    return samples


def _p99(samples: list[float]) -> float:
    return round(statistics.quantiles(samples, n=100, method="inclusive")[-1], 3)


def _p50(samples: list[float]) -> float:
    return round(statistics.median(samples), 3)


def _sizes_mb(conn: sqlite3.Connection) -> dict[str, float]:
    """Megabytes on disk of the database, the word index and the substring index."""
    by_table = dict(conn.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name").fetchall())

    def of(prefix: str) -> float:
        return sum(size for name, size in by_table.items() if name.startswith(prefix)) / 1e6

    return {
        "db_mb": round(sum(by_table.values()) / 1e6, 1),
        "index_mb": round(of("turns_fts"), 1),
        "substring_index_mb": round(of("turns_trigram"), 1),
        "text_mb": round(
            conn.execute(
                "SELECT sum(length(CAST(prompt || answer || reasoning_text AS BLOB))) FROM turns"
            ).fetchone()[0]
            / 1e6,
            1,
        ),
    }


STUDY_INDEXES = {
    # What the database had before schema 3.
    "words": "tokenize='unicode61 remove_diacritics 2'",
    # Schema 3's word index.
    "words_prefix": "tokenize='unicode61 remove_diacritics 2', prefix='2 3'",
    # The alternative: one trigram index for everything.
    "trigram": "tokenize='trigram'",
}


def study(conn: sqlite3.Connection, turns: int, texts: dict[str, list[str]]) -> dict[str, float]:
    """Each candidate index over the first `turns` turns: size, build time, query times.

    Queries run as the index would be asked: words as `"word"`, typed prefixes as `"zor"*` (a
    trigram index matches inside words anyway, so there it is `"zor"`), phrases as they are.
    """
    from client.store.search_query import parse

    figures: dict[str, float] = {}
    for name, options in STUDY_INDEXES.items():
        table = f"study_{name}"
        conn.execute(
            # Contentless: the size is the index's alone, as for the store's external-content index.
            f"CREATE VIRTUAL TABLE {table} USING fts5("
            f"prompt, answer, reasoning_text, content='', {options})"
        )
        started = time.perf_counter()
        with conn:
            conn.execute(
                f"INSERT INTO {table}(rowid, prompt, answer, reasoning_text)"
                " SELECT seq, prompt, answer, reasoning_text FROM turns WHERE seq <= ?",
                (turns,),
            )
        figures[f"{name}_build_s"] = round(time.perf_counter() - started, 2)
        size = conn.execute(
            "SELECT sum(pgsize) FROM dbstat WHERE name LIKE ?", (f"{table}%",)
        ).fetchone()[0]
        figures[f"{name}_mb"] = round(size / 1e6, 1)
        for kind in ("word", "prefix", "phrase"):
            expressions = []
            for text in texts[kind]:
                query = parse(text if kind != "word" else text.strip())
                expression = query.fts()
                if name == "trigram":
                    expression = expression.replace('"*', '"')
                expressions.append(expression)

            def run(expression: str, table: str = table) -> None:
                conn.execute(
                    f"SELECT rowid FROM {table} WHERE {table} MATCH ? ORDER BY rank LIMIT {LIMIT}",
                    (expression,),
                ).fetchall()

            samples = _times_ms(run, expressions, 3)
            figures[f"{name}_{kind}_ms_p50"] = _p50(samples)
            figures[f"{name}_{kind}_ms_max"] = round(max(samples), 3)
        figures["study_text_mb"] = round(
            conn.execute(
                "SELECT sum(length(CAST(prompt || answer || reasoning_text AS BLOB)))"
                " FROM turns WHERE seq <= ?",
                (turns,),
            ).fetchone()[0]
            / 1e6,
            1,
        )
        conn.execute(f"DROP TABLE {table}")
    return figures


def run(args: list[str]) -> dict[str, float | int]:
    parser = argparse.ArgumentParser(prog="bench search")
    parser.add_argument("--turns", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--study", type=int, default=0, metavar="N")
    options, _ = parser.parse_known_args(args)
    rng = random.Random(options.seed)
    figures: dict[str, float | int] = {}
    with tempfile.TemporaryDirectory(prefix="thinkpane-bench-search-") as folder:
        path = Path(folder) / "bench.sqlite3"
        with Store.open(path) as store:
            built = time.perf_counter()
            words = build(store, options.turns, rng)
            build_s = time.perf_counter() - built
            conn = sqlite3.connect(str(path))
            try:
                texts = queries(words, conn, rng)
                everything = [text for kind in texts.values() for text in kind]
                store.search(everything[0], LIMIT)  # warm the page cache for both sides alike
                samples: list[float] = []
                cpu: list[float] = []
                for kind, kind_texts in texts.items():
                    timed = _times_ms(
                        lambda q: store.search(q, LIMIT), kind_texts, options.repeat, cpu
                    )
                    figures[f"{kind}_ms_p50"] = _p50(timed)
                    figures[f"{kind}_ms_p99"] = _p99(timed)
                    samples += timed
                newest = _times_ms(
                    lambda q: store.search(q, LIMIT, order="newest"),
                    texts["word"] + texts["prefix"] + texts["phrase"],
                    1,
                )
                figures["newest_ms_p50"] = _p50(newest)
                figures["newest_ms_p99"] = _p99(newest)
                like = _times_ms(lambda q: _like_search(conn, q), everything, 1)
                figures.update(_sizes_mb(conn))
                if options.study:
                    figures.update(study(conn, options.study, texts))
            finally:
                conn.close()
    return {
        "query_ms_p50": _p50(samples),
        "baseline_query_ms_p50": _p50(like),
        "query_ms_p99": _p99(samples),
        "baseline_query_ms_p99": _p99(like),
        "query_ms_max": round(max(samples), 3),
        "query_cpu_ms_p50": _p50(cpu),
        "query_cpu_ms_p99": _p99(cpu),
        **figures,
        "turns": options.turns,
        "queries": len(everything),
        "build_s": round(build_s, 2),
    }
