"""`thinkpane usage`: the local ledger of tokens and money, grouped as the user asks."""

from __future__ import annotations

import argparse
import csv
import sys
from decimal import Decimal
from typing import Any

from client.cli.common import day, open_store, print_json
from client.core import format as fmt

FIELDS = (
    "queries",
    "input_tokens",
    "cached_input_tokens",
    "cache_write_tokens",
    "output_tokens",
    "reasoning_tokens",
    "cost",
    "unpriced_queries",
)


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "usage",
        help="what your queries cost, from the local ledger",
        description="Tokens and money from the local ledger, grouped as you ask.",
    )
    p.add_argument(
        "--by",
        choices=("conversation", "model", "provider", "day", "week", "month", "comparison"),
        help="group by this (default: one total)",
    )
    p.add_argument(
        "--since", type=day, metavar="YYYY-MM-DD", help="only queries on or after this day"
    )
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print the contract's JSON object")
    out.add_argument(
        "--csv", action="store_true", help="print CSV (one row a group, then the total)"
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    with open_store() as store:
        report = store.usage_report(args.by, args.since)
    if args.json:
        print_json(report)
        return 0
    if args.csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(("key", *FIELDS))
        for group in report["groups"]:
            writer.writerow((group["key"], *(group.get(f) for f in FIELDS)))
        writer.writerow(("total", *(report["total"].get(f) for f in FIELDS)))
        return 0
    outside = "not in a comparison" if args.by == "comparison" else "—"  # a group with no key
    rows = [(g["key"] if g["key"] is not None else outside, g) for g in report["groups"]]
    if not rows:
        print(
            "No queries in the ledger yet." if not args.since else f"No queries since {args.since}."
        )
        return 0
    width = max(len(str(k)) for k, _ in rows + [("total", None)])
    header = f"{'':{width}}  {'queries':>7}  {'input':>12}  {'output':>12}  {'reasoning':>12}  {'cost':>10}"
    print(header)
    for key, g in rows + [("total", report["total"])]:
        cost = fmt.money(Decimal(g["cost"])) if g.get("cost") is not None else "—"
        if g.get("unpriced_queries"):
            cost += f" (+{g['unpriced_queries']} unpriced)"
        print(
            f"{key:{width}}  {g['queries']:>7,}  {g['input_tokens'] or 0:>12,}  "
            f"{g['output_tokens'] or 0:>12,}  {g['reasoning_tokens'] or 0:>12,}  {cost:>10}"
        )
    return 0
