"""Virtual directories: a ``Get-OwaVirtualDirectory | Format-List`` round trip.

The round trip is the listing printed by the simulated Exchange shell and read back with
``casl.parse.format_list`` (what the notebook does with a backup). Baselines measured in the same run:
the listing alone, and ``Get-WebBinding``. Target: the round trip under 10 ms.
"""
from __future__ import annotations

from _timing import median as _median  # (importing _timing also puts the repository on sys.path)



LISTING = "Get-OwaVirtualDirectory 'ServerA\\owa (Default Web Site)' | Format-List"


def run() -> list[dict]:
    import casl
    from casl.parse import formatlist

    lab = casl.open_lab("vdirs", state=None)
    sh = lab.shell("ServerA")
    sh.run("Add-PSSnapin Microsoft.Exchange.Management.PowerShell.SnapIn")
    text = sh.run(LISTING)
    assert formatlist.parse(text)[0]["Name"] == "owa (Default Web Site)"
    bindings = _median(lambda: sh.run("Get-WebBinding"), 200)
    listing = _median(lambda: sh.run(LISTING), 100)
    trip = _median(lambda: formatlist.parse(sh.run(LISTING)), 100)
    return [
        {"name": "Get-OwaVirtualDirectory | fl (print)", "median_s": listing, "baseline": "Get-WebBinding",
         "baseline_median_s": bindings, "target": "-"},
        {"name": "Get-OwaVirtualDirectory | fl round trip", "median_s": trip,
         "baseline": "the listing alone", "baseline_median_s": listing, "target": "< 10 ms"},
    ]


if __name__ == "__main__":
    from run import table
    print(table(run()))
