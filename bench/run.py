"""Run Thinkpane's benchmarks: `python bench/run.py [NAME ...] [--json] [-- extra args]`.

Each benchmark is a module `bench/bench_<name>.py` with `run(args: list[str]) -> dict`, returning
figures in seconds (`_s`), milliseconds (`_ms`) or plain counts, each figure measured against a
baseline in the same run sitting beside it with the `baseline_` prefix. Machines here are noisy:
compare ratios within a run, never absolute times across runs.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def available() -> list[str]:
    return sorted(p.stem.removeprefix("bench_") for p in HERE.glob("bench_*.py"))


def load(name: str):  # type: ignore[no-untyped-def]
    path = HERE / f"bench_{name}.py"
    spec = importlib.util.spec_from_file_location(f"bench_{name}", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"no benchmark called {name!r}; available: {', '.join(available())}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _print_human(name: str, figures: dict, seconds: float, indent: str = "  ") -> None:
    print(f"{name}  ({seconds:.1f} s)")
    for key, value in figures.items():
        if isinstance(value, dict):
            print(f"{indent}{key}:")
            for k, v in value.items():
                print(f"{indent}  {k:32} {v}")
            continue
        if key.startswith("baseline_"):
            continue
        base = figures.get(f"baseline_{key}")
        line = f"{indent}{key:34} {value}"
        if base is not None:
            ratio = ""
            if isinstance(value, int | float) and isinstance(base, int | float) and base:
                ratio = f"  (×{value / base:.2f} of baseline)"
            line += f"   baseline {base}{ratio}"
        print(line)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "names", nargs="*", help=f"benchmarks to run (default all: {', '.join(available())})"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    # Everything after `--` is the benchmark's own (argparse would read it as more names).
    own: list[str] = []
    if "--" in argv:
        at = argv.index("--")
        argv, own = argv[:at], argv[at + 1 :]
    args, extra = parser.parse_known_args(argv)
    extra += own
    names = args.names or available()
    unknown = [n for n in names if n not in available()]
    if unknown:
        print(
            f"unknown benchmark {', '.join(unknown)}; available: {', '.join(available())}",
            file=sys.stderr,
        )
        return 2
    results: dict[str, dict] = {}
    for name in names:
        started = time.perf_counter()
        figures = load(name).run(extra)
        results[name] = figures
        if not args.json:
            _print_human(name, figures, time.perf_counter() - started)
    if args.json:
        print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
