"""The exercises of each lab notebook, one module per notebook.

``NOTEBOOKS`` maps a notebook's stem (``notebooks/<stem>.ipynb``, built from ``course/<stem>.py``)
to the module that declares its exercises. Each module defines ``EXERCISES``, a tuple of
:class:`casl.exercises.Exercise` whose ``notebook`` is that stem. Add a line here when you add a
notebook with exercises; the registry, ``casl build``, the grader and the linter all read this table.
"""
from __future__ import annotations

NOTEBOOKS: dict[str, str] = {
    "00-start": "casl.exercises.catalog.start",
    "01-iis-layout": "casl.exercises.catalog.iis_layout",
    "02-bindings-lab": "casl.exercises.catalog.bindings",
    "03-netstat-pid": "casl.exercises.catalog.netstat",
    "04-virtual-directories": "casl.exercises.catalog.vdirs",
    "05-certificates": "casl.exercises.catalog.certificates",
}
