"""Grading speed: ``casl grade`` against plain nbval on the same notebooks, and ``-n 2`` against ``-n 1``.

Builds the test course's 90-values notebook (tests/grading/data), makes 40 submissions of it (a
mix of solved, wrong and untouched copies) and measures, in the same run:

* ``casl grade -n 2`` (validation, answers taken as data, rebuild, nbval run with the casl plugin,
  reports) against its baseline, ``pytest --nbval-lax --nbval-current-env -n 2 --dist loadscope``
  over the very notebooks ``casl grade`` rebuilt: the overhead of casl's steps; target ratio <= 1.15;
* casl's own per-submission work (read, take the answers, write the rebuilt copy) against the same
  nbval run: what the overhead is made of, apart from starting one more Python process;
* ``casl grade -n 2`` against ``casl grade -n 1``: the speed-up of parallel grading (on 2 cores).

The figures are wall-clock times of whole runs; on a machine busy with other work they vary by tens
of per cent from run to run, so compare ratios from a quiet machine.

Each figure is one run (a run starts 40 kernels), so the whole benchmark takes about 60 to 90
seconds, longer than the usual 20: it is the grading pipeline end to end, nothing smaller says it.

    .venv/bin/python benchmarks/bench_grading.py
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "grading" / "data"
CATALOG = "90-values=casl_testcourse.values,91-actions=casl_testcourse.actions"
SUBMISSIONS = 40
WRONG = ("backend_port = 443", "backend_port = 'port 81'", "backend_port = 'w3wp'")


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(DATA), env.get("PYTHONPATH", "")) if p)
    env["CASL_CATALOG"] = CATALOG
    env.pop("CASL_STATE_DIR", None)
    return env


def _casl(*args: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "casl.cli", *args], env=_env(), check=True, capture_output=True)
    return time.perf_counter() - start


def _submissions(release: Path, solved: Path, folder: Path) -> list[Path]:
    base = json.loads(release.read_text(encoding="utf-8"))
    paths = []
    for n in range(SUBMISSIONS):
        if n % 3 == 0:
            nb = json.loads(solved.read_text(encoding="utf-8"))
        else:
            nb = json.loads(json.dumps(base))
            if n % 3 == 1:
                for cell in nb["cells"]:
                    if cell.get("id") == "testcourse-backend-port-answer":
                        cell["source"] = WRONG[n % len(WRONG)]
        path = folder / f"learner{n:02d}.ipynb"
        path.write_text(json.dumps(nb), encoding="utf-8")
        paths.append(path)
    return paths


def _rebuilt(paths: list[Path], release_dir: Path, work: Path) -> tuple[list[Path], float]:
    """The notebooks ``casl grade`` runs, written the way it writes them (one folder each), and the
    seconds it took to read the submissions, take their answers and write the rebuilt copies."""
    os.environ["CASL_CATALOG"] = CATALOG
    if str(DATA) not in sys.path:
        sys.path.insert(0, str(DATA))
    from casl.grading.build import write
    from casl.grading.submission import load_releases, prepare

    releases = load_releases([release_dir])
    start = time.perf_counter()
    folders = []
    for n, path in enumerate(paths):
        sub = prepare(path, path.stem, releases)
        folder = work / f"s{n:04d}"
        folder.mkdir(parents=True)
        write(sub.rebuilt, folder / f"{sub.release.stem}.ipynb")
        folders.append(folder)
    return folders, time.perf_counter() - start


def _plain_nbval(folders: list[Path], work: Path, workers: int) -> float:
    from casl.grading.grade import Options, pytest_command

    (work / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    cmd = pytest_command(folders, work, Options(workers=workers), plugin=False)
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=work, env=_env(), capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):          # 1: the wrong and untouched copies fail their checks, as they should
        raise RuntimeError(f"pytest failed to run: {proc.stdout[-500:]}")
    return elapsed


def run() -> list[dict]:
    tmp = Path(tempfile.mkdtemp(prefix="casl-bench-grading-"))
    try:
        rel, solved, subs = tmp / "rel", tmp / "solved", tmp / "subs"
        subs.mkdir()
        _casl("build", "--course", str(DATA / "course"), "--out", str(rel), "--solved", str(solved), "90-values")
        paths = _submissions(rel / "90-values.ipynb", solved / "90-values.ipynb", subs)
        folders, prepare_s = _rebuilt(paths, rel, tmp / "work")
        common = ("--release", str(rel), "--no-progress")
        grade2 = _casl("grade", *map(str, paths), "--out", str(tmp / "out2"), "-n", "2", *common)
        nbval2 = _plain_nbval(folders, tmp / "work", 2)
        grade1 = _casl("grade", *map(str, paths), "--out", str(tmp / "out1"), "-n", "1", *common)
        report = json.loads((tmp / "out2" / "report.json").read_text(encoding="utf-8"))
        graded = sum(1 for s in report["submissions"] if s["status"] == "graded")
        if graded != SUBMISSIONS:
            raise RuntimeError(f"only {graded} of {SUBMISSIONS} submissions were graded")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return [
        {"name": f"grading: casl grade {SUBMISSIONS} notebooks -n 2", "median_s": grade2,
         "baseline": "pytest --nbval-lax -n 2", "baseline_median_s": nbval2, "target": "ratio <= 1.15"},
        {"name": f"grading: take answers + rebuild {SUBMISSIONS} notebooks", "median_s": prepare_s,
         "baseline": "pytest --nbval-lax -n 2", "baseline_median_s": nbval2, "target": "ratio <= 0.05"},
        {"name": f"grading: casl grade {SUBMISSIONS} notebooks -n 2 vs -n 1", "median_s": grade2,
         "baseline": "casl grade -n 1", "baseline_median_s": grade1, "target": "ratio < 1 (parallel is faster)"},
    ]


if __name__ == "__main__":
    for row in run():
        ratio = row["median_s"] / row["baseline_median_s"] if row["baseline_median_s"] else None
        print(f"{row['name']}: {row['median_s']:.2f} s; {row['baseline']}: {row['baseline_median_s']:.2f} s; "
              f"ratio {ratio:.2f} (target {row['target']})")
