"""casl.parse.tasklist on captures written by us (tests/parse/data/flows/README.md).

No real `tasklist` capture from a server is in shared/fixtures ("What is missing" in its README),
so the samples imitate the documented layouts; the German lines below are quoted from published
captures of German Windows.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from casl.errors import ParseError
from casl.parse import tasklist

DATA = Path(__file__).parent / "data" / "flows"


def read(name: str) -> pd.DataFrame:
    return tasklist.parse((DATA / name).read_text(encoding="utf-8"), source=name)


def test_table_types_and_values():
    df = read("ours-tasklist.txt")
    assert len(df) == 31
    assert {c: str(t) for c, t in df.dtypes.items()} == {
        "image": "string", "pid": "Int64", "session_name": "string", "session": "Int64",
        "mem_kb": "Int64", "services": "object", "line": "int64"}
    first = df.iloc[0]
    assert (first["image"], first["pid"], first["session_name"], first["session"], first["mem_kb"]) == (
        "System Idle Process", 0, "Services", 0, 4)  # an image name with blanks
    w3wp = df[df["image"] == "w3wp.exe"]
    assert w3wp["pid"].tolist() == [6240, 7816, 8120, 8644, 9012]
    assert df.set_index("pid").loc[7816, "mem_kb"] == 312448
    assert df.set_index("pid").loc[4530, "session_name"] == "RDP-Tcp#0"
    assert df["services"].isna().all()
    assert df["line"].iloc[0] == 4  # blank line, header, rule come first


def test_table_keeps_names_as_tasklist_cut_them():
    df = read("ours-tasklist.txt").set_index("pid")
    assert df.loc[2212, "image"] == "Microsoft.Exchange.Servic"
    assert df.loc[2840, "image"] == "MSExchangeMailboxAssistan"
    csv = read("ours-tasklist-csv.txt").set_index("pid")
    assert csv.loc[2212, "image"] == "Microsoft.Exchange.ServiceHost.exe"


def test_table_and_csv_agree():
    table, csv = read("ours-tasklist.txt"), read("ours-tasklist-csv.txt")
    cols = ["pid", "session_name", "session", "mem_kb"]
    pd.testing.assert_frame_equal(table[cols], csv[cols])
    assert [c[:25] for c in csv["image"]] == table["image"].tolist()


def test_svc_wrapped_services():
    df = read("ours-tasklist-svc.txt").set_index("pid")
    assert df.loc[1156, "services"] == ["AppHostSvc", "W3SVC", "WAS"]
    assert df.loc[864, "services"][-3:] == ["ShellHWDetection", "Themes", "Winmgmt"]
    assert len(df.loc[864, "services"]) == 13  # three continuation lines joined
    assert df.loc[7816, "services"] == []  # N/A
    assert df["session"].isna().all() and df["mem_kb"].isna().all()


def test_svc_table_and_csv_agree():
    table, csv = read("ours-tasklist-svc.txt"), read("ours-tasklist-svc-csv.txt")
    assert table["pid"].tolist() == csv["pid"].tolist()
    assert table["services"].tolist() == csv["services"].tolist()


def test_filter_one_pid_and_no_match():
    df = read("ours-tasklist-fi-pid.txt")
    assert df[["image", "pid", "mem_kb"]].values.tolist() == [["w3wp.exe", 7816, 312448]]
    none = read("ours-tasklist-fi-none.txt")
    assert none.empty and list(none.columns) == ["image", "pid", "session_name", "session", "mem_kb",
                                                 "services", "line"]
    assert str(none["pid"].dtype) == "Int64"


def test_csv_without_header():
    df = read("ours-tasklist-csv-nh.txt")
    assert df["pid"].tolist() == [6240, 7816, 8120, 8644, 9012] and df["line"].tolist() == [1, 2, 3, 4, 5]


def test_german_capture():
    # Quoted from a published German capture of `tasklist /FI "PID eq 4" /FO CSV /NH`.
    df = tasklist.parse('"System","4","Services","0","14.348 K"\n')
    assert df.loc[0, "mem_kb"] == 14348
    assert tasklist.parse("INFORMATION: Es werden keine Aufgaben mit den angegebenen Kriterien ausgeführt.\r\n").empty


def test_csv_pasted_with_indent():
    df = tasklist.parse('  "w3wp.exe","7816","Services","0","312,448 K"\r\n  "w3wp.exe","8120","Services","0","1 K"')
    assert df["pid"].tolist() == [7816, 8120]


def test_verbose_columns():
    text = ('"Image Name","PID","Session Name","Session#","Mem Usage","Status","User Name","CPU Time","Window Title"\n'
            '"w3wp.exe","7816","Services","0","312,448 K","Unknown","NT AUTHORITY\\SYSTEM","0:01:12","N/A"\n')
    row = tasklist.parse(text).iloc[0]
    assert (row["user_name"], row["cpu_time"], row["mem_kb"]) == ("NT AUTHORITY\\SYSTEM", "0:01:12", 312448)


HEADER = ("Image Name                     PID Session Name        Session#    Mem Usage\n"
          "========================= ======== ================ =========== ============\n")


@pytest.mark.parametrize("text, line, column, words", [
    (HEADER + "w3wp.exe                      78x6 Services                   0    312,448 K", 3, 27, "expected a PID"),
    (HEADER + "w3wp.exe                      7816 Services                   0    312,448 MB", 3, 65,
     "expected memory usage"),
    (HEADER + "w3wp.exe                     7816 Services                   0    312,448 K", 3, 35,
     "expected a blank at column 35"),
    (HEADER + "                                   continued", 3, 36, "expected an image name and a PID"),
    ("Image Name PID\nw3wp.exe 7816", 1, 1, "followed by a ===== rule"),
    ("hello\n=====", 1, 1, "to start with 'Image Name'"),
    ("Image Name   PID\n==== ===\nw3wp.exe 7816", 2, 1, "expected 3 (/svc), 5 (default) or 9 (/v) columns"),
    ('"w3wp.exe","7816","Services","0"', 1, 1, "columns, found 4"),
    ('"w3wp.exe","7816","Services","0","1 K"\n"x.exe","1"', 2, 12, "expected 5 quoted fields"),
    ('"w3wp.exe","7816,"Services","0","1 K"', 1, 19, "expected ',' between CSV fields"),
    ('"w3wp.exe","7816', 1, 17, "expected '\"' to close"),
    ('"w3wp.exe",7816', 1, 12, "expected '\"' to start"),
    ("INFO: No tasks are running which match the specified criteria.\n" + HEADER, 1, 1, "cannot appear together"),
    ("Image Name                     PID Services\n========================= ======== ====\n"
     "svchost.exe                   1156 App Host", 3, 36, "expected service names"),
])
def test_errors(text, line, column, words):
    with pytest.raises(ParseError) as caught:
        tasklist.parse(text)
    error = caught.value
    assert (error.line, error.column) == (line, column), str(error)
    assert words in error.reason, str(error)
    assert str(error).startswith(f"tasklist, line {line}, column {column}: ")


@pytest.mark.parametrize("module", "tasklist".split())
def test_docstring_examples(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(f"casl.parse.{module}"), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
