"""The organisation: servers, databases and where each is mounted, mailboxes, DNS views.

>>> org = build_topology("two-servers", seed=7, start="2014-10-02T09:30:00")
>>> org.mailbox("UserB").database, org.active_server("DB2").name
('DB2', 'ServerB')
"""
from __future__ import annotations

from dataclasses import dataclass, field

from casl.errors import LabError
from casl.facts import exchange as xfacts
from casl.model.clock import LabClock, PidSource
from casl.model.server import Server, build_server


@dataclass
class Database:
    name: str
    server: str          # the server holding the active (mounted) copy
    mounted: bool = True


@dataclass
class Mailbox:
    user: str
    display_name: str
    smtp: str
    database: str


@dataclass
class Organisation:
    domain: str
    namespace: str
    clock: LabClock
    pids: PidSource
    servers: dict[str, Server] = field(default_factory=dict)
    databases: dict[str, Database] = field(default_factory=dict)
    mailboxes: dict[str, Mailbox] = field(default_factory=dict)
    # name -> address, per view (split DNS: what clients inside and outside get)
    dns_internal: dict[str, str] = field(default_factory=dict)
    dns_external: dict[str, str] = field(default_factory=dict)
    # public address -> inside address (the perimeter firewall's port forwarding for 443)
    nat: dict[str, str] = field(default_factory=dict)
    # issuers each kind of client trusts: domain-joined machines trust the enterprise CA
    trusted_inside: set[str] = field(default_factory=set)
    trusted_outside: set[str] = field(default_factory=set)
    clients: dict[str, object] = field(default_factory=dict)   # casl.model.network.Client by name
    requests: int = 0                                          # lab.browse calls so far

    def server(self, name: str) -> Server:
        for key, s in self.servers.items():
            if key.lower() == name.lower() or s.fqdn.lower() == name.lower():
                return s
        raise LabError(f"there is no server '{name}' in this lab; servers: {', '.join(self.servers)}")

    def mailbox(self, user: str) -> Mailbox:
        for key, m in self.mailboxes.items():
            if user.lower() in (key.lower(), m.smtp.lower()):
                return m
        raise LabError(f"there is no mailbox '{user}' in this lab; users: {', '.join(self.mailboxes)}")

    def active_server(self, database: str) -> Server:
        return self.servers[self.databases[database].server]

    def locate(self, path: str, default: Server) -> tuple[Server, str]:
        r"""The server and local path a file path names: ``C:\x`` on ``default``, ``\\ServerB\c$\x`` on ServerB.

        The lab's servers share only their administrative drive shares, as a Windows server does
        out of the box. A local path is returned as given (the caller resolves relative paths).

        >>> org = build_topology("two-servers", seed=7, start="2014-10-02T09:30:00")
        >>> s, p = org.locate(r"\\ServerB.contoso.com\c$\Backup\a.txt", org.server("ServerA")); s.name, p
        ('ServerB', 'C:\\Backup\\a.txt')
        """
        import ntpath
        text = str(path).strip().strip('"')
        if not text.startswith("\\\\"):
            return default, text
        host, _, rest = text[2:].partition("\\")
        share, _, rest = rest.partition("\\")
        if len(share) != 2 or share[1] != "$" or not share[0].isalpha():
            raise LabError(f"'{text}': the lab's servers share only their administrative drive shares "
                           "(\\\\server\\c$)")
        return self.server(host.split(".")[0]), ntpath.normpath(f"{share[0].upper()}:\\{rest}")

    def server_by_address(self, address: str) -> Server | None:
        return next((s for s in self.servers.values() if address in (s.ipv4, s.ipv6.split("%")[0])), None)


# Built-in topologies: server name -> (IPv4, databases mounted there, users on each database).
TOPOLOGIES: dict[str, list[tuple[str, str, str, str]]] = {
    "single-server": [("ServerA", "10.0.0.11", "DB1", "UserA")],
    "two-servers": [("ServerA", "10.0.0.11", "DB1", "UserA"), ("ServerB", "10.0.0.12", "DB2", "UserB")],
}
EXTERNAL_ADDRESS = "203.0.113.10"   # documentation range: the firewall's public address, NAT to ServerA


def build_topology(name: str, *, seed: int, start: str, domain: str = xfacts.ORGANISATION,
                   namespace: str = xfacts.NAMESPACE) -> Organisation:
    if name not in TOPOLOGIES:
        raise LabError(f"unknown topology '{name}'; built-in topologies: {', '.join(TOPOLOGIES)}")
    clock = LabClock.at(start)
    org = Organisation(domain, namespace, clock, PidSource(seed))
    for i, (server, ip, db, user) in enumerate(TOPOLOGIES[name], 1):
        org.servers[server] = build_server(server, domain, ip, org.pids, clock, ipv6_suffix=i)
        org.databases[db] = Database(db, server)
        org.mailboxes[user] = Mailbox(user, user, f"{user.lower()}@{domain}", db)
        org.dns_internal[f"{server.lower()}.{domain}"] = ip
    first = next(iter(org.servers.values()))
    # Both users come in through ServerA, as in the article's walk-through.
    org.dns_internal[namespace] = first.ipv4
    org.dns_internal[f"autodiscover.{domain}"] = first.ipv4
    org.dns_external[namespace] = EXTERNAL_ADDRESS
    org.dns_external[f"autodiscover.{domain}"] = EXTERNAL_ADDRESS
    org.nat[EXTERNAL_ADDRESS] = first.ipv4
    org.trusted_inside.add(xfacts.LAB_CA)
    return org


def bind_namespace_certificate(org: Organisation) -> None:
    """Do the certificate job the article's own lab had done: an enterprise-CA certificate with the
    namespace on it, bound to every server's Default Web Site 443 bindings (444 keeps the self-signed
    one). Not part of a fresh install, so only labs that ask for it get it.

    >>> org = build_topology("single-server", seed=1, start="2014-10-02T09:30:00")
    >>> bind_namespace_certificate(org); org.server("ServerA").certificates[-1].subject
    'CN=mail.contoso.com'
    """
    from datetime import timedelta
    from casl.model.certificates import Certificate, lab_thumbprint
    start = org.clock.start - timedelta(days=90)
    for server in org.servers.values():
        names = tuple(xfacts.LAB_CERT_NAMES) + (server.name, server.fqdn)
        cert = Certificate(lab_thumbprint(server.fqdn, xfacts.LAB_CERT_FRIENDLY_NAME), f"CN={org.namespace}",
                           xfacts.LAB_CA, xfacts.LAB_CERT_FRIENDLY_NAME, names, start,
                           start + timedelta(days=365 * xfacts.LAB_CERT_YEARS), "IIS", True, False, "Enterprise")
        server.certificates.append(cert)
        for key in ("0.0.0.0:443", "127.0.0.1:443"):
            server.ssl_certs[key] = (cert.thumbprint, "MY")
