"""How check cells become verdicts: by their casl metadata and their own report, never by position."""
from __future__ import annotations

import pytest

from casl.grading.plugin import join
from grading_helpers import casl_cli


def summary(*cells, **run):
    return {"cells": list(cells), "kernel_alive": run.get("alive", True), "timed_out": run.get("timed_out", False),
            "budget_exceeded": run.get("budget", False)}


def check(exercise, outcome, *results, reason=""):
    return {"id": f"{exercise}-check", "casl": [exercise, "check"], "outcome": outcome, "reason": reason,
            "results": list(results)}


def result(exercise, status, points, message=""):
    return {"exercise": exercise, "status": status, "points": points, "max": 2, "message": message}


def test_correct_needs_both_the_report_and_the_matching_output():
    assert join(summary(check("a.b", "passed", result("a.b", "correct", 2)))) == {
        "a.b": {"status": "correct", "points": 2, "message": ""}}
    failed = join(summary(check("a.b", "failed", result("a.b", "correct", 2))))["a.b"]
    assert failed["status"] == "error" and failed["points"] == 0
    assert "output differs from the reference" in failed["message"]


def test_a_failure_that_does_not_fail_the_cell_is_not_trusted():
    verdict = join(summary(check("a.b", "passed", result("a.b", "incorrect", 1, "no"))))["a.b"]
    assert verdict == {"status": "error", "points": 0, "message": "the check reported incorrect but did not raise"}


def test_partial_credit_passes_through():
    verdict = join(summary(check("a.b", "failed", result("a.b", "incorrect", 1, "half"))))["a.b"]
    assert verdict == {"status": "incorrect", "points": 1, "message": "half"}


def test_results_for_another_exercise_do_not_count():
    verdict = join(summary(check("a.b", "passed", result("c.d", "correct", 2))))["a.b"]
    assert verdict["status"] == "error" and verdict["points"] == 0


def test_cells_without_casl_metadata_are_ignored_wherever_they_are():
    free = {"id": "x", "casl": None, "outcome": "passed", "reason": "", "results": [result("a.b", "correct", 2)]}
    answer = {"id": "y", "casl": ["a.b", "answer"], "outcome": "passed", "reason": "", "results": []}
    assert join(summary(free, answer)) == {}
    assert join(summary(free, answer, check("a.b", "failed", result("a.b", "not-attempted", 0))))["a.b"]["status"] == \
        "not-attempted"


@pytest.mark.parametrize("cell, run, message", [
    (check("a.b", "skipped", reason="the notebook's time budget is used up"), {"budget": True},
     "not run: the notebook's time budget was used up"),
    (check("a.b", "xfailed"), {"timed_out": True}, "not judged: a cell timed out"),
    (check("a.b", "failed", reason="Kernel dead on test start"), {"alive": False}, "not judged: the kernel died"),
    (check("a.b", "failed", reason="boom"), {}, "the check cell failed without a result (boom)"),
])
def test_no_result_says_why(cell, run, message):
    assert join(summary(cell, **run))["a.b"] == {"status": "error", "points": 0, "message": message}


def test_grade_command_errors_are_clear(tmp_path):
    nb = tmp_path / "a.ipynb"
    nb.write_text("{}", encoding="utf-8")
    proc = casl_cli("grade", str(nb), "--out", str(tmp_path / "out"), "--release", str(tmp_path / "none"), "-n", "0")
    assert proc.returncode == 2 and proc.stderr.strip() == "casl grade: error: -n must be at least 1"
    proc = casl_cli("grade", str(nb), "--out", str(tmp_path / "out"), "--release", str(tmp_path))
    assert proc.returncode == 2
    assert "casl grade: error: a.ipynb: not a readable release notebook (Notebook could not be converted" in proc.stderr
    plain = tmp_path / "rel" / "plain.ipynb"
    plain.parent.mkdir()
    plain.write_text('{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}', encoding="utf-8")
    proc = casl_cli("grade", str(nb), "--out", str(tmp_path / "out"), "--release", str(plain.parent))
    assert proc.returncode == 2 and "none of the release notebooks has exercises" in proc.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    proc = casl_cli("grade", str(empty), "--out", str(tmp_path / "out"), "--release", str(tmp_path))
    assert proc.returncode == 2 and "no submissions to grade" in proc.stderr
    assert "Traceback" not in proc.stderr
