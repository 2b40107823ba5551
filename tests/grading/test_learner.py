"""The learner's view: ``check()``, ``hint()``, ``solution()``, ``progress()``, in a real kernel and in-process.

The kernel session runs one notebook of cells the way a learner would (nbclient, one kernel,
errors allowed) and each test reads the outputs of its cells.
"""
from __future__ import annotations

import datetime as dt
import os

import nbformat
import pytest

from grading_helpers import DATA

PORT = "testcourse.backend-port"

SESSION = {
    "import": "import casl",
    "handle": 'ex = casl.exercise("testcourse.backend-port")\nex',
    "check-undefined": "ex.check()",
    "placeholder": "backend_port = ...",
    "check-placeholder": "ex.check()",
    "wrong": "backend_port = 443",
    "check-wrong": "ex.check()",
    "check-wrong-again": "ex.check()",
    "call": "backend_port = int('444')",
    "check-call": "ex.check()",
    "import-answer": "import os\nbackend_port = 444",
    "check-import": "ex.check()",
    "right": "backend_port = 444",
    "check-right": "ex.check()",
    "changed-later": "backend_port = 444\nbackend_port = int(backend_port)",
    "check-changed-later": "ex.check()",
    "right-again": "backend_port = 444",
    "check-right-again": "ex.check()",
    "binding": 'backend_site = "Exchange Back End"\nbackend_binding = ":443:"',
    "check-binding": 'casl.exercise("testcourse.backend-binding").check()',
    "hint": "ex.hint()",
    "hint2": "ex.hint(2)",
    "hint3": "ex.hint(3)",
    "hint0": "ex.hint(0)",
    "solution": "ex.solution()",
    "progress": "casl.progress()",
    "unknown": 'casl.exercise("testcourse.backend-prot")',
    "action-no-lab": 'casl.exercise("testcourse.fix-backend-port").check()',
}


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    """Run SESSION in one kernel; returns cell name -> outputs."""
    from casl.grading.execute import _kernel_manager
    from nbclient import NotebookClient

    work = tmp_path_factory.mktemp("learner")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src, id=name) for name, src in SESSION.items()]
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PYTHONPATH", os.pathsep.join(p for p in (str(DATA), os.environ.get("PYTHONPATH", "")) if p))
        mp.setenv("CASL_CATALOG", "90-values=casl_testcourse.values,91-actions=casl_testcourse.actions")
        mp.delenv("CASL_SOLUTIONS", raising=False)
        mp.setenv("CASL_STATE_DIR", str(work / "state"))
        NotebookClient(nb, km=_kernel_manager(), timeout=60, allow_errors=True,
                       resources={"metadata": {"path": str(work)}}).execute()
    return {c.id: c.outputs for c in nb.cells}


def shown(outputs) -> list[str]:
    return [o["data"]["text/plain"] for o in outputs if o["output_type"] in ("display_data", "execute_result")]


def errors(outputs) -> list[dict]:
    return [o for o in outputs if o["output_type"] == "error"]


def check_line(outputs) -> str:
    """A failed check shows its outcome once, then raises CheckFailed with the same single line."""
    (line,) = shown(outputs)
    (err,) = errors(outputs)
    assert err["ename"] == "CheckFailed" and err["traceback"] == [line]
    return line


def test_handle_describes_the_exercise(session):
    assert shown(session["handle"]) == ["testcourse.backend-port: The back end's HTTPS port (2 points; assign backend_port)"]


def test_not_attempted(session):
    assert check_line(session["check-undefined"]) == (
        "Not attempted: testcourse.backend-port (0/2 points): `backend_port` is not defined yet: run the answer cell first")
    assert check_line(session["check-placeholder"]) == (
        "Not attempted: testcourse.backend-port (0/2 points): replace the ... after `backend_port =` with your answer")


def test_incorrect_with_targeted_message_and_deterministic(session):
    line = check_line(session["check-wrong"])
    assert line == "Incorrect: testcourse.backend-port (0/2 points): 443 is where the Default Web Site listens for clients"
    assert session["check-wrong-again"] == session["check-wrong"]


def test_partial_credit_shows_in_the_line(session):
    assert check_line(session["check-binding"]) == (
        "Incorrect: testcourse.backend-binding (1/3 points): 443 belongs to the Default Web Site")


@pytest.mark.parametrize("cell, why", [
    ("check-call", "`int('444')` is a function call"),
    ("check-import", "`import os` is not an assignment"),
    ("check-changed-later", "line 2: `int(backend_port)` is a function call"),
])
def test_rejected_when_the_answer_cell_does_more_than_assign(session, cell, why):
    line = check_line(session[cell])
    assert line.startswith("Rejected: testcourse.backend-port (0/2 points): the cell that last set `backend_port`")
    assert why in line


def test_correct_shows_one_line_and_does_not_raise(session):
    assert shown(session["check-right"]) == ["Correct: testcourse.backend-port (2/2 points)"]
    assert errors(session["check-right"]) == []
    assert session["check-right-again"] == session["check-right"]


def test_outputs_are_plain_text_and_markdown_only(session):
    for name, outputs in session.items():
        for out in outputs:
            if out["output_type"] in ("display_data", "execute_result"):
                assert set(out["data"]) == {"text/plain", "text/markdown"}, name
                assert out["metadata"] == {}, name
                assert "<script" not in out["data"]["text/markdown"], name
    md = session["check-right"][0]["data"]["text/markdown"]
    assert md == "**Correct** · `testcourse.backend-port` · 2/2 points"
    wrong_md = session["check-wrong"][0]["data"]["text/markdown"]
    assert "443 is where the Default Web Site listens for clients" in wrong_md and "hint()" in wrong_md


def test_hints(session):
    assert shown(session["hint"]) == ["Hint 1 of 2 (testcourse.backend-port): The back end is the Exchange Back End "
                                      "site. More: hint(2)."]
    assert shown(session["hint2"]) == ["Hint 2 of 2 (testcourse.backend-port): Look at its https binding. That was "
                                       "the last hint; solution() shows the answer."]
    for cell, n in (("hint3", 3), ("hint0", 0)):
        assert shown(session[cell]) == [f"testcourse.backend-port has 2 hints; there is no hint {n}. "
                                        "Try `hint(2)`, or `solution()`."]
        assert errors(session[cell]) == []


def test_solution_self_paced(session):
    assert shown(session["solution"]) == ["Solution of testcourse.backend-port:\nbackend_port = 444"]


def test_progress(session):
    (table,) = shown(session["progress"])
    lines = table.splitlines()
    assert lines[0] == "90-values: 1 of 3 exercises done, 3/6 points"
    assert lines[2].split() == ["testcourse.backend-port", "The", "back", "end's", "HTTPS", "port", "done", "2/2"]
    assert lines[3].split()[-2:] == ["incorrect", "1/3"] and lines[4].split()[-3:] == ["not", "checked", "0/1"]
    md = session["progress"][0]["data"]["text/markdown"]
    assert md.startswith("**90-values: 1 of 3 exercises done, 3/6 points**") and "| `testcourse.san-names` |" in md


def test_unknown_id_suggests_the_close_ones(session):
    (err,) = errors(session["unknown"])
    (line,) = err["traceback"]
    assert line.startswith("CaslError: there is no exercise 'testcourse.backend-prot'; did you mean "
                           "'testcourse.backend-port', ")


def test_action_check_without_a_lab_says_what_to_do(session):
    line = check_line(session["action-no-lab"])
    assert line.startswith("Not attempted: testcourse.fix-backend-port (0/3 points): ")
    assert line.endswith("no lab is open yet: run lab = casl.open_lab(...) first")


# -- in-process: the pieces behind the view ----------------------------------------------------------

def test_the_solution_rule_follows_instructor_settings(tmp_path, monkeypatch, capsys):
    from casl.exercises import exercise
    from casl.exercises.policy import rule_for

    monkeypatch.chdir(tmp_path)
    ex = exercise(PORT)
    ex.solution()
    assert capsys.readouterr().out == "Solution of testcourse.backend-port:\nbackend_port = 444\n"

    (tmp_path / "casl.toml").write_text('[solutions]\ndefault = "hidden"\n"90-values" = "after:2026-12-01"\n')
    sub = tmp_path / "week1"
    sub.mkdir()
    monkeypatch.chdir(sub)                                 # the file is found in a folder above
    assert rule_for("90-values").origin == "casl.toml [solutions] 90-values"
    ex.solution(today=dt.date(2026, 11, 30))
    assert capsys.readouterr().out == ("The solution of testcourse.backend-port becomes available on 2026-12-01. "
                                       "Until then, `hint()` and `hint(2)` help.\n")
    ex.solution(today=dt.date(2026, 12, 1))
    assert "backend_port = 444" in capsys.readouterr().out
    exercise("testcourse.fix-backend-port").solution(today=dt.date(2026, 12, 1))
    assert capsys.readouterr().out.startswith("Your instructor has hidden the solutions for now "
                                              "(casl.toml [solutions] default).")

    monkeypatch.setenv("CASL_SOLUTIONS", "shown")          # the environment wins over the file
    ex.solution(today=dt.date(2026, 11, 30))
    assert "backend_port = 444" in capsys.readouterr().out
    monkeypatch.setenv("CASL_SOLUTIONS", "later")
    from casl.errors import CaslError
    with pytest.raises(CaslError, match="'later' is not a solution setting; use shown, hidden or after:YYYY-MM-DD"):
        ex.solution()


def test_a_hidden_solution_never_shows_the_answer(tmp_path, monkeypatch, capsys):
    from casl.exercises import exercise

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CASL_SOLUTIONS", "hidden")
    for ex_id in (PORT, "testcourse.backend-binding", "testcourse.fix-backend-port"):
        exercise(ex_id).solution()
    out = capsys.readouterr().out
    assert "444" not in out and "Set-WebBinding" not in out and out.count("hidden the solutions") == 3


def test_hint_rejects_non_numbers_with_a_message(capsys):
    from casl.exercises import exercise

    exercise(PORT).hint("2")
    exercise(PORT).hint(True)
    assert capsys.readouterr().out.splitlines() == [
        "testcourse.backend-port has 2 hints; there is no hint '2'. Try `hint(2)`, or `solution()`.",
        "testcourse.backend-port has 2 hints; there is no hint True. Try `hint(2)`, or `solution()`."]


def test_outcome_line_and_markdown():
    from casl.exercises import Outcome

    out = Outcome(PORT, "rejected", 0, 2, "line 1:\n  `import os`  is not an assignment")
    assert out.line == "Rejected: testcourse.backend-port (0/2 points): line 1: `import os` is not an assignment"
    assert str(out) == repr(out) == out.line
    assert out._repr_markdown_().startswith("**Rejected** · `testcourse.backend-port` · 0/2 points")
    assert "only assignments of literal values" in out.markdown()
    assert "&lt;script&gt;" in Outcome(PORT, "incorrect", 0, 2, "<script>").markdown()
    long = Outcome(PORT, "incorrect", 0, 2, "x" * 5000)
    assert len(long.message) == 400 and long.message.endswith("...")
    with pytest.raises(ValueError, match="unknown outcome status 'passed'"):
        Outcome(PORT, "passed", 2, 2)



def test_action_solution_says_where_to_type_it(tmp_path, monkeypatch, capsys):
    from casl.exercises import exercise

    monkeypatch.chdir(tmp_path)
    view = exercise("testcourse.fix-backend-port")
    view.solution()
    assert capsys.readouterr().out == (
        "Solution of testcourse.fix-backend-port (in a %%ps ServerA cell):\n"
        "Set-WebBinding -Name 'Exchange Back End' -BindingInformation '*:445:' -PropertyName Port -Value 444\n")
    assert repr(view) == "testcourse.fix-backend-port: Put the back end back on 444 (3 points; type commands in a %%ps ServerA cell)"
    assert "`hint()`" in view._repr_markdown_()
