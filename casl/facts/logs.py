"""Log formats the lab writes (facts sheet section 8): IIS W3C, http.sys HTTPERR, HttpProxy.

The HttpProxy column list is the 69-column layout verified for Exchange 2013 CU7 to CU23
(``shared/domain/httpproxy_columns.txt``; CU6 itself is unverified, the sheet recommends this one).
"""
from __future__ import annotations

IIS_SOFTWARE = "Microsoft Internet Information Services 8.5"
W3C_FIELDS = ("date", "time", "s-ip", "cs-method", "cs-uri-stem", "cs-uri-query", "s-port", "cs-username", "c-ip",
              "cs(User-Agent)", "cs(Referer)", "sc-status", "sc-substatus", "sc-win32-status", "time-taken")
W3C_FOLDER = r"C:\inetpub\logs\LogFiles\W3SVC{site_id}"
W3C_FILE = "u_ex{yymmdd}.log"          # daily, UTC (IIS's default rollover for W3C)

# http.sys writes the requests it answers itself (stopped pool, no matching site) here, not in W3SVC*.
HTTPERR_FILE = r"C:\Windows\System32\LogFiles\HTTPERR\httperr1.log"
HTTPERR_SOFTWARE = "Microsoft HTTP API 2.0"
HTTPERR_FIELDS = ("date", "time", "c-ip", "c-port", "s-ip", "s-port", "cs-version", "cs-method", "cs-uri",
                  "sc-status", "s-siteid", "s-reason", "s-queuename")

HTTPPROXY_FOLDER = r"C:\Program Files\Microsoft\Exchange Server\V15\Logging\HttpProxy\{protocol}"
HTTPPROXY_FILE = "HttpProxy_{yyyymmddhh}-1.LOG"      # hourly [S15]
HTTPPROXY_LOG_TYPE = "HttpProxy Logs"
HTTPPROXY_COLUMNS: tuple[str, ...] = (
    "DateTime", "RequestId", "MajorVersion", "MinorVersion", "BuildVersion", "RevisionVersion", "ClientRequestId",
    "Protocol", "UrlHost", "UrlStem", "ProtocolAction", "AuthenticationType", "IsAuthenticated", "AuthenticatedUser",
    "Organization", "AnchorMailbox", "UserAgent", "ClientIpAddress", "ServerHostName", "HttpStatus", "BackEndStatus",
    "ErrorCode", "Method", "ProxyAction", "TargetServer", "TargetServerVersion", "RoutingType", "RoutingHint",
    "BackEndCookie", "ServerLocatorHost", "ServerLocatorLatency", "RequestBytes", "ResponseBytes",
    "TargetOutstandingRequests", "AuthModulePerfContext", "HttpPipelineLatency", "CalculateTargetBackEndLatency",
    "GlsLatencyBreakup", "TotalGlsLatency", "AccountForestLatencyBreakup", "TotalAccountForestLatency",
    "ResourceForestLatencyBreakup", "TotalResourceForestLatency", "ADLatency", "SharedCacheLatencyBreakup",
    "TotalSharedCacheLatency", "ActivityContextLifeTime", "ModuleToHandlerSwitchingLatency", "ClientReqStreamLatency",
    "BackendReqInitLatency", "BackendReqStreamLatency", "BackendProcessingLatency", "BackendRespInitLatency",
    "BackendRespStreamLatency", "ClientRespStreamLatency", "KerberosAuthHeaderLatency", "HandlerCompletionLatency",
    "RequestHandlerLatency", "HandlerToModuleSwitchingLatency", "ProxyTime", "CoreLatency", "RoutingLatency",
    "HttpProxyOverhead", "TotalRequestTime", "RouteRefresherLatency", "UrlQuery", "BackEndGenericInfo", "GenericInfo",
    "GenericErrors",
)
