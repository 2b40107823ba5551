"""Windows services: Get-Service, Start-/Stop-/Restart-Service."""
from __future__ import annotations

import fnmatch

from casl.model.windows import ServiceError
from casl.shell.objects import Column, PSObject, TableView
from casl.shell.registry import Param, command

MGMT = "Microsoft.PowerShell.Management"
CMDS = "Microsoft.PowerShell.Commands."
SERVICE_VIEW = TableView((Column("Status", "Status", 8), Column("Name", "Name", 18),
                          Column("DisplayName", "DisplayName", None)))


def service_object(svc) -> PSObject:
    return PSObject("System.ServiceProcess.ServiceController", {
        "Status": svc.status, "Name": svc.name, "DisplayName": svc.display_name,
        "DependentServices": [], "ServicesDependedOn": list(svc.depends_on), "CanStop": svc.status == "Running",
        "ServiceName": svc.name, "StartType": svc.start_type, "ServiceType": "Win32OwnProcess"
        if not svc.shared_host else "Win32ShareProcess",
    }, SERVICE_VIEW, text="System.ServiceProcess.ServiceController", source=svc)


def _find(ctx, names: list[str], *, param: str = "Name"):
    found = []
    for n in names:
        hits = [s for s in ctx.server.windows.services.values()
                if fnmatch.fnmatch(s.name.lower(), n.lower()) or fnmatch.fnmatch(s.display_name.lower(), n.lower())]
        if not hits and not any(ch in n for ch in "*?"):
            ctx.error(f"Cannot find any service with service name '{n}'.", category="ObjectNotFound", target=n,
                      exception="ServiceCommandException", error_id="NoServiceFoundForGivenName",
                      token=ctx.token(param))
        found += [h for h in hits if h not in found]
    return sorted(found, key=lambda s: s.name.lower())


def _targets(ctx, args, items):
    names = args.get("Name")
    if names:
        return _find(ctx, names)
    return [o.source for o in items if isinstance(o, PSObject) and hasattr(o.source, "display_name")]


@command("Get-Service", aliases=("gsv",), module=MGMT, params=[
    Param("Name", "strings", position=0, aliases=("ServiceName",)), Param("DisplayName", "strings"),
    Param("DependentServices", "switch"), Param("RequiredServices", "switch")],
    net_class=CMDS + "GetServiceCommand")
def get_service(ctx, args, items):
    """Services with their status (wildcards allowed)."""
    if args.get("DisplayName"):
        svcs = [s for s in ctx.server.windows.services.values()
                if any(fnmatch.fnmatch(s.display_name.lower(), d.lower()) for d in args["DisplayName"])]
        svcs.sort(key=lambda s: s.name.lower())
    else:
        svcs = _find(ctx, args.get("Name") or ["*"])
    if args.get("DependentServices"):
        svcs = [d for s in svcs for d in ctx.server.windows.services.values() if s.name in d.depends_on]
    if args.get("RequiredServices"):
        svcs = [ctx.server.windows.service(d) for s in svcs for d in s.depends_on if ctx.server.windows.service(d)]
    return [service_object(s) for s in svcs]


def _service_op(ctx, args, items, op: str, net: str):
    out = []
    for svc in _targets(ctx, args, items):
        try:
            if op == "restart":
                ctx.server.restart_service(svc.name, force=bool(args.get("Force")))
            elif op == "stop":
                ctx.server.stop_service(svc.name, force=bool(args.get("Force")))
            else:
                ctx.server.start_service(svc.name)
        except ServiceError as exc:
            ctx.error(str(exc), category="InvalidOperation", target="System.ServiceProcess.ServiceController",
                      exception="ServiceCommandException", error_id="ServiceHasDependentServices",
                      target_type="ServiceController")
            continue
        ctx.lab.note_change(ctx.server.name)
        if args.get("PassThru"):
            out.append(service_object(svc))
    return out


_OP_PARAMS = [Param("Name", "strings", position=0, aliases=("ServiceName",)), Param("Force", "switch"),
              Param("PassThru", "switch"), Param("InputObject", "object", pipeline=True)]


@command("Restart-Service", module=MGMT, changes_state=True, params=_OP_PARAMS,
         net_class=CMDS + "RestartServiceCommand")
def restart_service(ctx, args, items):
    """Stop and start a service (-Force when other running services depend on it)."""
    return _service_op(ctx, args, items, "restart", "RestartServiceCommand")


@command("Stop-Service", aliases=("spsv",), module=MGMT, changes_state=True, params=_OP_PARAMS,
         net_class=CMDS + "StopServiceCommand")
def stop_service(ctx, args, items):
    """Stop a service."""
    return _service_op(ctx, args, items, "stop", "StopServiceCommand")


@command("Start-Service", aliases=("sasv",), module=MGMT, changes_state=True, params=_OP_PARAMS,
         net_class=CMDS + "StartServiceCommand")
def start_service(ctx, args, items):
    """Start a service (and the services it needs)."""
    return _service_op(ctx, args, items, "start", "StartServiceCommand")
