"""``casl lint``: what must hold in a release for grading to be trustworthy, one finding per violation."""
from __future__ import annotations

import copy

import nbformat
import pytest

from grading_helpers import casl_cli, cell, write_nb

CHECK = "testcourse-backend-port-check"
ANSWER = "testcourse-backend-port-answer"


def lint(nb: dict, stem: str = "90-values") -> list[str]:
    from casl.grading.lint import lint_release

    return lint_release(nbformat.from_dict(copy.deepcopy(nb)), stem)


def test_built_releases_are_clean(built):
    for stem in ("90-values", "91-actions", "92-robust"):
        assert lint(built.nb(stem), stem) == []
    proc = casl_cli("lint", str(built.release))
    assert proc.returncode == 0 and proc.stdout.strip() == "casl lint: no findings", proc.stdout + proc.stderr


def unlocked(nb):
    cell(nb, CHECK)["metadata"]["editable"] = True


def undeletable_missing(nb):
    del cell(nb, CHECK)["metadata"]["deletable"]


def untagged(nb):
    cell(nb, CHECK)["metadata"]["tags"] = []


def unexecuted(nb):
    cell(nb, CHECK)["execution_count"] = None


def output_edited(nb):
    cell(nb, CHECK)["outputs"][0]["data"]["text/plain"] = "Correct: testcourse.backend-port (3/2 points)"


def markdown_edited(nb):
    cell(nb, CHECK)["outputs"][0]["data"]["text/markdown"] = "**Correct**"


def no_output(nb):
    cell(nb, CHECK)["outputs"] = []


def unknown_exercise(nb):
    cell(nb, CHECK)["metadata"]["casl"]["exercise"] = "testcourse.backend-prot"


def may_stop_run_all(nb):
    cell(nb, CHECK)["metadata"]["tags"].remove("raises-exception")


def wrong_id(nb):
    cell(nb, CHECK)["id"] = "check-1"


def check_deleted(nb):
    nb["cells"].remove(cell(nb, CHECK))


def answer_deleted(nb):
    nb["cells"].remove(cell(nb, ANSWER))


def check_before_answer(nb):
    c = cell(nb, CHECK)
    nb["cells"].remove(c)
    nb["cells"].insert(0, c)


def solution_left_in(nb):
    cell(nb, ANSWER)["source"] = "backend_port = 444"


def answer_with_output(nb):
    cell(nb, ANSWER)["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "hi\n"}]


def duplicate_check(nb):
    dup = copy.deepcopy(cell(nb, CHECK))
    nb["cells"].append(dup)


def bad_metadata(nb):
    cell(nb, CHECK)["metadata"]["casl"] = {"exercise": "testcourse.backend-port", "role": "grader"}


def no_stem(nb):
    del nb["metadata"]["casl"]


def old_format(nb):
    nb["nbformat_minor"] = 4


VIOLATIONS = {
    unlocked: f"{CHECK}: check cell is not locked (editable and deletable must be false)",
    undeletable_missing: f"{CHECK}: check cell is not locked",
    untagged: f"{CHECK}: check cell lacks the nbval-check-output tag",
    may_stop_run_all: f"{CHECK}: check cell lacks the raises-exception tag",
    unexecuted: f"{CHECK}: check cell was not executed",
    output_edited: f"{CHECK}: check cell does not store its pinned output 'Correct: testcourse.backend-port (2/2 points)'",
    markdown_edited: f"{CHECK}: check cell does not store its pinned output",
    no_output: f"{CHECK}: check cell does not store its pinned output",
    unknown_exercise: f"{CHECK}: names exercise 'testcourse.backend-prot', which is not declared for 90-values",
    wrong_id: "check-1: the check cell of testcourse.backend-port should have id testcourse-backend-port-check",
    check_deleted: "exercise testcourse.backend-port has no check cell",
    answer_deleted: "exercise testcourse.backend-port has no answer cell",
    check_before_answer: f"{CHECK}: the check cell of testcourse.backend-port comes before its answer cell",
    solution_left_in: f"{ANSWER}: answer cell should hold only placeholders: backend_port = ...",
    answer_with_output: f"{ANSWER}: answer cell has stored outputs",
    duplicate_check: f"{CHECK}: cell id used 2 times",
    bad_metadata: f"{CHECK}: malformed casl metadata",
    no_stem: "metadata.casl.notebook is None, expected '90-values'",
    old_format: "not nbformat 4.5",
}


@pytest.mark.parametrize("mutate", list(VIOLATIONS), ids=lambda f: f.__name__)
def test_each_violation_is_flagged(built, mutate):
    nb = built.nb("90-values")
    mutate(nb)
    found = lint(nb)
    assert any(line.startswith("90-values.ipynb: ") and VIOLATIONS[mutate] in line for line in found), found


def test_ids_in_the_package_must_all_be_in_the_notebook(built, monkeypatch):
    """An exercise declared for a notebook but missing from its release is a finding, and vice versa."""
    from casl.exercises import registry

    nb = built.nb("91-actions")
    assert lint(nb, "91-actions") == []
    monkeypatch.setenv("CASL_CATALOG", "90-values=casl_testcourse.values,91-actions=casl_testcourse.values")
    with pytest.raises(Exception, match="says notebook '90-values'"):
        registry.by_notebook()
    monkeypatch.setenv("CASL_CATALOG", "90-values=casl_testcourse.values")
    found = lint(nb, "91-actions")
    assert any("names exercise 'testcourse.fix-backend-port', which is not declared for 91-actions" in f for f in found)


def test_the_lint_command_lists_findings_and_fails(built, tmp_path):
    nb = built.nb("90-values")
    unlocked(nb)
    unexecuted(nb)
    write_nb(tmp_path / "90-values.ipynb", nb)
    proc = casl_cli("lint", str(tmp_path / "90-values.ipynb"), str(built.release / "91-actions.ipynb"))
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert lines == [f"casl lint: 90-values.ipynb: {CHECK}: check cell is not locked (editable and deletable must be false)",
                     f"casl lint: 90-values.ipynb: {CHECK}: check cell was not executed (nbval skips comparing "
                     "unexecuted cells)"]


def test_the_lint_command_reports_an_unreadable_file(tmp_path):
    (tmp_path / "90-values.ipynb").write_text("not json", encoding="utf-8")
    proc = casl_cli("lint", str(tmp_path))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert proc.stdout.startswith("casl lint: 90-values.ipynb: not a readable notebook (NotJSONError: ")
