"""The WebAdministration module's cmdlets: sites, bindings, applications, pools, configuration."""
from __future__ import annotations

from casl.model.iis import STARTED, STOPPED, Binding
from casl.model.server import set_authentication
from casl.shell import iisobjects as io
from casl.shell.objects import Column, PSObject, TableView
from casl.shell.registry import Param, command

WA = "WebAdministration"
PROV = "Microsoft.IIs.PowerShell.Provider."
VALUE_VIEW = TableView((Column("Value", "Value", None),))
HR_INVALID_OBJECT = "The object identifier does not represent a valid object. (Exception from HRESULT: 0x800710D8)"
HR_ALREADY_EXISTS = "Cannot create a file when that file already exists. (Exception from HRESULT: 0x800700B7)"


def _site_or_error(ctx, name: str, param: str = "Name"):
    site = ctx.server.iis.site(name)
    if site is None:
        ctx.error(f"Cannot find path 'IIS:\\Sites\\{name}' because it does not exist.", category="ObjectNotFound",
                  target=f"IIS:\\Sites\\{name}", exception="ItemNotFoundException", error_id="PathNotFound",
                  token=ctx.token(param))
    return site


def _pool_or_error(ctx, name: str):
    pool = ctx.server.iis.pool(name)
    if pool is None:
        ctx.error(f"Cannot find path 'IIS:\\AppPools\\{name}' because it does not exist.",
                  category="ObjectNotFound", target=f"IIS:\\AppPools\\{name}", exception="ItemNotFoundException",
                  error_id="PathNotFound", token=ctx.token("Name"))
    return pool


def _names(args, items, key="Name") -> list[str]:
    if args.get(key) is not None:
        v = args[key]
        return v if isinstance(v, list) else [v]
    return [o.get("name") or o.get("Name") for o in items if isinstance(o, PSObject)]


@command("Get-Website", module=WA, params=[Param("Name", "string", position=0)],
         net_class=PROV + "GetWebsiteCommand")
def get_website(ctx, args, items):
    """The web sites, with ID, state, physical path and bindings."""
    name = args.get("Name")
    sites = sorted(ctx.server.iis.sites, key=lambda s: s.id)
    if name:
        import fnmatch
        sites = [s for s in sites if fnmatch.fnmatch(s.name.lower(), name.lower())]
    return [io.site_object(ctx.server, s) for s in sites]


@command("Get-WebsiteState", module=WA, params=[Param("Name", "string", position=0)],
         net_class=PROV + "GetWebsiteStateCommand")
def get_website_state(ctx, args, items):
    """Whether a site is started."""
    site = _site_or_error(ctx, args.get("Name") or "")
    return [PSObject("casl.IIS.State", {"Value": ctx.server.site_state(site)}, VALUE_VIEW)] if site else []


@command("Get-WebBinding", module=WA, params=[
    Param("Name", "string", position=0), Param("Protocol", "string"), Param("Port", "uint32"),
    Param("IPAddress", "string"), Param("HostHeader", "string")], net_class=PROV + "GetWebBindingCommand")
def get_web_binding(ctx, args, items):
    """Bindings of one site (-Name) or of every site."""
    out = []
    for site in sorted(ctx.server.iis.sites, key=lambda s: s.id):
        if args.get("Name") and site.name.lower() != args["Name"].lower():
            continue
        for b in site.bindings:
            if args.get("Protocol") and b.protocol.lower() != args["Protocol"].lower():
                continue
            if "Port" in args and b.port != args["Port"]:
                continue
            if args.get("IPAddress") and b.ip != args["IPAddress"] and not (args["IPAddress"] == "*" and b.ip == "*"):
                continue
            if args.get("HostHeader") is not None and "HostHeader" in args and b.host.lower() != args["HostHeader"].lower():
                continue
            out.append(io.binding_object(ctx.server, site, b))
    return out


def _binding_info(args) -> str:
    ip = args.get("IPAddress") or "*"
    port = args.get("Port", 80)
    return f"{ip}:{port}:{args.get('HostHeader') or ''}"


def _changed(ctx) -> None:
    ctx.lab.note_change(ctx.server.name)


@command("New-WebBinding", module=WA, changes_state=True, params=[
    Param("Name", "string", position=0), Param("Protocol", "string"), Param("Port", "uint32"),
    Param("IPAddress", "string"), Param("HostHeader", "string"), Param("SslFlags", "int"), Param("Force", "switch")],
    net_class=PROV + "NewWebBindingCommand")
def new_web_binding(ctx, args, items):
    """Add a binding to a site (default: http *:80:)."""
    site = _site_or_error(ctx, args.get("Name") or "Default Web Site")
    if site is None:
        return []
    proto = (args.get("Protocol") or "http").lower()
    info = _binding_info(args)
    if any(b.protocol == proto and b.binding_information.lower() == info.lower() for b in site.bindings):
        ctx.error(f"Cannot add duplicate collection entry of type 'binding' with combined key attributes "
                  f"'protocol, bindingInformation' respectively set to '{proto}, {info}'", category="InvalidData",
                  exception="COMException", error_id="NewWebBindingError", terminating=True)
    site.bindings.append(Binding(proto, info, args.get("SslFlags", 0)))
    _changed(ctx)
    return []


@command("Set-WebBinding", module=WA, changes_state=True, params=[
    Param("Name", "string", position=0, mandatory=True), Param("BindingInformation", "string", position=1),
    Param("PropertyName", "string", position=2, mandatory=True,
          values=("Port", "IPAddress", "HostHeader", "BindingInformation", "Protocol", "SslFlags")),
    Param("Value", "string", position=3, mandatory=True), Param("Protocol", "string"), Param("Port", "uint32"),
    Param("IPAddress", "string"), Param("HostHeader", "string")], net_class=PROV + "SetWebBindingCommand")
def set_web_binding(ctx, args, items):
    """Change one property of an existing binding."""
    site = _site_or_error(ctx, args["Name"])
    if site is None:
        return []
    want = args.get("BindingInformation")
    matches = [b for b in site.bindings if (want is None or b.binding_information.lower() == want.lower()
                                            or (want.startswith("*:") and b.binding_information == want[1:]))
               and (not args.get("Protocol") or b.protocol == args["Protocol"].lower())
               and ("Port" not in args or b.port == args["Port"])
               and (not args.get("IPAddress") or b.ip == args["IPAddress"])]
    matches = [b for b in matches if b.is_web]
    if not matches:
        ctx.error("Cannot find the binding to change.", category="ObjectNotFound", target=want or "",
                  exception="ArgumentException", error_id="SetWebBindingError", terminating=True)
    prop, value = args["PropertyName"], args["Value"]
    for b in matches[:1]:
        ip, port, host = b.ip, b.port, b.host
        if prop == "Port":
            if not value.isdigit() or not 0 < int(value) < 65536:
                ctx.error(f"'{value}' is not a valid port number.", category="InvalidArgument",
                          exception="ArgumentException", error_id="SetWebBindingError", token=ctx.token("Value"),
                          terminating=True)
            port = int(value)
        elif prop == "IPAddress":
            ip = value
        elif prop == "HostHeader":
            host = value
        elif prop == "Protocol":
            b.protocol = value.lower()
            continue
        elif prop == "SslFlags":
            b.ssl_flags = int(value) if value.isdigit() else 0
            continue
        else:
            b.binding_information = value
            continue
        written_ip = "" if (ip == "*" and b.binding_information.startswith(":")) else ip
        b.binding_information = f"{written_ip}:{port}:{host}"
    _changed(ctx)
    return []


@command("Remove-WebBinding", module=WA, changes_state=True, params=[
    Param("Name", "string", position=0), Param("Protocol", "string"), Param("Port", "uint32"),
    Param("IPAddress", "string"), Param("HostHeader", "string"), Param("BindingInformation", "string"),
    Param("InputObject", "object", pipeline=True)], net_class=PROV + "RemoveWebBindingCommand")
def remove_web_binding(ctx, args, items):
    """Remove matching bindings from a site (or the bindings piped in)."""
    targets: list[tuple] = [o.source for o in items if isinstance(o, PSObject) and isinstance(o.source, tuple)
                            and len(o.source) == 2 and isinstance(o.source[1], Binding)]
    if not items:
        site = _site_or_error(ctx, args.get("Name") or "Default Web Site")
        if site is None:
            return []
        for b in site.bindings:
            if args.get("BindingInformation") and b.binding_information.lower() != args["BindingInformation"].lower():
                continue
            if args.get("Protocol") and b.protocol != args["Protocol"].lower():
                continue
            if "Port" in args and b.port != args["Port"]:
                continue
            if args.get("IPAddress") and b.ip != args["IPAddress"]:
                continue
            if "HostHeader" in args and b.host.lower() != (args["HostHeader"] or "").lower():
                continue
            targets.append((site, b))
    for site, b in targets:
        if b in site.bindings:
            site.bindings.remove(b)
    if targets:
        _changed(ctx)
    return []


@command("Get-WebApplication", module=WA, params=[Param("Name", "string", position=0), Param("Site", "string")],
         net_class=PROV + "GetWebApplicationCommand")
def get_web_application(ctx, args, items):
    """Applications (not site roots), with their pools and physical paths."""
    out = []
    for site in sorted(ctx.server.iis.sites, key=lambda s: s.id):
        if args.get("Site") and site.name.lower() != args["Site"].lower():
            continue
        for app in site.applications:
            if app.path == "/":
                continue
            if args.get("Name") and app.name.lower() != args["Name"].strip("/").lower():
                continue
            out.append(io.application_object(ctx.server, site, app))
    return out


@command("Get-WebAppPoolState", module=WA, params=[Param("Name", "strings", position=0)],
         net_class=PROV + "GetAppPoolStateCommand")
def get_web_app_pool_state(ctx, args, items):
    """Whether each named pool is started."""
    names = args.get("Name") or [p.name for p in ctx.server.iis.pools]
    out = []
    for n in names:
        pool = _pool_or_error(ctx, n)
        if pool:
            out.append(PSObject("casl.IIS.State", {"Value": ctx.server.pool_state(pool)}, VALUE_VIEW))
    return out


def _site_state_change(ctx, args, items, state: str):
    for name in _names(args, items):
        site = _site_or_error(ctx, name)
        if site is None:
            continue
        if state == STARTED:
            clash = ctx.server.binding_conflict(site)
            if clash:
                ctx.error(HR_ALREADY_EXISTS, category="InvalidOperation", exception="COMException",
                          error_id="InvalidOperation")
                continue
        ctx.server.set_site_state(site.name, state)
        _changed(ctx)
    return []


@command("Start-Website", module=WA, changes_state=True, params=[
    Param("Name", "strings", position=0), Param("Passthru", "switch")], net_class=PROV + "StartWebsiteCommand")
def start_website(ctx, args, items):
    """Start a site: it listens on its bindings again."""
    return _site_state_change(ctx, args, items, STARTED)


@command("Stop-Website", module=WA, changes_state=True, params=[
    Param("Name", "strings", position=0), Param("Passthru", "switch")], net_class=PROV + "StopWebsiteCommand")
def stop_website(ctx, args, items):
    """Stop a site: its bindings stop answering; pools and other sites are untouched."""
    return _site_state_change(ctx, args, items, STOPPED)


def _pool_op(ctx, args, items, op: str):
    for name in _names(args, items):
        pool = _pool_or_error(ctx, name)
        if pool is None:
            continue
        stopped = ctx.server.pool_state(pool) == STOPPED
        if op == "start":
            if not ctx.server.service_running("WAS"):
                ctx.error(HR_INVALID_OBJECT, category="InvalidOperation", exception="COMException",
                          error_id="InvalidOperation")
                continue
            ctx.server.set_pool_state(pool.name, STARTED)
        elif stopped:
            ctx.error(HR_INVALID_OBJECT, category="InvalidOperation", exception="COMException",
                      error_id="InvalidOperation")
            continue
        elif op == "stop":
            ctx.server.set_pool_state(pool.name, STOPPED)
        else:
            ctx.server.recycle_pool(pool.name)
        _changed(ctx)
    return []


@command("Start-WebAppPool", module=WA, changes_state=True, params=[
    Param("Name", "strings", position=0), Param("Passthru", "switch")], net_class=PROV + "StartAppPoolCommand")
def start_web_app_pool(ctx, args, items):
    """Start a pool: a new w3wp.exe serves its applications."""
    return _pool_op(ctx, args, items, "start")


@command("Stop-WebAppPool", module=WA, changes_state=True, params=[
    Param("Name", "strings", position=0), Param("Passthru", "switch")], net_class=PROV + "StopAppPoolCommand")
def stop_web_app_pool(ctx, args, items):
    """Stop a pool: its applications answer 503 on every site that uses it."""
    return _pool_op(ctx, args, items, "stop")


@command("Restart-WebAppPool", module=WA, changes_state=True, params=[
    Param("Name", "strings", position=0), Param("Passthru", "switch")], net_class=PROV + "RestartAppPoolCommand")
def restart_web_app_pool(ctx, args, items):
    """Recycle a pool: a new w3wp.exe (new PID) replaces the old one."""
    return _pool_op(ctx, args, items, "recycle")


AUTH_SECTIONS = {
    "anonymousauthentication": "anonymous", "basicauthentication": "basic", "windowsauthentication": "windows",
}


def _auth_section(ctx, flt: str):
    key = flt.strip("/").split("/")[-1].lower()
    attr = AUTH_SECTIONS.get(key)
    if attr is None:
        ctx.error(f"The lab models the authentication sections only (anonymousAuthentication, "
                  f"basicAuthentication, windowsAuthentication); '{flt}' is not one of them.",
                  category="InvalidArgument", exception="ArgumentException", error_id="InvalidFilter",
                  token=ctx.token("Filter"), terminating=True)
    return attr


def _location(ctx, args) -> str:
    pspath = args.get("PSPath") or "IIS:\\"
    loc = args.get("Location") or ""
    if pspath.lower().startswith("iis:\\sites\\"):
        loc = pspath[len("IIS:\\Sites\\"):].replace("\\", "/") + ("/" + loc if loc else "")
    site, _, path = loc.partition("/")
    if not site or ctx.server.iis.site(site) is None:
        ctx.error(f"Cannot find the location '{loc}'; give -Location 'Site Name/path' (for example "
                  f"'Default Web Site/owa').", category="ObjectNotFound", exception="ArgumentException",
                  error_id="LocationNotFound", terminating=True)
    return f"{ctx.server.iis.site(site).name}/{path.strip('/')}"


@command("Get-WebConfigurationProperty", module=WA, params=[
    Param("Filter", "string", position=0, mandatory=True), Param("Name", "string", position=1, mandatory=True),
    Param("PSPath", "string", aliases=("Path",)), Param("Location", "string")],
    net_class=PROV + "GetConfigurationPropertyCommand")
def get_web_configuration_property(ctx, args, items):
    """Read the 'enabled' setting of an authentication section at a location."""
    attr = _auth_section(ctx, args["Filter"])
    loc = _location(ctx, args)
    site, _, path = loc.partition("/")
    value = getattr(ctx.server.iis.authentication(site, "/" + path), attr)
    return [PSObject("Microsoft.IIs.PowerShell.Framework.ConfigurationAttribute", {
        "Name": "enabled", "TypeName": "System.Boolean", "Value": bool(value), "IsInheritedFromDefaultValue": False,
    }, TableView((Column("Name", "Name", None), Column("Value", "Value", None))))] if args["Name"].lower() in (
        "enabled", "value") else []


@command("Set-WebConfigurationProperty", module=WA, changes_state=True, params=[
    Param("Filter", "string", position=0, mandatory=True), Param("Name", "string", position=1, mandatory=True),
    Param("Value", "object", position=2, mandatory=True), Param("PSPath", "string", aliases=("Path",)),
    Param("Location", "string")], net_class=PROV + "SetConfigurationPropertyCommand")
def set_web_configuration_property(ctx, args, items):
    """Turn an authentication method on or off at a location (held by IIS Admin until saved)."""
    attr = _auth_section(ctx, args["Filter"])
    loc = _location(ctx, args)
    v = args["Value"]
    value = v if isinstance(v, bool) else str(v).lower() in ("true", "1")
    set_authentication(ctx.server, loc, attr, value)
    _changed(ctx)
    return []
