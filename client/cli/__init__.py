"""The `thinkpane` command line: the desktop app's scriptable twin (docs/cli.md; its JSON is a public API).

Each command lives in its own module exposing `add_parser(subparsers)` and `run(args) -> int`;
with no command, the desktop app opens. The GUI is imported only then, so every other command
runs without a display.
"""

from __future__ import annotations

import importlib
import sys
from typing import TYPE_CHECKING, NoReturn

if TYPE_CHECKING:  # argparse loads with a command (8 ms): `thinkpane` alone opens the window
    import argparse

# Command name → module under client.cli. Order is the order `--help` lists them in.
COMMANDS = {
    "ask": "client.cli.ask",
    "compare": "client.cli.compare",
    "list": "client.cli.listing",
    "usage": "client.cli.usage",
    "prices": "client.cli.prices",
    "reprice": "client.cli.reprice",
    "audit": "client.cli.audit",
    "search": "client.cli.search",
    "export": "client.cli.export",
    "import": "client.cli.importer",
    "models": "client.cli.models",
}


def build_parser() -> argparse.ArgumentParser:
    from client import __version__
    from client.cli.common import PlainParser

    parser = PlainParser(
        prog="thinkpane",
        description=(
            "Thinkpane: chat with reasoning models, see the answer beside the reasoning, audit it "
            "step by step, and keep a ledger of what it cost. Without a command, opens the app."
        ),
    )
    parser.add_argument("--version", action="version", version=f"thinkpane {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=PlainParser)
    for module_name in COMMANDS.values():
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                continue  # that command has not been built yet
            raise
        module.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    given = sys.argv[1:] if argv is None else argv
    if not given:
        _open_app()  # no command: nothing to parse, and the commands' modules are not needed
    if (files := files_to_open(given)) is not None:
        _open_app(files)  # from the menu entry (Exec=thinkpane %U) or a file manager
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        _open_app()
    try:
        return int(args.run(args))
    except KeyboardInterrupt:
        print("\nthinkpane: stopped.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


def files_to_open(given: list[str]) -> list[str] | None:
    """The files the desktop hands the app (its menu entry's %U: paths or file:// URLs, say an
    export dropped on the launcher), or None when `given` is a command line to parse. Only
    arguments that are all existing paths or URLs count, so a mistyped command is still told."""
    if given[0] in COMMANDS or given[0].startswith("-"):
        return None  # a command line, as nearly always: nothing more to import or look at
    from pathlib import Path
    from urllib.parse import unquote, urlsplit

    files = []
    for argument in given:
        if argument in COMMANDS or argument.startswith("-"):
            return None
        parts = urlsplit(argument)
        if parts.scheme == "file":
            files.append(unquote(parts.path))
        elif "://" in argument or Path(argument).exists():
            files.append(argument)  # another kind of URL: the window says it cannot open it
        else:
            return None
    return files


def _open_app(files: list[str] | None = None) -> NoReturn:
    from client.ui.app import leave, run_app

    # no interpreter teardown to wait for once the window has closed
    leave(run_app(files=files or []))
