"""The notebook conventions that ``casl build``, ``casl grade`` and the linter share.

* A casl cell carries ``metadata.casl = {"exercise": ID, "role": "answer" | "check"}``.
* Its cell id is ``<exercise id with dots as hyphens>-<role>``; graders match cells by this id.
* A check cell is locked (``editable``/``deletable`` false), tagged ``nbval-check-output`` (nbval
  0.11 turns the comment marker ``NBVAL_CHECK_OUTPUT`` into that tag name: lower case, ``_`` to
  ``-``), executed, and stores the Correct line as its reference output.
* Release notebooks carry ``metadata.casl = {"notebook": STEM}`` and fixed kernel metadata.

>>> cell_id("bindings.backend-https-port", "check")
'bindings-backend-https-port-check'
"""
from __future__ import annotations

ROLES = ("answer", "check")
CHECK_TAG = "nbval-check-output"
RAISES_TAG = "raises-exception"

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
LANGUAGE_INFO = {
    "codemirror_mode": {"name": "ipython", "version": 3},
    "file_extension": ".py",
    "mimetype": "text/x-python",
    "name": "python",
    "nbconvert_exporter": "python",
    "pygments_lexer": "ipython3",
}


def cell_id(exercise_id: str, role: str) -> str:
    """The stable id of an exercise's answer or check cell."""
    return f"{exercise_id.replace('.', '-')}-{role}"


def casl_role(cell) -> tuple[str, str] | None:
    """``(exercise id, role)`` of a casl cell, or None for any other cell (or malformed metadata)."""
    meta = cell.get("metadata", {}) if isinstance(cell, dict) else {}
    data = meta.get("casl") if isinstance(meta, dict) else None
    if not isinstance(data, dict):
        return None
    exercise, role = data.get("exercise"), data.get("role")
    if isinstance(exercise, str) and role in ROLES:
        return exercise, role
    return None


def source_text(cell) -> str:
    """A cell's source as one string (nbformat allows a list of lines on disk)."""
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def notebook_stem(nb) -> str | None:
    """The course notebook a release (or a learner's copy of it) says it is."""
    data = nb.get("metadata", {}).get("casl")
    stem = data.get("notebook") if isinstance(data, dict) else None
    return stem if isinstance(stem, str) else None


def lock(cell) -> None:
    """Make a check cell read-only and undeletable, and have nbval compare its output."""
    cell.metadata["editable"] = False
    cell.metadata["deletable"] = False
    tags = list(cell.metadata.get("tags", []))
    # raises-exception: JupyterLab's Run All goes on past an unanswered exercise; nbval still
    # compares the output, so a failing check is still a failing cell when grading.
    for tag in (CHECK_TAG, RAISES_TAG):
        if tag not in tags:
            tags.append(tag)
    cell.metadata["tags"] = tags


def correct_line(exercise) -> str:
    """The text a check cell stores as its reference output."""
    return exercise.outcome("correct", exercise.max_points).line
