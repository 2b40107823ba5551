"""Where casl finds its lab scenarios and sample data.

The workbook runs from a checkout (``pip install -e .``), so ``labs/`` and ``data/`` sit at the
top of the repository, beside the package.

>>> labs_dir().name
'labs'
"""
from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
REPO = PACKAGE.parent


def labs_dir() -> Path:
    """The folder of lab scenarios (TOML)."""
    return REPO / "labs"


def data_dir() -> Path:
    """The folder of sample material used by the notebooks."""
    return REPO / "data"


def data_path(name: str) -> Path:
    """A file in ``data/``, e.g. ``data_path("mystery-server/netstat-ano.txt")``."""
    return data_dir() / name
