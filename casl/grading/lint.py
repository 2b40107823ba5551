"""Release linter: what must hold in every learner notebook for grading to be trustworthy.

* every check cell is locked (``editable``/``deletable`` false), tagged ``nbval-check-output``,
  executed, and stores exactly its exercise's Correct line (plain and Markdown) as output;
* every casl cell names a known exercise of this notebook, and carries the id derived from it;
* every answer cell holds only its placeholder (``name = ...`` or a ``%%ps SERVER`` line and comments);
* the exercises in the notebook and in the package match exactly: each declared exercise has
  one answer cell and, after it, one check cell, and no cell names anything else;
* cell ids are present and unique, and the notebook says which course notebook it is.

Each finding is one line: ``<notebook>: <cell id>: <what is wrong>``.

>>> lint_paths([])
[]
"""
from __future__ import annotations

from pathlib import Path

from casl.exercises import registry
from casl.exercises.answers import parse_action_answer, value_nodes
from casl.exercises.outcomes import Rejected
from casl.grading import cells as C


def lint_release(nb, stem: str, name: str | None = None) -> list[str]:
    """Findings for one release notebook (an nbformat node) of the course notebook ``stem``."""
    name = name or f"{stem}.ipynb"
    found: list[str] = []
    exercises = {ex.id: ex for ex in registry.for_notebook(stem)}
    if (nb.get("nbformat"), nb.get("nbformat_minor", 0) >= 5) != (4, True):
        found.append(f"{name}: not nbformat 4.5 (cell ids are needed)")
    if C.notebook_stem(nb) != stem:
        found.append(f"{name}: metadata.casl.notebook is {C.notebook_stem(nb)!r}, expected {stem!r}")
    if nb.get("metadata", {}).get("kernelspec", {}).get("name") != "python3":
        found.append(f"{name}: kernelspec is not python3")
    ids = [c.get("id") for c in nb.cells]
    for cid in sorted({i for i in ids if ids.count(i) > 1}, key=str):
        found.append(f"{name}: {cid}: cell id used {ids.count(cid)} times")
    if None in ids:
        found.append(f"{name}: {ids.count(None)} cell(s) without an id")
    seen: dict[tuple[str, str], int] = {}
    for n, cell in enumerate(nb.cells):
        role = C.casl_role(cell)
        if cell.get("metadata", {}).get("casl") is not None and role is None:
            found.append(f"{name}: {cell.get('id')}: malformed casl metadata")
            continue
        if role is None:
            continue
        ex_id, kind = role
        where = f"{name}: {cell.get('id')}"
        ex = exercises.get(ex_id)
        if ex is None:
            found.append(f"{where}: names exercise {ex_id!r}, which is not declared for {stem}")
            continue
        if (ex_id, kind) in seen:
            found.append(f"{where}: a second {kind} cell for {ex_id}")
        seen[(ex_id, kind)] = n
        if cell.get("id") != C.cell_id(ex_id, kind):
            found.append(f"{where}: the {kind} cell of {ex_id} should have id {C.cell_id(ex_id, kind)}")
        if kind == "check":
            found.extend(f"{where}: {p}" for p in _check_cell_problems(cell, ex))
            if (ex_id, "answer") not in seen:
                found.append(f"{where}: the check cell of {ex_id} comes before its answer cell")
        else:
            problem = _answer_cell_problem(cell, ex)
            if problem:
                found.append(f"{where}: {problem}")
    for ex_id in exercises:
        for kind in C.ROLES:
            if (ex_id, kind) not in seen:
                found.append(f"{name}: exercise {ex_id} has no {kind} cell")
    return found


def _check_cell_problems(cell, ex) -> list[str]:
    problems = []
    meta = cell.get("metadata", {})
    if meta.get("editable") is not False or meta.get("deletable") is not False:
        problems.append("check cell is not locked (editable and deletable must be false)")
    if C.CHECK_TAG not in meta.get("tags", []):
        problems.append(f"check cell lacks the {C.CHECK_TAG} tag (nbval --nbval-lax would not compare it)")
    if C.RAISES_TAG not in meta.get("tags", []):
        problems.append(f"check cell lacks the {C.RAISES_TAG} tag (Run All would stop at an unanswered exercise)")
    if not isinstance(cell.get("execution_count"), int):
        problems.append("check cell was not executed (nbval skips comparing unexecuted cells)")
    want = ex.outcome("correct", ex.max_points)
    outputs = cell.get("outputs", [])
    data = outputs[0].get("data", {}) if len(outputs) == 1 and outputs[0].get("output_type") == "display_data" else {}
    if _text(data.get("text/plain")) != want.line or _text(data.get("text/markdown")) != want.markdown():
        problems.append(f"check cell does not store its pinned output {want.line!r}")
    return problems


def _text(value) -> str | None:
    # On disk nbformat may split a text output into a list of lines; nbformat.read joins them.
    return "".join(value) if isinstance(value, list) else value


def _answer_cell_problem(cell, ex) -> str | None:
    source = C.source_text(cell)
    if cell.get("outputs"):
        return "answer cell has stored outputs"
    try:
        if ex.kind == "value":
            nodes = value_nodes(source, ex.names)
            if set(nodes) != set(ex.names) or any(getattr(v, "value", None) is not Ellipsis for v in nodes.values()):
                return f"answer cell should hold only placeholders: {', '.join(n + ' = ...' for n in ex.names)}"
        else:
            answer = parse_action_answer(source, ex.server)
            if any(line.strip() and not line.strip().startswith("#") for line in answer.commands.splitlines()):
                return "answer cell should hold only the %%ps line and comments"
    except Rejected as exc:
        return f"answer cell placeholder is not valid: {exc.message}"
    return None


def lint_paths(paths: list[Path]) -> list[str]:
    """Lint release notebooks (files or folders), each against the exercises of its stem."""
    import nbformat

    found: list[str] = []
    for path in paths:
        for file in (sorted(path.glob("*.ipynb")) if path.is_dir() else [path]):
            try:
                nb = nbformat.read(str(file), as_version=4)
            except Exception as exc:      # nbformat raises many kinds; say which file and why, then go on
                found.append(f"{file.name}: not a readable notebook ({type(exc).__name__}: {str(exc)[:120]})")
                continue
            stem = C.notebook_stem(nb) or file.stem
            has_casl = any(C.casl_role(c) for c in nb.cells)
            if has_casl or registry.for_notebook(stem):
                found.extend(lint_release(nb, stem, name=file.name))
    return found


def missing_releases(release_dir: Path, stems) -> list[str]:
    """Catalog notebooks with exercises but no release notebook."""
    return [f"{release_dir.name}/{stem}.ipynb: missing, but {stem} declares exercises"
            for stem in stems if registry.for_notebook(stem) and not (release_dir / f"{stem}.ipynb").exists()]
