"""Answer normalisers for Client Access troubleshooting: many ways of writing one fact, one value.

Each function takes what a learner may reasonably type and returns one canonical value, or raises
:class:`casl.errors.ParseError` with a message meant for the learner (the engine shows it as the
reason an answer is incorrect). None of them guesses: a near miss that is really a different thing
("front end" for a site name) gets feedback, not silent acceptance.

>>> port("port 444"), binding("https *:444:"), site_name("exchange back end")
(444, Binding(protocol='https', ip='*', port=444, host=''), 'Exchange Back End')
>>> sorted(dns_names("Mail.Contoso.com., autodiscover.contoso.com"))
['autodiscover.contoso.com', 'mail.contoso.com']
>>> str(command_line("set-webbinding -name:'Exchange Back End' -Port 444"))
"set-webbinding -name 'Exchange Back End' -port 444"
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple

from casl.errors import ParseError

__all__ = [
    "port", "pid", "count", "text", "image", "Binding", "binding", "site_name", "dns_names",
    "Command", "CommandLine", "command_line", "NetstatRow", "netstat_row",
]


_SHOWN = 60     # longest value quoted in a message: answers may be long, messages stay one short line


def _show(value: object) -> str:
    """``repr(value)``, cut short when long.

    >>> _show("a" * 100)[-6:], len(_show("a" * 100))
    ('aaa...', 60)
    """
    try:
        text = repr(value)
    except ValueError:                       # an int too long to print in decimal
        return "a number with thousands of digits"
    return text if len(text) <= _SHOWN else text[:_SHOWN - 3] + "..."


def _is_int(value: object) -> bool:
    # bool is a subclass of int in Python, but True is not port 1.
    return isinstance(value, int) and not isinstance(value, bool)


def _whole_number(value: object, what: str, label: str, lowest: int, highest: int) -> int:
    if isinstance(value, bool):
        raise ParseError(f"{value} is a yes/no value, not {what}")
    if _is_int(value):
        if value.bit_length() > 64:
            raise ParseError(f"that number is far out of range for {what} ({lowest} to {highest})")
        number = value
    elif isinstance(value, float):
        raise ParseError(f"{_show(value)} is not a whole number; write {what} as digits, e.g. 444")
    elif isinstance(value, str):
        match = re.fullmatch(rf"(?:{label}\s*[:=#]?\s*)?(\d+)", value.strip(), re.IGNORECASE)
        if not match:
            raise ParseError(f"{_show(value)} is not {what}; write it as digits, e.g. 444")
        if len(match.group(1)) > 20:
            raise ParseError(f"{_show(value)} is far out of range for {what} ({lowest} to {highest})")
        number = int(match.group(1))
    else:
        raise ParseError(f"{_show(value)} is a {type(value).__name__}, not {what}")
    if not lowest <= number <= highest:
        raise ParseError(f"{number} is out of range for {what} ({lowest} to {highest})")
    return number


def port(value: object, *, allow_zero: bool = False) -> int:
    """A TCP port number from an int or text.

    >>> port(444), port("444"), port(" 444 "), port("port 444"), port("Port: 444")
    (444, 444, 444, 444, 444)
    >>> port(True)
    Traceback (most recent call last):
    ...
    casl.errors.ParseError: True is a yes/no value, not a port number
    >>> port(70000)
    Traceback (most recent call last):
    ...
    casl.errors.ParseError: 70000 is out of range for a port number (1 to 65535)
    """
    return _whole_number(value, "a port number", "port", 0 if allow_zero else 1, 65535)


def pid(value: object) -> int:
    """A Windows process id from an int or text.

    >>> pid(4812), pid("4812"), pid("PID 4812"), pid(" pid: 4 ")
    (4812, 4812, 4812, 4)
    >>> pid("w3wp")
    Traceback (most recent call last):
    ...
    casl.errors.ParseError: 'w3wp' is not a process id (PID); write it as digits, e.g. 444
    """
    return _whole_number(value, "a process id (PID)", "pid", 0, 2**32 - 1)


# ---------------------------------------------------------------------------------------------
# IIS bindings

def count(value: object) -> int:
    """How many of something: a whole number from 0 (connections, flows, rows).

    >>> count("3"), count(0)
    (3, 0)
    """
    return _whole_number(value, "a count", "count", 0, 1_000_000)


def text(value: object, *, what: str = "answer") -> str:
    """A free-text answer (a pool name, a module, an issuer) without the blanks around it.

    >>> text("  MSExchangeOWAAppPool ")
    'MSExchangeOWAAppPool'
    """
    if not isinstance(value, str) or not value.strip():
        raise ParseError(f"write the {what} as text between quotes")
    return value.strip()


def image(value: object) -> str:
    """A process image as tasklist shows it, compared without case: lower case, with ``.exe``.

    >>> image("W3WP"), image("MSExchangeHMWorker.exe")
    ('w3wp.exe', 'msexchangehmworker.exe')
    """
    name = text(value, what='executable\'s name, e.g. "w3wp.exe"').lower()
    return name if name.endswith(".exe") else name + ".exe"


class Binding(NamedTuple):
    """An HTTP(S) binding: protocol, IP ("*" = All Unassigned), port, host header ("" = any)."""

    protocol: str | None
    ip: str
    port: int
    host: str

    def __str__(self) -> str:
        ip = f"[{self.ip}]" if ":" in self.ip else self.ip
        info = f"{ip}:{self.port}:{self.host}"
        return f"{self.protocol} {info}" if self.protocol else info


_WEB_PROTOCOLS = ("http", "https")
_OTHER_PROTOCOLS = ("net.tcp", "net.pipe", "net.msmq", "msmq.formatname", "ftp")


def _binding_ip(text: str) -> str:
    text = text.strip().lower()
    if text in ("", "*"):
        return "*"   # IIS writes All Unassigned as "*" or as nothing (":443:")
    if text.startswith("[") and text.endswith("]"):
        return text[1:-1]
    if not re.fullmatch(r"[0-9a-f.:]+", text):
        raise ParseError(f"{_show(text)} is not an IP address; use * for All Unassigned")
    return text


def binding(value: object, *, protocol: str | None = None) -> Binding:
    """A binding from the ways IIS tools print one; ``protocol`` fills in one left out.

    ``:443:`` and ``*:443:`` are the same binding (All Unassigned), as IIS treats them.

    >>> binding("https *:444:")
    Binding(protocol='https', ip='*', port=444, host='')
    >>> binding("https/*:444:") == binding("HTTPS :444:") == binding(("https", "*", "444", ""))
    True
    >>> binding("*:444:")
    Binding(protocol=None, ip='*', port=444, host='')
    >>> binding(":443:", protocol="https")
    Binding(protocol='https', ip='*', port=443, host='')
    >>> binding("https 127.0.0.1:443:Mail.Contoso.com")
    Binding(protocol='https', ip='127.0.0.1', port=443, host='mail.contoso.com')
    >>> binding("https *:444")
    Traceback (most recent call last):
    ...
    casl.errors.ParseError: 'https *:444' is not a binding: IIS writes one as ip:port:host, e.g. *:444: (the host may be empty)
    """
    if isinstance(value, (tuple, list)):
        parts = list(value)
        if len(parts) == 3:
            parts.insert(0, protocol)
        if len(parts) != 4:
            raise ParseError(f"{_show(value)} is not a binding: give (protocol, ip, port, host)")
        proto, ip, number, host = parts
        proto = _binding_protocol(proto, value) if proto not in (None, "") else protocol
        return Binding(proto, _binding_ip(str(ip)), port(number), str(host or "").strip().lower())
    if not isinstance(value, str):
        raise ParseError(f"{_show(value)} is a {type(value).__name__}, not a binding such as 'https *:444:'")
    text = value.strip()
    match = re.fullmatch(r"(?:(?P<proto>[A-Za-z][A-Za-z.]*)\s*(?:/|\s)\s*)?(?P<info>\S+)", text)
    if not match:
        raise ParseError(f"{_show(value)} is not a binding such as 'https *:444:'")
    proto = _binding_protocol(match.group("proto"), value) if match.group("proto") else protocol
    info = match.group("info")
    if info.startswith("["):                      # [IPv6]:port:host
        close = info.find("]")
        ip_text, rest = info[: close + 1], info[close + 1:]
        fields = rest.split(":")[1:] if rest.startswith(":") else []
        fields = [ip_text] + fields
    else:
        fields = info.split(":")
    if len(fields) != 3:
        raise ParseError(f"{_show(value)} is not a binding: IIS writes one as ip:port:host, e.g. *:444: "
                         "(the host may be empty)")
    ip, number, host = fields
    return Binding(proto, _binding_ip(ip), port(number), host.lower())


def _binding_protocol(text: object, whole: object) -> str:
    proto = str(text).strip().lower()
    if proto in _OTHER_PROTOCOLS:
        raise ParseError(f"{_show(whole)}: {proto} bindings are not written as ip:port:host; "
                         "only http and https bindings are")
    if proto not in _WEB_PROTOCOLS:
        raise ParseError(f"{_show(whole)}: {_show(proto)} is not a binding protocol; use http or https")
    return proto


# ---------------------------------------------------------------------------------------------
# IIS site names

# Words people use for a site that are not its name, and why the name matters. The feedback must not
# give the answer away: it sends the learner to where the real name is shown.
_SITE_ALIASES: dict[str, str] = {
    alias: "describes the role a site plays, not its name; answer with the name IIS gives the site, "
           "as Get-Website lists it"
    for alias in ("front end", "frontend", "front-end", "fe", "cafe", "client access", "cas",
                  "back end", "backend", "back-end", "be", "mailbox", "mailbox back end")
}
_SITE_ALIASES.update({
    alias: "is close, but not how IIS spells the site's name; copy it from Get-Website"
    for alias in ("default website", "default site", "default web", "exchange backend",
                  "exchange back-end", "exchange backend site", "back end site", "exchange back end site")
})


def site_name(value: object) -> str:
    """The IIS site name, spelled as IIS spells it; case and spacing do not matter.

    >>> site_name("default web site"), site_name("  Exchange   Back End ")
    ('Default Web Site', 'Exchange Back End')
    >>> site_name("Contoso Intranet")          # not an Exchange site: kept, for the check to judge
    'Contoso Intranet'
    >>> site_name("front end")
    Traceback (most recent call last):
    ...
    casl.errors.ParseError: 'front end' describes the role a site plays, not its name; answer with the name IIS gives the site, as Get-Website lists it
    """
    from casl.facts.iis import SITES   # the site names as Exchange setup creates them

    if not isinstance(value, str):
        raise ParseError(f"{_show(value)} is a {type(value).__name__}, not a site name such as 'Default Web Site'")
    text = " ".join(value.split())
    if not text:
        raise ParseError("the site name is empty")
    for site in SITES:
        if site.name.lower() == text.lower():
            return site.name
    why = _SITE_ALIASES.get(text.lower())
    if why:
        raise ParseError(f"{_show(text)} {why}")
    return text


# ---------------------------------------------------------------------------------------------
# DNS names

_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_DNS_NAME = re.compile(rf"(?:\*\.)?{_LABEL}(?:\.{_LABEL})*")


def dns_names(value: object) -> frozenset[str]:
    """A set of DNS names, lower case, without trailing dots, from a string or a collection.

    Names may be separated by commas, semicolons or white space; ``DNS:`` and ``DNS Name=``
    prefixes (as OpenSSL and Windows print subject alternative names) are dropped.

    >>> sorted(dns_names(["Mail.Contoso.com.", " autodiscover.contoso.com"]))
    ['autodiscover.contoso.com', 'mail.contoso.com']
    >>> dns_names("DNS:mail.contoso.com, DNS:MAIL.contoso.com") == {"mail.contoso.com"}
    True
    >>> sorted(dns_names("DNS Name=mail.contoso.com\\nDNS Name=autodiscover.contoso.com"))
    ['autodiscover.contoso.com', 'mail.contoso.com']
    >>> dns_names({"mail.contoso.com", 443})
    Traceback (most recent call last):
    ...
    casl.errors.ParseError: 443 is not a DNS name; write names as text, e.g. 'mail.contoso.com'
    """
    if isinstance(value, str):
        items: Iterable[object] = [value]
    elif isinstance(value, (list, tuple, set, frozenset)):
        items = value
    else:
        raise ParseError(f"{_show(value)} is a {type(value).__name__}, not DNS names; "
                         "give a list such as ['mail.contoso.com']")
    names = set()
    for item in sorted(items, key=repr):
        if not isinstance(item, str):
            raise ParseError(f"{_show(item)} is not a DNS name; write names as text, e.g. 'mail.contoso.com'")
        # the prefixes go first: "DNS Name=" holds a space, and names are split at spaces
        text = re.sub(r"(?:\bdns\s*name\s*=|\bdns:)", " ", item, flags=re.IGNORECASE)
        for part in re.split(r"[,;\s]+", text):
            name = part.strip().strip("'\"").lower().rstrip(".")
            if not name:
                continue
            if not _DNS_NAME.fullmatch(name):
                raise ParseError(f"{_show(name)} is not a DNS name (letters, digits, hyphens and dots)")
            names.add(name)
    return frozenset(names)


# ---------------------------------------------------------------------------------------------
# PowerShell command lines

COMMON_PARAMETERS = ("Confirm", "Debug", "ErrorAction", "ErrorVariable", "OutVariable", "OutBuffer",
                     "Verbose", "WarningAction", "WarningVariable", "WhatIf")

# PowerShell accepts typographic quotes as quotes: learners paste commands from documents.
_SINGLE_QUOTES = "'\u2018\u2019\u201a\u201b"
_DOUBLE_QUOTES = '"\u201c\u201d\u201e'
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", "`": "`"}


class Command(NamedTuple):
    """One command of a pipeline: name, named parameters (sorted), positional arguments (in order)."""

    name: str
    parameters: tuple[tuple[str, object], ...]
    arguments: tuple[object, ...]

    def parameter(self, name: str, default: object = None) -> object:
        """The value of a named parameter (case-insensitive name)."""
        for key, value in self.parameters:
            if key.lower() == name.lower():
                return value
        return default

    def __str__(self) -> str:
        words = [self.name]
        for key, value in self.parameters:
            words.append(f"-{key}" if value is True else f"-{key}:$false" if value is False
                         else f"-{key} {_format_value(value)}")
        words.extend(_format_value(a) for a in self.arguments)
        return " ".join(words)


class CommandLine(tuple):
    """A pipeline of :class:`Command`; ``str()`` is its canonical text."""

    def __str__(self) -> str:
        return " | ".join(str(c) for c in self)

    def __repr__(self) -> str:
        return f"CommandLine({str(self)!r})"


def _format_value(value: object) -> str:
    if value is None:
        return "$null"
    if value is True or value is False:
        return "$true" if value else "$false"
    if isinstance(value, tuple):
        return ",".join(_format_value(v) for v in value)
    text = str(value)
    if text.startswith(("(", "{")) or re.fullmatch(r"[\w.:/\\@$-]+", text) and not text.startswith("-"):
        return text
    return "'" + text.replace("'", "''") + "'"


class _Tokens:
    """A small tokenizer for one PowerShell command line (not the shell's parser: just enough to compare)."""

    def __init__(self, text: str):
        self.text = text
        self.i = 0

    def error(self, message: str, at: int | None = None) -> ParseError:
        at = self.i if at is None else at
        return ParseError(message, line=1, column=at + 1, source="command line", text=self.text)

    def peek(self) -> str:
        return self.text[self.i] if self.i < len(self.text) else ""

    def skip_space(self) -> None:
        while self.i < len(self.text):
            ch = self.text[self.i]
            if ch in " \t":
                self.i += 1
            elif ch == "`" and self.text[self.i + 1:self.i + 2] in ("\n", "\r"):
                self.i += 2
                if self.peek() == "\n":
                    self.i += 1
            elif ch == "#":
                self.i = len(self.text)
            else:
                return

    def quoted(self) -> str:
        start, quote = self.i, self.text[self.i]
        single = quote in _SINGLE_QUOTES
        closers = _SINGLE_QUOTES if single else _DOUBLE_QUOTES
        self.i += 1
        out = []
        while self.i < len(self.text):
            ch = self.text[self.i]
            if ch in closers:
                if self.text[self.i + 1:self.i + 2] and self.text[self.i + 1] in closers:
                    out.append(ch if single else '"')       # '' or "" inside: one quote
                    self.i += 2
                    continue
                self.i += 1
                return "".join(out)
            if ch == "`" and not single and self.i + 1 < len(self.text):
                nxt = self.text[self.i + 1]
                out.append(_ESCAPES.get(nxt, nxt))
                self.i += 2
                continue
            out.append(ch)
            self.i += 1
        raise self.error(f"The string is missing the terminator: {quote}.", start)

    def bracketed(self) -> str:
        start, pairs, depth = self.i, {"(": ")", "{": "}"}, []
        while self.i < len(self.text):
            ch = self.text[self.i]
            if ch in _SINGLE_QUOTES + _DOUBLE_QUOTES:
                self.quoted()
                continue
            if ch in pairs:
                depth.append(pairs[ch])
            elif ch in ")}":
                if not depth or depth.pop() != ch:
                    raise self.error(f"Unexpected token '{ch}'.")
                if not depth:
                    self.i += 1
                    return " ".join(self.text[start:self.i].split())
            self.i += 1
        raise self.error(f"Missing closing '{depth[-1]}'.", start)

    def bare(self) -> str:
        start = self.i
        while self.i < len(self.text) and self.text[self.i] not in " \t|;,(){}\n\r" + _SINGLE_QUOTES + _DOUBLE_QUOTES:
            if self.text[self.i] == "`" and self.i + 1 < len(self.text):
                self.i += 2
                continue
            self.i += 1
        return re.sub(r"`(.)", r"\1", self.text[start:self.i])

    def value(self) -> object:
        """One value, or an array of values joined by commas."""
        items = [self.single_value()]
        self.skip_space()
        while self.peek() == ",":
            self.i += 1
            self.skip_space()
            items.append(self.single_value())
            self.skip_space()
        return tuple(items) if len(items) > 1 else items[0]

    def single_value(self) -> object:
        ch = self.peek()
        if not ch or ch in "|;,)}":
            raise self.error("Missing an argument for a parameter or a value in an array.")
        if ch in _SINGLE_QUOTES + _DOUBLE_QUOTES:
            return self.quoted()
        if ch in "({":
            return self.bracketed()
        word = self.bare()
        return {"$true": True, "$false": False, "$null": None}.get(word.lower(), word)


def _is_parameter(text: str, i: int) -> bool:
    return text[i] == "-" and i + 1 < len(text) and (text[i + 1].isalpha() or text[i + 1] == "_")


def command_line(text: str, known: Mapping[str, Sequence[str] | Mapping[str, str]] | None = None) -> CommandLine:
    """A PowerShell command line in canonical form, so that equivalent lines compare equal.

    Command and parameter names are case-insensitive, parameters may come in any order, ``-Name:value``
    equals ``-Name value``, and both quote styles (and ``''`` or ```"`` escapes) give the same text.
    ``known`` maps command names to their parameters (a list of names that take values, or a
    mapping name -> "switch"/"value"): with it, names get their proper spelling, unique prefixes
    expand (``-Bind`` -> ``-BindingInformation``), and unknown or ambiguous names are errors, as in
    PowerShell. Without it, names are compared in lower case and a ``-Name`` followed by a value
    takes that value.

    >>> a = command_line("Set-WebBinding -Name 'Exchange Back End' -BindingInformation '*:443:' -PropertyName Port -Value 444")
    >>> b = command_line('set-webbinding -value:444 -propertyname "Port" -bindinginformation *:443: -name "Exchange Back End"')
    >>> a == b
    True
    >>> known = {"Set-WebBinding": ["Name", "BindingInformation", "PropertyName", "Value", "Port"]}
    >>> str(command_line("set-webbinding -n 'Exchange Back End' -bind '*:443:' -prop port -val 444", known))
    "Set-WebBinding -BindingInformation '*:443:' -Name 'Exchange Back End' -PropertyName port -Value 444"
    >>> command_line("Set-WebBinding -P 444", known)
    Traceback (most recent call last):
    ...
    casl.errors.ParseError: command line, line 1, column 16: Parameter cannot be processed because the parameter name 'P' is ambiguous. Possible matches include: -Port -PropertyName.
    """
    if not isinstance(text, str):
        raise ParseError(f"{_show(text)} is a {type(text).__name__}, not a command line")
    spec = {name.lower(): (name, _param_spec(params)) for name, params in (known or {}).items()}
    toks = _Tokens(text)
    commands = []
    while True:
        commands.append(_command(toks, spec))
        toks.skip_space()
        ch = toks.peek()
        if not ch:
            break
        if ch == "|":
            toks.i += 1
            continue
        if ch in ";\n\r":
            raise toks.error("Give one command line at a time (no ';' or line breaks).")
        raise toks.error(f"Unexpected token '{ch}'.")
    return CommandLine(commands)


def _param_spec(params: Sequence[str] | Mapping[str, str]) -> dict[str, str]:
    kinds = dict(params) if isinstance(params, Mapping) else {p: "value" for p in params}
    for common in COMMON_PARAMETERS:
        kinds.setdefault(common, "switch" if common in ("Confirm", "Debug", "Verbose", "WhatIf") else "value")
    return kinds


def _resolve(toks: _Tokens, given: str, params: dict[str, str] | None, at: int) -> tuple[str, str]:
    if params is None:
        return given.lower(), "unknown"
    exact = [p for p in params if p.lower() == given.lower()]
    matches = exact or sorted(p for p in params if p.lower().startswith(given.lower()))
    if len(matches) == 1:
        return matches[0], params[matches[0]]
    if not matches:
        raise toks.error(f"A parameter cannot be found that matches parameter name '{given}'.", at)
    raise toks.error(f"Parameter cannot be processed because the parameter name '{given}' is ambiguous. "
                     f"Possible matches include: {' '.join('-' + m for m in matches)}.", at)


def _command(toks: _Tokens, spec: dict) -> Command:
    toks.skip_space()
    start = toks.i
    if not toks.peek() or toks.peek() in "|;":
        raise toks.error("An empty pipe element is not allowed." if toks.text.strip() else "The command line is empty.")
    name = toks.bare()
    if not name:
        raise toks.error(f"Unexpected token '{toks.peek()}'.", start)
    known_name, params = spec.get(name.lower(), (name.lower(), None))
    parameters: dict[str, object] = {}
    arguments: list[object] = []
    while True:
        toks.skip_space()
        ch = toks.peek()
        if not ch or ch in "|;\n\r":
            break
        if _is_parameter(toks.text, toks.i):
            at = toks.i
            toks.i += 1
            raw = toks.bare()
            given, colon = (raw.split(":", 1) + [None])[:2] if ":" in raw else (raw, None)
            pname, kind = _resolve(toks, given, params, at)
            if pname.lower() in (p.lower() for p in parameters):
                raise toks.error(f"Cannot bind parameter because parameter '{pname}' is specified more than once.", at)
            if colon is not None:
                if colon:
                    parameters[pname] = {"$true": True, "$false": False, "$null": None}.get(colon.lower(), colon)
                else:
                    toks.skip_space()
                    parameters[pname] = toks.value()
            elif kind == "switch":
                parameters[pname] = True
            else:
                toks.skip_space()
                nxt = toks.peek()
                if not nxt or nxt in "|;\n\r" or _is_parameter(toks.text, toks.i):
                    if kind == "value":
                        raise toks.error(f"Missing an argument for parameter '{pname}'.", at)
                    parameters[pname] = True          # a switch, as far as we can tell
                else:
                    parameters[pname] = toks.value()
        else:
            arguments.append(toks.value())
    return Command(known_name, tuple(sorted(parameters.items(), key=lambda kv: kv[0].lower())), tuple(arguments))


# ---------------------------------------------------------------------------------------------
# netstat rows

class NetstatRow(NamedTuple):
    """One row of ``netstat -ano``; UDP rows have no state ("") and no foreign port (None)."""

    proto: str
    local_ip: str
    local_port: int
    foreign_ip: str
    foreign_port: int | None
    state: str
    pid: int | None


_TCP_STATES = {"LISTENING", "ESTABLISHED", "TIME_WAIT", "CLOSE_WAIT", "SYN_SENT", "SYN_RECEIVED",
               "FIN_WAIT_1", "FIN_WAIT_2", "LAST_ACK", "CLOSING", "CLOSED", "BOUND"}


def _endpoint(text: str, row: object) -> tuple[str, int | None]:
    text = str(text).strip()
    if text == "*:*":
        return "*", None
    host, sep, number = text.rpartition(":")
    if not sep or not host:
        raise ParseError(f"{_show(text)} in {_show(row)} is not an address:port pair")
    host = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    return host.lower(), (None if number == "*" else port(number, allow_zero=True))


def netstat_row(value: object) -> NetstatRow:
    """One ``netstat -ano`` row, pasted as text or given as a 7-tuple.

    >>> netstat_row("  TCP    0.0.0.0:444            0.0.0.0:0              LISTENING       4812")
    NetstatRow(proto='TCP', local_ip='0.0.0.0', local_port=444, foreign_ip='0.0.0.0', foreign_port=0, state='LISTENING', pid=4812)
    >>> netstat_row("UDP [::]:5353 *:* 3404")
    NetstatRow(proto='UDP', local_ip='::', local_port=5353, foreign_ip='*', foreign_port=None, state='', pid=3404)
    >>> netstat_row(("tcp", "0.0.0.0", "444", "0.0.0.0", 0, "listening", "4812")) == netstat_row("TCP 0.0.0.0:444 0.0.0.0:0 LISTENING 4812")
    True
    """
    if isinstance(value, (tuple, list)):
        if len(value) != 7:
            raise ParseError(f"{_show(value)} has {len(value)} fields; a netstat row has 7: "
                             "(proto, local ip, local port, foreign ip, foreign port, state, pid)")
        proto, lip, lport, fip, fport, state, number = value
        proto = str(proto).strip().upper()
        state = str(state or "").strip().upper()
        if state and state not in _TCP_STATES:
            raise ParseError(f"{_show(state)} is not a TCP state netstat shows")
        fport_n = None if fport in (None, "*") else port(fport, allow_zero=True)
        return NetstatRow(proto, str(lip).strip().lower().strip("[]"), port(lport, allow_zero=True),
                          str(fip).strip().lower().strip("[]"), fport_n, state,
                          None if number in (None, "") else pid(number))
    if not isinstance(value, str):
        raise ParseError(f"{_show(value)} is a {type(value).__name__}, not a netstat row")
    fields = value.split()
    if not fields or fields[0].upper() not in ("TCP", "UDP"):
        raise ParseError(f"{_show(value.strip())} is not a netstat row: it should start with TCP or UDP")
    proto = fields[0].upper()
    if proto == "TCP":
        if len(fields) not in (4, 5):
            raise ParseError(f"{_show(value.strip())}: a TCP row has proto, local, foreign, state and PID")
        state = fields[3].upper()
        if state not in _TCP_STATES:
            raise ParseError(f"{_show(fields[3])} is not a TCP state netstat shows")
        number = pid(fields[4]) if len(fields) == 5 else None
    else:
        if len(fields) not in (3, 4):
            raise ParseError(f"{_show(value.strip())}: a UDP row has proto, local, foreign and PID")
        state = ""
        number = pid(fields[3]) if len(fields) == 4 else None
    lip, lport = _endpoint(fields[1], value.strip())
    fip, fport = _endpoint(fields[2], value.strip())
    if lport is None:
        raise ParseError(f"{_show(fields[1])} has no local port")
    return NetstatRow(proto, lip, lport, fip, fport, state, number)
