"""Exchange virtual directory cmdlets: Get-/Set-/New-/Remove-*VirtualDirectory and *-OutlookAnywhere.

Like every Exchange cmdlet they exist only in the Exchange Management Shell (a remote session from
``Import-PSSession``) or after ``Add-PSSnapin Microsoft.Exchange.Management.PowerShell.SnapIn``;
a plain Windows PowerShell console does not know them. They read Active Directory (every server's
objects) and, unless ``-ADPropertiesOnly``, the IIS settings of the server that holds each one.
"""
from __future__ import annotations

from casl.facts import exchange as xfacts
from casl.facts import vdirs as vf
from casl.model import vdirs as vm
from casl.model.server import set_authentication
from casl.shell.errors import PSError, not_recognized
from casl.shell.format import format_list
from casl.shell.objects import Column, PSObject, TableView
from casl.shell.registry import Param, command

MODULE = "Microsoft.Exchange.Management.PowerShell.SnapIn"
TASKS = "Microsoft.Exchange.Management.SystemConfigurationTasks."
IIS_DERIVED = ("BasicAuthentication", "WindowsAuthentication", "DigestAuthentication", "FormsAuthentication",
               "LiveIdAuthentication", "AdfsAuthentication", "OAuthAuthentication", "WebSite", "DisplayName", "Path",
               "BasicAuthEnabled", "WindowsAuthEnabled", "WebsiteName", "VirtualDirectoryName", "RequireSSL")


# --- the Exchange session a shell has -----------------------------------------------------------

class ExchangeError(PSError):
    """An Exchange error as a remote session prints it: ids carry the server and a request id."""

    def __init__(self, message: str, *, computer: str = "", **kw):
        super().__init__(message, **kw)
        self.computer = computer

    def render(self, script: str, start: int, end: int) -> str:
        text = super().render(script, start, end)
        if self.computer:
            text = text.rstrip("\n") + f"\n    + PSComputerName        : {self.computer}\n"
        return text


def exchange_state(shell) -> dict:
    """Per-shell Exchange state: the imported session's server and the PSSessions opened."""
    return shell.__dict__.setdefault("_casl_exchange", {"imported": None, "sessions": [], "next_id": 1})


def require_exchange(ctx) -> tuple[str, str]:
    """(mode, server) where mode is "ems" or "snapin"; raises PowerShell's not-recognized error otherwise."""
    st = exchange_state(ctx.shell)
    if st["imported"]:
        from casl.model.psvdir import remote_shell_status
        status = remote_shell_status(ctx.lab, st["imported"])
        if not status.ok:
            srv = ctx.lab.server(st["imported"])
            raise PSError(f"Starting a command on the remote server failed with the following error message : "
                          f"{status.message}", command=ctx.spec.name, category="OpenError",
                          target=srv.fqdn.lower(), exception="PSRemotingTransportException",
                          error_id="JobFailure", invoked=ctx.cmd.name)   # UNCONFIRMED exact wording
        return ("ems", st["imported"])
    if vf.EXCHANGE_SNAPIN.lower() in {s.lower() for s in ctx.shell.snapins}:
        return ("snapin", ctx.server.name)
    tok = ctx.cmd.name_token
    err = not_recognized(ctx.cmd.name, tok.start, tok.end)
    raise err


def _request_id(ctx) -> str:
    return vm._guid(ctx.lab.clock.now().isoformat(), ctx.cmd.name, ctx.server.name)


def _stamp(ctx) -> str:
    t = ctx.lab.clock.now()
    return f"{t.month}/{t.day}/{t.year} {t.strftime('%I:%M:%S %p').lstrip('0')}"


def ex_error(ctx, mode: str, server: str, message: str, *, category: str, exception: str, target: str = "",
             terminating: bool = False, hexid: str = "5D3C0B67") -> None:
    """Report an Exchange error. In the remote shell the id names the server and request (2013 format)."""
    cls = TASKS + ctx.spec.name.replace("-", "")
    if mode == "ems":
        srv = ctx.lab.server(server)
        eid = (f"[Server={srv.name.upper()},RequestId={_request_id(ctx)},TimeStamp={_stamp(ctx)}] "
               f"[FailureCategory=Cmdlet-{exception}] {hexid},{cls}")
        computer = srv.fqdn.lower()
    else:
        eid, computer = f"{hexid},{cls}", ""
    err = ExchangeError(message, computer=computer, command=ctx.spec.name, category=category, target=target,
                        exception=exception, error_id=eid, start=ctx.cmd.start, end=ctx.cmd.end,
                        terminating=terminating, invoked=ctx.cmd.name)
    if terminating:
        raise err
    ctx.shell._errors.append(err)


def _warn(text: str):
    from casl.shell.format import FormattedText
    return FormattedText(f"WARNING: {text}\n")


# --- objects --------------------------------------------------------------------------------------

def property_order(kind: vf.VdirKind) -> list[str]:
    """Format-List order of a kind (OWA's is the real one; the others follow the same layout)."""
    order = list(kind.head) + list(kind.auth) + list(kind.mid)
    if kind.key == "rpc":
        tail = ["AdminDisplayVersion", "Server", "AdminDisplayName", "ExchangeVersion", "Name"]
        tail += [p for p in vf.ADMIN_PROPS if p not in ("AdminDisplayName", "ExchangeVersion")]
        return order + tail
    for p in ("Name", "InternalAuthenticationMethods", "MetabasePath"):
        if p not in order:
            order.insert(len(kind.head), p)
    order += ["AdminDisplayVersion", "Server", "InternalUrl", "ExternalUrl"]
    if "ExternalAuthenticationMethods" not in order and kind.key != "oab":
        order.append("ExternalAuthenticationMethods")
    return order + list(vf.ADMIN_PROPS)


def _stamp_dt(t) -> str:
    return f"{t.month}/{t.day}/{t.year} {t.strftime('%I:%M:%S %p').lstrip('0')}"


def vdir_values(lab, v: vm.ExchangeVdir, *, ad_only: bool = False) -> dict[str, object]:
    """Every property of an object, by name (IIS-derived ones blank with ``ad_only``)."""
    srv = lab.server(v.server)
    kind = v.kind
    app = vm.iis_app(srv, v)
    vals: dict[str, object] = {k: None for k in property_order(kind)}
    vals.update({k: (list(x) if isinstance(x, list) else x) for k, x in v.settings.items()})
    vals.update({
        "Name": v.name, "MetabasePath": vm.metabase_path(srv, v), "Server": v.server.upper(),
        "AdminDisplayVersion": xfacts.ADMIN_DISPLAY_VERSION, "AdminDisplayName": "",
        "ExchangeVersion": vf.EXCHANGE_VERSION, "DistinguishedName": vm.distinguished_name(srv, v),
        "Identity": v.identity, "Id": v.identity, "Guid": v.guid,
        "ObjectCategory": f"{srv.domain}/Configuration/Schema/{kind.category}",
        "ObjectClass": ["top", "msExchVirtualDirectory", kind.object_class],
        "WhenChanged": _stamp_dt(v.changed), "WhenCreated": _stamp_dt(v.created),
        "WhenChangedUTC": _stamp_dt(v.changed), "WhenCreatedUTC": _stamp_dt(v.created),
        "OrganizationId": "", "OriginatingServer": f"{vf.DC}.{srv.domain}", "IsValid": True,
        "ObjectState": "Unchanged", "ExtendedProtectionTokenChecking": "None", "ExtendedProtectionFlags": [],
        "ExtendedProtectionSPNList": [], "DefaultDomain": v.settings.get("DefaultDomain", ""),
        "ServerName": v.server.upper() if "ServerName" in vals else None,
    })
    if kind.key == "owa":
        vals["ServerName"] = v.server.upper()
    if kind.key == "rpc":
        vals["ServerName"] = v.server.upper()
    iis_vals: dict[str, object] = {}
    if app is not None:
        auth = srv.iis.authentication(v.site, v.app_path)
        iis_vals = {"WebSite": v.site, "DisplayName": kind.name, "Path": app.physical_path,
                    "WebsiteName": v.site, "VirtualDirectoryName": kind.name}
        for prop, attr in vf.IIS_SWITCH.items():
            if prop in vals:
                iis_vals[prop] = bool(getattr(auth, attr))
        if "RequireSSL" in vals:
            iis_vals["RequireSSL"] = "Ssl" in [f.strip() for f in auth.ssl_flags.split(",")]
        if kind.key == "eas":
            iis_vals["WebSiteSSLEnabled"] = True
    if ad_only:
        for p in IIS_DERIVED:
            if p in vals:
                vals[p] = False if isinstance(vals[p], bool) else ("" if p not in ("RequireSSL",) else False)
    else:
        vals.update(iis_vals)
    return {k: vals.get(k) for k in property_order(kind)}


def vdir_object(lab, v: vm.ExchangeVdir, *, ad_only: bool = False, runspace: str = "") -> PSObject:
    props = vdir_values(lab, v, ad_only=ad_only)
    if runspace:
        props = {"RunspaceId": runspace, **props}
    cols = tuple(Column(c, c, 30 if i < len(v.kind.table) - 1 else None) for i, c in enumerate(v.kind.table))
    # UNCONFIRMED: default table columns and widths of the Exchange format views (see facts.vdirs.KINDS)
    return PSObject(v.kind.type_name, props, TableView(cols), text=v.identity, source=v)


def backup_text(lab, v: vm.ExchangeVdir) -> str:
    """The object's settings as ``Format-List`` prints them: what the EAC reset saves."""
    return format_list([vdir_object(lab, v)]) + "\n"


def runspace_id(ctx, mode: str) -> str:
    if mode != "ems":
        return ""
    st = exchange_state(ctx.shell)
    return vm._guid("runspace", st["imported"], ctx.shell.server_name)


# --- finding objects ------------------------------------------------------------------------------

def _all_servers(lab):
    return [lab.server(n) for n in lab.servers]


def select(ctx, mode: str, local: str, kind: vf.VdirKind, identity: str | None, server: str | None,
           show_mailbox: bool) -> list[vm.ExchangeVdir]:
    """The objects a Get- call names; reports "couldn't be found" for an identity that names none."""
    lab = ctx.lab
    if identity:
        srv_name, name, site = vm.parse_identity(identity)
        servers = [s for s in _all_servers(lab) if srv_name is None or srv_name.lower() in (s.name.lower(),
                                                                                            s.fqdn.lower())]
        hits = [v for s in servers for v in s.vdirs.items if v.key == kind.key and name.lower() in
                (kind.name.lower(), v.name.lower()) and (site is None or v.site.lower() == site.lower())]
        if not hits:
            dc = f"{vf.DC}.{lab.server(local).domain}"
            ex_error(ctx, mode, local, f"The operation couldn't be performed because object '{identity}' couldn't "
                     f"be found on '{dc}'.", category="NotSpecified", exception="ManagementObjectNotFoundException",
                     target="", hexid="A2F8ABF5", terminating=True)
        return hits
    servers = _all_servers(lab)
    if server:
        servers = [s for s in servers if server.lower() in (s.name.lower(), s.fqdn.lower())]
        if not servers:
            dc = f"{vf.DC}.{lab.server(local).domain}"
            ex_error(ctx, mode, local, f"The operation couldn't be performed because object '{server}' couldn't be "
                     f"found on '{dc}'.", category="NotSpecified", exception="ManagementObjectNotFoundException",
                     hexid="A2F8ABF5", terminating=True)
    out = []
    for s in sorted(servers, key=lambda s: s.name.lower()):
        for v in s.vdirs.items:
            if v.key == kind.key and (v.site == vf.DWS or show_mailbox):
                out.append(v)
    return out


def _piped(items, kind) -> list[vm.ExchangeVdir]:
    return [o.source for o in items if isinstance(o, PSObject) and isinstance(o.source, vm.ExchangeVdir)
            and o.source.key == kind.key]


def _targets(ctx, mode, local, kind, items) -> list[vm.ExchangeVdir]:
    """What a Set-/Remove- call acts on: one object by -Identity, or the objects piped in."""
    if ctx.args.get("Identity"):
        hits = select(ctx, mode, local, kind, ctx.args["Identity"], None, True)
        if len(hits) > 1:
            ex_error(ctx, mode, local, f"The operation couldn't be performed because '{ctx.args['Identity']}' "
                     f"matches multiple entries.", category="NotSpecified",
                     exception="ManagementObjectAmbiguousException", hexid="D2A0D9E3", terminating=True)
        return hits
    return _piped(items, kind)


# --- the cmdlets ----------------------------------------------------------------------------------

def _get(kind: vf.VdirKind):
    def get(ctx, args, items):
        mode, local = require_exchange(ctx)
        vs = select(ctx, mode, local, kind, args.get("Identity"), args.get("Server"),
                    bool(args.get("ShowMailboxVirtualDirectories")) or kind.key == "rpc")
        out = []
        rs = runspace_id(ctx, mode)
        for v in vs:
            srv = ctx.lab.server(v.server)
            if not args.get("ADPropertiesOnly") and vm.iis_app(srv, v) is None:
                # AD object without its IIS half: Exchange cannot read the IIS settings (UNCONFIRMED text)
                ex_error(ctx, mode, local, f"An IIS directory entry couldn't be created. The error message is The "
                         f"system cannot find the path specified.\r\n. HResult = -2147024893",
                         category="NotSpecified", exception="DataSourceOperationException", hexid="C8E3D4D4")
                continue
            out.append(vdir_object(ctx.lab, v, ad_only=bool(args.get("ADPropertiesOnly")), runspace=rs))
        return out
    get.__doc__ = f"The {kind.name} virtual directory objects (front end; -ShowMailboxVirtualDirectories adds the back end)."
    return get


def _auth_methods(v: vm.ExchangeVdir) -> None:
    """Keep InternalAuthenticationMethods in step with the switches (OWA/ECP rules; UNCONFIRMED elsewhere)."""
    s = v.settings
    if v.key in ("owa", "ecp"):
        m = (["Basic"] if s.get("BasicAuthentication") else []) + (["Fba"] if s.get("FormsAuthentication") else [])
        m += (["Digest"] if s.get("DigestAuthentication") else [])
        m += (["Ntlm", "WindowsIntegrated"] if s.get("WindowsAuthentication") else [])
        s["InternalAuthenticationMethods"] = m
        s["ExternalAuthenticationMethods"] = ["Fba"] if s.get("FormsAuthentication") else list(m)


def apply_settings(ctx, v: vm.ExchangeVdir, changes: dict[str, object]) -> None:
    """Write settings to the AD object and the matching IIS authentication (Set-* does both)."""
    srv = ctx.lab.server(v.server)
    for name, value in changes.items():
        v.settings[name] = value
        attr = vf.IIS_SWITCH.get(name)
        if attr and vm.iis_app(srv, v) is not None:
            set_authentication(srv, f"{v.site}{v.app_path}", attr, bool(value))
        if name == "RequireSSL" and vm.iis_app(srv, v) is not None:
            key = (v.site.lower(), v.app_path.lower())
            from casl.model.iis import Authentication
            auth = srv.iis.auth.setdefault(key, Authentication())
            flags = [f.strip() for f in (auth.ssl_flags or "").split(",") if f.strip() and f.strip() != "None"]
            flags = [f for f in flags if f not in ("Ssl", "Ssl128")]
            if value:
                flags = ["Ssl"] + flags + ["Ssl128"]
            auth.ssl_flags = ", ".join(flags) if flags else "None"
    # forms-based logon needs Basic on the application (Exchange turns it on with FBA)
    if v.key in ("owa", "ecp") and changes.get("FormsAuthentication") is True and \
            "BasicAuthentication" not in changes:
        apply_settings(ctx, v, {"BasicAuthentication": True})
        return
    _auth_methods(v)
    v.changed = ctx.lab.clock.now()
    ctx.lab.note_change(srv.name)


def _set(kind: vf.VdirKind):
    def set_(ctx, args, items):
        mode, local = require_exchange(ctx)
        targets = _targets(ctx, mode, local, kind, items)
        changes = {n: args[n] for n in vf.SETTABLE[kind.key] if n in args}
        for name in ("InternalUrl", "ExternalUrl"):
            if name in changes and changes[name] in ("", "$null"):
                changes[name] = None
        if "ExternalHostname" in changes and kind.key == "rpc" and changes["ExternalHostname"] == "":
            changes["ExternalHostname"] = None
        for v in targets:
            apply_settings(ctx, v, changes)
        return []
    set_.__doc__ = f"Change settings of a {kind.name} virtual directory (URLs, authentication)."
    return set_


def _confirm_declined(ctx, what: str) -> None:
    # Remove-* asks first; the lab's console cannot answer, as a non-interactive PowerShell host cannot.
    ctx.error("Windows PowerShell is in NonInteractive mode. Read and Prompt functionality is not available. "
              f"(Confirm: {what}. Add -Confirm:$false to remove without asking.)",
              category="InvalidOperation", exception="PSInvalidOperationException",
              error_id="InvalidOperation", terminating=True)


def _remove(kind: vf.VdirKind):
    def remove(ctx, args, items):
        mode, local = require_exchange(ctx)
        targets = _targets(ctx, mode, local, kind, items)
        if not targets:
            return []
        if args.get("Confirm") is not False:
            _confirm_declined(ctx, f"Removing virtual directory \"{targets[0].identity}\"")
        out = []
        for v in targets:
            srv = ctx.lab.server(v.server)
            had_iis = vm.iis_app(srv, v) is not None
            vm.remove(srv, v)
            if not had_iis:
                out.append(_warn(f"The IIS virtual directory '{vm.metabase_path(srv, v)}' doesn't exist; only the "
                                 f"Active Directory object was removed."))   # lab wording
            ctx.lab.note_change(srv.name)
        return out
    remove.__doc__ = f"Remove a {kind.name} virtual directory: its AD object and its IIS application."
    return remove


def _new(kind: vf.VdirKind):
    def new(ctx, args, items):
        mode, local = require_exchange(ctx)
        srv_name = args.get("Server") or local
        try:
            srv = ctx.lab.server(srv_name)
        except Exception:
            ex_error(ctx, mode, local, f"The operation couldn't be performed because object '{srv_name}' couldn't be "
                     f"found on '{vf.DC}.{ctx.server.domain}'.", category="NotSpecified",
                     exception="ManagementObjectNotFoundException", hexid="A2F8ABF5", terminating=True)
        site = args.get("WebSiteName") or vf.ROLE_SITE.get(args.get("Role") or "ClientAccess", vf.DWS)
        if kind.key not in ("ews", "oab", "owa", "ecp", "eas", "powershell", "autodiscover", "mapi"):
            site = vf.DWS
        settings = {n: args[n] for n in vf.SETTABLE[kind.key] if n in args and n not in vf.IIS_SWITCH
                    and n != "RequireSSL"}
        try:
            v = vm.create(srv, kind.key, site, ctx.lab.clock.now(), settings=settings,
                          physical_path=args.get("Path"), pool=args.get("AppPoolId"))
        except vm.VdirError as exc:
            cat, ex = {"exists": ("InvalidArgument", "ArgumentException"),
                       "remnant": ("NotSpecified", "InvalidOperationException"),
                       "nosite": ("InvalidArgument", "ArgumentException")}[exc.kind]
            ex_error(ctx, mode, local, str(exc), category=cat, exception=ex, hexid="B4D8F5C2", terminating=True)
        iis_changes = {n: args[n] for n in vf.SETTABLE[kind.key] if n in args and (n in vf.IIS_SWITCH
                                                                                   or n == "RequireSSL")}
        if iis_changes:
            apply_settings(ctx, v, iis_changes)
        ctx.lab.note_change(srv.name)
        return [vdir_object(ctx.lab, v, runspace=runspace_id(ctx, mode)),
                _warn(f"The new virtual directory '{v.identity}' will serve requests after IIS restarts "
                      f"(iisreset /noforce, or recycle {vm.iis_app(srv, v).pool}).")]   # lab wording
    new.__doc__ = f"Create a {kind.name} virtual directory with default settings (and its IIS application)."
    return new


def _setting_params(kind: vf.VdirKind) -> list[Param]:
    return [Param(n, t) for n, t in vf.SETTABLE[kind.key].items()]


_ID = Param("Identity", "string", position=0, pipeline=True)
_ID_NEEDED = Param("Identity", "string", position=0, pipeline=True, mandatory=True)
_COMMON_GET = [Param("Server", "string"), Param("ADPropertiesOnly", "switch"),
               Param("ShowMailboxVirtualDirectories", "switch"), Param("DomainController", "string")]

for _k in vf.KINDS:
    if _k.key == "rpc":
        continue
    command(f"Get-{_k.noun}", module=MODULE, net_class=TASKS + f"Get{_k.noun}",
            params=[_ID, *_COMMON_GET])(_get(_k))
    command(f"Set-{_k.noun}", module=MODULE, changes_state=True, net_class=TASKS + f"Set{_k.noun}",
            params=[_ID_NEEDED, Param("DomainController", "string"), *_setting_params(_k)])(_set(_k))
    command(f"Remove-{_k.noun}", module=MODULE, changes_state=True, net_class=TASKS + f"Remove{_k.noun}",
            params=[_ID_NEEDED, Param("DomainController", "string")])(_remove(_k))
    command(f"New-{_k.noun}", module=MODULE, changes_state=True, net_class=TASKS + f"New{_k.noun}",
            params=[Param("Server", "string"), Param("WebSiteName", "string"),
                    Param("Role", "string", values=("ClientAccess", "Mailbox")), Param("Path", "string"),
                    Param("AppPoolId", "string"), Param("ApplicationRoot", "string"), Param("Name", "string"),
                    Param("DomainController", "string"),
                    *[p for p in _setting_params(_k)]])(_new(_k))

_RPC = vf.KIND["rpc"]
command("Get-OutlookAnywhere", module=MODULE, net_class=TASKS + "GetRpcHttp",
        params=[_ID, *_COMMON_GET])(_get(_RPC))
command("Set-OutlookAnywhere", module=MODULE, changes_state=True, net_class=TASKS + "SetRpcHttp",
        params=[_ID_NEEDED, Param("DomainController", "string"), *_setting_params(_RPC)])(_set(_RPC))


@command("Remove-ADObject", module="ActiveDirectory", changes_state=True,
         net_class="Microsoft.ActiveDirectory.Management.Commands.RemoveADObject",
         params=[Param("Identity", "string", position=0, mandatory=True), Param("Recursive", "switch"),
                 Param("Server", "string")])
def remove_ad_object(ctx, args, items):
    """Delete an AD object by distinguished name (here: an Exchange virtual directory's AD half only)."""
    dn = args["Identity"]
    for s in _all_servers(ctx.lab):
        for v in list(s.vdirs.items):
            if vm.distinguished_name(s, v).lower() == dn.lower():
                if args.get("Confirm") is not False:
                    _confirm_declined(ctx, f"Performing the operation \"Remove\" on target \"{dn}\"")
                vm.remove(s, v, iis=False)
                ctx.lab.note_change(s.name)
                return []
    ctx.error(f"Directory object not found", category="ObjectNotFound", target=dn,
              exception="ADIdentityNotFoundException",
              error_id="ActiveDirectoryCmdlet:Microsoft.ActiveDirectory.Management.ADIdentityNotFoundException",
              terminating=True)


@command("Remove-WebApplication", module="WebAdministration", changes_state=True,
         net_class="Microsoft.IIs.PowerShell.Provider.RemoveWebApplicationCommand",
         params=[Param("Name", "string", position=0, mandatory=True), Param("Site", "string", position=1,
                                                                            mandatory=True)])
def remove_web_application(ctx, args, items):
    """Delete an IIS application (and the ones below it) from a site."""
    site = ctx.server.iis.site(args["Site"])
    if site is None or site.application("/" + args["Name"].strip("/")) is None:
        ctx.error(f"Cannot find path 'IIS:\\Sites\\{args['Site']}\\{args['Name']}' because it does not exist.",
                  category="ObjectNotFound", exception="ItemNotFoundException", error_id="PathNotFound",
                  terminating=True)
    vm.remove_iis(ctx.server, site.name, "/" + args["Name"].strip("/"))
    ctx.lab.note_change(ctx.server.name)
    return []


# --- the admin center's reset (no cmdlet: lab.eac_reset_virtual_directory) ----------------------

def eac_reset(lab, server: str, identity: str, backup_path: str | None) -> str:
    """EAC > Servers > Virtual directories > Reset: back up, remove, re-create with defaults.

    Returns the path of the backup file. Refuses (``LabError``) without a backup path or when the
    folder does not exist. The new directory serves only after IIS restarts.
    """
    from casl.errors import LabError
    import ntpath
    if not backup_path or not str(backup_path).strip():
        raise LabError("The reset needs a path to back up the current settings to, e.g. \\\\ServerA\\c$\\Backup "
                       "(the admin center will not reset a virtual directory without it).")
    srv_name, name, site = vm.parse_identity(identity)
    srv = lab.server(srv_name or server)
    kind = next((k for k in vf.KINDS if k.name.lower() == name.lower() and k.key != "rpc"), None)
    v = vm.find(srv, kind.key, site or vf.DWS) if kind else None
    if v is None:
        raise LabError(f"there is no virtual directory '{identity}' on {srv.name}")
    # \\ServerA\c$\Backup -> ServerA's C:\Backup; a local path is on the server being reset
    target, path = lab.org.locate(str(backup_path), srv)
    last = ntpath.basename(path.rstrip("\\"))
    file_path = path if "." in last else ntpath.join(path, f"{v.name}.txt")
    if not target.fs.is_dir(ntpath.dirname(file_path)):
        raise LabError(f"The backup folder '{ntpath.dirname(file_path)}' doesn't exist on {target.name}; create it "
                       f"first (mkdir, or New-Item -ItemType Directory).")
    target.fs.write(file_path, backup_text(lab, v), when=lab.clock.now())
    vm.remove(srv, v)
    vm.create(srv, v.key, v.site, lab.clock.now())
    lab.note_change(srv.name)
    lab.clock.tick()
    if str(backup_path).strip().startswith("\\\\"):
        return f"\\\\{target.name}\\{file_path[0].lower()}$\\{file_path[3:]}"
    return file_path
