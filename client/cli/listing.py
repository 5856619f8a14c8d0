"""`thinkpane list`: the stored conversations, newest first, with their turns and what they cost.

The ids it prints are what `--conversation`, `export` and the window's history use. `--json`
prints `{"conversations": [{"id", "title", "created_at", "updated_at", "turns", "cost",
"unpriced_queries"}]}`, cost as decimal text in USD.
"""

from __future__ import annotations

import argparse
from decimal import Decimal
from typing import Any

from client.cli.common import count_of, open_store, print_json
from client.core import format as fmt

DEFAULT_LIMIT = 50
_TITLE_CHARS = 48


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "list",
        help="the stored conversations: id, title, turns, cost",
        description="The stored conversations, most recently used first: id, title, turns, cost.",
    )
    p.add_argument(
        "--limit",
        type=count_of("conversations"),
        default=DEFAULT_LIMIT,
        metavar="N",
        help=f"at most N conversations (default {DEFAULT_LIMIT})",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(run=run)


def _title(text: str) -> str:
    line = " ".join(text.split()) or "(untitled)"
    return line if len(line) <= _TITLE_CHARS else line[: _TITLE_CHARS - 1] + "…"


def _cost(row: dict[str, Any]) -> str:
    text = fmt.money(Decimal(row["cost"]))
    if row["unpriced_queries"]:
        text += f" (+{row['unpriced_queries']} unpriced)"
    return text


def run(args: argparse.Namespace) -> int:
    with open_store() as store:
        rows = store.conversation_list(args.limit)
    if args.json:
        print_json({"conversations": rows})
        return 0
    if not rows:
        print("No conversations yet. Start one with `thinkpane ask` or in the window.")
        return 0
    for row in rows:
        turns = f"{row['turns']:,} turn{'' if row['turns'] == 1 else 's'}"
        print(
            f"{row['id']}  {row['updated_at'][:10]}  {_title(row['title']):<{_TITLE_CHARS}}  "
            f"{turns:>9}  {_cost(row)}"
        )
    return 0
