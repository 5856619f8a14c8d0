"""`thinkpane export CONVERSATION_ID`: a conversation as Markdown, HTML or JSON.

Markdown and HTML are for reading: one branch, root to the newest leaf, or every branch with
`--all-branches`. JSON is everything the store keeps, every branch included, and is what
`thinkpane import` reads back. Output goes to stdout unless `-o FILE` says where; a file is
written whole or not at all. No export contains an API key (see client.exports).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from client.cli.common import fail, open_store, write_whole
from client.exports import export_html, export_json, export_markdown

FORMATS = ("md", "json", "html")


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "export",
        help="write a conversation as Markdown, HTML or JSON",
        description=(
            "Write a stored conversation as Markdown or HTML (to read) or JSON (everything, "
            "every branch, for `thinkpane import`). Conversation ids are in "
            "`thinkpane search --json` and `thinkpane usage --by conversation`."
        ),
    )
    p.add_argument("conversation_id", metavar="CONVERSATION_ID", help="the id, c_…")
    p.add_argument("--format", choices=FORMATS, default="md", help="md (default), json or html")
    p.add_argument(
        "-o", "--output", metavar="FILE", help="write to FILE instead of stdout ('-' is stdout)"
    )
    p.add_argument(
        "--all-branches",
        action="store_true",
        help="md and html: every branch, not just the newest (json always has all)",
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    with open_store() as store:
        if store.get_conversation(args.conversation_id) is None:
            return fail(
                f"there is no conversation {args.conversation_id} in the local database; "
                "`thinkpane usage --by conversation` lists them."
            )
        if args.format == "json":
            text = export_json(store, args.conversation_id)
        else:
            render = export_html if args.format == "html" else export_markdown
            text = render(store, args.conversation_id, all_branches=args.all_branches)
    if args.output in (None, "-"):
        sys.stdout.write(text)
        sys.stdout.flush()
        return 0
    path = Path(args.output).expanduser()
    try:
        write_whole(path, text)
    except OSError as exc:
        return fail(f"could not write {path} ({exc.strerror or exc}); nothing was written.")
    print(f"Wrote {path}.", file=sys.stderr)
    return 0
