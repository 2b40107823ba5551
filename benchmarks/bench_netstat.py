"""Speed of netstat, tasklist and the parse round trip on the two-server lab, against Get-WebBinding in this run.

Run standalone: ``python benchmarks/bench_netstat.py``.
"""
from __future__ import annotations

from _timing import median as _median  # (importing _timing also puts the repository on sys.path)



def run() -> list[dict]:
    import casl
    import casl.shell.commands.netstat  # noqa: F401  (registers netstat and tasklist)
    from casl.parse import netstat

    lab = casl.open_lab("two-servers", state=None)
    for i in range(20):   # 20 requests: both users, alternately, through ServerA's front end
        lab.browse("UserA" if i % 2 else "UserB", "https://mail.contoso.com/owa", accept_warning=True)
    shell = lab.shell("ServerA")
    text = shell.run("netstat -anob")

    def bindings():
        shell.run("Get-WebBinding")

    baseline = _median(bindings, 30)
    base = {"baseline": "Get-WebBinding on the same server", "baseline_median_s": baseline}
    return [
        {"name": "netstat -ano on ServerA after 20 requests",
         "median_s": _median(lambda: shell.run("netstat -ano"), 30),
         **base, "target": "< 10x baseline (about 90 rows against 8, and both servers' connections reconciled)"},
        {"name": "netstat -anob (owner lines)", "median_s": _median(lambda: shell.run("netstat -anob"), 30),
         **base, "target": "< 12x baseline"},
        {"name": "tasklist /svc", "median_s": _median(lambda: shell.run("tasklist /svc"), 30),
         **base, "target": "< 3x baseline"},
        {"name": "casl.parse.netstat.parse of the -anob text", "median_s": _median(lambda: netstat.parse(text), 30),
         **base, "target": "< 100x baseline (a typed pandas DataFrame of about 150 lines)"},
    ]


if __name__ == "__main__":
    for row in run():
        ratio = row["median_s"] / row["baseline_median_s"] if row["baseline_median_s"] else float("nan")
        print(f"{row['name']}: {row['median_s'] * 1000:.2f} ms | {row['baseline']}: "
              f"{row['baseline_median_s'] * 1000:.2f} ms | x{ratio:.1f} | target {row['target']}")
