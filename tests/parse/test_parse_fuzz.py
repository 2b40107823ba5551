"""Mangled captures give a DataFrame or casl's ParseError, never any other exception.

Starting points are the real jc fixtures (shared/fixtures/netstat) and our written samples
(tests/parse/data/flows); hypothesis deletes, duplicates, truncates and swaps lines, inserts
characters and mixes line endings. The flow report must then also accept whatever netstat parsed.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casl.errors import ParseError
from casl.parse import appcmd, flows, netstat, tasklist

DATA = Path(__file__).parent / "data" / "flows"
SETTINGS = settings(max_examples=150, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

# characters a damaged copy-paste plausibly carries, plus the ones every parser splits on
NOISE = st.sampled_from(list('²٣ \t\r\n:[]%*",=()/\\.-0123456789KTCPUDLISTENabcÄé\u00a0\u2019\ufeff\x0b\x1c\x85\u2028\x00'))


@st.composite
def mangled(draw, text: str) -> str:
    lines = text.splitlines()
    for _ in range(draw(st.integers(0, 6))):
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["delete", "duplicate", "truncate", "insert", "swap", "strip"]))
        if action == "delete":
            del lines[i]
        elif action == "duplicate":
            lines.insert(i, lines[i])
        elif action == "truncate":
            lines[i] = lines[i][: draw(st.integers(0, max(len(lines[i]), 0)))]
        elif action == "insert":
            at = draw(st.integers(0, len(lines[i])))
            lines[i] = lines[i][:at] + draw(st.text(NOISE, min_size=1, max_size=3)) + lines[i][at:]
        elif action == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        else:
            lines[i] = lines[i].strip()
    endings = draw(st.lists(st.sampled_from(["\n", "\r\n", "\r"]), min_size=1, max_size=3))
    return "".join(line + endings[k % len(endings)] for k, line in enumerate(lines))


def _survives(parse, text: str):
    try:
        result = parse(text)
    except ParseError as error:
        assert error.line is None or error.line >= 1
        assert error.column is None or error.column >= 1
        return None
    assert isinstance(result, pd.DataFrame)
    return result


def _short(path: Path, keep: int = 40) -> str:
    return "\n".join(path.read_text(encoding="utf-8").splitlines()[:keep])


NETSTAT_BASES = ["ours-netstat-anob-ex2013.txt", "ours-netstat-ano-ex2013.txt", "ours-netstat-an-ex2013.txt"]


@pytest.mark.parametrize("name", ["win10-netstat-aon.out", "win10-netstat-an.out", "win10-netstat.out"])
def test_netstat_real_fixtures_mangled(fixtures_dir, name):
    base = _short(fixtures_dir / "netstat" / name)

    @SETTINGS
    @given(mangled(base))
    def check(text):
        df = _survives(netstat.parse, text)
        if df is not None:
            assert isinstance(flows.classify(df), pd.DataFrame)

    check()


@pytest.mark.parametrize("name", NETSTAT_BASES)
def test_netstat_samples_mangled(name):
    base = _short(DATA / name)
    processes = tasklist.parse((DATA / "ours-tasklist.txt").read_text())
    pools = appcmd.parse_wp((DATA / "ours-appcmd-list-wp.txt").read_text())

    @SETTINGS
    @given(mangled(base))
    def check(text):
        df = _survives(netstat.parse, text)
        if df is not None:
            assert len(flows.classify(df, processes, pools)) == len(df)

    check()


@pytest.mark.parametrize("name", sorted(p.name for p in DATA.glob("ours-tasklist*.txt")))
def test_tasklist_mangled(name):
    base = _short(DATA / name)

    @SETTINGS
    @given(mangled(base))
    def check(text):
        _survives(tasklist.parse, text)

    check()


@pytest.mark.parametrize("parser, name", [
    (appcmd.parse_wp, "ours-appcmd-list-wp.txt"),
    (appcmd.parse_site, "ours-appcmd-list-site.txt"),
    (appcmd.parse_apppool, "ours-appcmd-list-apppool.txt"),
])
def test_appcmd_mangled(parser, name):
    base = (DATA / name).read_text()

    @SETTINGS
    @given(mangled(base))
    def check(text):
        _survives(parser, text)

    check()


@SETTINGS
@given(st.text(max_size=200))
def test_any_text(text):
    for parse in (netstat.parse, tasklist.parse, appcmd.parse_wp, appcmd.parse_site, appcmd.parse_apppool):
        _survives(parse, text)
