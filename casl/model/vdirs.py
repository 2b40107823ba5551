"""Exchange's virtual directory objects (the Active Directory side) and the IIS applications they own.

Each object is named ``<vdir> (<web site>)`` and identified as ``Server\\name``; it keeps the settings
Exchange stores in AD (URLs, authentication flags) and points at its IIS application by a
metabase path. Removing one removes both halves; re-creating one gives setup's defaults back and
the new application serves only after IIS restarts (a recycle of its pool or ``iisreset``).

>>> from casl.labs import open_lab
>>> lab = open_lab("single-server", state=None)
>>> v = find(lab.server("ServerA"), "owa", "Default Web Site")
>>> v.identity, metabase_path(lab.server("ServerA"), v)
('SERVERA\\\\owa (Default Web Site)', 'IIS://ServerA.contoso.com/W3SVC/1/ROOT/owa')
"""
from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from casl.errors import LabError
from casl.facts import iis as ifacts
from casl.facts import vdirs as vf


@dataclass
class ExchangeVdir:
    """One AD virtual directory object (``CN=owa (Default Web Site),CN=HTTP,CN=Protocols,CN=ServerA,...``)."""
    key: str                      # facts.vdirs kind ("owa")
    server: str                   # NetBIOS name, as Exchange shows it ("ServerA")
    site: str                     # IIS site it lives in
    settings: dict[str, object]
    guid: str
    created: datetime
    changed: datetime
    app_path: str                 # IIS application path ("/owa")
    # (pool, worker PID) when the object was re-created: it serves once that pool has a new worker.
    restart_mark: tuple[str, int | None] | None = None

    @property
    def kind(self) -> vf.VdirKind:
        return vf.KIND[self.key]

    @property
    def name(self) -> str:
        return f"{self.kind.name} ({self.site})"

    @property
    def identity(self) -> str:
        # the server's AD object is named with its NetBIOS name in capitals, as the real export shows
        return f"{self.server.upper()}\\{self.name}"

    @property
    def role(self) -> str:
        return "ClientAccess" if self.site == vf.DWS else "Mailbox"


@dataclass
class VdirStore:
    """A server's virtual directory objects, in creation order."""
    items: list[ExchangeVdir] = field(default_factory=list)
    generation: int = 0           # counts objects ever made here (new GUIDs for re-created objects)


def _guid(*parts: object) -> str:
    # Stable per lab: a hash of who and what, never the lab's random source (that would move PIDs).
    h = hashlib.sha256("|".join(map(str, parts)).encode()).digest()[:16]
    return str(uuid.UUID(bytes=h, version=4))


def new_object(server, key: str, site: str, when: datetime, settings: dict | None = None) -> ExchangeVdir:
    """Make (not store) a virtual directory object with setup's defaults."""
    store: VdirStore = server.vdirs
    store.generation += 1
    kind = vf.KIND[key]
    s = vf.default_settings(key, site, server.fqdn)
    s.update(settings or {})
    return ExchangeVdir(key, server.name, site, s, _guid(server.fqdn, kind.name, site, store.generation), when, when,
                        "/" + kind.name)


_INSTALL_AGE = timedelta(days=120)     # the same "installed some months ago" as the certificates


def build_vdirs(server) -> VdirStore:
    """The objects setup creates on a multi-role 2013 CU6 server (facts 2.6)."""
    server.vdirs = VdirStore()
    installed = server.clock.start.replace(hour=0, minute=0, second=0) - _INSTALL_AGE
    for kind in vf.KINDS:
        for site in kind.sites:
            server.vdirs.items.append(new_object(server, kind.key, site, installed))
    return server.vdirs




def find(server, key: str, site: str) -> ExchangeVdir | None:
    return next((v for v in server.vdirs.items if v.key == key and v.site.lower() == site.lower()), None)


def metabase_path(server, v: ExchangeVdir) -> str:
    return f"IIS://{server.fqdn}/W3SVC/{vf.SITE_IDS[v.site]}/ROOT/{v.kind.name}"


def distinguished_name(server, v: ExchangeVdir) -> str:
    dom = ",".join(f"DC={p}" for p in server.domain.split("."))
    return (f"CN={v.name},CN=HTTP,CN=Protocols,CN={server.name.upper()},CN=Servers,{vf.ADMIN_GROUP},"
            f"CN={vf.ORG_NAME},CN=Microsoft Exchange,CN=Services,CN=Configuration,{dom}")


def parse_identity(text: str) -> tuple[str | None, str, str | None]:
    r"""Split ``Server\owa (Default Web Site)`` into (server, vdir name, site); parts may be missing.

    >>> parse_identity(r"ServerA\owa (Exchange Back End)")
    ('ServerA', 'owa', 'Exchange Back End')
    >>> parse_identity("owa")
    (None, 'owa', None)
    """
    server, _, rest = text.rpartition("\\")
    rest = rest.strip()
    site = None
    if rest.endswith(")") and " (" in rest:
        rest, _, site = rest[:-1].partition(" (")
    return (server or None, rest.strip(), site)


def rows(server) -> list[dict[str, object]]:
    """One plain row per object, sorted (for a DataFrame view: ``pandas.DataFrame(rows(server))``).

    >>> from casl.labs import open_lab
    >>> rows(open_lab("single-server", state=None).server("ServerA"))[0]["Identity"]
    'SERVERA\\\\Autodiscover (Default Web Site)'
    """
    out = []
    for v in server.vdirs.items:
        app = iis_app(server, v)
        out.append({"Identity": v.identity, "Server": v.server, "Site": v.site, "Name": v.name,
                    "InternalUrl": v.settings.get("InternalUrl"), "ExternalUrl": v.settings.get("ExternalUrl"),
                    "MetabasePath": metabase_path(server, v), "AppPool": app.pool if app else None,
                    "Path": app.physical_path if app else None, "IISApplication": app is not None,
                    "NeedsRestart": needs_restart(server, v)})
    return sorted(out, key=lambda r: (r["Site"] != vf.DWS, r["Name"].lower()))


# --- the IIS half -------------------------------------------------------------------------------

def owned_apps(site: str, app_path: str) -> list[ifacts.AppFact]:
    """The IIS applications a virtual directory object owns on a fresh server (itself and below)."""
    p = app_path.lower()
    return [a for a in ifacts.APPLICATIONS if a.site == site and (a.path.lower() == p or a.path.lower()
                                                                 .startswith(p + "/"))]


def iis_app(server, v: ExchangeVdir):
    site = server.iis.site(v.site)
    return site.application(v.app_path) if site else None


def remove_iis(server, site_name: str, app_path: str) -> bool:
    """Delete an application, the applications below it and their authentication settings."""
    site = server.iis.site(site_name)
    if site is None:
        return False
    p = app_path.lower().rstrip("/")
    before = len(site.applications)
    site.applications = [a for a in site.applications if not (a.path.lower() == p or a.path.lower().startswith(p + "/"))]
    for key in [k for k in server.iis.auth if k[0] == site.name.lower() and (k[1] == p or k[1].startswith(p + "/"))]:
        del server.iis.auth[key]
    return len(site.applications) != before


def create_iis(server, v: ExchangeVdir, *, physical_path: str | None = None, pool: str | None = None) -> None:
    """Create the object's IIS applications with setup's pools, folders and authentication."""
    from casl.model.iis import Application, Authentication, VirtualDirectory
    site = server.iis.site(v.site)
    apps = owned_apps(v.site, v.app_path) or [ifacts.AppFact(v.site, v.app_path, pool or "DefaultAppPool",
                                                              physical_path or "")]
    for af in apps:
        own = af.path.lower() == v.app_path.lower()
        phys = (physical_path if own and physical_path else af.physical_path)
        app = Application(af.path, (pool if own and pool else af.pool), phys, af.enabled_protocols,
                          [VirtualDirectory("/", phys)])
        site.applications.append(app)
    p = v.app_path.lower()
    for auth in ifacts.AUTHENTICATION:
        ap = auth.path.lower()
        if auth.site == v.site and (ap == p or ap.startswith(p + "/")):
            server.iis.auth[(auth.site.lower(), ap)] = Authentication(auth.anonymous, auth.basic, auth.windows,
                                                                      auth.ssl_flags)
    # /owa/auth is a folder with its own authentication (vdirs.csv), not in the applications table
    for s, path in ((vf.DWS, "/owa/auth"), (vf.BE, "/owa/auth")):
        if s == v.site and path.startswith(p + "/"):
            server.iis.auth[(s.lower(), path)] = Authentication(True, None, None, "")


def mark_restart(server, v: ExchangeVdir) -> None:
    app = iis_app(server, v)
    if app is None:
        return
    pool = server.iis.pool(app.pool)
    v.restart_mark = (app.pool, pool.worker_pid if pool else None)


def needs_restart(server, v: ExchangeVdir) -> bool:
    """True while a re-created directory waits for IIS to restart (its pool has the same worker).

    The request flow can ask this for the application a URL lands in (see :func:`for_url`).
    """
    if v.restart_mark is None:
        return False
    pool = server.iis.pool(v.restart_mark[0])
    if pool is not None and pool.worker_pid is not None and pool.worker_pid != v.restart_mark[1]:
        v.restart_mark = None       # served once: PIDs never come back, so the mark can go
        return False
    return True


def for_url(server, site: str, url_path: str) -> ExchangeVdir | None:
    """The virtual directory object whose application serves ``url_path`` on ``site``."""
    p = "/" + url_path.strip("/").lower()
    best = None
    for v in server.vdirs.items:
        a = v.app_path.lower()
        if v.site.lower() == site.lower() and (p == a or p.startswith(a + "/")):
            if best is None or len(a) > len(best.app_path):
                best = v
    return best


# --- operations ---------------------------------------------------------------------------------

class VdirError(LabError):
    """An Exchange refusal; ``kind`` says which (exists, remnant, notfound)."""

    def __init__(self, message: str, kind: str):
        super().__init__(message)
        self.kind = kind


def remove(server, v: ExchangeVdir, *, iis: bool = True) -> None:
    """Remove-*VirtualDirectory: the AD object and (unless ``iis=False``, an ADSI edit) its application."""
    server.vdirs.items.remove(v)
    if iis:
        remove_iis(server, v.site, v.app_path)


def create(server, key: str, site: str, when: datetime, *, settings: dict | None = None,
           physical_path: str | None = None, pool: str | None = None) -> ExchangeVdir:
    """New-*VirtualDirectory: a fresh object with defaults and its IIS applications.

    Raises :class:`VdirError` when the object exists, or when IIS still has the application
    (the metabase remnant that makes re-creation fail).
    """
    kind = vf.KIND[key]
    if find(server, key, site) is not None:
        raise VdirError(f"The virtual directory '{kind.name}' already exists under '{server.fqdn}/{site}'."
                        f"\r\nParameter name: VirtualDirectoryName", "exists")
    iis_site = server.iis.site(site)
    if iis_site is None:
        raise VdirError(f"The Web site '{site}' doesn't exist on server '{server.name}'.", "nosite")
    if iis_site.application("/" + kind.name) is not None:
        path = f"IIS://{server.fqdn}/W3SVC/{iis_site.id}/ROOT/{kind.name}"
        raise VdirError(f"An error occurred while creating the IIS virtual directory '{path}' on '{server.name}'.",
                        "remnant")
    v = new_object(server, key, site, when, settings)
    server.vdirs.items.append(v)
    create_iis(server, v, physical_path=physical_path, pool=pool)
    mark_restart(server, v)
    return v
