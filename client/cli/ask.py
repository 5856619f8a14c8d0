"""`thinkpane ask`: one turn from the command line, streamed or as the contract's JSON object.

Reasoning streams dimmed to stderr and the answer to stdout as they arrive, then one line of
tokens and cost. Ctrl+C or SIGTERM stops the turn and keeps what arrived (exit 130).
"""

from __future__ import annotations

import argparse
import signal
import sys
from typing import Any, TextIO

from client.cli.common import (
    add_prompt_argument,
    dim,
    fail,
    positive_number,
    print_json,
    read_prompt,
    whole_number,
)
from client.core import format as fmt
from client.core.cancel import CancelToken
from client.core.conversation import Turn, TurnSettings
from client.core.errors import ErrorKind, ThinkpaneError, UsageError
from client.core.events import (
    AnswerDelta,
    Notice,
    ReasoningDelta,
    Reclassify,
    StreamEvent,
    TurnStatus,
    Visibility,
)
from client.core.idle import DEFAULT_IDLE_TIMEOUT_S
from client.core.request import EFFORTS

PROVIDERS = (
    "openai",
    "openai-chat",
    "anthropic",
    "gemini",
    "ollama",
    "deepseek",
    "openrouter",
    "mistral",
    "openai-compatible",
)


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "ask",
        help="send one prompt and stream the reasoning and the answer",
        description="Send one prompt. The reasoning streams (dimmed) to stderr, the "
        "answer to stdout, then a line of tokens and cost.",
    )
    add_prompt_argument(p)
    p.add_argument(
        "--provider",
        required=True,
        choices=PROVIDERS,
        metavar="NAME",
        help=f"one of: {', '.join(PROVIDERS)}",
    )
    p.add_argument(
        "--model", required=True, metavar="ID", help="the model id, as the provider names it"
    )
    p.add_argument(
        "--base-url", metavar="URL", help="endpoint override (required for openai-compatible)"
    )
    p.add_argument(
        "--effort", choices=EFFORTS, metavar="LEVEL", help=f"reasoning effort: {'|'.join(EFFORTS)}"
    )
    p.add_argument(
        "--thinking-budget", type=whole_number, metavar="N", help="reasoning budget in tokens"
    )
    p.add_argument(
        "--summary",
        choices=("auto", "concise", "detailed", "none"),
        metavar="MODE",
        help="reasoning summary: auto|concise|detailed|none (providers that summarise)",
    )
    p.add_argument("--system", metavar="TEXT", help="system prompt")
    p.add_argument(
        "--max-output-tokens", type=positive_number, metavar="N", help="cap on generated tokens"
    )
    p.add_argument("--conversation", metavar="ID", help="continue a stored conversation")
    p.add_argument(
        "--json", action="store_true", help="print one JSON object instead of streaming text"
    )
    p.add_argument("--no-save", action="store_true", help="leave the local database untouched")
    p.add_argument(
        "--idle-timeout",
        type=_seconds,
        default=DEFAULT_IDLE_TIMEOUT_S,
        metavar="SECONDS",
        help=f"end a stream silent this long as a network failure, keeping what arrived (exit 4; "
        f"default {DEFAULT_IDLE_TIMEOUT_S:g}, 0 waits for ever)",
    )
    p.set_defaults(run=run)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError("must be 0 or more seconds")
    return value


class _TerminalPrinter:
    """Prints events as they arrive: reasoning dimmed on stderr, answer on stdout.

    It remembers, for each stream, whether the last text written to it ended a line, so that
    whatever is printed after the stream (an error, the usage line) starts on a line of its
    own instead of being glued to the text ("First, 17 × thinkpane: …")."""

    def __init__(self) -> None:
        self.in_reasoning = False
        self.answer_started = False
        self.open_lines: dict[int, TextIO] = {}  # id(stream) → stream with an unfinished line

    def _write(self, stream: TextIO, text: str) -> None:
        if not text:
            return
        stream.write(text)
        stream.flush()
        if text.removesuffix("\x1b[0m").endswith("\n"):
            self.open_lines.pop(id(stream), None)
        else:
            self.open_lines[id(stream)] = stream

    def end_lines(self) -> None:
        """Finish every line the stream left open."""
        for stream in self.open_lines.values():
            stream.write("\n")
            stream.flush()
        self.open_lines.clear()

    def __call__(self, turn: Turn, event: StreamEvent) -> None:
        err, out = sys.stderr, sys.stdout
        if isinstance(event, ReasoningDelta):
            if not self.in_reasoning:
                label = (
                    "summary of the reasoning" if event.kind is Visibility.SUMMARY else "reasoning"
                )
                self._write(err, dim(f"── {label} ──\n", err))
                self.in_reasoning = True
            self._write(err, dim(event.text, err))
        elif isinstance(event, AnswerDelta):
            if self.in_reasoning and not self.answer_started:
                self._write(err, dim("\n── answer ──\n", err))
            self.answer_started = True
            self._write(out, event.text)
        elif isinstance(event, Reclassify):
            self._write(
                err,
                dim(
                    "\n(the text above was the model's reasoning; it is stored as reasoning)\n", err
                ),
            )
            self.answer_started = False
            self.in_reasoning = True
        elif isinstance(event, Notice):
            self._write(err, dim(f"\n{event.message}\n", err))


def summary_line(turn: Turn) -> str:
    u = turn.usage
    parts = [f"{fmt.tokens(u.input_tokens)} in"]
    if u.cached_input_tokens:
        parts[-1] += f" ({u.cached_input_tokens:,} cached)"
    out = f"{fmt.tokens(u.output_tokens)} out"
    if u.reasoning_tokens is not None:
        out += f" ({u.reasoning_tokens:,} reasoning)"
    parts.append(out)
    cost = turn.cost
    if cost.source == "unknown":
        parts.append("cost unknown (no price for this model)")
    elif cost.source == "local":
        parts.append("local: $0")
    else:
        how = {"provider": " reported", "override": " at your price"}.get(str(cost.source), "")
        parts.append(fmt.money(cost.total, cost.currency) + how)
    parts.append(fmt.duration(turn.timing.total_s))
    vis = turn.reasoning.visibility
    if vis is Visibility.HIDDEN:
        hidden = (
            fmt.tokens(turn.reasoning.tokens) if turn.reasoning.tokens is not None else "reasoning"
        )
        parts.append(
            f"reasoning hidden by the provider ({hidden} billed, {fmt.money(cost.reasoning)})"
        )
    return " · ".join(parts)


def audit_summary(turn: Turn) -> dict[str, Any] | None:
    """`{"first_error_step", "errors", "warnings"}` for the turn's reasoning (the step index is
    0-based, as in `audit --json`); None when there was no reasoning text to audit."""
    from client.audit.report import audit_of

    audit = audit_of(turn)
    if not audit.steps:
        return None
    counts = audit.summary(0)
    return {
        "first_error_step": counts.first_error_step,
        "errors": counts.errors,
        "warnings": counts.warnings,
    }


def _exit_status(turn: Turn) -> int:
    if turn.status in (TurnStatus.COMPLETE, TurnStatus.LENGTH):
        return 0
    if turn.status is TurnStatus.REFUSED:
        return 3
    if turn.error is not None:
        return turn.error.exit_status
    return 4


def _error_object(
    kind: ErrorKind, message: str, args: argparse.Namespace, status: int | None = None
) -> dict:
    return {
        "conversation_id": args.conversation,
        "turn_id": None,
        "provider": args.provider,
        "model": args.model,
        "model_reported": None,
        "status": "error",
        "answer": "",
        "reasoning": {"visibility": "none", "text": "", "tokens": None, "redacted_blocks": 0},
        "usage": {
            "input_tokens": None,
            "cached_input_tokens": None,
            "cache_write_tokens": None,
            "output_tokens": None,
            "reasoning_tokens": None,
        },
        "cost": {
            "currency": "USD",
            "total": None,
            "input": None,
            "output": None,
            "reasoning": None,
            "source": "unknown",
        },
        "timing": {
            "time_to_first_token_s": None,
            "time_to_first_answer_token_s": None,
            "total_s": None,
        },
        "error": {"kind": str(kind), "message": message, "retryable": False, "status": status},
        "audit": None,
    }


def run(args: argparse.Namespace) -> int:
    from client.session import TurnController

    try:
        prompt = read_prompt(args.prompt)
    except UsageError as exc:
        return fail(str(exc))

    store = None
    if not args.no_save:
        from client.store import Store, StoreError

        try:
            store = Store.open()
        except StoreError as exc:  # a data folder or database that cannot be used: exit 2
            if args.json:
                print_json(_error_object(ErrorKind.BAD_REQUEST, exc.message, args))
            return fail(exc.message)
    controller = TurnController(store)
    settings = TurnSettings(
        args.effort, args.thinking_budget, args.summary, args.max_output_tokens, args.system
    )
    try:
        prepared = controller.prepare(
            provider=args.provider,
            model=args.model,
            prompt=prompt,
            base_url=args.base_url,
            conversation_id=args.conversation,
            settings=settings,
        )
    except UsageError as exc:
        if args.json:
            print_json(_error_object(ErrorKind.BAD_REQUEST, str(exc), args))
        return fail(str(exc))
    except ThinkpaneError as exc:
        if args.json:
            print_json(_error_object(exc.kind, exc.message, args, exc.info.status))
        return fail(exc.message, exc.info.exit_status)

    cancel = CancelToken()
    previous = signal.signal(signal.SIGTERM, lambda *_: cancel.cancel())
    printer = None if args.json else _TerminalPrinter()
    try:
        turn = controller.run(prepared, cancel, printer, idle_timeout_s=args.idle_timeout or None)
    except KeyboardInterrupt:
        turn = prepared.turn
        cancel.cancel()
    finally:
        signal.signal(signal.SIGTERM, previous)
        if store is not None:
            store.close()

    if args.json:
        print_json({**turn.to_contract_json(), "audit": audit_summary(turn)})
    else:
        if printer is not None:
            printer.end_lines()
        if turn.error is not None:
            print(f"thinkpane: {turn.error.message}", file=sys.stderr)
        elif turn.status is TurnStatus.LENGTH:
            print(
                "thinkpane: the output budget ran out before the answer was finished.",
                file=sys.stderr,
            )
        elif turn.status is TurnStatus.REFUSED:
            print("thinkpane: the provider refused to answer (content filter).", file=sys.stderr)
        print(dim(summary_line(turn), sys.stderr), file=sys.stderr)
        if store is not None:
            print(
                dim(
                    f"saved as {turn.conversation_id} / {turn.id}; continue with "
                    f"--conversation {turn.conversation_id}",
                    sys.stderr,
                ),
                file=sys.stderr,
            )
    if turn.error is not None and turn.error.kind is ErrorKind.CANCELLED:
        return 130
    return _exit_status(turn)
