"""When ``solution()`` shows a solution: always (self-paced), never, or from a date (instructor-led).

The setting is a word: ``shown``, ``hidden`` or ``after:YYYY-MM-DD`` (shown from that day on).
It is looked up, first match wins:

1. the environment variable ``CASL_SOLUTIONS`` (set it for a whole JupyterHub);
2. a ``casl.toml`` file in the notebook's folder or any folder above it::

       [solutions]
       default = "after:2026-12-01"     # every notebook
       "01-iis-layout" = "shown"        # one notebook, by its stem

3. otherwise ``shown`` (self-paced learners).

This is a courtesy, not a lock: the solutions ship inside the package. Grading never relies on
them being secret.

>>> rule = parse("after:2026-12-01", "CASL_SOLUTIONS")
>>> import datetime
>>> rule.shown(datetime.date(2026, 11, 30)), rule.shown(datetime.date(2026, 12, 1))
(False, True)
"""
from __future__ import annotations

import datetime as _dt
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from casl.errors import CaslError

ENV_SOLUTIONS = "CASL_SOLUTIONS"
CONFIG_NAME = "casl.toml"


@dataclass(frozen=True)
class SolutionRule:
    """One visibility setting and where it came from (a name, never a path)."""

    mode: str                      # "shown" | "hidden" | "after"
    date: _dt.date | None = None
    origin: str = "default"

    def shown(self, today: _dt.date) -> bool:
        if self.mode == "after":
            return today >= self.date
        return self.mode == "shown"

    def explain(self, exercise_id: str) -> str:
        """What the learner reads when the solution is not shown."""
        if self.mode == "after":
            return (f"The solution of {exercise_id} becomes available on {self.date.isoformat()}. "
                    "Until then, `hint()` and `hint(2)` help.")
        return (f"Your instructor has hidden the solutions for now ({self.origin}). "
                "`hint()` and `hint(2)` help in the meantime.")


def parse(text: str, origin: str) -> SolutionRule:
    """A setting word as a rule; a bad word is an error that says which words work.

    >>> parse(" Hidden ", "casl.toml").mode
    'hidden'
    """
    word = str(text).strip().lower()
    if word in ("shown", "hidden"):
        return SolutionRule(word, None, origin)
    if word.startswith("after:"):
        try:
            return SolutionRule("after", _dt.date.fromisoformat(word[6:].strip()), origin)
        except ValueError:
            pass
    raise CaslError(f"{origin}: {text!r} is not a solution setting; use shown, hidden or after:YYYY-MM-DD")


def find_config(start: Path) -> Path | None:
    """The nearest ``casl.toml`` in ``start`` or a folder above it."""
    for folder in (start, *start.parents):
        candidate = folder / CONFIG_NAME
        if candidate.is_file():
            return candidate
    return None


def rule_for(notebook: str | None, *, environ: dict | None = None, cwd: Path | None = None) -> SolutionRule:
    """The rule that applies to a notebook (by stem), following the lookup order above."""
    environ = os.environ if environ is None else environ
    if environ.get(ENV_SOLUTIONS, "").strip():
        return parse(environ[ENV_SOLUTIONS], ENV_SOLUTIONS)
    config = find_config(Path.cwd() if cwd is None else cwd)
    if config is not None:
        try:
            data = tomllib.loads(config.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise CaslError(f"{CONFIG_NAME}: cannot be read ({exc})") from None
        table = data.get("solutions", {})
        if not isinstance(table, dict):
            raise CaslError(f"{CONFIG_NAME}: [solutions] must be a table")
        if notebook and notebook in table:
            return parse(table[notebook], f"{CONFIG_NAME} [solutions] {notebook}")
        if "default" in table:
            return parse(table["default"], f"{CONFIG_NAME} [solutions] default")
    return SolutionRule("shown")
