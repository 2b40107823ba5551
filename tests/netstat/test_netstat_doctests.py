"""The examples in the docstrings of the netstat modules stay true."""
from __future__ import annotations

import doctest
import importlib

import pytest

import casl.shell.commands.netstat  # noqa: F401  (registers netstat for the examples that run it)


@pytest.mark.parametrize("name", ["casl.model.sockets", "casl.facts.ports", "casl.shell.commands.netstat",
                                  "casl.model.network"])
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
