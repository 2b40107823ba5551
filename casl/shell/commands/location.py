"""Moving around drives: Set-Location, Get-Location, Get-ChildItem, Get-Item."""
from __future__ import annotations

import ntpath

from casl.shell import iisobjects as io
from casl.shell.objects import Column, PSObject, TableView
from casl.shell.providers import iis_node, resolve
from casl.shell.registry import Param, command
from casl.shell.session import Location

MGMT = "Microsoft.PowerShell.Management"
LOCATION_VIEW = TableView((Column("Path", "Path", None),))


def _fs_group(o: PSObject) -> str:
    return f"    Directory: {o.get('Directory')}"


FILE_VIEW = TableView((
    # widths and the date/time layout of PowerShell 4's FileSystem.format.ps1xml
    Column("Mode", "Mode", 7), Column("LastWriteTime", "LastWriteTime", 25, "right"),
    Column("Length", "Length", 10, "right"), Column("Name", "Name", None),
), group=_fs_group)


def _drive_error(ctx, path: str, param: str):
    drive = path.split(":", 1)[0]
    ctx.error(f"Cannot find drive. A drive with the name '{drive}' does not exist.", category="ObjectNotFound",
              target=drive, exception="DriveNotFoundException", error_id="DriveNotFound",
              token=ctx.token(param), terminating=True)


def _not_found(ctx, path: str, param: str, terminating: bool = True):
    ctx.error(f"Cannot find path '{path}' because it does not exist.", category="ObjectNotFound",
              target=path, exception="ItemNotFoundException", error_id="PathNotFound",
              token=ctx.token(param), terminating=terminating)


def _resolve_existing(ctx, path: str, param: str, terminating: bool = True):
    drive, where = resolve(ctx.shell, path)
    if drive == "IIS":
        if "webadministration" not in ctx.shell.modules:
            _drive_error(ctx, path, param)
        node = iis_node(ctx.server, where)
        if node is None:
            _not_found(ctx, "IIS:\\" + "\\".join(where), param, terminating)
            return None
        return drive, node
    if where[:2].upper() != "C:":
        _drive_error(ctx, path, param)
    if not ctx.server.fs.exists(where):
        _not_found(ctx, where, param, terminating)
        return None
    return drive, where


@command("Set-Location", aliases=("cd", "chdir", "sl"), module=MGMT, params=[
    Param("Path", "string", position=0)], net_class="Microsoft.PowerShell.Commands.SetLocationCommand")
def set_location(ctx, args, items):
    """Change the current location (folders, or IIS:\\Sites, IIS:\\AppPools ...)."""
    path = args.get("Path")
    if path is None:
        return []
    drive, where = _resolve_existing(ctx, path, "Path")
    sh = ctx.shell
    if drive == "IIS":
        if sh.location.drive == "C":
            sh.fs_location = sh.location.path
        if where.kind not in ("root", "sites", "site", "app", "vdir", "folder", "pools", "pool", "sslbindings",
                              "workers"):
            _not_found(ctx, where.path, "Path")
        sh.location = Location("IIS", where.path)
    else:
        if not ctx.server.fs.is_dir(where):
            ctx.error(f"Cannot find path '{where}' because it does not exist.", category="ObjectNotFound",
                      target=where, exception="ItemNotFoundException", error_id="PathNotFound",
                      token=ctx.token("Path"), terminating=True)
        sh.location = Location("C", where if len(where) > 2 else where + "\\")
        sh.fs_location = sh.location.path
    return []


@command("Get-Location", aliases=("pwd", "gl"), module=MGMT)
def get_location(ctx, args, items):
    """Show the current location."""
    return [PSObject("System.Management.Automation.PathInfo", {"Path": ctx.shell.location.path}, LOCATION_VIEW,
                     text=ctx.shell.location.path)]


def iis_children(server, node) -> list[PSObject]:
    """What ``dir`` lists at a place on the IIS: drive."""
    k = node.kind
    if k == "root":
        return [PSObject("casl.IIS.Container", {"Name": n}, io.CONTAINER_VIEW) for n in ("AppPools", "Sites",
                                                                                          "SslBindings")]
    if k == "sites":
        return [io.site_object(server, s) for s in sorted(server.iis.sites, key=lambda s: s.id)]
    if k == "pools":
        return [io.pool_object(server, p) for p in sorted(server.iis.pools, key=lambda p: p.name.lower())]
    if k == "sslbindings":
        return io.ssl_binding_objects(server)
    if k == "workers":
        p = server.worker(node.obj.name)
        return [PSObject("casl.IIS.WorkerProcess", {"processId": p.pid, "Handles": 0, "state": "Running",
                                                    "StartTime": "", "appPoolName": node.obj.name})] if p else []
    if k in ("site", "app", "vdir"):
        site = node.site
        base = "/" if k == "site" else "/" + "/".join(node.parts[2:])
        out = []
        for app in site.applications:
            if app.path == "/":
                continue
            rel = app.path[len(base.rstrip("/")):] if app.path.lower().startswith(base.rstrip("/").lower() + "/") \
                else None
            if rel and rel.count("/") == 1:
                out.append(io.child_object("application", rel.strip("/"), app.physical_path, (site, app),
                                           {"applicationPool": app.pool, "path": app.path,
                                            "enabledProtocols": app.enabled_protocols}))
        for app in site.applications:
            for v in app.vdirs:
                if v.path == "/":
                    continue
                full = app.path.rstrip("/") + v.path
                parent = "/" + "/".join(full.strip("/").split("/")[:-1])
                if parent.lower() == ("/" + base.strip("/")).lower():
                    out.append(io.child_object("virtualDirectory", v.path.strip("/").split("/")[-1],
                                               v.physical_path, (site, v)))
        if k == "site":
            for f in site.folders:
                out.append(io.child_object("directory", f, ""))
        return sorted(out, key=lambda o: o["Name"].lower())
    if k == "pool":
        return []
    return []


def fs_children(server, path: str) -> list[PSObject]:
    out = []
    for name, f in sorted(server.fs.listdir(path), key=lambda kv: (kv[1] is not None, kv[0].lower())):
        when = f.written if f and f.written else None
        stamp = ""
        if when:
            date, time = f"{when.month}/{when.day}/{when.year}", when.strftime("%I:%M %p").lstrip("0")
            stamp = f"{date:>10} {time:>8}"
        out.append(PSObject("System.IO.FileInfo" if f else "System.IO.DirectoryInfo", {
            "Mode": "-a---" if f else "d----", "LastWriteTime": stamp,
            "Length": len(f.text.replace("\n", "\r\n").encode("utf-16-le")) + 2 if f else None, "Name": name,
            "Directory": path, "FullName": ntpath.join(path, name)}, FILE_VIEW, text=name))
    return out


@command("Get-ChildItem", aliases=("dir", "ls", "gci"), module=MGMT, params=[
    Param("Path", "strings", position=0), Param("Recurse", "switch"), Param("Force", "switch"),
    Param("Name", "switch")], net_class="Microsoft.PowerShell.Commands.GetChildItemCommand")
def get_child_item(ctx, args, items):
    """List what is at a location: sites, applications, pools, files."""
    paths = args.get("Path") or [ctx.shell.location.path]
    out: list = []
    for p in paths:
        found = _resolve_existing(ctx, p, "Path", terminating=False)
        if found is None:
            continue
        drive, where = found
        if drive == "IIS":
            out += iis_children(ctx.server, where)
        elif ctx.server.fs.is_dir(where):
            out += fs_children(ctx.server, where)
        else:
            out += [o for o in fs_children(ctx.server, ntpath.dirname(where))
                    if o["Name"].lower() == ntpath.basename(where).lower()]
    if args.get("Name"):
        return [o["Name"] for o in out if isinstance(o, PSObject) and o.has("Name")]
    return out


@command("Get-Item", aliases=("gi",), module=MGMT, params=[Param("Path", "strings", position=0, mandatory=True)],
         net_class="Microsoft.PowerShell.Commands.GetItemCommand")
def get_item(ctx, args, items):
    """The item at a path itself (a site, a pool, a file)."""
    out = []
    for p in args["Path"]:
        found = _resolve_existing(ctx, p, "Path", terminating=False)
        if found is None:
            continue
        drive, where = found
        if drive == "IIS":
            k = where.kind
            if k == "site":
                out.append(io.site_object(ctx.server, where.obj))
            elif k == "pool":
                out.append(io.pool_object(ctx.server, where.obj))
            elif k == "app":
                out.append(io.application_object(ctx.server, where.site, where.obj))
            else:
                out.append(PSObject("casl.IIS.Container", {"Name": where.parts[-1] if where.parts else "IIS:\\"},
                                    io.CONTAINER_VIEW))
        else:
            out += [o for o in fs_children(ctx.server, ntpath.dirname(where))
                    if o["Name"].lower() == ntpath.basename(where).lower()]
    return out
