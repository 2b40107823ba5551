"""``casl grade``: grade learners' notebooks against the pristine releases, in parallel, on copies.

1. prepare every submission (:mod:`casl.grading.submission`): validate, take answers as data,
   note what was changed, rebuild from the release; the submissions are only ever read;
2. write each rebuilt notebook into its own folder under a temporary work folder (nbval starts
   each kernel in the notebook's folder, so labs and results files stay apart);
3. run ``python -m pytest --nbval-lax --nbval-current-env -p casl.grading.plugin`` over them,
   with pytest-xdist ``-n N --dist loadscope`` (a notebook's cells stay on one worker), a cell
   timeout, a per-notebook budget (enforced by the plugin) and an overall limit (enforced here,
   by stopping the run's processes);
4. join each notebook's ``casl-grade.json`` with what step 1 decided (rejected and deleted answers)
   and the declared points, and write ``gradebook.csv``, ``report.json`` and ``lms.csv``.

Anything that goes wrong with one submission is reported for that submission; the batch goes on.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from casl.errors import CaslError
from casl.grading import report as R
from casl.grading.plugin import ENV_BUDGET, RESULTS_FILE, SUMMARY_FILE
from casl.grading.submission import MAX_BYTES, MAX_CELLS, Submission, load_releases, prepare

ENV_RESULTS = "CASL_GRADE_RESULTS"


@dataclass
class Options:
    workers: int = 1
    timeout_cell: float = 60.0
    timeout_notebook: float = 300.0
    timeout_total: float | None = None       # default: derived from the notebook budget
    releases: list[Path] = field(default_factory=list)
    keep_work: bool = False
    progress: bool = True
    max_bytes: int = MAX_BYTES
    max_cells: int = MAX_CELLS


def _learners(paths: list[Path]) -> list[tuple[Path, str]]:
    named, seen = [], {}
    for path in paths:
        # a file name that is not valid UTF-8 comes back from the OS with surrogates; show it readably
        name = os.fsencode(path.stem).decode("utf-8", "replace")
        if name in seen:
            seen[name] += 1
            name = f"{name} ({seen[name]})"      # two files called alice.ipynb: keep both, tell them apart
        else:
            seen[name] = 1
        named.append((path, name))
    return named


def grade(submissions: list[Path], out: Path, options: Options) -> dict:
    """Grade the files, write the outputs into ``out``, and return the report."""
    if not options.releases:
        raise CaslError("no release notebooks to grade against")
    releases = load_releases(options.releases)
    if not releases:
        raise CaslError("none of the release notebooks has exercises")
    prepared = [prepare(p, name, releases, max_bytes=options.max_bytes, max_cells=options.max_cells)
                for p, name in _learners(submissions)]
    work = Path(tempfile.mkdtemp(prefix="casl-grade-"))
    try:
        folders: dict[int, Path] = {}
        for n, sub in enumerate(prepared):
            if sub.rebuilt is None:
                continue
            folder = work / f"s{n:04d}"
            folder.mkdir()
            from casl.grading.build import write
            write(sub.rebuilt, folder / f"{sub.release.stem}.ipynb")
            folders[n] = folder
        run = _run_pytest(work, list(folders.values()), options) if folders else {"note": None}
        summaries = {n: _read_summary(folder) for n, folder in folders.items()}
        report = R.build_report(prepared, summaries, releases, run_note=run.get("note"))
    finally:
        if options.keep_work:
            print(f"casl grade: work folder kept at {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    R.write_all(report, out)
    return report


def _read_summary(folder: Path) -> dict | None:
    path = folder / SUMMARY_FILE
    if not path.exists():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        return None


def pytest_command(folders: list[Path], work: Path, options: Options, *, plugin: bool = True) -> list[str]:
    """The pytest command line that runs the rebuilt notebooks (also used by the benchmark)."""
    cmd = [sys.executable, "-m", "pytest", "--nbval-lax", "--nbval-current-env",
           "-c", str(work / "pytest.ini"), "--rootdir", str(work), "-p", "no:cacheprovider",
           "-q", "--color=no", "--nbval-cell-timeout", f"{options.timeout_cell:g}"]
    if plugin:
        cmd += ["-p", "casl.grading.plugin"]
    if options.workers > 1:
        cmd += ["-n", str(options.workers), "--dist", "loadscope"]
    return cmd + [str(f) for f in folders]


def _run_pytest(work: Path, folders: list[Path], options: Options) -> dict:
    (work / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    env = dict(os.environ)
    env[ENV_RESULTS] = RESULTS_FILE
    env[ENV_BUDGET] = f"{options.timeout_notebook:g}"
    env.pop("JPY_SESSION_NAME", None)          # each rebuilt notebook is its own session
    # Labs keep their state beside each rebuilt notebook: a shared state folder would let one
    # learner's commands leak into another's lab when notebooks run in parallel.
    env.pop("CASL_STATE_DIR", None)
    env.pop("CASL_SOLUTIONS", None)
    limit = options.timeout_total
    if limit is None:
        batches = -(-len(folders) // max(1, options.workers))
        limit = 60 + batches * (options.timeout_notebook + options.timeout_cell)
    log = (work / "pytest.log").open("wb")
    proc = subprocess.Popen(pytest_command(folders, work, options), cwd=work, env=env,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    note = None
    bar = _progress(len(folders), options.progress)
    start = time.monotonic()
    done = 0
    try:
        while proc.poll() is None:
            time.sleep(0.2)
            now_done = sum(1 for f in folders if (f / SUMMARY_FILE).exists())
            if bar is not None and now_done > done:
                bar.update(now_done - done)
            done = now_done
            if time.monotonic() - start > limit:
                _stop(proc)
                note = f"the grading run was stopped after {limit:g} seconds (overall limit)"
                break
    finally:
        if proc.poll() is None:
            _stop(proc)
        log.close()
        if bar is not None:
            bar.update(sum(1 for f in folders if (f / SUMMARY_FILE).exists()) - done)
            bar.close()
    if note is None and proc.returncode not in (0, 1):
        tail = (work / "pytest.log").read_text(errors="replace").strip().splitlines()[-3:]
        note = f"pytest ended with exit code {proc.returncode}: {' / '.join(tail)}"
    return {"note": note}


def _progress(total: int, enabled: bool):
    if not enabled:
        return None
    from tqdm import tqdm
    return tqdm(total=total, desc="grading", unit="notebook", file=sys.stderr)


def _stop(proc: subprocess.Popen) -> None:
    """Stop pytest, its xdist workers and their kernels: only processes this run started."""
    import psutil

    try:
        parent = psutil.Process(proc.pid)
        family = parent.children(recursive=True) + [parent]
    except psutil.NoSuchProcess:
        return
    for p in family:
        try:
            p.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(family, timeout=10)
    proc.wait(timeout=10)


__all__ = ["Options", "Submission", "grade", "pytest_command"]
