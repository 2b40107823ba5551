"""Write the mystery-server captures: netstat -anob, tasklist /svc and appcmd list wp from casl itself.

The scenario (the two-server lab, seed 2014, lab clock 2014-10-02 09:30 UTC), in order:

1. UserA opens https://mail.contoso.com/ecp from a workstation inside (WS01): DB1 is on ServerA,
   so ServerA's front end proxies to its own back end on 444;
2. an administrator recycles MSExchangeECPAppPool on ServerA;
3. UserB opens https://mail.contoso.com/owa from WS01: DB2 is on ServerB, so ServerA's front
   end proxies to ServerB on 444;
4. the three commands run on ServerA, as a console would print them, saved with CRLF.

Run it from the repository: ``python data/mystery-server/make.py``. The same casl gives the same
bytes every time (everything comes from the seed); the files are checked in next to this script.
"""
from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

import casl  # noqa: E402
import casl.shell.commands.netstat  # noqa: E402,F401  (registers netstat and tasklist)

SERVER = "ServerA"
FILES = {
    "netstat-anob.txt": "netstat -anob",
    "tasklist-svc.txt": "tasklist /svc",
    "appcmd-list-wp.txt": "appcmd list wp",
}


def build() -> "casl.labs.Lab":
    """The lab in the state the captures show."""
    lab = casl.open_lab("two-servers", state=None)
    lab.browse("UserA", "https://mail.contoso.com/ecp", accept_warning=True)
    lab.run(SERVER, "appcmd recycle apppool MSExchangeECPAppPool")
    lab.browse("UserB", "https://mail.contoso.com/owa", accept_warning=True)
    return lab


def captures(lab) -> dict[str, str]:
    """File name -> text with CRLF line ends, as `command > file` from cmd.exe writes it."""
    return {name: lab.run(SERVER, command).replace("\n", "\r\n") for name, command in FILES.items()}


def main() -> None:
    for name, text in captures(build()).items():
        (HERE / name).write_bytes(text.encode("ascii"))
        print(f"wrote {name} ({text.count(chr(10))} lines)")


if __name__ == "__main__":
    main()
