"""What a check decides, and how that decision reads.

A check function passes by returning; it fails by raising one of three outcome exceptions
(learntools' habit). The engine turns them into an :class:`Outcome`: one deterministic line of
plain text plus a Markdown rendering, with no JavaScript, timestamps, random decoration or paths,
so that nbval can compare a check cell's output with the stored reference byte for byte.

>>> print(Outcome("bindings.backend-https-port", "correct", 2, 2).line)
Correct: bindings.backend-https-port (2/2 points)
>>> print(Outcome("bindings.backend-https-port", "incorrect", 0, 2, "443 is the front end's port.").line)
Incorrect: bindings.backend-https-port (0/2 points): 443 is the front end's port.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from casl.errors import CaslError

# status -> label, in the order a report lists them
LABELS = {
    "correct": "Correct",
    "incorrect": "Incorrect",
    "not-attempted": "Not attempted",
    "rejected": "Rejected",
    "error": "Error",
}
STATUSES = tuple(LABELS)
MAX_MESSAGE = 400


class CheckOutcome(CaslError):
    """Base of the outcomes a check raises; ``status`` names the outcome."""

    status = "incorrect"

    def __init__(self, message: str = ""):
        super().__init__(one_line(message))
        self.message = one_line(message)


class Incorrect(CheckOutcome):
    """The answer is wrong; the message says why, in terms the learner can act on."""

    status = "incorrect"


class NotAttempted(CheckOutcome):
    """The placeholder is untouched (``...``), or an action left the lab as it started."""

    status = "not-attempted"


class Rejected(CheckOutcome):
    """The answer breaks the rules of answer cells (only literal values may be assigned)."""

    status = "rejected"


def one_line(text: str) -> str:
    """Collapse every run of whitespace (newlines included) into one space.

    >>> one_line("  two\\n lines ")
    'two lines'
    """
    return re.sub(r"\s+", " ", str(text)).strip()


def _points(value: float) -> str:
    return f"{value:g}"


def _md_escape(text: str) -> str:
    # Learner values end up in messages; keep them from turning into HTML in JupyterLab.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@dataclass(frozen=True)
class Outcome:
    """The result of checking one exercise: status, points earned, points possible, message."""

    exercise: str
    status: str
    points: float
    max_points: float
    message: str = ""

    def __post_init__(self):
        if self.status not in LABELS:
            raise ValueError(f"unknown outcome status {self.status!r}; expected one of {', '.join(STATUSES)}")
        message = one_line(self.message)
        if len(message) > MAX_MESSAGE:      # a check may quote a very long answer back; keep one readable line
            message = message[:MAX_MESSAGE - 3] + "..."
        object.__setattr__(self, "message", message)

    @property
    def correct(self) -> bool:
        return self.status == "correct"

    @property
    def label(self) -> str:
        return LABELS[self.status]

    @property
    def line(self) -> str:
        """The one line of plain text that stands for this outcome."""
        head = f"{self.label}: {self.exercise} ({_points(self.points)}/{_points(self.max_points)} points)"
        return f"{head}: {self.message}" if self.message else head

    def markdown(self) -> str:
        """The Markdown rendering (bold status, the id as code, the message, what to do next)."""
        text = f"**{self.label}** · `{self.exercise}` · {_points(self.points)}/{_points(self.max_points)} points"
        if self.message:
            text += f"\n\n{_md_escape(self.message)}"
        if self.status in ("incorrect", "not-attempted"):
            text += "\n\nStuck? `hint()` gives a nudge; `hint(2)` the next one."
        elif self.status == "rejected":
            text += "\n\nAn answer cell holds only assignments of literal values, such as `port = 444`."
        return text

    def to_json(self) -> dict:
        """The structured form the grader reads (one JSON line per check)."""
        return {"exercise": self.exercise, "status": self.status, "points": self.points,
                "max": self.max_points, "message": self.message}

    def __str__(self) -> str:
        return self.line

    def __repr__(self) -> str:
        return self.line

    def _repr_markdown_(self) -> str:
        return self.markdown()


class CheckFailed(CaslError):
    """Raised by ``check()`` on anything but Correct: the learner sees the outcome's one line.

    IPython calls ``_render_traceback_`` instead of printing a traceback, so a notebook shows
    ``Incorrect: ... (0/2 points): ...`` and nothing from inside casl; nbval still sees an error.
    """

    def __init__(self, outcome: Outcome):
        super().__init__(outcome.line)
        self.outcome = outcome

    def _render_traceback_(self) -> list[str]:
        return [self.outcome.line]
