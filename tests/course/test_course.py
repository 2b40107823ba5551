"""The course as shipped: every notebook built, linted, shaped like a lab, and every exercise honest.

Each exercise of the real catalog is judged the way a learner's notebook would judge it: on the
placeholder (not attempted), on the solution (correct), and on each declared wrong answer (the
declared feedback and points). Action exercises run their commands in the lab the notebook opens.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

import casl
from casl.exercises import registry
from casl.exercises.catalog import NOTEBOOKS
from tests.conftest import REPO

RELEASES = sorted((REPO / "notebooks").glob("*.ipynb"))
SOURCES = sorted((REPO / "course").glob("*.py"))
LAB_SECTIONS = ("What you will be able to do", "The idea", "Explore", "Break it", "Diagnose", "Repair",
                "Checked exercises", "Recap")


def _cells(path):
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _src(cell):
    return "".join(cell["source"])


def test_every_source_has_its_release_and_catalog_entry():
    assert [p.stem for p in SOURCES] == [p.stem for p in RELEASES]
    assert set(NOTEBOOKS) == {p.stem for p in RELEASES}


def test_releases_pass_casl_lint():
    run = subprocess.run([sys.executable, "-m", "casl.cli", "lint"], cwd=REPO, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


@pytest.mark.parametrize("path", RELEASES, ids=lambda p: p.stem)
def test_release_is_executed_and_clean(path):
    for cell in _cells(path):
        if cell["cell_type"] != "code":
            continue
        role = cell["metadata"].get("casl", {}).get("role")
        if role == "answer":
            assert cell["execution_count"] is None and cell["outputs"] == []
        else:
            assert cell["execution_count"] is not None, f"cell {cell['id']} was never run"
        if "raises-exception" not in cell["metadata"].get("tags", []):
            assert not [o for o in cell["outputs"] if o["output_type"] == "error"], cell["id"]


@pytest.mark.parametrize("path", [p for p in RELEASES if not p.stem.startswith("00-")], ids=lambda p: p.stem)
def test_lab_notebook_anatomy(path):
    headings = [line for c in _cells(path) if c["cell_type"] == "markdown"
                for line in _src(c).splitlines() if line.startswith("#")]
    found = [s for s in LAB_SECTIONS if any(s.lower() in h.lower() for h in headings)]
    assert found == list(LAB_SECTIONS)
    assert any("```mermaid" in _src(c) for c in _cells(path)), "the idea needs a diagram"
    assert len(registry.for_notebook(path.stem)) >= 4


def _exercise_labs() -> dict[str, str]:
    """Exercise id -> the lab its notebook has open when the answer cell runs."""
    out = {}
    for path in RELEASES:
        current = None
        for cell in _cells(path):
            for name in re.findall(r'open_lab\("([^"]+)"', _src(cell)):
                current = name
            meta = cell["metadata"].get("casl", {})
            if meta.get("role") == "answer":
                out[meta["exercise"]] = current
    return out


LABS = _exercise_labs()
ALL = sorted(registry.exercises().values(), key=lambda e: e.id)
ACTIONS = [e for e in ALL if e.kind == "action"]
VALUES = [e for e in ALL if e.kind == "value"]


def _lab_after(ex, commands: str | None):
    lab = casl.open_lab(LABS[ex.id], state=None)
    if commands:
        lab.shell(ex.server).run(commands)
    return lab


@pytest.mark.parametrize("ex", ACTIONS, ids=lambda e: e.id)
def test_action_exercise_judges_the_lab(ex):
    untouched = ex.evaluate(lab=_lab_after(ex, None))
    assert untouched.status == "not-attempted" and untouched.points == 0, untouched.line
    solved = ex.evaluate(lab=_lab_after(ex, ex.solution))
    assert solved.correct, solved.line
    for wrong in ex.wrong:
        got = ex.evaluate(lab=_lab_after(ex, wrong.answer))
        assert not got.correct and wrong.feedback in got.message, (wrong.answer, got.line)
        assert got.points == wrong.points, (wrong.answer, got.line)


@pytest.mark.parametrize("ex", VALUES, ids=lambda e: e.id)
def test_value_exercise_feedback(ex):
    assert ex.evaluate({n: ... for n in ex.names}).status == "not-attempted"
    assert ex.evaluate(ex.solution_values()).correct
    for wrong in ex.wrong:
        got = ex.evaluate(ex.wrong_answer_values(wrong))
        assert not got.correct and wrong.feedback in got.message, (wrong.answer, got.line)
        assert got.points == wrong.points, (wrong.answer, got.line)


def test_build_makes_widget_ids_and_streams_independent_of_the_run():
    import nbformat

    from casl.grading.build import WIDGET_VIEW, coalesce_streams, stable_widget_ids

    def run(model_id, chunks):
        cell = nbformat.v4.new_code_cell("x", id="c1")
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=t) for t in chunks]
        cell.outputs.append(nbformat.v4.new_output("display_data", data={WIDGET_VIEW: {"model_id": model_id}}))
        nb = nbformat.v4.new_notebook(cells=[cell])
        stable_widget_ids(nb)
        coalesce_streams(nb)
        return nb

    one, two = run("aaaa", ["UserA ok\n", "UserB ok\n"]), run("bbbb", ["UserA ok\nUserB ok\n"])
    assert one == two
    assert [o["output_type"] for o in one.cells[0].outputs] == ["stream", "display_data"]
