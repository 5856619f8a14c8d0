"""How well the reasoning auditor finds labelled mistakes, and how fast it audits a long trace.

`python bench/run.py audit [--processbench PATH] [--math PATH] [--bbm PATH] [--own-styles PATH]
[--show false-alarms|misses]`

Three human-labelled sets (../shared/data/README.md) are read where they lie, never copied, and
a fourth is the tests' own solutions in the styles reasoning models use
(tests/audit/data/own_styles.jsonl; its even and odd halves mean nothing there). For
each, the share of records whose first error-severity step equals the label
(`exact_first_error`), the precision of flagged steps (a flag at or after the labelled first
error counts as right; one on an all-correct record or before the first error is a false alarm),
`first_error_precision` (only a flag on the labelled first error step counts as right),
`pinned` (labelled errors whose first flag is exactly the labelled step) and coverage (records
with a labelled error where anything is flagged). Each figure is also given for the even- and
odd-indexed halves: the checks were developed on the even half, so the odd half is data they
were not tuned on. The `_adjusted` figures count the hand-read label misses in LABEL_ERRATA as
right. `trace_100k_ms` audits a 100,000-character synthetic trace; its baseline is
segmentation alone.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from client.audit import audit_trace, forget_cached_steps, segment  # noqa: E402
from client.core.audit import Severity  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
PROCESSBENCH = DATA / "processbench" / "gsm8k.json"
PROCESSBENCH_MATH = DATA / "processbench" / "math.json"
BBM = DATA / "big-bench-mistake" / "multistep_arithmetic.jsonl"
# Solutions written for the tests in the styles reasoning models use (tests/audit).
OWN_STYLES = ROOT / "tests" / "audit" / "data" / "own_styles.jsonl"


def _processbench(path: Path) -> Iterator[tuple[str, list[str], str | None, int | None]]:
    for record in json.loads(path.read_text(encoding="utf-8")):
        label = record["label"]
        yield record["id"], record["steps"], record.get("problem"), None if label == -1 else label


def _bbm(path: Path) -> Iterator[tuple[str, list[str], str | None, int | None]]:
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines):
            if line.strip():
                record = json.loads(line)
                yield f"bbm-{number}", record["steps"], record.get("input"), record["mistake_index"]


def _own_styles(path: Path) -> Iterator[tuple[str, list[str], str | None, int | None]]:
    """A seeded error in the answer alone leaves every step right: its step label is None."""
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                record = json.loads(line)
                error = record["error"]
                yield record["id"], record["steps"], None, error["step"] if error else None


# Records labelled "no mistake" whose steps contain a plainly false equation, each read by hand
# (the list and the equations are in the audit issue's closing note). They count against the
# raw figures; the `_adjusted` figures count a flag on them as right, as AUDIT.md says to do for
# real false equations the labels missed. The checks themselves know nothing of these records.
LABEL_ERRATA = {
    "bbm": {
        "bbm-1",
        "bbm-24",
        "bbm-34",
        "bbm-120",
        "bbm-139",
        "bbm-147",
        "bbm-235",
        "bbm-237",
        "bbm-248",
        "bbm-261",
        "bbm-273",
        "bbm-283",
        "bbm-299",
    },
    # Records whose label puts the first error later than a plainly false equation it missed:
    # the adjusted figures move the label to our first flag. Read by hand:
    "math": {
        # C(9, 7) = (9·8·7·6·5·4)/(7·6·5·4·3·2·1) = 36: the middle expression is 12 (and
        # C(9, 8) = (9·8·7·6·5·4)/(8·7·6·5·4·3·2·1) = 9 is 1.5), labelled wrong only later.
        "math-106",
        # (28·27·26·25)/(4·3·2·1) = (28·27·13·25)/4 (it is /12); 7·27·13·25 = 21·39·25.
        "math-164",
    },
}
_ERRATA = set().union(*LABEL_ERRATA.values())


class _Tally:
    def __init__(self) -> None:
        self.records = self.exact = self.labelled = self.covered = self.pinned = 0
        self.right = self.false_alarms = self.on_label = 0

    def add(self, label: int | None, first: int | None, flagged: set[int]) -> list[int]:
        self.records += 1
        self.exact += first == label
        if label is not None:
            self.labelled += 1
            self.covered += bool(flagged)
            self.pinned += first == label
        wrong = [s for s in sorted(flagged) if label is None or s < label]
        self.false_alarms += len(wrong)
        self.right += len(flagged) - len(wrong)
        self.on_label += label in flagged
        return wrong

    def figures(self, suffix: str = "") -> dict[str, Any]:
        flags = self.right + self.false_alarms
        return {
            f"records{suffix}": self.records,
            f"exact_first_error{suffix}": round(self.exact / self.records, 4)
            if self.records
            else None,
            f"precision{suffix}": round(self.right / flags, 4) if flags else None,
            # The stricter reading: only a flag on the labelled first error step counts as right.
            f"first_error_precision{suffix}": round(
                self.on_label / (self.on_label + self.false_alarms), 4
            )
            if self.on_label + self.false_alarms
            else None,
            f"coverage{suffix}": round(self.covered / self.labelled, 4) if self.labelled else None,
            f"pinned{suffix}": f"{self.pinned}/{self.labelled}",
            f"flagged_steps{suffix}": flags,
            f"false_alarms{suffix}": self.false_alarms,
        }


def _measure(
    records: Iterator[tuple[str, list[str], str | None, int | None]], show: str | None
) -> dict[str, Any]:
    tallies = {
        "": _Tally(),
        "_even": _Tally(),
        "_odd": _Tally(),
        "_adjusted": _Tally(),
        "_adjusted_even": _Tally(),
        "_adjusted_odd": _Tally(),
    }
    for number, (record_id, steps, problem, label) in enumerate(records):
        result = audit_trace(steps=steps, problem=problem)
        errors = [f for f in result.findings if f.severity is Severity.ERROR and f.step is not None]
        flagged = {f.step for f in errors if f.step is not None}
        half = "_even" if number % 2 == 0 else "_odd"
        wrong = tallies[""].add(label, result.first_error_step, flagged)
        tallies[half].add(label, result.first_error_step, flagged)
        first = result.first_error_step
        if record_id in _ERRATA and first is not None and (label is None or first < label):
            # A real error the label missed: our first flag stands as the label.
            adjusted: int | None = first
        else:
            adjusted = label
        tallies["_adjusted"].add(adjusted, first, flagged)
        tallies["_adjusted" + half].add(adjusted, first, flagged)
        if show == "false-alarms" and wrong:
            for finding in errors:
                if finding.step in wrong:
                    print(
                        f"[{record_id} label={label}] step {finding.step}: {finding.message}",
                        file=sys.stderr,
                    )
        if show == "misses" and label is not None and result.first_error_step != label:
            print(
                f"[{record_id} label={label} got={result.first_error_step}] {steps[label][:300]}",
                file=sys.stderr,
            )
    figures: dict[str, Any] = {}
    for suffix, tally in tallies.items():
        figures.update(tally.figures(suffix))
    return figures


def synthetic_trace(size: int = 100_000, seed: int = 7) -> str:
    """A long reasoning trace with the features the checks read: sums, LaTeX, discourse
    markers, a retraction, repeated paragraphs, candidate answers."""
    rng = random.Random(seed)
    paragraphs: list[str] = []
    total = 0
    while total < size:
        a, b = rng.randint(2, 999), rng.randint(2, 99)
        shown = a * b if rng.random() > 0.05 else a * b + rng.randint(1, 9)
        choice = rng.random()
        if choice < 0.3:
            text = f"So {a} × {b} = {shown}, and adding {b} gives {a * b} + {b} = {a * b + b}."
        elif choice < 0.5:
            text = f"Wait, let me check: \\(\\frac{{{a * b}}}{{{b}}} = {a}\\) and \\({a} \\cdot {b} = {shown}\\)."
        elif choice < 0.6:
            text = (
                f"Hmm, maybe the answer is {shown}. But I think I should verify with {a} and {b}."
            )
        elif choice < 0.7 and paragraphs:
            text = rng.choice(paragraphs)
        elif choice < 0.8:
            text = f"Alternatively, the total is ${a:,} - ${b} = ${a - b:,}. So the answer is \\boxed{{{a - b}}}."
        else:
            text = f"Wait, that's wrong: {a} + {b} is {a + b}, not {a + b + 1}. Let me redo the sum of {a} and {b}."
        paragraphs.append(text)
        total += len(text) + 2
    return "\n\n".join(paragraphs)[:size]


def _best_ms(work: Callable[[], object], repeats: int = 3) -> float:
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - started)
    return round(best * 1000, 1)


def _first_audit(trace: str) -> object:
    """An audit of a trace never seen before: nothing remembered from an earlier repeat."""
    forget_cached_steps()
    return audit_trace(trace, answer="42")


def run(args: list[str]) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="bench audit")
    parser.add_argument("--processbench", type=Path, default=PROCESSBENCH)
    parser.add_argument("--math", type=Path, default=PROCESSBENCH_MATH)
    parser.add_argument("--bbm", type=Path, default=BBM)
    parser.add_argument("--own-styles", type=Path, default=OWN_STYLES)
    parser.add_argument("--show", choices=["false-alarms", "misses"], default=None)
    options = parser.parse_args(args)
    figures: dict[str, Any] = {}
    for name, path, reader in (
        ("processbench_gsm8k", options.processbench, _processbench),
        ("processbench_math", options.math, _processbench),
        ("bbm_multistep_arithmetic", options.bbm, _bbm),
        ("own_styles", options.own_styles, _own_styles),
    ):
        if not path.exists():
            print(f"bench audit: {path} is missing; skipping {name}.", file=sys.stderr)
            continue
        figures[name] = _measure(reader(path), options.show)
    trace = synthetic_trace()
    figures["trace_chars"] = len(trace)
    figures["trace_100k_ms"] = _best_ms(lambda: _first_audit(trace))
    figures["baseline_trace_100k_ms"] = _best_ms(lambda: segment(trace))
    return figures
