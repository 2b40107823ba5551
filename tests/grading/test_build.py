"""``casl build`` and ``casl solve``: one source makes a solved notebook that passes and a stable release."""
from __future__ import annotations

import json
import shutil

import pytest

from grading_helpers import COURSE, casl_cli, write_nb

STEMS = ("90-values", "91-actions", "92-robust")


def code_cells(nb: dict) -> list[dict]:
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


def casl_cells(nb: dict, role: str) -> list[dict]:
    return [c for c in nb["cells"] if c["metadata"].get("casl", {}).get("role") == role]


@pytest.mark.parametrize("stem", STEMS)
def test_solved_notebooks_pass_every_check(built, stem):
    from casl.exercises import registry

    nb = built.nb(stem, solved=True)
    checks = casl_cells(nb, "check")
    assert [c["metadata"]["casl"]["exercise"] for c in checks] == [e.id for e in registry.for_notebook(stem)]
    for c in checks:
        ex = registry.get(c["metadata"]["casl"]["exercise"])
        (out,) = c["outputs"]
        assert out["output_type"] == "display_data"
        assert "".join(out["data"]["text/plain"]) == f"Correct: {ex.id} ({ex.max_points:g}/{ex.max_points:g} points)"
    assert not any(o["output_type"] == "error" for c in code_cells(nb) for o in c["outputs"])


@pytest.mark.parametrize("stem", STEMS)
def test_release_holds_placeholders_and_pinned_checks(built, stem):
    release, solved = built.nb(stem), built.nb(stem, solved=True)
    assert release["metadata"]["casl"] == {"notebook": stem}
    for answer in casl_cells(release, "answer"):
        assert answer["outputs"] == [] and answer["execution_count"] is None
        source = "".join(answer["source"])
        assert "BEGIN SOLUTION" not in source and "444" not in source and '"ok"' not in source
    assert casl_cells(release, "check") == casl_cells(solved, "check")
    for check in casl_cells(release, "check"):
        assert check["metadata"]["editable"] is False and check["metadata"]["deletable"] is False
        assert "nbval-check-output" in check["metadata"]["tags"]
        assert isinstance(check["execution_count"], int)


def test_placeholders():
    from casl.exercises import registry
    from casl.grading.build import placeholder

    src = "# Replace the ... with the port number.\n### BEGIN SOLUTION\nbackend_port = 444\n### END SOLUTION\n"
    assert placeholder(src, registry.get("testcourse.backend-port")) == "# Replace the ... with the port number.\nbackend_port = ..."
    src = "%%ps ServerA\n### BEGIN SOLUTION\nSet-WebBinding -Name x\n### END SOLUTION"
    assert placeholder(src, registry.get("testcourse.fix-backend-port")) == (
        "%%ps ServerA\n# Type the commands for ServerA below, one per line: this cell runs on ServerA, not in Python.")


def test_releases_are_byte_identical_across_builds(built):
    for stem in ("90-values", "91-actions"):
        assert (built.release / f"{stem}.ipynb").read_bytes() == (built.again / f"{stem}.ipynb").read_bytes()
    text = (built.release / "90-values.ipynb").read_text(encoding="utf-8")
    assert text.endswith("}\n") and "execution" not in json.loads(text)["cells"][1]["metadata"]
    assert json.loads(text)["metadata"]["kernelspec"]["name"] == "python3"


def test_build_check_passes_when_up_to_date_and_fails_when_a_release_differs(built, tmp_path):
    ok = casl_cli("build", "--check", "--course", str(COURSE), "--out", str(built.release), "90-values")
    assert ok.returncode == 0, ok.stderr
    assert "1 release(s) up to date" in ok.stdout
    stale = tmp_path / "notebooks"
    stale.mkdir()
    nb = built.nb("90-values")
    nb["cells"][0]["source"] = "# An edited title"
    write_nb(stale / "90-values.ipynb", nb)
    shutil.copy(built.release / "91-actions.ipynb", stale / "91-actions.ipynb")
    bad = casl_cli("build", "--check", "--course", str(COURSE), "--out", str(stale))
    assert bad.returncode == 1
    lines = bad.stderr.splitlines()
    assert any(line.startswith("casl build --check: notebooks/90-values.ipynb line ") and "An edited title" in line
               for line in lines), bad.stderr
    assert not any("91-actions" in line for line in lines)
    assert "run 'casl build' and commit the notebooks" in bad.stderr
    (stale / "91-actions.ipynb").unlink()
    missing = casl_cli("build", "--check", "--course", str(COURSE), "--out", str(stale), "91-actions")
    assert missing.returncode == 1 and "notebooks/91-actions.ipynb: missing (run casl build)" in missing.stderr


def test_build_refuses_a_course_that_does_not_match_the_catalog(tmp_path):
    source = (COURSE / "90-values.py").read_text(encoding="utf-8")
    bad = source.replace('"testcourse.san-names", "role": "check"', '"testcourse.sans", "role": "check"')
    bad = bad.replace("backend_port = 444", "backend_port = int('444')")
    (tmp_path / "90-values.py").write_text(bad, encoding="utf-8")
    proc = casl_cli("build", "--course", str(tmp_path), "--out", str(tmp_path / "out"))
    assert proc.returncode == 2
    assert "exercise 'testcourse.sans' is not declared for notebook 90-values" in proc.stderr
    assert "the solution is not data: line 1: `int('444')` is a function call" in proc.stderr
    assert "exercise testcourse.san-names has no check cell" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "out").exists()


def test_build_reports_a_solution_that_fails_its_check(tmp_path):
    source = (COURSE / "90-values.py").read_text(encoding="utf-8").replace("backend_port = 444", "backend_port = 443")
    (tmp_path / "90-values.py").write_text(source, encoding="utf-8")
    proc = casl_cli("build", "--course", str(tmp_path), "--out", str(tmp_path / "out"), "--solved", str(tmp_path / "s"))
    assert proc.returncode == 2
    assert ("90-values, cell 5 (`casl.exercise(\"testcourse.backend-port\").check()`): the solved notebook's check "
            "should show 'Correct: testcourse.backend-port (2/2 points)', but showed 'Incorrect: testcourse.backend-port "
            "(0/2 points): 443 is where the Default Web Site listens for clients'") in proc.stderr
    assert "Traceback" not in proc.stderr


def test_solve_fills_in_a_release(built, tmp_path):
    out = tmp_path / "solved.ipynb"
    proc = casl_cli("solve", str(built.release / "90-values.ipynb"), "-o", str(out), "--course", str(COURSE))
    assert proc.returncode == 0, proc.stderr
    nb = json.loads(out.read_text(encoding="utf-8"))
    assert [c["outputs"] for c in casl_cells(nb, "check")] == [c["outputs"] for c in
                                                                casl_cells(built.nb("90-values", solved=True), "check")]
    assert "".join(casl_cells(nb, "answer")[0]["source"]).endswith("backend_port = 444")
