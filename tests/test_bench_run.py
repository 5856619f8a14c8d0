"""bench/run.py hands a benchmark the options written after `--` (as its docstring and the
benchmarks' own help say to write them), instead of reading them as more benchmark names."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType, SimpleNamespace

RUN = Path(__file__).resolve().parents[1] / "bench" / "run.py"


def _runner() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_runner", RUN)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_options_after_a_double_dash_reach_the_benchmark(monkeypatch, capsys):
    runner = _runner()
    given: list[list[str]] = []
    monkeypatch.setattr(runner, "available", lambda: ["search"])
    monkeypatch.setattr(
        runner, "load", lambda name: SimpleNamespace(run=lambda args: given.append(args) or {})
    )
    assert runner.main(["search", "--", "--study", "2000"]) == 0
    assert runner.main(["search", "--study=500"]) == 0
    assert given == [["--study", "2000"], ["--study=500"]]
    assert "unknown benchmark" not in capsys.readouterr().err
