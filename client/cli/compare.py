"""`thinkpane compare`: one prompt across efforts, models and samples, side by side; or a set.

Every run is a normal turn (stored as sibling turns under one parent, counted in the ledger).
The estimate is a range, printed before anything is sent; `--max-cost` refuses (exit 3, nothing
sent) when its upper bound is above the limit. Exit 0 when every run completed, 4 when some
failed (the others still ran), 130 when stopped (finished runs are kept). `--prompts FILE.jsonl`
runs a set and resumes it when run again: runs already done are not sent twice.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from client.cli.ask import PROVIDERS
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
from client.core.errors import UsageError


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "compare",
        help="one prompt across efforts, models or samples, side by side",
        description="Run one prompt in several columns (efforts of one model, other models, or "
        "both), several samples each, and show which setting is the cheapest that still gives "
        "the majority answer. With --prompts, run a set of prompts and summarise each column.",
    )
    add_prompt_argument(p)
    p.add_argument(
        "--provider",
        choices=PROVIDERS,
        metavar="NAME",
        help=f"the model's provider, as in ask: {', '.join(PROVIDERS)}",
    )
    p.add_argument("--model", metavar="ID", help="the model id, as in ask")
    p.add_argument("--base-url", metavar="URL", help="endpoint override, as in ask")
    p.add_argument(
        "--efforts",
        metavar="LIST",
        help="e.g. none,low,medium,high: one column per effort of that model",
    )
    p.add_argument(
        "--target",
        action="append",
        default=[],
        metavar="SPEC",
        help="another column, repeatable: PROVIDER:MODEL[@EFFORT][=BASE_URL]",
    )
    p.add_argument(
        "--samples",
        type=positive_number,
        default=1,
        metavar="N",
        help="answers per column, 1 to 8 (default 1); more give agreement and a vote",
    )
    p.add_argument(
        "--max-cost",
        metavar="USD",
        help="refuse before sending when the estimate's upper bound is above it",
    )
    p.add_argument(
        "--prompts",
        metavar="FILE.jsonl",
        help='a prompt set: one {"prompt": …, "expected": …} per line; run again to resume it',
    )
    p.add_argument(
        "--csv",
        metavar="FILE",
        help="with --prompts: also write the set's summary as CSV, one row per column",
    )
    p.add_argument(
        "--markdown",
        metavar="FILE",
        help="with --prompts: also write the set's summary as Markdown (verdict, table, prompts)",
    )
    p.add_argument("--system", metavar="TEXT", help="system prompt")
    p.add_argument(
        "--max-output-tokens",
        type=positive_number,
        metavar="N",
        help="cap on generated tokens, per run",
    )
    p.add_argument(
        "--parallel",
        type=whole_number,
        default=None,
        metavar="N",
        help="runs at once per provider (default 4; a local server takes one at a time)",
    )
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.add_argument("--no-save", action="store_true", help="leave the local database untouched")
    p.set_defaults(run=run)


def _max_cost(text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        value = Decimal(text.strip().lstrip("$"))
    except InvalidOperation:
        raise UsageError(f"--max-cost {text!r} is not an amount in USD, e.g. 0.50") from None
    if not value.is_finite() or value < 0:
        raise UsageError(f"--max-cost {text!r} must be an amount of 0 or more.")
    return value


def run(args: argparse.Namespace) -> int:
    from client.compare.columns import build_columns, check_samples, parse_target

    try:
        max_cost = _max_cost(args.max_cost)
        check_samples(args.samples)
        if (args.provider is None) != (args.model is None):
            raise UsageError("--provider and --model go together.")
        efforts = (args.efforts or "").split(",") if args.efforts else []
        if efforts and not args.provider:
            raise UsageError("--efforts needs --provider and --model.")
        columns = build_columns(
            args.provider,
            args.model,
            args.base_url,
            efforts,
            [parse_target(t) for t in args.target],
        )
        if (args.csv or args.markdown) and not args.prompts:
            raise UsageError("--csv and --markdown write a prompt set's summary: add --prompts.")
        for target in (args.csv, args.markdown):
            if target and not Path(target).expanduser().parent.is_dir():
                raise UsageError(f"cannot write {target}: its folder does not exist.")
        if args.prompts:
            if args.prompt not in (None,):
                raise UsageError("give either a PROMPT or --prompts FILE, not both.")
            from client.compare.prompt_set import load_prompts

            items = load_prompts(Path(args.prompts))
        else:
            prompt = read_prompt(args.prompt)
            from client.compare.prompt_set import PromptItem

            items = [PromptItem(prompt)]
    except UsageError as exc:
        return fail(str(exc))

    store = None
    if not args.no_save:
        from client.cli.common import open_store

        store = open_store()
    try:
        return _Session(args, columns, items, store, max_cost).run()
    finally:
        if store is not None:
            store.close()


_PROGRESS_LOCK = threading.Lock()


class _Session:
    """One command: the comparisons of its prompts, estimated together, then run in order."""

    def __init__(self, args, columns, items, store, max_cost) -> None:  # type: ignore[no-untyped-def]
        from client.session import TurnController

        self.args = args
        self.columns = columns
        self.items = items
        self.store = store
        self.max_cost = max_cost
        self.controller = TurnController(store)
        self.current = None
        self.stopped = False
        self.is_set = bool(args.prompts)

    def _comparisons(self):  # type: ignore[no-untyped-def]
        from client.compare.prompt_set import plan_set
        from client.compare.runner import Comparison, ComparisonPlan

        args = self.args
        kwargs: dict[str, Any] = {"on_done": self._progress}
        if args.parallel:
            kwargs["per_provider"] = args.parallel
        if self.is_set:
            return plan_set(
                self.controller,
                self.items,
                self.columns,
                args.samples,
                system=args.system,
                max_output_tokens=args.max_output_tokens,
                **kwargs,
            )
        plan = ComparisonPlan(
            self.items[0].prompt,
            list(self.columns),
            args.samples,
            system=args.system,
            max_output_tokens=args.max_output_tokens,
        )
        return [Comparison(self.controller, plan, **kwargs)]

    def _progress(self, result) -> None:  # type: ignore[no-untyped-def]
        if self.args.json:
            return
        comparison = self.current
        label = comparison.plan.columns[result.column].label if comparison else "?"
        turn = result.turn
        failure = result.failure
        if result.stopped:
            what = _stopped(result)
        elif failure is not None:
            what = f"failed: {failure.message}"
        else:
            from client.compare.tally import conclusion

            stated = conclusion(turn) if turn else None
            cost = (
                fmt.money(turn.cost.total)
                if turn and turn.cost.total is not None
                else "cost unknown"
            )
            what = f"{stated or '(no final answer)'} · {cost} · {fmt.duration(turn.timing.total_s)}"
        line = dim(f"  {label} #{result.sample + 1}: {what}", sys.stderr)
        # Runs finish on several threads at once: one write per line, one writer at a time
        # (print writes the text and its newline separately, so two lines ran together).
        with _PROGRESS_LOCK:
            sys.stderr.write(line + "\n")
            sys.stderr.flush()

    def run(self) -> int:
        from client.compare.estimate import combine, estimate_left

        try:
            comparisons = self._comparisons()
            estimates = [estimate_left(self.store, c) for c in comparisons]
        except UsageError as exc:
            return fail(str(exc))
        combined = combine(estimates)
        if self.max_cost is not None:
            refusal = combined.over(self.max_cost)
            if refusal is not None:
                if self.args.json and not self.is_set:
                    from client.compare.report import comparison_json

                    print_json(comparison_json(comparisons[0], combined.to_json(), refusal))
                elif self.args.json:
                    sys.stdout.write(
                        json.dumps({"estimate": combined.to_json(), "error": refusal}) + "\n"
                    )
                return fail(refusal, 3)
        if not self.args.json:
            print(dim(f"estimate: {_range(combined)}", sys.stderr), file=sys.stderr)
        self._budget_warning(combined)

        cancel_all = threading.Event()
        previous = signal.signal(signal.SIGTERM, lambda *_: self._stop(cancel_all))
        summaries = None
        if self.is_set:
            from client.compare.prompt_set import SetSummary

            summaries = SetSummary(self.columns)
        failed = False
        try:
            for index, (comparison, estimate) in enumerate(
                zip(comparisons, estimates, strict=True)
            ):
                if cancel_all.is_set():
                    break
                self.current = comparison
                if self.is_set and not self.args.json:
                    print(
                        dim(
                            f"prompt {index + 1}/{len(comparisons)}: "
                            f"{_short(comparison.plan.prompt)}",
                            sys.stderr,
                        ),
                        file=sys.stderr,
                    )
                self._run_one(comparison, cancel_all)
                failed |= self._emit(comparison, estimate, summaries, index)
        finally:
            signal.signal(signal.SIGTERM, previous)
        if summaries is not None:
            self._emit_summaries(summaries)
            if not self._write_files(summaries):
                return 2
        if self.stopped:
            print(
                "thinkpane: stopped; finished runs are kept"
                + (
                    " (run the same command again to resume)."
                    if self.is_set and self.store
                    else "."
                ),
                file=sys.stderr,
            )
            return 130
        return 4 if failed else 0

    def _stop(self, cancel_all: threading.Event) -> None:
        self.stopped = True
        cancel_all.set()
        if self.current is not None:
            self.current.cancel()

    def _run_one(self, comparison, cancel_all) -> None:  # type: ignore[no-untyped-def]
        done = threading.Event()

        def work() -> None:
            try:
                comparison.run()
            finally:
                done.set()

        threading.Thread(target=work, name="compare", daemon=True).start()
        # Wait on an event, not on join(): Ctrl+C interrupting a join can leave the thread
        # looking finished while its runs are still being stopped and stored.
        while not done.is_set():
            try:
                done.wait(0.2)
            except KeyboardInterrupt:
                self._stop(cancel_all)

    def _budget_warning(self, estimate) -> None:  # type: ignore[no-untyped-def]
        if self.store is None:
            return
        from client.compare.estimate import budget_check

        noun = "prompt set" if self.is_set else "comparison"
        check = budget_check(self.store, None, estimate, noun)
        if check.level != "ok":
            print(f"thinkpane: {check.message}", file=sys.stderr)

    def _emit(self, comparison, estimate, summaries, index) -> bool:  # type: ignore[no-untyped-def]
        from client.compare.report import comparison_json, figures

        fig = figures(comparison)
        if summaries is not None and not self.stopped:  # a prompt stopped half-way: not summed
            item = self.items[index]
            summaries.add(fig, item.prompt, item.expected)
        if self.args.json:
            data = comparison_json(comparison, estimate.to_json())
            if self.is_set:
                data["expected"] = self.items[index].expected
                sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
                sys.stdout.flush()
            else:
                print_json(data)
        else:
            _print_table(fig, comparison)
        return fig.failed_runs > 0

    def _emit_summaries(self, summaries) -> None:  # type: ignore[no-untyped-def]
        rows = [s.to_json() for s in summaries.columns]
        if self.args.json:
            for row in rows:
                sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
            sys.stdout.flush()
            return
        print(f"\nover the set ({summaries.prompts} of {len(self.items)} prompts):")
        for row in rows:
            parts = [row["label"] + ("  ←" if row["cheapest_majority"] else "")]
            if row["majority_accuracy"] is not None:
                parts.append(
                    f"majority answer on {row['majority_prompts']} of {summaries.prompts} prompts"
                    f" ({row['majority_accuracy']:.0%} of runs)"
                )
            if row["accuracy"] is not None:
                parts.append(f"accuracy {row['accuracy']:.0%} ({row['correct']}/{row['runs']})")
            if row["agreement"] is not None:
                parts.append(f"agreement {row['agreement']:.0%}")
            parts.append(f"cost {fmt.money(Decimal(row['cost']))}")
            if row["cost_per_correct"] is not None:
                parts.append(f"{fmt.money(Decimal(row['cost_per_correct']))} per correct answer")
            if row["reasoning_tokens_mean"] is not None:
                mean = fmt.tokens(round(row["reasoning_tokens_mean"]))
                median = fmt.tokens(int(row["reasoning_tokens_median"]))
                parts.append(f"mean reasoning {mean} (median {median})")
            if row["total_s_median"] is not None:
                parts.append(f"median time {fmt.duration(row['total_s_median'])}")
            print("  " + " · ".join(parts))
        print("\n" + summaries.verdict())

    def _write_files(self, summaries) -> bool:  # type: ignore[no-untyped-def]
        """--csv and --markdown: the summary to files (whole or not at all). False on failure."""
        from client.cli.common import write_whole
        from client.compare.set_export import summary_csv, summary_markdown

        for name, render in (("csv", summary_csv), ("markdown", summary_markdown)):
            target = getattr(self.args, name)
            if not target:
                continue
            path = Path(target).expanduser()
            try:
                write_whole(path, render(summaries))
            except OSError as exc:
                fail(f"could not write {path} ({exc.strerror or exc}); nothing was written.")
                return False
            print(dim(f"wrote {path}", sys.stderr), file=sys.stderr)
        return True


def _stopped(result) -> str:  # type: ignore[no-untyped-def]
    """A run the user stopped: not a failure; what arrived is kept."""
    if result.turn is None:
        return "stopped before it was sent"
    return "stopped (what arrived is kept)" if result.turn.answer else "stopped before any answer"


def _short(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= 60 else line[:57] + "…"


def _range(estimate) -> str:  # type: ignore[no-untyped-def]
    low, high = estimate.low, estimate.high
    if high is None:
        return "unknown (a model has no price)"
    return f"{fmt.money(low or Decimal(0))} to {fmt.money(high)}"


def _print_table(fig, comparison) -> None:  # type: ignore[no-untyped-def]
    from client.compare.tally import conclusion

    out = sys.stdout
    for i, (column, runs, tally) in enumerate(zip(fig.columns, fig.runs, fig.tallies, strict=True)):
        mark = "  ← cheapest giving the majority answer" if i == fig.cheapest else ""
        out.write(f"\n{column.label}{mark}\n")
        for r in runs:
            if r.stopped:
                out.write(f"  #{r.sample + 1}  {_stopped(r)}\n")
                continue
            if r.failure is not None:
                out.write(f"  #{r.sample + 1}  failed: {r.failure.message}\n")
                continue
            t = r.turn
            stated = conclusion(t) or "(no final answer)"
            cost = fmt.money(t.cost.total) if t.cost.total is not None else "cost unknown"
            out.write(f"  #{r.sample + 1}  {stated}  · {cost} · {fmt.duration(t.timing.total_s)}\n")
        parts = []
        if tally.majority_answer is not None:
            parts.append(f"majority {tally.majority_answer}")
        if tally.agreement is not None:
            parts.append(f"agreement {tally.agreement:.0%}")
        parts.append("cost " + (fmt.money(tally.cost) if tally.cost is not None else "unknown"))
        if tally.reasoning_tokens_median is not None:
            parts.append(f"median reasoning {fmt.tokens(int(tally.reasoning_tokens_median))}")
        if tally.total_s_median is not None:
            parts.append(f"median time {fmt.duration(tally.total_s_median)}")
        out.write("  = " + " · ".join(parts) + "\n")
    if len(fig.groups) > 1:
        out.write(
            "\nanswers differ: "
            + " | ".join(
                f"{fig.tallies[g[0]].majority_answer}: {', '.join(fig.columns[i].label for i in g)}"
                for g in fig.groups
            )
            + "\n"
        )
    plan = comparison.plan
    if comparison.controller.store is not None:
        out.write(
            dim(
                f"\nsaved as {plan.conversation_id} (comparison {plan.comparison_id})\n", sys.stderr
            )
        )
    out.flush()
