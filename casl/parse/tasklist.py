"""Parse Windows ``tasklist`` output into a typed DataFrame.

Reads ``tasklist`` (the table whose ``=====`` rule gives the column widths, so an image name may
contain blanks), ``tasklist /svc`` (services wrapped over continuation lines, ``N/A`` for none),
``tasklist /v``, ``tasklist /fi "PID eq N"`` (including the "no tasks" message, which gives an
empty frame) and ``tasklist /fo csv`` with or without ``/nh``.

Columns: ``image`` (string), ``pid`` (Int64), ``session_name`` (string), ``session`` (Int64),
``mem_kb`` (Int64, from ``12,345 K``), ``services`` (a list of names, ``[]`` for ``N/A``, ``None``
when the capture has no Services column), ``line`` (1-based line of the row); ``/v`` adds
``status``, ``user_name``, ``cpu_time`` and ``window_title``. A column the capture does not have
is ``<NA>``.

>>> df = parse('''
... Image Name                     PID Services
... ========================= ======== ============================================
... svchost.exe                   1156 AppHostSvc, W3SVC, WAS,
...                                    WinRM
... w3wp.exe                      7816 N/A
... ''')
>>> df[["image", "pid", "services"]].to_dict("records")
[{'image': 'svchost.exe', 'pid': 1156, 'services': ['AppHostSvc', 'W3SVC', 'WAS', 'WinRM']}, {'image': 'w3wp.exe', 'pid': 7816, 'services': []}]
"""
from __future__ import annotations

import re

import pandas as pd

from casl.errors import ParseError
from casl.parse._text import first_column, fold, is_digits, lines

SOURCE = "tasklist"

# Column layouts by number of columns: tasklist's column order does not change with the language,
# and with /nh there is no header to read names from.
LAYOUTS: dict[int, tuple[str, ...]] = {
    5: ("image", "pid", "session_name", "session", "mem_kb"),
    3: ("image", "pid", "services"),
    9: ("image", "pid", "session_name", "session", "mem_kb", "status", "user_name", "cpu_time",
        "window_title"),
}
# Localised wording, one table. "Abbildname" and the German "no tasks" message are from published
# captures of German Windows; "N/A" is what /svc prints for a process without services.
WORDING: dict[str, dict] = {
    "en": {"image_header": "Image Name",
           "no_tasks": "INFO: No tasks are running which match the specified criteria.",
           "no_services": "N/A"},
    "de": {"image_header": "Abbildname",
           "no_tasks": "INFORMATION: Es werden keine Aufgaben mit den angegebenen Kriterien ausgeführt.",
           "no_services": None},
}

COLUMNS = ("image", "pid", "session_name", "session", "mem_kb", "services")
VERBOSE = ("status", "user_name", "cpu_time", "window_title")
DTYPES = {"image": "string", "pid": "Int64", "session_name": "string", "session": "Int64",
          "mem_kb": "Int64", "services": "object", "status": "string", "user_name": "string",
          "cpu_time": "string", "window_title": "string", "line": "int64"}

_IMAGE_HEADERS = {fold(w["image_header"]) for w in WORDING.values()}
_NO_TASKS = {fold(w["no_tasks"]) for w in WORDING.values()}
_NO_SERVICES = {w["no_services"] for w in WORDING.values() if w["no_services"]}
_RULE = re.compile(r"^=+( +=+)*$")
_MEMORY = re.compile(r"^([0-9]{1,3}(?:[,.\u00a0\u202f' ][0-9]{3})*|[0-9]+) ?K$")


def parse(text: str, source: str | None = None) -> pd.DataFrame:
    """Parse ``tasklist`` output (table, ``/svc``, ``/v``, ``/fi``, ``/fo csv`` with or without ``/nh``).

    >>> parse('"w3wp.exe","7816","Services","0","312,448 K"').loc[0, "mem_kb"]
    np.int64(312448)
    >>> len(parse("INFO: No tasks are running which match the specified criteria."))
    0
    """
    return _Reader(source or SOURCE).read(text)


class _Reader:
    def __init__(self, source: str):
        self.source = source
        self.rows: list[dict] = []
        self.layout: tuple[str, ...] | None = None

    def fail(self, message: str, number: int, column: int, line: str = ""):
        raise ParseError(message, line=number, column=column, source=self.source, text=line)

    def read(self, text: str) -> pd.DataFrame:
        numbered = [(n, line) for n, line in lines(text) if line.strip()]
        if not numbered:
            return self.frame()
        if len(numbered) == 1 and fold(numbered[0][1]) in _NO_TASKS:
            return self.frame()
        for number, line in numbered:
            if fold(line) in _NO_TASKS:
                self.fail("the 'no tasks' message cannot appear together with a process list",
                          number, first_column(line), line)
        if numbered[0][1].lstrip().startswith('"'):
            self.read_csv(numbered)
        else:
            self.read_table(numbered)
        return self.frame()

    # -- /fo csv ----------------------------------------------------------------------------
    def read_csv(self, numbered: list[tuple[int, str]]):
        for index, (number, line) in enumerate(numbered):
            fields = self.csv_fields(number, line)
            if index == 0 and fold(fields[0][0]) in _IMAGE_HEADERS:
                self.layout = self.layout_for(len(fields), number, line)
                continue
            if self.layout is None:
                self.layout = self.layout_for(len(fields), number, line)
            if len(fields) != len(self.layout):
                column = fields[-1][1] if len(fields) > len(self.layout) else len(line) + 1
                self.fail(f"expected {len(self.layout)} quoted fields like the first row, found {len(fields)}",
                          number, column, line)
            self.add_row({name: value for name, value in zip(self.layout, fields)}, number, line)

    def csv_fields(self, number: int, line: str) -> list[tuple[str, int]]:
        """Split one tasklist CSV line into (value, 1-based column) pairs; every field is quoted."""
        fields, i = [], len(line) - len(line.lstrip())
        while True:
            if i >= len(line) or line[i] != '"':
                self.fail('expected \'"\' to start a CSV field', number, i + 1, line)
            start, i, value = i + 1, i + 1, []
            while True:
                if i >= len(line):
                    self.fail("expected '\"' to close the CSV field", number, len(line) + 1, line)
                if line[i] == '"':
                    if line[i + 1:i + 2] == '"':
                        value.append('"')
                        i += 2
                        continue
                    i += 1
                    break
                value.append(line[i])
                i += 1
            fields.append(("".join(value), start))
            if i == len(line):
                return fields
            if line[i] != ",":
                self.fail("expected ',' between CSV fields", number, i + 1, line)
            i += 1

    # -- the fixed-width table ----------------------------------------------------------------
    def read_table(self, numbered: list[tuple[int, str]]):
        rule_at = next((i for i, (_, line) in enumerate(numbered) if _RULE.match(line.strip())), None)
        if rule_at is None or rule_at == 0:
            number, line = numbered[0]
            self.fail("expected the tasklist header (Image Name  PID ...) followed by a ===== rule line",
                      number, first_column(line), line)
        if rule_at > 1:
            number, line = numbered[0]
            self.fail(f"expected the tasklist header, found '{line.strip()[:40]}'", number, first_column(line), line)
        header_number, header = numbered[0]
        rule_number, rule = numbered[1]
        if not any(fold(header).startswith(word) for word in _IMAGE_HEADERS):
            self.fail("expected the tasklist header to start with 'Image Name'", header_number,
                      first_column(header), header)
        starts = [m.start() for m in re.finditer(r"=+", rule)]
        self.layout = self.layout_for(len(starts), rule_number, rule)
        for number, line in numbered[2:]:
            cells = []
            for k, start in enumerate(starts):
                end = starts[k + 1] if k + 1 < len(starts) else len(line)
                if k + 1 < len(starts) and len(line) > end - 1 and line[end - 1] != " ":
                    self.fail(f"expected a blank at column {end}, where the ===== rule separates two "
                              "columns (is the line shifted?)", number, end, line)
                cells.append((line[start:end].strip(), start + 1))
            values = dict(zip(self.layout, cells))
            if not values["image"][0] and not values["pid"][0]:
                self.continuation(values, number, line)
            else:
                self.add_row(values, number, line)

    def continuation(self, values: dict, number: int, line: str):
        """A /svc line that carries only more service names for the process above."""
        if "services" not in values or not self.rows or not values["services"][0]:
            self.fail("expected an image name and a PID", number, first_column(line), line)
        previous = self.rows[-1]["services"]
        if not previous:  # the row above said N/A: nothing to continue
            self.fail("expected an image name and a PID (this line continues no services list)",
                      number, first_column(line), line)
        previous.extend(self.services(values["services"][0], number, line, values["services"][1]))

    # -- one process ------------------------------------------------------------------------
    def layout_for(self, count: int, number: int, line: str) -> tuple[str, ...]:
        if count not in LAYOUTS:
            self.fail(f"expected 3 (/svc), 5 (default) or 9 (/v) columns, found {count}", number,
                      first_column(line), line)
        return LAYOUTS[count]

    def add_row(self, values: dict[str, tuple[str, int]], number: int, line: str):
        image, column = values["image"]
        if not image:
            self.fail("expected an image name", number, column, line)
        row = {"image": image, "line": number}
        row["pid"] = self.number(values["pid"], "a PID", number, line)
        if "session" in values:
            row["session_name"] = values["session_name"][0] or None
            row["session"] = self.number(values["session"], "a session number", number, line)
            row["mem_kb"] = self.memory(values["mem_kb"], number, line)
        if "services" in values:
            text, column = values["services"]
            row["services"] = self.services(text, number, line, column)
        for name in VERBOSE:
            if name in values:
                row[name] = values[name][0] or None
        self.rows.append(row)

    def number(self, cell: tuple[str, int], what: str, number: int, line: str) -> int:
        text, column = cell
        if not is_digits(text):
            self.fail(f"expected {what}, found '{text}'" if text else f"expected {what}", number, column, line)
        return int(text)

    def memory(self, cell: tuple[str, int], number: int, line: str) -> int:
        text, column = cell
        match = _MEMORY.match(text)
        if not match:
            self.fail(f"expected memory usage like '12,345 K', found '{text}'", number, column, line)
        return int(re.sub(r"\D", "", match.group(1)))

    def services(self, text: str, number: int, line: str, column: int) -> list[str]:
        if text in _NO_SERVICES:
            return []
        names = [name.strip() for name in text.split(",")]
        if len(names) > 1 and names[-1] == "":
            names.pop()  # a trailing comma: the list goes on on the next line
        if any(not name or " " in name for name in names):
            self.fail(f"expected service names separated by commas, found '{text}'", number, column, line)
        return names

    def frame(self) -> pd.DataFrame:
        names = list(COLUMNS) + [n for n in VERBOSE if self.layout and n in self.layout] + ["line"]
        data = {name: [row.get(name) for row in self.rows] for name in names}
        df = pd.DataFrame(data, columns=names)
        for name in names:
            df[name] = df[name].astype(DTYPES[name])
        return df
