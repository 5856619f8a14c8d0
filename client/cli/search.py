"""`thinkpane search QUERY`: full-text search over every prompt, answer and reasoning trace.

The same index and the same reading of the query as the window's Ctrl+K (client.store.search):
the last word may be cut short, "quoted phrases", -word to leave out, OR. `--json` prints the
`{"results": [...]}` object; without it, one line a result: the date, the conversation's title,
the turn's own prompt (and its version when there are several), the part that matched and a
snippet with each match in [brackets], then the conversation id for `thinkpane export`. Filters
narrow the matches: provider, model, a range of UTC dates; `--newest` orders by date.
"""

from __future__ import annotations

import argparse
from typing import Any

from client.cli.common import count_of, day, fail, open_store, print_json
from client.store.search_query import parse

DEFAULT_LIMIT = 20
_TITLE_CHARS = 40
_PROMPT_CHARS = 50

QUERY_HELP = (
    "Every word must appear (case and accents aside); the last one may be cut short "
    '(zor finds zorfamabven) and so may any word ending in *. "Quotes" find a phrase, '
    "-word leaves out turns with that word, OR finds either word. Japanese, Chinese, Korean "
    "and Thai are found inside longer runs of text. Anything else is searched as text."
)


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "search",
        help="search prompts, answers and reasoning",
        description=(
            "Search every stored prompt, answer and reasoning trace. "
            + QUERY_HELP
            + " Most relevant first, turns with the exact phrase before the rest (a query that"
            " matches 500 turns or more: the newest of them first)."
        ),
    )
    p.add_argument(
        "query",
        metavar="QUERY",
        help="the words to find; one that starts with - goes after --: search -- '-even prime'",
    )
    p.add_argument(
        "--newest", action="store_true", help="newest first instead of most relevant first"
    )
    p.add_argument(
        "--limit",
        type=count_of("results"),
        default=DEFAULT_LIMIT,
        metavar="N",
        help=f"at most N results (default {DEFAULT_LIMIT})",
    )
    p.add_argument("--provider", metavar="NAME", help="only turns sent to this provider")
    p.add_argument("--model", metavar="ID", help="only turns of this model")
    p.add_argument("--since", type=day, metavar="YYYY-MM-DD", help="from this UTC day on")
    p.add_argument("--until", type=day, metavar="YYYY-MM-DD", help="up to this UTC day")
    p.add_argument(
        "--has-findings",
        action="store_true",
        help="only turns whose reasoning the auditor found something in (errors or warnings)",
    )
    p.add_argument("--json", action="store_true", help="print the contract's JSON object")
    p.set_defaults(run=run)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _short(title: str) -> str:
    title = _one_line(title) or "(untitled)"
    return title if len(title) <= _TITLE_CHARS else title[: _TITLE_CHARS - 1] + "…"


def _turn(result: dict[str, Any]) -> str:
    """The turn's own prompt, shortened, and which version it is when there are several."""
    prompt = _one_line(result["prompt"]) or "(no prompt)"
    if len(prompt) > _PROMPT_CHARS:
        prompt = prompt[: _PROMPT_CHARS - 1] + "…"
    if result["versions"] > 1:
        prompt += f" (version {result['version']} of {result['versions']})"
    return prompt


def run(args: argparse.Namespace) -> int:
    query = parse(args.query)
    if query.empty:
        if query.excluded:
            return fail(
                f"{args.query!r} has nothing to look for: add a word to find beside the "
                "-words to leave out, e.g. thinkpane search 'prime -even'."
            )
        if args.query.strip():  # a lone quote, a bracket: text, in which no word can match
            if args.json:
                print_json({"results": []})
            else:
                print(
                    f"No matches for {args.query!r}: punctuation alone is not searched, only words."
                )
            return 0
        return fail("give some words to search for, e.g. thinkpane search 'prime factor'.")
    if args.since and args.until and args.since > args.until:
        return fail(f"--since {args.since} is after --until {args.until}; nothing can match.")
    with open_store() as store:
        if args.has_findings:
            from client.audit_index import backfill_audits

            backfill_audits(store)  # older turns get their summary the first time it is asked for
        results = store.search(
            args.query,
            args.limit,
            order="newest" if args.newest else "relevance",
            provider=args.provider,
            model=args.model,
            since=args.since,
            until=args.until,
            has_findings=True if args.has_findings else None,
        )
    if args.json:
        print_json({"results": results})
        return 0
    if not results:
        print(f"No matches for {args.query!r}.")
        return 0
    for result in results:
        print(
            f"{result['created_at'][:10]}  {_short(result['title'])} › {_turn(result)}  "
            f"{result['field']}: {_one_line(result['snippet'])}  {result['conversation_id']}"
        )
    return 0
