"""Find every declared exercise by its id.

The catalog (``casl.exercises.catalog.NOTEBOOKS``) maps notebook stems to modules; each module's
``EXERCISES`` are that notebook's exercises, in notebook order. ``CASL_CATALOG`` may add entries
for a course of your own: ``CASL_CATALOG="90-mine=mycourse.mine,91-more=mycourse.more"`` (the
modules must be importable). Modules load on first use, not at ``import casl``.

>>> get("start.backend-site").notebook
'00-start'
"""
from __future__ import annotations

import difflib
import importlib
import os

from casl.errors import CaslError
from casl.exercises.engine import Exercise

ENV_CATALOG = "CASL_CATALOG"

_cache: tuple[tuple, dict[str, tuple[Exercise, ...]]] | None = None


def catalog(*, include_extra: bool = True) -> dict[str, str]:
    """Notebook stem -> catalog module, the package's own plus any from ``CASL_CATALOG``."""
    from casl.exercises.catalog import NOTEBOOKS

    table = dict(NOTEBOOKS)
    if include_extra:
        for entry in os.environ.get(ENV_CATALOG, "").split(","):
            if not entry.strip():
                continue
            stem, sep, module = entry.partition("=")
            if not sep or not stem.strip() or not module.strip():
                raise CaslError(f"{ENV_CATALOG}: {entry.strip()!r} is not 'notebook-stem=module'")
            table[stem.strip()] = module.strip()
    return table


def by_notebook() -> dict[str, tuple[Exercise, ...]]:
    """Every notebook's exercises, in the order their modules declare them."""
    global _cache
    table = catalog()
    key = tuple(sorted(table.items()))
    if _cache is not None and _cache[0] == key:
        return _cache[1]
    loaded: dict[str, tuple[Exercise, ...]] = {}
    seen: dict[str, str] = {}
    for stem, module_name in table.items():
        try:
            module = importlib.import_module(module_name)
        except ImportError as exc:
            raise CaslError(f"the exercises of notebook {stem} ({module_name}) could not be imported: {exc}") from exc
        declared = getattr(module, "EXERCISES", None)
        if not isinstance(declared, (tuple, list)) or not all(isinstance(e, Exercise) for e in declared):
            raise CaslError(f"{module_name} must define EXERCISES, a tuple of casl.exercises.Exercise")
        for ex in declared:
            if ex.notebook != stem:
                raise CaslError(f"{module_name}: exercise {ex.id!r} says notebook {ex.notebook!r}, "
                                f"but the catalog lists the module for {stem!r}")
            if ex.id in seen:
                raise CaslError(f"exercise id {ex.id!r} is declared twice ({seen[ex.id]} and {module_name})")
            seen[ex.id] = module_name
        loaded[stem] = tuple(declared)
    _cache = (key, loaded)
    return loaded


def exercises() -> dict[str, Exercise]:
    """Every exercise by id."""
    return {ex.id: ex for group in by_notebook().values() for ex in group}


def for_notebook(stem: str) -> tuple[Exercise, ...]:
    """The exercises of one notebook (empty if it has none)."""
    return by_notebook().get(stem, ())


def get(exercise_id: str) -> Exercise:
    """One exercise by id; an unknown id is an error that suggests the closest known ones."""
    known = exercises()
    if exercise_id in known:
        return known[exercise_id]
    close = difflib.get_close_matches(str(exercise_id), sorted(known), n=3)
    hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    raise CaslError(f"there is no exercise {exercise_id!r}{hint}")
