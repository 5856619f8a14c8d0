"""`thinkpane reprice`: recompute stored costs with today's rates, keeping what they were."""

from __future__ import annotations

import argparse
from typing import Any

from client.cli.common import day, fail, open_store, print_json


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "reprice",
        help="recompute stored costs with today's prices",
        description=(
            "Recompute the cost of stored turns with the price data and your prices of today, "
            "each at the hour it was asked (a time-of-day rate stays that hour's). Each turn "
            "keeps the amount it had before and the data that computed it. Charges the "
            "provider reported are never repriced; repricing twice changes nothing more."
        ),
    )
    p.add_argument("--model", metavar="M", help="only this model's turns")
    p.add_argument("--provider", metavar="NAME", help="only this provider's turns")
    p.add_argument("--since", type=day, metavar="YYYY-MM-DD", help="turns on or after this day")
    p.add_argument("--until", type=day, metavar="YYYY-MM-DD", help="turns on or before this day")
    p.add_argument(
        "--dry-run", action="store_true", help="show the totals before and after; change nothing"
    )
    p.add_argument("--json", action="store_true", help="print the contract's JSON object")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from client.prices import reprice

    with open_store() as store:
        try:
            summary = reprice(
                store,
                model=args.model,
                provider=args.provider,
                since=args.since,
                until=args.until,
                dry_run=args.dry_run,
            )
        except ValueError as exc:
            return fail(str(exc))
    if args.json:
        print_json(summary.to_json())
    else:
        print(summary.sentence())
        if args.dry_run and summary.changed:
            print("Nothing was changed; run it again without --dry-run to reprice.")
    return 0
