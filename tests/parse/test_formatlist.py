"""Format-List reader: the rules of PowerShell's list view, on samples we wrote and on round trips.

No plain-text Format-List capture from a real server is in shared/fixtures (its README says so),
so the samples in data/formatlist/ were written by us from the domain facts sheet and the real
CLIXML exports (see data/formatlist/README.md). The round-trip tests print records the way
PowerShell's ListWriter does (``render`` below, word wrap as in GenerateLinesWithWordWrap) and
read them back.
"""
from __future__ import annotations

import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casl import parse as casl_parse
from casl.errors import ParseError
from casl.parse.formatlist import PSList, convert_value, parse, parse_raw, scan, to_frame

DATA = Path(__file__).parent / "data" / "formatlist"


# --------------------------------------------------------------------------- PowerShell's printer


def wrap(value: str, room: int) -> list[str]:
    """GenerateLinesWithWordWrap for one line of text: words keep their trailing blank, a word
    longer than a whole line is cut character by character."""
    if len(value) <= room:
        return [value]
    lines, buffer, left = [], "", room
    words = value.split(" ")
    for i, word in enumerate(words):
        word = word + (" " if i < len(words) - 1 else "")
        if len(word) > room:
            for ch in word:
                if left < 1:
                    lines.append(buffer)
                    buffer, left = ch, room - 1
                else:
                    buffer, left = buffer + ch, left - 1
        elif len(word) > left:
            lines.append(buffer)
            buffer, left = word, room - len(word)
        else:
            buffer, left = buffer + word, left - len(word)
    lines.append(buffer)
    return lines


def render(records: list[dict[str, str]], width: int = 119, *, trim: bool = True, newline: str = "\n") -> str:
    """Print records as ``Format-List`` does: two leading blank lines, a blank line between
    records, labels padded to the longest name, long values wrapped at ``width``."""
    out = ["", ""]
    for record in records:
        label_width = max(len(name) for name in record)
        for name, value in record.items():
            label = name.ljust(label_width) + " : "
            pieces = wrap(value, width - len(label))
            out.append(label + pieces[0])
            out.extend(" " * len(label) + piece for piece in pieces[1:])
        out.append("")
    out.append("")
    if trim:
        out = [line.rstrip() for line in out]
    return newline.join(out)


# --------------------------------------------------------------------------- the samples


def sample(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


def test_owa_sample_reads_every_field_in_the_2013_order(domain_dir):
    facts = (domain_dir / "exchange2013-facts.md").read_text(encoding="utf-8")
    section = facts[facts.index("### 3.3"):facts.index("Sample values (2013 CU23)")]
    expected = [n.strip(" *.\n") for n in section.split("CONFIRMED [S3]")[1].split(",")]

    [owa] = parse(sample("ex01-Get-OwaVirtualDirectory.txt"), source="EX01 owa")

    assert list(owa) == expected
    assert owa["Name"] == "owa (Default Web Site)"
    assert owa["InternalUrl"] == "https://mail.contoso.com/owa"
    assert owa["InternalAuthenticationMethods"] == ["Basic", "Fba"]
    assert owa["FormsAuthentication"] is True and owa["WindowsAuthentication"] is False
    assert owa["NotificationInterval"] == 120
    assert owa["ExternalUrl"] == "https://mail.contoso.com/owa"
    assert owa["FolderPathname"] is None  # printed as "FolderPathname                                  :"
    assert owa["Url"] == [] and owa["ExtendedProtectionSPNList"] == []
    assert owa["Path"] == r"C:\Program Files\Microsoft\Exchange Server\V15\FrontEnd\HttpProxy\owa"


def test_collections_cut_at_the_enumeration_limit_say_so():
    [owa] = parse(sample("ex01-Get-OwaVirtualDirectory.txt"))
    assert owa["WebReadyFileTypes"] == [".xlsx", ".pptx", ".docx", ".xls"]
    assert owa["WebReadyFileTypes"].truncated
    assert owa["ObjectClass"] == ["top", "msExchVirtualDirectory", "msExchOWAVirtualDirectory"]
    assert not owa["ObjectClass"].truncated


def test_a_wrapped_distinguished_name_is_joined_back_without_loss():
    text = sample("ex01-Get-OwaVirtualDirectory.txt")
    [owa] = parse(text)
    assert owa["DistinguishedName"] == (
        "CN=owa (Default Web Site),CN=HTTP,CN=Protocols,CN=EX01,CN=Servers,"
        "CN=Exchange Administrative Group (FYDIBOHF23SPDLT),CN=Administrative Groups,"
        "CN=Contoso,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=contoso,DC=com")
    # the sample really is wrapped there (otherwise this test proves nothing)
    dn = next(f for f in scan(text)[0] if f.name == "DistinguishedName")
    assert len(dn.pieces) > 1


def test_web_bindings_of_a_2013_server(domain_dir):
    bindings = parse(sample("ex01-Get-WebBinding.txt"))
    table = [(b["protocol"], b["bindingInformation"]) for b in bindings]
    # the eight Default Web Site and three Exchange Back End bindings of facts sheet 1.2
    assert table == [
        ("http", "*:80:"), ("net.tcp", "808:*"), ("net.pipe", "*"), ("net.msmq", "localhost"),
        ("msmq.formatname", "localhost"), ("https", ":443:"), ("http", "127.0.0.1:80:"),
        ("https", "127.0.0.1:443:"), ("http", "*:81:"), ("https", "*:444:"), ("net.pipe", "*"),
    ]
    ssl = [b for b in bindings if b["protocol"] == "https"]
    assert {b["certificateHash"] for b in ssl} == {"6F0E5AD1C3B7482A9D1F30B4C2E85A7D19B36C04"}
    assert all(b["certificateStoreName"] == "MY" and b["sslFlags"] == 0 for b in ssl)
    assert bindings[0]["certificateHash"] is None
    assert bindings[0]["Attributes"].truncated
    assert bindings[-1]["ItemXPath"] == "/system.applicationHost/sites/site[@name='Exchange Back End' and @id='2']"


def test_exchange_certificates_keep_flag_lists_as_text():
    certs = parse(sample("ex01-Get-ExchangeCertificate.txt"))
    by_subject = {c["Subject"]: c for c in certs}
    default = by_subject["CN=EX01"]
    # Services is a flags enum: printed without braces, so it stays one string
    assert default["Services"] == "IMAP, POP, IIS, SMTP"
    assert default["CertificateDomains"] == ["EX01", "EX01.contoso.com"]
    assert default["Thumbprint"] == "6F0E5AD1C3B7482A9D1F30B4C2E85A7D19B36C04"
    assert default["PublicKeySize"] == 2048 and default["IsSelfSigned"] is True
    assert by_subject["CN=WMSvc-EX01"]["Services"] == "None"
    assert by_subject["CN=Microsoft Exchange Server Auth Certificate"]["Services"] == "SMTP"
    assert by_subject["CN=Microsoft Exchange Server Auth Certificate"]["CertificateDomains"] == []
    assert [c["RootCAType"] for c in certs] == ["None", "Registry", "Registry"]


def test_to_frame_has_a_row_per_record_and_a_column_per_property():
    frame = to_frame(parse(sample("ex01-Get-WebBinding.txt")))
    assert len(frame) == 11
    assert list(frame.columns[:3]) == ["protocol", "bindingInformation", "sslFlags"]
    assert frame.loc[9, "bindingInformation"] == "*:444:"


def test_the_short_name_in_casl_parse_is_this_reader():
    assert casl_parse.read_format_list is parse


# --------------------------------------------------------------------------- the rules one by one


def test_crlf_blank_lines_around_and_a_byte_order_mark():
    text = "\ufeff\r\n\r\nName : EX01\r\nPort : 443\r\n\r\n\r\nName : EX02\r\nPort : 444\r\n\r\n"
    assert parse_raw(text) == [{"Name": "EX01", "Port": "443"}, {"Name": "EX02", "Port": "444"}]


def test_empty_values_with_and_without_the_trailing_blank():
    records = parse("ExternalUrl   :\nDefaultDomain : \nUrl           : {}\n")
    assert records == [{"ExternalUrl": None, "DefaultDomain": None, "Url": []}]


def test_a_value_containing_the_separator_stays_whole():
    [record] = parse_raw("Name   : web\nStatus : Error : the remote server returned (500)\n")
    assert record["Status"] == "Error : the remote server returned (500)"


def test_names_with_blanks_are_kept_whole():
    [record] = parse_raw("Display Name : Microsoft Exchange\nStart Type   : Automatic\n")
    assert record == {"Display Name": "Microsoft Exchange", "Start Type": "Automatic"}


def test_typed_conversion_is_separate_and_leaves_sizes_as_text():
    raw = parse_raw("IsValid  : True\nDepth    : 12\nSize     : 1.5 GB (1,610,612,736 bytes)\n"
                    "Serial   : 0123\nTimeout  : 00:05:00\n")[0]
    assert raw["IsValid"] == "True" and raw["Depth"] == "12"
    typed = parse("IsValid  : True\nDepth    : 12\nSize     : 1.5 GB (1,610,612,736 bytes)\n"
                  "Serial   : 0123\nTimeout  : 00:05:00\n")[0]
    assert typed == {"IsValid": True, "Depth": 12, "Size": "1.5 GB (1,610,612,736 bytes)",
                     "Serial": "0123", "Timeout": "00:05:00"}


@pytest.mark.parametrize("raw, items, truncated", [
    ("{}", [], False),
    ("{Basic, Fba}", ["Basic", "Fba"], False),
    ("{a, b, c, d...}", ["a", "b", "c", "d"], True),
    ("{Ntlm}", ["Ntlm"], False),
])
def test_collections(raw, items, truncated):
    value = convert_value(raw)
    assert isinstance(value, PSList) and value == items and value.truncated is truncated


def test_a_word_cut_at_the_console_width_is_joined_without_a_space():
    thumb = "F" * 30
    text = "A     : x\nValue : " + thumb[:22] + "\n        " + thumb[22:] + "\n"
    assert parse_raw(text)[0]["Value"] == thumb  # line 2 is the longest: full, so cut mid-word


def test_a_wrap_between_words_gets_its_space_back():
    text = ("Name : owa\nNote : the quick brown\n       fox jumps\n"
            "Long : 0123456789012345678901\n")
    # the longest line (line 4) is 29 wide, line 2 only 22: it broke between words
    assert parse_raw(text)[0]["Note"] == "the quick brown fox jumps"
    assert parse_raw(text, width=22)[0]["Note"] == "the quick brownfox jumps"


def test_trailing_blank_kept_by_the_copy_also_marks_a_word_break():
    text = "Note : the quick brown \n       fox\n"
    assert parse_raw(text)[0]["Note"] == "the quick brown fox"


def test_blank_lines_inside_a_multi_line_value_do_not_end_the_record():
    text = ("Index   : 4021\nMessage : An error occurred using SSL configuration for endpoint 0.0.0.0:444.\n"
            "\n          The error status code is contained within the returned data.\nSource  : HttpEvent\n\n"
            "Index   : 4022\n")
    records = parse(text)
    assert [r["Index"] for r in records] == [4021, 4022]
    assert records[0]["Message"] == ("An error occurred using SSL configuration for endpoint 0.0.0.0:444. "
                                     "The error status code is contained within the returned data.")
    assert records[0]["Source"] == "HttpEvent"


def test_a_blank_that_the_cut_left_alone_on_a_line_is_kept():
    record = {"Name": "EX01", "Note": "A" * 20 + " " + "B" * 20}
    text = render([record], width=27)  # "Note : " leaves 20: the blank after the A's is cut alone
    assert "\n\n       BBBB" in text
    assert parse_raw(text, width=27) == [record]


@pytest.mark.parametrize("text, line, column", [
    ("Name : EX01\ngarbage\n", 2, 1),
    ("   continued : with nothing above\n", 1, 4),
    ("Name : EX01\n: no name\n", 2, 1),
    ("Name : EX01\nName : EX02\n", 2, 1),
    ("\n\nName  : a\nOther : b\nthis line has no separator\n", 5, 1),
])
def test_lines_that_are_not_format_list_name_their_place(text, line, column):
    with pytest.raises(ParseError) as caught:
        parse(text, source="pasted text")
    assert (caught.value.line, caught.value.column, caught.value.source) == (line, column, "pasted text")
    assert "pasted text, line" in str(caught.value)


def test_an_empty_text_is_no_records():
    assert parse("") == [] and parse("\r\n\r\n") == []


# --------------------------------------------------------------------------- round trips


_names = st.text(string.ascii_letters + string.digits, min_size=1, max_size=40).filter(
    lambda s: s[0].isalpha())
_words = st.text(string.ascii_letters + string.digits + ".,:/\\{}()=-_@*", min_size=1, max_size=70)
_values = st.lists(_words, max_size=8).map(" ".join)
_records = st.lists(st.dictionaries(_names, _values, min_size=1, max_size=6), min_size=1, max_size=4)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records=_records, width=st.integers(60, 200), trim=st.booleans(), newline=st.sampled_from(["\n", "\r\n"]))
def test_what_powershell_prints_reads_back_the_same(records, width, trim, newline):
    assert parse_raw(render(records, width, trim=trim, newline=newline), width=width) == records


def test_the_width_is_inferred_when_some_value_was_cut():
    records = [{"Name": "EX01", "Thumbprint": "A" * 150}, {"Name": "EX02", "Note": "one two " * 30}]
    assert parse_raw(render(records, 119)) == [{k: v.rstrip() for k, v in r.items()} for r in records]


# --------------------------------------------------------------------------- mangled text


_SAMPLE = None


def _owa_sample() -> str:
    global _SAMPLE
    if _SAMPLE is None:
        _SAMPLE = sample("ex01-Get-OwaVirtualDirectory.txt")
    return _SAMPLE


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_mangled_text_gives_records_or_a_parse_error(data):
    text = _owa_sample()
    for _ in range(data.draw(st.integers(1, 5))):
        at = data.draw(st.integers(0, len(text)))
        action = data.draw(st.sampled_from(["delete", "insert", "swap_lines"]))
        if action == "delete":
            text = text[:at] + text[at + data.draw(st.integers(1, 40)):]
        elif action == "insert":
            text = text[:at] + data.draw(st.text(max_size=10)) + text[at:]
        else:
            lines = text.split("\n")
            i, j = data.draw(st.integers(0, len(lines) - 1)), data.draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
            text = "\n".join(lines)
    try:
        records = parse(text)
    except ParseError as exc:
        assert exc.line is not None and exc.column is not None
    else:
        assert isinstance(records, list) and all(isinstance(r, dict) for r in records)


@settings(max_examples=300, deadline=None)
@given(text=st.text())
def test_any_text_gives_records_or_a_parse_error(text):
    try:
        parse(text)
    except ParseError:
        pass
