"""Fixtures for the exercise engine and grader tests: the small test course, built once per session.

The test course lives in ``tests/grading/data``: course sources in ``course/`` (90-values, 91-actions)
and ``robust/`` (92-robust, whose check misbehaves on purpose), and their exercise modules in the
package ``casl_testcourse``. They are registered through ``CASL_CATALOG``; subprocesses (``casl``
commands, kernels) get the variables explicitly, and in-process tests get them from the autouse
fixture below, so nothing leaks into the rest of the test suite.
"""
from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
COURSE = DATA / "course"
ROBUST = DATA / "robust"
CATALOG = ("90-values=casl_testcourse.values,91-actions=casl_testcourse.actions,"
           "92-robust=casl_testcourse.robust")
VENV_BIN = Path(sys.executable).parent


def course_env(**extra: str) -> dict[str, str]:
    """The environment a ``casl`` command or kernel needs to see the test course."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(DATA), env.get("PYTHONPATH", "")) if p)
    env["CASL_CATALOG"] = CATALOG
    env.pop("CASL_SOLUTIONS", None)
    env.pop("JPY_SESSION_NAME", None)
    env.update(extra)
    return env


def casl_cli(*args: str, check: bool = False, timeout: float = 300, **env: str) -> subprocess.CompletedProcess:
    """Run ``python -m casl.cli ARGS`` with the test course registered; returns the finished process."""
    proc = subprocess.run([sys.executable, "-m", "casl.cli", *args], env=course_env(**env), capture_output=True,
                          text=True, timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f"casl {' '.join(args)} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}")
    return proc


def _register(mp: pytest.MonkeyPatch) -> None:
    mp.setenv("CASL_CATALOG", CATALOG)
    mp.delenv("CASL_SOLUTIONS", raising=False)
    mp.syspath_prepend(str(DATA))


@pytest.fixture(autouse=True)
def _test_course_registered(monkeypatch):
    """In-process code sees the test course too (the registry reads CASL_CATALOG on every lookup)."""
    _register(monkeypatch)


@pytest.fixture(scope="module")
def registered():
    """The same for module-scoped fixtures, undone when the module is done."""
    with pytest.MonkeyPatch.context() as mp:
        _register(mp)
        yield


@dataclass
class BuiltCourse:
    release: Path          # folder of release notebooks (90, 91, 92)
    solved: Path           # folder of solved notebooks
    again: Path            # a second build of the releases, for the determinism test
    work: Path             # scratch space shared by the session

    def nb(self, stem: str, *, solved: bool = False) -> dict:
        """A fresh copy (plain JSON) of a release or solved notebook."""
        folder = self.solved if solved else self.release
        return json.loads((folder / f"{stem}.ipynb").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> BuiltCourse:
    """The test course built once: releases and solved notebooks, plus a second build of the releases."""
    root = tmp_path_factory.mktemp("course")
    out = BuiltCourse(root / "release", root / "solved", root / "again", root / "work")
    for course in (COURSE, ROBUST):
        casl_cli("build", "--course", str(course), "--out", str(out.release), "--solved", str(out.solved),
                 check=True)
    casl_cli("build", "--course", str(COURSE), "--out", str(out.again), "--solved", str(root / "solved-again"),
             check=True)
    out.work.mkdir()
    return out


def write_nb(path: Path, nb: dict) -> Path:
    """Write a notebook (plain JSON) as Jupyter would."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(nb, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return path


def cell(nb: dict, cell_id: str) -> dict:
    """The cell with this id (KeyError if there is none)."""
    for c in nb["cells"]:
        if c.get("id") == cell_id:
            return c
    raise KeyError(cell_id)


def set_source(nb: dict, cell_id: str, source: str) -> dict:
    cell(nb, cell_id)["source"] = source
    return nb


def answered(nb: dict, answers: dict[str, str]) -> dict:
    """A copy of ``nb`` with answer cells (by exercise id) replaced by the given sources."""
    nb = copy.deepcopy(nb)
    for ex_id, source in answers.items():
        set_source(nb, f"{ex_id.replace('.', '-')}-answer", source)
    return nb
