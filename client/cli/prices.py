"""`thinkpane prices`: every model's rates, where they come from and since when; your own price;
newer price data kept for later runs."""

from __future__ import annotations

import argparse
from typing import Any

from client.cli.common import fail, open_store, print_json


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "prices",
        help="the prices in use, your own prices, newer price data",
        description=(
            "The price data in use (its version and when it was fetched) and, for each model "
            "in the ledger (or each named), its prices in USD per million tokens, where they "
            "come from, since when they apply, and how many queries used them; dearest first. "
            "Rates shown as — are charged at the input rate."
        ),
    )
    p.add_argument("models", nargs="*", metavar="MODEL", help="only these models")
    p.add_argument("--json", action="store_true", help="print the contract's JSON object")
    action = p.add_mutually_exclusive_group()
    action.add_argument(
        "--refresh",
        action="store_true",
        help="fetch newer price data and keep it in the data folder for later runs",
    )
    action.add_argument(
        "--set",
        nargs="+",
        metavar=("MODEL", "RATE"),
        help="your own price: MODEL input=R output=R [cached=R] [cache_write=R], "
        "in USD per million tokens; used from the next turn on",
    )
    action.add_argument("--unset", metavar="MODEL", help="forget your own price for MODEL")
    p.add_argument(
        "--provider",
        metavar="NAME",
        help="with --set/--unset: the provider (default: the ones the model was used with)",
    )
    p.add_argument("--url", help=argparse.SUPPRESS)  # where --refresh fetches from (tests)
    p.set_defaults(run=run)


def _table(table: Any) -> None:
    from client.prices import CELL_HEADERS, data_sentence

    print(data_sentence(table.data))
    if not table.models:
        print("No models in the ledger yet; name one (thinkpane prices deepseek-reasoner).")
        return
    rows = [m.cells() for m in table.models]
    widths = [max(len(r[i]) for r in [CELL_HEADERS, *rows]) for i in range(len(CELL_HEADERS))]
    right = {2, 3, 4, 5, 9, 10}
    for row in [CELL_HEADERS, *rows]:
        cells = [
            f"{cell:>{w}}" if i in right else f"{cell:<{w}}"
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ]
        print("  ".join(cells).rstrip())
    print("Rates in USD per million tokens; queries: how many were priced at these rates, of all.")


def _typed_rates(words: list[str]) -> dict[str, str]:
    typed: dict[str, str] = {}
    for word in words:
        name, sep, value = word.partition("=")
        if not sep:
            raise ValueError(f"“{word}” is not a rate; write it as name=RATE, like input=0.28.")
        typed[name.strip().replace("-", "_")] = value
    return typed


def run(args: argparse.Namespace) -> int:
    from client.prices import parse_rates, price_table, remove_your_price, set_your_price

    with open_store() as store:
        if args.refresh:
            from client.pricing import refresh_prices, use_saved_prices
            from client.pricing.refresh import DEFAULT_UPDATE_URL

            folder = store.path.parent
            use_saved_prices(folder)
            result = refresh_prices(10.0, url=args.url or DEFAULT_UPDATE_URL, folder=folder)
            print(result.message)
            if not result.updated:
                return 4
        if args.set:
            model, *words = args.set
            try:
                price = parse_rates(model, _typed_rates(words))
                providers = set_your_price(store, model, price, args.provider)
            except ValueError as exc:
                return fail(str(exc))
            print(
                f"Your price for {model} ({', '.join(providers)}) is used from the next turn on; "
                f"`thinkpane reprice --model {model}` reprices the turns already stored."
            )
            if not args.json and not args.models:
                args.models = [model]
        if args.unset:
            removed = remove_your_price(store, args.unset, args.provider)
            if not removed:
                return fail(f"there is no price of yours for {args.unset} to forget")
            print(f"Your price for {args.unset} is forgotten; the price data applies again.")
            if not args.json and not args.models:
                args.models = [args.unset]
        table = price_table(store, args.models)
    if args.json:
        print_json(table.to_json())
    else:
        _table(table)
    return 0
