"""Exercises with instant feedback: declare once, check in the notebook, grade the same way.

Declaring (in ``casl/exercises/catalog/<notebook>.py``)::

    from casl.exercises import Check, Exercise, Incorrect, NotAttempted, Wrong, normalise

Learning (in a notebook)::

    ex = casl.exercise("start.backend-site")
    ex.check(); ex.hint(); ex.hint(2); ex.solution()
    casl.progress()

Only light modules load here; the view and the registry load on first use.
"""
from __future__ import annotations

from casl.exercises import normalise
from casl.exercises.engine import Check, Exercise, Wrong
from casl.exercises.outcomes import CheckFailed, Incorrect, NotAttempted, Outcome, Rejected

__all__ = ["Check", "CheckFailed", "Exercise", "Incorrect", "NotAttempted", "Outcome", "Rejected", "Wrong",
           "exercise", "normalise", "progress"]


def exercise(exercise_id: str):
    """The learner's handle on one exercise: ``check()``, ``hint()``, ``hint(n)``, ``solution()``."""
    from casl.exercises.view import exercise as _exercise
    return _exercise(exercise_id)


def progress(notebook: str | None = None):
    """Which exercises of the open notebook are done in this kernel, as a small table."""
    from casl.exercises.view import progress as _progress
    return _progress(notebook)
