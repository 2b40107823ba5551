"""What a server's TCP/IP stack holds, as netstat sees it: listeners, connections, UDP endpoints.

Three sources, one table (:func:`sockets`):

* **listeners**: http.sys (PID 4) on the ports of the started IIS sites, and the Windows and
  Exchange listeners of :data:`casl.facts.ports.LISTENERS`, each owned by the process hosting its
  service (no process, no listener);
* **connections**: the ones ``lab.browse`` opened (casl.flow) and the background ones of
  :data:`casl.facts.ports.BACKGROUND` (health probes, service calls to 444, LDAP), which exist
  from the lab's start and are made again, on new ports, when their process restarts;
* **UDP endpoints**.

The Windows processes the Exchange model does not track (lsass.exe, the svchost groups, ...) come
from :data:`casl.facts.ports.BASE_PROCESSES` with seeded PIDs below 1000 (:func:`processes`).

:func:`reconcile` applies what process restarts did to the connections: a dead process's
connections close (its end waits in TIME_WAIT under PID 0, the other end goes), and a port nobody
listens on any more resets what was connected to it. It runs before every listing, and every
listing is a journalled shell command, so replaying a lab gives the same table.

>>> import casl
>>> lab = casl.open_lab("single-server", state=None)
>>> s = lab.server("ServerA")
>>> [(x.local_endpoint, x.pid) for x in sockets(lab.org, s, lab.clock.now())
...  if x.local_port == 444 and x.state == "LISTENING"]
[('0.0.0.0:444', 4), ('[::]:444', 4)]
"""
from __future__ import annotations

import functools
import ipaddress
import random
from dataclasses import dataclass
from datetime import datetime

from casl.facts import flow as ffacts
from casl.facts import ports as pfacts
from casl.model import network
from casl.model.windows import Process

_BASE_CACHE: dict[tuple[int, str], dict[int, Process]] = {}
_TARGETS = {"loopback6": lambda s: "::1", "loopback4": lambda s: "127.0.0.1", "self6": lambda s: s.ipv6,
            "dc": lambda s: ffacts.DNS_SERVER[1]}


@dataclass(frozen=True)
class Socket:
    """One row of ``netstat -ano`` (``remote_ip`` is None for UDP; ``service`` names the svchost
    service that owns it, for ``netstat -b``)."""
    proto: str
    local_ip: str
    local_port: int
    remote_ip: str | None
    remote_port: int | None
    state: str | None
    pid: int
    service: str = ""

    @property
    def ipv6(self) -> bool:
        return ":" in self.local_ip

    @property
    def local_endpoint(self) -> str:
        return _ep(self.local_ip, self.local_port)

    @property
    def remote_endpoint(self) -> str:
        if self.remote_ip is None:
            return "*:*"
        return _ep(self.remote_ip, self.remote_port)

    def sort_key(self) -> tuple:
        """netstat's order: TCP then UDP, IPv4 then IPv6, by local then remote address and port."""
        return (self.proto != "TCP", self.ipv6, _ip_key(self.local_ip), self.local_port,
                _ip_key(self.remote_ip or "0.0.0.0"), self.remote_port or 0)


def _ep(ip: str, port: int) -> str:
    return f"[{ip}]:{port}" if ":" in ip else f"{ip}:{port}"


@functools.lru_cache(maxsize=4096)
def _ip_key(ip: str) -> tuple[int, int]:
    address, _, zone = ip.partition("%")
    return int(ipaddress.ip_address(address)), int(zone) if zone.isdigit() else 0


# --- processes -------------------------------------------------------------------------------

def base_processes(server) -> dict[int, Process]:
    """The Windows processes of :data:`~casl.facts.ports.BASE_PROCESSES`, with PIDs from the seed.

    >>> import casl
    >>> s = casl.open_lab("single-server", state=None).server("ServerA")
    >>> sorted(p.image for p in base_processes(s).values())[:3]
    ['SMSvcHost.exe', 'SMSvcHost.exe', 'WmiPrvSE.exe']
    """
    key = (server.net.ports.seed, server.name)
    if key not in _BASE_CACHE:
        rng = random.Random(f"{key[0]}/{key[1]}/base-processes")
        lo, hi = pfacts.BASE_PID_RANGE
        pids = sorted(4 * k for k in rng.sample(range(lo // 4, hi // 4 + 1), len(pfacts.BASE_PROCESSES)))
        out = {}
        for pid, bp in zip(pids, pfacts.BASE_PROCESSES):
            mem = bp.mem_kb + rng.randint(-bp.mem_kb // 20, bp.mem_kb // 20)
            out[pid] = Process(pid, bp.image, services=list(bp.services), session=bp.session,
                               session_id=bp.session_id, mem_kb=mem)
        _BASE_CACHE[key] = out
    return _BASE_CACHE[key]


def processes(server) -> dict[int, Process]:
    """Every process ``tasklist`` shows: the base Windows ones and the model's, by PID.

    >>> import casl
    >>> s = casl.open_lab("single-server", state=None).server("ServerA")
    >>> procs = processes(s); procs[4].image, any(p.image == "lsass.exe" for p in procs.values())
    ('System', True)
    """
    merged = dict(base_processes(server))
    merged.update(server.windows.processes)
    return dict(sorted(merged.items()))


def owner_kind(server, pid: int) -> str:
    """What ``netstat -b`` can say about ``pid``: "services", "image" or "none" (see facts.ports)."""
    if pid in pfacts.NO_OWNER_PIDS:
        return "none"
    base = base_processes(server).get(pid)
    if base is not None:
        fact = next(b for b in pfacts.BASE_PROCESSES if b.image == base.image and b.services == tuple(base.services)
                    and b.session_id == base.session_id)
        return fact.owner_line
    return "image"


class _Owners:
    """Who is ``service:X`` / ``image:X`` / ``System`` among running processes (one index per listing)."""

    def __init__(self, server, procs: dict[int, Process]):
        self.server, self.procs = server, procs
        self.images: dict[str, int] = {}
        self.services: dict[str, int] = {}
        for p in procs.values():          # by PID: the first process of an image wins
            self.images.setdefault(p.image.lower(), p.pid)
            for name in p.services:
                self.services.setdefault(name.lower(), p.pid)

    def __call__(self, owner: str) -> tuple[int | None, str]:
        """(PID, service); (None, "") when the owner is not running."""
        if owner == "System":
            return 4, ""
        kind, _, name = owner.partition(":")
        if kind == "service":
            svc = self.server.windows.service(name)
            if svc is not None:
                return (svc.pid, svc.name) if svc.pid in self.procs else (None, "")
            pid = self.services.get(name.lower())
            return (pid, name) if pid is not None else (None, "")
        pid = self.images.get(name.lower())
        return (pid, "") if pid is not None else (None, "")


# --- listeners ---------------------------------------------------------------------------------

def listeners(server, procs: dict[int, Process] | None = None) -> list[Socket]:
    """LISTENING TCP rows and UDP endpoints of running owners, unsorted."""
    owners = _Owners(server, procs if procs is not None else processes(server))
    out = []
    for port in network.listening_ports(server):      # http.sys, for the IIS bindings of started sites
        out += [Socket("TCP", "0.0.0.0", port, "0.0.0.0", 0, network.LISTENING, 4),
                Socket("TCP", "::", port, "::", 0, network.LISTENING, 4)]
    for fact in pfacts.LISTENERS:
        if fact.requires and not server.service_running(fact.requires):
            continue
        pid, service = owners(fact.owner)
        if pid is None:
            continue
        addresses = {"any": ("0.0.0.0", "::"), "v4": ("0.0.0.0",), "host4": (server.ipv4,)}[fact.scope]
        for ip in addresses:
            if any(o.proto == fact.proto and o.local_ip == ip and o.local_port == fact.port for o in out):
                continue    # one socket per address and port (a site bound to 445 meets SMB there)
            if fact.proto == "TCP":
                out.append(Socket("TCP", ip, fact.port, "::" if ":" in ip else "0.0.0.0", 0, network.LISTENING,
                                  pid, service))
            else:
                out.append(Socket("UDP", ip, fact.port, None, None, None, pid, service))
    return out


def listening(server, port: int) -> bool:
    """True when some process listens on TCP ``port`` (http.sys or a listener of the facts table)."""
    return any(s.proto == "TCP" and s.local_port == port for s in listeners(server))


# --- keeping connections true to the processes ------------------------------------------------

def _drop_peer(org, c: network.Connection) -> None:
    """Remove the other end of ``c`` wherever it is kept (a server or a client machine)."""
    nets = [s.net for s in org.servers.values()] + [cl.net for cl in org.clients.values()]
    for net in nets:
        for other in [o for o in net.connections if o.local == c.remote and o.remote == c.local
                      and o.state == network.ESTABLISHED]:
            net.connections.remove(other)


def reconcile(org, at: datetime) -> None:
    """Bring every server's connections in line with its processes and listeners at ``at``.

    >>> import casl
    >>> lab = casl.open_lab("single-server", state=None)
    >>> reconcile(lab.org, lab.clock.now())
    >>> sorted({c.owner.split("/")[0] for c in lab.server("ServerA").net.connections})[:2]
    ['MSExchangeHMWorker.exe', 'MSExchangeMailboxAssistants.exe']
    """
    for server in org.servers.values():
        procs = processes(server)
        ports = {s.local_port for s in listeners(server, procs) if s.proto == "TCP"}
        net = server.net
        for c in list(net.connections):
            if c not in net.connections or c.state != network.ESTABLISHED:
                continue
            if c.pid == 4 and not c.initiator and c.local[1] not in ports:
                # Nobody listens on this port any more: the stack resets what was connected to it.
                net.connections.remove(c)
                _drop_peer(org, c)
            elif c.pid not in (0, 4) and c.pid not in procs:
                # The owner exited: Windows closes its sockets; the closing end waits in TIME_WAIT.
                net.close(c, at, active=c.initiator)
                _drop_peer(org, c)
        _background(server, _Owners(server, procs), ports, at)
        net.current(at)


def _background(server, owners: _Owners, ports: set[int], at: datetime) -> None:
    net = server.net
    for index, fact in enumerate(pfacts.BACKGROUND):
        pid, _ = owners(f"image:{fact.owner}")
        local_target = fact.target != "dc"
        wanted = pid is not None and (not local_target or fact.port in ports)
        key = f"{fact.owner}/{index}"
        mine = [c for c in net.connections if c.owner == key and c.state == network.ESTABLISHED]
        for c in mine:
            if not wanted or c.pid != pid:
                if c.pid == pid:              # the target port went away: reset, no TIME_WAIT
                    net.connections.remove(c)
                else:
                    net.close(c, at, active=True)
                for peer in [o for o in net.connections if o.owner == key + "/peer" and o.remote == c.local]:
                    net.connections.remove(peer)
        if not wanted or any(c.pid == pid for c in mine):
            continue
        remote_ip = _TARGETS[fact.target](server)
        local_ip = server.ipv4 if fact.target == "dc" else remote_ip
        for _ in range(fact.count):
            port = _background_port(net)
            net.connections.append(network.Connection((local_ip, port), (remote_ip, fact.port), network.ESTABLISHED,
                                                      pid, at, request=0, owner=key))
            if local_target:   # the accepting end belongs to http.sys
                net.connections.append(network.Connection((remote_ip, fact.port), (local_ip, port),
                                                          network.ESTABLISHED, 4, at, request=0,
                                                          initiator=False, owner=key + "/peer"))


def _background_port(net: network.NetState) -> int:
    low, high = network.EPHEMERAL_LOW, network.EPHEMERAL_HIGH
    span = high - low + 1
    while True:
        port = low + (net.ports.start - pfacts.BACKGROUND_PORT_OFFSET + net.background_ports - low) % span
        net.background_ports += 1
        if not any(c.local[1] == port for c in net.connections):
            return port


# --- the table -------------------------------------------------------------------------------

def sockets(org, server, at: datetime) -> list[Socket]:
    """Every row ``netstat -ano`` prints on ``server`` at ``at``, in netstat's order."""
    reconcile(org, at)
    rows = listeners(server)
    for c in server.net.current(at):
        rows.append(Socket("TCP", c.local[0], c.local[1], c.remote[0], c.remote[1], c.state, c.pid))
    return sorted(rows, key=Socket.sort_key)
