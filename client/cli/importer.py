"""`thinkpane import FILE`: add a conversation from a JSON export to the local database.

Reads what `thinkpane export ID --format json` writes (FILE, or "-" for stdin) and prints the id
of the conversation. Importing a conversation that is already here changes nothing and says so
(exit 0, its id printed), so importing a file twice never doubles the spend; `--as-copy` adds a
second copy under new ids. A file that is not such an export exits with status 2 and a sentence
saying what is wrong; nothing is added then.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from client.cli.common import fail, open_store
from client.exports import AlreadyImported, InvalidExport, import_json


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "import",
        help="add a conversation from a JSON export",
        description=(
            "Add a conversation from a JSON file written by `thinkpane export ID --format json`. "
            "Prints the id of the conversation added. A conversation that is already here is "
            "left as it is (use --as-copy for a second copy)."
        ),
    )
    p.add_argument("file", metavar="FILE", help="the JSON export ('-' reads stdin)")
    p.add_argument(
        "--as-copy",
        action="store_true",
        help="add it as a new conversation even when it is already here",
    )
    p.set_defaults(run=run)


def _read(name: str) -> str:
    if name == "-":
        return sys.stdin.read()
    return Path(name).expanduser().read_text(encoding="utf-8")


def run(args: argparse.Namespace) -> int:
    shown = "stdin" if args.file == "-" else args.file
    try:
        text = _read(args.file)
    except FileNotFoundError:
        return fail(f"there is no file {shown}.")
    except UnicodeDecodeError:
        return fail(f"{shown} is not UTF-8 text, so it is not a Thinkpane export.")
    except OSError as exc:
        return fail(f"could not read {shown} ({exc.strerror or exc}).")
    with open_store() as store:
        try:
            conversation = import_json(store, text, as_copy=args.as_copy)
        except AlreadyImported as exc:
            print(f"thinkpane: {exc}", file=sys.stderr)
            print(exc.conversation.id)
            return 0
        except InvalidExport as exc:
            return fail(f"{shown} cannot be imported. {exc} Nothing was added.")
    print(conversation.id)
    return 0
