"""Opening the Exchange Management Shell, the Exchange snap-in, and the PowerShell directory's
IIS modules, folder permissions and anti-virus exclusions.

``New-PSSession -ConfigurationName Microsoft.Exchange -ConnectionUri http://ServerA.contoso.com/PowerShell/``
then ``Import-PSSession $s`` is what the Exchange Management Shell shortcut does; it fails with
WinRM's errors when the PowerShell directory is broken (:func:`casl.model.psvdir.remote_shell_status`).
``Add-PSSnapin Microsoft.Exchange.Management.PowerShell.SnapIn`` loads the cmdlets locally instead.
"""
from __future__ import annotations

import ntpath
import re

from casl.facts import vdirs as vf
from casl.model import psvdir as pm
from casl.shell.commands.exchange_vdirs import exchange_state
from casl.shell.format import FormattedText
from casl.shell.objects import Column, ListView, PSObject, TableView
from casl.shell.registry import REGISTRY, Param, command

CORE = "Microsoft.PowerShell.Core"
WA = "WebAdministration"
SESSION_VIEW = TableView((Column("Id", "Id", 3, "right"), Column("Name", "Name", 15),
                          Column("ComputerName", "ComputerName", 15), Column("State", "State", 13),
                          Column("ConfigurationName", "ConfigurationName", 21),
                          Column("Availability", "Availability", None)))
MODULE_VIEW = TableView((Column("ModuleType", "ModuleType", 10), Column("Version", "Version", 10),
                         Column("Name", "Name", 35), Column("ExportedCommands", "ExportedCommands", None)))
GLOBAL_VIEW = TableView((Column("Name", "Name", 30), Column("Image", "Image", None)))
SNAPIN_VIEW = ListView(("Name", "PSVersion", "Description"))


# --- the Exchange Management Shell -------------------------------------------------------------

def _uri_host(uri: str) -> str:
    m = re.match(r"^https?://([^/:]+)", uri.strip(), re.I)
    return m.group(1) if m else ""


@command("New-PSSession", module=CORE, net_class="", params=[
    Param("ComputerName", "strings", position=0), Param("ConfigurationName", "string"),
    Param("ConnectionUri", "string"), Param("Authentication", "string",
                                            values=("Default", "Basic", "Negotiate", "NegotiateWithImplicitCredential",
                                                    "Credssp", "Digest", "Kerberos")),
    Param("Credential", "object"), Param("Name", "string"), Param("AllowRedirection", "switch"),
    Param("SessionOption", "object")])
def new_pssession(ctx, args, items):
    """Open a remote session; with -ConfigurationName Microsoft.Exchange, the Exchange Management Shell."""
    uri = args.get("ConnectionUri") or ""
    host = _uri_host(uri) or (args.get("ComputerName") or [""])[0]
    try:
        srv = ctx.lab.server(host.split(".")[0]) if host else None
    except Exception:
        srv = None
    if srv is None:
        ctx.error(f"Connecting to remote server {host} failed with the following error message : WinRM cannot "
                  f"process the request because the server name cannot be resolved. For more information, see the "
                  f"about_Remote_Troubleshooting Help topic.", category="OpenError",
                  target="System.Manageme....RemoteRunspace", target_type="RemoteRunspace",
                  exception="PSRemotingTransportException", error_id="-2144108103,PSSessionOpenFailed",
                  terminating=True)
    conf = args.get("ConfigurationName") or "Microsoft.PowerShell"
    if conf.lower() == "microsoft.exchange":
        status = pm.remote_shell_status(ctx.lab, srv.name)
        if not status.ok:
            ctx.error(f"[{host}] Connecting to remote server {host} failed with the following error message : "
                      f"{status.message}", category="OpenError", target="System.Manageme....RemoteRunspace",
                      target_type="RemoteRunspace", exception="PSRemotingTransportException",
                      error_id=f"{status.error_id},PSSessionOpenFailed", terminating=True)
    st = exchange_state(ctx.shell)
    n = st["next_id"]
    st["next_id"] += 1
    info = {"server": srv.name, "conf": conf, "id": n}
    st["sessions"].append(info)
    return [PSObject("System.Management.Automation.Runspaces.PSSession", {
        "Id": n, "Name": args.get("Name") or f"Session{n}", "ComputerName": host, "State": "Opened",
        "ConfigurationName": conf, "Availability": "Available"}, SESSION_VIEW, text=f"[PSSession]Session{n}",
        source=info)]


@command("Get-PSSession", module=CORE, params=[Param("Name", "strings", position=0)])
def get_pssession(ctx, args, items):
    """The remote sessions this console opened."""
    out = []
    for info in exchange_state(ctx.shell)["sessions"]:
        srv = ctx.lab.server(info["server"])
        out.append(PSObject("System.Management.Automation.Runspaces.PSSession", {
            "Id": info["id"], "Name": f"Session{info['id']}", "ComputerName": srv.fqdn.lower(), "State": "Opened",
            "ConfigurationName": info["conf"], "Availability": "Available"}, SESSION_VIEW, source=info))
    return out


@command("Import-PSSession", module="Microsoft.PowerShell.Utility", params=[
    Param("Session", "object", position=0, mandatory=True, pipeline=True), Param("AllowClobber", "switch"),
    Param("DisableNameChecking", "switch"), Param("CommandName", "strings"), Param("Prefix", "string")])
def import_pssession(ctx, args, items):
    """Bring a remote session's cmdlets into this console (the Exchange cmdlets, for Microsoft.Exchange)."""
    sess = args.get("Session")
    if sess is None and items:
        sess = items[0]
    if isinstance(sess, list):
        sess = sess[0] if sess else None
    info = sess.source if isinstance(sess, PSObject) else None
    if not isinstance(info, dict) or "server" not in info:
        ctx.error("Cannot bind argument to parameter 'Session' because it is null.", category="InvalidData",
                  exception="ParameterBindingValidationException",
                  error_id="ParameterArgumentValidationErrorNullNotAllowed", terminating=True)
    st = exchange_state(ctx.shell)
    if info["conf"].lower() == "microsoft.exchange":
        st["imported"] = info["server"]
    from casl.model.vdirs import _guid
    name = "tmp_" + _guid("tmp", info["server"], info["id"]).replace("-", "")[:8] + "." + \
        _guid("ext", info["id"]).replace("-", "")[:3]
    cmds = sorted(s.name for s in REGISTRY.values() if s.module == "Microsoft.Exchange.Management.PowerShell.SnapIn")
    out: list = []
    if not args.get("DisableNameChecking"):
        out.append(FormattedText(f"WARNING: The names of some imported commands from the module '{name}' include "
                                 f"unapproved verbs that might make them less discoverable. To find the commands "
                                 f"with unapproved verbs, run the Import-Module command again with the Verbose "
                                 f"parameter. For a list of approved verbs, type Get-Verb.\n"))
    out.append(PSObject("System.Management.Automation.PSModuleInfo", {
        "ModuleType": "Script", "Version": "1.0", "Name": name,
        "ExportedCommands": "{" + ", ".join(cmds[:4]) + "...}"}, MODULE_VIEW))
    return out


@command("Remove-PSSession", module=CORE, params=[Param("Session", "object", position=0, pipeline=True),
                                                   Param("Id", "int")])
def remove_pssession(ctx, args, items):
    """Close remote sessions; the Exchange cmdlets imported from them go with them."""
    st = exchange_state(ctx.shell)
    sess = args.get("Session") or (items or None)
    sess = sess if isinstance(sess, list) else [sess] if sess is not None else []
    ids = {o.source["id"] for o in sess if isinstance(o, PSObject) and isinstance(o.source, dict)}
    if "Id" in args:
        ids.add(args["Id"])
    st["sessions"] = [s for s in st["sessions"] if s["id"] not in ids]
    if st["imported"] and not any(s["server"] == st["imported"] and s["conf"].lower() == "microsoft.exchange"
                                  for s in st["sessions"]):
        st["imported"] = None
    return []


@command("Add-PSSnapin", module=CORE, params=[Param("Name", "strings", position=0, mandatory=True),
                                               Param("PassThru", "switch")],
         net_class="Microsoft.PowerShell.Commands.AddPSSnapinCommand")
def add_pssnapin(ctx, args, items):
    """Load a snap-in: the Exchange one gives this console the Exchange cmdlets without remote PowerShell."""
    for name in args["Name"]:
        known = next((s for s in vf.EXCHANGE_SNAPINS if s[0].lower() == name.lower()), None)
        if known is None:
            ctx.error(f"The Windows PowerShell snap-in '{name}' is not installed on this computer.",
                      category="InvalidArgument", target=name, exception="PSArgumentException",
                      error_id="AddPSSnapInRead")
            continue
        ctx.shell.snapins.add(known[0])
    return []


@command("Get-PSSnapin", module=CORE, params=[Param("Name", "strings", position=0), Param("Registered", "switch")])
def get_pssnapin(ctx, args, items):
    """Loaded snap-ins (-Registered: the ones that could be loaded)."""
    rows = [("Microsoft.PowerShell.Core", "4.0",
             "This Windows PowerShell snap-in contains cmdlets used to manage components of Windows PowerShell.")]
    if args.get("Registered"):
        rows = list(vf.EXCHANGE_SNAPINS)
    else:
        rows += [s for s in vf.EXCHANGE_SNAPINS if s[0] in ctx.shell.snapins]
    names = [n.lower() for n in args.get("Name") or []]
    return [PSObject("System.Management.Automation.PSSnapInInfo", {"Name": n, "PSVersion": v, "Description": d},
                     SNAPIN_VIEW) for n, v, d in rows if not names or n.lower() in names]


# --- IIS modules ---------------------------------------------------------------------------------

def _location_of(ctx, pspath: str | None, location: str | None) -> str:
    p = (pspath or "").replace("MACHINE/WEBROOT/APPHOST", "IIS:\\Sites").replace("/", "\\")
    if p.lower().startswith("iis:\\sites\\"):
        p = p[len("IIS:\\Sites\\"):]
    elif p.lower() in ("iis:\\", "iis:", ""):
        p = ""
    loc = "/".join(x for x in (p.replace("\\", "/").strip("/"), (location or "").strip("/")) if x)
    return pm._loc(loc)


@command("Get-WebGlobalModule", module=WA, params=[Param("Name", "string", position=0), Param("Image", "string")],
         net_class="Microsoft.IIs.PowerShell.Provider.GetGlobalModuleCommand")
def get_web_global_module(ctx, args, items):
    """The native modules registered on the server (<globalModules>)."""
    name = (args.get("Name") or "").lower()
    return [PSObject("Microsoft.IIs.PowerShell.Framework.ConfigurationElement#globalModules#add",
                     {"Name": g.name, "Image": g.image, "preCondition": g.precondition}, GLOBAL_VIEW)
            for g in ctx.server.psvdir.modules.global_modules if not name or g.name.lower() == name]


@command("New-WebGlobalModule", module=WA, changes_state=True, params=[
    Param("Name", "string", position=0, mandatory=True), Param("Image", "string", mandatory=True),
    Param("Precondition", "string"), Param("Force", "switch")],
    net_class="Microsoft.IIs.PowerShell.Provider.NewGlobalModuleCommand")
def new_web_global_module(ctx, args, items):
    """Register a native module (it is not enabled anywhere until Enable-WebGlobalModule)."""
    if ctx.server.psvdir.modules.registered(args["Name"]):
        ctx.error(f"Cannot add duplicate collection entry of type 'add' with unique key attribute 'name' set to "
                  f"'{args['Name']}'", category="InvalidData", exception="COMException",
                  error_id="AddConfigurationError", terminating=True)
    pm.add_global_module(ctx.server, args["Name"], args["Image"], args.get("Precondition") or "")
    ctx.lab.note_change(ctx.server.name)
    return [PSObject("Microsoft.IIs.PowerShell.Framework.ConfigurationElement#globalModules#add",
                     {"Name": args["Name"], "Image": args["Image"]}, GLOBAL_VIEW)]


@command("Remove-WebGlobalModule", module=WA, changes_state=True, params=[
    Param("Name", "string", position=0, mandatory=True)],
    net_class="Microsoft.IIs.PowerShell.Provider.RemoveGlobalModuleCommand")
def remove_web_global_module(ctx, args, items):
    """Unregister a native module (and take it out of the server-level module list)."""
    if ctx.server.psvdir.modules.registered(args["Name"]) is None:
        ctx.error(f"Cannot find the module '{args['Name']}'.", category="ObjectNotFound",
                  exception="ArgumentException", error_id="InvalidArgument", terminating=True)
    pm.remove_global_module(ctx.server, args["Name"])
    ctx.lab.note_change(ctx.server.name)
    return []


@command("Enable-WebGlobalModule", module=WA, changes_state=True, params=[
    Param("Name", "string", position=0, mandatory=True), Param("PSPath", "string", aliases=("Path",)),
    Param("Location", "string"), Param("Precondition", "string")],
    net_class="Microsoft.IIs.PowerShell.Provider.EnableGlobalModuleCommand")
def enable_web_global_module(ctx, args, items):
    """Enable a registered native module at a location (server level when no -PSPath/-Location)."""
    loc = _location_of(ctx, args.get("PSPath"), args.get("Location"))
    if ctx.server.psvdir.modules.registered(args["Name"]) is None:
        ctx.error(f"Cannot find the module '{args['Name']}'.", category="ObjectNotFound",
                  exception="ArgumentException", error_id="InvalidArgument", terminating=True)
    pm.enable_module(ctx.server, loc, args["Name"], "", args.get("Precondition") or "")
    ctx.lab.note_change(ctx.server.name)
    return []


@command("Disable-WebGlobalModule", module=WA, changes_state=True, params=[
    Param("Name", "string", position=0, mandatory=True), Param("PSPath", "string", aliases=("Path",)),
    Param("Location", "string")], net_class="Microsoft.IIs.PowerShell.Provider.DisableGlobalModuleCommand")
def disable_web_global_module(ctx, args, items):
    """Stop a native module running at a location."""
    pm.disable_module(ctx.server, _location_of(ctx, args.get("PSPath"), args.get("Location")), args["Name"])
    ctx.lab.note_change(ctx.server.name)
    return []


@command("Get-WebConfiguration", module=WA, params=[
    Param("Filter", "string", position=0, mandatory=True), Param("PSPath", "string", aliases=("Path",)),
    Param("Location", "string")], net_class="Microsoft.IIs.PowerShell.Provider.GetConfigurationCommand")
def get_web_configuration(ctx, args, items):
    """Read the effective module list at a location (system.webServer/modules)."""
    flt = args["Filter"].strip("/").lower()
    if flt not in ("system.webserver/modules", "system.webserver/modules/add", "system.webserver/globalmodules",
                   "system.webserver/globalmodules/add"):
        ctx.error(f"The lab models system.webServer/modules and system.webServer/globalModules with "
                  f"Get-WebConfiguration; '{args['Filter']}' is not one of them.", category="InvalidArgument",
                  exception="ArgumentException", error_id="InvalidFilter", terminating=True)
    if "globalmodules" in flt:
        return [PSObject("Microsoft.IIs.PowerShell.Framework.ConfigurationElement", {
            "name": g.name, "image": g.image, "preCondition": g.precondition,
            "ItemXPath": "/system.webServer/globalModules/add[@name='" + g.name + "']"},
            TableView((Column("name", "name", 30), Column("image", "image", None))))
            for g in ctx.server.psvdir.modules.global_modules]
    loc = _location_of(ctx, args.get("PSPath"), args.get("Location"))
    return [PSObject("Microsoft.IIs.PowerShell.Framework.ConfigurationElement", {
        "name": m.name, "type": m.type, "preCondition": m.precondition, "lockItem": m.lock_item,
        "ItemXPath": "/system.webServer/modules/add[@name='" + m.name + "']"},
        TableView((Column("name", "name", 36), Column("type", "type", 50), Column("preCondition", "preCondition", None))))
        for m in ctx.server.psvdir.modules.effective(loc)]


# appcmd.exe: the module verbs, "set vdir /physicalPath" and "delete app" join what native.py knows.
_APPCMD = REGISTRY.get("appcmd")


def _appcmd_modules(ctx, words, opts):
    srv = ctx.server
    verb = words[0].lower()
    ident = words[2] if len(words) > 2 else opts.get("name") or opts.get("module.name")
    loc = pm._loc(opts.get("app.name", ""))
    if verb == "list":
        mods = srv.psvdir.modules.effective(loc)
        if ident:
            mods = [m for m in mods if m.name.lower() == ident.lower()]
        return [f'MODULE "{m.name}" ( type:{m.type}, preCondition:{m.precondition} )' for m in mods]
    if verb == "add":
        name = opts.get("name") or ident
        if any(m.name.lower() == (name or "").lower() for m in srv.psvdir.modules.effective(loc)):
            return [f"ERROR ( message:Cannot add duplicate collection entry of type 'add' with unique key attribute "
                    f"'name' set to '{name}'\r\n. )"]
        pm.enable_module(srv, loc, name, opts.get("type", ""), opts.get("precondition", ""))
        ctx.lab.note_change(srv.name)
        return [f'MODULE object "{name}" added']
    if verb == "delete":
        if not pm.disable_module(srv, loc, ident or ""):
            return [f'ERROR ( message:Cannot find MODULE object with identifier "{ident}". )']
        ctx.lab.note_change(srv.name)
        return [f'MODULE object "{ident}" deleted']
    if verb == "install":
        name, image = opts.get("name") or ident, opts.get("image", "")
        if srv.psvdir.modules.registered(name or ""):
            return [f"ERROR ( message:Cannot add duplicate collection entry of type 'add' with unique key attribute "
                    f"'name' set to '{name}'\r\n. )"]
        pm.add_global_module(srv, name, image, opts.get("precondition", ""),
                             enable=opts.get("add", "true").lower() != "false")
        ctx.lab.note_change(srv.name)
        return [f'GLOBAL MODULE object "{name}" added', f'MODULE object "{name}" added']
    if verb == "uninstall":
        if srv.psvdir.modules.registered(ident or "") is None:
            return [f'ERROR ( message:Cannot find GLOBAL MODULE object with identifier "{ident}". )']
        pm.remove_global_module(srv, ident)
        ctx.lab.note_change(srv.name)
        return [f'GLOBAL MODULE object "{ident}" deleted']
    return None


def _appcmd_vdir_app(ctx, words, opts):
    from casl.model import vdirs as vm
    srv = ctx.server
    verb, obj = words[0].lower(), words[1].lower()
    ident = words[2] if len(words) > 2 else opts.get("vdir.name") or opts.get("app.name")
    if not ident:
        return None
    site_name, _, path = ident.partition("/")
    site = srv.iis.site(site_name)
    app = site.application("/" + path.strip("/")) if site else None
    if app is None:
        return [f'ERROR ( message:Cannot find {obj.upper()} object with identifier "{ident}". )']
    if verb == "set" and obj == "vdir" and "physicalpath" in opts:
        app.physical_path = opts["physicalpath"]
        for vd in app.vdirs:
            if vd.path == "/":
                vd.physical_path = opts["physicalpath"]
        ctx.lab.note_change(srv.name)
        return [f'VDIR object "{ident}" changed']
    if verb == "delete" and obj == "app":
        vm.remove_iis(srv, site.name, app.path)
        ctx.lab.note_change(srv.name)
        return [f'APP object "{ident}" deleted']
    return None


def _appcmd_ssl_flags(ctx, words, opts):
    """``appcmd set config "Default Web Site/PowerShell" -section:system.webServer/security/access /sslFlags:...``"""
    from casl.model.iis import Authentication
    srv = ctx.server
    loc = words[2] if len(words) > 2 else ""
    section = opts.get("section", "").lower()
    if not section.endswith("security/access"):
        return None
    site_name, _, path = loc.partition("/")
    site = srv.iis.site(site_name)
    if site is None:
        return [f'ERROR ( message:Cannot find SITE object with identifier "{site_name}". )']
    key = (site.name.lower(), ("/" + path.strip("/")).lower())
    flags = ", ".join(f.strip() for f in opts["sslflags"].split(",") if f.strip()) or "None"
    srv.iis.auth.setdefault(key, Authentication()).ssl_flags = flags
    ctx.lab.note_change(srv.name)
    return [f'Applied configuration changes to section "system.webServer/security/access" for '
            f'"MACHINE/WEBROOT/APPHOST/{loc}" at configuration commit path "MACHINE/WEBROOT/APPHOST"']


if _APPCMD is not None and not getattr(_APPCMD.func, "_casl_modules", False):
    _base = _APPCMD.func

    def appcmd(ctx, args, items):
        """appcmd.exe, with modules (list/add/delete/install/uninstall), set vdir /physicalPath, delete app."""
        from casl.shell.commands.native import _appcmd_args
        words, opts = _appcmd_args(args["args"])
        if len(words) >= 2:
            obj = words[1].lower()
            out = None
            if obj in ("module", "modules"):
                out = _appcmd_modules(ctx, words, opts)
            elif (words[0].lower(), obj) in (("set", "vdir"), ("delete", "app")):
                out = _appcmd_vdir_app(ctx, words, opts)
            elif (words[0].lower(), obj) == ("set", "config") and "sslflags" in opts:
                out = _appcmd_ssl_flags(ctx, words, opts)
            if out is not None:
                return out
        return _base(ctx, args, items)
    appcmd._casl_modules = True
    _APPCMD.func = appcmd


# --- folder permissions and anti-virus exclusions -------------------------------------------------

ACL_VIEW = TableView((Column("Path", "PSChildName", 26), Column("Owner", "Owner", 26),
                      Column("Access", "AccessToString", None)), group=lambda o: f"    Directory: {o['Directory']}")


def _acl_text(aces) -> str:
    return "\n".join(f"{who} {kind}  {rights}" for who, kind, rights in aces)


@command("Get-Acl", module="Microsoft.PowerShell.Security", params=[Param("Path", "strings", position=0)],
         net_class="Microsoft.PowerShell.Commands.GetAclCommand")
def get_acl(ctx, args, items):
    """The NTFS permissions of a folder (Access lists each rule: who, Allow/Deny, rights)."""
    out = []
    for p in args.get("Path") or [ctx.shell.location.path]:
        path = ctx.shell.resolve_fs_path(p)
        if not _exists(ctx.server, path):
            ctx.error(f"Cannot find path '{path}' because it does not exist.", category="ObjectNotFound",
                      target=path, exception="ItemNotFoundException",
                      error_id="GetAcl_PathNotFound_Exception", token=ctx.token("Path"))
            continue
        aces = ctx.server.psvdir.security.acl(path)
        out.append(PSObject("System.Security.AccessControl.DirectorySecurity", {
            "Path": f"Microsoft.PowerShell.Core\\FileSystem::{path}", "Owner": vf.ACL_OWNER, "Group": vf.ACL_GROUP,
            "Access": [f"{w} {k}  {r}" for w, k, r in aces], "AccessToString": _acl_text(aces), "Audit": "",
            "Sddl": "", "PSChildName": ntpath.basename(path), "Directory": ntpath.dirname(path)},
            ACL_VIEW, source=path))
    return out


def _exists(server, path: str) -> bool:
    # The Exchange and IIS folders exist on a real server though the lab's file system holds only
    # what was written: any folder an IIS application points at exists.
    if server.fs.exists(path):
        return True
    p = path.lower().rstrip("\\")
    return any(a.physical_path.lower().rstrip("\\") == p for s in server.iis.sites for a in s.applications) or \
        p.startswith(vf.EXCHANGE_INSTALL.lower())


@command("icacls", native=True, changes_state=True)
def icacls(ctx, args, items):
    """icacls.exe: show a folder's permissions, /remove[:g] <who>, /grant <who>:(OI)(CI)RX, /reset."""
    raw = args["args"]
    if not raw:
        return ["ICACLS name /save aclfile [/T] [/C] [/L] [/Q]"]
    path = ctx.shell.resolve_fs_path(raw[0])
    sec = ctx.server.psvdir.security
    if not _exists(ctx.server, path):
        return [f"{path}: The system cannot find the file specified.",
                "Successfully processed 0 files; Failed processing 1 files"]
    aces = list(sec.acl(path))
    rest = raw[1:]
    if not rest:
        short = {"FullControl": "(F)", "ReadAndExecute, Synchronize": "(RX)", "268435456": "(OI)(CI)(IO)(F)",
                 "-1610612736": "(OI)(CI)(IO)(GR,GE)", "Modify, Synchronize": "(M)"}
        lines = [f"{path if i == 0 else ' ' * len(path)} {w}:(I){short.get(r, '(' + r + ')')}"
                 if k == "Allow" else f"{path if i == 0 else ' ' * len(path)} {w}:(DENY){short.get(r, '(' + r + ')')}"
                 for i, (w, k, r) in enumerate(aces)]
        return lines + ["", "Successfully processed 1 files; Failed processing 0 files"]
    op = rest[0].lower()
    if op == "/reset":
        sec.acl_changes.pop(path.lower().rstrip("\\"), None)
    elif op.startswith("/remove") and len(rest) > 1:
        who = rest[1].lower()
        sec.set_acl(path, [a for a in aces if a[0].lower() != who])
    elif op in ("/grant", "/grant:r", "/deny") and len(rest) > 1:
        who, _, rights = rest[1].partition(":")
        full = next((a[0] for a in vf.DEFAULT_ACL if a[0].lower() == who.lower()), who)
        kind = "Deny" if op == "/deny" else "Allow"
        r = "FullControl" if "F" in rights.replace("(OI)", "").replace("(CI)", "") else "ReadAndExecute, Synchronize"
        sec.set_acl(path, aces + [(full, kind, r)])
    else:
        return ["Invalid parameter \"" + rest[0] + "\""]
    ctx.lab.note_change(ctx.server.name)
    return [f"processed file: {path}", "Successfully processed 1 files; Failed processing 0 files"]


@command("Get-MpPreference", module="Defender", params=[])
def get_mp_preference(ctx, args, items):
    """Anti-virus preferences (the lab models the folder exclusions only)."""
    # UNCONFIRMED on 2012 R2: the Defender module comes with System Center Endpoint Protection there.
    return [PSObject("MSFT_MpPreference", {"ExclusionExtension": None,
                                           "ExclusionPath": list(ctx.server.psvdir.security.av_exclusions),
                                           "ExclusionProcess": None})]


def _mp_change(ctx, args, add: bool):
    ex = ctx.server.psvdir.security.av_exclusions
    for p in args.get("ExclusionPath") or []:
        if add and p.lower() not in (x.lower() for x in ex):
            ex.append(p)
        elif not add:
            ex[:] = [x for x in ex if x.lower() != p.lower()]
    ctx.lab.note_change(ctx.server.name)
    return []


@command("Add-MpPreference", module="Defender", changes_state=True, params=[Param("ExclusionPath", "strings")])
def add_mp_preference(ctx, args, items):
    """Add folders to the anti-virus exclusions."""
    return _mp_change(ctx, args, True)


@command("Remove-MpPreference", module="Defender", changes_state=True, params=[Param("ExclusionPath", "strings")])
def remove_mp_preference(ctx, args, items):
    """Take folders off the anti-virus exclusions."""
    return _mp_change(ctx, args, False)


@command("New-Item", aliases=("ni",), module="Microsoft.PowerShell.Management", changes_state=True, params=[
    Param("Path", "strings", position=0), Param("Name", "string"), Param("ItemType", "string", aliases=("Type",)),
    Param("Value", "object"), Param("Force", "switch")], net_class="Microsoft.PowerShell.Commands.NewItemCommand")
def new_item(ctx, args, items):
    """Create a folder (-ItemType Directory) or a file on the server."""
    from casl.shell.commands.location import fs_children
    base = (args.get("Path") or [ctx.shell.location.path])[0]
    path = ctx.shell.resolve_fs_path(ntpath.join(base, args["Name"]) if args.get("Name") else base)
    kind = (args.get("ItemType") or "File").lower()
    if ctx.server.fs.exists(path) and not args.get("Force"):
        ctx.error(f"An item with the specified name {path} already exists.", category="ResourceExists",
                  target=path, exception="IOException", error_id="DirectoryExist", terminating=True)
    if kind == "directory":
        ctx.server.fs.mkdir(path)
    else:
        ctx.shell.write_file(path, "" if args.get("Value") is None else str(args["Value"]), append=False)
    ctx.lab.note_change(ctx.server.name)
    return [o for o in fs_children(ctx.server, ntpath.dirname(path)) if o["Name"].lower() == ntpath.basename(path).lower()]


@command("mkdir", aliases=("md",), module="Microsoft.PowerShell.Management", changes_state=True,
         params=[Param("Path", "strings", position=0, mandatory=True)])
def mkdir(ctx, args, items):
    """Create a folder (PowerShell's mkdir function: New-Item -ItemType Directory)."""
    from casl.shell.commands.location import fs_children
    out = []
    for p in args["Path"]:
        path = ctx.shell.resolve_fs_path(p)
        ctx.server.fs.mkdir(path)
        out += [o for o in fs_children(ctx.server, ntpath.dirname(path))
                if o["Name"].lower() == ntpath.basename(path).lower()]
    ctx.lab.note_change(ctx.server.name)
    return out


def open_ems(lab, server: str, connect_to: str | None = None) -> str:
    """Open the Exchange Management Shell in ``server``'s console, as the shortcut does; returns its output.

    >>> from casl.labs import open_lab
    >>> lab = open_lab("single-server", state=None)
    >>> "Connecting to remote server" in open_ems(lab, "ServerA")
    False
    """
    target = lab.server(connect_to or server)
    sh = lab.shell(server)
    return sh.run(f"$Session = New-PSSession -ConfigurationName Microsoft.Exchange -ConnectionUri "
                  f"http://{target.fqdn}/PowerShell/ -Authentication Kerberos\n"
                  f"Import-PSSession $Session -DisableNameChecking")
