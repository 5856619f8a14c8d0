"""Helpers the command modules share: opening the store, printing errors, terminal styling."""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from client.core.errors import UsageError


class PlainParser(argparse.ArgumentParser):
    """argparse that exits with status 2 and a plain sentence, as docs/cli.md says for bad usage."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"thinkpane: {message}. Run 'thinkpane --help' for the commands.", file=sys.stderr)
        raise SystemExit(2)


def dim(text: str, stream: TextIO) -> str:
    """Dim text on a terminal (ANSI), plain text when redirected or NO_COLOR is set."""
    if stream.isatty() and not os.environ.get("NO_COLOR"):
        return f"\x1b[2m{text}\x1b[0m"
    return text


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    sys.stdout.flush()


def fail(message: str, status: int = 2) -> int:
    print(f"thinkpane: {message}", file=sys.stderr)
    return status


def open_store():  # type: ignore[no-untyped-def]
    """The local database; one sentence and exit 2 (bad usage) if its folder or file cannot be
    used: no traceback."""
    from client.store.db import StoreError
    from client.store.store import Store

    try:
        return Store.open()
    except StoreError as exc:
        print(f"thinkpane: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def count_of(what: str) -> Callable[[str], int]:
    """An argparse type for a number of `what` ("results"), 1 or more."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = 0
        if value < 1:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number of {what} (1 or more)")
        return value

    return parse


def day(text: str) -> date:
    """An argparse type for YYYY-MM-DD."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-11-01") from None


def add_prompt_argument(parser: argparse.ArgumentParser) -> None:
    """The PROMPT argument of ask and compare: given, or read from standard input."""
    parser.add_argument(
        "prompt",
        nargs="?",
        default=None,
        metavar="PROMPT",
        help='the prompt; "-" or nothing reads it from standard input',
    )


def read_prompt(prompt: str | None) -> str:
    """The PROMPT argument's text: as given, or standard input for "-" or nothing (unless it is
    a terminal). UsageError when there is none or it is blank."""
    if prompt is None or prompt == "-":
        if prompt is None and sys.stdin.isatty():
            raise UsageError("give a prompt, or pipe one in with '-'")
        prompt = sys.stdin.read()
    if not prompt.strip():
        raise UsageError("the prompt is empty")
    return prompt


def whole_number(text: str) -> int:
    """An argparse type: a whole number, 0 or more."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


def positive_number(text: str) -> int:
    """An argparse type: a whole number, 1 or more."""
    value = whole_number(text)
    if value == 0:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def write_whole(path: Path, text: str) -> None:
    """Write `text` to `path` through a temporary file beside it, so a failure leaves no half file."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
