"""Answer normalisers and the answer-cell rule: equivalent spellings agree, garbage gets a clear message."""
from __future__ import annotations

import pytest

from casl.errors import ParseError
from casl.exercises import normalise as N
from casl.exercises.answers import parse_action_answer, parse_value_answer, value_nodes, value_source
from casl.exercises.outcomes import Rejected


def refused(fn, value, *args) -> str:
    with pytest.raises(ParseError) as info:
        fn(value, *args)
    message = str(info.value)
    assert "\n" not in message and len(message) < 300, message
    return message


# -- ports and PIDs ---------------------------------------------------------------------------------

@pytest.mark.parametrize("value", [444, "444", " 444 ", "port 444", "Port: 444", "PORT=444", "port#444"])
def test_port_spellings(value):
    assert N.port(value) == 444


@pytest.mark.parametrize("value, message", [
    ("444/tcp", "'444/tcp' is not a port number; write it as digits"),
    ("four four four", "is not a port number"),
    (444.0, "444.0 is not a whole number"),
    (True, "True is a yes/no value, not a port number"),
    (0, "0 is out of range for a port number (1 to 65535)"),
    (65536, "65536 is out of range"),
    ("-1", "is not a port number"),
    (["444"], "is a list, not a port number"),
    ("4" * 5000, "is far out of range for a port number"),
    pytest.param(16 ** 4000, "that number is far out of range for a port number", id="huge-int"),
])
def test_port_garbage(value, message):
    assert message in refused(N.port, value)


def test_port_zero_where_allowed():
    assert N.port("0", allow_zero=True) == 0


@pytest.mark.parametrize("value", [4812, "4812", "PID 4812", " pid: 4812 "])
def test_pid_spellings(value):
    assert N.pid(value) == 4812


@pytest.mark.parametrize("value, message", [("w3wp", "'w3wp' is not a process id (PID)"),
                                            ("w3wp.exe 4812", "is not a process id"),
                                            (2 ** 32, "out of range for a process id")])
def test_pid_garbage(value, message):
    assert message in refused(N.pid, value)


# -- bindings -------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["https *:444:", "HTTPS *:444:", "https/*:444:", "https :444:", "  https   *:444: ",
                                   ("https", "*", "444", ""), ["https", "", 444, None]])
def test_binding_spellings(value):
    assert N.binding(value) == N.Binding("https", "*", 444, "")


def test_binding_protocol_filled_in_and_host_lower_case():
    assert N.binding("*:444:", protocol="https") == N.binding("https *:444:")
    assert N.binding("https 10.0.0.5:443:Mail.Contoso.com") == N.Binding("https", "10.0.0.5", 443, "mail.contoso.com")
    assert N.binding("https [::1]:443:").ip == "::1"
    assert str(N.binding("HTTPS/:444:")) == "https *:444:"


@pytest.mark.parametrize("value, message", [
    ("https *:444", "IIS writes one as ip:port:host"),
    ("https://*:444:", "is not a binding"),
    ("ftp *:21:", "ftp bindings are not written as ip:port:host"),
    ("gopher *:70:", "'gopher' is not a binding protocol; use http or https"),
    ("net.tcp 808:*", "net.tcp bindings are not written as ip:port:host"),
    ("https *:abc:", "'abc' is not a port number"),
    ("https mail:444:", "'mail' is not an IP address"),
    (444, "is a int, not a binding"),
    (("https", "*"), "give (protocol, ip, port, host)"),
])
def test_binding_garbage(value, message):
    assert message in refused(N.binding, value)


# -- site names -----------------------------------------------------------------------------------

@pytest.mark.parametrize("value, name", [("default web site", "Default Web Site"), ("DEFAULT  WEB\tSITE", "Default Web Site"),
                                         ("  exchange back end ", "Exchange Back End")])
def test_site_names(value, name):
    assert N.site_name(value) == name


@pytest.mark.parametrize("value, message", [
    ("front end", "describes the role a site plays, not its name"),
    ("BackEnd", "describes the role a site plays"),
    ("Exchange Backend", "is close, but not how IIS spells the site's name"),
    ("", "the site name is empty"),
    (None, "is a NoneType, not a site name"),
])
def test_site_name_near_misses_get_feedback(value, message):
    assert message in refused(N.site_name, value)


def test_unknown_site_names_are_kept_for_the_check():
    assert N.site_name("Contoso  Intranet") == "Contoso Intranet"


# -- DNS names ------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", [
    ["mail.contoso.com", "autodiscover.contoso.com"],
    "Mail.Contoso.com., AUTODISCOVER.contoso.com",
    "mail.contoso.com; autodiscover.contoso.com",
    "DNS:mail.contoso.com, DNS:autodiscover.contoso.com, DNS:mail.contoso.com",
    "DNS Name=mail.contoso.com\nDNS Name=autodiscover.contoso.com",
    ("'mail.contoso.com'", "autodiscover.contoso.com"),
    {"autodiscover.contoso.com", "mail.contoso.com"},
])
def test_dns_name_sets(value):
    assert N.dns_names(value) == {"mail.contoso.com", "autodiscover.contoso.com"}


def test_wildcards_are_names():
    assert N.dns_names("*.contoso.com") == {"*.contoso.com"}


@pytest.mark.parametrize("value, message", [
    ("mail..contoso.com", "'mail..contoso.com' is not a DNS name"),
    ("-mail.contoso.com", "is not a DNS name"),
    ("mail_contoso.com", "is not a DNS name"),
    ({"mail.contoso.com", 443}, "443 is not a DNS name; write names as text"),
    (443, "is a int, not DNS names"),
    ("a" * 20_000 + "!", "is not a DNS name"),
])
def test_dns_name_garbage(value, message):
    assert message in refused(N.dns_names, value)


# -- PowerShell command lines -------------------------------------------------------------------------

SAME = [
    "Set-WebBinding -Name 'Exchange Back End' -BindingInformation '*:443:' -PropertyName Port -Value 444",
    'set-webbinding -value:444 -propertyname "Port" -bindinginformation *:443: -name "Exchange Back End"',
    "SET-WEBBINDING  -BindingInformation:'*:443:'  -Value 444 -Name \u2018Exchange Back End\u2019 -PropertyName Port",
    "Set-WebBinding -Name 'Exchange Back End' `\n  -BindingInformation '*:443:' -PropertyName Port -Value 444  # fix",
]


@pytest.mark.parametrize("text", SAME[1:])
def test_command_lines_in_any_order_and_case_are_equal(text):
    assert N.command_line(text) == N.command_line(SAME[0])


def test_command_line_with_known_parameters_expands_prefixes():
    known = {"Set-WebBinding": ["Name", "BindingInformation", "PropertyName", "Value", "Port"]}
    line = N.command_line("set-webbinding -n 'Exchange Back End' -bind *:443: -prop Port -val 444", known)
    assert str(line) == "Set-WebBinding -BindingInformation '*:443:' -Name 'Exchange Back End' -PropertyName Port -Value 444"
    assert line[0].parameter("value") == "444"
    assert "ambiguous. Possible matches include: -Port -PropertyName" in refused(N.command_line, "Set-WebBinding -P 1", known)
    assert "cannot be found that matches parameter name 'Colour'" in refused(
        N.command_line, "Set-WebBinding -Colour red", known)


def test_pipelines_and_switches():
    a = N.command_line("Get-WebBinding -Port 444 | Format-List *")
    assert len(a) == 2 and a[1].arguments == ("*",)
    assert N.command_line("Restart-WebAppPool MSExchangeOWAAppPool -WhatIf") == \
        N.command_line("restart-webapppool -whatif:$true MSExchangeOWAAppPool")


@pytest.mark.parametrize("text, message", [
    ("Set-WebBinding -Name 'x", "column 22: The string is missing the terminator: '."),
    ("Get-Website; Get-WebBinding", "column 12: Give one command line at a time"),
    ("", "The command line is empty."),
    ("Get-Website |", "An empty pipe element is not allowed."),
    ("Set-WebBinding -Name a -Name b", "parameter 'name' is specified more than once"),
    ("Where-Object { $_.Port -eq 444", "Missing closing '}'."),
    (444, "is a int, not a command line"),
])
def test_command_line_garbage_says_where(text, message):
    assert message in refused(N.command_line, text)


# -- netstat rows --------------------------------------------------------------------------------

def test_netstat_rows_pasted_or_as_tuples():
    want = N.NetstatRow("TCP", "0.0.0.0", 444, "0.0.0.0", 0, "LISTENING", 4812)
    assert N.netstat_row("  TCP    0.0.0.0:444            0.0.0.0:0              LISTENING       4812") == want
    assert N.netstat_row("tcp 0.0.0.0:444 0.0.0.0:0 listening 4812") == want
    assert N.netstat_row(("TCP", "0.0.0.0", "444", "0.0.0.0", "0", "Listening", "4812")) == want
    assert N.netstat_row("TCP [::]:443 [::]:0 LISTENING 4") == N.NetstatRow("TCP", "::", 443, "::", 0, "LISTENING", 4)
    assert N.netstat_row("UDP 0.0.0.0:500 *:* 3404").foreign_port is None


@pytest.mark.parametrize("value, message", [
    ("garbage", "is not a netstat row: it should start with TCP or UDP"),
    ("TCP 0.0.0.0:444 0.0.0.0:0 LISTEN 4812", "'LISTEN' is not a TCP state netstat shows"),
    ("TCP 0.0.0.0 0.0.0.0:0 LISTENING 4", "is not an address:port pair"),
    ("TCP 0.0.0.0:444 LISTENING", "a TCP row has proto, local, foreign, state and PID"),
    ("TCP 0.0.0.0:99999 0.0.0.0:0 LISTENING 4", "99999 is out of range"),
    (("TCP", "0.0.0.0", 444), "has 3 fields; a netstat row has 7"),
])
def test_netstat_garbage(value, message):
    assert message in refused(N.netstat_row, value)


# -- the answer-cell rule ---------------------------------------------------------------------------

@pytest.mark.parametrize("source, values", [
    ("backend_port = 444", {"backend_port": 444}),
    ("# comment\nbackend_port = -1  # trailing\n", {"backend_port": -1}),
    ("san = ['a', ('b', 2), {'c': None}, {1.5, ...}]", {"san": ["a", ("b", 2), {"c": None}, {1.5, ...}]}),
    ("backend_port = 1\nbackend_port = 444", {"backend_port": 444}),
    ("", {}),
])
def test_value_answers_that_are_data(source, values):
    assert parse_value_answer(source, ["backend_port", "san"]) == values


@pytest.mark.parametrize("source, message", [
    ("backend_port = int('444')", "line 1: `int('444')` is a function call"),
    ("import os", "line 1: `import os` is not an assignment; an answer cell may only assign values to backend_port"),
    ("x = 1\nbackend_port = x", "this answer cell may only assign backend_port, not `x`"),
    ("backend_port = other", "`other` is a name, not a value"),
    ("backend_port = 400 + 44", "is a calculation; write the result"),
    ("backend_port = f'{4}44'", "is an f-string"),
    ("backend_port = os.sep", "reads an attribute"),
    ("backend_port = (lambda: 444)()", "is a function call"),
    ("backend_port = {**d}", "`**` unpacking is not a literal value"),
    ("backend_port, san = 1, 2", "assign one name per line"),
    ("backend_port = 444\n__import__('os').system('x')", "line 2:"),
    ("backend_port = [", "this is not valid Python"),
    ("backend_port = " + "[" * 250 + "]" * 250, "too many nested parentheses"),
    ("%%ps ServerA\nGet-Website", "is a notebook command"),
    ("!rm -rf /", "is a notebook command"),
    ("backend_port = 0x" + "f" * 4000, "far too large to be an answer"),
    ("backend_port = '" + "x" * 30_000 + "'", "an answer is at most 20000"),
])
def test_value_answers_that_are_not_data_are_rejected(source, message):
    with pytest.raises(Rejected) as info:
        parse_value_answer(source, ["backend_port"])
    assert message in info.value.message


def test_value_source_is_canonical():
    nodes = value_nodes("b = [1,\n  2]  # two\n", ["a", "b"])
    assert value_source(nodes, ["a", "b"]) == "a = ...\nb = [1, 2]"
    tricky = value_nodes("a = 'x\\n%run evil\\n'\n", ["a"])
    assert value_source(tricky, ["a"]) == "a = 'x\\n%run evil\\n'"


def test_action_answers():
    answer = parse_action_answer("%%ps servera\nGet-Website\r\nGet-WebBinding\n", "ServerA")
    assert (answer.server, answer.commands) == ("ServerA", "Get-Website\nGet-WebBinding")
    assert answer.source == "%%ps ServerA\nGet-Website\nGet-WebBinding"
    for source, message in (("print(1)", "starts with `%%ps SERVER`"), ("%%ps ServerB\nx", "meant for ServerA, not ServerB"),
                            ("%%ps ServerA\n" + "Get-Website\n" * 250, "more than 200 lines"),
                            ("%%ps ServerA; import os", "starts with `%%ps SERVER`")):
        with pytest.raises(Rejected) as info:
            parse_action_answer(source, "ServerA")
        assert message in info.value.message
