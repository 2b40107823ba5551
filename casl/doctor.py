"""``casl.doctor()``: is this machine ready for the workbook? One line per check, then a verdict.

>>> report = doctor()     # a notebook shows the report; print(report) elsewhere
>>> report.ok
True
"""
from __future__ import annotations

import importlib
import sys
from dataclasses import dataclass
from importlib import metadata

MIN_PYTHON = (3, 11)
# distribution name -> what the workbook needs it for
PACKAGES = {
    "jupyterlab": "the notebook interface",
    "ipywidgets": "interactive tables in the labs",
    "pandas": "tables of sites, bindings, processes and captures",
    "cryptography": "real certificates in the certificate lab",
    "nbval": "checking notebooks in tests and grading",
    "psutil": "reading processes on your own machine",
}


@dataclass(frozen=True)
class Finding:
    name: str
    ok: bool
    detail: str


@dataclass(frozen=True)
class Report:
    findings: tuple[Finding, ...]

    @property
    def ok(self) -> bool:
        return all(f.ok for f in self.findings)

    def __str__(self) -> str:
        lines = [f"{'ok  ' if f.ok else 'FAIL'} {f.name:<14} {f.detail}" for f in self.findings]
        bad = [f.name for f in self.findings if not f.ok]
        lines.append("Ready: every check passed." if not bad else
                     f"Not ready: fix {', '.join(bad)} (run the set-up command from the README again).")
        return "\n".join(lines)

    __repr__ = __str__


def _python() -> Finding:
    have = sys.version_info[:3]
    return Finding("python", have[:2] >= MIN_PYTHON,
                   f"{'.'.join(map(str, have))} (needs {'.'.join(map(str, MIN_PYTHON))} or newer)")


def _package(name: str, why: str) -> Finding:
    try:
        return Finding(name, True, f"{metadata.version(name)}: {why}")
    except metadata.PackageNotFoundError:
        return Finding(name, False, f"not installed: needed for {why}")


def _labs() -> Finding:
    from casl.errors import CaslError
    from casl.labs import open_lab
    try:
        lab = open_lab("single-server", state=None)
        out = lab.run("ServerA", "Get-WebBinding -Port 444")
    except CaslError as exc:
        return Finding("lab", False, f"the simulated server did not start: {exc}")
    ok = "*:444:" in out
    return Finding("lab", ok, "the simulated ServerA answers commands" if ok else
                   "the simulated ServerA answered something unexpected")


def _magics() -> Finding:
    try:
        from IPython import get_ipython
    except ImportError:
        return Finding("%%ps magic", False, "IPython is missing")
    ip = get_ipython()
    if ip is None:
        return Finding("%%ps magic", True, "not in a notebook; registers itself when casl is imported there")
    if "ps" not in ip.magics_manager.magics.get("cell", {}):
        # IPython started after casl was imported (a kernel restarted under it, a test harness)
        from casl.magics import register
        register(ip)
    ok = "ps" in ip.magics_manager.magics.get("cell", {})
    return Finding("%%ps magic", ok, "registered" if ok else "could not be registered in this IPython")


def doctor() -> Report:
    """Check Python, the packages, the simulated lab and the ``%%ps`` magic."""
    importlib.invalidate_caches()
    return Report((_python(), *(_package(n, why) for n, why in PACKAGES.items()), _labs(), _magics()))
