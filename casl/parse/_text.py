"""Line and column helpers shared by the text parsers in :mod:`casl.parse`.

Captures arrive with CRLF, LF, a lone CR, a byte-order mark or trailing blanks depending on how
the learner copied them; every parser sees the same clean lines and reports the same 1-based
line and column numbers.

>>> [(n, s) for n, s in lines("a\\r\\nb  \\r\\n")]
[(1, 'a'), (2, 'b'), (3, '')]
>>> [(t.text, t.column) for t in tokens("  TCP    0.0.0.0:135")]
[('TCP', 3), ('0.0.0.0:135', 10)]
"""
from __future__ import annotations

import re
from typing import Iterator, NamedTuple

from casl.errors import ParseError

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_TOKEN = re.compile(r"\S+")


class Token(NamedTuple):
    """A run of non-blank characters and the 1-based column where it starts."""

    text: str
    column: int

    @property
    def end(self) -> int:
        """1-based column just after the token."""
        return self.column + len(self.text)


def lines(text: str) -> Iterator[tuple[int, str]]:
    """Yield ``(line_number, line)`` with line breaks and trailing blanks removed.

    >>> list(lines("x\\n\\ny"))
    [(1, 'x'), (2, ''), (3, 'y')]
    """
    if not isinstance(text, str):
        raise ParseError(f"expected text (a str), got {type(text).__name__}")
    text = text.removeprefix("\ufeff")
    for number, line in enumerate(_LINE_BREAK.split(text), start=1):
        yield number, line.rstrip()


def tokens(line: str) -> list[Token]:
    """Split a line on blanks, keeping each piece's 1-based column.

    >>> tokens("WP  1")
    [Token(text='WP', column=1), Token(text='1', column=5)]
    """
    return [Token(m.group(), m.start() + 1) for m in _TOKEN.finditer(line)]


def is_digits(text: str) -> bool:
    """True for a non-empty run of ASCII digits only (``str.isdigit`` also accepts '²', which ``int`` refuses).

    >>> is_digits("443"), is_digits("²"), is_digits("")
    (True, False, False)
    """
    return text.isascii() and text.isdigit()


def first_column(line: str) -> int:
    """1-based column of the first non-blank character (1 for a blank line).

    >>> first_column("   x")
    4
    """
    return len(line) - len(line.lstrip()) + 1


def fold(word: str) -> str:
    """Fold a word for comparison with a table of known wording (case and apostrophe style).

    >>> fold("Impossible d’obtenir") == fold("IMPOSSIBLE D'OBTENIR")
    True
    """
    return " ".join(word.replace("\u2019", "'").casefold().split())
