"""CLIXML reader: every real export in shared/fixtures reads completely and says what the server said.

The exports are real (microsoft/CSS-Exchange test data, see shared/fixtures/README.md). Their
``Get-ExchangeCertificate`` objects carry only ``RawData`` (the DER) as adapted property plus
the remoting members, not ``Services`` or ``Thumbprint``: the thumbprint is asserted through the
certificate's ``ToString`` and the SHA-1 of ``RawData``; Services cannot be, it is not there.
"""
from __future__ import annotations

import hashlib
import uuid
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casl import parse as casl_parse
from casl.errors import ParseError
from casl.parse.clixml import PSObject, Unknown, decode_string, read, to_frame

HEAD = '<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">'


def doc(body: str) -> str:
    return f"{HEAD}{body}</Objs>"


@pytest.fixture(scope="module")
def cmdlets(fixtures_dir) -> Path:
    return fixtures_dir / "exchange-cmdlets"


def all_exports(fixtures_dir: Path) -> list[Path]:
    files = sorted((fixtures_dir / "exchange-cmdlets").glob("*.xml"))
    files.append(fixtures_dir / "iis-config" / "exchange2019-Get-WebBinding.clixml.xml")
    return files


def walk(value, seen=None):
    """Every value reachable from value (each object once)."""
    seen = set() if seen is None else seen
    if isinstance(value, PSObject):
        if id(value) in seen:
            return
        seen.add(id(value))
        yield value
        yield from walk(value.value, seen)
        for v in value.properties.values():
            yield from walk(v, seen)
    elif isinstance(value, list):
        for v in value:
            yield from walk(v, seen)
    elif isinstance(value, dict):
        for v in value.values():
            yield from walk(v, seen)
    else:
        yield value


def test_every_real_export_reads_completely(fixtures_dir):
    files = all_exports(fixtures_dir)
    assert len(files) == 5
    for path in files:
        objs = read(path)
        assert objs and all(isinstance(o, PSObject) and o.type_names for o in objs), path.name
        values = list(walk(objs))
        assert not [v for v in values if isinstance(v, Unknown)], path.name
        # every <Obj> of the file became an object (a <Ref> reuses one, it does not add one)
        text = path.read_text(encoding="utf-8-sig")
        assert sum(isinstance(v, PSObject) for v in values) == text.count("<Obj "), path.name


def test_owa_virtual_directory(cmdlets):
    [owa] = read(cmdlets / "exchange2016-Get-OwaVirtualDirectory.clixml.xml")
    assert owa.type_names[0] == "Microsoft.Exchange.Data.Directory.SystemConfiguration.ADOwaVirtualDirectory"
    assert owa.to_string == "SOLO-E16A\\owa (Default Web Site)"
    assert len(owa.adapted) == 154  # "the full property set (154 properties)" per the fixtures README
    assert list(owa.extended) == ["PSComputerName", "RunspaceId", "PSShowComputerName", "SerializationData"]
    record = owa.to_record()
    assert record["InternalUrl"] == "https://solo-e16a.solo.local/owa"
    assert record["ExternalUrl"] is None
    assert record["InternalAuthenticationMethods"] == ["Basic", "Fba"]
    assert record["ExternalAuthenticationMethods"] == ["Fba"]
    assert (record["BasicAuthentication"], record["FormsAuthentication"], record["WindowsAuthentication"]) == (
        False, False, False)
    assert record["Server"] == "SOLO-E16A" and record["GzipLevel"] == "Off"
    assert record["WhenChangedUTC"] == datetime(2020, 6, 30, 21, 7, 20, tzinfo=timezone.utc)
    assert owa["Guid"] == uuid.UUID("aa22bc35-e666-4dfb-8e9e-b64d19de3886")
    # the enum keeps both what PowerShell prints and the number behind it
    assert (owa["RemoteDocumentsActionForUnknownServers"].to_string, owa["RemoteDocumentsActionForUnknownServers"].value) == ("Block", 1)
    # <Ref N="Id" RefId="37"/> is the very object serialized earlier as Identity
    assert owa["Id"] is owa["Identity"]
    # the names order of the real object, as the 2013 facts sheet lists it, starts the same way
    assert list(owa.adapted)[:3] == ["DirectFileAccessOnPublicComputersEnabled",
                                     "DirectFileAccessOnPrivateComputersEnabled",
                                     "WebReadyDocumentViewingOnPublicComputersEnabled"]


def test_ews_virtual_directory(cmdlets):
    [ews] = read(cmdlets / "exchange2016-Get-WebServicesVirtualDirectory.clixml.xml")
    record = ews.to_record()
    assert record["Name"] == "EWS (Default Web Site)"
    assert record["InternalUrl"] == "https://solo-e16a.solo.local/EWS/Exchange.asmx"
    assert record["InternalAuthenticationMethods"] == ["Ntlm", "WindowsIntegrated", "WSSecurity", "OAuth"]
    assert record["WindowsAuthentication"] is True and record["BasicAuthentication"] is False


def test_exchange_certificates(cmdlets, fixtures_dir):
    certs = read(cmdlets / "exchange2016-Get-ExchangeCertificate.clixml.xml")
    assert len(certs) == 3
    subjects = [c.to_string.split("\r\n")[1].strip() for c in certs]
    assert subjects == ["CN=Microsoft Exchange Server Auth Certificate", "CN=Solo-E16A", "CN=WMSvc-WIN-9UC94ETVM30"]
    for cert in certs:
        thumbprint = cert.to_string.split("[Thumbprint]\r\n")[1].split()[0]
        assert hashlib.sha1(cert["RawData"]).hexdigest().upper() == thumbprint
        assert cert["PSComputerName"] == "solo-e16a.solo.local"
    # the decoded DER files in certs/ were cut from these very exports
    der = fixtures_dir / "certs" / "exchange-generated" / "E16-1-823884A3.der"
    assert certs[1]["RawData"] == der.read_bytes()
    assert "Services" not in certs[1]


def test_namespace_certificate(cmdlets):
    certs = read(cmdlets / "exchange2016-namespace-Get-ExchangeCertificate.clixml.xml")
    assert len(certs) == 8
    [mail] = [c for c in certs if "CN=mail.contoso.lab\r\n" in c.to_string]
    assert "2759456DC53C76E3DED093B567B6D8DAA42C0ADD" in mail.to_string
    assert hashlib.sha1(mail["RawData"]).hexdigest().upper() == "2759456DC53C76E3DED093B567B6D8DAA42C0ADD"


def test_web_bindings(fixtures_dir):
    bindings = read(fixtures_dir / "iis-config" / "exchange2019-Get-WebBinding.clixml.xml")
    table = to_frame(bindings, ["protocol", "bindingInformation", "sslFlags", "certificateHash", "certificateStoreName"])
    assert table[["protocol", "bindingInformation"]].values.tolist() == [
        ["http", "*:80:"], ["https", ":443:"], ["http", "127.0.0.1:80:"], ["https", "127.0.0.1:443:"],
        ["http", "*:81:"], ["https", "*:444:"]]
    https = table[table["protocol"] == "https"]
    assert set(https["certificateHash"]) == {"12FD38FA8F58C8A74B3039962882DEFE4199D453"}
    assert set(https["certificateStoreName"]) == {"MY"} and set(table["sslFlags"]) == {0}
    # the protocol also sits in the adapted Attributes collection, one object per attribute
    attributes = {a["Name"]: a["Value"] for a in bindings[5]["Attributes"].value}
    assert attributes["bindingInformation"] == "*:444:" and attributes["sslFlags"] == 0
    assert bindings[5]["ItemXPath"] == "/system.applicationHost/sites/site[@name='Exchange Back End' and @id='2']"


def test_to_frame_keeps_or_joins_lists(cmdlets):
    objs = read(cmdlets / "exchange2016-Get-OwaVirtualDirectory.clixml.xml")
    kept = to_frame(objs, ["Name", "InternalAuthenticationMethods"])
    joined = to_frame(objs, ["Name", "InternalAuthenticationMethods"], join=", ")
    assert kept.loc[0, "InternalAuthenticationMethods"] == ["Basic", "Fba"]
    assert joined.loc[0, "InternalAuthenticationMethods"] == "Basic, Fba"
    assert to_frame(objs).shape == (1, 158)


def test_the_short_name_in_casl_parse_is_this_reader():
    assert casl_parse.PARSERS["read_clixml"] == ("casl.parse.clixml", "read")
    assert casl_parse.read_clixml is read
    assert casl_parse.read_clixml is read      # still the reader once the module is imported


def test_text_bytes_or_path_read_alike(cmdlets):
    path = cmdlets / "exchange2016-Get-ExchangeCertificate.clixml.xml"
    by_path, by_text, by_bytes = read(str(path)), read(path.read_text(encoding="utf-8")), read(path.read_bytes())
    assert [o.to_string for o in by_path] == [o.to_string for o in by_text] == [o.to_string for o in by_bytes]


def test_windows_powershell_writes_utf16():
    data = doc('<S>Exchange Back End</S>').encode("utf-16")  # with its byte-order mark
    assert read(data) == ["Exchange Back End"]


# --------------------------------------------------------------------------- the vocabulary


def test_every_primitive_and_collection():
    body = """<Obj RefId="0"><TN RefId="0"><T>Demo</T><T>System.Object</T></TN><ToString>demo</ToString><Props>
      <S N="S">a_x000D__x000A_b_x005F_x</S><C N="C">65</C><B N="B">true</B>
      <DT N="DT">2014-08-26T10:14:23.1234567+02:00</DT><TS N="TS">PT1H30M5.5S</TS>
      <By N="By">255</By><SB N="SB">-1</SB><U16 N="U16">65535</U16><I16 N="I16">-2</I16>
      <U32 N="U32">4294967295</U32><I32 N="I32">-3</I32><U64 N="U64">18446744073709551615</U64><I64 N="I64">-4</I64>
      <Sg N="Sg">1.5</Sg><Db N="Db">-INF</Db><D N="D">1.10</D><BA N="BA">AQID</BA>
      <G N="G">792e5b37-4505-47ef-b7d2-8711bb7affa8</G><URI N="URI">https://ex01/owa</URI>
      <Version N="Version">15.0.995.29</Version><XD N="XD">&lt;a/&gt;</XD><SBK N="SBK">Get-Date</SBK>
      <SS N="SS">76492d1116743f04</SS><Nil N="Nil" />
      <Obj N="Stack" RefId="1"><STK><I32>2</I32><I32>1</I32></STK></Obj>
      <Obj N="Queue" RefId="2"><QUE><S>first</S></QUE></Obj>
      <Obj N="Table" RefId="3"><DCT><En><S N="Key">owa</S><I32 N="Value">1</I32></En>
        <En><I32 N="Key">2</I32><Obj N="Value" RefId="4"><LST><S>x</S></LST></Obj></En></DCT></Obj>
      <Obj N="Empty" RefId="5"><IE /></Obj>
      <Ref N="Self" RefId="3" />
    </Props><MS><S N="PSComputerName">ex01</S></MS></Obj>
    <Obj RefId="6"><TNRef RefId="0" /><ToString>again</ToString></Obj>"""
    first, second = read(doc(body))
    p = first.properties
    assert p["S"] == "a\r\nb_x" and p["C"] == "A" and p["B"] is True
    assert p["DT"] == datetime(2014, 8, 26, 10, 14, 23, 123456, tzinfo=timezone(timedelta(hours=2)))
    assert p["TS"] == timedelta(hours=1, minutes=30, seconds=5.5)
    assert (p["By"], p["SB"], p["U16"], p["I16"]) == (255, -1, 65535, -2)
    assert (p["U32"], p["I32"], p["U64"], p["I64"]) == (4294967295, -3, 18446744073709551615, -4)
    assert p["Sg"] == 1.5 and p["Db"] == float("-inf") and p["D"] == Decimal("1.10")
    assert p["BA"] == b"\x01\x02\x03" and p["G"] == uuid.UUID("792e5b37-4505-47ef-b7d2-8711bb7affa8")
    assert (p["URI"], p["Version"], p["XD"], p["SBK"], p["SS"]) == (
        "https://ex01/owa", "15.0.995.29", "<a/>", "Get-Date", "76492d1116743f04")
    assert p["Nil"] is None
    assert p["Stack"].value == [2, 1] and p["Queue"].value == ["first"] and p["Empty"].value == []
    assert p["Table"].value["owa"] == 1 and p["Table"].value[2].value == ["x"]
    assert p["Self"] is p["Table"]
    assert first.extended == {"PSComputerName": "ex01"} and first["PSComputerName"] == "ex01"
    assert second.type_names == ("Demo", "System.Object") and str(second) == "again"
    assert first.to_record()["Table"] == {"owa": 1, 2: ["x"]}


def test_escapes_in_names_and_characters_outside_the_bmp():
    [obj] = read(doc('<Obj RefId="0"><MS><S N="a_x0020_b">_xD83D__xDE00_ ok</S></MS></Obj>'))
    assert obj["a b"] == "\U0001F600 ok"
    assert decode_string("no escapes") == "no escapes"


def test_a_bare_primitive_at_the_top_stays_a_value():
    assert read(doc("<S>one</S><I32>2</I32><Nil />")) == ["one", 2, None]


def test_an_object_that_refers_to_itself_flattens():
    [obj] = read(doc('<Obj RefId="0"><ToString>loop</ToString><Props><Ref N="Me" RefId="0" /></Props></Obj>'))
    assert obj["Me"] is obj and obj.to_record() == {"Me": "loop"}


# --------------------------------------------------------------------------- damaged exports


@pytest.mark.parametrize("body, message, line", [
    ("<Obj RefId=\"0\"><Props><Bogus N=\"x\">1</Bogus></Props></Obj>", "unknown CLIXML element <Bogus>", 1),
    ("<Obj RefId=\"0\">\n<Props>\n<Ref N=\"x\" RefId=\"9\" /></Props></Obj>", "points to no earlier <Obj>", 3),
    ("<Obj RefId=\"0\"><TNRef RefId=\"4\" /></Obj>", "points to no earlier <TN>", 1),
    ("<I32>twelve</I32>", "not a System.Int32", 1),
    ("<B>maybe</B>", "not a System.Boolean", 1),
    ("<G>not-a-guid</G>", "not a System.Guid", 1),
    ("<BA>@@@</BA>", "not a System.Byte[]", 1),
    ("<DT>yesterday</DT>", "not a System.DateTime", 1),
    ("<TS>P</TS>", "not a System.TimeSpan", 1),
    ("<Obj RefId=\"0\"><Props><S>no name</S></Props></Obj>", "lacks its N attribute", 1),
    ("<Obj RefId=\"0\"><I32>1</I32><S>2</S></Obj>", "a second value <S>", 1),
    ("<Obj RefId=\"0\"><DCT><En><S N=\"Key\">k</S></En></DCT></Obj>", "needs one child", 1),
])
def test_damage_inside_well_formed_xml_is_named(body, message, line):
    with pytest.raises(ParseError) as caught:
        read(doc(body))
    assert message in str(caught.value)
    assert caught.value.line == line and caught.value.column >= 1 and caught.value.source == "CLIXML"


def test_an_unknown_element_can_be_kept_instead():
    [obj] = read(doc('<Obj RefId="0"><Props><Bogus N="x">1</Bogus><I32 N="y">2</I32></Props></Obj>'), strict=False)
    assert isinstance(obj["x"], Unknown) and obj["x"].tag == "Bogus" and obj["y"] == 2
    assert "unknown CLIXML element Bogus" in str(obj["x"])


def test_a_truncated_real_export_names_the_line(cmdlets, tmp_path):
    text = (cmdlets / "exchange2016-Get-OwaVirtualDirectory.clixml.xml").read_text(encoding="utf-8-sig")
    damaged = tmp_path / "owa-truncated.xml"
    damaged.write_text(text[: len(text) // 2], encoding="utf-8")
    with pytest.raises(ParseError) as caught:
        read(damaged)
    assert caught.value.source == "owa-truncated.xml"
    assert caught.value.line == text[: len(text) // 2].count("\n") + 1
    assert "not well-formed XML" in str(caught.value)


def test_an_unknown_tag_in_a_real_export(cmdlets, tmp_path):
    text = (cmdlets / "exchange2016-Get-WebServicesVirtualDirectory.clixml.xml").read_text(encoding="utf-8-sig")
    damaged = text.replace('<B N="MRSProxyEnabled">false</B>', '<Bool N="MRSProxyEnabled">false</Bool>', 1)
    assert damaged != text
    line = damaged[: damaged.index("<Bool")].count("\n") + 1
    with pytest.raises(ParseError) as caught:
        read(damaged)
    assert caught.value.line == line and "<Bool>" in str(caught.value)
    assert caught.value.text.strip() == '<Bool N="MRSProxyEnabled">false</Bool>'


@pytest.mark.parametrize("text, message", [
    ("", "no element found"),
    ("<Objs", "not well-formed XML"),
    ('<root xmlns="urn:x"><S>a</S></root>', "not a CLIXML export"),
    ('<?xml version="1.0"?><!DOCTYPE Objs [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
     f'{HEAD}<S>&b;</S></Objs>', "refused"),
    ('<!DOCTYPE Objs SYSTEM "file:///etc/passwd"><Objs/>', "refused"),
])
def test_not_clixml_at_all(text, message):
    with pytest.raises(ParseError) as caught:
        read(text)
    assert message in str(caught.value) and caught.value.line is not None


def test_nesting_deeper_than_any_export_is_refused():
    body = '<Obj RefId="0"><LST>' * 300 + "</LST></Obj>" * 300
    with pytest.raises(ParseError, match="nested more than"):
        read(doc(body))


# --------------------------------------------------------------------------- mangled exports

_SAMPLE: dict[str, str] = {}


def _webbinding_text(fixtures_dir: Path) -> str:
    if "text" not in _SAMPLE:
        path = fixtures_dir / "iis-config" / "exchange2019-Get-WebBinding.clixml.xml"
        # the first two bindings are enough to mangle and keep each example quick
        text = path.read_text(encoding="utf-8-sig")
        _SAMPLE["text"] = text[: text.index('<Obj RefId="33">')] + "</Objs>"
    return _SAMPLE["text"]


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_mangled_exports_give_objects_or_a_parse_error(fixtures_dir, data):
    text = _webbinding_text(fixtures_dir)
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(text)))
        action = data.draw(st.sampled_from(["delete", "insert", "truncate", "rename"]))
        if action == "delete":
            text = text[:at] + text[at + data.draw(st.integers(1, 60)):]
        elif action == "insert":
            text = text[:at] + data.draw(st.sampled_from(["<", ">", "&", "/", '"', "<Ref RefId=\"77\"/>",
                                                          "<I32>x</I32>", "<Zz>", "_x00", "\x00"])) + text[at:]
        elif action == "truncate":
            text = text[:at]
        else:
            text = text.replace(data.draw(st.sampled_from(["Obj", "TN", "S", "B", "I64", "Props", "MS", "LST", "IE"])),
                                data.draw(st.sampled_from(["Obj", "TNRef", "Q", "DCT", "Ref", "STK"])))
    as_bytes = data.draw(st.booleans())
    try:
        objs = read(text.encode("utf-8") if as_bytes else "<" + text if "<" not in text else text)
    except ParseError as exc:
        assert exc.line is not None
    else:
        assert isinstance(objs, list)
        to_frame(objs)


@settings(max_examples=200, deadline=None)
@given(raw=st.binary(max_size=200))
def test_any_bytes_give_objects_or_a_parse_error(raw):
    try:
        read(raw)
    except ParseError:
        pass
