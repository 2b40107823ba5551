"""IIS as data: sites, bindings, applications, virtual directories, application pools.

The rules that need processes (recycling makes a new w3wp) live in ``server``; here are the
objects and the rules that concern IIS configuration alone.

>>> b = Binding("https", "*:444:")
>>> (b.ip, b.port, b.host)
('*', 444, '')
>>> Binding("https", ":443:").ip   # "All Unassigned" written without the star
'*'
"""
from __future__ import annotations

from dataclasses import dataclass, field

STARTED, STOPPED = "Started", "Stopped"
WEB_PROTOCOLS = ("http", "https")


@dataclass
class Binding:
    protocol: str
    binding_information: str
    ssl_flags: int = 0

    @property
    def is_web(self) -> bool:
        return self.protocol.lower() in WEB_PROTOCOLS

    def _parts(self) -> tuple[str, str, str]:
        if not self.is_web:
            return ("", "", "")
        ip, _, rest = self.binding_information.rpartition(":")  # host is last
        ip2, _, port = ip.rpartition(":")
        return (ip2, port, rest)

    @property
    def ip(self) -> str:
        ip = self._parts()[0]
        return "*" if ip in ("", "*") else ip

    @property
    def port(self) -> int | None:
        port = self._parts()[1]
        return int(port) if port.isdigit() else None

    @property
    def host(self) -> str:
        return self._parts()[2]

    def text(self) -> str:
        """The way IIS lists a binding: ``https *:444:``."""
        return f"{self.protocol} {self.binding_information}"


@dataclass
class VirtualDirectory:
    path: str            # relative to its application: "/" is the application's own root
    physical_path: str


@dataclass
class Application:
    path: str
    pool: str
    physical_path: str
    enabled_protocols: str = "http"
    vdirs: list[VirtualDirectory] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.path.strip("/") or "/"


@dataclass
class Authentication:
    anonymous: bool | None = None
    basic: bool | None = None
    windows: bool | None = None
    ssl_flags: str = ""


@dataclass
class Site:
    id: int
    name: str
    physical_path: str
    bindings: list[Binding] = field(default_factory=list)
    applications: list[Application] = field(default_factory=list)
    folders: list[str] = field(default_factory=list)
    state: str = STARTED
    server_auto_start: bool = True

    def application(self, path: str) -> Application | None:
        path = "/" + path.strip("/")
        for app in self.applications:
            if app.path.lower() == path.lower():
                return app
        return None

    def application_for(self, url_path: str) -> Application | None:
        """The application that serves a URL path (the longest matching application path)."""
        p = "/" + url_path.strip("/").lower()
        best = None
        for app in self.applications:
            a = app.path.lower().rstrip("/")
            if p == a or p.startswith(a + "/") or a == "":
                if best is None or len(app.path) > len(best.path):
                    best = app
        return best

    def web_bindings(self, protocol: str | None = None) -> list[Binding]:
        return [b for b in self.bindings if b.is_web and (protocol is None or b.protocol == protocol)]


@dataclass
class AppPool:
    name: str
    runtime: str = "v4.0"
    pipeline: str = "Integrated"
    identity: str = "ApplicationPoolIdentity"
    queue_length: int = 1000
    auto_start: bool = True
    periodic_restart: str = "1.05:00:00"
    disallow_overlapping: bool = False
    state: str = STARTED
    worker_pid: int | None = None


@dataclass
class PendingChange:
    """A configuration change held by the IIS Admin Service (inetinfo) and not yet saved.

    A graceful stop saves it; a forced termination loses it (the lab's model of why
    ``iisreset /noforce`` is preferred). ``undo`` restores the value before the change.
    """
    description: str
    location: str
    attribute: str
    before: object
    after: object


@dataclass
class IIS:
    sites: list[Site] = field(default_factory=list)
    pools: list[AppPool] = field(default_factory=list)
    auth: dict[tuple[str, str], Authentication] = field(default_factory=dict)
    pending: list[PendingChange] = field(default_factory=list)

    def site(self, name: str) -> Site | None:
        for s in self.sites:
            if s.name.lower() == name.lower():
                return s
        return None

    def site_by_id(self, site_id: int) -> Site | None:
        return next((s for s in self.sites if s.id == site_id), None)

    def pool(self, name: str) -> AppPool | None:
        for p in self.pools:
            if p.name.lower() == name.lower():
                return p
        return None

    def applications_in(self, pool: str) -> list[tuple[Site, Application]]:
        return [(s, a) for s in self.sites for a in s.applications if a.pool.lower() == pool.lower()]

    def sites_on_port(self, port: int, protocol: str = "https") -> list[Site]:
        return [s for s in self.sites if any(b.port == port and b.protocol == protocol for b in s.web_bindings())]

    def authentication(self, site: str, path: str) -> Authentication:
        """Effective authentication at a location: the nearest setting up the path wins."""
        segs = [seg for seg in path.strip("/").split("/") if seg]
        eff = Authentication()
        for depth in range(len(segs) + 1):
            loc = (site.lower(), ("/" + "/".join(segs[:depth])).lower())
            a = self.auth.get(loc)
            if a is None:
                continue
            for attr in ("anonymous", "basic", "windows"):
                if getattr(a, attr) is not None:
                    setattr(eff, attr, getattr(a, attr))
            if a.ssl_flags:
                eff.ssl_flags = a.ssl_flags
        return eff
