"""Windows programs the lab answers as the real ones do: iisreset.exe and appcmd.exe."""
from __future__ import annotations

import re

from casl.model.iis import STARTED, STOPPED
from casl.shell.registry import command

IISRESET_SERVICES = ("IISADMIN", "WAS", "W3SVC")

IISRESET_USAGE = """IISRESET.EXE (c) Microsoft Corp. 1998-2005

Usage:
iisreset [computername]

    /RESTART            Stop and then restart all Internet services.
    /START              Start all Internet services.
    /STOP               Stop all Internet services.
    /REBOOT             Reboot the computer.
    /REBOOTONERROR      Reboot the computer if an error occurs when starting,
                        stopping, or restarting Internet services.
    /NOFORCE            Do not forcefully terminate Internet services if
                        attempting to stop them gracefully fails.
    /TIMEOUT:val        Specify the timeout value ( in seconds ) to wait for
                        a successful stop of Internet services. On expiration
                        of this timeout the computer can be rebooted if
                        the /REBOOTONERROR parameter is specified.
                        The default value is 20s for restart, 60s for stop,
                        and 0s for reboot.
    /STATUS             Display the status of all Internet services.
    /ENABLE             Enable restarting of Internet Services
                        on the local system.
    /DISABLE            Disable restarting of Internet Services
                        on the local system.
"""


@command("iisreset", native=True, changes_state=True)
def iisreset(ctx, args, items):
    """iisreset.exe: /restart (default), /stop, /start, /status, /noforce."""
    opts = [a.lower() for a in args["args"]]
    known = {"/restart", "/start", "/stop", "/status", "/noforce", "/reboot", "/rebootonerror", "/enable",
             "/disable", "/?", "-?"}
    for o in opts:
        if o not in known and not o.startswith("/timeout:"):
            if o.startswith("/"):
                return [IISRESET_USAGE]
            if o.lower() not in (ctx.server.name.lower(), ctx.server.fqdn.lower(), "localhost"):
                return [f"\nAttempting stop...\nRestart attempt failed.\nThe RPC server is unavailable. "
                        f"(2147023174, 800706ba)\n"]
    if "/?" in opts or "-?" in opts:
        return [IISRESET_USAGE]
    server = ctx.server
    if "/status" in opts:
        lines = []
        for name in IISRESET_SERVICES:
            svc = server.windows.service(name)
            lines.append(f"Status for {svc.display_name} ( {svc.name} ) : {svc.status}")
        return ["\n".join(lines) + "\n"]
    if "/reboot" in opts or "/rebootonerror" in opts:
        return ["The lab does not reboot its servers: use iisreset /noforce, or restart a service."]
    if "/enable" in opts or "/disable" in opts:
        return ["\nIIS Admin Service is already enabled for restart.\n" if "/enable" in opts else
                "\nThe lab keeps restarts of Internet services enabled.\n"]
    noforce = "/noforce" in opts
    stop = "/stop" in opts or "/start" not in opts
    start = "/start" in opts or "/stop" not in opts
    server.iisreset(stop=stop, start=start, noforce=noforce)
    ctx.lab.note_change(server.name)
    out = ["\n" if stop else ""]
    if stop:
        out.append("Attempting stop...\nInternet services successfully stopped\n")
    if start:
        out.append("Attempting start...\nInternet services successfully " + ("restarted\n" if stop else "started\n"))
    return ["".join(out)]


def _appcmd_args(raw: list[str]) -> tuple[list[str], dict[str, str]]:
    words, opts = [], {}
    for a in raw:
        a = a.replace('"', "")
        if a.startswith(("/", "-")) and len(a) > 1:
            # The name ends at the first colon outside [...]: bindingInformation='*:444:' has colons.
            body, depth, cut = a[1:], 0, -1
            for i, ch in enumerate(body):
                depth += ch == "["
                depth -= ch == "]"
                if ch == ":" and depth == 0:
                    cut = i
                    break
            key, val = (body, "") if cut < 0 else (body[:cut], body[cut + 1:])
            opts[key.lower()] = val
        else:
            words.append(a)
    return words, opts


def _site_line(server, site) -> str:
    binds = ",".join(f"{b.protocol}/{b.binding_information}" for b in site.bindings)
    return f'SITE "{site.name}" (id:{site.id},bindings:{binds},state:{server.site_state(site)})'


@command("appcmd", native=True, changes_state=True)
def appcmd(ctx, args, items):
    """appcmd.exe: list site|apppool|app|vdir|wp, start|stop site|apppool, recycle apppool."""
    words, opts = _appcmd_args(args["args"])
    server = ctx.server
    iis = server.iis
    if len(words) < 2:
        return ["General purpose IIS command line administration tool.\n\nappcmd (command) (object-type) "
                "<identifier> < /parameter1:value1 ... >\n\nSupported object types:\n\n  SITE      Administration "
                "of virtual sites\n  APP       Administration of applications\n  VDIR      Administration of "
                "virtual directories\n  APPPOOL   Administration of application pools\n  WP        "
                "Administration of worker processes\n"]
    verb, obj = words[0].lower(), words[1].lower()
    ident = words[2] if len(words) > 2 else None
    err = lambda m: [f"ERROR ( message:{m} )"]
    if verb == "list":
        if obj == "site":
            sites = sorted(iis.sites, key=lambda s: s.id)
            name = ident or opts.get("site.name") or opts.get("name")
            if name:
                sites = [s for s in sites if s.name.lower() == name.lower()]
                if not sites:
                    return err(f'Cannot find SITE object with identifier "{name}". ')
            if "state" in opts:
                sites = [s for s in sites if server.site_state(s).lower() == opts["state"].lower()]
            return [_site_line(server, s) for s in sites]
        if obj == "apppool":
            pools = sorted(iis.pools, key=lambda p: p.name.lower())
            name = ident or opts.get("apppool.name") or opts.get("name")
            if name:
                pools = [p for p in pools if p.name.lower() == name.lower()]
                if not pools:
                    return err(f'Cannot find APPPOOL object with identifier "{name}". ')
            if "state" in opts:
                pools = [p for p in pools if server.pool_state(p).lower() == opts["state"].lower()]
            return [f'APPPOOL "{p.name}" (MgdVersion:{p.runtime},MgdMode:{p.pipeline},state:{server.pool_state(p)})'
                    for p in pools]
        if obj == "app":
            out = []
            for s in sorted(iis.sites, key=lambda s: s.id):
                for a in s.applications:
                    full = f"{s.name}{a.path}"
                    if ident and full.lower() != ident.lower():
                        continue
                    if opts.get("apppool.name") and a.pool.lower() != opts["apppool.name"].lower():
                        continue
                    if opts.get("site.name") and s.name.lower() != opts["site.name"].lower():
                        continue
                    out.append(f'APP "{full}" (applicationPool:{a.pool})')
            return out if out or not ident else err(f'Cannot find APP object with identifier "{ident}". ')
        if obj == "vdir":
            out = []
            for s in sorted(iis.sites, key=lambda s: s.id):
                for a in s.applications:
                    for v in a.vdirs:
                        full = f"{s.name}{a.path.rstrip('/')}{v.path}" if a.path != "/" else f"{s.name}{v.path}"
                        if ident and full.rstrip("/").lower() != ident.rstrip("/").lower():
                            continue
                        out.append(f'VDIR "{full}" (physicalPath:{v.physical_path})')
            return out
        if obj == "wp":
            out = []
            for p in sorted(iis.pools, key=lambda p: p.name.lower()):
                if p.worker_pid and (not opts.get("apppool.name") or p.name.lower() == opts["apppool.name"].lower()):
                    out.append((p.worker_pid, f'WP "{p.worker_pid}" (applicationPool:{p.name})'))
            if ident:
                out = [o for o in out if str(o[0]) == ident]
            return [line for _, line in sorted(out)]
        return err(f'Object type "{obj}" is not supported by this lab; try site, apppool, app, vdir or wp. ')
    if verb in ("start", "stop") and obj == "site":
        name = ident or opts.get("site.name") or opts.get("name")
        site = iis.site(name or "")
        if site is None:
            return err(f'Cannot find SITE object with identifier "{name}". ')
        if verb == "start" and server.binding_conflict(site):
            return err("Cannot create a file when that file already exists.\r\n. ")
        server.set_site_state(site.name, STARTED if verb == "start" else STOPPED)
        ctx.lab.note_change(server.name)
        return [f'"{site.name}" successfully {"started" if verb == "start" else "stopped"}.']
    if verb in ("start", "stop", "recycle") and obj == "apppool":
        name = ident or opts.get("apppool.name") or opts.get("name")
        pool = iis.pool(name or "")
        if pool is None:
            return err(f'Cannot find APPPOOL object with identifier "{name}". ')
        if verb != "start" and server.pool_state(pool) == STOPPED:
            return err("The object identifier does not represent a valid object.\r\n. ")
        if verb == "recycle":
            server.recycle_pool(pool.name)
        else:
            server.set_pool_state(pool.name, STARTED if verb == "start" else STOPPED)
        ctx.lab.note_change(server.name)
        done = {"start": "started", "stop": "stopped", "recycle": "recycled"}[verb]
        return [f'"{pool.name}" successfully {done}.']
    if verb == "set" and obj == "site":
        return _set_site_bindings(ctx, ident, opts)
    return err(f'The lab\'s appcmd knows list, start, stop, recycle and set site; "{verb} {obj}" is not one '
               f'of them. ')


_BIND_EDIT = re.compile(r"^bindings\.\[protocol='(?P<p>[^']*)',bindinginformation='(?P<b>[^']*)'\]"
                        r"\.(?P<attr>bindinginformation|protocol)$", re.I)


def _set_site_bindings(ctx, ident, opts):
    """``appcmd set site /site.name:X /bindings.[protocol='https',bindingInformation='*:444:'].bindingInformation:*:445:``
    and ``/+bindings.[protocol='https',bindingInformation='*:444:']`` / ``/-bindings.[...]``."""
    from casl.model.iis import Binding
    server = ctx.server
    name = ident or opts.pop("site.name", None) or opts.pop("name", None)
    opts.pop("site.name", None)
    site = server.iis.site(name or "")
    if site is None:
        return [f'ERROR ( message:Cannot find SITE object with identifier "{name}". )']
    for key, val in opts.items():
        add = key.startswith("+")
        remove = key.startswith("-")
        k = key.lstrip("+-")
        m = re.match(r"^bindings\.\[protocol='([^']*)',bindinginformation='([^']*)'\]$", k, re.I)
        if (add or remove) and m:
            proto, info = m.group(1).lower(), m.group(2)
            exists = [b for b in site.bindings if b.protocol == proto and b.binding_information == info]
            if add:
                if exists:
                    return ["ERROR ( message:Cannot add duplicate collection entry of type 'binding' with combined "
                            f"key attributes 'protocol, bindingInformation' respectively set to '{proto}, {info}'\r\n. )"]
                site.bindings.append(Binding(proto, info))
            else:
                if not exists:
                    return ["ERROR ( message:Cannot find requested collection element. )"]
                site.bindings.remove(exists[0])
            continue
        m = _BIND_EDIT.match(k)
        if m:
            target = [b for b in site.bindings if b.protocol == m.group("p").lower()
                      and b.binding_information == m.group("b")]
            if not target:
                return ["ERROR ( message:Cannot find requested collection element. )"]
            if m.group("attr").lower() == "protocol":
                target[0].protocol = val.lower()
            else:
                target[0].binding_information = val
            continue
        return [f"ERROR ( message:Unknown attribute \"{k}\". )"]
    ctx.lab.note_change(server.name)
    return [f'SITE object "{site.name}" changed']
