"""environment.yml (conda and Binder) and pyproject.toml (pip) must name the same packages and bounds."""
from __future__ import annotations

import re
import tomllib

from packaging.requirements import Requirement

from tests.conftest import REPO

# conda-forge spells a few distributions differently from PyPI; none of ours so far.
CONDA_NAME: dict[str, str] = {}


def _pyproject() -> dict[str, str]:
    data = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    reqs = [*data["dependencies"], *data["optional-dependencies"]["test"]]
    out = {}
    for text in reqs:
        req = Requirement(text)
        out[CONDA_NAME.get(req.name.lower(), req.name.lower())] = str(req.specifier)
    return out


def _environment() -> dict[str, str]:
    # A small reader for the one shape this file has (a list of "name<spec" strings plus a pip
    # list): PyYAML is not among our dependencies, and the test must not need conda.
    out = {}
    in_deps = in_pip = False
    for raw in (REPO / "environment.yml").read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        if not line.startswith(" "):
            in_deps = line == "dependencies:"
            continue
        if not in_deps:
            continue
        if re.match(r"^\s*- pip:\s*$", line):
            in_pip = True
            continue
        m = re.match(r"^  - ([A-Za-z0-9_.\-]+)\s*(.*)$", line)
        if m and not in_pip:
            name, spec = m.group(1).lower(), m.group(2).replace(" ", "")
            out[name] = str(Requirement(f"x{spec}").specifier) if spec else ""
    return out


def test_same_packages_and_bounds():
    env = _environment()
    pip = _pyproject()
    assert env.pop("python") == ">=3.11"
    env.pop("pip")
    assert env == pip


def test_python_bound_matches_requires_python():
    data = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert data["requires-python"] == _environment()["python"]


def test_environment_installs_casl_itself():
    text = (REPO / "environment.yml").read_text(encoding="utf-8")
    assert re.search(r"^\s+- --editable \.$", text, re.M), "Binder and conda users need casl installed from the checkout"
