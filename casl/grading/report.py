"""The grader's outputs: ``gradebook.csv``, ``report.json`` and ``lms.csv``.

``gradebook.csv`` (stable): ``learner`` (the file name without ``.ipynb``; one that starts with
``=``, ``+``, ``-`` or ``@`` gets a leading ``'`` so that spreadsheets do not run it as a formula),
one column per exercise id with the points earned (empty when the exercise is not in that
learner's notebook), ``total``, ``max``. One row per submission, sorted by learner.

``lms.csv``: ``learner``, ``score``, ``max``, ``percentage`` (score / max * 100, one decimal) —
the four columns most learning-management systems import as a grade column.

``report.json``: per submission its notebook, status (``graded``, ``invalid``, ``not-run``),
points, and per exercise ``status`` (correct, incorrect, not-attempted, rejected, error),
``points``, ``max`` and ``message``; the ``findings`` (changes to locked cells, ``tamper`` true
for those ordinary use cannot produce); and ``run`` notes (kernel died, timeouts).
"""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from casl.exercises.outcomes import STATUSES

REPORT_VERSION = 1


def _fmt(points) -> str:
    return "" if points is None else f"{points:g}"


def _combine(answer, verdict, max_points, summary, run_note) -> dict:
    if answer is not None and answer.status == "rejected":
        status, points, message = "rejected", 0, answer.message
    elif answer is not None and answer.status == "not-attempted":
        status, points, message = "not-attempted", 0, answer.message or "the placeholder was not replaced"
    elif verdict is None:
        status, points = "error", 0
        message = ("the check cell did not run" if summary is not None
                   else run_note or "the notebook was not run to the end")
    else:
        status, points, message = verdict["status"], verdict.get("points", 0), verdict.get("message", "")
        if status not in STATUSES:
            status, points, message = "error", 0, f"unexpected result {status!r}"
        if status == "not-attempted":
            points = 0
        if not isinstance(points, (int, float)) or isinstance(points, bool):
            status, points, message = "error", 0, f"unexpected points {points!r}"
        points = max(0, min(points, max_points))
    return {"status": status, "points": points, "max": max_points, "message": message}


def _run_notes(summary: dict | None, run_note: str | None) -> dict:
    if summary is None:
        return {"finished": False, "notes": [run_note or "the notebook did not finish"]}
    notes = []
    if not summary.get("kernel_alive", True):
        notes.append("the kernel died")
    if summary.get("timed_out"):
        notes.append("a cell timed out")
    if summary.get("budget_exceeded"):
        notes.append("the notebook's time budget ran out")
    for cell in summary.get("cells", []):
        if cell["outcome"] != "passed" and not (cell.get("casl") and cell["casl"][1] == "check"):
            notes.append(f"cell {cell['id']} {cell['outcome']}: {cell.get('reason', '')}".strip())
            break
    return {"finished": True, "kernel_alive": summary.get("kernel_alive", True),
            "timed_out": summary.get("timed_out", False), "budget_exceeded": summary.get("budget_exceeded", False),
            "notes": notes}


def build_report(prepared, summaries: dict[int, dict | None], releases: dict, run_note: str | None = None) -> dict:
    """Join what was prepared with what ran; one entry per submission, sorted by learner."""
    used = {s.release.stem for s in prepared if s.release is not None}
    fallback = next(iter(releases.values())) if len(releases) == 1 else (
        releases[sorted(used)[0]] if len(used) == 1 else None)
    columns = []
    for stem in sorted(used | ({fallback.stem} if fallback else set())):
        for ex in releases[stem].exercises:
            columns.append({"id": ex.id, "notebook": stem, "title": ex.title, "max": ex.max_points})
    entries = []
    for n, sub in enumerate(prepared):
        entry = {"learner": sub.learner, "file": sub.path.name, "findings": sub.findings}
        release = sub.release or fallback
        entry["notebook"] = release.stem if release else None
        if sub.error is not None:
            entry.update(status="invalid", error=sub.error, run={"finished": False, "notes": [sub.error]})
            entry["exercises"] = {ex.id: {"status": "error", "points": 0, "max": ex.max_points,
                                          "message": sub.error} for ex in (release.exercises if release else ())}
        else:
            summary = summaries.get(n)
            verdicts = (summary or {}).get("exercises", {})
            entry["status"] = "graded" if summary is not None else "not-run"
            entry["error"] = None
            entry["run"] = _run_notes(summary, run_note)
            entry["exercises"] = {ex.id: _combine(sub.answers.get(ex.id), verdicts.get(ex.id), ex.max_points,
                                                  summary, run_note) for ex in release.exercises}
        entry["points"] = sum(e["points"] for e in entry["exercises"].values())
        entry["max"] = sum(ex.max_points for ex in release.exercises) if release else None
        entry["tampered"] = any(f["tamper"] for f in sub.findings)
        entries.append(entry)
    entries.sort(key=lambda e: (e["learner"], e["file"]))
    return {"casl_report": REPORT_VERSION, "exercises": columns, "submissions": entries}


def _cell(text: str) -> str:
    """A learner name made safe for spreadsheets: a leading = + - @ would start a formula.

    >>> _cell("=HYPERLINK(1)"), _cell("alice")
    ("'=HYPERLINK(1)", 'alice')
    """
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def gradebook_csv(report: dict) -> str:
    ids = [c["id"] for c in report["exercises"]]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["learner", *ids, "total", "max"])
    for e in report["submissions"]:
        writer.writerow([_cell(e["learner"]), *(_fmt(e["exercises"][i]["points"]) if i in e["exercises"] else "" for i in ids),
                         _fmt(e["points"]), _fmt(e["max"])])
    return out.getvalue()


def lms_csv(report: dict) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["learner", "score", "max", "percentage"])
    for e in report["submissions"]:
        pct = f"{100 * e['points'] / e['max']:.1f}" if e["max"] else ""
        writer.writerow([_cell(e["learner"]), _fmt(e["points"]), _fmt(e["max"]), pct])
    return out.getvalue()


def write_all(report: dict, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    # Learners' files can carry text that is not valid Unicode (a lone surrogate in a cell id):
    # it is written escaped rather than stopping the whole report.
    (out / "gradebook.csv").write_text(gradebook_csv(report), encoding="utf-8", errors="backslashreplace")
    (out / "lms.csv").write_text(lms_csv(report), encoding="utf-8", errors="backslashreplace")
    (out / "report.json").write_text(json.dumps(report, indent=1, sort_keys=True, ensure_ascii=False) + "\n",
                                     encoding="utf-8", errors="backslashreplace")
