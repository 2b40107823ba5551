"""Network commands: Windows Firewall rules, Test-NetConnection, name resolution, netsh http (netstat: netstat.py).

Rules made here live in the model and the request flow obeys them (``lab.browse``).
"""
from __future__ import annotations

import fnmatch
import random
import uuid

from casl.facts import flow as ffacts
from casl.facts import iis as ifacts
from casl.model import network
from casl.shell.objects import Column, ListView, PSObject, TableView
from casl.shell.registry import Param, command

NETSEC = "NetSecurity"
FW_CLASS = "Microsoft.Management.Infrastructure.CimInstance#root/standardcimv2/MSFT_NetFirewallRule"
FW_PROPS = ("Name", "DisplayName", "Description", "DisplayGroup", "Group", "Enabled", "Profile", "Platform",
            "Direction", "Action", "EdgeTraversalPolicy", "LooseSourceMapping", "LocalOnlyMapping", "Owner",
            "PrimaryStatus", "Status", "EnforcementStatus", "PolicyStoreSource", "PolicyStoreSourceType")


def _rule_object(rule: network.FirewallRule) -> PSObject:
    return PSObject(FW_CLASS, {
        "Name": rule.name, "DisplayName": rule.display_name, "Description": rule.description,
        "DisplayGroup": rule.group, "Group": rule.group, "Enabled": rule.enabled, "Profile": rule.profile,
        "Platform": [], "Direction": rule.direction, "Action": rule.action, "EdgeTraversalPolicy": "Block",
        "LooseSourceMapping": False, "LocalOnlyMapping": False, "Owner": "", "PrimaryStatus": "OK",
        "Status": "The rule was parsed successfully from the store. (65536)", "EnforcementStatus": "NotApplicable",
        "PolicyStoreSource": "PersistentStore", "PolicyStoreSourceType": "Local",
        "LocalPort": list(rule.local_port), "RemotePort": list(rule.remote_port), "Protocol": rule.protocol,
    }, ListView(FW_PROPS), source=rule)


def _ports(value) -> tuple[str, ...]:
    if value is None:
        return ("Any",)
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        for part in str(item).split(","):
            part = part.strip()
            if part:
                out.append("Any" if part.lower() == "any" else part)
    return tuple(out) or ("Any",)


@command("New-NetFirewallRule", module=NETSEC, changes_state=True, net_class="New-NetFirewallRule", params=[
    Param("DisplayName", "string", mandatory=True), Param("Name", "string"),
    Param("Direction", "string", values=("Inbound", "Outbound")),
    Param("Action", "string", values=("NotConfigured", "Allow", "Block")), Param("Protocol", "string"),
    Param("LocalPort", "strings"), Param("RemotePort", "strings"), Param("Enabled", "string", values=("True", "False")),
    Param("Profile", "string"), Param("Description", "string"), Param("Group", "string")])
def new_net_firewall_rule(ctx, args, items):
    """Add a Windows Firewall rule, e.g. New-NetFirewallRule -DisplayName 'Block 444' -Direction Inbound
    -LocalPort 444 -Protocol TCP -Action Block."""
    proto = (args.get("Protocol") or "Any")
    proto = {"tcp": "TCP", "udp": "UDP", "any": "Any", "6": "TCP", "17": "UDP"}.get(proto.lower(), proto)
    if proto not in ("TCP", "UDP") and ("LocalPort" in args or "RemotePort" in args):
        # Port filters need a port-based protocol; the cmdlet refuses the rule (text as the CIM error
        # reads; UNCONFIRMED to the word).
        ctx.error("The port is only valid when the protocol is TCP or UDP. Specify -Protocol TCP or -Protocol UDP "
                  "with -LocalPort or -RemotePort.", category="InvalidArgument", target="MSFT_NetFirewallRule",
                  exception="CimException", error_id="HRESULT 0x80070057", terminating=True)
    net = ctx.server.net
    rng = random.Random(f"{ctx.lab.org.pids.seed}/{ctx.server.name}/{len(net.firewall)}/{args['DisplayName']}")
    name = args.get("Name") or "{" + str(uuid.UUID(int=rng.getrandbits(128), version=4)) + "}"
    if any(r.name.lower() == name.lower() for r in net.firewall):
        ctx.error("Cannot create a file when that file already exists.", category="ResourceExists",
                  target="MSFT_NetFirewallRule", exception="CimException",
                  error_id="Windows System Error 183", terminating=True)
    rule = network.FirewallRule(args["DisplayName"], name, args.get("Direction") or "Inbound",
                                args.get("Action") or "Allow", proto, _ports(args.get("LocalPort")),
                                _ports(args.get("RemotePort")), (args.get("Enabled") or "True") == "True",
                                args.get("Profile") or "Any", args.get("Description") or "", args.get("Group") or "")
    net.firewall.append(rule)
    ctx.lab.note_change(ctx.server.name)
    return [_rule_object(rule)]


def _select_rules(ctx, args, items, cmd: str) -> list[network.FirewallRule]:
    piped = [o.source for o in items if isinstance(o, PSObject) and isinstance(o.source, network.FirewallRule)]
    if items:
        return piped
    rules = list(ctx.server.net.firewall)
    for key, attr in (("DisplayName", "display_name"), ("Name", "name")):
        if args.get(key) is None:
            continue
        wanted = args[key]
        hits = [r for r in rules if any(fnmatch.fnmatch(getattr(r, attr).lower(), w.lower()) for w in wanted)]
        for w in wanted:
            if not any(ch in w for ch in "*?") and not any(getattr(r, attr).lower() == w.lower() for r in rules):
                ctx.error(f"No MSFT_NetFirewallRule objects found with property '{key}' equal to '{w}'.  Verify the "
                          f"value of the property and retry.", category="ObjectNotFound", target=w,
                          exception="CimJobException", error_id=f"CmdletizationQuery_NotFound_{key}",
                          token=ctx.token(key))
        rules = hits
    for key, attr in (("Direction", "direction"), ("Action", "action")):
        if args.get(key):
            rules = [r for r in rules if getattr(r, attr).lower() == args[key].lower()]
    return rules


_FILTER_PARAMS = [Param("DisplayName", "strings"), Param("Name", "strings", position=0),
                  Param("Direction", "string", values=("Inbound", "Outbound")),
                  Param("Action", "string", values=("NotConfigured", "Allow", "Block"))]


@command("Get-NetFirewallRule", module=NETSEC, net_class="Get-NetFirewallRule", params=_FILTER_PARAMS)
def get_net_firewall_rule(ctx, args, items):
    """The firewall rules the lab added on this server (a real server also lists its hundreds of built-in ones)."""
    return [_rule_object(r) for r in _select_rules(ctx, args, items, "Get-NetFirewallRule")]


@command("Remove-NetFirewallRule", module=NETSEC, changes_state=True, net_class="Remove-NetFirewallRule",
         params=_FILTER_PARAMS + [Param("InputObject", "object", pipeline=True)])
def remove_net_firewall_rule(ctx, args, items):
    """Delete firewall rules by -DisplayName, -Name, or piped from Get-NetFirewallRule."""
    targets = _select_rules(ctx, args, items, "Remove-NetFirewallRule")
    for r in targets:
        if r in ctx.server.net.firewall:
            ctx.server.net.firewall.remove(r)
    if targets:
        ctx.lab.note_change(ctx.server.name)
    return []


# --- name resolution ---------------------------------------------------------------------------

def _dns_view(ctx, server_arg: str | None):
    """(DNS server name, address, view, authoritative zone?) for a query made from this server."""
    org = ctx.lab.org
    if server_arg and server_arg.lower() in (ffacts.PUBLIC_DNS_SERVER[0], ffacts.PUBLIC_DNS_SERVER[1]):
        return ffacts.PUBLIC_DNS_SERVER[0], ffacts.PUBLIC_DNS_SERVER[1], org.dns_external, False
    return ffacts.DNS_SERVER[0], ffacts.DNS_SERVER[1], org.dns_internal, True


def _lookup(ctx, name: str, view: dict) -> tuple[str, str | None]:
    org = ctx.lab.org
    name = name.rstrip(".").lower()
    fqdn = name if "." in name else f"{name}.{org.domain}"     # the primary DNS suffix
    return fqdn, view.get(fqdn)


DNS_VIEW = TableView((Column("Name", "Name", 46), Column("Type", "Type", 6), Column("TTL", "TTL", 5),
                      Column("Section", "Section", 10), Column("IPAddress", "IPAddress", None)))


@command("Resolve-DnsName", module="DnsClient", net_class="Microsoft.DnsClient.Commands.ResolveDnsName", params=[
    Param("Name", "string", position=0, mandatory=True), Param("Type", "string", position=1),
    Param("Server", "strings"), Param("DnsOnly", "switch"), Param("NoHostsFile", "switch")])
def resolve_dns_name(ctx, args, items):
    """Ask DNS for a name's A record: Name, Type, TTL, Section, IPAddress."""
    srv = (args.get("Server") or [None])[0]
    _, _, view, _ = _dns_view(ctx, srv)
    fqdn, address = _lookup(ctx, args["Name"], view)
    if args.get("Type") and args["Type"].upper() not in ("A", "A_AAAA"):
        return []
    if address is None:
        ctx.error(f"{args['Name']} : DNS name does not exist", category="ResourceUnavailable", target=args["Name"],
                  exception="Win32Exception", error_id="DNS_ERROR_RCODE_NAME_ERROR", terminating=True)
    # AD-integrated zones give new A records a one-hour TTL.
    return [PSObject("Microsoft.DnsClient.Commands.DnsRecord_A", {
        "Name": fqdn, "Type": "A", "TTL": 3600, "Section": "Answer", "IPAddress": address,
        "IP4Address": address, "DataLength": 4}, DNS_VIEW)]


@command("nslookup", native=True)
def nslookup(ctx, args, items):
    """nslookup NAME [SERVER]: the DNS server used, then the answer (or why there is none)."""
    words = [a for a in args["args"] if not a.startswith("-")]
    if not words:
        return ["Default Server:  " + ffacts.DNS_SERVER[0] + "\nAddress:  " + ffacts.DNS_SERVER[1] + "\n\n"
                "(the lab's nslookup answers one name at a time: nslookup mail.contoso.com)\n"]
    srv_name, srv_ip, view, authoritative = _dns_view(ctx, words[1] if len(words) > 1 else None)
    fqdn, address = _lookup(ctx, words[0], view)
    head = f"Server:  {srv_name}\nAddress:  {srv_ip}\n\n"
    if address is None:
        return [head + f"*** {srv_name} can't find {words[0]}: Non-existent domain\n"]
    # The domain controller holds the contoso.com zone, so its answers are authoritative; a public
    # resolver answers from its cache, and nslookup says so.
    note = "" if authoritative else "Non-authoritative answer:\n"
    return [head + note + f"Name:    {fqdn}\nAddress:  {address}\n\n"]


@command("Add-DnsServerResourceRecordA", module="DnsServer", changes_state=True,
         net_class="Add-DnsServerResourceRecordA", params=[
             Param("ZoneName", "string", mandatory=True), Param("Name", "string", mandatory=True),
             Param("IPv4Address", "string", mandatory=True), Param("ComputerName", "string"),
             Param("TimeToLive", "string")])
def add_dns_a(ctx, args, items):
    """Add an A record to a zone on the domain's DNS server (the lab keeps one address per name)."""
    org = ctx.lab.org
    fqdn = f"{args['Name']}.{args['ZoneName']}".lower() if args["Name"] != "@" else args["ZoneName"].lower()
    if fqdn in org.dns_internal:
        ctx.error(f"The lab keeps one A record per name and {fqdn} already has {org.dns_internal[fqdn]}: remove it "
                  f"first with Remove-DnsServerResourceRecord.", category="ResourceExists", target=fqdn,
                  exception="CimException", error_id="WIN32 9711", terminating=True)
    org.dns_internal[fqdn] = args["IPv4Address"]
    ctx.lab.note_change(ctx.server.name)
    return []


@command("Remove-DnsServerResourceRecord", module="DnsServer", changes_state=True,
         net_class="Remove-DnsServerResourceRecord", params=[
             Param("ZoneName", "string", mandatory=True), Param("Name", "string", mandatory=True),
             Param("RRType", "string", mandatory=True), Param("RecordData", "string"),
             Param("ComputerName", "string"), Param("Force", "switch")])
def remove_dns_record(ctx, args, items):
    """Remove a name's A record from a zone on the domain's DNS server."""
    org = ctx.lab.org
    fqdn = f"{args['Name']}.{args['ZoneName']}".lower()
    if fqdn not in org.dns_internal or (args.get("RecordData") and org.dns_internal[fqdn] != args["RecordData"]):
        ctx.error(f"Failed to find {args['RRType'].upper()} type resource record {args['Name']} in zone "
                  f"{args['ZoneName']} on server {ffacts.DNS_SERVER[0].split('.')[0].upper()}.",
                  category="ObjectNotFound", target=args["Name"], exception="CimException",
                  error_id="WIN32 9714", terminating=True)
    del org.dns_internal[fqdn]
    ctx.lab.note_change(ctx.server.name)
    return []


# --- Test-NetConnection --------------------------------------------------------------------------

TNC_OK = ("ComputerName", "RemoteAddress", "RemotePort", "InterfaceAlias", "SourceAddress", "TcpTestSucceeded")
TNC_FAIL = ("ComputerName", "RemoteAddress", "RemotePort", "InterfaceAlias", "SourceAddress", "PingSucceeded",
            "PingReplyDetails (RTT)", "TcpTestSucceeded")


def tcp_test(org, src, dst_ip: str, port: int) -> str:
    """'' if a TCP connection from server ``src`` to ``dst_ip:port`` would open, else why not."""
    dst = org.server_by_address(dst_ip)
    if dst is None:
        return "timeout"
    if dst is not src:
        if network.firewall_blocks(src.net.firewall, "Outbound", local_port=0, remote_port=port):
            return "forbidden"
        if network.firewall_blocks(dst.net.firewall, "Inbound", local_port=port, remote_port=0):
            return "timeout"
    return "" if port in network.listening_ports(dst) else "refused"


@command("Test-NetConnection", aliases=("TNC",), module="NetTCPIP", net_class="Test-NetConnection", params=[
    Param("ComputerName", "string", position=0), Param("Port", "int"), Param("CommonTCPPort", "string",
                                                                              values=("HTTP", "RDP", "SMB", "WINRM")),
    Param("InformationLevel", "string", values=("Quiet", "Detailed"))])
def test_net_connection(ctx, args, items):
    """Test-NetConnection HOST -Port N: can this server open a TCP connection there?"""
    org = ctx.lab.org
    name = args.get("ComputerName") or "internetbeacon.msedge.net"
    port = args.get("Port") or {"HTTP": 80, "RDP": 3389, "SMB": 445, "WINRM": 5985}.get(args.get("CommonTCPPort") or "")
    fqdn, address = _lookup(ctx, name, org.dns_internal)
    if all(p.isdigit() for p in name.split(".")) and name.count(".") == 3:
        address = name
    if name.lower() in (ctx.server.name.lower(), ctx.server.fqdn.lower(), "localhost"):
        address = ctx.server.ipv4
    if address is None:
        return [f"WARNING: Name resolution of {name} failed -- Status: No such host is known",
                PSObject("TestNetConnectionResult", {"ComputerName": name, "RemoteAddress": "", "InterfaceAlias": "",
                                                     "SourceAddress": "", "PingSucceeded": False},
                         ListView(("ComputerName", "RemoteAddress", "InterfaceAlias", "SourceAddress",
                                   "PingSucceeded")))]
    base = {"ComputerName": name, "RemoteAddress": address, "InterfaceAlias": "Ethernet",
            "SourceAddress": ctx.server.ipv4}
    reachable = org.server_by_address(address) is not None
    if not port:
        props = dict(base, PingSucceeded=reachable, **{"PingReplyDetails (RTT)": "0 ms"})
        out = [] if reachable else [f"WARNING: Ping to {address} failed -- Status: TimedOut"]
        return out + [PSObject("TestNetConnectionResult", props, ListView(tuple(props)))]
    why = tcp_test(org, ctx.server, address, port)
    if args.get("InformationLevel") == "Quiet":
        return [not why]
    if not why:
        props = dict(base, RemotePort=port, TcpTestSucceeded=True)
        return [PSObject("TestNetConnectionResult", props, ListView(TNC_OK))]
    # On failure the cmdlet warns, pings the host, and shows the ping result as well.
    props = dict(base, RemotePort=port, PingSucceeded=reachable, TcpTestSucceeded=False,
                 **{"PingReplyDetails (RTT)": "0 ms"})
    warn = [f"WARNING: TCP connect to {name}:{port} failed"]
    if not reachable:
        warn.append(f"WARNING: Ping to {address} failed -- Status: TimedOut")
    return warn + [PSObject("TestNetConnectionResult", props, ListView(TNC_FAIL))]


# --- netsh http ... sslcert -----------------------------------------------------------------------

def _sslcert_block(key: str, thumb: str, store: str) -> str:
    return (f"    IP:port                      : {key}\n"
            f"    Certificate Hash             : {thumb.lower()}\n"
            f"    Application ID               : {ifacts.IIS_APP_ID}\n"
            f"    Certificate Store Name       : {store}\n"
            f"    Verify Client Certificate Revocation : Enabled\n"
            f"    Verify Revocation Using Cached Client Certificate Only : Disabled\n"
            f"    Usage Check                  : Enabled\n"
            f"    Revocation Freshness Time    : 0\n"
            f"    URL Retrieval Timeout        : 0\n"
            f"    Ctl Identifier               : (null)\n"
            f"    Ctl Store Name               : (null)\n"
            f"    DS Mapper Usage              : Disabled\n"
            f"    Negotiate Client Certificate : Disabled\n")


def _sort_key(key: str):
    ip, port = key.rsplit(":", 1)
    return (ip, int(port))


@command("netsh", native=True, changes_state=True)
def netsh(ctx, args, items):
    """netsh http show|add|delete sslcert ipport=IP:PORT [certhash=... appid={...}]."""
    words = [a for a in args["args"]]
    low = [w.lower() for w in words]
    opts = {}
    for w in words:
        k, eq, v = w.partition("=")
        if eq:
            opts[k.lower()] = v.strip('"')
    if low[:1] != ["http"] or len(low) < 3 or low[2] != "sslcert" or low[1] not in ("show", "add", "delete"):
        return ["\nThe lab's netsh knows: netsh http show sslcert, netsh http add sslcert ipport=0.0.0.0:444 "
                f"certhash=<thumbprint> appid={ifacts.IIS_APP_ID}, netsh http delete sslcert ipport=0.0.0.0:444\n"]
    server = ctx.server
    key = opts.get("ipport", "")
    if low[1] == "show":
        keys = sorted(server.ssl_certs, key=_sort_key)
        if key:
            keys = [k for k in keys if k == key]
            if not keys:
                return ["\nSSL Certificate bindings:\n-------------------------\n\n"
                        "The system cannot find the file specified.\n\n"]
        blocks = "\n".join(_sslcert_block(k, *server.ssl_certs[k]) for k in keys)
        return ["\nSSL Certificate bindings:\n-------------------------\n\n" + blocks + "\n"]
    if ":" not in key:
        return ["\nThe parameter is incorrect.\n\n"]
    if low[1] == "delete":
        if key not in server.ssl_certs:
            return ["\nSSL Certificate deletion failed, Error: 2\nThe system cannot find the file specified.\n\n"]
        del server.ssl_certs[key]
        ctx.lab.note_change(server.name)
        return ["\nSSL Certificate successfully deleted\n\n"]
    thumb = opts.get("certhash", "").upper()
    if not thumb or "appid" not in opts:
        return ["\nThe parameter is incorrect.\n\n"]
    if key in server.ssl_certs:
        return ["\nSSL Certificate add failed, Error: 183\nCannot create a file when that file already exists.\n\n"]
    cert = server.certificate(thumb)
    if cert is None or not cert.has_private_key:
        # http.sys needs the certificate and its private key in the machine store.
        return ["\nSSL Certificate add failed, Error: 1312\nA specified logon session does not exist. It may "
                "already have been terminated.\n\n"]
    server.ssl_certs[key] = (cert.thumbprint, opts.get("certstorename", "MY").upper())
    ctx.lab.note_change(server.name)
    return ["\nSSL Certificate successfully added\n\n"]
