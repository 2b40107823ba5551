"""One Windows Server 2012 R2 machine with Exchange 2013 (both roles), built from the facts tables.

The operations here are the ones whose effects cross IIS and Windows: starting a pool makes a
w3wp.exe, ``iisreset`` stops and starts services, a forced stop loses unsaved configuration.

>>> from casl.model.clock import LabClock, PidSource
>>> s = build_server("ServerA", "contoso.com", "10.0.0.11", PidSource(1), LabClock.at("2014-10-02T09:00:00"))
>>> s.iis.site("Exchange Back End").web_bindings("https")[0].binding_information
'*:444:'
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from casl.facts import exchange as xfacts
from casl.facts import iis as ifacts
from casl.facts import services as sfacts
from casl.model.certificates import Certificate, lab_thumbprint
from casl.model.clock import LabClock, PidSource
from casl.model.fs import FileSystem
from casl.model.iis import (IIS, STARTED, STOPPED, Application, AppPool, Authentication, Binding, Site,
                            VirtualDirectory)
from casl.model.windows import RUNNING, Process, Service, ServiceError, Windows

IIS_SERVICES = ("IISADMIN", "WAS", "W3SVC")


@dataclass
class Server:
    name: str
    domain: str
    ipv4: str
    ipv6: str
    clock: LabClock
    windows: Windows
    iis: IIS = field(default_factory=IIS)
    fs: FileSystem = field(default_factory=FileSystem)
    certificates: list[Certificate] = field(default_factory=list)
    roles: tuple[str, ...] = ("Mailbox", "ClientAccess")
    lost_changes: list = field(default_factory=list)
    # http.sys SSL certificate bindings ("netsh http show sslcert"): "ip:port" -> (thumbprint, store).
    # IIS shows a binding's certificate by looking its IP and port up here.
    ssl_certs: dict[str, tuple[str, str]] = field(default_factory=dict)
    # http.sys URL prefixes W3SVC registered, (protocol, ip, port, host) -> site, and the sites it
    # had to disable because another site held their endpoint (see casl.model.network).
    url_registrations: dict[tuple, str] = field(default_factory=dict)
    failed_sites: dict[str, str] = field(default_factory=dict)
    net: object = None          # casl.model.network.NetState: connections, firewall rules, ports
    vdirs: object = None        # casl.model.vdirs.VdirStore: Exchange's AD virtual directory objects
    psvdir: object = None       # casl.model.psvdir.PSVdir: IIS modules, folder ACLs, AV exclusions
    # private keys in the machine key store, by public-key id (casl.model.certificates.KeyContainer):
    # made by New-ExchangeCertificate -GenerateRequest or brought in a .pfx
    keys: dict = field(default_factory=dict)

    @property
    def fqdn(self) -> str:
        return f"{self.name}.{self.domain}"

    # --- state questions -------------------------------------------------------------------
    def service_running(self, name: str) -> bool:
        svc = self.windows.service(name)
        return svc is not None and svc.status == RUNNING

    def web_running(self) -> bool:
        return self.service_running("W3SVC") and self.service_running("WAS")

    def site_state(self, site: Site) -> str:
        # With W3SVC down no site answers, whatever its configured state (UNCONFIRMED display detail).
        if site.name in self.failed_sites:
            return STOPPED
        return site.state if self.web_running() else STOPPED

    def pool_state(self, pool: AppPool) -> str:
        return pool.state if self.service_running("WAS") else STOPPED

    def ssl_cert_for(self, binding: Binding) -> tuple[str, str]:
        """(thumbprint, store) http.sys holds for an https binding's IP and port, or ("", "")."""
        if binding.protocol != "https" or binding.port is None:
            return ("", "")
        ip = "0.0.0.0" if binding.ip == "*" else binding.ip
        return self.ssl_certs.get(f"{ip}:{binding.port}", ("", ""))

    def binding_conflict(self, site: Site) -> Site | None:
        """A started site already listening on one of ``site``'s IP/port/host combinations."""
        mine = {(b.protocol, b.ip, b.port, b.host.lower()) for b in site.web_bindings()}
        for other in self.iis.sites:
            if other is site or self.site_state(other) != STARTED:
                continue
            for b in other.web_bindings():
                for proto, ip, port, host in mine:
                    # Same IP, port and host on two started sites: http.sys cannot give the
                    # endpoint to both. A specific IP beside "All Unassigned" is allowed.
                    if port == b.port and host == b.host.lower() and ip == b.ip:
                        return other
        return None

    def certificate(self, thumbprint: str) -> Certificate | None:
        t = thumbprint.replace(" ", "").upper()
        return next((c for c in self.certificates if c.thumbprint == t), None)

    # --- workers ---------------------------------------------------------------------------
    def _worker_wanted(self, pool: AppPool) -> bool:
        return (pool.state == STARTED and self.web_running() and bool(self.iis.applications_in(pool.name)))

    def sync_workers(self) -> None:
        """Make w3wp.exe processes match pool and service state (one worker per serving pool)."""
        for pool in self.iis.pools:
            want = self._worker_wanted(pool)
            if want and pool.worker_pid is None:
                p = self.windows.spawn("w3wp.exe", app_pool=pool.name, user=_pool_user(pool))
                pool.worker_pid = p.pid
            elif not want and pool.worker_pid is not None:
                self.windows.kill(pool.worker_pid)
                pool.worker_pid = None
        self.sync_http()

    def sync_http(self) -> None:
        """Let http.sys follow the IIS configuration (registrations, disabled sites)."""
        from casl.model.network import sync_http
        sync_http(self)

    def worker(self, pool_name: str) -> Process | None:
        pool = self.iis.pool(pool_name)
        return self.windows.processes.get(pool.worker_pid) if pool and pool.worker_pid else None

    # --- operations ------------------------------------------------------------------------
    def recycle_pool(self, name: str) -> None:
        """A recycle replaces the pool's worker: same pool, new PID, on both sites if shared."""
        pool = self.iis.pool(name)
        self.windows.kill(pool.worker_pid)
        pool.worker_pid = None
        self.sync_workers()

    def set_pool_state(self, name: str, state: str) -> None:
        self.iis.pool(name).state = state
        self.sync_workers()

    def set_site_state(self, name: str, state: str) -> None:
        site = self.iis.site(name)
        site.state = state
        self.failed_sites.pop(site.name, None)   # starting (or stopping) clears W3SVC's earlier refusal
        self.sync_http()

    def save_pending(self) -> None:
        self.iis.pending.clear()

    def lose_pending(self) -> None:
        """A forced stop of IIS Admin: changes it held in memory never reach the disk."""
        for change in reversed(self.iis.pending):
            _apply_auth(self.iis, change.location, change.attribute, change.before)
        self.lost_changes.extend(self.iis.pending)
        self.iis.pending.clear()

    def stop_service(self, name: str, *, force: bool = False) -> list[str]:
        """Stop a service the way the Service Control Manager does; returns the services stopped."""
        svc = self.windows.service(name)
        if svc is None:
            raise ServiceError(f"Cannot find any service with service name '{name}'.")
        deps = self.windows.dependents(svc.name)
        if deps and not force:
            raise ServiceError(f"Cannot stop service '{svc.display_name} ({svc.name})' because it has "
                               f"dependent services. It can only be stopped if the Force flag is set.")
        stopped = []
        for d in deps:
            self._stop_one(d.name, graceful=True)
            stopped.append(d.name)
        self._stop_one(svc.name, graceful=True)
        stopped.append(svc.name)
        self.sync_workers()
        return stopped

    def _stop_one(self, name: str, *, graceful: bool) -> None:
        if name.upper() == "IISADMIN":
            self.save_pending() if graceful else self.lose_pending()
        self.windows.stop(name)

    def start_service(self, name: str) -> None:
        self.windows.start(name)
        self.sync_workers()

    def restart_service(self, name: str, *, force: bool = False) -> None:
        svc = self.windows.service(name)
        if svc is None:
            raise ServiceError(f"Cannot find any service with service name '{name}'.")
        stopped = self.stop_service(svc.name, force=force)
        for n in reversed(stopped):
            self.windows.start(n)
        self.sync_workers()

    def iisreset(self, *, stop: bool = True, start: bool = True, noforce: bool = False) -> None:
        """``iisreset``: stop then start the IIS services.

        Lab model of the article's warning: IIS Admin takes longer to save configuration it holds
        in memory than iisreset waits, so without ``/noforce`` it is terminated and the unsaved
        changes are lost; with ``/noforce`` iisreset lets it finish (simplified: it always does).
        """
        if stop:
            for name in ("W3SVC", "WAS", "IISADMIN"):
                for d in self.windows.dependents(name):
                    self._stop_one(d.name, graceful=True)
                self._stop_one(name, graceful=noforce or name != "IISADMIN" or not self.iis.pending)
            self.sync_workers()
        if start:
            for name in ("IISADMIN", "WAS", "W3SVC"):
                self.windows.start(name)
            self.sync_workers()


def _pool_user(pool: AppPool) -> str:
    return "NT AUTHORITY\\SYSTEM" if pool.identity == "LocalSystem" else f"IIS APPPOOL\\{pool.name}"


def _apply_auth(iis: IIS, location: str, attribute: str, value) -> None:
    site, _, path = location.partition("/")
    key = (site.lower(), ("/" + path.strip("/")).lower())
    auth = iis.auth.setdefault(key, Authentication())
    setattr(auth, attribute, value)


def set_authentication(server: Server, location: str, attribute: str, value: bool) -> None:
    """Change IIS authentication at ``Site/path``; IIS Admin holds the change until it saves it."""
    from casl.model.iis import PendingChange
    site, _, path = location.partition("/")
    before = server.iis.auth.get((site.lower(), ("/" + path.strip("/")).lower()), Authentication())
    change = PendingChange(f"{attribute} authentication at {location}", location, attribute,
                           getattr(before, attribute), value)
    _apply_auth(server.iis, location, attribute, value)
    server.iis.pending.append(change)


def self_signed_certificate(name: str, domain: str, clock: LabClock) -> Certificate:
    start = clock.start - timedelta(days=120)   # installed some months before the lab day
    fqdn = f"{name}.{domain}"
    return Certificate(
        thumbprint=lab_thumbprint(fqdn, xfacts.SELF_SIGNED_FRIENDLY_NAME),
        subject=f"CN={name}", issuer=f"CN={name}", friendly_name=xfacts.SELF_SIGNED_FRIENDLY_NAME,
        dns_names=(name, fqdn), not_before=start, not_after=start + timedelta(days=365 * xfacts.SELF_SIGNED_YEARS),
        services=xfacts.SELF_SIGNED_SERVICES, self_signed=True, root_ca_type="Registry",
    )


def build_server(name: str, domain: str, ipv4: str, pids: PidSource, clock: LabClock, *,
                 ipv6_suffix: int = 1) -> Server:
    """Build a multi-role Exchange 2013 CU6 server from the facts tables."""
    win = Windows(pids, memory=dict(sfacts.MEMORY_KB), default_memory=sfacts.DEFAULT_MEMORY_KB)
    for image, pid, mem in sfacts.SYSTEM_PROCESSES:
        win.processes[pid] = Process(pid, image, mem_kb=mem)
    server = Server(name, domain, ipv4, f"fe80::{ipv6_suffix:x}c5:a8f2:1e3d:{ipv6_suffix * 17:x}%12", clock, win)

    cert = self_signed_certificate(name, domain, clock)
    auth_start = clock.start - timedelta(days=120)
    server.certificates = [
        cert,
        Certificate(lab_thumbprint(domain, "Auth"), "CN=Microsoft Exchange Server Auth Certificate",
                    "CN=Microsoft Exchange Server Auth Certificate", "Microsoft Exchange Server Auth Certificate",
                    (), auth_start, auth_start + timedelta(days=365 * 5), "SMTP", True, True, "None", True),
        Certificate(lab_thumbprint(name, "WMSvc"), f"CN=WMSvc-{name}", f"CN=WMSvc-{name}", "WMSVC",
                    (f"WMSvc-{name}",), auth_start, auth_start + timedelta(days=3650), "None", True, True, "Registry"),
    ]

    iis = server.iis
    for pf in ifacts.APP_POOLS:
        iis.pools.append(AppPool(pf.name, pf.runtime, pf.pipeline, pf.identity, pf.queue_length, pf.auto_start,
                                 pf.periodic_restart, pf.disallow_overlapping))
    for sf in ifacts.SITES:
        site = Site(sf.id, sf.name, sf.physical_path, server_auto_start=sf.server_auto_start)
        for bf in ifacts.BINDINGS:
            if bf.site == sf.name:
                b = Binding(bf.protocol, bf.binding_information)
                site.bindings.append(b)
                if bf.ssl:
                    ip = "0.0.0.0" if b.ip == "*" else b.ip
                    server.ssl_certs[f"{ip}:{b.port}"] = (cert.thumbprint, "MY")
        for af in ifacts.APPLICATIONS:
            if af.site == sf.name:
                app = Application(af.path, af.pool, af.physical_path, af.enabled_protocols,
                                  [VirtualDirectory("/", af.physical_path)])
                for vf in ifacts.VIRTUAL_DIRECTORIES:
                    if vf.site == sf.name and vf.app == af.path:
                        app.vdirs.append(VirtualDirectory(vf.path, vf.physical_path))
                site.applications.append(app)
        site.folders = [f for s, f in ifacts.FOLDERS if s == sf.name]
        iis.sites.append(site)
    for af in ifacts.AUTHENTICATION:
        iis.auth[(af.site.lower(), af.path.lower())] = Authentication(af.anonymous, af.basic, af.windows, af.ssl_flags)

    for f in sfacts.SERVICES:
        win.add_service(Service(f.name, f.display_name, f.image, f.start_type, depends_on=f.depends_on,
                                shared_host=f.shared_host))
    for f in sfacts.SERVICES:
        if f.running:
            win.start(f.name)
    for image, parent in sfacts.CHILD_PROCESSES:
        if server.service_running(parent):
            win.spawn(image, parent_service=parent)
    server.sync_workers()
    server.fs.mkdir(r"C:\Windows\system32")
    server.fs.mkdir(r"C:\inetpub\logs\LogFiles\W3SVC1")
    server.fs.mkdir(r"C:\inetpub\logs\LogFiles\W3SVC2")
    server.fs.mkdir(ifacts.EXCHANGE_INSTALL + r"\Logging\HttpProxy")
    from casl.model.network import NetState, PortSource
    server.net = NetState(PortSource(pids.seed, name))
    server.sync_http()
    from casl.model.psvdir import build_psvdir
    from casl.model.vdirs import build_vdirs
    build_vdirs(server)
    server.psvdir = build_psvdir(server)
    return server
