"""Windows services and processes of a multi-role Exchange 2013 CU6 server (facts sheet section 5).

Source: ``shared/domain/processes.csv`` and the 2013 CU23 ``Get-Service`` capture [S3]. Where the
facts sheet says UNCONFIRMED, the value below is the most plausible one and says so.
"""
from __future__ import annotations

from typing import NamedTuple


class ServiceFact(NamedTuple):
    name: str
    display_name: str
    image: str            # the process the service runs in
    start_type: str       # Automatic / Manual
    running: bool
    depends_on: tuple[str, ...] = ()
    shared_host: str = ""  # svchost group: services with the same group share one process


SERVICES: tuple[ServiceFact, ...] = (
    # IIS. W3SVC and WAS share an svchost (standard Windows layout; UNCONFIRMED-by-source).
    ServiceFact("IISADMIN", "IIS Admin Service", "inetinfo.exe", "Automatic", True),
    ServiceFact("WAS", "Windows Process Activation Service", "svchost.exe", "Manual", True,
                (), "iissvcs"),
    ServiceFact("W3SVC", "World Wide Web Publishing Service", "svchost.exe", "Automatic", True,
                ("WAS", "HTTP"), "iissvcs"),
    ServiceFact("WinRM", "Windows Remote Management (WS-Management)", "svchost.exe", "Automatic", True,
                ("HTTP",), "netsvcs"),
    # Exchange (2013 CU23 Get-Service [S3]; images from processes.csv).
    ServiceFact("HostControllerService", "Microsoft Exchange Search Host Controller", "hostcontrollerservice.exe",
                "Automatic", True),
    ServiceFact("MSExchangeADTopology", "Microsoft Exchange Active Directory Topology",
                "Microsoft.Exchange.Directory.TopologyService.exe", "Automatic", True),
    ServiceFact("MSExchangeAntispamUpdate", "Microsoft Exchange Anti-spam Update",
                "Microsoft.Exchange.AntispamUpdateSvc.exe", "Automatic", True, ("MSExchangeADTopology",)),
    # MSExchangeDagMgmt exists in CU23; in CU6: UNCONFIRMED, kept as the most plausible.
    ServiceFact("MSExchangeDagMgmt", "Microsoft Exchange DAG Management", "MSExchangeDagMgmt.exe",
                "Automatic", True, ("MSExchangeADTopology",)),
    ServiceFact("MSExchangeDelivery", "Microsoft Exchange Mailbox Transport Delivery", "MSExchangeDelivery.exe",
                "Automatic", True, ("MSExchangeADTopology",)),
    ServiceFact("MSExchangeDiagnostics", "Microsoft Exchange Diagnostics",
                "Microsoft.Exchange.Diagnostics.Service.exe", "Automatic", True),
    ServiceFact("MSExchangeEdgeSync", "Microsoft Exchange EdgeSync", "Microsoft.Exchange.EdgeSyncSvc.exe",
                "Automatic", True, ("MSExchangeADTopology",)),
    ServiceFact("MSExchangeFastSearch", "Microsoft Exchange Search", "Microsoft.Exchange.Search.Service.exe",
                "Automatic", True, ("MSExchangeADTopology",)),
    ServiceFact("MSExchangeFrontEndTransport", "Microsoft Exchange Frontend Transport",
                "MSExchangeFrontendTransport.exe", "Automatic", True, ("MSExchangeADTopology",)),
    ServiceFact("MSExchangeHM", "Microsoft Exchange Health Manager", "MSExchangeHMHost.exe", "Automatic", True),
    ServiceFact("MSExchangeIMAP4BE", "Microsoft Exchange IMAP4 Backend", "Microsoft.Exchange.Imap4service.exe",
                "Manual", False, ("MSExchangeADTopology",)),
    ServiceFact("MSExchangeImap4", "Microsoft Exchange IMAP4", "Microsoft.Exchange.Imap4.exe",
                "Manual", False, ("MSExchangeADTopology",)),
    ServiceFact("MSExchangeIS", "Microsoft Exchange Information Store", "Microsoft.Exchange.Store.Service.exe",
                "Automatic", True, ("MSExchangeADTopology",)),
    ServiceFact("MSExchangeMailboxAssistants", "Microsoft Exchange Mailbox Assistants",
                "MSExchangeMailboxAssistants.exe", "Automatic", True, ("MSExchangeADTopology",)),
    ServiceFact("MSExchangeMailboxReplication", "Microsoft Exchange Mailbox Replication",
                "MSExchangeMailboxReplication.exe", "Automatic", True, ("MSExchangeADTopology",)),
    ServiceFact("MSExchangePOP3BE", "Microsoft Exchange POP3 Backend", "Microsoft.Exchange.Pop3service.exe",
                "Manual", False, ("MSExchangeADTopology",)),
    ServiceFact("MSExchangePop3", "Microsoft Exchange POP3", "Microsoft.Exchange.Pop3.exe",
                "Manual", False, ("MSExchangeADTopology",)),
    ServiceFact("MSExchangeRepl", "Microsoft Exchange Replication", "MSExchangeRepl.exe",
                "Automatic", True, ("MSExchangeADTopology",)),
    ServiceFact("MSExchangeRPC", "Microsoft Exchange RPC Client Access",
                "Microsoft.Exchange.RpcClientAccess.Service.exe", "Automatic", True, ("MSExchangeADTopology",)),
    ServiceFact("MSExchangeServiceHost", "Microsoft Exchange Service Host", "Microsoft.Exchange.ServiceHost.exe",
                "Automatic", True, ("MSExchangeADTopology",)),
    ServiceFact("MSExchangeSubmission", "Microsoft Exchange Mailbox Transport Submission",
                "MSExchangeSubmission.exe", "Automatic", True, ("MSExchangeADTopology",)),
    ServiceFact("MSExchangeThrottling", "Microsoft Exchange Throttling", "MSExchangeThrottling.exe",
                "Automatic", True, ("MSExchangeADTopology",)),
    ServiceFact("MSExchangeTransport", "Microsoft Exchange Transport", "MSExchangeTransport.exe",
                "Automatic", True, ("MSExchangeADTopology",)),
    ServiceFact("MSExchangeTransportLogSearch", "Microsoft Exchange Transport Log Search",
                "MSExchangeTransportLogSearch.exe", "Automatic", True, ("MSExchangeADTopology",)),
    ServiceFact("MSExchangeUM", "Microsoft Exchange Unified Messaging", "UMService.exe",
                "Automatic", True, ("MSExchangeADTopology",)),
    ServiceFact("MSExchangeUMCR", "Microsoft Exchange Unified Messaging Call Router",
                "Microsoft.Exchange.UM.CallRouter.exe", "Automatic", True, ("MSExchangeADTopology",)),
    ServiceFact("FMS", "Microsoft Filtering Management Service", "fms.exe", "Automatic", True),
    ServiceFact("wsbexchange", "Microsoft Exchange Server Extension for Windows Server Backup", "wsbexchange.exe",
                "Manual", False),
)

# Child processes that belong to a service but are not services themselves (processes.csv).
CHILD_PROCESSES: tuple[tuple[str, str], ...] = (
    ("MSExchangeHMWorker.exe", "MSExchangeHM"),
    ("Microsoft.Exchange.Store.Worker.exe", "MSExchangeIS"),
    ("EdgeTransport.exe", "MSExchangeTransport"),
    ("noderunner.exe", "HostControllerService"),
)

# Windows' own processes a tasklist always shows at the top, with their fixed PIDs.
SYSTEM_PROCESSES: tuple[tuple[str, int, int], ...] = (
    ("System Idle Process", 0, 4),
    ("System", 4, 1_412),
)

# Typical working sets in KB (UNCONFIRMED: plausible magnitudes for a lab server with 16 GB).
MEMORY_KB: dict[str, int] = {
    "w3wp.exe": 180_000,
    "inetinfo.exe": 14_000,
    "svchost.exe": 22_000,
    "Microsoft.Exchange.Store.Worker.exe": 420_000,
    "noderunner.exe": 310_000,
    "EdgeTransport.exe": 160_000,
    "MSExchangeHMWorker.exe": 240_000,
}
DEFAULT_MEMORY_KB = 60_000
