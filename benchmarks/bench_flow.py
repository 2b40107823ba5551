"""Speed of the request flow: ``lab.browse`` against a plain shell command measured in the same run.

* ``lab.browse`` of OWA for a user proxied to the other server (ten hops, eight log lines, connections);
  baseline: ``Get-WebBinding`` on the same lab. Target: under 10 times the shell command.
* the same with a fault (the proxy hop fails early); same baseline and target.

Run standalone: ``python benchmarks/bench_flow.py``.
"""
from __future__ import annotations

from _timing import median as _median  # (importing _timing also puts the repository on sys.path)



def run() -> list[dict]:
    import casl

    lab = casl.open_lab("two-servers", state=None)
    broken = casl.open_lab("two-servers", state=None)
    broken.inject("backend-https-445")
    url = "https://servera.contoso.com/owa"
    shell = lab.shell("ServerA")
    for _ in range(20):   # warm caches and imports
        lab.browse("UserB", url, where="ServerA")
        shell.run("Get-WebBinding")
    base = _median(lambda: shell.run("Get-WebBinding"), 200)
    ok = _median(lambda: lab.browse("UserB", url, where="ServerA"), 200)
    bad = _median(lambda: broken.browse("UserA", url, where="ServerA"), 200)
    rows = []
    for name, value in (("lab.browse OWA, proxied to ServerB (ok)", ok),
                        ("lab.browse OWA with backend-https-445 (blank-page)", bad)):
        rows.append({"name": name, "median_s": value, "baseline": "Get-WebBinding on the same lab",
                     "baseline_median_s": base, "target": "under 10x the shell command"})
    return rows


if __name__ == "__main__":
    for row in run():
        ratio = row["median_s"] / row["baseline_median_s"]
        print(f"{row['name']}: {row['median_s'] * 1000:.3f} ms; baseline {row['baseline']}: "
              f"{row['baseline_median_s'] * 1000:.3f} ms; ratio {ratio:.2f} (target: {row['target']})")
