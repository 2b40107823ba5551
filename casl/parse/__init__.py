"""Parsers for real text brought from real servers, each into a typed pandas DataFrame.

One module per format (``casl.parse.netstat``, ``casl.parse.tasklist``, ...), each with a
``parse(text)`` entry point; the short names below load them on first use so that
``import casl`` stays cheap. Text that is not what it claims to be raises
:class:`casl.errors.ParseError` naming the line and column.

>>> from casl import parse
>>> sorted(parse.PARSERS)[:2]
['appcmd_wp', 'clixml']
"""
from __future__ import annotations

import importlib

# short name -> (module, function); the module is imported only when the name is used
PARSERS: dict[str, tuple[str, str]] = {
    "netstat": ("casl.parse.netstat", "parse"),
    "tasklist": ("casl.parse.tasklist", "parse"),
    "appcmd_wp": ("casl.parse.appcmd", "parse_wp"),
    "flows": ("casl.parse.flows", "classify"),
    "format_list": ("casl.parse.formatlist", "parse"),
    "clixml": ("casl.parse.clixml", "read"),
}


def __getattr__(name: str):
    if name in PARSERS:
        module, func = PARSERS[name]
        return getattr(importlib.import_module(module), func)
    raise AttributeError(f"module 'casl.parse' has no attribute '{name}'")
