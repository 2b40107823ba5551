"""``casl build``: one course source, two notebooks — the solved one and the learner's release.

A source is ``course/NN-name.py`` in jupytext's percent format. Its casl cells are marked in the
cell header (``# %% casl={"exercise": "start.backend-site", "role": "answer"}``); an answer cell
holds its solution between ``### BEGIN SOLUTION`` and ``### END SOLUTION``.

The pipeline, in order (each step is one function over the notebook; the order matters where noted):

1. ``read_source``         jupytext -> nbformat 4.5
2. ``validate``            every casl cell names a registered exercise of this notebook, exactly one
                           answer and one check cell each, check after answer, solutions are data
3. ``assign_ids``          stable ids: casl cells by exercise and role, others by content
4. ``fix_metadata``        fixed kernelspec/language_info, ``casl.notebook``; jupytext's removed
5. ``lock_checks``         check cells read-only, undeletable, tagged for nbval
6. ``solved``              answer cells keep their solution without the markers
7. ``execute``             nbclient, fresh kernel, temporary working folder (no lab state leaks in)
8. ``verify_checks``       every check cell shows exactly its Correct line (after 7)
9. ``release``             answer cells get placeholders and lose outputs (after 8: check cells keep
                           the Correct line as their reference output)

``write`` serialises with nbformat (sorted keys, one-space indent) plus a final newline, so a
release is the same bytes every time it is built from the same source.
"""
from __future__ import annotations

import copy
import hashlib
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from casl.errors import CaslError
from casl.exercises import registry
from casl.exercises.answers import (PS_FIRST_LINE, assigned_names, parse_action_answer, parse_value_answer,
                                    solution_region)
from casl.exercises.outcomes import Rejected
from casl.grading import cells as C

ACTION_PLACEHOLDER = "# Type the commands for {server} below, one per line: this cell runs on {server}, not in Python."


@dataclass
class Built:
    stem: str
    solved: object      # nbformat.NotebookNode, executed
    release: object


def read_source(path: Path):
    """The course source as an nbformat 4.5 notebook."""
    import jupytext

    try:
        nb = jupytext.read(str(path))
    except Exception as exc:   # jupytext raises many kinds; the author needs the file name
        raise CaslError(f"{path.name}: cannot be read as a jupytext percent notebook ({exc})") from None
    nb.nbformat, nb.nbformat_minor = 4, 5
    return nb


def _where(stem: str, n: int, cell) -> str:
    first = (C.source_text(cell).splitlines() or [""])[0][:50]
    return f"{stem}, cell {n} (`{first}`)"


def validate(nb, stem: str) -> None:
    """Check the casl cells of a source against the registry; raise with every problem found."""
    exercises = {ex.id: ex for ex in registry.for_notebook(stem)}
    problems: list[str] = []
    seen: dict[tuple[str, str], int] = {}
    for n, cell in enumerate(nb.cells, 1):
        raw = cell.get("metadata", {}).get("casl")
        role = C.casl_role(cell)
        if raw is not None and role is None:
            problems.append(f"{_where(stem, n, cell)}: casl metadata needs exercise=ID and role=answer|check, got {raw!r}")
            continue
        if role is None:
            continue
        ex_id, kind = role
        if cell.cell_type != "code":
            problems.append(f"{_where(stem, n, cell)}: a casl {kind} cell must be a code cell")
        ex = exercises.get(ex_id)
        if ex is None:
            problems.append(f"{_where(stem, n, cell)}: exercise {ex_id!r} is not declared for notebook {stem} "
                            f"(declared: {', '.join(exercises) or 'none'})")
            continue
        if (ex_id, kind) in seen:
            problems.append(f"{_where(stem, n, cell)}: a second {kind} cell for {ex_id} (the first is cell {seen[ex_id, kind]})")
        seen[ex_id, kind] = n
        if kind == "check":
            if ex_id not in C.source_text(cell):
                problems.append(f"{_where(stem, n, cell)}: the check cell should call casl.exercise({ex_id!r}).check()")
            if (ex_id, "answer") not in seen:
                problems.append(f"{_where(stem, n, cell)}: the check cell of {ex_id} comes before its answer cell")
        else:
            problem = _answer_problem(C.source_text(cell), ex)
            if problem:
                problems.append(f"{_where(stem, n, cell)}: {problem}")
    for ex_id in exercises:
        for kind in C.ROLES:
            if (ex_id, kind) not in seen:
                problems.append(f"{stem}: exercise {ex_id} has no {kind} cell")
    if problems:
        raise CaslError("the course source has problems:\n  " + "\n  ".join(problems))


def _answer_problem(source: str, ex) -> str | None:
    parts = solution_region(source)
    if parts is None:
        return "an answer cell holds its solution between '### BEGIN SOLUTION' and '### END SOLUTION' lines"
    before, solution, after = parts
    try:
        if ex.kind == "value":
            values = parse_value_answer(solution, ex.names)
            missing = [n for n in ex.names if n not in values]
            if missing:
                return f"the solution does not assign {', '.join(missing)}"
            outside = [line for line in (before + after).splitlines() if line.strip() and not line.strip().startswith("#")]
            if outside:
                return f"outside the solution region an answer cell may hold only comments, not {outside[0]!r}"
        else:
            first = before.splitlines()[0] if before.strip() else ""
            if not PS_FIRST_LINE.match(first):
                return f"an action answer cell starts with '%%ps {ex.server}', before the solution region"
            parse_action_answer(before + solution, ex.server)
    except Rejected as exc:
        return f"the solution is not data: {exc.message}"
    return None


def assign_ids(nb) -> None:
    """Give every cell a stable id: casl cells by exercise and role, other cells by their content."""
    used: set[str] = set()
    for cell in nb.cells:
        role = C.casl_role(cell)
        if role:
            cid = C.cell_id(*role)
        else:
            digest = hashlib.sha1(f"{cell.cell_type}\n{C.source_text(cell)}".encode()).hexdigest()[:8]
            cid = f"{cell.cell_type[:2]}-{digest}"
            n = 2
            while cid in used:
                cid = f"{cell.cell_type[:2]}-{digest}-{n}"
                n += 1
        used.add(cid)
        cell["id"] = cid


def fix_metadata(nb, stem: str) -> None:
    """Fixed notebook metadata: nothing that varies by machine, kernel version or tool."""
    nb.metadata = {"casl": {"notebook": stem}, "kernelspec": dict(C.KERNELSPEC),
                   "language_info": copy.deepcopy(C.LANGUAGE_INFO)}
    for cell in nb.cells:
        for key in ("execution", "lines_to_next_cell", "jupyter"):
            cell.metadata.pop(key, None)


def lock_checks(nb) -> None:
    for cell in nb.cells:
        role = C.casl_role(cell)
        if role and role[1] == "check":
            C.lock(cell)


def solved(nb) -> None:
    """Answer cells keep their solution, without the marker lines."""
    for cell in nb.cells:
        role = C.casl_role(cell)
        if role and role[1] == "answer":
            before, solution, after = solution_region(C.source_text(cell))
            cell.source = (before + solution + after).rstrip("\n")


def verify_checks(nb, stem: str) -> None:
    """After execution: every check cell shows exactly one output, its Correct line."""
    for n, cell in enumerate(nb.cells, 1):
        role = C.casl_role(cell)
        if not role or role[1] != "check":
            continue
        ex = registry.get(role[0])
        want = C.correct_line(ex)
        shown = [o.get("data", {}).get("text/plain") for o in cell.outputs if o.get("output_type") == "display_data"]
        if len(cell.outputs) != 1 or shown != [want]:
            got = "; ".join(dict.fromkeys(_output_text(o) for o in cell.outputs)) or "no output"
            raise CaslError(f"{_where(stem, n, cell)}: the solved notebook's check should show {want!r}, "
                            f"but showed {got!r}")


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def stable_widget_ids(nb) -> None:
    """Widget views get ids made from their cell and place instead of the kernel's random ones.

    Widget state is not stored (the kernel that owned the models is gone), so the id points at
    nothing either way; a fixed one keeps a rebuilt release byte-identical. nbval ignores it.
    """
    for cell in nb.cells:
        views = [o.get("data", {}).get(WIDGET_VIEW) for o in cell.get("outputs", [])]
        for n, view in enumerate(v for v in views if isinstance(v, dict) and "model_id" in v):
            view["model_id"] = hashlib.sha256(f"{cell.get('id')}/{n}".encode()).hexdigest()[:32]


def coalesce_streams(nb) -> None:
    """Join consecutive stdout (or stderr) outputs of a cell into one, as nbval compares them.

    How a cell's prints arrive in messages depends on timing; joined, they are the same every run.
    """
    for cell in nb.cells:
        merged = []
        for output in cell.get("outputs", []):
            prev = merged[-1] if merged else None
            if (output.get("output_type") == "stream" and prev is not None
                    and prev.get("output_type") == "stream" and prev.get("name") == output.get("name")):
                prev["text"] = "".join(prev["text"]) + "".join(output["text"])
            else:
                merged.append(output)
        if "outputs" in cell:
            cell["outputs"] = merged


def _output_text(output) -> str:
    if output.get("output_type") == "error":
        return " ".join(output.get("traceback", [])) or output.get("evalue", "")
    if output.get("output_type") == "stream":
        return output.get("text", "")
    return output.get("data", {}).get("text/plain", "")


def placeholder(source: str, ex) -> str:
    """The learner's version of an authored answer cell: the solution region becomes a placeholder."""
    before, solution, after = solution_region(source)
    if ex.kind == "value":
        middle = "".join(f"{name} = ...\n" for name in assigned_names(solution))
    else:
        middle = ACTION_PLACEHOLDER.format(server=ex.server) + "\n"
    return (before + middle + after).rstrip("\n")


def release(solved_nb, source_nb):
    """The learner's notebook: the executed solved notebook with answers replaced by placeholders."""
    nb = copy.deepcopy(solved_nb)
    authored = {cell["id"]: C.source_text(cell) for cell in source_nb.cells}
    for cell in nb.cells:
        role = C.casl_role(cell)
        if role and role[1] == "answer":
            cell.source = placeholder(authored[cell["id"]], registry.get(role[0]))
            cell.outputs = []
            cell.execution_count = None
    return nb


def build_notebook(source: Path, *, timeout: float = 120, execute: bool = True) -> Built:
    """Build one course source into its solved and release notebooks."""
    from casl.grading.execute import execute as run

    stem = source.stem
    nb = read_source(source)
    validate(nb, stem)
    assign_ids(nb)
    fix_metadata(nb, stem)
    lock_checks(nb)
    authored = copy.deepcopy(nb)
    solved(nb)
    if execute:
        with tempfile.TemporaryDirectory(prefix="casl-build-") as tmp:
            run(nb, cwd=Path(tmp), name=f"{stem} (solved)", timeout=timeout)
        fix_metadata(nb, stem)           # nbclient writes kernel details back; put the fixed ones again
        coalesce_streams(nb)
        stable_widget_ids(nb)
        verify_checks(nb, stem)
    return Built(stem, nb, release(nb, authored))


def write(nb, path: Path) -> None:
    """Serialise deterministically (nbformat's sorted keys) and end with a newline."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(serialise(nb), encoding="utf-8")


def serialise(nb) -> str:
    import nbformat

    return nbformat.writes(nb) + "\n"


def first_difference(committed: str, built: str, name: str) -> str | None:
    """None if equal, else where the two texts first differ (line number and both lines)."""
    if committed == built:
        return None
    old, new = committed.splitlines(), built.splitlines()
    for n, (a, b) in enumerate(zip(old, new), 1):
        if a != b:
            return f"{name} line {n}: committed {a.strip()[:80]!r}, built {b.strip()[:80]!r}"
    n = min(len(old), len(new)) + 1
    return f"{name} line {n}: the {'committed' if len(old) > len(new) else 'built'} file is longer"


def sources(course_dir: Path, names: list[str] | None = None) -> list[Path]:
    """The course sources to build: all ``NN-name.py`` in ``course_dir``, or the named ones."""
    if names:
        found = []
        for name in names:
            p = Path(name)
            candidate = p if p.suffix == ".py" and p.exists() else course_dir / f"{p.stem}.py"
            if not candidate.exists():
                raise CaslError(f"no course source for {name!r} (looked for {candidate.name} in {course_dir.name}/)")
            found.append(candidate)
        return found
    return sorted(p for p in course_dir.glob("*.py") if re.match(r"^\d\d-", p.name))


def build(source_paths: list[Path], release_dir: Path, solved_dir: Path | None, *, timeout: float = 120) -> list[Path]:
    """Build and write releases (and solved notebooks); returns the release paths."""
    written = []
    for source in source_paths:
        built = build_notebook(source, timeout=timeout)
        target = release_dir / f"{built.stem}.ipynb"
        write(built.release, target)
        if solved_dir is not None:
            write(built.solved, solved_dir / f"{built.stem}.ipynb")
        written.append(target)
    return written


def check(source_paths: list[Path], release_dir: Path, *, timeout: float = 120) -> list[str]:
    """Rebuild in memory and compare with the committed releases; one line per notebook that differs."""
    differences = []
    for source in source_paths:
        target = release_dir / f"{source.stem}.ipynb"
        name = f"{release_dir.name}/{target.name}"
        if not target.exists():              # no need to build what has nothing to compare with
            differences.append(f"{name}: missing (run casl build)")
            continue
        built = build_notebook(source, timeout=timeout)
        diff = first_difference(target.read_text(encoding="utf-8"), serialise(built.release), name)
        if diff:
            differences.append(diff)
    return differences


__all__ = ["Built", "build", "build_notebook", "check", "placeholder", "read_source", "release", "serialise",
           "sources", "write"]


def solve_release(release_path: Path, course_dir: Path, *, timeout: float = 120):
    """A release notebook with the course's solutions put into its answer cells, executed."""
    import nbformat

    try:
        nb = nbformat.read(str(release_path), as_version=4)
    except Exception as exc:
        raise CaslError(f"{release_path.name}: not a readable notebook ({exc})") from None
    stem = C.notebook_stem(nb) or release_path.stem
    source = course_dir / f"{stem}.py"
    if not source.exists():
        raise CaslError(f"{release_path.name} is notebook {stem}, but there is no {source.name} in {course_dir.name}/")
    authored = read_source(source)
    validate(authored, stem)
    assign_ids(authored)
    solved(authored)
    answers = {C.casl_role(c)[0]: C.source_text(c) for c in authored.cells
               if C.casl_role(c) and C.casl_role(c)[1] == "answer"}
    for cell in nb.cells:
        role = C.casl_role(cell)
        if role and role[1] == "answer" and role[0] in answers:
            cell.source = answers[role[0]]
    from casl.grading.execute import execute as run

    with tempfile.TemporaryDirectory(prefix="casl-solve-") as tmp:
        run(nb, cwd=Path(tmp), name=f"{release_path.name} (solved)", timeout=timeout)
    fix_metadata(nb, stem)
    verify_checks(nb, stem)
    return nb
