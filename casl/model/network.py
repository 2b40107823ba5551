"""The network as the lab models it: Windows Firewall rules, TCP connections, http.sys listeners.

Three rules of the real world carry the lessons here:

* **http.sys owns the web ports.** IIS registers one URL prefix per binding of a started site; the
  listening socket belongs to the kernel (netstat shows PID 4, "System") and, with an empty IP
  listen list, accepts connections on every address of the port, whatever IP the binding names.
  Which site answers is decided after the connection, from the address and Host the request used.
* **A prefix belongs to whoever registered it first.** When a second started site asks for an
  endpoint another site holds, W3SVC cannot register it and disables that second site (it shows
  as Stopped; event 1004). After a restart of W3SVC, sites register in id order.
* **The firewall drops, it does not refuse.** A Block rule makes a connection attempt time out;
  a port nobody listens on is refused at once (RST). Traffic a machine sends to itself is not
  filtered by Windows Firewall.

>>> r = FirewallRule("Block 444", direction="Inbound", action="Block", local_port=("444",))
>>> r.matches("Inbound", local_port=444, remote_port=51000)
True
"""
from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from casl.model.iis import STARTED

EPHEMERAL_LOW, EPHEMERAL_HIGH = 49152, 65535        # Windows Vista+ dynamic port range
TIME_WAIT_SECONDS = 240                             # TcpTimedWaitDelay default on Windows
ESTABLISHED, TIME_WAIT, LISTENING = "ESTABLISHED", "TIME_WAIT", "LISTENING"


@dataclass
class FirewallRule:
    """One Windows Firewall rule as ``New-NetFirewallRule`` makes it (ports as text: "444", "Any")."""
    display_name: str
    name: str = ""
    direction: str = "Inbound"
    action: str = "Allow"
    protocol: str = "TCP"
    local_port: tuple[str, ...] = ("Any",)
    remote_port: tuple[str, ...] = ("Any",)
    enabled: bool = True
    profile: str = "Any"
    description: str = ""
    group: str = ""

    def matches(self, direction: str, *, local_port: int, remote_port: int, protocol: str = "TCP") -> bool:
        if not self.enabled or self.direction != direction:
            return False
        if self.protocol not in ("Any", protocol):
            return False
        return _port_in(local_port, self.local_port) and _port_in(remote_port, self.remote_port)


def _port_in(port: int, spec: tuple[str, ...]) -> bool:
    for item in spec:
        if item == "Any":
            return True
        lo, _, hi = item.partition("-")
        if lo.isdigit() and int(lo) <= port <= int(hi or lo):
            return True
    return False


def firewall_blocks(rules: list[FirewallRule], direction: str, *, local_port: int, remote_port: int) -> \
        FirewallRule | None:
    """The rule that blocks this traffic, if any. In Windows Firewall a matching Block rule wins over
    any Allow rule, and the lab's baseline lets the Exchange ports in (setup adds those Allow rules)."""
    return next((r for r in rules if r.action == "Block"
                 and r.matches(direction, local_port=local_port, remote_port=remote_port)), None)


@dataclass
class Connection:
    """One row of ``netstat -ano``: the local end belongs to ``pid`` (0 once in TIME_WAIT)."""
    local: tuple[str, int]
    remote: tuple[str, int]
    state: str
    pid: int
    opened: datetime
    closed: datetime | None = None
    request: int = 0              # which browse opened it (the lab closes them on the next one)
    initiator: bool = True        # this end made the connection (and so closes it first)
    owner: str = ""               # a background connection's key (casl.model.sockets), "" for a request's

    def endpoint(self, end: str) -> str:
        ip, port = self.local if end == "local" else self.remote
        return f"[{ip}]:{port}" if ":" in ip else f"{ip}:{port}"


@dataclass
class PortSource:
    """Ephemeral ports for one machine: a seeded start, then upwards as Windows hands them out.

    >>> a = PortSource(2014, "ServerA"); p = a.next(); a.next() == p + 1
    True
    """
    seed: int
    machine: str
    _next: int = 0

    def __post_init__(self) -> None:
        self._next = self.start

    @property
    def start(self) -> int:
        """The first port this machine handed out (seeded); background connections sit below it."""
        span = EPHEMERAL_HIGH - EPHEMERAL_LOW - 5000
        return EPHEMERAL_LOW + zlib.crc32(f"{self.seed}/{self.machine}".encode()) % span

    def next(self) -> int:
        port = self._next
        self._next = port + 1 if port < EPHEMERAL_HIGH else EPHEMERAL_LOW
        return port


@dataclass
class NetState:
    """What a machine's TCP stack holds: connections, ports to hand out, and its firewall rules."""
    ports: PortSource
    connections: list[Connection] = field(default_factory=list)
    firewall: list[FirewallRule] = field(default_factory=list)
    background_ports: int = 0     # background connections made so far (casl.model.sockets)

    def open(self, local: tuple[str, int], remote: tuple[str, int], pid: int, at: datetime,
             request: int, *, initiator: bool = True) -> Connection:
        c = Connection(local, remote, ESTABLISHED, pid, at, request=request, initiator=initiator)
        self.connections.append(c)
        return c

    def close(self, c: Connection, at: datetime, *, active: bool) -> None:
        """The side that closes first keeps the socket in TIME_WAIT (netstat shows PID 0)."""
        if active:
            c.state, c.pid, c.closed = TIME_WAIT, 0, at
        elif c in self.connections:
            self.connections.remove(c)

    def close_before(self, request: int, at: datetime) -> None:
        """Close what earlier requests left open: the browser moved on, the proxy's idle connection ended."""
        self.current(at)          # forget TIME_WAIT entries that have run out
        # Background connections (health probes, LDAP) live as long as their process, not a request.
        for c in [c for c in self.connections if c.state == ESTABLISHED and c.request < request and not c.owner]:
            self.close(c, at, active=c.initiator)

    def current(self, at: datetime) -> list[Connection]:
        """Connections a netstat run at ``at`` still shows (TIME_WAIT lasts four minutes)."""
        keep = [c for c in self.connections
                if not (c.state == TIME_WAIT and c.closed and at - c.closed > timedelta(seconds=TIME_WAIT_SECONDS))]
        self.connections[:] = keep
        return list(keep)


@dataclass
class Client:
    """A machine the learner browses from: a domain-joined workstation inside, or a PC on the Internet."""
    name: str
    address: str
    inside: bool
    net: NetState
    processes: dict[str, int] = field(default_factory=dict)     # image -> PID


# --- http.sys: URL registrations, sites W3SVC had to disable ---------------------------------------

def _endpoint(b) -> tuple[str, str, int, str]:
    return (b.protocol, b.ip, b.port, b.host.lower())


def sync_http(server) -> None:
    """Bring http.sys in line with IIS configuration, the way W3SVC does after each change.

    Registrations a started site already holds stay with it; a site whose new endpoint is held by
    another site is disabled (it shows Stopped until someone starts it or W3SVC restarts).
    """
    regs: dict = server.url_registrations
    if not server.web_running():
        regs.clear()
        server.failed_sites.clear()
        return
    wanted = {}
    for site in sorted(server.iis.sites, key=lambda s: s.id):
        if site.state == STARTED and site.name not in server.failed_sites:
            wanted[site.name] = {_endpoint(b) for b in site.web_bindings() if b.port is not None}
    for ep, owner in list(regs.items()):
        if ep not in wanted.get(owner, set()):
            del regs[ep]
    for site in sorted(server.iis.sites, key=lambda s: s.id):
        eps = wanted.get(site.name)
        if not eps:
            continue
        clash = next((ep for ep in sorted(eps, key=str) if regs.get(ep, site.name) != site.name), None)
        if clash is not None:
            server.failed_sites[site.name] = (f"The World Wide Web Publishing Service (WWW Service) did not register "
                                              f"the URL prefix {_prefix(clash)} for site {site.id}. The site has been "
                                              f"disabled. The data field contains the error number.")
            for ep in [e for e, o in regs.items() if o == site.name]:
                del regs[ep]
            continue
        for ep in eps:
            regs[ep] = site.name


def _prefix(ep: tuple[str, str, int, str]) -> str:
    proto, ip, port, host = ep
    return f"{proto}://{host or ('*' if ip == '*' else ip)}:{port}/"


def listening_ports(server) -> list[int]:
    """TCP ports http.sys listens on (every address, PID 4): any registered prefix opens its port."""
    return sorted({port for (_, _, port, _) in server.url_registrations})


def route(server, port: int, local_ip: str, host: str, protocol: str = "https"):
    """The site http.sys hands a request to, or None (it answers 400 Bad Request - Invalid Hostname).

    Order as http.sys matches: a binding naming the host, then one naming the local address, then
    "All Unassigned".
    """
    regs = server.url_registrations
    cands = [(ep, site) for ep, site in regs.items() if ep[0] == protocol and ep[2] == port]
    host = host.lower()
    for ep, site in cands:
        if ep[3] and ep[3] == host and ep[1] in ("*", local_ip):
            return server.iis.site(site)
    for ep, site in cands:
        if not ep[3] and ep[1] == local_ip:
            return server.iis.site(site)
    for ep, site in cands:
        if not ep[3] and ep[1] == "*":
            return server.iis.site(site)
    return None


def ssl_certificate(server, local_ip: str, port: int) -> str:
    """The thumbprint http.sys presents on ``local_ip:port``: the IP-specific entry, else 0.0.0.0."""
    for key in (f"{local_ip}:{port}", f"0.0.0.0:{port}"):
        if key in server.ssl_certs:
            return server.ssl_certs[key][0]
    return ""

