"""Run every benchmark (``benchmarks/bench_*.py``) and print one table of figures.

    .venv/bin/python benchmarks/run.py            # all of them
    .venv/bin/python benchmarks/run.py shell      # only bench_shell.py

Each benchmark module exposes ``run() -> list[dict]``; every row names its baseline, measured in
the same run, and the target it is held to. Figures are medians of repeated runs.
"""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _load(path: Path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def fmt(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    return f"{seconds * 1e3:.3f} ms" if seconds < 1 else f"{seconds:.2f} s"


def table(rows: list[dict]) -> str:
    lines = [f"{'benchmark':<44} {'median':>12} {'baseline':<28} {'baseline median':>16} {'ratio':>7}  target"]
    for r in rows:
        base = r.get("baseline_median_s")
        ratio = f"{r['median_s'] / base:.2f}" if base else "-"
        lines.append(f"{r['name']:<44} {fmt(r['median_s']):>12} {r.get('baseline') or '-':<28} "
                     f"{fmt(base):>16} {ratio:>7}  {r.get('target', '')}")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    wanted = set(argv)
    rows = []
    for path in sorted(HERE.glob("bench_*.py")):
        topic = path.stem.removeprefix("bench_")
        if wanted and topic not in wanted:
            continue
        print(f"running {path.name} ...", file=sys.stderr, flush=True)
        rows += _load(path).run()
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
