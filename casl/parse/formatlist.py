"""Read PowerShell ``... | Format-List`` text into records (one dict per object).

What PowerShell prints, and what this reader does with it:

* records are separated by one or more blank lines; leading and trailing blank lines, CRLF,
  a lone CR and a byte-order mark are all fine. Blank lines followed by an indented line are
  part of the value above (an empty line inside a multi-line value such as an event message,
  or a lone blank that PowerShell's cut put on a line of its own), since a record never starts
  with a continuation;
* ``Name : value`` with the names padded so that the `` : `` lines up; ``Name :`` (nothing after
  the colon) is an empty value; a value may itself contain `` : ``;
* a value longer than the console is wrapped onto continuation lines indented to the value
  column. They are joined back (see *Wrapped values* below);
* ``{a, b, c}`` is a collection, ``{}`` an empty one, ``{a, b, c, d...}`` one that PowerShell
  cut at ``$FormatEnumerationLimit`` (4 by default): :class:`PSList` keeps ``truncated=True`` so
  the loss is visible, never silent.

Raw parsing (:func:`parse_raw`, every value a string exactly as printed, wraps joined) is kept
apart from typed conversion (:func:`convert`): ``True``/``False`` become bool, plain integers
int, an empty value None, ``{...}`` a :class:`PSList` of strings; everything else, such as
``1.5 GB (1,610,612,736 bytes)`` or ``00:05:00``, stays a string. :func:`parse` does both.

*Wrapped values.* PowerShell (``StringManipulationHelper.GenerateLines``) wraps between words
for English, French, German, Italian, Portuguese and Spanish cultures, leaving the space at
the end of the upper line, and cuts a word that does not fit on a whole line at the console
width (other cultures always cut at the width). So a continuation is joined

1. without a space when the upper line is *full*: its length without trailing blanks reaches
   ``width`` (the word was cut there);
2. otherwise with exactly one space (the space PowerShell broke at, often lost when the text
   was copied from a console window).

``width`` is the length of a full printed line, counted from column 1 including the name
column. When it is not given it is taken as the longest line in the text. That is right
whenever some value in the text was cut mid-word, or the longest line is not wrapped at all;
if instead the longest line ends a wrap between words and the copy lost its trailing blank,
that one join loses its space. Pass ``width=`` when you know it. A value that itself
contained a line break is joined the same way (a space), since the text cannot tell the two
apart; :func:`scan` keeps the printed pieces for anyone who needs them.

A line that is neither ``Name : value``, an indented continuation of one, nor blank raises
:class:`casl.errors.ParseError` with its line and column.

>>> records = parse('''
... Name                          : owa (Default Web Site)
... InternalAuthenticationMethods : {Basic, Fba}
... FormsAuthentication           : True
... ExternalUrl                   :
... ''')
>>> records
[{'Name': 'owa (Default Web Site)', 'InternalAuthenticationMethods': ['Basic', 'Fba'], 'FormsAuthentication': True, 'ExternalUrl': None}]
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable

from casl.errors import ParseError

SOURCE = "Format-List"
SEPARATOR = " : "
TRUNCATION = "..."

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# " :" followed by a blank or the end of the line; the first one after a name is the separator
_COLON = re.compile(r" :(?= |$)")
_INTEGER = re.compile(r"-?(?:0|[1-9][0-9]{0,17})")
_BOOLEANS = {"True": True, "False": False}


class PSList(list):
    """A ``{a, b, c}`` collection value; ``truncated`` says PowerShell printed only the first
    items and ``...`` (``$FormatEnumerationLimit``), so the real collection is longer.

    >>> v = convert_value("{.xlsx, .pptx, .docx, .xls...}")
    >>> v, v.truncated
    (['.xlsx', '.pptx', '.docx', '.xls'], True)
    """

    truncated: bool = False

    def __init__(self, items: Iterable[str] = (), truncated: bool = False):
        super().__init__(items)
        self.truncated = truncated


@dataclass(frozen=True)
class Field:
    """One ``Name : value`` as printed: the value's pieces (one per printed line, the first
    after the separator) and each printed line's length, for the wrap rule."""

    name: str
    pieces: tuple[str, ...]
    lengths: tuple[int, ...]
    line: int


def _lines(text: str) -> list[str]:
    return _LINE_BREAK.split(text.lstrip("\ufeff"))


def scan(text: str, source: str | None = None) -> list[list[Field]]:
    """Split Format-List text into records of :class:`Field` without joining anything.

    >>> [[f.name, f.pieces] for f in scan("A   : 1\\nBCD : two\\n      three\\n")[0]]
    [['A', ('1',)], ['BCD', ('two', 'three')]]
    """
    source = source or SOURCE
    records: list[list[Field]] = []
    record: list[Field] = []
    names: set[str] = set()
    colon = value_column = 0
    blanks = 0  # blank lines seen since the last non-blank one
    # a field under construction: name, pieces, lengths, line
    open_field: tuple[str, list[str], list[int], int] | None = None

    def close_field() -> None:
        nonlocal open_field
        if open_field is not None:
            name, pieces, lengths, line = open_field
            record.append(Field(name, tuple(pieces), tuple(lengths), line))
            open_field = None

    for number, line in enumerate(_lines(text), start=1):
        if not line.strip():
            blanks += 1
            continue
        if line[0] in " \t":
            if open_field is None:
                column = len(line) - len(line.lstrip()) + 1
                raise ParseError("an indented continuation line with no 'Name : value' line above it",
                                 line=number, column=column, source=source, text=line)
            # blank lines followed by a continuation were lines of the value: an empty line of a
            # multi-line string, or a lone blank that PowerShell's cut left on a line of its own
            open_field[1].extend([""] * blanks)
            open_field[2].extend([0] * blanks)
            blanks = 0
            # keep the piece from the value column on, so a cut that left a leading blank survives
            piece = line[value_column:] if not line[:value_column].strip() else line.lstrip()
            open_field[1].append(piece)
            open_field[2].append(len(line.rstrip()))
            continue
        close_field()
        if blanks and record:
            records.append(record)
            record, names = [], set()
        blanks = 0
        # the colon column of the record's first line is where every name of the record ends;
        # checking there first lets a name contain " :" and a value contain " : "
        if record and line[colon:colon + 2] == " :" and line[colon + 2:colon + 3] in ("", " ") \
                and line[:colon].strip():
            at = colon
        else:
            match = _COLON.search(line)
            if match is None:
                raise ParseError("expected 'Name : value', an indented continuation line or a blank line",
                                 line=number, column=1, source=source, text=line)
            at = match.start()
        name = line[:at].rstrip()
        if not name:
            raise ParseError("a ' : ' separator with no property name before it",
                             line=number, column=1, source=source, text=line)
        if name in names:
            raise ParseError(f"property {name!r} appears twice in one record "
                             "(records must be separated by a blank line)",
                             line=number, column=1, source=source, text=line)
        if not record:
            colon, value_column = at, at + len(SEPARATOR)
        names.add(name)
        open_field = (name, [line[at + len(SEPARATOR):]], [len(line.rstrip())], number)
    close_field()
    if record:
        records.append(record)
    return records


def join_pieces(field: Field, width: int) -> str:
    """Join a field's printed pieces back into one value (the rule in the module docstring).

    >>> join_pieces(Field("P", ("abcdef", "gh"), (10, 6), 1), width=10)
    'abcdefgh'
    >>> join_pieces(Field("P", ("one two ", "three"), (11, 9), 1), width=20)
    'one two three'
    """
    value = field.pieces[0]
    for length, piece in zip(field.lengths, field.pieces[1:]):
        value = value if length >= width else value.rstrip() + " "
        value += piece
    return value.rstrip()


def _width(text: str) -> int:
    return max((len(line.rstrip()) for line in _lines(text)), default=0)


def parse_raw(text: str, source: str | None = None, *, width: int | None = None) -> list[dict[str, str]]:
    """Records with every value as the printed string (wrapped lines joined back).

    >>> parse_raw("Name : EX01\\nPort : 443\\n\\nName : EX02\\nPort :\\n")
    [{'Name': 'EX01', 'Port': '443'}, {'Name': 'EX02', 'Port': ''}]
    """
    width = _width(text) if width is None else width
    return [{f.name: join_pieces(f, width) for f in record} for record in scan(text, source)]


def convert_value(raw: str) -> Any:
    """Type one printed value: bool, int, None for empty, :class:`PSList` for ``{...}``,
    else the string unchanged.

    >>> convert_value("True"), convert_value("443"), convert_value(""), convert_value("{}")
    (True, 443, None, [])
    >>> convert_value("1.5 GB (1,610,612,736 bytes)")
    '1.5 GB (1,610,612,736 bytes)'
    """
    if raw == "":
        return None
    if raw in _BOOLEANS:
        return _BOOLEANS[raw]
    if _INTEGER.fullmatch(raw):
        return int(raw)
    if raw.startswith("{") and raw.endswith("}"):
        inner = raw[1:-1]
        truncated = inner.endswith(TRUNCATION)
        if truncated:
            inner = inner[: -len(TRUNCATION)]
        return PSList([item for item in inner.split(", ")] if inner else [], truncated)
    return raw


def convert(record: dict[str, str]) -> dict[str, Any]:
    """Type every value of a raw record with :func:`convert_value`."""
    return {name: convert_value(value) for name, value in record.items()}


def parse(text: str, source: str | None = None, *, width: int | None = None) -> list[dict[str, Any]]:
    """Parse Format-List text into typed records (see the module docstring for the rules).

    >>> parse("protocol           : https\\nbindingInformation : *:444:\\nsslFlags           : 0\\n")
    [{'protocol': 'https', 'bindingInformation': '*:444:', 'sslFlags': 0}]
    """
    return [convert(record) for record in parse_raw(text, source, width=width)]


def to_frame(records: Iterable[dict[str, Any]]):
    """One row per record, one column per property in first-seen order (missing -> None).

    >>> to_frame(parse("Name : EX01\\nPort : 443\\n\\nName : EX02\\n")).to_dict("records")
    [{'Name': 'EX01', 'Port': 443}, {'Name': 'EX02', 'Port': None}]
    """
    import pandas as pd

    records = list(records)
    columns: dict[str, None] = {}
    for record in records:
        columns.update(dict.fromkeys(record))
    rows = [[record.get(c) for c in columns] for record in records]
    return pd.DataFrame(rows, columns=list(columns), dtype=object)
