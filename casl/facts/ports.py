"""Who listens and who talks on a multi-role Exchange 2013 server: the tables netstat is built from.

Facts sheet section 5 (``shared/domain/exchange2013-facts.md``, ``processes.csv``) gives the
Exchange side; the Windows Server 2012 R2 side (RPC endpoint mapper, SMB, WinRM, dynamic RPC
ports, UDP services) is standard Windows behaviour. Every row carries a ``confidence``:
``CONFIRMED`` (facts sheet), ``standard`` (ordinary Windows behaviour, not checked against a source
here), ``THIRD-PARTY`` or ``UNCONFIRMED`` (a plausible value chosen for the lab; do not teach it
as fact).

Owners are written ``service:NAME`` (the process hosting that Windows service), ``image:NAME``
(the first running process with that image) or ``System`` (PID 4, the kernel: http.sys, SMB,
NetBIOS).

>>> [l.port for l in LISTENERS if l.owner == "image:MSExchangeFrontendTransport.exe"]
[25, 587, 717]
"""
from __future__ import annotations

from typing import NamedTuple


class BaseProcess(NamedTuple):
    """A Windows process the Exchange model does not track (it is always there on the server)."""
    image: str
    services: tuple[str, ...] = ()
    session: str = "Services"
    session_id: int = 0
    mem_kb: int = 8_000
    # What `netstat -b` prints under this process's rows: "services" (the svchost service tag and
    # the image), "image" (just [image]) or "none" ("Can not obtain ownership information").
    owner_line: str = "image"


# Windows Server 2012 R2 with a console logon, in start order (the PIDs are drawn in this order
# below 1000, under the range casl.model.clock.PidSource uses, as early boot processes get them).
# The svchost groups and their services are the 2012 R2 defaults (standard; UNCONFIRMED per group).
# services.exe and wininit.exe are protected processes since 2012 R2, so netstat -b cannot name
# them (UNCONFIRMED: seen on later Windows captures).
BASE_PROCESSES: tuple[BaseProcess, ...] = (
    BaseProcess("smss.exe", mem_kb=1_060),
    BaseProcess("csrss.exe", mem_kb=4_270),
    BaseProcess("wininit.exe", mem_kb=3_920, owner_line="none"),
    BaseProcess("csrss.exe", session="Console", session_id=1, mem_kb=9_840),
    BaseProcess("winlogon.exe", session="Console", session_id=1, mem_kb=6_910),
    BaseProcess("services.exe", mem_kb=8_100, owner_line="none"),
    BaseProcess("lsass.exe", ("KeyIso", "Netlogon", "SamSs"), mem_kb=17_870),
    BaseProcess("svchost.exe", ("BrokerInfrastructure", "DcomLaunch", "LSM", "PlugPlay", "Power",
                                "SystemEventsBroker"), mem_kb=9_820, owner_line="services"),
    BaseProcess("svchost.exe", ("RpcEptMapper", "RpcSs"), mem_kb=8_940, owner_line="services"),
    BaseProcess("svchost.exe", ("Dhcp", "EventLog", "lmhosts", "Wcmsvc"), mem_kb=15_530, owner_line="services"),
    BaseProcess("svchost.exe", ("AeLookupSvc", "BITS", "CertPropSvc", "gpsvc", "IKEEXT", "iphlpsvc",
                                "LanmanServer", "ProfSvc", "Schedule", "SENS", "ShellHWDetection", "Themes",
                                "Winmgmt"), mem_kb=41_220, owner_line="services"),
    BaseProcess("svchost.exe", ("EventSystem", "FontCache", "netprofm", "nsi", "W32Time",
                                "WinHttpAutoProxySvc"), mem_kb=12_300, owner_line="services"),
    BaseProcess("svchost.exe", ("CryptSvc", "Dnscache", "LanmanWorkstation", "NlaSvc"), mem_kb=18_710,
                owner_line="services"),
    BaseProcess("spoolsv.exe", ("Spooler",), mem_kb=10_480),
    BaseProcess("svchost.exe", ("TermService",), mem_kb=11_200, owner_line="services"),
    # WCF: port sharing owns net.tcp 808; the listener adapters let WAS activate net.tcp/net.pipe.
    BaseProcess("SMSvcHost.exe", ("NetTcpPortSharing",), mem_kb=21_400),
    BaseProcess("SMSvcHost.exe", ("NetPipeActivator", "NetTcpActivator"), mem_kb=24_900),
    BaseProcess("dwm.exe", session="Console", session_id=1, mem_kb=29_300),
    BaseProcess("WmiPrvSE.exe", mem_kb=14_620),
)
BASE_PID_RANGE = (200, 996)   # multiples of 4; PidSource starts at 1000, so they never meet


class Listener(NamedTuple):
    proto: str            # TCP / UDP
    port: int
    owner: str            # service:NAME, image:NAME or System
    scope: str = "any"    # "any": 0.0.0.0 and [::]; "v4": 0.0.0.0 only; "host4": the server's IPv4 only
    confidence: str = "standard"
    note: str = ""
    requires: str = ""    # a service that must be running (System rows of WinRM)


# The http.sys ports of the two IIS sites (80, 443, 81, 444) are not here: they follow the
# bindings of started sites (casl.model.network.listening_ports), owned by PID 4.
LISTENERS: tuple[Listener, ...] = (
    Listener("TCP", 25, "image:MSExchangeFrontendTransport.exe", confidence="CONFIRMED",
             note="Default Frontend receive connector"),
    Listener("TCP", 135, "service:RpcSs", note="RPC endpoint mapper"),
    Listener("TCP", 139, "System", "host4", note="NetBIOS session service"),
    Listener("TCP", 445, "System", note="SMB"),
    Listener("TCP", 465, "image:EdgeTransport.exe", confidence="THIRD-PARTY",
             note="Client Proxy receive connector (multi-role)"),
    Listener("TCP", 475, "image:MSExchangeDelivery.exe", confidence="UNCONFIRMED",
             note="mailbox transport delivery receive connector"),
    Listener("TCP", 587, "image:MSExchangeFrontendTransport.exe", confidence="CONFIRMED",
             note="Client Frontend receive connector"),
    Listener("TCP", 717, "image:MSExchangeFrontendTransport.exe", confidence="UNCONFIRMED",
             note="Outbound Proxy Frontend receive connector"),
    Listener("TCP", 808, "service:NetTcpPortSharing", confidence="CONFIRMED",
             note="net.tcp (the Default Web Site's 808:* binding) through WCF port sharing"),
    Listener("TCP", 890, "image:Microsoft.Exchange.Directory.TopologyService.exe", confidence="UNCONFIRMED",
             note="AD Topology service endpoint"),
    Listener("TCP", 2525, "image:EdgeTransport.exe", confidence="UNCONFIRMED",
             note="hub receive connector moved off 25 when the front end transport shares the server"),
    Listener("TCP", 3389, "service:TermService", note="Remote Desktop"),
    Listener("TCP", 5985, "System", requires="WinRM", note="WinRM over http.sys"),
    Listener("TCP", 6001, "image:Microsoft.Exchange.RpcClientAccess.Service.exe", confidence="UNCONFIRMED",
             note="RPC/HTTP target behind RpcProxy (store)"),
    Listener("TCP", 6002, "image:Microsoft.Exchange.RpcClientAccess.Service.exe", confidence="UNCONFIRMED",
             note="RPC/HTTP target behind RpcProxy (referral)"),
    Listener("TCP", 6004, "image:Microsoft.Exchange.RpcClientAccess.Service.exe", confidence="UNCONFIRMED",
             note="RPC/HTTP target behind RpcProxy (address book)"),
    Listener("TCP", 47001, "System", requires="WinRM", note="WinRM listener for local use"),
    # Dynamic RPC endpoints (49152 and up) in the order Windows usually hands them out at boot.
    Listener("TCP", 49152, "image:wininit.exe"),
    Listener("TCP", 49153, "service:EventLog"),
    Listener("TCP", 49154, "service:Schedule"),
    Listener("TCP", 49155, "image:lsass.exe"),
    Listener("TCP", 49156, "service:Spooler"),
    Listener("TCP", 49157, "image:services.exe"),
    Listener("TCP", 49160, "image:Microsoft.Exchange.Store.Service.exe", confidence="UNCONFIRMED",
             note="store RPC endpoint"),
    Listener("TCP", 49163, "image:MSExchangeRepl.exe", confidence="UNCONFIRMED", note="replication RPC endpoint"),
    Listener("TCP", 64327, "image:MSExchangeRepl.exe", confidence="THIRD-PARTY", note="log copy / seeding"),
    # UDP: no foreign address, no state.
    Listener("UDP", 123, "service:W32Time", note="time"),
    Listener("UDP", 137, "System", "host4", note="NetBIOS name service"),
    Listener("UDP", 138, "System", "host4", note="NetBIOS datagrams"),
    Listener("UDP", 500, "service:IKEEXT", note="IKE"),
    Listener("UDP", 3389, "service:TermService", note="Remote Desktop UDP transport"),
    Listener("UDP", 4500, "service:IKEEXT", note="IKE NAT traversal"),
    Listener("UDP", 5355, "service:Dnscache", note="LLMNR"),
)


class Background(NamedTuple):
    """Connections a process keeps open from the moment it starts (seeded ports, re-made on restart)."""
    owner: str            # image of the process that opens them
    target: str           # loopback6 ([::1]), loopback4 (127.0.0.1), self6 (own link-local IPv6), dc
    port: int
    count: int
    confidence: str
    note: str


# Facts sheet 5.3: the health worker probes https://localhost:444/owa/exhealth.check and the
# front-end URLs on 443; the service host and the mailbox assistants call back-end services on 444
# (which process makes which call, and over which address, is UNCONFIRMED). A server's own name
# resolves to its link-local IPv6 first, as the proxy's own 444 calls show [S15].
BACKGROUND: tuple[Background, ...] = (
    Background("MSExchangeHMWorker.exe", "loopback6", 444, 2, "UNCONFIRMED",
               "Managed Availability probes of the back end (https://localhost:444/...)"),
    Background("MSExchangeHMWorker.exe", "self6", 443, 1, "UNCONFIRMED",
               "Managed Availability probe of the front end by the server's own name"),
    Background("Microsoft.Exchange.ServiceHost.exe", "self6", 444, 1, "UNCONFIRMED",
               "service host calls to back-end web services"),
    Background("MSExchangeMailboxAssistants.exe", "loopback4", 444, 1, "UNCONFIRMED",
               "mailbox assistants calls to back-end web services"),
    Background("Microsoft.Exchange.Directory.TopologyService.exe", "dc", 389, 2, "UNCONFIRMED",
               "LDAP to the domain controller"),
    Background("Microsoft.Exchange.Directory.TopologyService.exe", "dc", 3268, 1, "UNCONFIRMED",
               "global catalog"),
)
# Background connections take ephemeral ports just below the ones lab.browse hands out, as
# connections made at service start are older than those of the learner's requests.
BACKGROUND_PORT_OFFSET = 3000

# netstat -b: the line under a row of these PIDs, whatever the process (kernel and idle).
NO_OWNER_PIDS = (4,)
# TIME_WAIT rows (PID 0) get no owner line at all under them (THIRD-PARTY: parsers of real
# -anob captures special-case them).

# Names plain `netstat` (without -n) prints for well-known ports (Windows' etc\services file);
# only names casl.parse.netstat reads back.
PORT_NAMES: dict[int, str] = {
    25: "smtp", 80: "http", 135: "epmap", 137: "netbios-ns", 138: "netbios-dgm", 139: "netbios-ssn",
    389: "ldap", 443: "https", 445: "microsoft-ds", 500: "isakmp",
}
