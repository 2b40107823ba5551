"""A submission that hangs or kills its kernel costs only itself; the rest of the batch is graded.

Learners' own cells are never run and answers are literal data (see test_grade.py), so the way a
hang or a crash gets into a graded notebook is a fault in a check that some answer trips. The
test course's 92-robust notebook has such a check: ``mode = "hang"`` never returns, ``mode =
"crash"`` calls ``os._exit``. Two batches: one with a short cell timeout, one where the notebook
budget runs out first.
"""
from __future__ import annotations

import hashlib
import json

import pytest

from grading_helpers import answered, casl_cli, write_nb

ROBUST = "testcourse.robust"


@pytest.fixture(scope="module")
def robust(built, tmp_path_factory):
    root = tmp_path_factory.mktemp("robust")
    release = built.nb("92-robust")
    subs = {
        "hangs": answered(release, {ROBUST: 'mode = "hang"'}),
        "crashes": answered(release, {ROBUST: 'mode = "crash"'}),
        "fine": answered(release, {ROBUST: 'mode = "ok"'}),
        "wrong": answered(release, {ROBUST: 'mode = "nope"'}),
        "values-solved": built.nb("90-values", solved=True),
    }
    paths = [write_nb(root / "subs" / f"{name}.ipynb", nb) for name, nb in subs.items()]
    digest = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}
    proc = casl_cli("grade", str(root / "subs"), "--release", str(built.release), "--out", str(root / "out"),
                    "-n", "2", "--no-progress", "--timeout-cell", "4", "--timeout-notebook", "60")
    report = json.loads((root / "out" / "report.json").read_text(encoding="utf-8"))
    return {"proc": proc, "by": {s["learner"]: s for s in report["submissions"]}, "paths": paths, "digest": digest,
            "out": root / "out"}


def test_a_hanging_check_times_out_and_is_reported(robust):
    entry = robust["by"]["hangs"]
    result = entry["exercises"][ROBUST]
    assert (result["status"], result["points"]) == ("error", 0)
    assert "timed out" in result["message"]
    assert entry["run"]["timed_out"] is True
    assert "a cell timed out" in entry["run"]["notes"]


def test_a_kernel_that_dies_is_reported(robust):
    entry = robust["by"]["crashes"]
    result = entry["exercises"][ROBUST]
    assert (result["status"], result["points"]) == ("error", 0)
    assert "kernel died" in result["message"]
    assert entry["run"]["kernel_alive"] is False
    assert "the kernel died" in entry["run"]["notes"]


def test_the_rest_of_the_batch_is_graded(robust):
    assert robust["proc"].returncode == 0, robust["proc"].stderr
    by = robust["by"]
    assert by["fine"]["exercises"][ROBUST]["status"] == "correct" and by["fine"]["points"] == 1
    assert by["wrong"]["exercises"][ROBUST]["status"] == "incorrect"
    assert "'nope' is not ok" in by["wrong"]["exercises"][ROBUST]["message"]
    assert by["values-solved"]["points"] == by["values-solved"]["max"] == 6
    for learner in ("fine", "wrong", "values-solved"):
        assert by[learner]["run"]["notes"] == [] and by[learner]["run"]["kernel_alive"]


def test_a_folder_is_graded_file_by_file(robust):
    assert set(robust["by"]) == {"hangs", "crashes", "fine", "wrong", "values-solved"}


def test_submissions_are_untouched(robust):
    assert {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in robust["paths"]} == robust["digest"]


def test_gradebook_lists_the_failed_ones_with_zero(robust):
    lines = (robust["out"] / "gradebook.csv").read_text(encoding="utf-8").splitlines()
    rows = {line.split(",")[0]: line.split(",") for line in lines[1:]}
    assert lines[0].split(",")[0] == "learner" and lines[0].split(",")[-2:] == ["total", "max"]
    assert rows["hangs"][-2:] == ["0", "1"] and rows["crashes"][-2:] == ["0", "1"]


def test_an_exhausted_notebook_budget_skips_the_rest(built, tmp_path):
    """With a notebook budget shorter than the cell timeout, the budget ends the hanging notebook."""
    release = built.nb("92-robust")
    paths = [write_nb(tmp_path / "subs" / "hangs.ipynb", answered(release, {ROBUST: 'mode = "hang"'})),
             write_nb(tmp_path / "subs" / "fine.ipynb", answered(release, {ROBUST: 'mode = "ok"'}))]
    proc = casl_cli("grade", *map(str, paths), "--release", str(built.release), "--out", str(tmp_path / "out"),
                    "--no-progress", "--timeout-cell", "60", "--timeout-notebook", "3")
    assert proc.returncode == 0, proc.stderr
    by = {s["learner"]: s for s in json.loads((tmp_path / "out" / "report.json").read_text())["submissions"]}
    assert by["hangs"]["exercises"][ROBUST]["status"] == "error"
    assert by["hangs"]["points"] == 0 and by["hangs"]["run"]["timed_out"]
    assert by["fine"]["exercises"][ROBUST]["status"] == "correct"


def test_the_overall_limit_stops_the_batch_and_says_so(built, tmp_path):
    release = built.nb("92-robust")
    path = write_nb(tmp_path / "hangs.ipynb", answered(release, {ROBUST: 'mode = "hang"'}))
    proc = casl_cli("grade", str(path), "--release", str(built.release), "--out", str(tmp_path / "out"),
                    "--no-progress", "--timeout-cell", "60", "--timeout-total", "4")
    assert proc.returncode == 0, proc.stderr
    (entry,) = json.loads((tmp_path / "out" / "report.json").read_text())["submissions"]
    assert entry["status"] == "not-run" and entry["points"] == 0
    assert "overall limit" in entry["exercises"][ROBUST]["message"]
    assert "overall limit" in entry["run"]["notes"][0]


def test_things_that_are_not_files_are_invalid_without_being_read(built, tmp_path):
    from pathlib import Path

    from casl.grading.submission import load_releases, prepare

    releases = load_releases([built.release])
    for path, why in ((tmp_path, "is not a file"), (Path("/dev/zero"), "is not a file"),
                      (tmp_path / "nothing.ipynb", "cannot be read (no such file)")):
        if not path.exists() and "no such" not in why:
            continue
        sub = prepare(path, path.stem, releases)
        assert sub.rebuilt is None and sub.error == f"{path.name} {why}"
