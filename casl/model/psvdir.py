"""The PowerShell virtual directory: IIS modules, folder permissions, anti-virus exclusions, and whether
the Exchange Management Shell can open a session.

The Exchange Management Shell is a remote PowerShell session to ``http://<server>/PowerShell``: the
front end's PowerShell application authenticates with the native ``kerbauth`` module and proxies to
the back end's PowerShell application on 444, where the native ``WSMan`` module runs the session.
:func:`remote_shell_status` walks that path and says what WinRM would report (facts sheet 4.2).

>>> from casl.labs import open_lab
>>> lab = open_lab("single-server", state=None)
>>> remote_shell_status(lab, "ServerA").ok
True
>>> remove_global_module(lab.server("ServerA"), "kerbauth")
>>> remote_shell_status(lab, "ServerA").code
'content-type'
"""
from __future__ import annotations

from dataclasses import dataclass, field

from casl.facts import vdirs as vf


@dataclass
class ModuleEntry:
    """An ``<add>`` (or ``<remove>``/``<clear>``) in a ``<modules>`` section."""
    action: str                  # add | remove | clear
    name: str = ""
    type: str = ""               # "" = native
    precondition: str = ""
    lock_item: bool = False


@dataclass
class GlobalModule:
    name: str
    image: str
    precondition: str = ""


@dataclass
class WebModules:
    """``<globalModules>`` and every ``<modules>`` section, by location ("" = server level)."""
    global_modules: list[GlobalModule] = field(default_factory=list)
    sections: dict[str, list[ModuleEntry]] = field(default_factory=dict)

    def registered(self, name: str) -> GlobalModule | None:
        return next((g for g in self.global_modules if g.name.lower() == name.lower()), None)

    def section(self, location: str) -> list[ModuleEntry]:
        return self.sections.setdefault(_loc(location), [])

    def effective(self, location: str) -> list[ModuleEntry]:
        """The modules that run at ``location`` ("Default Web Site/PowerShell"), in order."""
        loc = _loc(location)
        parts = [p for p in loc.split("/") if p]
        chain = [""] + ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]
        out: list[ModuleEntry] = []
        for c in chain:
            for e in self.sections.get(c, []):
                if e.action == "clear":
                    out = []
                elif e.action == "remove":
                    out = [m for m in out if m.name.lower() != e.name.lower()]
                elif not any(m.name.lower() == e.name.lower() for m in out):
                    out.append(e)
        return out

    def defined_at(self, location: str, name: str) -> bool:
        return any(e.action == "add" and e.name.lower() == name.lower() for e in self.sections.get(_loc(location), []))


def _loc(location: str) -> str:
    # canonical key: site names keep their case from the facts; lookups ignore case
    loc = location.replace("\\", "/").strip("/")
    for s in (vf.DWS, vf.BE):
        if loc.lower() == s.lower() or loc.lower().startswith(s.lower() + "/"):
            rest = loc[len(s):].strip("/")
            for app in ("PowerShell",):
                if rest.lower() == app.lower():
                    rest = app
            return s + ("/" + rest if rest else "")
    return loc


@dataclass
class HostSecurity:
    """Folder permissions that differ from the default, and the anti-virus exclusion list."""
    acl_changes: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)  # folder -> ACEs
    av_exclusions: list[str] = field(default_factory=list)

    def acl(self, folder: str) -> list[tuple[str, str, str]]:
        return self.acl_changes.get(folder.lower().rstrip("\\"), list(vf.DEFAULT_ACL))

    def set_acl(self, folder: str, aces: list[tuple[str, str, str]]) -> None:
        self.acl_changes[folder.lower().rstrip("\\")] = aces


@dataclass
class PSVdir:
    modules: WebModules
    security: HostSecurity
    # physical paths of the PowerShell applications are on the IIS applications themselves


def build_psvdir(server) -> PSVdir:
    """Modules, permissions and exclusions as on a fresh multi-role 2013 server (facts 4.1)."""
    wm = WebModules([GlobalModule(n, img, pre) for n, img, pre in vf.GLOBAL_MODULES])
    wm.sections[""] = [ModuleEntry("add", m.name, m.type, m.precondition, lock_item=not m.type)
                       for m in vf.SERVER_MODULES]
    for loc, (removes, adds) in vf.PS_MODULES.items():
        wm.sections[loc] = [ModuleEntry("remove", n) for n in removes] + [
            ModuleEntry("add", m.name, m.type, m.precondition) for m in adds]
    return PSVdir(wm, HostSecurity(av_exclusions=list(vf.AV_EXCLUSIONS)))


# --- changes (what the shell commands call) -------------------------------------------------------

def remove_global_module(server, name: str) -> None:
    """``Remove-WebGlobalModule``: unregister a native module and remove it from the server's list."""
    wm = server.psvdir.modules
    wm.global_modules = [g for g in wm.global_modules if g.name.lower() != name.lower()]
    wm.sections[""] = [e for e in wm.section("") if e.name.lower() != name.lower()]


def add_global_module(server, name: str, image: str, precondition: str = "", *, enable: bool = False) -> None:
    """``New-WebGlobalModule`` (register only) or ``appcmd install module`` (register and enable)."""
    wm = server.psvdir.modules
    wm.global_modules.append(GlobalModule(name, image, precondition))
    if enable:
        wm.section("").append(ModuleEntry("add", name))


def enable_module(server, location: str, name: str, type_: str = "", precondition: str = "") -> None:
    """Add a module at a location (``Enable-WebGlobalModule -PSPath``, ``appcmd add module``)."""
    sec = server.psvdir.modules.section(location)
    sec[:] = [e for e in sec if not (e.action == "remove" and e.name.lower() == name.lower())]
    sec.append(ModuleEntry("add", name, type_, precondition))


def disable_module(server, location: str, name: str) -> bool:
    """Remove a module at a location: drop the local ``<add>``, or write a ``<remove>`` for an inherited one."""
    wm = server.psvdir.modules
    sec = wm.section(location)
    if any(e.action == "add" and e.name.lower() == name.lower() for e in sec):
        sec[:] = [e for e in sec if not (e.action == "add" and e.name.lower() == name.lower())]
        return True
    if any(m.name.lower() == name.lower() for m in wm.effective(location)):
        sec.append(ModuleEntry("remove", name))
        return True
    return False


# --- the Exchange Management Shell's path --------------------------------------------------------

@dataclass(frozen=True)
class ShellStatus:
    ok: bool
    code: str = ""               # key of facts.vdirs.WINRM_ERRORS
    reason: str = ""             # what is wrong, in the lab's words (for hints and tests)

    @property
    def message(self) -> str:
        return vf.WINRM_ERRORS[self.code][1] if self.code else ""

    @property
    def error_id(self) -> str:
        return vf.WINRM_ERRORS[self.code][0] if self.code else ""


def _native_ok(server, location: str, name: str) -> str:
    """"" when ``name`` runs at ``location`` as the native module it must be, else why not."""
    wm = server.psvdir.modules
    entry = next((m for m in wm.effective(location) if m.name.lower() == name.lower()), None)
    if entry is None:
        return f"{name} is not in the modules of {location}"
    if wm.registered(name) is None:
        # without a <globalModules> entry IIS takes the name for a managed module (KB 2028305)
        return f"{name} is not registered in <globalModules>, so it shows as a managed module on {location}"
    if entry.type:
        return f"{name} is added to {location} as a managed module (type {entry.type})"
    return ""


def _fails(code: str, reason: str) -> ShellStatus:
    return ShellStatus(False, code, reason)


def remote_shell_status(lab, server: str) -> ShellStatus:
    """Whether ``New-PSSession -ConnectionUri http://<server>/PowerShell/`` would open, and if not why.

    >>> from casl.labs import open_lab
    >>> remote_shell_status(open_lab("two-servers", state=None), "ServerB")
    ShellStatus(ok=True, code='', reason='')
    """
    from casl.model.iis import STARTED
    srv = lab.server(server)
    iis = srv.iis
    if not srv.web_running():
        # http.sys has no registration for http://+:80/ without W3SVC: it answers 404 itself
        return _fails("url", "W3SVC or WAS is not running, so no site has registered port 80 with http.sys")
    fe = iis.site(vf.DWS)
    # the shell connects to the server's name, which resolves to its address (not the loopback)
    if fe is None or srv.site_state(fe) != STARTED or not any(
            b.port == 80 and b.ip in ("*", srv.ipv4) and b.host.lower() in ("", srv.fqdn.lower(), srv.name.lower())
            for b in fe.web_bindings("http")):
        return _fails("url", "the Default Web Site does not listen for http://<server>/ on port 80")
    # Kerberos at the wrong level breaks the whole site's answers to WinRM (KB 2028305)
    for loc in ("", vf.DWS):
        if any(m.name.lower() == "kerbauth" for m in srv.psvdir.modules.effective(loc)):
            return _fails("content-type", f"kerbauth is enabled at {'server' if not loc else 'site'} level, not "
                                          f"only on the PowerShell application")
    app = fe.application("/PowerShell")
    if app is None:
        return _fails("url", "the Default Web Site has no PowerShell application")
    pool = iis.pool(app.pool)
    if pool is None or srv.pool_state(pool) != STARTED:
        return _fails("503", f"the front end's pool {app.pool} is stopped")
    flags = iis.authentication(vf.DWS, "/PowerShell").ssl_flags
    if "Ssl" in [f.strip() for f in flags.split(",")]:
        return _fails("403", "Require SSL is set on the front end's PowerShell application (EMS connects over http)")
    why = _native_ok(srv, vf.PS_FRONT, "kerbauth")
    if why:
        return _fails("content-type", why)
    if app.physical_path.lower().rstrip("\\") != vf.PS_FRONT_PATH.lower():
        return _fails("500", f"the front end's PowerShell physical path was changed to {app.physical_path}")
    if not _system_can_read(srv, app.physical_path):
        return _fails("500", f"NT AUTHORITY\\SYSTEM (the pool's identity) cannot read {app.physical_path}")
    missing = [m.name for m in vf.PS_MODULES[vf.PS_FRONT][1] if m.type and not any(
        e.name.lower() == m.name.lower() for e in srv.psvdir.modules.effective(vf.PS_FRONT))]
    if missing:
        return _fails("500", f"the front end's PowerShell application lacks {', '.join(missing)}")
    # The front end proxies to the back end's PowerShell application over 444 (facts 4.2, [S17]).
    be = iis.site(vf.BE)
    if be is None or srv.site_state(be) != STARTED or not be.web_bindings("https") or not any(
            b.port == 444 for b in be.web_bindings("https")):
        return _fails("500", "the Exchange Back End does not listen on 444")
    thumb = srv.ssl_certs.get("0.0.0.0:444", ("", ""))[0]
    if not thumb or srv.certificate(thumb) is None:
        return _fails("500", "there is no usable certificate on 0.0.0.0:444")
    bapp = be.application("/PowerShell")
    if bapp is None:
        return _fails("500", "the Exchange Back End has no PowerShell application")
    bpool = iis.pool(bapp.pool)
    if bpool is None or srv.pool_state(bpool) != STARTED:
        return _fails("refused", f"the back end's pool {bapp.pool} is stopped")
    why = _native_ok(srv, vf.PS_BACK, "WSMan")
    if why:
        return _fails("content-type", why)
    if bapp.physical_path.lower().rstrip("\\") != vf.PS_BACK_PATH.lower():
        return _fails("500", f"the back end's PowerShell physical path was changed to {bapp.physical_path}")
    if not _system_can_read(srv, bapp.physical_path):
        return _fails("500", f"NT AUTHORITY\\SYSTEM cannot read {bapp.physical_path}")
    return ShellStatus(True)


def _system_can_read(server, folder: str) -> bool:
    aces = server.psvdir.security.acl(folder)
    allowed = any(who.upper() in ("NT AUTHORITY\\SYSTEM", "BUILTIN\\ADMINISTRATORS") and kind == "Allow"
                  for who, kind, _ in aces)
    denied = any(who.upper() == "NT AUTHORITY\\SYSTEM" and kind == "Deny" for who, kind, _ in aces)
    return allowed and not denied
