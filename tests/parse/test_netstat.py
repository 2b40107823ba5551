"""casl.parse.netstat against jc's real Windows 10 fixtures and our Exchange 2013 samples.

The shared fixtures (shared/fixtures/netstat/win10-netstat*.out, MIT, from kellyjonbrazil/jc; see
shared/fixtures/README.md) are real captures with jc's parse beside them. Every row must parse and
agree with jc field by field once the deliberate differences in JC_DIFFERENCES are applied.
The ours-* samples in tests/parse/data were written by us (see data/flows/README.md): no real Exchange
server capture was available.
"""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from casl.errors import ParseError
from casl.parse import netstat

DATA = Path(__file__).parent / "data" / "flows"
FIXTURES = ("win10-netstat-aon", "win10-netstat-an", "win10-netstat")

# --- deliberate differences from jc, each named -------------------------------------------------
# jc's field name -> casl's column.
JC_FIELD_NAMES = {
    "proto": "proto", "local_address": "local_address", "local_port": "local_port",
    "foreign_address": "remote_address", "foreign_port": "remote_port", "state": "state", "pid": "pid",
    "local_port_num": "local_port", "foreign_port_num": "remote_port",
}


def _jc_address(address: str) -> str:
    # jc keeps IPv6 brackets ("[::]", "[fe80::...%9]"); casl strips them (zone kept).
    return f"[{address}]" if ":" in address else address


def _jc_port(port) -> str:
    # jc keeps ports as text ("443", "*"); casl has Int64 with <NA> for "*".
    return "*" if pd.isna(port) else str(port)


JC_DIFFERENCES = {
    "remote_* is jc's foreign_*": "see JC_FIELD_NAMES",
    "IPv6 brackets": _jc_address,
    "ports are text in jc, Int64 in casl, '*' is <NA>": _jc_port,
    # jc's *_port_num is missing when the port is 0 or '*' (it tests the number for truth).
    "jc omits *_port_num for 0 and *": lambda port: not pd.isna(port) and port != 0,
    # jc: UDP state is '' when the capture has a PID column (it moves the PID out of the state slot)
    # and absent when it has none; casl: <NA>.
    "UDP state": lambda has_pid: "" if has_pid else None,
    "columns jc does not have": ("service", "image", "local_port_name", "remote_port_name", "line"),
}


def as_jc(row: pd.Series, has_pid: bool) -> dict:
    """Our row in jc's shape, applying exactly the differences listed above."""
    out = {
        "proto": row["proto"],
        "local_address": _jc_address(row["local_address"]),
        "foreign_address": _jc_address(row["remote_address"]),
        "local_port": _jc_port(row["local_port"]),
        "foreign_port": _jc_port(row["remote_port"]),
    }
    if pd.isna(row["state"]):
        udp_state = JC_DIFFERENCES["UDP state"](has_pid)
        if udp_state is not None:
            out["state"] = udp_state
    else:
        out["state"] = row["state"]
    if has_pid:
        out["pid"] = int(row["pid"])
    for ours, jc in (("local_port", "local_port_num"), ("remote_port", "foreign_port_num")):
        if JC_DIFFERENCES["jc omits *_port_num for 0 and *"](row[ours]):
            out[jc] = int(row[ours])
    return out


@pytest.mark.parametrize("name", FIXTURES)
def test_real_fixture_parses_completely_and_agrees_with_jc(fixtures_dir, name):
    text = (fixtures_dir / "netstat" / f"{name}.out").read_text(encoding="utf-8")
    expected = json.loads((fixtures_dir / "netstat" / f"{name}.json").read_text(encoding="utf-8"))
    df = netstat.parse(text, source=name)
    row_lines = [n for n, line in enumerate(text.splitlines(), 1) if line.split()[:1] in (["TCP"], ["UDP"])]
    assert df["line"].tolist() == row_lines  # every row, in input order, nothing skipped
    assert len(df) == len(expected)
    has_pid = df["pid"].notna().any()
    for (_, row), jc in zip(df.iterrows(), expected):
        assert as_jc(row, has_pid) == jc, f"line {row['line']}"
    extra = set(df.columns) - set(JC_FIELD_NAMES.values())
    assert extra == set(JC_DIFFERENCES["columns jc does not have"])


def test_real_fixture_ipv6_zone_and_udp(fixtures_dir):
    df = netstat.parse((fixtures_dir / "netstat" / "win10-netstat-aon.out").read_text())
    zoned = df[df["local_address"].str.contains("%", regex=False)]
    assert zoned["local_address"].tolist() == ["fe80::244e:2f1e:2096:62b2%9", "fe80::f5d1:8bf7:c410:e325%64"]
    assert zoned["local_port"].tolist() == [1900, 52284]
    udp = df[df["proto"] == "UDP"]
    assert len(udp) == 137 and udp["state"].isna().all() and udp["remote_port"].isna().all()
    assert (udp["remote_address"] == "*").all()
    assert (df.loc[df["proto"] == "TCP", "state"].isin(["LISTENING", "ESTABLISHED"])).all()


def test_types():
    df = netstat.parse((DATA / "ours-netstat-ano-ex2013.txt").read_text())
    assert {c: str(t) for c, t in df.dtypes.items()} == {
        "proto": "category", "local_address": "string", "local_port": "Int64",
        "remote_address": "string", "remote_port": "Int64", "state": "category", "pid": "Int64",
        "service": "string", "image": "string", "local_port_name": "string",
        "remote_port_name": "string", "line": "int64",
    }


def test_anob_keeps_service_and_image():
    # jc would store only one 'program_name' per row (the last line), losing "RpcSs".
    df = netstat.parse((DATA / "ours-netstat-anob-ex2013.txt").read_text())
    by_port = df.set_index(["local_address", "local_port"])
    assert tuple(by_port.loc[("0.0.0.0", 135), ["service", "image", "pid"]]) == ("RpcSs", "svchost.exe", 700)
    assert tuple(by_port.loc[("10.0.0.21", 49802), ["service", "image"]].fillna("-")) == ("-", "w3wp.exe")
    owa = by_port.loc[("10.0.0.21", 50501)]
    assert (owa["service"], owa["image"]) == ("MSExchangeMailboxAssistants", "MSExchangeMailboxAssistants.exe")
    http_sys = df[df["pid"] == 4]  # "Can not obtain ownership information"
    assert len(http_sys) > 5 and http_sys["image"].isna().all() and http_sys["service"].isna().all()
    plain = netstat.parse((DATA / "ours-netstat-ano-ex2013.txt").read_text())
    cols = ["proto", "local_address", "local_port", "remote_address", "remote_port", "state", "pid"]
    pd.testing.assert_frame_equal(df[cols], plain[cols])


def test_an_without_pid_and_with_trailing_blanks():
    df = netstat.parse((DATA / "ours-netstat-an-ex2013.txt").read_text())
    assert len(df) == 34 and df["pid"].isna().all()
    assert df.loc[df["proto"] == "UDP", "state"].isna().all()


def test_findstr_output_has_no_banner_or_header():
    df = netstat.parse((DATA / "ours-netstat-ano-findstr-444.txt").read_text())
    assert len(df) == 14 and df["line"].tolist() == list(range(1, 15))
    assert ((df["local_port"] == 444) | (df["remote_port"] == 444)).all()


def test_p_tcp():
    df = netstat.parse((DATA / "ours-netstat-ano-p-tcp.txt").read_text())
    assert set(df["proto"]) == {"TCP"} and len(df) == 24


def test_states_and_line_endings():
    text = ("Active Connections\r\n\r\n  Proto  Local Address   Foreign Address  State  PID   \r\n"
            "  TCP    10.0.0.21:49815  10.0.0.22:444  CLOSE_WAIT   8644  \n\n"
            "  TCP    10.0.0.21:51130  10.0.0.23:444  SYN_SENT     9012\r"
            "  TCP    10.0.0.21:443    10.0.1.90:61022  TIME_WAIT  0\r\n")
    df = netstat.parse(text)
    assert df["state"].tolist() == ["CLOSE_WAIT", "SYN_SENT", "TIME_WAIT"]
    assert df["line"].tolist() == [4, 6, 7]
    assert df["pid"].tolist() == [8644, 9012, 0]


def test_ipv6_with_zone_in_both_addresses():
    df = netstat.parse("  TCP    [fe80::1%12]:49672     [fe80::2%12]:444       ESTABLISHED     7816")
    assert df.loc[0, ["local_address", "local_port", "remote_address", "remote_port"]].tolist() == [
        "fe80::1%12", 49672, "fe80::2%12", 444]


def test_resolved_names_from_plain_netstat():
    # Plain `netstat` (no -n) prints service names for well-known ports, as in this published capture.
    df = netstat.parse("  TCP    192.168.1.16:55651     cdn-185-199-108-154:https  ESTABLISHED")
    row = df.loc[0]
    assert (row["remote_address"], row["remote_port"], row["remote_port_name"]) == ("cdn-185-199-108-154", 443, "https")
    odd = netstat.parse("  TCP    127.0.0.1:5000    api:someservice   ESTABLISHED").loc[0]
    assert pd.isna(odd["remote_port"]) and odd["remote_port_name"] == "someservice"


# Localised captures, written by us in the shape of published German and French captures
# (banner, header and state words as listed in netstat.WORDING).
GERMAN = """
Aktive Verbindungen

  Proto  Lokale Adresse         Remoteadresse          Status           PID
  TCP    0.0.0.0:443            0.0.0.0:0              ABHÖREN          4
  TCP    10.0.0.21:49802        10.0.0.22:444          HERGESTELLT      8120
  TCP    10.0.0.21:443          10.0.1.90:61022        WARTEND          0
  UDP    0.0.0.0:500            *:*                                     864
"""
FRENCH_B = """
Connexions actives

  Proto  Adresse locale         Adresse distante       État
  TCP    0.0.0.0:135            0.0.0.0:0              LISTENING       700
  RpcSs
 [svchost.exe]
  TCP    0.0.0.0:445            0.0.0.0:0              LISTENING       4
 Impossible d’obtenir les informations de propriétaire
"""


def test_german_states_are_translated():
    df = netstat.parse(GERMAN)
    assert df["state"].tolist()[:3] == ["LISTENING", "ESTABLISHED", "TIME_WAIT"]
    assert df["pid"].tolist() == [4, 8120, 0, 864]


def test_french_banner_header_and_ownership_message():
    df = netstat.parse(FRENCH_B)
    assert df[["service", "image"]].fillna("-").values.tolist() == [["RpcSs", "svchost.exe"], ["-", "-"]]
    assert df["pid"].tolist() == [700, 4]  # the French header has no PID label, the rows do


def test_wording_table_has_one_entry_per_language():
    assert set(netstat.WORDING) == {"en", "de", "fr"}
    for words in netstat.WORDING.values():
        assert words["banner"] and words["header"][0] == "Proto"
        assert set(words["states"].values()) <= set(netstat.TCP_STATES)


def test_empty_and_banner_only_give_an_empty_typed_frame():
    for text in ("", "\r\n", "Active Connections\r\n\r\n  Proto  Local Address  Foreign Address  State\r\n"):
        df = netstat.parse(text)
        assert df.empty and list(df.columns) == list(netstat.COLUMNS)
        assert str(df["local_port"].dtype) == "Int64"


@pytest.mark.parametrize("text, line, column, words", [
    ("TCP 10.0.0.5 10.0.0.9:1 LISTENING", 1, 13, "expected ':' and a port after the local address"),
    ("TCP 10.0.0.5: 10.0.0.9:1 LISTENING", 1, 14, "expected a port after ':' in the local address"),
    ("TCP 10.0.0.5:80 10.0.0.9: LISTENING", 1, 26, "expected a port after ':' in the foreign address"),
    ("TCP 10.0.0.5:99999 10.0.0.9:1 LISTENING", 1, 14, "out of range"),
    ("TCP [fe80::1%12:443 [::]:0 LISTENING", 1, 20, "expected ']'"),
    ("TCP [fe80::1]443 [::]:0 LISTENING", 1, 14, "expected ':' and a port after ']'"),
    ("TCP 10.0.0.5:80 10.0.0.9:1", 1, 28, "expected a TCP state"),
    ("TCP 10.0.0.5:80 10.0.0.9:1 1234", 1, 28, "expected a TCP state"),
    ("TCP 10.0.0.5:80 10.0.0.9:1 LISTEN 4", 1, 28, "found 'LISTEN'"),
    ("TCP 10.0.0.5:80 10.0.0.9:1 LISTENING 4 5", 1, 40, "unexpected text after the PID"),
    ("UDP 0.0.0.0:500 *:* LISTENING 4", 1, 21, "UDP rows have no state"),
    ("TCP 0.0.0.0:80 *:* LISTENING 4", 1, 16, "found '*:*'"),
    ("TCP", 1, 5, "expected the local address"),
    ("hello world", 1, 1, "expected a connection row starting with TCP or UDP"),
    ("\n\n   Get-Process | Out-String", 3, 4, "expected a connection row"),
    ("TCP 0.0.0.0:80 0.0.0.0:0 LISTENING 4\n RpcSs\nTCP 0.0.0.0:81 0.0.0.0:0 LISTENING 4", 3, 1,
     "expected an [image.exe] line after the service name 'RpcSs'"),
    ("TCP 0.0.0.0:80 0.0.0.0:0 LISTENING 4\n [a.exe]\n [b.exe]", 3, 2, "a second image line"),
    ("TCP 0.0.0.0:80 0.0.0.0:0 LISTENING 4\n  CryptSvc\n\n", 2, 3, "found the end of the text"),
    ("TCP 0.0.0.0:80 0.0.0.0:0 LISTENING 4\n not a service", 2, 2, "expected a connection row"),
])
def test_errors_name_line_column_and_what_was_expected(text, line, column, words):
    with pytest.raises(ParseError) as caught:
        netstat.parse(text, source="netstat -ano")
    error = caught.value
    assert (error.line, error.column) == (line, column), str(error)
    assert words in error.reason
    assert str(error).startswith(f"netstat -ano, line {line}, column {column}: ")


def test_error_on_not_text():
    with pytest.raises(ParseError, match="expected text"):
        netstat.parse(b"TCP")  # type: ignore[arg-type]


@pytest.mark.parametrize("module", "netstat _text".split())
def test_docstring_examples(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(f"casl.parse.{module}"), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


@pytest.mark.parametrize("other", ["ours-tasklist.txt", "ours-appcmd-list-wp.txt", "ours-tasklist-csv.txt"])
def test_other_commands_output_is_refused(other):
    with pytest.raises(ParseError) as caught:
        netstat.parse((DATA / other).read_text())
    assert caught.value.line in (1, 2) and "expected a connection row" in caught.value.reason
