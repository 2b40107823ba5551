"""Parsers for real text brought from real servers, each into a typed pandas DataFrame.

One module per format (``casl.parse.netstat``, ``casl.parse.tasklist``, ...), each with a
``parse(text)`` entry point; the short names below (``casl.parse.read_netstat(text)``, ...) load
them on first use so that
``import casl`` stays cheap. Text that is not what it claims to be raises
:class:`casl.errors.ParseError` naming the line and column.

>>> from casl import parse
>>> sorted(parse.PARSERS)[:2]
['classify_flows', 'read_appcmd_wp']
"""
from __future__ import annotations

import importlib

# short name -> (module, function); the module is imported only when the name is used. The short
# names differ from the module names: importing ``casl.parse.netstat`` binds the module under its
# own name, so a function of that name would be shadowed after first use.
PARSERS: dict[str, tuple[str, str]] = {
    "read_netstat": ("casl.parse.netstat", "parse"),
    "read_tasklist": ("casl.parse.tasklist", "parse"),
    "read_appcmd_wp": ("casl.parse.appcmd", "parse_wp"),
    "classify_flows": ("casl.parse.flows", "classify"),
    "read_format_list": ("casl.parse.formatlist", "parse"),
    "format_list": ("casl.parse.formatlist", "parse"),   # kept stable (issue 7); no module has this name
    "read_clixml": ("casl.parse.clixml", "read"),
}


def __getattr__(name: str):
    if name in PARSERS:
        module, func = PARSERS[name]
        return getattr(importlib.import_module(module), func)
    raise AttributeError(f"module 'casl.parse' has no attribute '{name}'")
