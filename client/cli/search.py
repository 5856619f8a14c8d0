"""`thinkpane search QUERY`: full-text search over every prompt, answer and reasoning trace.

The same index as the window's Ctrl+K (client.store.search). `--json` prints CONTRACT.md's
`{"results": [...]}` object; without it, one line a result: the date, the conversation's title,
the field that matched and a snippet with each match in [brackets], then the conversation id
for `thinkpane export`. Filters narrow the matches: provider, model, a range of UTC dates.
"""

from __future__ import annotations

import argparse
from typing import Any

from client.cli.common import count_of, day, fail, open_store, print_json

DEFAULT_LIMIT = 20
_TITLE_CHARS = 40


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "search",
        help="search prompts, answers and reasoning",
        description=(
            "Search every stored prompt, answer and reasoning trace. Every word must appear; "
            "accents and case do not matter. Most relevant first."
        ),
    )
    p.add_argument("query", metavar="QUERY", help="the words to find")
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


def run(args: argparse.Namespace) -> int:
    if not args.query.split():
        return fail("give some words to search for, e.g. thinkpane search 'prime factor'.")
    if args.since and args.until and args.since > args.until:
        return fail(f"--since {args.since} is after --until {args.until}; nothing can match.")
    with open_store() as store:
        if args.has_findings:
            from client.session import backfill_audits

            backfill_audits(store)  # older turns get their summary the first time it is asked for
        results = store.search(
            args.query,
            args.limit,
            provider=args.provider,
            model=args.model,
            since=args.since,
            until=args.until,
            has_findings=True if args.has_findings else None,
        )
        titles = {}
        for result in results:
            cid = result["conversation_id"]
            if cid not in titles:
                conversation = store.get_conversation(cid)
                titles[cid] = conversation.title if conversation else ""
    if args.json:
        print_json({"results": results})
        return 0
    if not results:
        print(f"No matches for {args.query!r}.")
        return 0
    for result in results:
        print(
            f"{result['created_at'][:10]}  {_short(titles[result['conversation_id']])}  "
            f"{result['field']}: {_one_line(result['snippet'])}  {result['conversation_id']}"
        )
    return 0
