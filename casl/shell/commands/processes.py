"""Processes: Get-Process and Stop-Process (PowerShell's view of what tasklist shows)."""
from __future__ import annotations

import fnmatch
import zlib

from casl.shell.objects import Column, PSObject, TableView
from casl.shell.registry import Param, command

MGMT = "Microsoft.PowerShell.Management"
PROCESS_VIEW = TableView((
    Column("Handles", "Handles", 7, "right"), Column("NPM(K)", "NPM", 7, "right"), Column("PM(K)", "PM", 8, "right"),
    Column("WS(K)", "WS", 10, "right"), Column("VM(M)", "VM", 5, "right"), Column("CPU(s)", "CPU", 8, "right"),
    Column("Id", "Id", 6, "right"), Column("ProcessName", "ProcessName", None),
))


def process_object(p) -> PSObject:
    # Counters a console shows, derived from the PID so they stay the same from run to run.
    h = zlib.crc32(f"{p.pid}/{p.image}".encode())
    name = p.image[:-4] if p.image.lower().endswith(".exe") else p.image
    return PSObject("System.Diagnostics.Process", {
        "Handles": 200 + h % 1800, "NPM": 10 + h % 90, "PM": p.mem_kb * 4 // 5, "WS": p.mem_kb,
        "VM": 100 + (h >> 8) % 900, "CPU": f"{(h % 50_000) / 100:.2f}", "Id": p.pid, "ProcessName": name,
        "Name": name, "Path": "", "UserName": p.user, "SessionId": p.session_id,
    }, PROCESS_VIEW, text=f"System.Diagnostics.Process ({name})", source=p)


@command("Get-Process", aliases=("gps", "ps"), module=MGMT, params=[
    Param("Name", "strings", position=0, aliases=("ProcessName",)), Param("Id", "int"),
    Param("IncludeUserName", "switch")], net_class="Microsoft.PowerShell.Commands.GetProcessCommand")
def get_process(ctx, args, items):
    """Running processes (by name with wildcards, or -Id), e.g. Get-Process -Id 4."""
    from casl.model.sockets import processes   # the base Windows processes too (lsass, svchost, ...)
    every = processes(ctx.server)
    procs = sorted(every.values(), key=lambda p: (p.image.lower(), p.pid))
    if "Id" in args:
        hit = every.get(args["Id"])
        if hit is None:
            ctx.error(f"Cannot find a process with the process identifier {args['Id']}.", category="ObjectNotFound",
                      target=str(args["Id"]), exception="ProcessCommandException", error_id="NoProcessFoundForGivenId",
                      token=ctx.token("Id"), target_type="Int32")
            return []
        return [process_object(hit)]
    out = []
    for n in args.get("Name") or ["*"]:
        hits = [p for p in procs if fnmatch.fnmatch(process_object(p)["ProcessName"].lower(), n.lower())]
        if not hits and not any(ch in n for ch in "*?"):
            ctx.error(f"Cannot find a process with the name \"{n}\". Verify the process name and call the cmdlet "
                      f"again.", category="ObjectNotFound", target=n, exception="ProcessCommandException",
                      error_id="NoProcessFoundForGivenName", token=ctx.token("Name"))
        out += [process_object(p) for p in hits if all(o.source is not p for o in out)]
    return sorted(out, key=lambda o: (o["ProcessName"].lower(), o["Id"]))
