"""Errors casl raises on purpose.

Every error a learner or instructor can provoke derives from :class:`CaslError`, carries a
message that says what was wrong and where, and renders in IPython without a deep traceback
from inside casl (``_render_traceback_`` is IPython's hook for exactly that).

>>> try:
...     raise ParseError("expected a port number", line=3, column=17, source="netstat -ano")
... except CaslError as exc:
...     print(exc)
netstat -ano, line 3, column 17: expected a port number
"""
from __future__ import annotations


class CaslError(Exception):
    """Base class: an error with a message meant for a person, not a stack trace."""

    def _render_traceback_(self) -> list[str]:
        # IPython shows these lines instead of the traceback into casl's internals.
        return [f"{type(self).__name__}: {self}"]


class ParseError(CaslError, ValueError):
    """Text that is not what it claims to be, with the line and column where it went wrong.

    ``line`` and ``column`` count from 1. ``source`` names what was being read
    ("netstat -ano", a file name, ...).
    """

    def __init__(self, message: str, *, line: int | None = None, column: int | None = None,
                 source: str | None = None, text: str | None = None):
        self.reason = message
        self.line = line
        self.column = column
        self.source = source
        self.text = text  # the offending line, when known
        where = ", ".join(p for p in (
            source,
            f"line {line}" if line is not None else None,
            f"column {column}" if column is not None else None,
        ) if p)
        super().__init__(f"{where}: {message}" if where else message)


class LabError(CaslError):
    """A lab could not be opened, restored or saved (unknown name, bad scenario file, ...)."""


class CertificateError(CaslError, ValueError):
    """A certificate file could not be read (corrupt, wrong password, not a certificate)."""
