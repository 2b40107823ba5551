"""Who talks to whom, as the server prints it: ``netstat``, ``tasklist`` and ``Get-NetTCPConnection``.

Every form writes the exact layout of Windows Server 2012 R2 (column widths from real captures in
``shared/fixtures/netstat``), one console line per output item, so ``| findstr 444`` filters rows.
The rows come from :mod:`casl.model.sockets`; the text reads back through :mod:`casl.parse`.

>>> import casl
>>> lab = casl.open_lab("single-server", state=None)
>>> print(lab.run("ServerA", "netstat -ano | findstr :444").splitlines()[0])
  TCP    0.0.0.0:444            0.0.0.0:0              LISTENING       4
"""
from __future__ import annotations

import fnmatch

from casl.facts import flow as ffacts
from casl.facts import ports as pfacts
from casl.model import sockets
from casl.shell.objects import Column, PSObject, TableView
from casl.shell.registry import Param, command

# --- netstat -----------------------------------------------------------------------------------

NETSTAT_FLAGS = set("abnop")
PROTOCOLS = {"tcp": ("TCP", False), "tcpv6": ("TCP", True), "udp": ("UDP", False), "udpv6": ("UDP", True)}
HEADER = "  Proto  Local Address          Foreign Address        State"
NO_OWNER = " Can not obtain ownership information"

NETSTAT_USAGE = """
Displays protocol statistics and current TCP/IP network connections.

NETSTAT [-a] [-b] [-e] [-f] [-n] [-o] [-p proto] [-r] [-s] [-t] [-x] [-y] [interval]

  -a            Displays all connections and listening ports.
  -b            Displays the executable involved in creating each connection or
                listening port.
  -n            Displays addresses and port numbers in numerical form.
  -o            Displays the owning process ID associated with each connection.
  -p proto      Shows connections for the protocol specified by proto; proto
                may be any of: TCP, UDP, TCPv6, or UDPv6.

(The lab's netstat answers -a, -b, -n, -o and -p; the other switches of the real one are not modelled.)
"""


def _netstat_options(words: list[str]) -> tuple[set[str], tuple[str, bool] | None] | None:
    """(flags, protocol filter) from netstat's arguments, or None for a usage error."""
    flags: set[str] = set()
    proto = None
    i = 0
    while i < len(words):
        w = words[i]
        if w[:1] in "-/" and len(w) > 1:
            body = w[1:].lower()
            if body == "?":
                return None
            for ch in body:
                if ch == "p":
                    i += 1
                    if i >= len(words) or words[i].lower() not in PROTOCOLS:
                        return None
                    proto = PROTOCOLS[words[i].lower()]
                elif ch in NETSTAT_FLAGS:
                    flags.add(ch)
                else:
                    return None
        elif not w.isdigit():          # an interval is accepted (the lab prints once)
            return None
        i += 1
    return flags, proto


def _host_names(ctx) -> dict[str, str]:
    """Address -> the name plain netstat prints for it (this computer for its own addresses)."""
    org, me = ctx.lab.org, ctx.server
    names = {s.ipv4: s.name for s in org.servers.values()}
    names.update({s.ipv6: s.name for s in org.servers.values()})
    names.update({a: me.name for a in ("0.0.0.0", "::", "127.0.0.1", "::1", me.ipv4, me.ipv6)})
    names[ffacts.DNS_SERVER[1]] = ffacts.DNS_SERVER[0].split(".")[0]
    names.update({address: name for name, address, _ in ffacts.PLACES.values()})
    return names


def netstat_lines(rows: list[sockets.Socket], flags: set[str], server=None, names: dict[str, str] | None = None
                  ) -> list[str]:
    """The lines netstat prints for ``rows`` with these flags (``server`` is needed for ``-b``).

    >>> row = sockets.Socket("TCP", "0.0.0.0", 443, "0.0.0.0", 0, "LISTENING", 4)
    >>> print(*netstat_lines([row], set("ano"))[3:], sep=chr(10))
      Proto  Local Address          Foreign Address        State           PID
      TCP    0.0.0.0:443            0.0.0.0:0              LISTENING       4
    """
    pid = "o" in flags
    out = ["", "Active Connections", "", HEADER + ("           PID" if pid else "")]
    procs = sockets.processes(server) if "b" in flags else {}
    for r in rows:
        local, remote = r.local_endpoint, r.remote_endpoint
        if "n" not in flags and names is not None:
            local = f"{_bracket(r.local_ip)}:{pfacts.PORT_NAMES.get(r.local_port, r.local_port)}"
            if r.remote_ip is not None:
                host = names.get(r.remote_ip, _bracket(r.remote_ip))
                remote = f"{host}:{pfacts.PORT_NAMES.get(r.remote_port, r.remote_port)}"
        # Addresses take 21 columns and two blanks; a longer one (IPv6 with a zone) pushes the rest right.
        line = f"  {r.proto:<7}{local:<21}  {remote:<21}  "
        if r.proto == "TCP":
            line += f"{r.state:<16}{r.pid}" if pid else r.state
        elif pid:
            line += f"{'':<16}{r.pid}"
        out.append(line)
        if "b" in flags:
            out += _owner_lines(server, r, procs)
    return out


def _bracket(ip: str) -> str:
    return f"[{ip}]" if ":" in ip else ip


def _owner_lines(server, r: sockets.Socket, procs: dict) -> list[str]:
    """What -b prints under a row: service tag and [image], the no-owner message, or nothing."""
    if r.pid == 0:                      # TIME_WAIT: no process owns the socket any more
        return []
    kind = sockets.owner_kind(server, r.pid)
    if kind == "none" or r.pid not in procs:
        return [NO_OWNER]
    image = f" [{procs[r.pid].image}]"
    return [f"  {r.service}", image] if kind == "services" and r.service else [image]


@command("netstat", native=True)
def netstat(ctx, args, items):
    """netstat -ano | -an | -anob | -ano -p tcp: listeners, connections and UDP endpoints with owners."""
    parsed = _netstat_options(list(args["args"]))
    if parsed is None:
        return NETSTAT_USAGE.split("\n")
    flags, proto = parsed
    rows = sockets.sockets(ctx.lab.org, ctx.server, ctx.lab.clock.now())
    if "a" not in flags:
        rows = [r for r in rows if r.proto == "TCP" and r.state != "LISTENING"]
    if proto is not None:
        rows = [r for r in rows if (r.proto, r.ipv6) == proto]
    names = None if "n" in flags else _host_names(ctx)
    return netstat_lines(rows, flags, ctx.server, names)


# --- tasklist -----------------------------------------------------------------------------------

TASKLIST_HEADER = ("Image Name", "PID", "Session Name", "Session#", "Mem Usage")
TASKLIST_WIDTHS = (25, 8, 16, 11, 12)
SVC_HEADER = ("Image Name", "PID", "Services")
SVC_WIDTHS = (25, 8, 44)
NO_TASKS = "INFO: No tasks are running which match the specified criteria."
FILTER_FIELDS = {"pid": "pid", "imagename": "image", "services": "services", "sessionname": "session",
                 "session": "session_id", "memusage": "mem_kb"}
FILTER_OPS = {"eq": lambda a, b: a == b, "ne": lambda a, b: a != b, "gt": lambda a, b: a > b,
              "lt": lambda a, b: a < b, "ge": lambda a, b: a >= b, "le": lambda a, b: a <= b}


def _tasklist_error(text: str) -> list[str]:
    return [text, 'Type "TASKLIST /?" for usage.']


def _match(p, field: str, op: str, value: str) -> bool | None:
    """One /fi test; None when the filter cannot be applied (bad number or operator)."""
    attr = FILTER_FIELDS[field]
    if attr in ("pid", "session_id", "mem_kb"):
        if not value.isdigit():
            return None
        return FILTER_OPS[op](getattr(p, attr), int(value))
    if op not in ("eq", "ne"):
        return None
    if attr == "services":
        hit = any(fnmatch.fnmatch(s.lower(), value.lower()) for s in p.services)
    else:
        hit = fnmatch.fnmatch(str(getattr(p, attr)).lower(), value.lower())
    return hit if op == "eq" else not hit


def _wrap_services(services: list[str]) -> list[str]:
    """/svc's Services cell: names joined by ', ', wrapped at 44 characters after a comma."""
    if not services:
        return ["N/A"]
    words = [f"{s}," for s in services[:-1]] + [services[-1]]
    lines, cur = [], ""
    for w in words:
        cand = f"{cur} {w}" if cur else w
        if len(cand) <= SVC_WIDTHS[2] or not cur:
            cur = cand
        else:
            lines.append(cur)
            cur = w
    return lines + [cur]


def _csv(values) -> str:
    return ",".join('"' + str(v).replace('"', '""') + '"' for v in values)


def tasklist_lines(procs: list, *, svc: bool = False, csv: bool = False, header: bool = True) -> list[str]:
    """``tasklist`` output for processes (objects with image, pid, session, session_id, mem_kb, services).

    >>> from casl.model.windows import Process
    >>> print(*tasklist_lines([Process(7816, "w3wp.exe", mem_kb=312448)])[1:], sep=chr(10))
    Image Name                     PID Session Name        Session#    Mem Usage
    ========================= ======== ================ =========== ============
    w3wp.exe                      7816 Services                   0    312,448 K
    """
    if csv:
        out = [_csv(SVC_HEADER if svc else TASKLIST_HEADER)] if header else []
        for p in procs:
            if svc:
                out.append(_csv((p.image, p.pid, ",".join(p.services) or "N/A")))
            else:
                out.append(_csv((p.image, p.pid, p.session, p.session_id, f"{p.mem_kb:,} K")))
        return out
    widths = SVC_WIDTHS if svc else TASKLIST_WIDTHS
    out = [""]
    if header:
        names = SVC_HEADER if svc else TASKLIST_HEADER
        # Image Name and Session Name sit left, the others right, as tasklist prints them.
        cells = [names[0].ljust(widths[0]), names[1].rjust(widths[1])]
        cells += [names[2].ljust(widths[2]).rstrip()] if svc else \
            [names[2].ljust(widths[2]), names[3].rjust(widths[3]), names[4].rjust(widths[4])]
        out += [" ".join(cells), " ".join("=" * w for w in widths)]
    for p in procs:
        # Long image names are cut to the column (25 characters), never wrapped.
        lead = f"{p.image[:widths[0]]:<{widths[0]}} {p.pid:>{widths[1]}}"
        if svc:
            first, *more = _wrap_services(list(p.services))
            out.append(f"{lead} {first}")
            out += [" " * (widths[0] + widths[1] + 2) + m for m in more]
        else:
            out.append(f"{lead} {p.session[:widths[2]]:<{widths[2]}} {p.session_id:>{widths[3]}} "
                       f"{f'{p.mem_kb:,} K':>{widths[4]}}")
    return out


@command("tasklist", native=True)
def tasklist(ctx, args, items):
    """tasklist [/svc] [/fi "PID eq N"] [/fo table|csv] [/nh]: the processes and their PIDs."""
    words = list(args["args"])
    svc = csv = False
    header = True
    filters = []
    i = 0
    while i < len(words):
        w = words[i].lower()
        if w in ("/svc", "-svc"):
            svc = True
        elif w in ("/nh", "-nh"):
            header = False
        elif w in ("/fo", "-fo", "/fi", "-fi"):
            if i + 1 >= len(words):
                return _tasklist_error(f"ERROR: Invalid syntax. Value expected for '{words[i]}'.")
            value = words[i + 1]
            i += 1
            if w.endswith("fo"):
                if value.lower() not in ("table", "csv"):
                    return _tasklist_error(f"ERROR: Invalid argument/option - '{value}'.")
                csv = value.lower() == "csv"
            else:
                parts = value.split()
                if len(parts) != 3 or parts[0].lower() not in FILTER_FIELDS or parts[1].lower() not in FILTER_OPS:
                    return ["ERROR: The search filter cannot be recognized."]
                filters.append((parts[0].lower(), parts[1].lower(), parts[2]))
        elif w in ("/?", "-?"):
            return ["", "TASKLIST [/S system [/U username [/P [password]]]]",
                    "         [/M [module] | /SVC | /V] [/FI filter] [/FO format] [/NH]", "",
                    "(The lab's tasklist answers /svc, /fi, /fo table|csv and /nh.)"]
        else:
            return _tasklist_error(f"ERROR: Invalid argument/option - '{words[i]}'.")
        i += 1
    procs = list(sockets.processes(ctx.server).values())
    for field, op, value in filters:
        results = [(p, _match(p, field, op, value)) for p in procs]
        if any(r is None for _, r in results):
            return ["ERROR: The search filter cannot be recognized."]
        procs = [p for p, r in results if r]
    if not procs:
        return [NO_TASKS]
    return tasklist_lines(procs, svc=svc, csv=csv, header=header)


# --- Get-NetTCPConnection ---------------------------------------------------------------------------

STATES = {"LISTENING": "Listen", "ESTABLISHED": "Established", "TIME_WAIT": "TimeWait", "CLOSE_WAIT": "CloseWait",
          "SYN_SENT": "SynSent", "SYN_RECEIVED": "SynReceived", "FIN_WAIT_1": "FinWait1", "FIN_WAIT_2": "FinWait2",
          "LAST_ACK": "LastAck", "CLOSING": "Closing", "CLOSED": "Closed", "DELETE_TCB": "DeleteTCB",
          "BOUND": "Bound"}
TCP_CLASS = "Microsoft.Management.Infrastructure.CimInstance#ROOT/StandardCimv2/MSFT_NetTCPConnection"
# Column widths of the cmdlet's default table (UNCONFIRMED to the character for 2012 R2).
TCP_VIEW = TableView((
    Column("LocalAddress", "LocalAddress", 35), Column("LocalPort", "LocalPort", 9),
    Column("RemoteAddress", "RemoteAddress", 35), Column("RemotePort", "RemotePort", 10),
    Column("State", "State", 11), Column("AppliedSetting", "AppliedSetting", 14),
    Column("OwningProcess", "OwningProcess", 13),
))


def _tcp_object(r: sockets.Socket) -> PSObject:
    state = STATES.get(r.state, r.state)
    # Listeners have no applied TCP setting; connections show the template in force (Internet,
    # the default; UNCONFIRMED for a domain network).
    applied = "" if state in ("Listen", "Bound", "TimeWait") else "Internet"
    return PSObject(TCP_CLASS, {
        "LocalAddress": r.local_ip, "LocalPort": r.local_port, "RemoteAddress": r.remote_ip,
        "RemotePort": r.remote_port, "State": state, "AppliedSetting": applied, "OwningProcess": r.pid,
        "CreationTime": None, "OffloadState": "InHost",
    }, TCP_VIEW, text=f"MSFT_NetTCPConnection (LocalAddress = \"{r.local_ip}\", LocalPort = {r.local_port}, "
                      f"RemoteAddress = \"{r.remote_ip}\", RemotePort = {r.remote_port})", source=r)


@command("Get-NetTCPConnection", module="NetTCPIP", net_class="Get-NetTCPConnection", params=[
    Param("LocalAddress", "strings", position=0), Param("LocalPort", "strings", position=1),
    Param("RemoteAddress", "strings"), Param("RemotePort", "strings"), Param("State", "strings"),
    Param("OwningProcess", "strings"), Param("AppliedSetting", "strings")])
def get_net_tcp_connection(ctx, args, items):
    """TCP connections and listeners as CIM objects; filter with -LocalPort, -RemotePort, -State, -OwningProcess."""
    rows = [r for r in sockets.sockets(ctx.lab.org, ctx.server, ctx.lab.clock.now()) if r.proto == "TCP"]
    objs = [_tcp_object(r) for r in rows]
    valid_states = {s.lower(): s for s in STATES.values()}
    for name in ("LocalAddress", "LocalPort", "RemoteAddress", "RemotePort", "State", "OwningProcess",
                 "AppliedSetting"):
        wanted = args.get(name)
        if wanted is None:
            continue
        wanted = [str(w) for w in (wanted if isinstance(wanted, list) else [wanted])]
        if name == "State":
            bad = [w for w in wanted if w.lower() not in valid_states]
            if bad:
                ctx.error(f"Cannot process argument transformation on parameter 'State'. Cannot convert value "
                          f"\"{bad[0]}\" to type \"Microsoft.PowerShell.Cmdletization.GeneratedTypes.NetTCPConnection"
                          f".State\". Error: \"Unable to match the identifier name {bad[0]} to a valid enumerator "
                          f"name. Specify one of the following enumerator names and try again: "
                          f"{', '.join(STATES[k] for k in STATES)}\"", category="InvalidData",
                          exception="ParameterBindingArgumentTransformationException",
                          error_id="ParameterArgumentTransformationError", token=ctx.token(name), terminating=True)
        if name in ("LocalPort", "RemotePort", "OwningProcess"):
            bad = [w for w in wanted if not w.isdigit()]
            if bad:
                kind = "System.UInt32[]" if name == "OwningProcess" else "System.UInt16[]"
                ctx.error(f"Cannot process argument transformation on parameter '{name}'. Cannot convert value "
                          f"\"{bad[0]}\" to type \"{kind}\". Error: \"Input string was not in a correct format.\"",
                          category="InvalidData", exception="ParameterBindingArgumentTransformationException",
                          error_id="ParameterArgumentTransformationError", token=ctx.token(name), terminating=True)
        before = objs
        objs = [o for o in objs if any(_same(o[name], w) for w in wanted)]
        for w in wanted:
            if not any(_same(o[name], w) for o in before):
                ctx.error(f"No MSFT_NetTCPConnection objects found with property '{name}' equal to '{w}'.  Verify "
                          f"the value of the property and retry.", category="ObjectNotFound", target=w,
                          exception="CimJobException", error_id=f"CmdletizationQuery_NotFound_{name}",
                          token=ctx.token(name))
    return objs


def _same(value, wanted: str) -> bool:
    if isinstance(value, int):
        return wanted.isdigit() and value == int(wanted)
    return fnmatch.fnmatch(str(value).lower(), wanted.lower())
