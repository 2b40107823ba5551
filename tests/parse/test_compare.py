"""Side-by-side comparison of a working and a broken server's settings.

The two OWA listings are samples we wrote (tests/parse/data/formatlist/README.md): EX02 had
forms authentication switched off and its InternalUrl left at the setup default.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from casl.parse import clixml, formatlist
from casl.parse.compare import MISSING, SERVER_SPECIFIC, side_by_side

DATA = Path(__file__).parent / "data" / "formatlist"


def listing(name: str) -> list[dict]:
    return formatlist.parse((DATA / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def good() -> list[dict]:
    return listing("ex01-Get-OwaVirtualDirectory.txt")


@pytest.fixture(scope="module")
def broken() -> list[dict]:
    return listing("ex02-broken-Get-OwaVirtualDirectory.txt")


def test_the_broken_owa_shows_exactly_what_was_changed(good, broken):
    table = side_by_side(good, broken, only_differences=True)
    assert list(table.columns) == ["property", "good", "broken", "differs"]
    assert table["property"].tolist() == ["InternalAuthenticationMethods", "FormsAuthentication",
                                          "InternalUrl", "ExternalAuthenticationMethods"]
    forms = table.set_index("property").loc["FormsAuthentication"]
    assert (forms["good"], forms["broken"]) == (True, False)
    url = table.set_index("property").loc["InternalUrl"]
    assert (url["good"], url["broken"]) == ("https://mail.contoso.com/owa", "https://ex02.contoso.com/owa")


def test_every_property_gets_a_row_and_server_specific_ones_only_when_asked(good, broken):
    full = side_by_side(good, broken)
    assert len(full) == len(good[0]) - sum(name in good[0] for name in SERVER_SPECIFIC)
    assert full["differs"].dtype == bool and full["differs"].sum() == 4
    everything = side_by_side(good, broken, ignore=())
    assert len(everything) == len(good[0])
    shown = set(everything.loc[everything["differs"], "property"])
    assert {"Server", "Identity", "Guid", "WhenChanged", "DistinguishedName", "MetabasePath"} <= shown
    assert "OriginatingServer" not in shown  # both name DC01: differs only when it really differs


def test_names_label_the_columns(good, broken):
    table = side_by_side(good, broken, names=("EX01", "EX02"), only_differences=True)
    assert list(table.columns) == ["property", "EX01", "EX02", "differs"]


def test_records_pair_by_key_and_unmatched_ones_show(good, broken):
    bindings = formatlist.parse((DATA / "ex01-Get-WebBinding.txt").read_text(encoding="utf-8"))
    https = [b for b in bindings if b["protocol"] == "https"]
    damaged = [dict(b) for b in https[:2]]  # EX02 lost its *:444: binding
    damaged[0]["certificateHash"] = None  # and :443: has no certificate
    table = side_by_side(https, damaged, key="bindingInformation", names=("EX01", "EX02"), only_differences=True)
    assert list(table.columns) == ["bindingInformation", "property", "EX01", "EX02", "differs"]
    hash_row = table[(table["bindingInformation"] == ":443:") & (table["property"] == "certificateHash")]
    assert hash_row[["EX01", "EX02"]].values.tolist() == [["6F0E5AD1C3B7482A9D1F30B4C2E85A7D19B36C04", None]]
    missing = table[table["bindingInformation"] == "*:444:"]
    assert len(missing) == len(https[2]) - 1 and set(missing["EX02"]) == {MISSING}
    assert "127.0.0.1:443:" not in set(table["bindingInformation"])


def test_records_pair_by_position_without_a_key(good, broken):
    table = side_by_side(good + good, broken + good, only_differences=True)
    assert table.columns[0] == "record" and set(table["record"]) == {0}


def test_a_clixml_export_compares_with_a_format_list_listing(fixtures_dir):
    [owa] = clixml.read(fixtures_dir / "exchange-cmdlets" / "exchange2016-Get-OwaVirtualDirectory.clixml.xml")
    text = ("Name                          : owa (Default Web Site)\n"
            "InternalAuthenticationMethods : {Basic, Fba}\n"
            "FormsAuthentication           : True\n"
            "InternalUrl                   : https://solo-e16a.solo.local/owa\n"
            "GzipLevel                     : Off\n"
            "Server                        : EX01\n")
    listed = formatlist.parse(text)
    table = side_by_side(owa, listed, names=("export", "listing"))
    rows = table.set_index("property")
    # same values from two readers compare equal: list to list, URI to string, enum to its name
    assert not rows.loc["InternalAuthenticationMethods", "differs"]
    assert not rows.loc["InternalUrl", "differs"] and not rows.loc["GzipLevel", "differs"]
    assert rows.loc["FormsAuthentication", "differs"]  # the real export has False
    assert rows.loc["BasicAuthentication", "listing"] == MISSING and rows.loc["BasicAuthentication", "differs"]
    assert "Server" not in rows.index


def test_raw_strings_and_typed_values_compare_by_what_powershell_prints(good):
    raw = formatlist.parse_raw((DATA / "ex01-Get-OwaVirtualDirectory.txt").read_text(encoding="utf-8"))
    assert not side_by_side(good, raw)["differs"].any()


def test_dataframes_compare_too(good, broken):
    table = side_by_side(formatlist.to_frame(good), formatlist.to_frame(broken), only_differences=True)
    assert table["property"].tolist() == ["InternalAuthenticationMethods", "FormsAuthentication",
                                          "InternalUrl", "ExternalAuthenticationMethods"]


def test_property_names_match_regardless_of_case():
    table = side_by_side({"InternalURL": "https://a/owa"}, {"internalurl": "https://a/owa"})
    assert table.to_dict("records") == [
        {"property": "InternalURL", "good": "https://a/owa", "broken": "https://a/owa", "differs": False}]


def test_nothing_to_compare_is_an_empty_table():
    table = side_by_side([], [])
    assert isinstance(table, pd.DataFrame) and table.empty


@pytest.mark.parametrize("good, bad, kwargs, error", [
    ([{"a": 1}], [{"a": 1}], {"names": ("x", "x")}, ValueError),
    ([{"a": 1}], [{"a": 1}], {"names": ("property", "x")}, ValueError),
    ([{"a": 1}], [{"b": 1}], {"key": "a"}, KeyError),
    ([{"a": 1}, {"a": 1}], [{"a": 1}], {"key": "a"}, ValueError),
    (["text"], [{"a": 1}], {}, TypeError),
])
def test_misuse_is_explained(good, bad, kwargs, error):
    with pytest.raises(error):
        side_by_side(good, bad, **kwargs)


def test_a_collection_cut_by_format_list_matches_the_full_export(fixtures_dir):
    [owa] = clixml.read(fixtures_dir / "exchange-cmdlets" / "exchange2016-Get-OwaVirtualDirectory.clixml.xml")
    full = owa.to_record()["WebReadyFileTypes"]
    assert len(full) == 10
    listed = formatlist.parse("WebReadyFileTypes : {.xlsx, .pptx, .docx, .xls...}\n"
                              "AllowedMimeTypes  : {image/jpeg, image/png, image/gif, image/bmp}\n")
    rows = side_by_side(owa, listed).set_index("property")
    assert not rows.loc["WebReadyFileTypes", "differs"]
    assert not rows.loc["AllowedMimeTypes", "differs"]
    # a cut list whose shown items are not the export's first ones does differ
    changed = formatlist.parse("WebReadyFileTypes : {.xlsx, .pptx, .doc, .xls...}\n")
    assert side_by_side(owa, changed).set_index("property").loc["WebReadyFileTypes", "differs"]


@pytest.mark.parametrize("left, right, differs", [
    ("{a, b, c, d...}", ["a", "b", "c", "d", "e"], False),
    ("{a, b, c, d...}", ["a", "b", "c"], True),  # the cut list had more items than this one
    ("{a, b, c, d...}", "{a, b, c, d...}", False),
    ("{a, b, c, d...}", "{a, b, x, d...}", True),
    ("{a, b}", ["a", "b"], False),
    ("{}", None, True),
])
def test_collections_compare_as_printed(left, right, differs):
    table = side_by_side({"P": left}, {"P": right})
    assert table.loc[0, "differs"] == differs
