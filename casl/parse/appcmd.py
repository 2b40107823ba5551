"""Parse ``appcmd list wp``, ``appcmd list site`` and ``appcmd list apppool`` output.

Every line has the shape ``KIND "name" (key:value,key:value,...)``; a value may itself contain
commas and colons (``bindings:http/*:80:,https/*:443:``), so the list is split only before a
``key:`` that is a plain identifier. Each entry point returns one row per line, in input order,
with a ``line`` column (1-based).

>>> parse_wp('WP "1596" (applicationPool:MSExchangeOWAAppPool)').to_dict("records")
[{'pid': 1596, 'app_pool': 'MSExchangeOWAAppPool', 'line': 1}]
"""
from __future__ import annotations

import re
import pandas as pd

from casl.errors import ParseError
from casl.parse._text import first_column, is_digits, lines

_LINE = re.compile(r'^(?P<kind>[A-Z]+) "(?P<name>[^"]*)" \((?P<attrs>.*)\)$')
_ATTR_START = re.compile(r",(?=[A-Za-z]\w*:)")
_ATTR = re.compile(r"^([A-Za-z]\w*):(.*)$", re.DOTALL)


def _convert_pid(text: str) -> int:
    if not is_digits(text):
        raise ValueError("expected the process id in quotes, a number")
    return int(text)


def _convert_int(text: str) -> int:
    if not is_digits(text):
        raise ValueError(f"expected a number, found '{text}'")
    return int(text)


def _convert_bindings(text: str) -> list[str]:
    bindings = text.split(",")
    for binding in bindings:
        if "/" not in binding:
            raise ValueError(f"expected bindings like 'https/*:443:', found '{binding}'")
    return bindings


def _text_or_none(text: str) -> str | None:
    return text or None


# One entry per appcmd object kind: the word that starts the line, what the quoted name becomes,
# and attribute -> (column, converter). Attributes not listed here are reported, not dropped.
KINDS: dict[str, dict] = {
    "wp": {
        "word": "WP",
        "name": ("pid", _convert_pid),
        "attributes": {"applicationPool": ("app_pool", _text_or_none)},
        "dtypes": {"pid": "Int64", "app_pool": "string"},
        "example": 'WP "1596" (applicationPool:MSExchangeOWAAppPool)',
    },
    "site": {
        "word": "SITE",
        "name": ("name", str),
        "attributes": {"id": ("id", _convert_int), "bindings": ("bindings", _convert_bindings),
                       "state": ("state", _text_or_none)},
        "dtypes": {"name": "string", "id": "Int64", "bindings": "object", "state": "category"},
        "example": 'SITE "Default Web Site" (id:1,bindings:http/*:80:,state:Started)',
    },
    "apppool": {
        "word": "APPPOOL",
        "name": ("name", str),
        "attributes": {"MgdVersion": ("runtime_version", _text_or_none),
                       "MgdMode": ("pipeline_mode", _text_or_none),
                       "state": ("state", _text_or_none)},
        "dtypes": {"name": "string", "runtime_version": "string", "pipeline_mode": "category",
                   "state": "category"},
        "example": 'APPPOOL "DefaultAppPool" (MgdVersion:v4.0,MgdMode:Integrated,state:Started)',
    },
}


def parse_wp(text: str, source: str | None = None) -> pd.DataFrame:
    """Parse ``appcmd list wp``: one row per worker process, columns ``pid``, ``app_pool``, ``line``.

    >>> parse_wp('WP "7816" (applicationPool:MSExchangeOWAAppPool)').loc[0, "pid"]
    np.int64(7816)
    """
    return _parse(text, "wp", source or "appcmd list wp")


def parse_site(text: str, source: str | None = None) -> pd.DataFrame:
    """Parse ``appcmd list site``: columns ``name``, ``id``, ``bindings`` (list), ``state``, ``line``.

    >>> parse_site('SITE "Exchange Back End" (id:2,bindings:http/*:81:,https/*:444:,state:Started)').loc[0, "bindings"]
    ['http/*:81:', 'https/*:444:']
    """
    return _parse(text, "site", source or "appcmd list site")


def parse_apppool(text: str, source: str | None = None) -> pd.DataFrame:
    """Parse ``appcmd list apppool``: ``name``, ``runtime_version``, ``pipeline_mode``, ``state``, ``line``.

    >>> parse_apppool('APPPOOL "MSExchangeOWAAppPool" (MgdVersion:v4.0,MgdMode:Integrated,state:Started)').loc[0, "state"]
    'Started'
    """
    return _parse(text, "apppool", source or "appcmd list apppool")


def _parse(text: str, kind: str, source: str) -> pd.DataFrame:
    spec = KINDS[kind]
    columns = [spec["name"][0]] + [column for column, _ in spec["attributes"].values()]
    rows = []
    for number, line in lines(text):
        if not line.strip():
            continue
        row = _read_line(line.strip(), number, first_column(line) - 1, spec, source)
        rows.append(row)
    data = {column: [row.get(column) for row in rows] for column in columns}
    data["line"] = [row["line"] for row in rows]
    df = pd.DataFrame(data, columns=columns + ["line"])
    for column, dtype in spec["dtypes"].items():
        df[column] = df[column].astype("string").astype(dtype) if dtype == "category" else df[column].astype(dtype)
    df["line"] = df["line"].astype("int64")
    return df


def _read_line(line: str, number: int, indent: int, spec: dict, source: str) -> dict:
    def fail(message: str, column: int):
        raise ParseError(message, line=number, column=indent + column, source=source, text=line)

    match = _LINE.match(line)
    if not match or match["kind"] != spec["word"]:
        found = line.split(" ", 1)[0]
        fail(f"expected a line like {spec['example']}, found '{found[:30]}'", 1)
    name_column, name_convert = spec["name"]
    row: dict = {"line": number}
    try:
        row[name_column] = name_convert(match["name"])
    except ValueError as exc:
        fail(str(exc), match.start("name") + 1)
    attrs_at = match.start("attrs") + 1
    seen: set[str] = set()
    offset = 0
    for piece in _ATTR_START.split(match["attrs"]):
        column = attrs_at + offset
        offset += len(piece) + 1
        attr = _ATTR.match(piece)
        if not attr:
            fail(f"expected key:value inside ( ), found '{piece[:30]}'", column)
        key, value = attr.groups()
        if key not in spec["attributes"]:
            known = ", ".join(spec["attributes"])
            fail(f"unexpected attribute '{key}' (expected {known})", column)
        if key in seen:
            fail(f"attribute '{key}' given twice", column)
        seen.add(key)
        target, convert = spec["attributes"][key]
        try:
            row[target] = convert(value)
        except ValueError as exc:
            fail(str(exc), column + len(key) + 1)
    missing = [key for key in spec["attributes"] if key not in seen]
    if missing:
        fail(f"expected the attribute '{missing[0]}' inside ( )", match.end("attrs") + 1)
    return row
