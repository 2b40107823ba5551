"""What a request meets on its way, as tables: clients, timings, and what each failure looks like.

Statuses and page outcomes come from the facts sheet where it has them (section 9); the rest are
marked UNCONFIRMED with the reason for the choice.
"""
from __future__ import annotations

from typing import NamedTuple

OUTCOMES = ("ok", "blank-page", "certificate-warning", "connection-refused", "connection-timeout", "http-error",
            "name-not-resolved")


class ClientProgram(NamedTuple):
    image: str
    user_agent: str


# Internet Explorer 11 on Windows 8.1, the browser of the article's lab and of 2014 workstations.
CLIENT_PROGRAMS: dict[str, ClientProgram] = {
    "browser": ClientProgram("iexplore.exe", "Mozilla/5.0 (Windows NT 6.3; WOW64; Trident/7.0; rv:11.0) like Gecko"),
}

# Where a learner can browse from: (machine name, address, inside the network?).
# Documentation address ranges (RFC 5737) keep the lab's outside world fictional.
PLACES: dict[str, tuple[str, str, bool]] = {
    "inside": ("WS01", "10.0.0.50", True),
    "outside": ("HOME-PC", "198.51.100.23", False),
}
DNS_SERVER = ("dc01.contoso.com", "10.0.0.10")          # the domain controller answers internal names
PUBLIC_DNS_SERVER = ("resolver1.example.net", "192.0.2.53")
NETBIOS_DOMAIN = "CONTOSO"

# Windows gives up a TCP connect after the SYN and two retransmissions (3 s + 6 s + 12 s).
TCP_CONNECT_TIMEOUT_S = 21.0
# Lab time each request takes when it works (milliseconds); fixed, so logs never vary.
STEP_MS = {"dns": 3, "connect": 1, "tls": 12, "logon-page": 46, "credentials": 187, "proxy": 31, "mailbox": 265,
           "direct": 15}
STORE_VERSION = "15.00.0995.029"   # TargetServerVersion as HttpProxy writes the back end's build


class Failure(NamedTuple):
    outcome: str
    status: int | None
    error_code: str        # HttpProxy ErrorCode column
    generic_errors: str    # HttpProxy GenericErrors column (illustrative: no public 2013 sample)
    source: str


# How a failure of the front end's proxy to the back end (444) shows in the browser after logon.
PROXY_FAILURES: dict[str, Failure] = {
    # Nothing listens on 444 (binding moved or deleted, site stopped or disabled): the logon page
    # still comes from the front end, then a blank page (the article); HTTP 500 in W3SVC1 and
    # HttpProxy [S17]. GenericErrors text UNCONFIRMED (facts 9: no public sample).
    "refused": Failure("blank-page", 500, "", "WebExceptionStatus=ConnectFailure;WebException=System.Net."
                       "WebException: Unable to connect to the remote server", "[S17] + article; text UNCONFIRMED"),
    # The 444 endpoint has no usable certificate: blank page, HttpEvent 15021 on the back end [S18][S17].
    "tls": Failure("blank-page", 500, "", "WebExceptionStatus=SecureChannelFailure;WebException=System.Net."
                   "WebException: The underlying connection was closed: An unexpected error occurred on a send.",
                   "[S18][S17]; text UNCONFIRMED"),
    # The front end's own firewall refuses the outgoing connection at once (WSAEACCES).
    "forbidden": Failure("blank-page", 500, "", "WebExceptionStatus=ConnectFailure;WebException=System.Net."
                         "WebException: Unable to connect to the remote server", "same class as refused; UNCONFIRMED"),
    # A firewall drops 444 between servers: the proxy waits for the connect timeout, then the front
    # end answers with an error page. UNCONFIRMED: status 503 chosen as HttpProxy's answer when the
    # back end cannot be reached in time; the facts sheet has no sample.
    "timeout": Failure("http-error", 503, "", "WebExceptionStatus=ConnectFailure;WebException=System.Net."
                       "WebException: Unable to connect to the remote server ---> System.Net.Sockets.SocketException: "
                       "A connection attempt failed because the connected party did not properly respond after a "
                       "period of time", "UNCONFIRMED"),
    # The back end's http.sys finds no site for the address the proxy used (back end bound to one
    # IP while the front end comes in over IPv6 link-local [S15]): 400 Bad Request - Invalid Hostname,
    # passed on to the browser. UNCONFIRMED end to end (reasoned from http.sys routing).
    "invalid-hostname": Failure("http-error", 400, "", "WebExceptionStatus=ProtocolError;ResponseStatusCode=400;"
                                "WebException=System.Net.WebException: The remote server returned an error: "
                                "(400) Bad Request.", "UNCONFIRMED"),
    # The request reached the front end's own HttpProxy again (444 put on the Default Web Site):
    # it cannot serve a mailbox, so the user gets what the break gave before. UNCONFIRMED.
    "loop": Failure("blank-page", 500, "", "HttpProxyException=The request was proxied back to a Client Access "
                    "front end", "UNCONFIRMED"),
    # The back end's application pool is stopped: its http.sys answers 503, relayed to the browser.
    "pool-stopped": Failure("http-error", 503, "", "WebExceptionStatus=ProtocolError;ResponseStatusCode=503;"
                            "WebException=System.Net.WebException: The remote server returned an error: (503) "
                            "Server Unavailable.", "standard IIS behaviour; relay UNCONFIRMED"),
    # RPC Client Access or the Information Store down, or the database dismounted: OWA's own error
    # page after logon. UNCONFIRMED status (500 chosen: a server-side failure inside the application).
    "mailbox": Failure("http-error", 500, "", "", "UNCONFIRMED"),
}
