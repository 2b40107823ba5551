"""The learner's side of an exercise: ``check()``, ``hint()``, ``hint(n)``, ``solution()``, ``progress()``.

Everything shown is one deterministic line of plain text plus a Markdown rendering, so that a
check cell's stored output can serve as nbval's reference.

How a value answer is judged in the kernel
------------------------------------------
``check()`` reads the exercise's names from the notebook's namespace. Before judging, it finds the
cell that last assigned each name: it walks IPython's input history (the transformed source of
every executed cell, newest first) and parses each cell with :mod:`ast` until one binds the name
(an assignment, ``for`` target, ``import ... as``, ``def``, ...). That cell must pass the grader's
own rule (:func:`casl.exercises.answers.parse_value_answer`: only ``name = literal``), and the value
it assigned must still be the value in the namespace; otherwise the outcome is Rejected, with the
line at fault. Where there is no history (nbval runs cells with ``store_history=False``, plain
Python has none) this step is skipped: the grader applies the same rule to the submitted file.

While grading, the environment variable ``CASL_GRADE_RESULTS`` names a file (in the notebook's
folder) to which every check appends its outcome as one JSON line; see :mod:`casl.grading.plugin`.
"""
from __future__ import annotations

import ast
import datetime as _dt
import json
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from casl.exercises import registry
from casl.exercises.answers import parse_value_answer
from casl.exercises.engine import Exercise
from casl.exercises.outcomes import CheckFailed, Outcome, Rejected

ENV_RESULTS = "CASL_GRADE_RESULTS"

# What this kernel has seen: the last outcome of each exercise, and the notebook last worked on.
_ledger: dict[str, Outcome] = {}
_recent: list[str] = []


class Note:
    """A short message with a plain and a Markdown rendering (hints, solutions, notices)."""

    def __init__(self, plain: str, markdown: str):
        self.plain, self.markdown = plain, markdown

    def __repr__(self) -> str:
        return self.plain

    def _repr_markdown_(self) -> str:
        return self.markdown


def _ipython():
    if "IPython" not in sys.modules:      # never import IPython just to find out it is not running
        return None
    from IPython import get_ipython
    return get_ipython()


def show(obj: object) -> None:
    """Display an object in a notebook (plain text and Markdown), or print its plain text elsewhere."""
    if _ipython() is not None:
        from IPython.display import display
        display(obj)
    else:
        print(repr(obj))


class ExerciseView:
    """What ``casl.exercise(id)`` returns."""

    def __init__(self, exercise: Exercise):
        self.exercise = exercise

    @property
    def id(self) -> str:
        return self.exercise.id

    # -- checking ----------------------------------------------------------------------------
    def outcome(self) -> Outcome:
        """Judge the current answer without showing anything or raising."""
        ex = self.exercise
        if ex.kind == "action":
            return ex.evaluate()
        shell = _ipython()
        namespace = shell.user_ns if shell is not None else vars(sys.modules["__main__"])
        undefined = [n for n in ex.names if n not in namespace]
        if undefined:
            names = ", ".join(f"`{n}`" for n in undefined)
            return ex.outcome("not-attempted", 0, f"{names} {'is' if len(undefined) == 1 else 'are'} not "
                                                   "defined yet: run the answer cell first")
        values = {n: namespace[n] for n in ex.names}
        if shell is not None:
            history = list(getattr(shell.history_manager, "input_hist_parsed", []) or [])
            rejected = _provenance(ex, values, history)
            if rejected is not None:
                return rejected
        return ex.evaluate(values)

    def check(self) -> None:
        """Check the answer: show the outcome, and raise unless it is Correct."""
        outcome = self.outcome()
        record(outcome)
        show(outcome)
        if not outcome.correct:
            raise CheckFailed(outcome)

    # -- help --------------------------------------------------------------------------------
    def hint(self, n: int = 1) -> None:
        """Show hint ``n`` (1 is the gentlest)."""
        hints = self.exercise.hints
        total = len(hints)
        if not isinstance(n, int) or isinstance(n, bool) or not 1 <= n <= total:
            plain = f"{self.id} has {total} hint{'s' if total != 1 else ''}; there is no hint {n!r}."
            extra = "" if total == 0 else f" Try `hint({total})`, or `solution()`."
            show(Note(plain + extra, plain + extra))
            return
        text = hints[n - 1]
        more = f" More: hint({n + 1})." if n < total else " That was the last hint; solution() shows the answer."
        show(Note(f"Hint {n} of {total} ({self.id}): {text}{more}",
                  f"**Hint {n} of {total}** · `{self.id}`\n\n{text}\n\n*{more.strip()}*"))

    def solution(self, *, today: _dt.date | None = None) -> None:
        """Show the solution, unless the instructor has hidden it (see docs/instructor.md)."""
        from casl.exercises.policy import rule_for

        rule = rule_for(self.exercise.notebook)
        if not rule.shown(today or _dt.date.today()):
            text = rule.explain(self.id)
            show(Note(text, text))
            return
        ex = self.exercise
        if ex.kind == "value":
            plain = f"Solution of {self.id}:\n{ex.solution}"
            markdown = f"**Solution** · `{self.id}`\n\n```python\n{ex.solution}\n```"
        else:
            plain = f"Solution of {self.id} (in a %%ps {ex.server} cell):\n{ex.solution}"
            markdown = (f"**Solution** · `{self.id}` · type these in a `%%ps {ex.server}` cell\n\n"
                        f"```powershell\n{ex.solution}\n```")
        show(Note(plain, markdown))

    # -- how it reads ------------------------------------------------------------------------
    def _what(self) -> str:
        ex = self.exercise
        if ex.kind == "value":
            return "assign " + ", ".join(ex.names)
        return f"type commands in a %%ps {ex.server} cell"

    def __repr__(self) -> str:
        ex = self.exercise
        return f"{ex.id}: {ex.title} ({ex.max_points:g} points; {self._what()})"

    def _repr_markdown_(self) -> str:
        ex = self.exercise
        return (f"**{ex.title}** · `{ex.id}` · {ex.max_points:g} points\n\n"
                f"Answer: {self._what()}. Then `check()`; help: `hint()`, `hint(2)`, `solution()`.")


def exercise(exercise_id: str) -> ExerciseView:
    """The handle on one exercise, by its id (e.g. ``casl.exercise("start.backend-site")``)."""
    view = ExerciseView(registry.get(exercise_id))
    _recent[:] = [view.exercise.notebook]
    return view


def record(outcome: Outcome) -> None:
    """Remember an outcome in this kernel, and append it to the grader's results file when grading."""
    _ledger[outcome.exercise] = outcome
    target = os.environ.get(ENV_RESULTS, "").strip()
    if target:
        path = Path(target)
        if path.name != target:            # only a bare file name, in the notebook's own folder
            return
        with path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(outcome.to_json(), sort_keys=True) + "\n")


# -- provenance: which cell set the answer? ------------------------------------------------------

class _Binder(ast.NodeVisitor):
    """Collect the names a cell binds at its top level (function and class bodies have their own scope)."""

    def __init__(self):
        self.names: set[str] = set()

    def visit_Name(self, node):
        if isinstance(node.ctx, (ast.Store, ast.Del)):
            self.names.add(node.id)

    def visit_alias(self, node):
        self.names.add(node.asname or node.name.split(".")[0])

    def _scope(self, node):
        self.names.add(node.name)
        for decorator in node.decorator_list:
            self.visit(decorator)

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = _scope

    def visit_Lambda(self, node):
        pass

    def visit_ExceptHandler(self, node):
        if node.name:
            self.names.add(node.name)
        self.generic_visit(node)

    def visit_MatchAs(self, node):
        if node.name:
            self.names.add(node.name)
        self.generic_visit(node)


def _binds(source: str, name: str) -> bool:
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    binder = _Binder()
    binder.visit(tree)
    return name in binder.names


def _provenance(ex: Exercise, values: Mapping[str, object], history: Sequence[str]) -> Outcome | None:
    """A Rejected outcome if an answer was not set by a literal-only cell (or changed since)."""
    for name in ex.names:
        if values.get(name, ...) is Ellipsis:
            continue
        cell = next((src for src in reversed(history) if src and _binds(src, name)), None)
        if cell is None:
            continue
        try:
            assigned = parse_value_answer(cell, ex.names)
        except Rejected as exc:
            return ex.outcome("rejected", 0, f"the cell that last set `{name}` does more than assign values: "
                                             f"{exc.message}")
        if name in assigned:
            try:
                same = assigned[name] == values[name]
            except Exception:
                same = False
            if same:
                continue
        return ex.outcome("rejected", 0, f"`{name}` no longer holds the value its answer cell assigned; "
                                         "keep the answer in the answer cell and run it again")
    return None


# -- progress -----------------------------------------------------------------------------------

class Progress:
    """A small table of a notebook's exercises and how far this kernel has got with them."""

    columns = ("exercise", "title", "status", "points")

    def __init__(self, notebook: str, rows: list[dict]):
        self.notebook, self.rows = notebook, rows

    @property
    def summary(self) -> str:
        done = sum(1 for r in self.rows if r["status"] == "done")
        earned = sum(r["earned"] for r in self.rows)
        most = sum(r["max"] for r in self.rows)
        return f"{self.notebook}: {done} of {len(self.rows)} exercises done, {earned:g}/{most:g} points"

    def __repr__(self) -> str:
        cells = [self.columns] + [tuple(str(r[c]) for c in self.columns) for r in self.rows]
        widths = [max(len(row[i]) for row in cells) for i in range(len(self.columns))]
        lines = ["  ".join(v.ljust(w) for v, w in zip(row, widths)).rstrip() for row in cells]
        return "\n".join([self.summary, *lines])

    def _repr_markdown_(self) -> str:
        head = "| " + " | ".join(self.columns) + " |\n|" + "---|" * len(self.columns) + "\n"
        body = "".join(f"| `{r['exercise']}` | {r['title']} | {r['status']} | {r['points']} |\n" for r in self.rows)
        return f"**{self.summary}**\n\n{head}{body}"

    def to_frame(self):
        """The table as a pandas DataFrame."""
        import pandas as pd
        return pd.DataFrame([{c: r[c] for c in self.columns} for r in self.rows], columns=list(self.columns))


def _notebook_in_use() -> str | None:
    if _recent:
        return _recent[0]
    # JupyterLab tells the kernel which notebook it serves.
    session = os.environ.get("JPY_SESSION_NAME", "")
    stem = Path(session).stem if session else ""
    return stem if stem in registry.by_notebook() else None


def progress(notebook: str | None = None) -> Progress | Note:
    """The open notebook's exercises: done (checked Correct in this kernel), not checked, or how far."""
    stem = notebook or _notebook_in_use()
    if stem is None:
        text = "No exercise opened yet in this kernel; name the notebook, e.g. casl.progress('00-start')."
        return Note(text, text)
    exercises = registry.for_notebook(stem)
    rows = []
    for ex in exercises:
        seen = _ledger.get(ex.id)
        if seen is None:
            status, earned = "not checked", 0
        elif seen.correct:
            status, earned = "done", seen.points
        else:
            status, earned = seen.label.lower(), seen.points
        rows.append({"exercise": ex.id, "title": ex.title, "status": status,
                     "points": f"{earned:g}/{ex.max_points:g}", "earned": earned, "max": ex.max_points})
    return Progress(stem, rows)
