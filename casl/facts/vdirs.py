"""Exchange's own virtual directory objects (facts sheet sections 2.5, 2.6, 3 and 4.1; vdirs.csv).

Exchange keeps each virtual directory twice: an object in Active Directory (what ``Get-*VirtualDirectory``
reads, named ``<vdir> (<web site>)``) and the IIS application it manages. These tables say which
objects exist on a multi-role 2013 CU6 server, what setup puts in them, and how the cmdlets show them.

>>> [k.noun for k in KINDS if k.key == "owa"]
['OwaVirtualDirectory']
>>> default_settings("ews", "Default Web Site", "ServerA.contoso.com")["InternalUrl"]
'https://ServerA.contoso.com/EWS/Exchange.asmx'
"""
from __future__ import annotations

from typing import NamedTuple

from casl.facts.iis import BACKEND, EXCHANGE_INSTALL, FRONTEND

DWS, BE = "Default Web Site", "Exchange Back End"
SITE_IDS = {DWS: 1, BE: 2}
ROLE_SITE = {"ClientAccess": DWS, "Mailbox": BE}     # New-*VirtualDirectory -Role (2013) [S7-2013]

# The Exchange 2013 schema version every virtual directory object carries [S3].
EXCHANGE_VERSION = "0.10 (14.0.100.0)"
ADMIN_GROUP = "CN=Exchange Administrative Group (FYDIBOHF23SPDLT),CN=Administrative Groups"
# The organisation container's name: UNCONFIRMED for the lab (setup asks for it; "Contoso" is ours).
ORG_NAME = "Contoso"
DC = "DC01"      # the lab's domain controller (OriginatingServer); the CA is contoso-DC01-CA

ADMIN_PROPS = (   # the common tail of every virtual directory's Format-List, in order [S3] 3.3
    "AdminDisplayName", "ExchangeVersion", "DistinguishedName", "Identity", "Guid", "ObjectCategory",
    "ObjectClass", "WhenChanged", "WhenCreated", "WhenChangedUTC", "WhenCreatedUTC", "OrganizationId", "Id",
    "OriginatingServer", "IsValid", "ObjectState")


class VdirKind(NamedTuple):
    key: str                     # short name used across casl ("owa")
    noun: str                    # the cmdlet noun: Get-<noun>
    name: str                    # the AD name's first part and the IIS application's path without "/"
    sites: tuple[str, ...]       # sites that have an AD object [S5]
    url_path: str                # what setup puts after the host in InternalUrl ("" = no URL set)
    object_class: str            # msExch... class (ObjectClass is top, msExchVirtualDirectory, this)
    category: str                # ObjectCategory's last part
    type_name: str               # the .NET type PowerShell shows (Get-Member, Export-Clixml)
    head: tuple[str, ...]        # properties before the common part of Format-List
    auth: tuple[str, ...]        # properties of the authentication block, in order
    mid: tuple[str, ...]         # properties between the authentication block and AdminDisplayVersion
    table: tuple[str, ...]       # default table view columns


_NS = "Microsoft.Exchange.Data.Directory.SystemConfiguration."
_AUTH = ("BasicAuthentication", "WindowsAuthentication", "DigestAuthentication", "FormsAuthentication",
         "LiveIdAuthentication", "AdfsAuthentication", "OAuthAuthentication")
_TAIL_WEB = ("DefaultDomain", "GzipLevel", "WebSite", "DisplayName", "Path", "ExtendedProtectionTokenChecking",
             "ExtendedProtectionFlags", "ExtendedProtectionSPNList")
_TAIL = ("Path", "ExtendedProtectionTokenChecking", "ExtendedProtectionFlags", "ExtendedProtectionSPNList")

# Format-List of OWA: the real 2013 CU23 order, facts sheet 3.3 [S3].
OWA_HEAD = (
    "DirectFileAccessOnPublicComputersEnabled", "DirectFileAccessOnPrivateComputersEnabled",
    "WebReadyDocumentViewingOnPublicComputersEnabled", "WebReadyDocumentViewingOnPrivateComputersEnabled",
    "ForceWebReadyDocumentViewingFirstOnPublicComputers", "ForceWebReadyDocumentViewingFirstOnPrivateComputers",
    "WacViewingOnPublicComputersEnabled", "WacViewingOnPrivateComputersEnabled",
    "ForceWacViewingFirstOnPublicComputers", "ForceWacViewingFirstOnPrivateComputers",
    "RemoteDocumentsActionForUnknownServers", "ActionForUnknownFileAndMIMETypes", "WebReadyFileTypes",
    "WebReadyMimeTypes", "WebReadyDocumentViewingForAllSupportedTypes", "WebReadyDocumentViewingSupportedMimeTypes",
    "WebReadyDocumentViewingSupportedFileTypes", "AllowedFileTypes", "AllowedMimeTypes", "ForceSaveFileTypes",
    "ForceSaveMimeTypes", "BlockedFileTypes", "BlockedMimeTypes", "RemoteDocumentsAllowedServers",
    "RemoteDocumentsBlockedServers", "RemoteDocumentsInternalDomainSuffixList", "FolderPathname", "Url",
    "LogonFormat", "ClientAuthCleanupLevel", "LogonPagePublicPrivateSelectionEnabled",
    "LogonPageLightSelectionEnabled", "IsPublic", "FilterWebBeaconsAndHtmlForms", "NotificationInterval",
    "DefaultTheme", "UserContextTimeout", "ExchwebProxyDestination", "VirtualDirectoryType", "OwaVersion",
    "ServerName", "InstantMessagingCertificateThumbprint", "InstantMessagingServerName",
    "RedirectToOptimalOWAServer", "DefaultClientLanguage", "LogonAndErrorLanguage", "UseGB18030", "UseISO885915",
    "OutboundCharset", "GlobalAddressListEnabled", "OrganizationEnabled", "ExplicitLogonEnabled", "OWALightEnabled",
    "DelegateAccessEnabled", "IRMEnabled", "CalendarEnabled", "ContactsEnabled", "TasksEnabled", "JournalEnabled",
    "NotesEnabled", "RemindersAndNotificationsEnabled", "PremiumClientEnabled", "SpellCheckerEnabled",
    "SearchFoldersEnabled", "SignaturesEnabled", "ThemeSelectionEnabled", "JunkEmailEnabled", "UMIntegrationEnabled",
    "WSSAccessOnPublicComputersEnabled", "WSSAccessOnPrivateComputersEnabled", "ChangePasswordEnabled",
    "UNCAccessOnPublicComputersEnabled", "UNCAccessOnPrivateComputersEnabled", "ActiveSyncIntegrationEnabled",
    "AllAddressListsEnabled", "RulesEnabled", "PublicFoldersEnabled", "SMimeEnabled", "RecoverDeletedItemsEnabled",
    "InstantMessagingEnabled", "TextMessagingEnabled", "ForceSaveAttachmentFilteringEnabled", "SilverlightEnabled",
    "PlacesEnabled", "WeatherEnabled", "AllowCopyContactsToDeviceAddressBook", "AnonymousFeaturesEnabled",
    "IntegratedFeaturesEnabled", "DisplayPhotosEnabled", "SetPhotoEnabled", "PredictedActionsEnabled",
    "UserDiagnosticEnabled", "ReportJunkEmailEnabled", "WebPartsFrameOptionsType", "AllowOfflineOn", "SetPhotoURL",
    "InstantMessagingType", "Exchange2003Url", "FailbackUrl", "Name", "InternalAuthenticationMethods",
    "MetabasePath")

KINDS: tuple[VdirKind, ...] = (
    VdirKind("owa", "OwaVirtualDirectory", "owa", (DWS, BE), "/owa", "msExchOWAVirtualDirectory",
             "ms-Exch-OWA-Virtual-Directory", _NS + "ADOwaVirtualDirectory",
             OWA_HEAD, _AUTH, _TAIL_WEB, ("Name", "Server", "OwaVersion")),
    # ECP: property order UNCONFIRMED (built on the OWA tail, which the ECP object shares in real output).
    VdirKind("ecp", "EcpVirtualDirectory", "ecp", (DWS, BE), "/ecp", "msExchECPVirtualDirectory",
             "ms-Exch-ECP-Virtual-Directory", _NS + "ADEcpVirtualDirectory",
             ("AdminEnabled", "OwaOptionsEnabled", "Name", "InternalAuthenticationMethods", "MetabasePath"),
             _AUTH, _TAIL_WEB, ("Name", "Server")),
    # EWS: order of the real export (shared/fixtures, a 2016 object), less what 2016 added (UNCONFIRMED for CU6).
    VdirKind("ews", "WebServicesVirtualDirectory", "EWS", (DWS, BE), "/EWS/Exchange.asmx",
             "msExchWebServicesVirtualDirectory", "ms-Exch-Web-Services-Virtual-Directory",
             _NS + "ADWebServicesVirtualDirectory",
             ("CertificateAuthentication", "InternalNLBBypassUrl", "GzipLevel", "MRSProxyEnabled", "Name",
              "InternalAuthenticationMethods", "ExternalAuthenticationMethods", "LiveIdNegotiateAuthentication",
              "WSSecurityAuthentication", "LiveIdBasicAuthentication"),
             ("BasicAuthentication", "DigestAuthentication", "WindowsAuthentication", "OAuthAuthentication",
              "AdfsAuthentication"), ("MetabasePath",) + _TAIL, ("Name", "Server")),
    # ActiveSync, OAB, PowerShell, Autodiscover, MAPI: property sets UNCONFIRMED (no real export at hand);
    # the names are the ones their Set- cmdlets take.
    VdirKind("eas", "ActiveSyncVirtualDirectory", "Microsoft-Server-ActiveSync", (DWS, BE),
             "/Microsoft-Server-ActiveSync", "msExchMobileVirtualDirectory", "ms-Exch-Mobile-Virtual-Directory",
             _NS + "ADMobileVirtualDirectory",
             ("MobileClientCertificateProvisioningEnabled", "BadItemReportingEnabled", "SendWatsonReport",
              "MobileClientCertificateAuthorityURL", "MobileClientCertTemplateName", "ActiveSyncServer",
              "RemoteDocumentsActionForUnknownServers", "RemoteDocumentsAllowedServers",
              "RemoteDocumentsBlockedServers", "RemoteDocumentsInternalDomainSuffixList", "MetabasePath",
              "BasicAuthEnabled", "WindowsAuthEnabled", "CompressionEnabled", "ClientCertAuth", "WebsiteName",
              "WebSiteSSLEnabled", "VirtualDirectoryName", "InternalAuthenticationMethods",
              "ExternalAuthenticationMethods"),
             (), _TAIL, ("Name", "Server")),
    VdirKind("oab", "OabVirtualDirectory", "OAB", (DWS, BE), "/OAB", "msExchOABVirtualDirectory",
             "ms-Exch-OAB-Virtual-Directory", _NS + "ADOabVirtualDirectory",
             ("OfflineAddressBooks", "PollInterval", "RequireSSL", "MetabasePath", "BasicAuthentication",
              "WindowsAuthentication", "OAuthAuthentication"),
             (), _TAIL, ("Name", "Server")),
    VdirKind("powershell", "PowerShellVirtualDirectory", "PowerShell", (DWS, BE), "/powershell",
             "msExchPowerShellVirtualDirectory", "ms-Exch-PowerShell-Virtual-Directory",
             _NS + "ADPowerShellVirtualDirectory",
             ("CertificateAuthentication", "RequireSSL", "MetabasePath", "BasicAuthentication",
              "WindowsAuthentication", "DigestAuthentication", "OAuthAuthentication", "Name",
              "InternalAuthenticationMethods", "ExternalAuthenticationMethods"),
             (), _TAIL, ("Name", "Server")),
    VdirKind("autodiscover", "AutodiscoverVirtualDirectory", "Autodiscover", (DWS, BE), "",
             "msExchAutodiscoverVirtualDirectory", "ms-Exch-Autodiscover-Virtual-Directory",
             _NS + "ADAutodiscoverVirtualDirectory",
             ("Name", "InternalAuthenticationMethods", "ExternalAuthenticationMethods", "LiveIdNegotiateAuthentication",
              "WSSecurityAuthentication", "LiveIdBasicAuthentication"),
             ("BasicAuthentication", "DigestAuthentication", "WindowsAuthentication", "OAuthAuthentication",
              "AdfsAuthentication"), ("MetabasePath",) + _TAIL, ("Name", "Server")),
    # MAPI exists on the front end only (2013 SP1 and later) [S5][S27-mapi].
    VdirKind("mapi", "MapiVirtualDirectory", "mapi", (DWS,), "/mapi", "msExchMapiVirtualDirectory",
             "ms-Exch-Mapi-Virtual-Directory", _NS + "ADMapiVirtualDirectory",
             ("IISAuthenticationMethods", "MetabasePath"), (), _TAIL, ("Server", "InternalUrl", "ExternalUrl")),
    # Outlook Anywhere: the Rpc virtual directory, front end only, managed by *-OutlookAnywhere [S7].
    VdirKind("rpc", "OutlookAnywhere", "Rpc", (DWS,), "", "msExchRpcHttpVirtualDirectory",
             "ms-Exch-Rpc-Http-Virtual-Directory", _NS + "ADRpcHttpVirtualDirectory",
             ("ServerName", "SSLOffloading", "ExternalHostname", "InternalHostname",
              "ExternalClientAuthenticationMethod", "InternalClientAuthenticationMethod", "IISAuthenticationMethods",
              "XropUrl", "ExternalClientsRequireSsl", "InternalClientsRequireSsl", "MetabasePath"),
             (), _TAIL, ("ServerName", "Name", "ExternalHostname", "InternalHostname")),
)
KIND = {k.key: k for k in KINDS}
BY_NOUN = {k.noun.lower(): k for k in KINDS}

# IIS application pool and physical folder of each (site, application) come from facts.iis.APPLICATIONS;
# a virtual directory object owns its application and the applications below it (owa/Calendar ...).

# --- what setup writes (defaults a re-created directory comes back with) -----------------------

# OWA feature settings: values of the real export [S3][fixtures], shortened lists kept as in 2013
# where the 2013 value is known; the long file-type lists are the 2016 export's (UNCONFIRMED for CU6).
OWA_FEATURES: dict[str, object] = {
    "DirectFileAccessOnPublicComputersEnabled": True, "DirectFileAccessOnPrivateComputersEnabled": True,
    "WebReadyDocumentViewingOnPublicComputersEnabled": True, "WebReadyDocumentViewingOnPrivateComputersEnabled": True,
    "ForceWebReadyDocumentViewingFirstOnPublicComputers": False,
    "ForceWebReadyDocumentViewingFirstOnPrivateComputers": False,
    "WacViewingOnPublicComputersEnabled": True, "WacViewingOnPrivateComputersEnabled": True,
    "ForceWacViewingFirstOnPublicComputers": False, "ForceWacViewingFirstOnPrivateComputers": False,
    "RemoteDocumentsActionForUnknownServers": "Block", "ActionForUnknownFileAndMIMETypes": "Allow",
    "WebReadyFileTypes": [".xlsx", ".pptx", ".docx", ".xls", ".rtf", ".ppt", ".pps", ".pdf", ".dot", ".doc"],
    "WebReadyMimeTypes": ["application/vnd.openxmlformats-officedocument.presentationml.presentation",
                          "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                          "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                          "application/vnd.ms-powerpoint", "application/x-mspowerpoint", "application/vnd.ms-excel",
                          "application/x-msexcel", "application/msword", "application/pdf"],
    "WebReadyDocumentViewingForAllSupportedTypes": True,
    "WebReadyDocumentViewingSupportedMimeTypes": ["application/msword", "application/vnd.ms-excel",
                                                  "application/x-msexcel", "application/vnd.ms-powerpoint",
                                                  "application/x-mspowerpoint", "application/pdf"],
    "WebReadyDocumentViewingSupportedFileTypes": [".doc", ".dot", ".rtf", ".xls", ".ppt", ".pps", ".pdf", ".docx",
                                                  ".xlsx", ".pptx"],
    "AllowedFileTypes": [".rpmsg", ".xlsx", ".xlsm", ".xlsb", ".tiff", ".pptx", ".pptm", ".ppsx", ".ppsm", ".docx",
                         ".docm", ".zip", ".xls", ".wmv", ".wma", ".wav", ".vsd", ".txt", ".tif", ".rtf", ".pub",
                         ".ppt", ".png", ".pdf", ".one", ".mp3", ".jpg", ".gif", ".doc", ".bmp", ".avi"],
    "AllowedMimeTypes": ["image/jpeg", "image/png", "image/gif", "image/bmp"],
    "ForceSaveFileTypes": [".vsmacros", ".msh2xml", ".msh1xml", ".ps2xml", ".ps1xml", ".mshxml", ".gadget",
                           ".mhtml", ".psc2", ".psc1", ".msh2", ".msh1", ".aspx", ".xml", ".wsh", ".wsf", ".wsc",
                           ".vsw", ".vst", ".vss", ".vbs", ".vbe", ".url", ".tmp", ".swf", ".spl", ".shs", ".shb",
                           ".sct", ".scr", ".scf", ".reg", ".pst", ".prg", ".prf", ".plg", ".pif", ".pcd", ".ops",
                           ".mst", ".msp", ".msi", ".msh", ".msc", ".mht", ".mdz", ".mdw", ".mdt", ".mde", ".mdb",
                           ".mda", ".maw", ".mav", ".mau", ".mat", ".mas", ".mar", ".maq", ".mam", ".mag", ".maf",
                           ".mad", ".lnk", ".ksh", ".jse", ".its", ".isp", ".ins", ".inf", ".htc", ".hta", ".hlp",
                           ".fxp", ".exe", ".dir", ".dcr", ".csh", ".crt", ".cpl", ".com", ".cmd", ".chm", ".cer",
                           ".bat", ".bas", ".asx", ".asp", ".app", ".adp", ".ade", ".ws", ".vb", ".js"],
    "ForceSaveMimeTypes": ["Application/x-shockwave-flash", "Application/octet-stream", "Application/futuresplash",
                           "Application/x-director"],
    "BlockedFileTypes": [".vsmacros", ".msh2xml", ".msh1xml", ".ps2xml", ".ps1xml", ".mshxml", ".gadget", ".mhtml",
                         ".psc2", ".psc1", ".msh2", ".msh1", ".aspx", ".xml", ".wsh", ".wsf", ".wsc", ".vsw",
                         ".vst", ".vss", ".vbs", ".vbe", ".url", ".tmp", ".swf", ".spl", ".shs", ".shb", ".sct",
                         ".scr", ".scf", ".reg", ".pst", ".prg", ".prf", ".plg", ".pif", ".pcd", ".ops", ".mst",
                         ".msp", ".msi", ".msh", ".msc", ".mht", ".mdz", ".mdw", ".mdt", ".mde", ".mdb", ".mda",
                         ".lnk", ".ksh", ".jse", ".isp", ".ins", ".inf", ".htc", ".hta", ".hlp", ".fxp", ".exe",
                         ".dir", ".dcr", ".csh", ".crt", ".cpl", ".com", ".cmd", ".chm", ".cer", ".bat", ".bas",
                         ".asx", ".asp", ".app", ".adp", ".ade", ".ws", ".vb", ".js"],
    "BlockedMimeTypes": ["application/x-javascript", "application/javascript", "application/msaccess",
                         "x-internet-signup", "text/javascript", "application/prg", "application/hta",
                         "text/scriplet", "text/html"],
    "RemoteDocumentsAllowedServers": [], "RemoteDocumentsBlockedServers": [],
    "RemoteDocumentsInternalDomainSuffixList": [], "FolderPathname": None, "Url": [],
    "LogonFormat": "FullDomain", "ClientAuthCleanupLevel": "High", "LogonPagePublicPrivateSelectionEnabled": False,
    "LogonPageLightSelectionEnabled": False, "IsPublic": False, "FilterWebBeaconsAndHtmlForms": "UserFilterChoice",
    "NotificationInterval": 120, "DefaultTheme": "", "UserContextTimeout": 60, "ExchwebProxyDestination": None,
    "VirtualDirectoryType": None, "OwaVersion": "Exchange2013", "ServerName": None,
    "InstantMessagingCertificateThumbprint": "", "InstantMessagingServerName": "", "RedirectToOptimalOWAServer": True,
    "DefaultClientLanguage": 0, "LogonAndErrorLanguage": 0, "UseGB18030": False, "UseISO885915": False,
    "OutboundCharset": "AutoDetect",
    **{f"{n}Enabled": True for n in (
        "GlobalAddressList", "Organization", "ExplicitLogon", "OWALight", "DelegateAccess", "IRM", "Calendar",
        "Contacts", "Tasks", "Journal", "Notes", "RemindersAndNotifications", "PremiumClient", "SpellChecker",
        "SearchFolders", "Signatures", "ThemeSelection", "JunkEmail", "UMIntegration",
        "WSSAccessOnPublicComputers", "WSSAccessOnPrivateComputers", "ChangePassword",
        "UNCAccessOnPublicComputers", "UNCAccessOnPrivateComputers", "ActiveSyncIntegration", "AllAddressLists",
        "Rules", "PublicFolders", "SMime", "RecoverDeletedItems", "InstantMessaging", "TextMessaging",
        "Silverlight", "Weather", "AnonymousFeatures", "IntegratedFeatures", "DisplayPhotos", "SetPhoto",
        "ReportJunkEmail")},
    "ForceSaveAttachmentFilteringEnabled": False, "PlacesEnabled": False, "AllowCopyContactsToDeviceAddressBook": True,
    "PredictedActionsEnabled": False, "UserDiagnosticEnabled": False, "WebPartsFrameOptionsType": "SameOrigin",
    "AllowOfflineOn": "AllComputers", "SetPhotoURL": "", "InstantMessagingType": "None", "Exchange2003Url": None,
    "FailbackUrl": None, "GzipLevel": "Off",
}

# Exchange-level authentication setup writes, per kind and site. FE OWA/ECP = forms + basic (THIRD-PARTY
# real outputs [S42]); PowerShell per setup log [S6]; the rest follow the IIS settings of the CU23 dump [S3]
# and are UNCONFIRMED as Exchange property values.
_F, _T = False, True
AUTH_DEFAULTS: dict[tuple[str, str], dict[str, object]] = {
    ("owa", DWS): {"BasicAuthentication": _T, "WindowsAuthentication": _F, "DigestAuthentication": _F,
                   "FormsAuthentication": _T, "LiveIdAuthentication": _F, "AdfsAuthentication": _F,
                   "OAuthAuthentication": _F, "InternalAuthenticationMethods": ["Basic", "Fba"],
                   "ExternalAuthenticationMethods": ["Fba"]},
    ("owa", BE): {"BasicAuthentication": _F, "WindowsAuthentication": _T, "DigestAuthentication": _F,
                  "FormsAuthentication": _F, "LiveIdAuthentication": _F, "AdfsAuthentication": _F,
                  "OAuthAuthentication": _F, "InternalAuthenticationMethods": ["Ntlm", "WindowsIntegrated"],
                  "ExternalAuthenticationMethods": ["Ntlm", "WindowsIntegrated"]},   # UNCONFIRMED
    ("ecp", DWS): {"BasicAuthentication": _T, "WindowsAuthentication": _F, "DigestAuthentication": _F,
                   "FormsAuthentication": _T, "LiveIdAuthentication": _F, "AdfsAuthentication": _F,
                   "OAuthAuthentication": _F, "InternalAuthenticationMethods": ["Basic", "Fba"],
                   "ExternalAuthenticationMethods": ["Fba"]},     # UNCONFIRMED for CU6 (vdirs.csv)
    ("ecp", BE): {"BasicAuthentication": _F, "WindowsAuthentication": _T, "DigestAuthentication": _F,
                  "FormsAuthentication": _F, "LiveIdAuthentication": _F, "AdfsAuthentication": _F,
                  "OAuthAuthentication": _F, "InternalAuthenticationMethods": ["Ntlm", "WindowsIntegrated"],
                  "ExternalAuthenticationMethods": ["Ntlm", "WindowsIntegrated"]},   # UNCONFIRMED
    # EWS: the real export's values (a 2016 object; OAuth was already there in 2013 - UNCONFIRMED for CU6).
    ("ews", DWS): {"BasicAuthentication": _F, "DigestAuthentication": _F, "WindowsAuthentication": _T,
                   "OAuthAuthentication": _T, "AdfsAuthentication": _F, "WSSecurityAuthentication": _T,
                   "LiveIdNegotiateAuthentication": None, "LiveIdBasicAuthentication": _F,
                   "CertificateAuthentication": None,
                   "InternalAuthenticationMethods": ["Ntlm", "WindowsIntegrated", "WSSecurity", "OAuth"],
                   "ExternalAuthenticationMethods": ["Ntlm", "WindowsIntegrated", "WSSecurity", "OAuth"]},
    ("eas", DWS): {"BasicAuthEnabled": _T, "WindowsAuthEnabled": _F, "ClientCertAuth": "Ignore",
                   "InternalAuthenticationMethods": ["Basic"], "ExternalAuthenticationMethods": ["Basic"]},
    ("eas", BE): {"BasicAuthEnabled": _T, "WindowsAuthEnabled": _F, "ClientCertAuth": "Ignore",
                  "InternalAuthenticationMethods": ["Basic"], "ExternalAuthenticationMethods": ["Basic"]},
    ("oab", DWS): {"BasicAuthentication": _F, "WindowsAuthentication": _T, "OAuthAuthentication": _T,
                   "InternalAuthenticationMethods": ["WindowsIntegrated", "OAuth"],
                   "ExternalAuthenticationMethods": ["WindowsIntegrated", "OAuth"]},
    ("powershell", DWS): {"CertificateAuthentication": None, "BasicAuthentication": _F, "WindowsAuthentication": _F,
                          "DigestAuthentication": _F, "OAuthAuthentication": _F, "RequireSSL": _F,
                          "InternalAuthenticationMethods": [], "ExternalAuthenticationMethods": []},   # [S6]
    ("powershell", BE): {"CertificateAuthentication": None, "BasicAuthentication": _F, "WindowsAuthentication": _T,
                         "DigestAuthentication": _F, "OAuthAuthentication": _F, "RequireSSL": _T,
                         "InternalAuthenticationMethods": ["Ntlm", "WindowsIntegrated"],
                         "ExternalAuthenticationMethods": ["Ntlm", "WindowsIntegrated"]},          # [S6]
    ("autodiscover", DWS): {"BasicAuthentication": _T, "DigestAuthentication": _F, "WindowsAuthentication": _T,
                            "OAuthAuthentication": _T, "AdfsAuthentication": _F, "WSSecurityAuthentication": _T,
                            "LiveIdNegotiateAuthentication": None, "LiveIdBasicAuthentication": _F,
                            "InternalAuthenticationMethods": ["Basic", "Ntlm", "WindowsIntegrated", "WSSecurity",
                                                              "OAuth"],
                            "ExternalAuthenticationMethods": ["Basic", "Ntlm", "WindowsIntegrated", "WSSecurity",
                                                              "OAuth"]},
    ("mapi", DWS): {"IISAuthenticationMethods": ["Ntlm", "OAuth", "Negotiate"],
                    "InternalAuthenticationMethods": ["Ntlm", "OAuth", "Negotiate"],
                    "ExternalAuthenticationMethods": ["Ntlm", "OAuth", "Negotiate"]},
    # Outlook Anywhere as 2013 setup leaves it: SSL offloading on, NTLM inside (UNCONFIRMED for CU6).
    ("rpc", DWS): {"SSLOffloading": _T, "ExternalHostname": None, "InternalHostname": "{fqdn}",
                   "ExternalClientAuthenticationMethod": "Negotiate", "InternalClientAuthenticationMethod": "Ntlm",
                   "IISAuthenticationMethods": ["Basic", "Ntlm", "Negotiate"], "XropUrl": None,
                   "ExternalClientsRequireSsl": _F, "InternalClientsRequireSsl": _F},
}
# Back ends of EWS/OAB/Autodiscover are the front end's settings (UNCONFIRMED; IIS shows Anonymous +
# Windows there, which Exchange expresses the same way).
for _k in ("ews", "oab", "autodiscover"):
    AUTH_DEFAULTS[(_k, BE)] = dict(AUTH_DEFAULTS[(_k, DWS)])

# Settings of each kind that are neither authentication nor URLs (values UNCONFIRMED unless noted).
KIND_DEFAULTS: dict[str, dict[str, object]] = {
    "owa": OWA_FEATURES,
    "ecp": {"AdminEnabled": True, "OwaOptionsEnabled": True, "GzipLevel": "Off"},
    "ews": {"InternalNLBBypassUrl": None, "GzipLevel": "Low", "MRSProxyEnabled": False},   # real export
    "eas": {"MobileClientCertificateProvisioningEnabled": False, "BadItemReportingEnabled": True,
            "SendWatsonReport": True, "MobileClientCertificateAuthorityURL": None,
            "MobileClientCertTemplateName": None, "ActiveSyncServer": None,
            "RemoteDocumentsActionForUnknownServers": "Allow", "RemoteDocumentsAllowedServers": [],
            "RemoteDocumentsBlockedServers": [], "RemoteDocumentsInternalDomainSuffixList": [],
            "CompressionEnabled": True, "WebSiteSSLEnabled": True},
    "oab": {"OfflineAddressBooks": [], "PollInterval": 480, "RequireSSL": True},
    "powershell": {},
    "autodiscover": {},
    "mapi": {},
    "rpc": {"ServerName": None},
}

# Which settings Set-<noun> changes, with the PowerShell type of each parameter. Authentication
# switches are [bool] parameters taken as -Name:$true / -Name $false.
SETTABLE: dict[str, dict[str, str]] = {
    "owa": {"InternalUrl": "string", "ExternalUrl": "string", "BasicAuthentication": "bool",
            "WindowsAuthentication": "bool", "DigestAuthentication": "bool", "FormsAuthentication": "bool",
            "LogonFormat": "string", "DefaultDomain": "string", "InstantMessagingEnabled": "bool",
            "ChangePasswordEnabled": "bool", "GzipLevel": "string", "DirectFileAccessOnPublicComputersEnabled": "bool",
            "SetPhotoEnabled": "bool", "LogonPagePublicPrivateSelectionEnabled": "bool",
            "InternalAuthenticationMethods": "strings", "ExternalAuthenticationMethods": "strings"},
    "ecp": {"InternalUrl": "string", "ExternalUrl": "string", "BasicAuthentication": "bool",
            "WindowsAuthentication": "bool", "DigestAuthentication": "bool", "FormsAuthentication": "bool",
            "AdminEnabled": "bool", "OwaOptionsEnabled": "bool", "GzipLevel": "string",
            "ExternalAuthenticationMethods": "strings"},
    "ews": {"InternalUrl": "string", "ExternalUrl": "string", "BasicAuthentication": "bool",
            "WindowsAuthentication": "bool", "DigestAuthentication": "bool", "OAuthAuthentication": "bool",
            "WSSecurityAuthentication": "bool", "MRSProxyEnabled": "bool", "GzipLevel": "string",
            "InternalNLBBypassUrl": "string"},
    "eas": {"InternalUrl": "string", "ExternalUrl": "string", "BasicAuthEnabled": "bool",
            "WindowsAuthEnabled": "bool", "ClientCertAuth": "string", "BadItemReportingEnabled": "bool",
            "CompressionEnabled": "bool", "ActiveSyncServer": "string"},
    "oab": {"InternalUrl": "string", "ExternalUrl": "string", "BasicAuthentication": "bool",
            "WindowsAuthentication": "bool", "OAuthAuthentication": "bool", "RequireSSL": "bool",
            "PollInterval": "int"},
    "powershell": {"InternalUrl": "string", "ExternalUrl": "string", "BasicAuthentication": "bool",
                   "WindowsAuthentication": "bool", "CertificateAuthentication": "bool", "RequireSSL": "bool"},
    "autodiscover": {"InternalUrl": "string", "ExternalUrl": "string", "BasicAuthentication": "bool",
                     "WindowsAuthentication": "bool", "DigestAuthentication": "bool", "OAuthAuthentication": "bool",
                     "WSSecurityAuthentication": "bool"},
    "mapi": {"InternalUrl": "string", "ExternalUrl": "string", "IISAuthenticationMethods": "strings"},
    "rpc": {"ExternalHostname": "string", "InternalHostname": "string", "SSLOffloading": "bool",
            "ExternalClientsRequireSsl": "bool", "InternalClientsRequireSsl": "bool",
            "ExternalClientAuthenticationMethod": "string", "InternalClientAuthenticationMethod": "string",
            "IISAuthenticationMethods": "strings"},
}
AUTH_METHODS = ("Basic", "Digest", "Ntlm", "Fba", "WindowsIntegrated", "LiveIdFba", "LiveIdBasic", "WSSecurity",
                "Certificate", "NegoEx", "OAuth", "Adfs", "Kerberos", "Negotiate", "LiveIdNegotiate", "Misconfigured")

# Which Exchange switch turns which IIS authentication method on at the application (IIS columns of
# vdirs.csv show the pairing on a fresh server: OWA's Basic <-> IIS Basic, EWS's Windows <-> IIS Windows).
IIS_SWITCH = {"BasicAuthentication": "basic", "WindowsAuthentication": "windows",
              "BasicAuthEnabled": "basic", "WindowsAuthEnabled": "windows"}


def default_settings(key: str, site: str, fqdn: str) -> dict[str, object]:
    """The settings setup (or a ``New-`` cmdlet without options) gives a virtual directory.

    >>> default_settings("owa", "Exchange Back End", "ServerA.contoso.com")["InternalUrl"] is None
    True
    """
    kind = KIND[key]
    out: dict[str, object] = {}
    for k, v in KIND_DEFAULTS[key].items():
        out[k] = list(v) if isinstance(v, list) else v
    for k, v in AUTH_DEFAULTS.get((key, site), {}).items():
        out[k] = v.replace("{fqdn}", fqdn) if isinstance(v, str) else (list(v) if isinstance(v, list) else v)
    # Setup sets InternalUrl on the front end only; ExternalUrl is left blank [S1-owa]. The back end
    # PowerShell directory answers on 444 (UNCONFIRMED exact value).
    if site == DWS and kind.url_path:
        scheme = "http" if key == "powershell" else "https"     # EMS connects over http [S6]
        out["InternalUrl"] = f"{scheme}://{fqdn}{kind.url_path}"
    elif key == "powershell" and site == BE:
        out["InternalUrl"] = f"https://{fqdn}:444/powershell"
    else:
        out["InternalUrl"] = None
    out["ExternalUrl"] = None
    return out


# --- the PowerShell virtual directory (facts sheet 4.1, the 2013 CU23 configuration [S3]) --------

class ModuleFact(NamedTuple):
    name: str
    type: str = ""               # "" = native module (registered in globalModules)
    precondition: str = ""


# <globalModules> of the real 2013 multi-role applicationHost.config (shared/fixtures/iis-config) [S3].
_INETSRV = r"%windir%\System32\inetsrv"
GLOBAL_MODULES: tuple[tuple[str, str, str], ...] = tuple(
    (n, f"{_INETSRV}\\{dll}", "") for n, dll in (
        ("UriCacheModule", "cachuri.dll"), ("FileCacheModule", "cachfile.dll"), ("TokenCacheModule", "cachtokn.dll"),
        ("HttpCacheModule", "cachhttp.dll"), ("DynamicCompressionModule", "compdyn.dll"),
        ("StaticCompressionModule", "compstat.dll"), ("DefaultDocumentModule", "defdoc.dll"),
        ("DirectoryListingModule", "dirlist.dll"), ("ProtocolSupportModule", "protsup.dll"),
        ("HttpRedirectionModule", "redirect.dll"), ("StaticFileModule", "static.dll"),
        ("AnonymousAuthenticationModule", "authanon.dll"), ("CertificateMappingAuthenticationModule", "authcert.dll"),
        ("BasicAuthenticationModule", "authbas.dll"), ("WindowsAuthenticationModule", "authsspi.dll"),
        ("DigestAuthenticationModule", "authmd5.dll"), ("RequestFilteringModule", "modrqflt.dll"),
        ("CustomErrorModule", "custerr.dll"), ("HttpLoggingModule", "loghttp.dll"), ("TracingModule", "iisetw.dll"),
        ("FailedRequestsTracingModule", "iisfreb.dll"), ("RequestMonitorModule", "iisreqs.dll"),
        ("IsapiModule", "isapi.dll"), ("IsapiFilterModule", "filter.dll"))
) + (
    ("ManagedEngineV4.0_32bit", r"%windir%\Microsoft.NET\Framework\v4.0.30319\webengine4.dll",
     "integratedMode,runtimeVersionv4.0,bitness32"),
    ("ManagedEngineV4.0_64bit", r"%windir%\Microsoft.NET\Framework64\v4.0.30319\webengine4.dll",
     "integratedMode,runtimeVersionv4.0,bitness64"),
    ("ConfigurationValidationModule", rf"{_INETSRV}\validcfg.dll", ""),
    ("PasswordExpiryModule", r"%SystemRoot%\system32\rpcproxy\rpcproxy.dll", "bitness64"),
    ("kerbauth", EXCHANGE_INSTALL + r"\Bin\kerbauth.dll", ""),
    ("WSMan", r"C:\Windows\system32\wsmsvc.dll", ""),
    ("exppw", EXCHANGE_INSTALL + r"\ClientAccess\Owa\auth\exppw.dll", ""),
    ("cafe_exppw", FRONTEND + r"\bin\exppw.dll", ""),
)
KERBAUTH_IMAGE = EXCHANGE_INSTALL + r"\Bin\kerbauth.dll"
WSMAN_IMAGE = r"C:\Windows\system32\wsmsvc.dll"

_MH = "managedHandler"
_MH4 = "managedHandler,runtimeVersionv4.0"
# The server-level <modules> list of the same file, in order [S3].
SERVER_MODULES: tuple[ModuleFact, ...] = tuple(ModuleFact(n) for n in (
    "HttpCacheModule", "DynamicCompressionModule", "StaticCompressionModule", "DefaultDocumentModule",
    "DirectoryListingModule", "IsapiFilterModule", "ProtocolSupportModule", "HttpRedirectionModule",
    "StaticFileModule", "AnonymousAuthenticationModule", "CertificateMappingAuthenticationModule",
    "BasicAuthenticationModule", "WindowsAuthenticationModule", "DigestAuthenticationModule",
    "RequestFilteringModule", "CustomErrorModule", "IsapiModule", "HttpLoggingModule",
    "FailedRequestsTracingModule")) + (
    ModuleFact("OutputCache", "System.Web.Caching.OutputCacheModule", _MH),
    ModuleFact("Session", "System.Web.SessionState.SessionStateModule", _MH),
    ModuleFact("WindowsAuthentication", "System.Web.Security.WindowsAuthenticationModule", _MH),
    ModuleFact("FormsAuthentication", "System.Web.Security.FormsAuthenticationModule", _MH),
    ModuleFact("DefaultAuthentication", "System.Web.Security.DefaultAuthenticationModule", _MH),
    ModuleFact("RoleManager", "System.Web.Security.RoleManagerModule", _MH),
    ModuleFact("UrlAuthorization", "System.Web.Security.UrlAuthorizationModule", _MH),
    ModuleFact("FileAuthorization", "System.Web.Security.FileAuthorizationModule", _MH),
    ModuleFact("AnonymousIdentification", "System.Web.Security.AnonymousIdentificationModule", _MH),
    ModuleFact("Profile", "System.Web.Profile.ProfileModule", _MH),
    ModuleFact("UrlMappingsModule", "System.Web.UrlMappingsModule", _MH),
    ModuleFact("ConfigurationValidationModule"),
    ModuleFact("ServiceModel-4.0", "System.ServiceModel.Activation.ServiceHttpModule, System.ServiceModel.Activation, "
               "Version=4.0.0.0, Culture=neutral, PublicKeyToken=31bf3856ad364e35", _MH4),
    ModuleFact("UrlRoutingModule-4.0", "System.Web.Routing.UrlRoutingModule", _MH4),
    ModuleFact("ScriptModule-4.0", "System.Web.Handlers.ScriptModule, System.Web.Extensions, Version=4.0.0.0, "
               "Culture=neutral, PublicKeyToken=31bf3856ad364e35", _MH4),
)

# The PowerShell applications' web.config <modules> (facts 4.1 [S3]): what each removes, then adds.
# Module names are CONFIRMED; the .NET type strings are the Exchange class names without assembly
# qualification (UNCONFIRMED in full). HostHeaderValidationModule may be later than CU6 (UNCONFIRMED).
_X = "Microsoft.Exchange."
PS_MODULES: dict[str, tuple[tuple[str, ...], tuple[ModuleFact, ...]]] = {
    f"{DWS}/PowerShell": (("ServiceModel", "ServiceModel-4.0"), (
        ModuleFact("HostHeaderValidationModule", _X + "HttpProxy.HostHeaderValidationModule"),
        ModuleFact("CertificateAuthModule", _X + "Configuration.CertificateAuthentication.CertificateAuthenticationModule"),
        ModuleFact("EMCVersionBlockerModule", _X + "Management.PowerShell.EMCVersionBlockerModule"),
        ModuleFact("kerbauth"),
        ModuleFact("PowerShellBasicAuthNRedirectModule", _X + "Configuration.RedirectionModule.PowerShellBasicAuthNRedirectModule"),
        ModuleFact("RpsFriendlyErrorModule", _X + "Configuration.DiagnosticsModules.RpsFriendlyErrorModule"),
        ModuleFact("HttpProxy", _X + "HttpProxy.ProxyModule"),
    )),
    f"{BE}/PowerShell": (("ServiceModel",), (
        ModuleFact("WSMan"),
        ModuleFact("LoggingStartModule", _X + "Configuration.DiagnosticsModules.LoggingStartModule"),
        ModuleFact("RpsHttpDatabaseValidationModule", _X + "Configuration.RpsHttpDatabaseValidationModule"),
        ModuleFact("RemotePowershellBackendCmdletProxyModule", _X + "Configuration.RemotePowershellBackendCmdletProxy.RemotePowershellBackendCmdletProxyModule"),
        ModuleFact("BackendRehydrationModule", _X + "Security.Authentication.BackendRehydrationModule"),
        ModuleFact("BuildUserTokenModule", _X + "Configuration.BuildUserTokenModule"),
        ModuleFact("ClientAccessRulesHttpModule", _X + "Configuration.ClientAccessRulesHttpModule"),
        ModuleFact("ProxySecurityContextModule", _X + "Configuration.ProxySecurityContextModule"),
        ModuleFact("ThrottlingHttpModule", _X + "Configuration.ThrottlingHttpModule"),
        ModuleFact("ErrorLoggingModule", _X + "Configuration.DiagnosticsModules.ErrorLoggingModule"),
        ModuleFact("ClientDiagnosticsModule", _X + "Configuration.DiagnosticsModules.ClientDiagnosticsModule"),
        ModuleFact("PingDetectionModule", _X + "Configuration.PingDetectionModule"),
        ModuleFact("LoggingEndModule", _X + "Configuration.DiagnosticsModules.LoggingEndModule"),
    )),
}
PS_FRONT = f"{DWS}/PowerShell"
PS_BACK = f"{BE}/PowerShell"
PS_FRONT_PATH = FRONTEND + r"\PowerShell"
PS_BACK_PATH = BACKEND + r"\PowerShell-Proxy"

# How the remote shell fails (facts 4.2). The texts are WinRM's, as New-PSSession reports them
# [S19][S20]; the numeric error ids in front of PSSessionOpenFailed are UNCONFIRMED.
WINRM_ERRORS: dict[str, tuple[str, str]] = {
    "content-type": ("-2144108297", "The WinRM client cannot process the request. It cannot determine the content "
                     "type of the HTTP response from the destination computer. The content type is absent or invalid. "
                     "For more information, see the about_Remote_Troubleshooting Help topic."),
    "403": ("-2144108273", "The WinRM client received an HTTP status code of 403 from the remote WS-Management "
            "service. For more information, see the about_Remote_Troubleshooting Help topic."),
    "500": ("-2144108477", "The WinRM client received an HTTP server error status (500), but the remote service did "
            "not include any other information about the cause of the failure. For more information, see the "
            "about_Remote_Troubleshooting Help topic."),
    "url": ("-2144108270", "The WinRM client sent a request to an HTTP server and got a response saying the requested "
            "HTTP URL was not available. This is usually returned by a HTTP server that does not support the "
            "WS-Management protocol. For more information, see the about_Remote_Troubleshooting Help topic."),
    # KB 2027064: the back end's PowerShell pool stopped (or WinRM's own listener misconfigured)
    "refused": ("-2144108526", "The connection to the specified remote host was refused. Verify that the "
                "WS-Management service is running on the remote host and configured to listen for requests on the "
                "correct port and HTTP URL. For more information, see the about_Remote_Troubleshooting Help topic."),
    "503": ("-2144108502", "The WinRM client received an HTTP status code of 503 from the remote WS-Management "
            "service. For more information, see the about_Remote_Troubleshooting Help topic."),
}

EXCHANGE_SNAPIN = "Microsoft.Exchange.Management.PowerShell.SnapIn"   # 2013 [S21][S22]
EXCHANGE_SNAPINS = (   # what Get-PSSnapin -Registered lists on a 2013 server (UNCONFIRMED beyond the first)
    (EXCHANGE_SNAPIN, "15.0", "Admin Tasks for the Exchange Server"),
    ("Microsoft.Exchange.Management.PowerShell.Setup", "15.0", "Setup Tasks for the Exchange Server"),
    ("Microsoft.Exchange.Management.Powershell.Support", "15.0", "Support Tasks for the Exchange Server"),
)

# Default NTFS permissions of a folder under Program Files on Server 2012 R2, as Get-Acl lists them
# (inherited from %ProgramFiles%; standard Windows, UNCONFIRMED as captured from an Exchange server).
DEFAULT_ACL: tuple[tuple[str, str, str], ...] = (
    ("NT SERVICE\\TrustedInstaller", "Allow", "FullControl"),
    ("NT SERVICE\\TrustedInstaller", "Allow", "268435456"),
    ("NT AUTHORITY\\SYSTEM", "Allow", "FullControl"),
    ("NT AUTHORITY\\SYSTEM", "Allow", "268435456"),
    ("BUILTIN\\Administrators", "Allow", "FullControl"),
    ("BUILTIN\\Administrators", "Allow", "268435456"),
    ("BUILTIN\\Users", "Allow", "ReadAndExecute, Synchronize"),
    ("BUILTIN\\Users", "Allow", "-1610612736"),
    ("CREATOR OWNER", "Allow", "268435456"),
    ("APPLICATION PACKAGE AUTHORITY\\ALL APPLICATION PACKAGES", "Allow", "ReadAndExecute, Synchronize"),
    ("APPLICATION PACKAGE AUTHORITY\\ALL APPLICATION PACKAGES", "Allow", "-1610612736"),
)
ACL_OWNER = "NT SERVICE\\TrustedInstaller"
ACL_GROUP = "NT SERVICE\\TrustedInstaller"

# Anti-virus folder exclusions Microsoft lists for Exchange 2013 client access and mailbox roles
# (a representative subset of the published list [S24]; the lab's servers start with all of them).
AV_EXCLUSIONS: tuple[str, ...] = (
    r"%SystemDrive%\inetpub\temp\IIS Temporary Compressed Files",
    r"%SystemRoot%\Microsoft.NET\Framework64\v4.0.30319\Temporary ASP.NET Files",
    r"%SystemRoot%\System32\Inetsrv",
    EXCHANGE_INSTALL + r"\ClientAccess\OAB",
    EXCHANGE_INSTALL + r"\FIP-FS",
    EXCHANGE_INSTALL + r"\GroupMetrics",
    EXCHANGE_INSTALL + r"\Logging",
    EXCHANGE_INSTALL + r"\Mailbox",
    EXCHANGE_INSTALL + r"\TransportRoles\Data",
    EXCHANGE_INSTALL + r"\TransportRoles\Logs",
    EXCHANGE_INSTALL + r"\TransportRoles\Pickup",
    EXCHANGE_INSTALL + r"\TransportRoles\Replay",
    EXCHANGE_INSTALL + r"\UnifiedMessaging\Grammars",
    EXCHANGE_INSTALL + r"\UnifiedMessaging\Prompts",
    EXCHANGE_INSTALL + r"\UnifiedMessaging\Temp",
    EXCHANGE_INSTALL + r"\UnifiedMessaging\Voicemail",
    EXCHANGE_INSTALL + r"\Working\OleConverter",
)
