"""What an exercise is: declared once, in Python, and judged the same way in a notebook and in grading.

An :class:`Exercise` holds its stable dotted id, title, notebook, kind, what it reads (names in
the notebook for a *value* exercise, a server of the lab for an *action* exercise), hints, the
solution, a table of common wrong answers with their feedback, and its checks with points.

Check functions receive what they ask for by parameter name (otter-grader's habit): a value
exercise's check asks for the answer names (already normalised); an action exercise's check asks
for ``lab`` and/or ``server``. A check passes by returning and fails by raising
:class:`Incorrect`, :class:`NotAttempted` or :class:`Rejected`.

>>> from casl.exercises import normalise
>>> def is_444(backend_port):
...     if backend_port != 444:
...         raise Incorrect(f"{backend_port} is not the back end's HTTPS port")
>>> ex = Exercise(id="demo.backend-port", title="The back end's HTTPS port", notebook="99-demo",
...               kind="value", reads={"backend_port": normalise.port}, check=is_444, points=2,
...               hints=("Look at the Exchange Back End site's bindings.",), solution="backend_port = 444",
...               wrong=(Wrong(443, "443 is where the Default Web Site listens for clients."),))
>>> print(ex.evaluate({"backend_port": "port 444"}).line)
Correct: demo.backend-port (2/2 points)
>>> print(ex.evaluate({"backend_port": 443}).line)
Incorrect: demo.backend-port (0/2 points): 443 is where the Default Web Site listens for clients.
>>> print(ex.evaluate({"backend_port": ...}).line)
Not attempted: demo.backend-port (0/2 points): replace the ... after `backend_port =` with your answer
"""
from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from casl.errors import CaslError
from casl.exercises.outcomes import CheckOutcome, Incorrect, NotAttempted, Outcome, Rejected, one_line

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:[.-][a-z0-9]+)*$")
MAX_ID_LENGTH = 50          # "<id>-answer" must fit nbformat's 64-character cell ids
KINDS = ("value", "action")
ACTION_PARAMETERS = ("lab", "server")

Normaliser = Callable[[object], object]


@dataclass(frozen=True)
class Check:
    """One sub-check: the points it is worth and the function that decides it.

    ``name`` labels it in reports; by default the function's name.
    """

    points: float
    test: Callable[..., None]
    name: str = ""

    @property
    def label(self) -> str:
        return self.name or getattr(self.test, "__name__", "check")

    @property
    def wants(self) -> tuple[str, ...]:
        """The parameter names the test function asks for."""
        return tuple(inspect.signature(self.test).parameters)


@dataclass(frozen=True)
class Wrong:
    """A common wrong answer and the feedback it deserves.

    For a value exercise ``answer`` is the value a learner might write (for an exercise that reads
    several names, a dict of some of them; the others take their solution values). The engine
    gives ``feedback`` when the learner's normalised answer matches. For an action exercise
    ``answer`` is the commands a learner might type; the checks, which inspect the lab, must
    produce ``feedback`` themselves: the self-tests run every entry and hold them to it.
    ``points`` is what the entry should still earn (partial credit).
    """

    answer: object
    feedback: str
    points: float = 0


@dataclass(frozen=True)
class Exercise:
    """One exercise, declared once. See the module docstring for an example."""

    id: str
    title: str
    notebook: str
    kind: str
    hints: Sequence[str]
    solution: str
    reads: Mapping[str, Normaliser | None] | Sequence[str] = ()
    server: str | None = None
    checks: Sequence[Check] = ()
    check: Callable[..., None] | None = None
    points: float = 0
    wrong: Sequence[Wrong] = ()
    _solution_values: dict = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self):
        where = f"exercise {self.id!r}"
        if not isinstance(self.id, str) or not ID_PATTERN.match(self.id) or len(self.id) > MAX_ID_LENGTH:
            raise CaslError(f"{where}: an id is lower-case words joined by dots and hyphens, "
                            f"at most {MAX_ID_LENGTH} characters, e.g. 'bindings.backend-https-port'")
        if self.kind not in KINDS:
            raise CaslError(f"{where}: kind must be 'value' or 'action', not {self.kind!r}")
        reads = dict(self.reads) if isinstance(self.reads, Mapping) else {n: None for n in self.reads}
        object.__setattr__(self, "reads", reads)
        object.__setattr__(self, "hints", tuple(self.hints))
        object.__setattr__(self, "wrong", tuple(self.wrong))
        checks = tuple(self.checks)
        if self.check is not None:
            if checks:
                raise CaslError(f"{where}: give either check= and points= or checks=[...], not both")
            checks = (Check(self.points, self.check),)
        if not checks:
            raise CaslError(f"{where}: no check; give check= and points=, or checks=[Check(points, fn), ...]")
        object.__setattr__(self, "checks", checks)
        for sub in checks:
            if not sub.points > 0:
                raise CaslError(f"{where}: check {sub.label!r} must be worth more than 0 points")
            allowed = tuple(reads) if self.kind == "value" else ACTION_PARAMETERS
            unknown = [w for w in sub.wants if w not in allowed]
            if unknown:
                raise CaslError(f"{where}: check {sub.label!r} asks for {', '.join(unknown)}; "
                                f"it can ask for {', '.join(allowed)}")
        if self.kind == "value":
            if not reads:
                raise CaslError(f"{where}: a value exercise names what it reads, e.g. reads={{'backend_port': normalise.port}}")
            for name in reads:
                if not name.isidentifier():
                    raise CaslError(f"{where}: {name!r} is not a Python name")
        elif not self.server:
            raise CaslError(f"{where}: an action exercise names the server its %%ps cell runs on (server='ServerA')")
        if not self.hints:
            raise CaslError(f"{where}: give at least one hint")

    # -- facts -------------------------------------------------------------------------------
    @property
    def max_points(self) -> float:
        return sum(c.points for c in self.checks)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self.reads)

    def solution_values(self) -> dict[str, object]:
        """A value exercise's solution as values (the solution text is literal assignments)."""
        if self._solution_values is None:
            from casl.exercises.answers import parse_value_answer
            try:
                values = parse_value_answer(self.solution, self.names)
            except Rejected as exc:
                raise CaslError(f"exercise {self.id!r}: the solution must be literal assignments: {exc}") from None
            object.__setattr__(self, "_solution_values", values)
        return dict(self._solution_values)

    def wrong_answer_values(self, entry: Wrong) -> dict[str, object]:
        """The full set of values a value-kind wrong answer stands for (others from the solution)."""
        values = self.solution_values()
        if isinstance(entry.answer, Mapping) and set(entry.answer) <= set(self.reads):
            values.update(entry.answer)
        elif len(self.reads) == 1:
            values[self.names[0]] = entry.answer
        else:
            raise CaslError(f"exercise {self.id!r}: a wrong answer for several names is a dict of them")
        return values

    # -- judging -----------------------------------------------------------------------------
    def evaluate(self, values: Mapping[str, object] | None = None, *, lab: object = None) -> Outcome:
        """Judge an answer: ``values`` for a value exercise, the ``lab`` for an action exercise."""
        if self.kind == "value":
            return self._evaluate_values(values or {})
        return self._run_checks(lambda wants: self._action_arguments(wants, lab), wrong_feedback=None)

    def _evaluate_values(self, values: Mapping[str, object]) -> Outcome:
        missing = [n for n in self.names if n not in values or values[n] is Ellipsis]
        if len(missing) == len(self.names):
            return self.outcome("not-attempted", 0, _placeholder_message(missing))
        normalised: dict[str, object] = {}
        problems: dict[str, str] = {}
        for name, normaliser in self.reads.items():
            if name in missing:
                continue
            try:
                normalised[name] = normaliser(values[name]) if normaliser else values[name]
            except (ValueError, TypeError) as exc:   # ParseError is a ValueError
                problems[name] = getattr(exc, "reason", None) or str(exc)

        def arguments(wants):
            absent = [w for w in wants if w in missing]
            if absent:
                raise NotAttempted(_placeholder_message(absent))
            bad = [problems[w] for w in wants if w in problems]
            if bad:
                raise Incorrect(" ".join(bad))
            return {w: normalised[w] for w in wants}

        return self._run_checks(arguments, wrong_feedback=self._match_wrong(normalised))

    def _match_wrong(self, normalised: Mapping[str, object]) -> str | None:
        for entry in self.wrong:
            try:
                wanted = self.wrong_answer_values(entry)
                if isinstance(entry.answer, Mapping):
                    wanted = {k: wanted[k] for k in entry.answer}
                else:
                    wanted = {self.names[0]: wanted[self.names[0]]}
                if all(k in normalised and self._normalise(k, v) == normalised[k] for k, v in wanted.items()):
                    return entry.feedback
            except (ValueError, TypeError):
                continue     # an entry the normaliser refuses is judged by the normaliser's own message
        return None

    def _normalise(self, name: str, value: object) -> object:
        normaliser = self.reads[name]
        return normaliser(value) if normaliser else value

    def _action_arguments(self, wants: Sequence[str], lab: object) -> dict[str, object]:
        if not wants:
            return {}
        if lab is None:
            lab = _current_lab()
        arguments: dict[str, object] = {}
        if "lab" in wants:
            arguments["lab"] = lab
        if "server" in wants:
            arguments["server"] = lab.server(self.server)
        return arguments

    def _run_checks(self, arguments: Callable[[Sequence[str]], dict], wrong_feedback: str | None) -> Outcome:
        earned: float = 0          # stays an int when the points are ints (2, not 2.0, in reports)
        results: list[tuple[str, str]] = []      # (status, message) of each sub-check that did not pass
        for sub in self.checks:
            try:
                sub.test(**arguments(sub.wants))
            except CheckOutcome as exc:
                results.append((exc.status, exc.message))
                continue
            except CaslError as exc:           # e.g. no lab open: the learner can act on the message
                results.append(("not-attempted", str(exc)))
                continue
            except Exception as exc:           # a check that cannot judge this answer is a fault to report
                results.append(("error", f"the check {sub.label!r} could not judge this answer "
                                         f"({type(exc).__name__}: {one_line(str(exc))})"))
                continue
            earned += sub.points
        if not results:
            return self.outcome("correct", self.max_points)
        statuses = {status for status, _ in results}
        messages = list(dict.fromkeys(m for _, m in results if m))
        if "rejected" in statuses:
            return self.outcome("rejected", 0, " ".join(m for s, m in results if s == "rejected"))
        if "error" in statuses:
            return self.outcome("error", earned, " ".join(m for s, m in results if s == "error"))
        if statuses == {"not-attempted"} and earned == 0:
            return self.outcome("not-attempted", 0, " ".join(messages))
        return self.outcome("incorrect", earned, wrong_feedback or " ".join(messages))

    def outcome(self, status: str, points: float, message: str = "") -> Outcome:
        return Outcome(self.id, status, points, self.max_points, message)


def _placeholder_message(names: Sequence[str]) -> str:
    if len(names) == 1:
        return f"replace the ... after `{names[0]} =` with your answer"
    return "replace the ... after " + ", ".join(f"`{n} =`" for n in names) + " with your answers"


def _current_lab() -> object:
    # Imported here: casl.labs is heavy and only action checks need it.
    from casl.labs import current_lab
    return current_lab()
