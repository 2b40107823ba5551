"""casl.parse.appcmd on captures written by us (tests/parse/data/flows/README.md).

The site bindings and pool names follow the real Exchange 2013 applicationHost.config in
shared/fixtures/iis-config; the test checks the parsed bindings against that file.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from casl.errors import ParseError
from casl.parse import appcmd

DATA = Path(__file__).parent / "data" / "flows"


def test_list_wp():
    df = appcmd.parse_wp((DATA / "ours-appcmd-list-wp.txt").read_text())
    assert {c: str(t) for c, t in df.dtypes.items()} == {"pid": "Int64", "app_pool": "string", "line": "int64"}
    assert df.set_index("pid").loc[7816, "app_pool"] == "MSExchangeOWAAppPool"
    assert df["line"].tolist() == [1, 2, 3, 4, 5]


def test_list_site_bindings_match_the_real_config(fixtures_dir):
    df = appcmd.parse_site((DATA / "ours-appcmd-list-site.txt").read_text())
    assert df[["name", "id", "state"]].values.tolist() == [["Default Web Site", 1, "Started"],
                                                           ["Exchange Back End", 2, "Started"]]
    config = ET.parse(fixtures_dir / "iis-config" / "exchange2013-multirole-applicationHost.config")
    for site in config.getroot().iter("site"):
        real = [f"{b.get('protocol')}/{b.get('bindingInformation')}" for b in site.iter("binding")]
        ours = df.set_index("name").loc[site.get("name"), "bindings"]
        assert ours == real, site.get("name")


def test_list_apppool(fixtures_dir):
    df = appcmd.parse_apppool((DATA / "ours-appcmd-list-apppool.txt").read_text())
    assert str(df["state"].dtype) == "category" and str(df["pipeline_mode"].dtype) == "category"
    owa = df.set_index("name").loc["MSExchangeOWAAppPool"]
    assert (owa["runtime_version"], owa["pipeline_mode"], owa["state"]) == ("v4.0", "Integrated", "Started")
    config = ET.parse(fixtures_dir / "iis-config" / "exchange2013-multirole-applicationHost.config")
    real = {p.get("name") for p in config.getroot().iter("add") if p.get("name", "").startswith("MSExchange")
            and p.get("managedRuntimeVersion") is not None}
    assert real <= set(df["name"])


def test_empty_runtime_version_is_na():
    df = appcmd.parse_apppool('APPPOOL "NoManagedCode" (MgdVersion:,MgdMode:Integrated,state:Stopped)')
    assert df["runtime_version"].isna().all() and df.loc[0, "state"] == "Stopped"


@pytest.mark.parametrize("parser, text, column, words", [
    (appcmd.parse_wp, 'SITE "Default Web Site" (id:1,bindings:http/*:80:,state:Started)', 1, "expected a line like WP"),
    (appcmd.parse_wp, 'WP "15x6" (applicationPool:MSExchangeOWAAppPool)', 5, "process id"),
    (appcmd.parse_wp, 'WP "1596" (applicationPool:A,applicationPool:B)', 30, "given twice"),
    (appcmd.parse_wp, 'WP "1596" (pool:A)', 12, "unexpected attribute 'pool'"),
    (appcmd.parse_wp, 'WP "1596" ()', 12, "expected key:value"),
    (appcmd.parse_site, 'SITE "X" (id:one,bindings:http/*:80:,state:Started)', 14, "expected a number"),
    (appcmd.parse_site, 'SITE "X" (id:1,bindings:http*:80:,state:Started)', 25, "expected bindings"),
    (appcmd.parse_site, 'SITE "X" (id:1,state:Started)', 29, "expected the attribute 'bindings'"),
    (appcmd.parse_apppool, 'APPPOOL "X" MgdVersion:v4.0', 1, "expected a line like APPPOOL"),
])
def test_errors(parser, text, column, words):
    with pytest.raises(ParseError) as caught:
        parser("\n  " + text)
    error = caught.value
    assert (error.line, error.column) == (2, column + 2), str(error)
    assert words in error.reason


@pytest.mark.parametrize("module", "appcmd".split())
def test_docstring_examples(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(f"casl.parse.{module}"), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
