"""IIS layout of a multi-role Exchange 2013 server (facts sheet sections 1 and 2).

Source: the real Exchange 2013 applicationHost.config captured by Microsoft's CSS-Exchange team
(facts sheet [S3]); the same file is in ``shared/fixtures/iis-config`` and the fidelity test
compares these tables with it.
"""
from __future__ import annotations

from typing import NamedTuple

EXCHANGE_INSTALL = r"C:\Program Files\Microsoft\Exchange Server\V15"
FRONTEND = EXCHANGE_INSTALL + r"\FrontEnd\HttpProxy"
BACKEND = EXCHANGE_INSTALL + r"\ClientAccess"

# The IIS application id that http.sys SSL bindings carry (netsh http show sslcert). THIRD-PARTY [S18].
IIS_APP_ID = "{4dc3e181-e14b-4a21-b022-59fc669b0914}"


class SiteFact(NamedTuple):
    id: int
    name: str
    physical_path: str
    role: str                # the Exchange role the site serves
    server_auto_start: bool


class BindingFact(NamedTuple):
    site: str
    protocol: str
    binding_information: str  # exactly as applicationHost.config writes it
    ssl: bool                 # carries the IIS certificate


class PoolFact(NamedTuple):
    name: str
    runtime: str              # managedRuntimeVersion ("" = No Managed Code)
    pipeline: str
    identity: str
    queue_length: int
    auto_start: bool
    periodic_restart: str     # periodicRestart time; "00:00:00" = never
    disallow_overlapping: bool


class AppFact(NamedTuple):
    site: str
    path: str                 # application path ("/" = site root)
    pool: str
    physical_path: str
    enabled_protocols: str = "http"


class VdirFact(NamedTuple):
    """A virtual directory inside an application that is not the application's own root."""
    site: str
    app: str
    path: str
    physical_path: str


SITES: tuple[SiteFact, ...] = (
    SiteFact(1, "Default Web Site", r"%SystemDrive%\inetpub\wwwroot", "Client Access (front end)", True),
    SiteFact(2, "Exchange Back End", BACKEND, "Mailbox (back end)", True),
)

BINDINGS: tuple[BindingFact, ...] = (
    BindingFact("Default Web Site", "http", "*:80:", False),
    BindingFact("Default Web Site", "net.tcp", "808:*", False),
    BindingFact("Default Web Site", "net.pipe", "*", False),
    BindingFact("Default Web Site", "net.msmq", "localhost", False),
    BindingFact("Default Web Site", "msmq.formatname", "localhost", False),
    # Written ":443:" (not "*:443:") in the real file: "All Unassigned" either way.
    BindingFact("Default Web Site", "https", ":443:", True),
    BindingFact("Default Web Site", "http", "127.0.0.1:80:", False),
    BindingFact("Default Web Site", "https", "127.0.0.1:443:", True),
    BindingFact("Exchange Back End", "http", "*:81:", False),
    BindingFact("Exchange Back End", "https", "*:444:", True),
    BindingFact("Exchange Back End", "net.pipe", "*", False),
)

_X = "LocalSystem"
_NEVER = "00:00:00"
_14D = "14.00:00:00"
APP_POOLS: tuple[PoolFact, ...] = (
    PoolFact("DefaultAppPool", "v4.0", "Integrated", "ApplicationPoolIdentity", 1000, True, "1.05:00:00", False),
    PoolFact(".NET v4.5 Classic", "v4.0", "Classic", "ApplicationPoolIdentity", 1000, True, "1.05:00:00", False),
    PoolFact(".NET v4.5", "v4.0", "Integrated", "ApplicationPoolIdentity", 1000, True, "1.05:00:00", False),
    PoolFact("MSExchangeAutodiscoverAppPool", "v4.0", "Integrated", _X, 1000, True, _NEVER, False),
    PoolFact("MSExchangeECPAppPool", "v4.0", "Integrated", _X, 1000, True, _14D, False),
    PoolFact("MSExchangeMapiAddressBookAppPool", "v4.0", "Integrated", _X, 65535, True, _NEVER, False),
    PoolFact("MSExchangeMapiFrontEndAppPool", "v4.0", "Integrated", _X, 65535, True, _NEVER, True),
    PoolFact("MSExchangeMapiMailboxAppPool", "v4.0", "Integrated", _X, 65535, True, _NEVER, False),
    PoolFact("MSExchangeOABAppPool", "v4.0", "Integrated", _X, 1000, True, _NEVER, False),
    PoolFact("MSExchangeOWAAppPool", "v4.0", "Integrated", _X, 1000, True, _14D, False),
    PoolFact("MSExchangeOWACalendarAppPool", "v4.0", "Integrated", _X, 10, True, _NEVER, False),
    PoolFact("MSExchangePowerShellAppPool", "v4.0", "Integrated", _X, 1000, True, _NEVER, False),
    PoolFact("MSExchangePowerShellFrontEndAppPool", "v4.0", "Integrated", _X, 1000, True, _NEVER, False),
    PoolFact("MSExchangePushNotificationsAppPool", "v4.0", "Integrated", _X, 1000, True, _NEVER, False),
    PoolFact("MSExchangeRpcProxyAppPool", "v4.0", "Integrated", _X, 65535, True, _NEVER, True),
    PoolFact("MSExchangeRpcProxyFrontEndAppPool", "v4.0", "Integrated", _X, 65535, True, _NEVER, True),
    PoolFact("MSExchangeServicesAppPool", "v4.0", "Integrated", _X, 1000, True, _NEVER, False),
    PoolFact("MSExchangeSyncAppPool", "v4.0", "Integrated", _X, 1000, True, _NEVER, False),
)

_DWS, _BE = "Default Web Site", "Exchange Back End"
APPLICATIONS: tuple[AppFact, ...] = (
    AppFact(_DWS, "/", "MSExchangeOWAAppPool", r"%SystemDrive%\inetpub\wwwroot"),
    AppFact(_DWS, "/owa", "MSExchangeOWAAppPool", FRONTEND + r"\owa"),
    AppFact(_DWS, "/owa/Calendar", "MSExchangeOWACalendarAppPool", FRONTEND + r"\owa"),
    AppFact(_DWS, "/owa/Integrated", "MSExchangeOWAAppPool", FRONTEND + r"\owa"),
    AppFact(_DWS, "/owa/oma", "MSExchangeOWAAppPool", FRONTEND + r"\owa"),
    AppFact(_DWS, "/ecp", "MSExchangeECPAppPool", FRONTEND + r"\ecp"),
    AppFact(_DWS, "/EWS", "MSExchangeServicesAppPool", FRONTEND + r"\EWS"),
    AppFact(_DWS, "/Autodiscover", "MSExchangeAutodiscoverAppPool", FRONTEND + r"\Autodiscover"),
    AppFact(_DWS, "/Microsoft-Server-ActiveSync", "MSExchangeSyncAppPool", FRONTEND + r"\sync"),
    AppFact(_DWS, "/OAB", "MSExchangeOABAppPool", FRONTEND + r"\OAB"),
    AppFact(_DWS, "/PowerShell", "MSExchangePowerShellFrontEndAppPool", FRONTEND + r"\PowerShell"),
    AppFact(_DWS, "/mapi", "MSExchangeMapiFrontEndAppPool", FRONTEND + r"\mapi"),
    AppFact(_DWS, "/Rpc", "MSExchangeRpcProxyFrontEndAppPool", FRONTEND + r"\rpc"),
    # The back end root sets no pool: applicationDefaults gives it DefaultAppPool.
    AppFact(_BE, "/", "DefaultAppPool", BACKEND),
    AppFact(_BE, "/PowerShell", "MSExchangePowerShellAppPool", BACKEND + r"\PowerShell-Proxy"),
    AppFact(_BE, "/mapi/emsmdb", "MSExchangeMapiMailboxAppPool", BACKEND + r"\mapi\emsmdb"),
    AppFact(_BE, "/mapi/nspi", "MSExchangeMapiAddressBookAppPool", BACKEND + r"\mapi\nspi"),
    AppFact(_BE, "/PushNotifications", "MSExchangePushNotificationsAppPool", BACKEND + r"\PushNotifications",
            "http,net.pipe"),
    AppFact(_BE, "/owa", "MSExchangeOWAAppPool", BACKEND + r"\owa"),
    AppFact(_BE, "/owa/Calendar", "MSExchangeOWACalendarAppPool", BACKEND + r"\owa"),
    AppFact(_BE, "/OAB", "MSExchangeOABAppPool", BACKEND + r"\OAB"),
    AppFact(_BE, "/ecp", "MSExchangeECPAppPool", BACKEND + r"\ecp"),
    AppFact(_BE, "/Autodiscover", "MSExchangeAutodiscoverAppPool", BACKEND + r"\Autodiscover"),
    AppFact(_BE, "/Autodiscover/bin", "MSExchangeAutodiscoverAppPool", BACKEND + r"\Autodiscover\bin"),
    AppFact(_BE, "/Autodiscover/help", "MSExchangeAutodiscoverAppPool", BACKEND + r"\Autodiscover\help"),
    AppFact(_BE, "/Microsoft-Server-ActiveSync", "MSExchangeSyncAppPool", BACKEND + r"\sync"),
    AppFact(_BE, "/EWS", "MSExchangeServicesAppPool", BACKEND + r"\exchweb\EWS"),
    AppFact(_BE, "/EWS/bin", "MSExchangeServicesAppPool", BACKEND + r"\exchweb\EWS\bin"),
    AppFact(_BE, "/Rpc", "MSExchangeRpcProxyAppPool", r"%windir%\System32\RpcProxy"),
    AppFact(_BE, "/RpcWithCert", "MSExchangeRpcProxyAppPool", r"%windir%\System32\RpcProxy"),
)

VIRTUAL_DIRECTORIES: tuple[VdirFact, ...] = (
    VdirFact(_BE, "/", "/mapi", BACKEND + r"\mapi"),
    VdirFact(_BE, "/", "/Exchange", BACKEND + r"\owa"),
    VdirFact(_BE, "/", "/Exchweb", BACKEND + r"\owa"),
    VdirFact(_BE, "/", "/Public", BACKEND + r"\owa"),
)

# Plain folders that `dir` shows beside the applications (facts sheet 2.2: aspnet_client is a folder).
FOLDERS: tuple[tuple[str, str], ...] = (
    (_DWS, "aspnet_client"),
)


class AuthFact(NamedTuple):
    """IIS authentication at one location; None = not overridden there (inherits)."""
    site: str
    path: str
    anonymous: bool | None
    basic: bool | None
    windows: bool | None
    ssl_flags: str


# From vdirs.csv (IIS columns = the 2013 CU23 applicationHost.config [S3]).
AUTHENTICATION: tuple[AuthFact, ...] = (
    AuthFact(_DWS, "/", None, None, None, "Ssl, Ssl128"),
    AuthFact(_DWS, "/owa", False, True, False, "Ssl, Ssl128"),
    AuthFact(_DWS, "/owa/auth", True, None, None, "Ssl, Ssl128"),
    AuthFact(_DWS, "/owa/Calendar", True, False, False, "None"),
    AuthFact(_DWS, "/owa/Integrated", False, False, True, "Ssl, Ssl128"),
    AuthFact(_DWS, "/owa/oma", False, True, False, "Ssl, Ssl128"),
    AuthFact(_DWS, "/ecp", True, True, False, "Ssl, Ssl128"),
    AuthFact(_DWS, "/EWS", True, False, True, "Ssl, Ssl128"),
    AuthFact(_DWS, "/Autodiscover", True, True, True, "Ssl, Ssl128"),
    AuthFact(_DWS, "/Microsoft-Server-ActiveSync", False, True, False, "Ssl, Ssl128"),
    AuthFact(_DWS, "/OAB", False, False, True, "Ssl, Ssl128"),
    AuthFact(_DWS, "/PowerShell", False, False, False, "SslNegotiateCert"),
    AuthFact(_DWS, "/mapi", False, False, True, "Ssl, Ssl128"),
    AuthFact(_DWS, "/Rpc", False, True, True, "None"),
    AuthFact(_BE, "/", None, None, None, "Ssl, Ssl128"),
    AuthFact(_BE, "/owa", True, False, True, "Ssl, Ssl128"),
    AuthFact(_BE, "/ecp", True, False, True, "Ssl, Ssl128"),
    AuthFact(_BE, "/EWS", True, False, True, "Ssl, Ssl128"),
    AuthFact(_BE, "/Autodiscover", True, False, True, "Ssl, Ssl128"),
    AuthFact(_BE, "/PushNotifications", True, False, True, "Ssl, Ssl128"),
    AuthFact(_BE, "/Microsoft-Server-ActiveSync", False, True, False, "Ssl, Ssl128"),
    AuthFact(_BE, "/OAB", False, False, True, "Ssl, Ssl128"),
    AuthFact(_BE, "/PowerShell", False, False, True, "Ssl, SslNegotiateCert, Ssl128"),
    AuthFact(_BE, "/mapi/emsmdb", False, False, True, "Ssl"),
    AuthFact(_BE, "/mapi/nspi", False, False, True, "Ssl"),
    AuthFact(_BE, "/Rpc", False, False, True, "None"),
    AuthFact(_BE, "/RpcWithCert", False, False, True, "None"),
)

# Which client protocol each front-end path serves, and the HttpProxy log folder it writes to
# (facts sheet 8.1). The back end has the same path for the same protocol.
PROTOCOLS: dict[str, tuple[str, str]] = {
    "/owa": ("OWA", "Owa"),
    "/owa/Calendar": ("OWA calendar publishing", "OwaCalendar"),
    "/ecp": ("ECP (admin center)", "Ecp"),
    "/EWS": ("EWS", "Ews"),
    "/Autodiscover": ("Autodiscover", "Autodiscover"),
    "/Microsoft-Server-ActiveSync": ("ActiveSync", "Eas"),
    "/OAB": ("Offline Address Book", "Oab"),
    "/PowerShell": ("Remote PowerShell", "PowerShell"),
    "/mapi": ("MAPI over HTTP", "Mapi"),
    "/Rpc": ("Outlook Anywhere (RPC over HTTP)", "RpcHttp"),
}

# Bindings a learner must never change (the article's warning, and the certificate facts 1.2-1.3).
PROTECTED_BINDINGS: tuple[tuple[str, str, str], ...] = (
    (_BE, "http", "*:81:"),
    (_BE, "https", "*:444:"),
    (_DWS, "http", "127.0.0.1:80:"),
    (_DWS, "https", "127.0.0.1:443:"),
)
