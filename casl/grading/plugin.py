"""pytest plugin for ``casl grade``: nbval's pass/fail per cell, joined with what each check reported.

Loaded with ``-p casl.grading.plugin`` next to ``--nbval-lax``. For every notebook it writes
``casl-grade.json`` into the notebook's folder when the notebook's last cell is done:

* each code cell nbval ran: its id, its casl metadata (exercise and role: cells are told apart by
  metadata, never by nbval's ``Cell N`` names), nbval's outcome and a one-line reason;
* each check cell's structured result, read from the lines the check appended to
  ``casl-results.jsonl`` while that cell ran (``CASL_GRADE_RESULTS``, set by the grader);
* per exercise the verdict of :func:`join`; whether the kernel was alive at the end; whether a
  cell timed out; whether the notebook's time budget ran out.

What the kernel computes is trustworthy: the rebuilt notebook holds only the release's code and
literal answers. This plugin also makes nbval notice a dead kernel within a second instead of
waiting out the cell timeout (nbval 0.11's ``await_reply`` only polls the shell channel).
"""
from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import pytest

RESULTS_FILE = "casl-results.jsonl"
SUMMARY_FILE = "casl-grade.json"
ENV_BUDGET = "CASL_GRADE_NOTEBOOK_TIMEOUT"

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_notebooks: dict[str, dict] = {}


class KernelDied(RuntimeError):
    """The kernel process ended while a cell was running."""


def _is_cell(item) -> bool:
    return type(item).__name__ == "IPyNbCell" and hasattr(item, "cell")


def pytest_configure(config):
    try:
        from nbval.kernel import RunningKernel
    except ImportError:
        return
    if getattr(RunningKernel, "_casl_patched", False):
        return
    from queue import Empty

    def await_reply(self, msg_id, timeout=None):
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            wait = 1.0 if deadline is None else max(0.0, min(1.0, deadline - time.monotonic()))
            try:
                msg = self.get_message(stream="shell", timeout=wait)
            except Empty:
                if not self.is_alive():
                    raise KernelDied("the kernel died while running this cell") from None
                if deadline is not None and time.monotonic() >= deadline:
                    raise
                continue
            if msg["parent_header"].get("msg_id") == msg_id:
                if msg["content"]["status"] == "aborted":
                    raise RuntimeError("Kernel aborted execution request")
                return

    RunningKernel.await_reply = await_reply
    RunningKernel._casl_patched = True
    config._casl_cell_timeout = config.option.nbval_cell_timeout


def _state(item) -> dict:
    key = str(item.path)
    if key not in _notebooks:
        _notebooks[key] = {"folder": Path(item.path).parent, "cells": [], "started": time.monotonic(),
                           "budget_exceeded": False, "offset": 0}
    return _notebooks[key]


def _results_size(folder: Path) -> int:
    try:
        return (folder / RESULTS_FILE).stat().st_size
    except OSError:
        return 0


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    if not _is_cell(item):
        return
    st = _state(item)
    st["offset"] = _results_size(st["folder"])
    budget = float(os.environ.get(ENV_BUDGET, "0") or 0)
    if budget > 0:
        remaining = budget - (time.monotonic() - st["started"])
        if remaining <= 0:
            st["budget_exceeded"] = True
            pytest.skip("the notebook's time budget is used up")
        # a cell may run at most what is left of the notebook's budget
        base = getattr(item.config, "_casl_cell_timeout", item.config.option.nbval_cell_timeout)
        item.config.option.nbval_cell_timeout = max(1.0, min(base, remaining))


def _reason(call, report) -> str:
    if report.skipped:
        longrepr = report.longrepr
        text = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
        if hasattr(report, "wasxfail"):
            text = "a previous cell timed out"
        return re.sub(r"^Skipped: ", "", text)
    if call.excinfo is None:
        return ""
    exc = call.excinfo.value
    text = str(exc)
    inner = getattr(exc, "inner_traceback", None)
    if inner:
        lines = [_ANSI.sub("", line).strip() for line in str(inner).splitlines() if line.strip()]
        if lines:
            text = f"{text}: {lines[-1]}"
    return " ".join(_ANSI.sub("", text).split())[:300]


def _new_results(folder: Path, offset: int) -> list[dict]:
    path = folder / RESULTS_FILE
    if not path.exists():
        return []
    with path.open("rb") as fh:
        fh.seek(offset)
        data = fh.read()
    lines = []
    for raw in data.decode("utf-8", "replace").splitlines():
        try:
            entry = json.loads(raw)
        except ValueError:
            continue
        if isinstance(entry, dict):
            lines.append(entry)
    return lines


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if not _is_cell(item):
        return
    st = _state(item)
    if call.when == "call" or (call.when == "setup" and not report.passed):
        from casl.grading.cells import casl_role

        outcome_name = "xfailed" if hasattr(report, "wasxfail") else report.outcome
        st["cells"].append({
            "id": item.cell.get("id"),
            "casl": list(casl_role(item.cell) or []) or None,
            "outcome": outcome_name,
            "reason": _reason(call, report),
            "results": _new_results(st["folder"], st["offset"]),
        })


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_teardown(item, nextitem):
    if not _is_cell(item):
        return
    if nextitem is not None and getattr(nextitem, "parent", None) is item.parent:
        return
    st = _state(item)
    kernel = getattr(item.parent, "kernel", None)
    summary = {
        "cells": st["cells"],
        "kernel_alive": bool(kernel is not None and kernel.is_alive()),
        "timed_out": bool(getattr(item.parent, "timed_out", False)),
        "budget_exceeded": st["budget_exceeded"],
        "seconds": round(time.monotonic() - st["started"], 3),
    }
    summary["exercises"] = join(summary)
    tmp = st["folder"] / (SUMMARY_FILE + ".tmp")
    tmp.write_text(json.dumps(summary, sort_keys=True, indent=1), encoding="utf-8")
    os.replace(tmp, st["folder"] / SUMMARY_FILE)


def join(summary: dict) -> dict[str, dict]:
    """Per exercise: status, points and message, from a check cell's nbval outcome and its own report.

    >>> cell = {"casl": ["a.b", "check"], "outcome": "failed", "reason": "Cell execution caused an exception",
    ...         "results": [{"exercise": "a.b", "status": "incorrect", "points": 1, "max": 2, "message": "no"}]}
    >>> join({"cells": [cell], "kernel_alive": True, "timed_out": False, "budget_exceeded": False})
    {'a.b': {'status': 'incorrect', 'points': 1, 'message': 'no'}}
    """
    verdicts: dict[str, dict] = {}
    for cell in summary["cells"]:
        if not cell.get("casl") or cell["casl"][1] != "check":
            continue
        exercise = cell["casl"][0]
        mine = [r for r in cell.get("results", []) if r.get("exercise") == exercise]
        result = mine[-1] if mine else None
        passed = cell["outcome"] == "passed"
        if result is not None and result.get("status") == "correct":
            verdict = ({"status": "correct", "points": result.get("points", 0), "message": ""} if passed else
                       {"status": "error", "points": 0,
                        "message": "the check reported Correct, but its output differs from the reference"})
        elif result is not None:
            verdict = {"status": result.get("status", "error"), "points": result.get("points", 0),
                       "message": result.get("message", "")}
            if passed:   # a check that reports a failure must raise; if nbval saw no error, trust neither
                verdict = {"status": "error", "points": 0,
                           "message": f"the check reported {result.get('status')} but did not raise"}
        else:
            verdict = {"status": "error", "points": 0, "message": _no_result(cell, summary)}
        verdicts[exercise] = verdict
    return verdicts


def _no_result(cell: dict, summary: dict) -> str:
    if summary.get("budget_exceeded") and cell["outcome"] == "skipped":
        return "not run: the notebook's time budget was used up"
    if cell["outcome"] == "xfailed" or summary.get("timed_out"):
        return "not judged: a cell timed out"
    reason = cell.get("reason", "")
    if "Kernel dead" in reason or "kernel died" in reason or not summary.get("kernel_alive", True):
        return "not judged: the kernel died"
    return f"the check cell failed without a result ({reason})" if reason else "the check cell reported no result"
