"""IPython magics: ``%%ps SERVER`` runs a cell of commands on a lab server, ``%ps`` one line.

The cell's text goes to casl's shell, never to Python.
"""
from __future__ import annotations

import re

from casl.errors import CaslError

_SERVER = re.compile(r"^\s*([A-Za-z][A-Za-z0-9-]{0,30})?\s*$")


class ShellOutput(str):
    """The console text of a command, shown as plain text (no quotes) in a notebook."""

    def __repr__(self) -> str:
        return str(self)


def _run(server: str, text: str) -> None:
    from casl.labs import current_lab
    lab = current_lab()
    out = lab.shell(server or "").run(text)
    if out:
        print(out.rstrip("\n"))


def ps_cell(line: str, cell: str) -> None:
    m = _SERVER.match(line)
    if not m:
        raise CaslError(f"%%ps takes one server name, e.g. %%ps ServerA (got '{line.strip()}')")
    _run(m.group(1) or "", cell)


def ps_line(line: str) -> None:
    """``%ps Get-Service W3SVC`` (first server) or ``%ps ServerB: Get-Service``."""
    m = re.match(r"^\s*([A-Za-z][A-Za-z0-9-]{0,30}):\s+(.*)$", line)
    if m:
        _run(m.group(1), m.group(2))
    else:
        _run("", line)


def register(ip) -> None:
    ip.register_magic_function(ps_cell, magic_kind="cell", magic_name="ps")
    ip.register_magic_function(ps_line, magic_kind="line", magic_name="ps")


def load_ipython_extension(ip) -> None:
    register(ip)
