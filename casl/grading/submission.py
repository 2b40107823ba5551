"""Read a learner's notebook as data and rebuild it from the pristine release.

The pipeline for one submission (none of it writes to the submission):

1. ``read_notebook``  size cap, valid JSON, nbformat 4, cell cap, well-formed cells;
2. ``pick_release``   by the notebook's ``metadata.casl.notebook``, else by its casl cell ids;
3. ``take_answers``   answer cells by id (then by metadata); value answers through ``ast``
                      (literal assignments only), ``%%ps`` answers as text; else Rejected;
4. ``findings``       what differs from the release in the locked cells (and cells added/removed);
5. ``rebuild``        the release, untouched but for the answer cells' sources.

Nothing a learner wrote runs except as literal data or as text for casl's shell.
"""
from __future__ import annotations

import ast
import copy
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from casl.errors import CaslError
from casl.exercises import registry
from casl.exercises.answers import parse_action_answer, value_nodes, value_source
from casl.exercises.outcomes import Rejected
from casl.grading import cells as C

MAX_BYTES = 20_000_000
MAX_CELLS = 2_000


class InvalidSubmission(CaslError):
    """A file that cannot be graded as a notebook (costs only itself)."""


@dataclass
class Release:
    """A pristine release notebook and where its casl cells are."""

    stem: str
    path: Path
    nb: object
    answers: dict[str, str]        # exercise id -> answer cell id
    checks: dict[str, str]         # exercise id -> check cell id
    exercises: tuple

    @classmethod
    def load(cls, path: Path) -> "Release":
        import nbformat

        try:
            nb = nbformat.read(str(path), as_version=4)
        except Exception as exc:
            raise CaslError(f"{path.name}: not a readable release notebook ({exc})") from None
        stem = C.notebook_stem(nb) or path.stem
        answers, checks = {}, {}
        for cell in nb.cells:
            role = C.casl_role(cell)
            if role:
                (answers if role[1] == "answer" else checks)[role[0]] = cell.get("id")
        exercises = registry.for_notebook(stem)
        declared = {ex.id for ex in exercises}
        if set(answers) != declared or set(checks) != declared:
            raise CaslError(f"{path.name}: its exercises ({', '.join(sorted(set(answers) | set(checks)))}) do not "
                            f"match those declared for {stem} ({', '.join(sorted(declared))}); rebuild it")
        return cls(stem, path, nb, answers, checks, exercises)

    def cell(self, cell_id: str):
        return next(c for c in self.nb.cells if c.get("id") == cell_id)


def load_releases(paths: list[Path]) -> dict[str, Release]:
    """Releases by notebook stem, from files and folders of ``.ipynb``."""
    found: dict[str, Release] = {}
    for path in paths:
        files = sorted(path.glob("*.ipynb")) if path.is_dir() else [path]
        for file in files:
            release = Release.load(file)
            if release.exercises:
                found[release.stem] = release
    return found


@dataclass
class Answer:
    """What the grader takes from one answer cell."""

    status: str                    # "taken" | "not-attempted" | "rejected"
    source: str                    # what the rebuilt cell will hold
    message: str = ""


@dataclass
class Submission:
    """One learner's file, read and prepared for grading."""

    path: Path
    learner: str
    release: Release | None = None
    answers: dict[str, Answer] = field(default_factory=dict)
    findings: list[dict] = field(default_factory=list)
    error: str | None = None
    rebuilt: object = None


def read_notebook(path: Path, *, max_bytes: int = MAX_BYTES, max_cells: int = MAX_CELLS):
    """The submission as an nbformat node, or InvalidSubmission saying why not."""
    import nbformat

    try:
        if not path.is_file():       # a folder, a device such as /dev/zero, a pipe: never read those
            raise InvalidSubmission("is not a file" if path.exists() else "cannot be read (no such file)")
        size = path.stat().st_size
        if size > max_bytes:
            raise InvalidSubmission(f"is {size} bytes; the limit is {max_bytes}")
        with path.open("rb") as fh:
            raw = fh.read(max_bytes + 1)
    except OSError as exc:
        raise InvalidSubmission(f"cannot be read ({exc.strerror or exc})") from None
    if len(raw) > max_bytes:
        raise InvalidSubmission(f"is more than {max_bytes} bytes; the limit is {max_bytes}")
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, ValueError) as exc:
        raise InvalidSubmission(f"is not a notebook (not valid JSON: {str(exc)[:80]})") from None
    except RecursionError:
        raise InvalidSubmission("is not a notebook (JSON nested too deeply)") from None
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        raise InvalidSubmission("is not a notebook (no list of cells)")
    if data.get("nbformat") != 4:
        raise InvalidSubmission(f"is nbformat {data.get('nbformat')!r}; only version 4 notebooks can be graded")
    if len(data["cells"]) > max_cells:
        raise InvalidSubmission(f"has {len(data['cells'])} cells; the limit is {max_cells}")
    for n, cell in enumerate(data["cells"], 1):
        if not isinstance(cell, dict) or cell.get("cell_type") not in ("code", "markdown", "raw"):
            raise InvalidSubmission(f"cell {n} is not a notebook cell")
        src = cell.get("source", "")
        if not (isinstance(src, str) or (isinstance(src, list) and all(isinstance(s, str) for s in src))):
            raise InvalidSubmission(f"cell {n} has a malformed source")
        if not isinstance(cell.get("metadata", {}), dict):
            raise InvalidSubmission(f"cell {n} has malformed metadata")
        outputs = cell.get("outputs", [])
        if not isinstance(outputs, list) or not all(isinstance(o, dict) for o in outputs):
            raise InvalidSubmission(f"cell {n} has malformed outputs")
    if not isinstance(data.get("metadata", {}), dict):
        raise InvalidSubmission("has malformed notebook metadata")
    from nbformat.v4.rwbase import rejoin_lines     # lists of lines on disk -> one string, as nbformat.read does

    try:
        return rejoin_lines(nbformat.from_dict(data))
    except (AttributeError, TypeError) as exc:
        raise InvalidSubmission(f"is not a well-formed notebook ({exc})") from None


def pick_release(nb, releases: dict[str, Release]) -> Release:
    """Which release a submission is a copy of."""
    stem = C.notebook_stem(nb)
    if stem in releases:
        return releases[stem]
    ids = {c.get("id") for c in nb.cells}
    overlap = {s: len(ids & (set(r.answers.values()) | set(r.checks.values()))) for s, r in releases.items()}
    best = max(overlap, key=lambda s: (overlap[s], s), default=None)
    if best is None or overlap[best] == 0:
        known = ", ".join(sorted(releases)) or "none loaded"
        raise InvalidSubmission(f"is not a copy of a known release notebook (releases: {known})")
    return releases[best]


def _find(nb, cell_id: str, exercise: str, role: str):
    by_id = [c for c in nb.cells if c.get("id") == cell_id and c.get("cell_type") == "code"]
    if by_id:
        return by_id[0]
    by_meta = [c for c in nb.cells if c.get("cell_type") == "code" and C.casl_role(c) == (exercise, role)]
    return by_meta[-1] if by_meta else None


def take_answers(nb, release: Release) -> dict[str, Answer]:
    """Every exercise's answer, read as data."""
    answers = {}
    for ex in release.exercises:
        placeholder = C.source_text(release.cell(release.answers[ex.id]))
        cell = _find(nb, release.answers[ex.id], ex.id, "answer")
        if cell is None:
            answers[ex.id] = Answer("not-attempted", placeholder, "the answer cell was deleted")
            continue
        source = C.source_text(cell)
        try:
            if ex.kind == "value":
                nodes = value_nodes(source, ex.names)
                given = {n: v for n, v in nodes.items() if not _is_ellipsis(v)}
                if not given:
                    answers[ex.id] = Answer("not-attempted", placeholder)
                    continue
                answers[ex.id] = Answer("taken", value_source(nodes, ex.names))
            else:
                answers[ex.id] = Answer("taken", parse_action_answer(source, ex.server).source)
        except Rejected as exc:
            answers[ex.id] = Answer("rejected", placeholder, exc.message)
    return answers


def _is_ellipsis(node) -> bool:
    return getattr(node, "value", None) is Ellipsis and type(node).__name__ == "Constant"


def _outputs(cell) -> str:
    return json.dumps(cell.get("outputs", []), sort_keys=True)


_OUTCOME_LINE = re.compile(r"^(Correct|Incorrect|Not attempted|Rejected|Error): (\S+) \(")


def _shown_text(output) -> str:
    data = output.get("data", {})
    text = data.get("text/plain", "") if isinstance(data, dict) else ""
    return "".join(text) if isinstance(text, list) else str(text)


def _ordinary_outputs(cell, ref, exercise: str) -> bool:
    """Whether a check cell's outputs are what running it can show (any outcome, or an error).

    Running a check shows its outcome line; anything but Correct also raises (an error output).
    A kernel restarted before ``import casl`` shows a NameError: ordinary too. Text that claims an
    outcome the check did not raise for, or any other output, cannot come from running the cell.
    """
    reference = {_shown_text(o) for o in ref.get("outputs", [])}
    failed = any(o.get("output_type") == "error" for o in cell.get("outputs", []))
    for output in cell.get("outputs", []):
        kind = output.get("output_type")
        if kind == "error" or (kind == "stream" and output.get("name") == "stderr"):
            continue
        if kind not in ("display_data", "execute_result"):
            return False
        text = _shown_text(output)
        match = _OUTCOME_LINE.match(text)
        if not match or match.group(2) != exercise:
            return False
        if match.group(1) == "Correct" and (text not in reference or failed):
            return False
        if match.group(1) != "Correct" and not failed:
            return False
    return True


_SOURCE_LIMIT = 100_000       # larger cells are not inspected for patching (they are never run anyway)


def _casl_names(tree: ast.AST) -> set[str]:
    """Names a cell binds to casl or to things imported from it."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "casl":
                    names.add(alias.asname or "casl")
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "casl":
            names.update(alias.asname or alias.name for alias in node.names)
    return names | {"casl"}


def _root(node) -> str | None:
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def patches_casl(source: str) -> bool:
    """Whether a cell assigns to (or deletes) an attribute of casl or of something imported from it.

    >>> patches_casl("import casl\\ncasl.exercise = lambda i: None")
    True
    >>> patches_casl("from casl.exercises.engine import Exercise as E\\nsetattr(E, 'evaluate', print)")
    True
    >>> patches_casl("lab = casl.open_lab('bindings')\\nlab.name")
    False
    """
    if len(source) > _SOURCE_LIMIT:
        return False
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    names = _casl_names(tree)
    for node in ast.walk(tree):
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        elif isinstance(node, ast.Delete):
            targets = node.targets
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("setattr", "delattr") \
                and node.args:
            targets = [ast.Attribute(value=node.args[0], attr="?")]
        for target in targets:
            if isinstance(target, (ast.Attribute, ast.Subscript)) and _root(target) in names:
                return True
    return False


def _suspicious_cells(nb, release: Release, add) -> None:
    """Learner cells (added or edited, never run by the grader) that imitate or patch a check."""
    lines = {C.correct_line(ex): ex.id for ex in release.exercises}
    reference = {c.get("id"): C.source_text(c) for c in release.nb.cells}
    for cell in nb.cells:
        if cell.get("cell_type") != "code" or C.casl_role(cell) is not None:
            continue
        source = C.source_text(cell)
        if reference.get(cell.get("id")) == source:
            continue
        shown = source + "".join(_shown_text(o) + "".join(o.get("text", "")) for o in cell.get("outputs", []))
        imitated = sorted({ex_id for line, ex_id in lines.items() if line in shown})
        if imitated:
            add("cell-imitates-check", cell.get("id"), imitated[0], True,
                "a cell that is not a check shows a check's Correct line")
        if patches_casl(source):
            add("cell-patches-casl", cell.get("id"), None, True,
                "a cell assigns to casl's internals (the grader never runs it)")


def _short(text, limit: int = 200) -> str:
    """Cell ids as the report shows them: learners' ids may be anything, so long ones are cut."""
    text = str(text)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def findings(nb, release: Release) -> list[dict]:
    """What a submission changed in the cells the learner was not meant to change.

    Each finding is ``{"kind", "cell", "exercise", "tamper", "detail"}``; ``tamper`` marks what
    cannot come from ordinary use (editing a locked cell, clearing one count but keeping its
    output, adding or deleting check cells). The grade never depends on findings: grading
    rebuilds every notebook from the release.
    """
    out: list[dict] = []

    def add(kind, cell, exercise, tamper, detail):
        out.append({"kind": kind, "cell": _short(cell), "exercise": exercise, "tamper": tamper, "detail": detail})

    id_counts = Counter(c.get("id") for c in nb.cells)
    release_ids = {c.get("id") for c in release.nb.cells}
    matched: set[int] = set()          # the cells taken as the release's check cells
    for ex_id, cid in release.checks.items():
        ref = release.cell(cid)
        cell = _find(nb, cid, ex_id, "check")
        if cell is None:
            add("check-cell-deleted", cid, ex_id, True, "the check cell is missing")
            continue
        matched.add(id(cell))
        if C.source_text(cell) != C.source_text(ref):
            add("check-cell-source-changed", cid, ex_id, True, "the locked check cell's code was edited")
        meta = cell.get("metadata", {})
        if meta.get("editable") is not False or meta.get("deletable") is not False:
            add("check-cell-unlocked", cid, ex_id, True, "the check cell's lock metadata was removed")
        if cell.get("execution_count") is None and cell.get("outputs"):
            add("check-cell-count-cleared", cid, ex_id, True,
                "the execution count was cleared but the output kept (nbval would skip the cell)")
        elif cell.get("execution_count") is None and ref.get("execution_count") is not None:
            add("check-cell-cleared", cid, ex_id, False, "outputs and execution count cleared")
        if cell.get("outputs") and _outputs(cell) != _outputs(ref) and not _ordinary_outputs(cell, ref, ex_id):
            add("check-cell-output-changed", cid, ex_id, True,
                "the stored output is neither the reference nor what a check prints")
        if id_counts[cid] > 1:
            add("check-cell-added", cid, ex_id, True, f"{id_counts[cid]} cells carry this check cell's id")
    for cell in nb.cells:
        role = C.casl_role(cell)
        cid = cell.get("id")
        if role and role[1] == "check" and release.checks.get(role[0]) != cid and id(cell) not in matched:
            ref = release.cell(release.checks[role[0]]) if role[0] in release.checks else None
            if ref is not None and C.source_text(cell) == C.source_text(ref) \
                    and _ordinary_outputs(cell, ref, role[0]):
                # JupyterLab's copy and paste keeps the metadata: a plain copy of a check is not an attack
                add("check-cell-copied", cid, role[0], False, "a copy of the check cell (not graded)")
            else:
                add("check-cell-added", cid, role[0], True,
                    "a cell claims to be a check cell the release does not have")
    _suspicious_cells(nb, release, add)
    if not any(c.get("id") for c in nb.cells):
        # Saved by a tool that drops cell ids (nbformat 4.4 and older, some hosted notebooks): the
        # casl cells were matched by their metadata; the other cells cannot be compared one by one.
        add("cell-ids-missing", "", None, False,
            "the notebook has no cell ids (saved by an older tool); cells were matched by their casl metadata")
        return out
    by_id = {c.get("id"): c for c in nb.cells}
    changed = [c.get("id") for c in release.nb.cells
               if not C.casl_role(c) and c.get("cell_type") == "code" and c.get("id") in by_id
               and C.source_text(by_id[c.get("id")]) != C.source_text(c)]
    if changed:
        add("cells-changed", ", ".join(_short(c, 40) for c in changed[:10]), None, False,
            f"{len(changed)} release code cell(s) edited (not graded: the release's version runs)")
    added = [c.get("id") for c in nb.cells if c.get("id") not in release_ids]
    if added:
        add("cells-added", ", ".join(_short(a, 40) for a in added[:10]), None, False,
            f"{len(added)} cell(s) not in the release (not graded: only answer cells are taken)")
    present = {c.get("id") for c in nb.cells}
    gone = [c.get("id") for c in release.nb.cells if c.get("id") not in present and not C.casl_role(c)]
    if gone:
        add("cells-deleted", ", ".join(gone[:10]), None, False, f"{len(gone)} release cell(s) missing (restored for grading)")
    return out


def rebuild(release: Release, answers: dict[str, Answer]):
    """The release with the submitted answers put in; every other cell exactly as released."""
    nb = copy.deepcopy(release.nb)
    by_id = {c.get("id"): c for c in nb.cells}
    for ex_id, answer in answers.items():
        by_id[release.answers[ex_id]].source = answer.source
    return nb


def prepare(path: Path, learner: str, releases: dict[str, Release], *, max_bytes: int = MAX_BYTES,
            max_cells: int = MAX_CELLS) -> Submission:
    """Steps 1 to 5 for one file; an unreadable file becomes a Submission with ``error`` set."""
    sub = Submission(path, learner)
    try:
        nb = read_notebook(path, max_bytes=max_bytes, max_cells=max_cells)
        sub.release = pick_release(nb, releases)
    except InvalidSubmission as exc:
        sub.error = f"{path.name} {exc}"
        return sub
    try:
        sub.answers = take_answers(nb, sub.release)
        sub.findings = findings(nb, sub.release)
        sub.rebuilt = rebuild(sub.release, sub.answers)
    except Exception as exc:      # a casl bug this file trips must cost only this file
        sub.answers, sub.findings, sub.rebuilt = {}, sub.findings or [], None
        sub.error = f"{path.name} could not be prepared for grading ({type(exc).__name__}: {str(exc)[:200]})"
    return sub
