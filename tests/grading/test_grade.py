"""``casl grade`` end to end on the test course: one batch of submissions, graded once, then examined.

The batch holds the solved and release notebooks, a corpus of plausible wrong answers (written
here and generated from each exercise's table of common wrong answers), answers that break the
rules of answer cells, the tamper cases that fool nbval run on a raw submission, and files that
are not notebooks. Each test below reads what the grader wrote for its part of the batch.
"""
from __future__ import annotations

import copy
import csv
import hashlib
import importlib
import json
import os
from pathlib import Path

import pytest

from grading_helpers import answered, casl_cli, cell, set_source, write_nb

PORT, BINDING, SAN, ACTION = ("testcourse.backend-port", "testcourse.backend-binding", "testcourse.san-names",
                              "testcourse.fix-backend-port")
VALUES = (PORT, BINDING, SAN)
MAX = {PORT: 2, BINDING: 3, SAN: 1, ACTION: 3}
CORRECT_PORT = "Correct: testcourse.backend-port (2/2 points)"

MAX_BYTES = 300_000
MAX_CELLS = 400


def cid(ex_id: str, role: str) -> str:
    return f"{ex_id.replace('.', '-')}-{role}"


def code_cell(source: str, cell_id: str, **meta) -> dict:
    return {"cell_type": "code", "execution_count": None, "id": cell_id, "metadata": meta, "outputs": [],
            "source": source}


def correct_output() -> list[dict]:
    return [{"output_type": "stream", "name": "stdout", "text": CORRECT_PORT + "\n"}]


# -- the corpus: learner name -> notebook ------------------------------------------------------

def value_corpus(release: dict, solved: dict) -> dict[str, dict]:
    r = release
    subs = {
        "solved-values": solved,
        "release-values": release,
        "spellings": answered(r, {PORT: "backend_port = 'Port: 444'",
                                  BINDING: "backend_site = 'exchange   back end'\nbackend_binding = 'HTTPS/*:444:'",
                                  SAN: "san = 'DNS:Mail.Contoso.com., autodiscover.contoso.com'"}),
        "wrong-443": answered(r, {PORT: "backend_port = 443"}),
        "garbage-port": answered(r, {PORT: "backend_port = 'w3wp'"}),
        "half-binding": answered(r, {BINDING: "backend_site = 'Exchange Back End'\nbackend_binding = ..."}),
        "rejected-call": answered(r, {PORT: "backend_port = int('444')"}),
        "rejected-import": answered(r, {PORT: "import os\nbackend_port = 444"}),
        "rejected-patch": answered(r, {PORT: "import casl\ncasl.exercise = lambda *a: None\nbackend_port = 444"}),
        "rejected-ps-in-value": answered(r, {PORT: "%%ps ServerA\nGet-Website"}),
    }
    # A free cell the learner added that would hang, and one that would leave a mark: never run.
    hang = copy.deepcopy(r)
    hang["cells"].insert(2, code_cell("while True:\n    pass", "learner-loop"))
    hang["cells"].insert(3, code_cell("open(MARKER, 'w').write('ran')", "learner-marker"))
    subs["free-cells"] = hang
    return subs


def wrong_table_corpus(release: dict) -> dict[str, tuple[dict, str, str, float]]:
    """One submission per entry of each value exercise's ``wrong`` table: (nb, exercise, feedback, points)."""
    from casl.exercises import registry

    out = {}
    for ex in registry.for_notebook("90-values"):
        for n, entry in enumerate(ex.wrong):
            values = ex.wrong_answer_values(entry)
            source = "\n".join(f"{name} = {values[name]!r}" for name in ex.names)
            out[f"table-{ex.id.split('.')[1]}-{n}"] = (answered(release, {ex.id: source}), ex.id, entry.feedback,
                                                       entry.points)
    return out


def action_corpus(release: dict, solved: dict) -> dict[str, dict]:
    from casl.exercises import registry

    (ex,) = registry.for_notebook("91-actions")
    subs = {
        "solved-actions": solved,
        "release-actions": release,
        "action-python": answered(release, {ACTION: "import os\nos.system('echo hi')"}),
        "action-other-server": answered(release, {ACTION: "%%ps ServerB\n" + ex.solution}),
        "action-lowercase": answered(release, {ACTION: "%%ps servera\n" + ex.solution.lower()}),
    }
    for n, entry in enumerate(ex.wrong):
        subs[f"action-table-{n}"] = answered(release, {ACTION: f"%%ps ServerA\n{entry.answer}"})
    return subs


def tamper_corpus(release: dict, solved: dict) -> dict[str, dict]:
    """Each case answers backend-port wrongly (443) and then tries to make its check look passed."""
    wrong = answered(release, {PORT: "backend_port = 443"})
    check_id = cid(PORT, "check")
    ref = cell(solved, check_id)
    cases = {}

    nb = copy.deepcopy(wrong)                        # check replaced by a print of the Correct line
    set_source(nb, check_id, f'print("{CORRECT_PORT}")')
    cell(nb, check_id)["outputs"] = correct_output()
    cases["tamper-print"] = nb

    nb = copy.deepcopy(wrong)                        # checker monkey-patched in another cell
    setup = next(c for c in nb["cells"] if "".join(c["source"]) == "import casl")
    set_source(nb, setup["id"], "import casl\nfrom casl.exercises.view import ExerciseView\nExerciseView.check = lambda self: print('ok')")
    cases["tamper-patch-other-cell"] = nb

    nb = copy.deepcopy(wrong)                        # a new cell patches Exercise.evaluate
    nb["cells"].insert(1, code_cell("from casl.exercises.engine import Exercise\n"
                                    "Exercise.evaluate = lambda self, *a, **k: self.outcome('correct', self.max_points)",
                                    "learner-patch"))
    cases["tamper-patch-new-cell"] = nb

    nb = copy.deepcopy(wrong)                        # execution count cleared, Correct output kept
    cell(nb, check_id)["execution_count"] = None
    cases["tamper-count-cleared"] = nb

    nb = copy.deepcopy(wrong)                        # check cell deleted
    nb["cells"] = [c for c in nb["cells"] if c["id"] != check_id]
    cases["tamper-deleted"] = nb

    nb = copy.deepcopy(wrong)                        # stored reference output edited
    out = cell(nb, check_id)["outputs"][0]
    out["data"]["text/plain"] = "Incorrect: testcourse.backend-port (0/2 points): 443 is where the Default Web Site listens for clients"
    cases["tamper-output-edited"] = nb

    nb = copy.deepcopy(wrong)                        # check cell's code edited, lock removed
    set_source(nb, check_id, 'casl.exercise("testcourse.backend-port").hint()')
    cell(nb, check_id)["metadata"]["editable"] = True
    cases["tamper-source-edited"] = nb

    nb = copy.deepcopy(wrong)                        # extra cells print the Correct line, one posing as a check
    at = next(i for i, c in enumerate(nb["cells"]) if c["id"] == check_id)
    extra = code_cell(f'print("{CORRECT_PORT}")', "learner-print")
    extra["outputs"] = correct_output()
    extra["execution_count"] = 4
    fake = copy.deepcopy(ref)
    fake["id"] = "learner-fake-check"
    fake["source"] = f'print("{CORRECT_PORT}")'
    nb["cells"][at + 1:at + 1] = [extra, fake]
    cases["tamper-extra-cells"] = nb

    line = "Incorrect: testcourse.backend-port (0/2 points): 443 is where the Default Web Site listens for clients"
    nb = copy.deepcopy(wrong)                        # what a learner's own run of the check leaves
    cell(nb, check_id)["outputs"] = [
        {"output_type": "display_data", "metadata": {},
         "data": {"text/plain": line, "text/markdown": "**Incorrect** ..."}},
        {"output_type": "error", "ename": "CheckFailed", "evalue": line, "traceback": [line]}]
    cases["ran-wrong"] = nb
    nb = copy.deepcopy(wrong)
    cell(nb, check_id)["outputs"] = [{"output_type": "error", "ename": "NameError",
                                      "evalue": "name 'casl' is not defined", "traceback": ["NameError: ..."]}]
    cases["ran-before-import"] = nb
    nb = copy.deepcopy(wrong)
    cell(nb, check_id)["outputs"], cell(nb, check_id)["execution_count"] = [], None
    cases["cleared-outputs"] = nb
    nb = copy.deepcopy(wrong)                        # JupyterLab copy and paste of a check cell keeps its metadata
    copied = copy.deepcopy(ref)
    copied["id"] = "pasted-copy"
    nb["cells"].append(copied)
    cases["copied-check"] = nb
    return cases


def invalid_files(folder: Path) -> dict[str, Path]:
    files = {}
    (folder / "not-a-notebook.ipynb").write_text("Dear instructor, my notebook is attached.\n", encoding="utf-8")
    files["not-a-notebook"] = folder / "not-a-notebook.ipynb"
    (folder / "broken-json.ipynb").write_text('{"cells": [', encoding="utf-8")
    files["broken-json"] = folder / "broken-json.ipynb"
    (folder / "a-list.ipynb").write_text("[1, 2, 3]", encoding="utf-8")
    files["a-list"] = folder / "a-list.ipynb"
    (folder / "nbformat3.ipynb").write_text(json.dumps({"nbformat": 3, "worksheets": [], "cells": []}),
                                            encoding="utf-8")
    files["nbformat3"] = folder / "nbformat3.ipynb"
    (folder / "binary.ipynb").write_bytes(bytes(range(256)) * 4)
    files["binary"] = folder / "binary.ipynb"
    return files


@pytest.fixture(scope="module")
def batch(built, registered, tmp_path_factory):
    """Write every submission, hash them, grade them all in one ``casl grade -n 2`` run."""
    root = tmp_path_factory.mktemp("batch")
    subs_dir, out = root / "subs", root / "out"
    subs_dir.mkdir()
    marker = root / "marker.txt"
    values_release, values_solved = built.nb("90-values"), built.nb("90-values", solved=True)
    corpus = value_corpus(values_release, values_solved)
    set_source(corpus["free-cells"], "learner-marker", f"open({str(marker)!r}, 'w').write('ran')")
    table = wrong_table_corpus(values_release)
    corpus.update({name: nb for name, (nb, *_rest) in table.items()})
    corpus.update(action_corpus(built.nb("91-actions"), built.nb("91-actions", solved=True)))
    corpus.update(tamper_corpus(values_release, values_solved))
    big = copy.deepcopy(values_release)
    big["cells"].append({"cell_type": "markdown", "id": "padding", "metadata": {}, "source": "x" * MAX_BYTES})
    corpus["too-big"] = big
    many = copy.deepcopy(values_release)
    many["cells"] += [{"cell_type": "markdown", "id": f"m{n}", "metadata": {}, "source": "."} for n in range(MAX_CELLS)]
    corpus["too-many-cells"] = many
    corpus["=SUM(A1)"] = values_release
    old = copy.deepcopy(values_solved)                # saved by a tool that writes nbformat 4.4: no cell ids
    old["nbformat_minor"] = 4
    for c in old["cells"]:
        del c["id"]
    corpus["no-cell-ids"] = old               # a file name that a spreadsheet would run as a formula
    long_id = copy.deepcopy(values_release)          # learner-made cell ids: very long, and not valid Unicode
    long_id["cells"].append(code_cell("1", "x" * 100_000))
    corpus["long-cell-id"] = long_id
    paths = [write_nb(subs_dir / f"{name}.ipynb", nb) for name, nb in corpus.items()]
    text = json.dumps(values_release).replace(
        '"cells": [', '"cells": [{"cell_type": "markdown", "id": "bad\\ud800", "metadata": {}, "source": "x"}, ', 1)
    (subs_dir / "surrogate-id.ipynb").write_text(text, encoding="utf-8")
    paths.append(subs_dir / "surrogate-id.ipynb")
    latin1 = Path(os.fsdecode(os.fsencode(str(subs_dir)) + b"/caf\xe9.ipynb"))   # a file name that is not UTF-8
    latin1.write_text(json.dumps(values_release), encoding="utf-8")
    paths.append(latin1)
    paths += list(invalid_files(subs_dir).values())
    paths.append(subs_dir / "missing.ipynb")
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths if p.exists()}
    proc = casl_cli("grade", *map(str, paths), "--release", str(built.release), "--out", str(out), "-n", "2",
                    "--no-progress", "--timeout-cell", "120", "--max-bytes", str(MAX_BYTES),
                    "--max-cells", str(MAX_CELLS), CASL_STATE_DIR=str(root / "state"))
    after = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths if p.exists()}
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    return {"proc": proc, "out": out, "report": report, "by": {s["learner"]: s for s in report["submissions"]},
            "table": table, "before": before, "after": after, "marker": marker, "subs": subs_dir, "root": root}


def ex(batch, learner: str, exercise: str) -> dict:
    return batch["by"][learner]["exercises"][exercise]


# -- the batch as a whole ------------------------------------------------------------------------

def test_grade_exits_cleanly_and_summarises(batch):
    proc = batch["proc"]
    assert proc.returncode == 0, proc.stderr
    assert "could not be graded" in proc.stdout and "with changed locked cells" in proc.stdout


def test_submissions_are_never_modified(batch):
    assert batch["before"] == batch["after"]
    assert not (batch["subs"] / "missing.ipynb").exists()


def test_graded_labs_keep_their_state_beside_each_notebook(batch):
    """A state folder set for the instructor's own session is not shared by the notebooks being graded."""
    assert not (batch["root"] / "state").exists()


def test_releases_as_shipped_score_zero_not_attempted(batch):
    for learner, exercises in (("release-values", VALUES), ("release-actions", (ACTION,))):
        entry = batch["by"][learner]
        assert entry["status"] == "graded" and entry["points"] == 0
        assert entry["findings"] == [] and not entry["tampered"]
        for e in exercises:
            assert ex(batch, learner, e)["status"] == "not-attempted"
            assert ex(batch, learner, e)["points"] == 0


def test_solved_notebooks_score_full_marks(batch):
    for learner, exercises in (("solved-values", VALUES), ("solved-actions", (ACTION,))):
        entry = batch["by"][learner]
        assert entry["points"] == entry["max"] == sum(MAX[e] for e in exercises)
        assert all(ex(batch, learner, e)["status"] == "correct" for e in exercises)
        assert entry["findings"] == []


def test_a_notebook_without_cell_ids_is_matched_by_metadata(batch):
    entry = batch["by"]["no-cell-ids"]
    assert entry["points"] == entry["max"] == 6
    assert [f["kind"] for f in entry["findings"]] == ["cell-ids-missing"] and not entry["tampered"]


def test_odd_names_and_ids_do_not_break_the_report(batch):
    assert batch["by"]["long-cell-id"]["status"] == "graded"
    (added,) = [f for f in batch["by"]["long-cell-id"]["findings"] if f["kind"] == "cells-added"]
    assert len(added["cell"]) == 40
    assert batch["by"]["surrogate-id"]["status"] == "graded"
    assert "caf\ufffd" in batch["by"] and batch["by"]["caf\ufffd"]["points"] == 0
    assert "caf\ufffd,0,0,0," in (batch["out"] / "gradebook.csv").read_text(encoding="utf-8")
    raw = (batch["out"] / "report.json").read_text(encoding="utf-8")
    assert '"bad\\ud800"' in raw


def test_equivalent_spellings_are_accepted(batch):
    entry = batch["by"]["spellings"]
    assert entry["points"] == 6, entry["exercises"]
    assert {e["status"] for e in entry["exercises"].values()} == {"correct"}
    assert ex(batch, "action-lowercase", ACTION)["status"] == "correct"


def test_hand_written_wrong_answers_get_targeted_feedback(batch):
    e = ex(batch, "wrong-443", PORT)
    assert (e["status"], e["points"]) == ("incorrect", 0)
    assert e["message"] == "443 is where the Default Web Site listens for clients"
    assert ex(batch, "wrong-443", BINDING)["status"] == "not-attempted"
    e = ex(batch, "garbage-port", PORT)
    assert e["status"] == "incorrect" and "'w3wp' is not a port number" in e["message"]
    e = ex(batch, "half-binding", BINDING)
    assert (e["status"], e["points"]) == ("incorrect", 1)
    assert "backend_binding" in e["message"]


def test_every_declared_wrong_answer_gets_its_feedback_and_credit(batch):
    assert batch["table"], "the test course declares wrong answers"
    for learner, (_nb, exercise, feedback, points) in batch["table"].items():
        e = ex(batch, learner, exercise)
        assert e["status"] == "incorrect", (learner, e)
        assert feedback in e["message"], (learner, e)
        assert e["points"] == points, (learner, e)


def test_declared_wrong_actions_get_their_feedback_and_credit(batch):
    from casl.exercises import registry

    (action,) = registry.for_notebook("91-actions")
    for n, entry in enumerate(action.wrong):
        e = ex(batch, f"action-table-{n}", ACTION)
        assert e["status"] == "incorrect" and entry.feedback in e["message"], e
        assert e["points"] == entry.points, e


def test_rejected_answers_are_recorded_with_the_reason(batch):
    expected = {
        ("rejected-call", PORT): "`int('444')` is a function call",
        ("rejected-import", PORT): "`import os` is not an assignment",
        ("rejected-patch", PORT): "is not an assignment",
        ("rejected-ps-in-value", PORT): "`%%ps ServerA` is a notebook command",
        ("action-python", ACTION): "starts with `%%ps SERVER`",
        ("action-other-server", ACTION): "meant for ServerA, not ServerB",
    }
    for (learner, exercise), reason in expected.items():
        e = ex(batch, learner, exercise)
        assert (e["status"], e["points"]) == ("rejected", 0), (learner, e)
        assert reason in e["message"], (learner, e)
    # the rest of a notebook with a rejected answer is still graded
    assert ex(batch, "rejected-call", BINDING)["status"] == "not-attempted"


def test_free_cells_of_a_submission_are_never_run(batch):
    """A learner's own cell with ``while True: pass`` cannot hang grading: only answers are taken."""
    entry = batch["by"]["free-cells"]
    assert entry["status"] == "graded" and entry["run"]["notes"] == [] and not entry["run"]["timed_out"]
    assert not batch["marker"].exists()
    kinds = {f["kind"]: f for f in entry["findings"]}
    assert "learner-loop" in kinds["cells-added"]["cell"] and not kinds["cells-added"]["tamper"]


# -- tamper cases ------------------------------------------------------------------------------------

TAMPER = {
    "tamper-print": {"check-cell-source-changed"},
    "tamper-patch-other-cell": {"cells-changed", "cell-patches-casl"},
    "tamper-patch-new-cell": {"cells-added", "cell-patches-casl"},
    "tamper-count-cleared": {"check-cell-count-cleared"},
    "tamper-deleted": {"check-cell-deleted"},
    "tamper-output-edited": {"check-cell-output-changed"},
    "tamper-source-edited": {"check-cell-source-changed", "check-cell-unlocked"},
    "tamper-extra-cells": {"check-cell-added", "cells-added", "cell-imitates-check"},
}


@pytest.mark.parametrize("learner", sorted(TAMPER))
def test_tampering_scores_zero_and_is_reported(batch, learner):
    entry = batch["by"][learner]
    e = ex(batch, learner, PORT)
    assert (e["status"], e["points"]) == ("incorrect", 0), e
    assert e["message"] == "443 is where the Default Web Site listens for clients"
    kinds = {f["kind"] for f in entry["findings"]}
    assert TAMPER[learner] <= kinds, entry["findings"]
    assert entry["tampered"] and all(f["tamper"] for f in entry["findings"] if f["kind"] in TAMPER[learner]
                                     and f["kind"] not in ("cells-added", "cells-changed"))
    assert batch["by"]["tamper-print"]["findings"][0]["exercise"] == PORT


def test_ordinary_use_of_a_check_cell_is_not_tampering(batch):
    """Running a check on a wrong answer, or before ``import casl``, leaves outputs that are not tampering."""
    for learner in ("ran-wrong", "ran-before-import", "cleared-outputs", "copied-check"):
        entry = batch["by"][learner]
        assert not entry["tampered"], entry["findings"]
        assert ex(batch, learner, PORT)["status"] == "incorrect", (learner, ex(batch, learner, PORT),
                                                                    batch["by"][learner].get("run"))
    assert [f["kind"] for f in batch["by"]["cleared-outputs"]["findings"]] == ["check-cell-cleared"]
    assert {f["kind"] for f in batch["by"]["copied-check"]["findings"]} == {"check-cell-copied", "cells-added"}


# -- files that are not gradable ---------------------------------------------------------------------

INVALID = {
    "not-a-notebook": "not valid JSON",
    "broken-json": "not valid JSON",
    "a-list": "no list of cells",
    "nbformat3": "only version 4",
    "binary": "not valid JSON",
    "too-big": f"the limit is {MAX_BYTES}",
    "too-many-cells": f"the limit is {MAX_CELLS}",
    "missing": "cannot be read",
}


@pytest.mark.parametrize("learner", sorted(INVALID))
def test_invalid_files_cost_only_themselves(batch, learner):
    entry = batch["by"][learner]
    assert entry["status"] == "invalid" and entry["points"] == 0
    assert INVALID[learner] in entry["error"]
    assert all(e["status"] == "error" for e in entry["exercises"].values())


# -- the files written ---------------------------------------------------------------------------

def read_csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_gradebook_columns_and_rows(batch):
    path = batch["out"] / "gradebook.csv"
    header = path.read_text(encoding="utf-8").splitlines()[0].split(",")
    from casl.exercises import registry
    ids = [e.id for stem in ("90-values", "91-actions") for e in registry.for_notebook(stem)]
    assert header == ["learner", *ids, "total", "max"]
    rows = {r["learner"]: r for r in read_csv(path)}
    assert set(rows) == {("'" + name if name.startswith("=") else name) for name in batch["by"]}
    assert list(rows) == sorted(rows)
    assert rows["solved-values"] == {"learner": "solved-values", PORT: "2", BINDING: "3", SAN: "1", ACTION: "",
                                     "total": "6", "max": "6"}
    assert rows["solved-actions"][ACTION] == "3" and rows["solved-actions"][PORT] == ""
    assert rows["wrong-443"][PORT] == "0"
    assert rows["table-backend-binding-0"][BINDING] == "2"
    assert "'=SUM(A1)" in rows and "=SUM(A1)" not in rows
    assert batch["by"]["=SUM(A1)"]["points"] == 0


def test_lms_csv(batch):
    rows = {r["learner"]: r for r in read_csv(batch["out"] / "lms.csv")}
    assert list(next(iter(rows.values()))) == ["learner", "score", "max", "percentage"]
    assert rows["solved-values"] == {"learner": "solved-values", "score": "6", "max": "6", "percentage": "100.0"}
    assert rows["half-binding"]["percentage"] == f"{100 / 6:.1f}"
    assert rows["release-actions"]["score"] == "0"


def test_scores_come_from_the_declared_points(batch):
    """The report's maxima are the catalog's points, whatever the submission's cells say."""
    from casl.exercises import registry

    declared = {e.id: e.max_points for e in registry.exercises().values()}
    for column in batch["report"]["exercises"]:
        assert column["max"] == declared[column["id"]]
    for entry in batch["report"]["submissions"]:
        for exercise, e in entry["exercises"].items():
            assert e["max"] == declared[exercise]
            assert 0 <= e["points"] <= e["max"]
        assert entry["points"] == sum(e["points"] for e in entry["exercises"].values())
