"""Certificate cmdlet tests: register the Exchange and certificate commands (until casl.shell.commands lists them)."""
from __future__ import annotations

import pytest

import casl
import certcmds_helpers  # noqa: F401  (registers the commands)


@pytest.fixture
def two():
    return casl.open_lab("two-servers", state=None)
