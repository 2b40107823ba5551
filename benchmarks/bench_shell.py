"""The foundation's speed: a shell command, opening a lab, and importing casl.

* a shell command on the two-server lab (``Get-WebBinding``, a pipeline into Format-List, and
  ``appcmd list wp``); baseline: the same bindings as a DataFrame (``lab.table("bindings")``), the
  other way a notebook shows them. Target: well under 2 ms.
* ``open_lab("two-servers")``; baseline: building one server alone. Target: under 100 ms.
* ``import casl`` in a fresh interpreter; baseline: ``import pandas`` in a fresh interpreter, measured
  the same way in the same run. Target: at most 1.5 times ``import pandas``.
"""
from __future__ import annotations

from _timing import REPO, median as _median  # noqa: F401  (also puts the repository on sys.path)

import statistics
import subprocess
import sys


def _fresh_import(module: str, repeat: int = 7) -> float:
    code = f"import time; t0 = time.perf_counter(); import {module}; print(time.perf_counter() - t0)"
    times = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                                  cwd=REPO).stdout) for _ in range(repeat)]
    return statistics.median(times)


def run() -> list[dict]:
    import casl
    from casl.model.clock import LabClock, PidSource
    from casl.model.server import build_server

    lab = casl.open_lab("two-servers", state=None)
    sh = lab.shell("ServerA")
    sh.run("Import-Module WebAdministration")
    lab.table("bindings")
    frame = _median(lambda: lab.table("bindings", "ServerA"), 100)
    rows = []
    for name, command in (("shell: Get-WebBinding", "Get-WebBinding"),
                          ("shell: Get-WebBinding | fl", "Get-WebBinding -Name 'Exchange Back End' | Format-List"),
                          ("shell: appcmd list wp", "appcmd list wp")):
        sh.run(command)
        rows.append({"name": name, "median_s": _median(lambda c=command: sh.run(c), 300),
                     "baseline": "lab.table('bindings')", "baseline_median_s": frame, "target": "< 2 ms"})

    one_server = _median(lambda: build_server("ServerA", "contoso.com", "10.0.0.11", PidSource(1),
                                              LabClock.at("2014-10-02T09:30:00")), 30)
    rows.append({"name": "open_lab('two-servers')",
                 "median_s": _median(lambda: casl.open_lab("two-servers", state=None), 30),
                 "baseline": "build one server", "baseline_median_s": one_server, "target": "< 100 ms"})
    pandas = _fresh_import("pandas")
    rows.append({"name": "import casl (fresh interpreter)", "median_s": _fresh_import("casl"),
                 "baseline": "import pandas (fresh)", "baseline_median_s": pandas, "target": "<= 1.5 x pandas"})
    return rows


if __name__ == "__main__":
    from run import table
    print(table(run()))
