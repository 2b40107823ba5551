"""Parse Windows ``netstat`` output into a typed DataFrame.

Reads the forms a learner brings from a Client Access server: ``netstat -an``, ``-ano``,
``-anob`` / ``-abno`` (a service-name line and an ``[image.exe]`` line under a row, or a
"cannot obtain ownership" message), ``-ano -p tcp``, plain ``netstat`` (resolved names), and rows
already filtered by ``findstr`` (no banner, no header). English, German and French banners and
headers are recognised (see :data:`WORDING`).

Columns, one row per connection in input order:

- ``proto`` (category): ``TCP`` / ``UDP`` (``TCPv6`` / ``UDPv6`` kept as printed)
- ``local_address``, ``remote_address`` (string): IPv4, IPv6 without brackets with its zone
  (``fe80::1%12``), or a host name; ``remote_address`` is ``*`` for UDP
- ``local_port``, ``remote_port`` (Int64): ``<NA>`` for ``*``, or for a service name netstat
  printed that :data:`SERVICE_PORTS` does not know
- ``state`` (category): the English TCP state (localised words translated); ``<NA>`` for UDP
- ``pid`` (Int64): ``<NA>`` when the capture has no PID column
- ``service``, ``image`` (string): the ``-b`` service line (``RpcSs``) and image without brackets
  (``svchost.exe``); ``<NA>`` without ``-b`` or when netstat could not tell the owner
- ``local_port_name``, ``remote_port_name`` (string): the service name netstat printed instead of
  a number (plain ``netstat``), else ``<NA>``
- ``line`` (int64): 1-based line of the row in the input

>>> df = parse('''
... Active Connections
...
...   Proto  Local Address          Foreign Address        State           PID
...   TCP    0.0.0.0:443            0.0.0.0:0              LISTENING       4
...   TCP    [fe80::1%12]:49672     [fe80::2%12]:444       ESTABLISHED     7816
...  [w3wp.exe]
...   UDP    0.0.0.0:500            *:*                                    2992
... ''')
>>> print(df[["proto", "local_address", "local_port", "remote_port", "state", "pid", "image", "line"]].to_string())
  proto local_address  local_port  remote_port        state   pid     image  line
0   TCP       0.0.0.0         443            0    LISTENING     4      <NA>     5
1   TCP    fe80::1%12       49672          444  ESTABLISHED  7816  w3wp.exe     6
2   UDP       0.0.0.0         500         <NA>         <NA>  2992      <NA>     8
"""
from __future__ import annotations

import re

import pandas as pd

from casl.errors import ParseError
from casl.parse._text import Token, first_column, fold, is_digits, lines, tokens

SOURCE = "netstat"

# Every piece of localised wording netstat prints, per language, in one table. Only wording seen
# in real captures is listed:
#   en: jc's Windows 10 fixtures (shared/fixtures/netstat) and many published `netstat -abno`
#       captures ("Can not obtain ownership information").
#   de: published captures of German Windows ("Aktive Verbindungen", header with "Lokale Adresse"
#       and "Remoteadresse", states ABHÖREN / HERGESTELLT / WARTEND).
#   fr: published student captures from French Windows ("Connexions actives", "Adresse locale",
#       "Adresse distante", "État", "Impossible d’obtenir les informations de propriétaire");
#       in those captures the state words stay English.
WORDING: dict[str, dict] = {
    "en": {
        "banner": "Active Connections",
        "header": ("Proto", "Local Address", "Foreign Address", "State", "PID"),
        "no_owner": "Can not obtain ownership information",
        "states": {},
    },
    "de": {
        "banner": "Aktive Verbindungen",
        "header": ("Proto", "Lokale Adresse", "Remoteadresse", "Status", "PID"),
        "no_owner": None,
        "states": {"ABHÖREN": "LISTENING", "HERGESTELLT": "ESTABLISHED", "WARTEND": "TIME_WAIT"},
    },
    "fr": {
        "banner": "Connexions actives",
        "header": ("Proto", "Adresse locale", "Adresse distante", "État"),
        "no_owner": "Impossible d’obtenir les informations de propriétaire",
        "states": {},
    },
}

# TCP states as Windows prints them (MIB_TCP_STATE names, as netstat spells them).
TCP_STATES = (
    "CLOSED", "LISTENING", "SYN_SENT", "SYN_RECEIVED", "ESTABLISHED", "FIN_WAIT_1", "FIN_WAIT_2",
    "CLOSE_WAIT", "CLOSING", "LAST_ACK", "TIME_WAIT", "DELETE_TCB", "BOUND",
)
PROTOCOLS = ("TCP", "UDP", "TCPv6", "UDPv6")

# Service names plain `netstat -a` prints instead of port numbers (Windows' etc\services file).
SERVICE_PORTS: dict[str, int] = {
    "ftp": 21, "ssh": 22, "telnet": 23, "smtp": 25, "domain": 53, "http": 80, "kerberos": 88,
    "pop3": 110, "epmap": 135, "netbios-ns": 137, "netbios-dgm": 138, "netbios-ssn": 139,
    "imap": 143, "snmp": 161, "ldap": 389, "https": 443, "microsoft-ds": 445, "kpasswd": 464,
    "isakmp": 500, "ldaps": 636, "imaps": 993, "pop3s": 995, "ms-sql-s": 1433,
}

# Marker some Windows versions print among the -b lines instead of a service.
_UNKNOWN_COMPONENT = re.compile(r"^--\s*unknown component\(s\)\s*--$", re.IGNORECASE)

_BANNERS = {fold(w["banner"]): lang for lang, w in WORDING.items()}
_NO_OWNER = {fold(w["no_owner"]) for w in WORDING.values() if w["no_owner"]}
_STATES = {s: s for s in TCP_STATES} | {k: v for w in WORDING.values() for k, v in w["states"].items()}
_HEADER_FIRST = {fold(w["header"][0]) for w in WORDING.values()}
_IPV6_BODY = re.compile(r"^[0-9A-Za-z:.%_-]+$")
_HOST = re.compile(r"^[A-Za-z0-9_.-]+$")
_PORT_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]*$")
_SERVICE = re.compile(r"^[A-Za-z0-9_.$@-]+$")

COLUMNS = (
    "proto", "local_address", "local_port", "remote_address", "remote_port", "state", "pid",
    "service", "image", "local_port_name", "remote_port_name", "line",
)
DTYPES = {
    "proto": "category", "local_address": "string", "local_port": "Int64",
    "remote_address": "string", "remote_port": "Int64", "state": "category", "pid": "Int64",
    "service": "string", "image": "string", "local_port_name": "string",
    "remote_port_name": "string", "line": "int64",
}


def parse(text: str, source: str | None = None) -> pd.DataFrame:
    """Parse Windows ``netstat`` output (``-an``, ``-ano``, ``-anob``, filtered) into a DataFrame.

    ``source`` names the capture in error messages (a file name, ``"netstat -ano"``).

    >>> parse("  TCP    10.0.0.5:443   10.0.0.9:50123   ESTABLISHED   9396").loc[0, "remote_port"]
    np.int64(50123)
    >>> parse("TCP 10.0.0.5 10.0.0.9:1 LISTENING")
    Traceback (most recent call last):
    casl.errors.ParseError: netstat, line 1, column 13: expected ':' and a port after the local address '10.0.0.5'
    """
    return _Reader(source or SOURCE).read(text)


class _Reader:
    """One pass over the lines; ``-b`` lines attach to the row above them."""

    def __init__(self, source: str):
        self.source = source
        self.rows: list[dict] = []
        self.awaiting_image: tuple[int, str, int] | None = None  # (line, service, column): no image yet

    def fail(self, message: str, number: int, column: int, line: str):
        raise ParseError(message, line=number, column=column, source=self.source, text=line)

    def read(self, text: str) -> pd.DataFrame:
        for number, line in lines(text):
            stripped = line.strip()
            if not stripped:
                continue
            words = tokens(line)
            if words[0].text in PROTOCOLS:
                self.check_no_pending_image(number, line)
                self.rows.append(self.row(words, number, line))
            elif fold(stripped) in _BANNERS or fold(words[0].text) in _HEADER_FIRST:
                self.check_no_pending_image(number, line)
            else:
                self.owner_line(stripped, number, line)
        if self.awaiting_image:  # the text ends under a service name
            at, service, column = self.awaiting_image
            self.fail(f"expected an [image.exe] line after the service name '{service}', found the end "
                      "of the text", at, column, service)
        return self.frame()

    # -- the -b lines under a row ------------------------------------------------------------
    def check_no_pending_image(self, number: int, line: str):
        if self.awaiting_image:
            service = self.awaiting_image[1]
            self.fail(f"expected an [image.exe] line after the service name '{service}'",
                      number, first_column(line), line)

    def owner_line(self, stripped: str, number: int, line: str):
        column = first_column(line)
        if not self.rows:
            self.fail("expected a connection row starting with TCP or UDP, the 'Active Connections' "
                      f"banner or the column header, found '{stripped[:40]}'", number, column, line)
        row = self.rows[-1]
        if stripped.startswith("[") and stripped.endswith("]") and len(stripped) > 2:
            if row["image"] is not None or row["_owner_line"]:
                self.fail(f"a second image line for the connection on line {row['line']}", number, column, line)
            row["image"] = stripped[1:-1]
            row["_owner_line"] = True
            self.awaiting_image = None
        elif fold(stripped) in _NO_OWNER or _UNKNOWN_COMPONENT.match(stripped):
            if row["_owner_line"] or self.awaiting_image:
                self.fail(f"unexpected '{stripped}' after the owner of the connection on line {row['line']}",
                          number, column, line)
            row["_owner_line"] = True
        elif _SERVICE.match(stripped) and row["service"] is None and not row["_owner_line"]:
            row["service"] = stripped
            self.awaiting_image = (number, stripped, column)
        else:
            self.fail("expected a connection row starting with TCP or UDP, or under a row a service name "
                      f"or an [image.exe] line, found '{stripped[:40]}'", number, column, line)

    # -- a connection row ----------------------------------------------------------------------
    def row(self, words: list[Token], number: int, line: str) -> dict:
        proto = words[0]
        end = len(line) + 2  # column just past the end of the line, after one blank
        if len(words) < 2:
            self.fail(f"expected the local address and port after '{proto.text}'", number, end, line)
        local, local_port, local_name = self.endpoint(words[1], "local address", number, line)
        if len(words) < 3:
            self.fail("expected the foreign address and port after the local address", number, end, line)
        remote, remote_port, remote_name = self.endpoint(words[2], "foreign address", number, line)
        rest = words[3:]
        state = None
        if proto.text.startswith("TCP"):
            if not rest or is_digits(rest[0].text):
                column = rest[0].column if rest else end
                self.fail("expected a TCP state such as LISTENING or ESTABLISHED after the foreign address",
                          number, column, line)
            word = rest.pop(0)
            state = _STATES.get(word.text.upper())
            if state is None:
                self.fail(f"expected a TCP state such as LISTENING or ESTABLISHED, found '{word.text}'",
                          number, word.column, line)
            if remote == "*":
                self.fail("expected a foreign address and port for a TCP row, found '*:*'",
                          number, words[2].column, line)
        pid = None
        if rest:
            word = rest.pop(0)
            if not is_digits(word.text):
                what = "a PID" if state else "a PID (UDP rows have no state)"
                self.fail(f"expected {what}, found '{word.text}'", number, word.column, line)
            pid = int(word.text)
        if rest:
            self.fail(f"unexpected text after the PID: '{rest[0].text}'", number, rest[0].column, line)
        return {
            "proto": proto.text, "local_address": local, "local_port": local_port,
            "remote_address": remote, "remote_port": remote_port, "state": state, "pid": pid,
            "service": None, "image": None, "local_port_name": local_name,
            "remote_port_name": remote_name, "line": number, "_owner_line": False,
        }

    def endpoint(self, word: Token, what: str, number: int, line: str) -> tuple[str, int | None, str | None]:
        """``addr:port``, ``[v6%zone]:port``, ``host:service`` or ``*:*`` -> (address, port, port name)."""
        text = word.text
        if text == "*:*" and what == "foreign address":
            return "*", None, None
        if text.startswith("["):
            close = text.find("]")
            if close < 0:
                self.fail(f"expected ']' to close the IPv6 {what}", number, word.end, line)
            address = text[1:close]
            if not address or not _IPV6_BODY.match(address) or ":" not in address:
                self.fail(f"expected an IPv6 address inside [ ] in the {what}", number, word.column + 1, line)
            after = text[close + 1:]
            colon = word.column + close + 1
            if not after.startswith(":"):
                self.fail(f"expected ':' and a port after ']' in the {what}", number, colon, line)
            port_text = after[1:]
        else:
            address, sep, port_text = text.rpartition(":")
            if not sep:
                self.fail(f"expected ':' and a port after the {what} '{text}'", number, word.end, line)
            if not address or not (_HOST.match(address) or address == "*"):
                self.fail(f"expected an IPv4 address or host name in the {what}, found '{address}'",
                          number, word.column, line)
            colon = word.column + len(address)
        port_column = colon + 1
        if not port_text:
            self.fail(f"expected a port after ':' in the {what}", number, port_column, line)
        if is_digits(port_text):
            port = int(port_text)
            if port > 65535:
                self.fail(f"port {port} is out of range (0 to 65535) in the {what}", number, port_column, line)
            return address, port, None
        if port_text == "*" and what == "foreign address":
            return address, None, None
        if _PORT_NAME.match(port_text):
            return address, SERVICE_PORTS.get(port_text.lower()), port_text
        self.fail(f"expected a port number after ':' in the {what}, found '{port_text}'",
                  number, port_column, line)

    def frame(self) -> pd.DataFrame:
        data = {name: [row[name] for row in self.rows] for name in COLUMNS}
        df = pd.DataFrame(data, columns=list(COLUMNS))
        for name, dtype in DTYPES.items():
            if dtype == "category":
                df[name] = df[name].astype("string").astype("category")
            else:
                df[name] = df[name].astype(dtype)
        return df
