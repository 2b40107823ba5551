r"""Exchange certificate cmdlets, ``certutil -repairstore``, and the helpers their usual command lines need.

``Get-/New-/Import-/Enable-/Remove-/Export-ExchangeCertificate`` exist only in the Exchange Management
Shell (or with the Exchange snap-in), like every Exchange cmdlet; they run on the server the session
is connected to unless ``-Server`` names another. Files they read or write (``-RequestFile``,
``-FileName``) are on that server, or on the server a UNC path ``\\ServerB\c$\...`` names.

Command lines from the documentation work as typed:
``-FileData ([System.IO.File]::ReadAllBytes('C:\cert.cer'))``,
``-FileData ([Byte[]](Get-Content -Path C:\cert.cer -Encoding Byte -ReadCount 0))`` and
``-Password (ConvertTo-SecureString -String 'P@ssw0rd' -AsPlainText -Force)``.

What each prints: Get- the table Thumbprint / Services (letters, ``IP.WS..``) / Subject, or the real
``| fl`` and ``| fl *`` lists; New- -GenerateRequest the Base64 CSR (and writes -RequestFile), a bare New-
a self-signed certificate; Import- the imported certificate; Enable- and Remove- nothing (Remove- and an
SMTP Enable- refuse without -Confirm:$false / -Force, as a non-interactive host must); Export- an object
whose FileData holds the PKCS#12 bytes (and writes -FileName). ``certutil -repairstore my <serial>``
relinks a key still on the server; ``Import-Certificate`` (PKI module) stores a .cer without completing
the request; ``Get-ChildItem Cert:\LocalMachine\My`` (and ``\REQUEST``) lists the stores.

Wording marked UNCONFIRMED below is modelled on Exchange's messages but not checked against a
2013 CU6 server. Import this module after the built-in command modules: it extends Get-ChildItem (the
Cert: drive) and Get-Content (-Encoding Byte -ReadCount 0) in the registry.
"""
from __future__ import annotations

import ntpath
from dataclasses import dataclass

from casl.errors import CertificateError, LabError
from casl.model import certificates as cm
from casl.shell.commands import location as _location  # noqa: F401  (Get-ChildItem must exist first)
from casl.shell.commands import utility as _utility  # noqa: F401  (Get-Content must exist first)
from casl.shell.commands.exchange_vdirs import (MODULE, TASKS, ex_error, exchange_state, require_exchange,
                                                runspace_id)
from casl.shell.format import FormattedText
from casl.shell.objects import Column, ListView, PSObject, TableView
from casl.shell.registry import REGISTRY, CommandSpec, Param, command

SEC = "Microsoft.PowerShell.Security"
AUTH_SUBJECT = "CN=Microsoft Exchange Server Auth Certificate"
CERT_TYPE = "Microsoft.Exchange.Management.SystemConfigurationTasks.ExchangeCertificate"
# $FormatEnumerationLimit in the Exchange Management Shell (RemoteExchange.ps1 raises it to 16).
ENUM_LIMIT = 16
# A list value wraps at the console's edge: 120 columns less the "Label              : " prefix of `| fl`.
LIST_VALUE_WIDTH = 98


@dataclass(frozen=True)
class TableListView(ListView, TableView):
    """A table by default (Thumbprint, Services, Subject) and a chosen property list for ``| fl``."""


# Get-ExchangeCertificate's default table; UNCONFIRMED widths (40-digit thumbprints, letters form).
CERT_COLUMNS = (Column("Thumbprint", "Thumbprint", 41), Column("Services", "ServicesStringForm", 10),
                Column("Subject", "Subject", None))
# `| fl` (facts sheet 7.1 and the 2013 sample in tests/parse/data/formatlist).
FL_PROPS = ("AccessRules", "CertificateDomains", "HasPrivateKey", "IsSelfSigned", "Issuer", "NotAfter", "NotBefore",
            "PublicKeySize", "RootCAType", "SerialNumber", "Services", "Status", "Subject", "Thumbprint")
# `| fl *` adds these (facts sheet 7.1). UNCONFIRMED order: merged alphabetically with the ones above.
FL_STAR_EXTRA = ("Archived", "CertificateRequest", "DnsNameList", "EnhancedKeyUsageList", "Extensions",
                 "FriendlyName", "Handle", "Identity", "IISServices", "IssuerName", "KeyIdentifier", "PrivateKey",
                 "PrivateKeyExportable", "PublicKey", "RawData", "SendAsTrustedIssuer", "ServicesStringForm",
                 "SignatureAlgorithm", "SubjectKeyIdentifier", "SubjectName", "Version")
ALL_PROPS = tuple(sorted(FL_PROPS + FL_STAR_EXTRA, key=str.lower))
CERT_VIEW = TableListView(CERT_COLUMNS, props=FL_PROPS)
# Get-ChildItem Cert:\LocalMachine\My: the certificate provider's table and list.
STORE_VIEW_TABLE = (Column("Thumbprint", "Thumbprint", 41), Column("Subject", "Subject", None))
STORE_FL = ("Subject", "Issuer", "Thumbprint", "FriendlyName", "NotBefore", "NotAfter", "Extensions")
EKU_TEXT = {"1.3.6.1.5.5.7.3.1": "Server Authentication", "1.3.6.1.5.5.7.3.2": "Client Authentication"}


def _when(t) -> str:
    return f"{t.month}/{t.day}/{t.year} {t.strftime('%I:%M:%S %p').lstrip('0')}"


def _enum(values: list, width: int = LIST_VALUE_WIDTH) -> str:
    """A collection as PowerShell's list view prints it: cut at the enumeration limit, wrapped at spaces."""
    shown = [str(v) for v in values[:ENUM_LIMIT]]
    text = "{" + ", ".join(shown) + ("..." if len(values) > ENUM_LIMIT else "") + "}"
    lines, line = [], ""
    for word in text.split(" "):
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return "\n".join(lines + [line])


def _serial(cert: cm.Certificate) -> str:
    return cert.serial_number or cm.lab_thumbprint("serial", cert.thumbprint)[:32]


def _x509_facts(cert: cm.Certificate) -> dict:
    """Values only the real certificate knows (extensions, EKUs, key id); defaults for records without DER."""
    facts = {"ext": 3, "eku": ["Server Authentication (1.3.6.1.5.5.7.3.1)"], "ski": "", "raw": [48, 130, 3, 0]}
    x = cert.x509() if cert.der is not None else None
    if cert.pending:
        from cryptography import x509 as _x
        csr = _x.load_der_x509_csr(cert.request_der)
        facts.update(ext=len(csr.extensions), eku=[], raw=list(cert.request_der))
    elif x is not None:
        from cryptography import x509 as _x
        facts["ext"] = len(x.extensions)
        try:
            ekus = x.extensions.get_extension_for_class(_x.ExtendedKeyUsage).value
            facts["eku"] = [f"{EKU_TEXT.get(o.dotted_string, o.dotted_string)} ({o.dotted_string})" for o in ekus]
        except _x.ExtensionNotFound:
            facts["eku"] = []
        try:
            facts["ski"] = x.extensions.get_extension_for_class(_x.SubjectKeyIdentifier).value.digest.hex().upper()
        except _x.ExtensionNotFound:
            pass
        facts["raw"] = list(cert.der)
    return facts


def cert_object(lab, server, cert: cm.Certificate, runspace: str = "") -> PSObject:
    """One certificate as Get-ExchangeCertificate returns it (table by default, the real ``fl`` list)."""
    now = lab.clock.now()
    services = cm.services_of(server, cert)
    f = _x509_facts(cert)
    has_key = cert.has_private_key
    vals = {
        "AccessRules": _enum(["System.Security.AccessControl.CryptoKeyAccessRule"] * 3) if has_key else None,
        "Archived": False,
        "CertificateDomains": list(cert.dns_names),
        "CertificateRequest": (cm.pem_text(cert.request_der, ("", "")).strip().replace("\r\n", "")
                               if cert.pending else None),
        "DnsNameList": list(cert.dns_names),
        "EnhancedKeyUsageList": f["eku"],
        "Extensions": _enum(["System.Security.Cryptography.Oid"] * f["ext"]),
        "FriendlyName": cert.friendly_name,
        "Handle": 1_000_000 + int(cert.thumbprint[:5], 16),
        "HasPrivateKey": has_key,
        "Identity": f"{server.fqdn}\\{cert.thumbprint}",
        "IISServices": cm.iis_services(server, cert),
        "IsSelfSigned": cert.self_signed,
        "Issuer": cert.issuer,
        "IssuerName": "System.Security.Cryptography.X509Certificates.X500DistinguishedName",
        "KeyIdentifier": f["ski"] or None,
        "NotAfter": _when(cert.not_after),
        "NotBefore": _when(cert.not_before),
        "PrivateKey": "System.Security.Cryptography.RSACryptoServiceProvider" if has_key else None,
        "PrivateKeyExportable": bool(cert.private_key_exportable and has_key),
        "PublicKey": "System.Security.Cryptography.X509Certificates.PublicKey",
        "PublicKeySize": 2048,
        "RawData": _enum(f["raw"]),
        "RootCAType": cert.root_ca_type,
        "SendAsTrustedIssuer": False,
        "SerialNumber": _serial(cert),
        "Services": cm.services_text(services),
        "ServicesStringForm": cm.services_string_form(services),
        "SignatureAlgorithm": "System.Security.Cryptography.Oid",
        "Status": cert.status_at(now),
        "Subject": cert.subject,
        "SubjectKeyIdentifier": f["ski"] or None,
        "SubjectName": "System.Security.Cryptography.X509Certificates.X500DistinguishedName",
        "Thumbprint": cert.thumbprint,
        "Version": 3,
    }
    props = {k: vals[k] for k in ALL_PROPS}
    if runspace:
        props = {"RunspaceId": runspace, **props}
    return PSObject(CERT_TYPE, props, CERT_VIEW, text=f"[Subject]\n  {cert.subject}", source=(server, cert))


# --- finding servers, certificates and files -----------------------------------------------------

def _exec_server(ctx, mode: str, local: str):
    """The server a cmdlet acts on: -Server, else the one the session runs on."""
    name = ctx.args.get("Server") or local
    try:
        return ctx.lab.server(str(name).split(".")[0])
    except Exception:
        ex_error(ctx, mode, local, f"The specified server '{name}' couldn't be found.", category="NotSpecified",
                 exception="ManagementObjectNotFoundException", hexid="3A2F8C1E", terminating=True)


def _norm_thumb(t: str) -> str:
    return str(t).replace(" ", "").upper()


def _find(ctx, mode, local, server, thumb: str, *, terminating: bool = True) -> cm.Certificate | None:
    cert = server.certificate(_norm_thumb(thumb))
    if cert is None:
        # UNCONFIRMED wording
        ex_error(ctx, mode, local, f"The certificate with thumbprint {_norm_thumb(thumb)} was not found on server "
                 f"'{server.name}'.", category="ObjectNotFound", exception="ManagementObjectNotFoundException",
                 target=_norm_thumb(thumb), hexid="F6F8A8C4", terminating=terminating)
    return cert


def _targets(ctx, mode, local, items) -> list[tuple[object, cm.Certificate]]:
    """(server, certificate) pairs from -Thumbprint/-Identity or from Get-ExchangeCertificate objects piped in."""
    thumb = ctx.args.get("Thumbprint") or ctx.args.get("Identity")
    if thumb:
        thumb = str(thumb)
        srv = _exec_server(ctx, mode, local)
        if "\\" in thumb:                    # Identity: ServerA.contoso.com\<thumbprint>
            host, _, thumb = thumb.rpartition("\\")
            srv = ctx.lab.server(host.split(".")[0])
        return [(srv, _find(ctx, mode, local, srv, thumb))]
    out = []
    for it in items:
        src = getattr(it, "source", None)
        if isinstance(src, tuple) and len(src) == 2 and isinstance(src[1], cm.Certificate):
            out.append(src)
        elif isinstance(it, str):
            srv = _exec_server(ctx, mode, local)
            out.append((srv, _find(ctx, mode, local, srv, it)))
    if not out:
        ex_error(ctx, mode, local, "Cannot process command because of one or more missing mandatory parameters: "
                 "Thumbprint.", category="InvalidArgument", exception="ParameterBindingException",
                 hexid="MissingMandatoryParameter", terminating=True)
    return out


def file_location(lab, default_server, path: str) -> tuple[object, str]:
    r"""(server, local path) for ``C:\x`` (on ``default_server``) or ``\\ServerB\c$\x``.

    >>> from casl.labs import open_lab
    >>> lab = open_lab("two-servers", state=None)
    >>> s, p = file_location(lab, lab.server("ServerA"), r"\\ServerB\c$\req\a.req"); s.name, p
    ('ServerB', 'C:\\req\\a.req')
    """
    org = getattr(lab, "org", lab)     # a Lab or its Organisation
    p = str(path).strip().strip('"')
    if p.startswith("\\\\"):
        try:
            return org.locate(p, default_server)
        except LabError as exc:
            raise CertificateError(str(exc)) from None
    if len(p) < 3 or p[1:3] != ":\\":
        raise CertificateError(f"'{p}' is not a full path; give it as C:\\folder\\file or \\\\server\\c$\\folder\\file")
    return default_server, ntpath.normpath(p)


def _path_or_fail(ctx, mode, local, server, path: str):
    try:
        return file_location(ctx.lab, server, path)
    except Exception as exc:
        ex_error(ctx, mode, local, str(exc), category="InvalidArgument", exception="ArgumentException",
                 hexid="2B7D4E11", terminating=True)


def _write(ctx, mode, local, server, path: str, text: str) -> str:
    srv, p = _path_or_fail(ctx, mode, local, server, path)
    if not srv.fs.is_dir(ntpath.dirname(p)):
        ex_error(ctx, mode, local, f"Could not find a part of the path '{path}'.", category="WriteError",
                 exception="DirectoryNotFoundException", hexid="9E1C0A53", terminating=True)
    srv.fs.write(p, text, when=ctx.lab.clock.now())
    return p


def _read(ctx, mode, local, server, path: str) -> bytes:
    srv, p = _path_or_fail(ctx, mode, local, server, path)
    try:
        return cm.file_bytes(srv.fs.read(p))
    except FileNotFoundError:
        ex_error(ctx, mode, local, f"Could not find file '{path}'.", category="ReadError",
                 exception="FileNotFoundException", hexid="A0B27F90", terminating=True)


def _password(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, PSObject) and value.type_name == "System.Security.SecureString":
        return value.source
    return str(value)


def _as_bytes(value) -> bytes | None:
    if value is None:
        return None
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    if isinstance(value, ByteArray):
        return value.data
    if isinstance(value, list) and all(isinstance(v, int) for v in value):
        return bytes(v & 0xFF for v in value)
    if isinstance(value, list):
        return "\r\n".join(map(str, value)).encode("latin-1", "replace")
    return str(value).encode("latin-1", "replace")


# --- the cmdlets ----------------------------------------------------------------------------------

@command("Get-ExchangeCertificate", module=MODULE, net_class=TASKS + "GetExchangeCertificate", params=[
    Param("Thumbprint", "string", position=0), Param("Identity", "string"), Param("Server", "string"),
    Param("DomainName", "strings"), Param("Instance", "object")])
def get_exchange_certificate(ctx, args, items):
    """List the Exchange server's certificates and pending requests (Thumbprint, Services, Subject)."""
    mode, local = require_exchange(ctx)
    if args.get("Thumbprint") or args.get("Identity"):
        pairs = _targets(ctx, mode, local, [])
    else:
        srv = _exec_server(ctx, mode, local)
        pairs = [(srv, c) for c in srv.certificates]
    domains = [d.lower() for d in args.get("DomainName") or []]
    if domains:
        pairs = [(s, c) for s, c in pairs if any(d in (n.lower() for n in c.dns_names) for d in domains)]
    rs = runspace_id(ctx, mode)
    return [cert_object(ctx.lab, s, c, rs) for s, c in pairs]


@command("New-ExchangeCertificate", module=MODULE, changes_state=True, net_class=TASKS + "NewExchangeCertificate",
         params=[Param("GenerateRequest", "switch"), Param("SubjectName", "string"), Param("DomainName", "strings"),
                 Param("PrivateKeyExportable", "bool"), Param("RequestFile", "string"),
                 Param("FriendlyName", "string"), Param("KeySize", "int"), Param("Server", "string"),
                 Param("Services", "strings"), Param("Force", "switch"), Param("BinaryEncoded", "switch"),
                 Param("Instance", "object", pipeline=True)])
def new_exchange_certificate(ctx, args, items):
    """Make a certificate request (-GenerateRequest: a PKCS#10 CSR and its key, kept on that server) or a
    self-signed certificate (no -GenerateRequest)."""
    mode, local = require_exchange(ctx)
    srv = _exec_server(ctx, mode, local)
    now = ctx.lab.clock.now()
    renew = next((it.source[1] for it in items if isinstance(getattr(it, "source", None), tuple)), None)
    subject = args.get("SubjectName") or (renew.subject if renew else f"CN={srv.name}")
    domains = args.get("DomainName") or (list(renew.dns_names) if renew else [])
    in_use = {box.label for name in ctx.lab.servers for box in ctx.lab.server(name).keys.values()}
    if not args.get("GenerateRequest"):
        return _new_self_signed(ctx, mode, local, srv, in_use)
    try:
        rec, pem = cm.new_request(srv, subject, list(domains), bool(args.get("PrivateKeyExportable")), now,
                                  args.get("FriendlyName") or "", avoid=in_use)
    except CertificateError as exc:
        ex_error(ctx, mode, local, str(exc), category="InvalidArgument", exception="ArgumentException",
                 hexid="6E1F3B2A", terminating=True)
    if args.get("RequestFile"):
        try:
            _write(ctx, mode, local, srv, args["RequestFile"], pem)
        except Exception:
            cm.remove_certificate(srv, rec)     # nothing is left behind when the file cannot be written
            raise
    ctx.lab.note_change(srv.name)
    return [pem.replace("\r\n", "\n").rstrip("\n")]


def _smtp_prompt(ctx, mode, local, srv, cert) -> None:
    """The cmdlet asks before replacing the default SMTP certificate; the lab's console cannot answer a
    prompt, as a non-interactive host cannot (-Force skips the question) [S7]."""
    # The Auth certificate carries SMTP too, but it is not the transport's default certificate.
    current = next((c for c in srv.certificates if c is not cert and not c.pending and c.subject != AUTH_SUBJECT
                    and "SMTP" in cm.services_of(srv, c)), None)
    if current is None or ctx.args.get("Force"):
        return
    ex_error(ctx, mode, local, "Windows PowerShell is in NonInteractive mode. Read and Prompt "
             f"functionality is not available. (Confirm: Overwrite the existing default SMTP "
             f"certificate, '{current.thumbprint}' (expires {_when(current.not_after)}), with "
             f"certificate '{cert.thumbprint}' (expires {_when(cert.not_after)})? Add -Force to "
             f"replace it without asking.)", category="InvalidOperation",
             exception="PSInvalidOperationException", hexid="InvalidOperation", terminating=True)


def _new_self_signed(ctx, mode, local, srv, in_use):
    args = ctx.args
    try:
        services = cm.parse_services(args.get("Services") or "IMAP, POP, SMTP")
        cert = cm.new_self_signed(srv, ctx.lab.clock.now(), subject=args.get("SubjectName") or "",
                                  domains=list(args.get("DomainName") or []), services=services,
                                  exportable=bool(args.get("PrivateKeyExportable")),
                                  friendly_name=args.get("FriendlyName") or "Microsoft Exchange", avoid=in_use)
    except CertificateError as exc:
        ex_error(ctx, mode, local, str(exc), category="InvalidArgument", exception="ArgumentException",
                 hexid="6E1F3B2A", terminating=True)
    if "SMTP" in services:
        try:
            _smtp_prompt(ctx, mode, local, srv, cert)
        except Exception:
            cm.remove_certificate(srv, cert)      # declined: nothing is created
            raise
    if "IIS" in services:
        cm.bind_iis(srv, cert)
    ctx.lab.note_change(srv.name)
    return [cert_object(ctx.lab, srv, cert, runspace_id(ctx, mode))]


@command("Import-ExchangeCertificate", module=MODULE, changes_state=True,
         net_class=TASKS + "ImportExchangeCertificate",
         params=[Param("FileData", "object"), Param("FileName", "string"), Param("Password", "object"),
                 Param("PrivateKeyExportable", "bool"), Param("FriendlyName", "string"), Param("Server", "string"),
                 Param("Instance", "object", pipeline=True)])
def import_exchange_certificate(ctx, args, items):
    """Import the CA's answer (.cer) or a .pfx; completes a pending request made on the same server."""
    mode, local = require_exchange(ctx)
    srv = _exec_server(ctx, mode, local)
    if "FileName" in args:
        data = _read(ctx, mode, local, srv, args["FileName"])
    elif "FileData" in args:
        data = _as_bytes(args["FileData"])
    else:
        ex_error(ctx, mode, local, "Cannot process command because of one or more missing mandatory parameters: "
                 "FileData.", category="InvalidArgument", exception="ParameterBindingException",
                 hexid="MissingMandatoryParameter", terminating=True)
    try:
        cert = cm.import_certificate(srv, data or b"", password=_password(args.get("Password")),
                                     exportable=bool(args.get("PrivateKeyExportable")),
                                     friendly_name=args.get("FriendlyName") or "")
    except CertificateError as exc:
        ex_error(ctx, mode, local, str(exc), category="InvalidArgument", exception="InvalidOperationException",
                 hexid="B9E4D0F2", terminating=True)
    ctx.lab.note_change(srv.name)
    return [cert_object(ctx.lab, srv, cert, runspace_id(ctx, mode))]


def _unusable(ctx, mode, local, cert: cm.Certificate) -> None:
    reason = "PendingRequest" if cert.pending else ("PrivateKeyMissing" if not cert.has_private_key else "")
    if reason:
        ex_error(ctx, mode, local, f"The certificate with thumbprint {cert.thumbprint} was found but is not valid "
                 f"for use with Exchange Server (reason: {reason}).", category="InvalidArgument",
                 exception="ArgumentException", target=cert.thumbprint, hexid="E5B4D2A1", terminating=True)


@command("Enable-ExchangeCertificate", module=MODULE, changes_state=True,
         net_class=TASKS + "EnableExchangeCertificate",
         params=[Param("Thumbprint", "string", position=0), Param("Identity", "string"),
                 Param("Services", "strings", mandatory=True), Param("Server", "string"), Param("Force", "switch"),
                 Param("DoNotRequireSsl", "switch"), Param("NetworkServiceAllowed", "switch"),
                 Param("Instance", "object", pipeline=True)])
def enable_exchange_certificate(ctx, args, items):
    """Assign services to a certificate (additive). IIS moves the Default Web Site's 443; 444 stays."""
    mode, local = require_exchange(ctx)
    try:
        wanted = cm.parse_services(args["Services"])
    except CertificateError:
        shown = ",".join(args["Services"])
        ex_error(ctx, mode, local, f"Cannot process argument transformation on parameter 'Services'. Cannot convert "
                 f"value \"{shown}\" to type \"Microsoft.Exchange.Data.AllowedServices\". Error: \"Unable to match "
                 f"the identifier name {shown} to a valid enumerator name. Specify one of the following enumerator "
                 f"names and try again: None, IMAP, POP, UM, IIS, SMTP, Federation, UMCallRouter\"",
                 category="InvalidData", exception="ParameterBindingArgumentTransformationException",
                 hexid="ParameterArgumentTransformationError", terminating=True)
    out = []
    for srv, cert in _targets(ctx, mode, local, items):
        _unusable(ctx, mode, local, cert)
        if "SMTP" in wanted:
            _smtp_prompt(ctx, mode, local, srv, cert)
        keep = [n for n in cm.parse_services(cert.services or "None") if n != "IIS"]
        cert.services = cm.services_text(sorted(set(keep) | (set(wanted) - {"IIS"}), key=cm.SERVICE_NAMES.index))
        if "IIS" in wanted:
            cm.bind_iis(srv, cert)
        ctx.lab.note_change(srv.name)
    return out


@command("Remove-ExchangeCertificate", module=MODULE, changes_state=True,
         net_class=TASKS + "RemoveExchangeCertificate",
         params=[Param("Thumbprint", "string", position=0), Param("Identity", "string"), Param("Server", "string"),
                 Param("Instance", "object", pipeline=True)])
def remove_exchange_certificate(ctx, args, items):
    """Remove a certificate or pending request (and its key). http.sys bindings that named it stay behind."""
    mode, local = require_exchange(ctx)
    pairs = _targets(ctx, mode, local, items)
    if args.get("Confirm") is not False:
        srv, cert = pairs[0]
        ex_error(ctx, mode, local, "Windows PowerShell is in NonInteractive mode. Read and Prompt functionality is "
                 f"not available. (Confirm: Remove certificate with thumbprint {cert.thumbprint} from the Exchange "
                 f"certificate store? Add -Confirm:$false to remove it without asking.)", category="InvalidOperation",
                 exception="PSInvalidOperationException", hexid="InvalidOperation", terminating=True)
    for srv, cert in pairs:
        cm.remove_certificate(srv, cert)
        ctx.lab.note_change(srv.name)
    return []


@command("Export-ExchangeCertificate", module=MODULE, changes_state=True,
         net_class=TASKS + "ExportExchangeCertificate",
         params=[Param("Thumbprint", "string", position=0), Param("Identity", "string"), Param("Server", "string"),
                 Param("BinaryEncoded", "switch"), Param("Password", "object"), Param("FileName", "string"),
                 Param("Instance", "object", pipeline=True)])
def export_exchange_certificate(ctx, args, items):
    """Export a certificate with its private key as PKCS#12 (.pfx); needs an exportable key."""
    mode, local = require_exchange(ctx)
    out = []
    for srv, cert in _targets(ctx, mode, local, items):
        try:
            data = cm.export_pfx(srv, cert, _password(args.get("Password")))
        except CertificateError as exc:
            ex_error(ctx, mode, local, str(exc), category="InvalidOperation", exception="InvalidOperationException",
                     target=cert.thumbprint, hexid="7C3E9A15", terminating=True)
        if args.get("FileName"):
            body = data if args.get("BinaryEncoded") else cm.pem_text(data, ("", "")).strip().encode()
            _write(ctx, mode, local, srv, args["FileName"], cm.bytes_text(body))
        # UNCONFIRMED: 2013 returns a BinaryFileDataObject whose FileData holds the bytes.
        out.append(PSObject("Microsoft.Exchange.Data.BinaryFileDataObject",
                            {"FileData": _enum(list(data)), "Identity": None, "IsValid": True,
                             "ObjectState": "New"}, ListView(("FileData",)), source=ByteArray(data)))
    return out


# --- Windows tools the documented command lines use ---------------------------------------------------

class ByteArray(list):
    """A byte[] in the pipeline ([System.IO.File]::ReadAllBytes, Get-Content -Encoding Byte -ReadCount 0):
    one object holding the numbers, printed one per line as PowerShell prints an array."""

    def __init__(self, data: bytes):
        super().__init__(bytes(data))

    @property
    def data(self) -> bytes:
        return bytes(self)


@command("[System.IO.File]::ReadAllBytes", module="System.IO",
         params=[Param("Path", "string", position=0, mandatory=True)])
def read_all_bytes(ctx, args, items):
    """The .NET method: a file's bytes (a local path, or \\\\Server\\c$\\... on another server)."""
    raw = str(args["Path"])
    srv, path = ctx.server, ctx.shell.resolve_fs_path(raw)
    if raw.strip().startswith("\\\\"):
        try:
            srv, path = file_location(ctx.lab, ctx.server, raw)
        except Exception:
            srv = None
    try:
        if srv is None:
            raise FileNotFoundError(raw)
        return [ByteArray(cm.file_bytes(srv.fs.read(path)))]
    except FileNotFoundError:
        path = raw if srv is None else path
        ctx.error(f"Exception calling \"ReadAllBytes\" with \"1\" argument(s): \"Could not find file '{path}'.\"",
                  category="NotSpecified", exception="MethodInvocationException", error_id="FileNotFoundException",
                  terminating=True)


@command("[Byte[]]", module="System", params=[Param("InputObject", "object", position=0)])
def byte_array_cast(ctx, args, items):
    """The cast [Byte[]](...): numbers or a byte array as one byte[]."""
    data = _as_bytes(args.get("InputObject"))
    return [ByteArray(data or b"")]


@command("ConvertTo-SecureString", module=SEC, net_class="Microsoft.PowerShell.Commands.ConvertToSecureStringCommand",
         params=[Param("String", "string", position=0, mandatory=True), Param("AsPlainText", "switch"),
                 Param("Force", "switch")])
def convert_to_secure_string(ctx, args, items):
    """A SecureString from plain text (needs -AsPlainText -Force)."""
    if args.get("AsPlainText") and not args.get("Force"):
        ctx.error("The system cannot protect plain text input. To suppress this warning and convert the plain text "
                  "to a SecureString, reissue the command specifying the Force parameter. For more information ,type: "
                  "get-help ConvertTo-SecureString.", category="InvalidArgument", exception="ArgumentException",
                  error_id="ImportSecureString_InvalidArgument", terminating=True)
    if not args.get("AsPlainText"):
        ctx.error("Input string was not in a correct format.", category="InvalidArgument",
                  exception="FormatException", error_id="ImportSecureString_InvalidArgument", terminating=True)
    return [PSObject("System.Security.SecureString", {"Length": len(args["String"])}, None,
                     text="System.Security.SecureString", source=args["String"])]


@command("certutil", native=True)
def certutil(ctx, args, items):
    """certutil -repairstore my <serial>: link a certificate to its private key if the key is on this server."""
    a = [x for x in args["args"]]
    low = [x.lower() for x in a]
    if len(a) < 3 or low[0].lstrip("-/") != "repairstore" or low[1] != "my":
        return ["Usage:\n  CertUtil [Options] -repairstore [-user] CertificateStoreName CertIdList\n"
                "  (the lab's certutil knows: certutil -repairstore my <SerialNumber or Thumbprint>)\n"]
    want = a[2].replace(" ", "").upper()
    srv = ctx.server
    cert = next((c for c in srv.certificates if not c.pending
                 and want in (_serial(c).upper(), c.thumbprint)), None)
    head = 'my "Personal"\n'
    if cert is None:
        return [head + "CertUtil: -repairstore command FAILED: 0x80090011 (-2146893807 NTE_NOT_FOUND)\n"
                "CertUtil: Object was not found.\n"]
    lines = [head + "================ Certificate 0 ================", f"Serial Number: {_serial(cert).lower()}",
             f"Issuer: {cert.issuer}", f" NotBefore: {_short(cert.not_before)}", f" NotAfter: {_short(cert.not_after)}",
             f"Subject: {cert.subject}", "Non-root Certificate" if not cert.self_signed else "Root Certificate: Subject matches Issuer",
             "Cert Hash(sha1): " + " ".join(cert.thumbprint[i:i + 2].lower() for i in range(0, 40, 2))]
    box = cm.repair_key_link(srv, cert)
    if box is None:
        lines += ["Missing stored keyset", "CertUtil: -repairstore command FAILED: 0x80090016 (-2146893802 NTE_BAD_KEYSET)",
                  "CertUtil: Keyset does not exist"]
    else:
        ctx.lab.note_change(srv.name)
        lines += [f"  Key Container = {box.name}", f"  Unique container name: {box.name}",
                  "  Provider = Microsoft RSA SChannel Cryptographic Provider", "Encryption test passed",
                  "CertUtil: -repairstore command completed successfully."]
    return ["\n".join(lines) + "\n"]


def _short(t) -> str:
    return f"{t.month}/{t.day}/{t.year} {t.strftime('%I:%M %p').lstrip('0')}"


# --- Import-Certificate (PKI module): the store without Exchange's request completion --------------

@command("Import-Certificate", module="PKI", changes_state=True,
         net_class="Microsoft.CertificateServices.Commands.ImportCertificateCommand",
         params=[Param("FilePath", "string", position=0, mandatory=True), Param("CertStoreLocation", "string")])
def import_certificate(ctx, args, items):
    """Put a .cer into a store; it does not complete a request, so the key link is left to certutil -repairstore."""
    srv = ctx.server
    path = ctx.shell.resolve_fs_path(args["FilePath"])
    try:
        data = cm.file_bytes(srv.fs.read(path))
    except FileNotFoundError:
        ctx.error(f"The system cannot find the file specified. 0x80070002 (WIN32: 2 ERROR_FILE_NOT_FOUND)",
                  category="NotSpecified", exception="Exception",
                  error_id="System.IO.FileNotFoundException", terminating=True)
    try:
        cert = cm.import_certificate(srv, data, complete_requests=False)
    except CertificateError as exc:
        ctx.error(str(exc), category="NotSpecified", exception="Exception", error_id="System.Exception",
                  terminating=True)
    ctx.lab.note_change(srv.name)
    return [store_object(cert, "My")]


# --- the Cert: drive -----------------------------------------------------------------------------

def _store_group(o: PSObject) -> str:
    return f"    Directory: Microsoft.PowerShell.Security\\Certificate::LocalMachine\\{o.get('PSParentStore')}"


STORE_VIEW = TableListView(STORE_VIEW_TABLE, wrap=False, group=_store_group, props=STORE_FL)


def store_object(cert: cm.Certificate, store: str) -> PSObject:
    """A certificate as the Cert: drive shows it (X509Certificate2)."""
    f = _x509_facts(cert)
    props = {"PSParentStore": store, "Subject": cert.subject, "Issuer": cert.issuer, "Thumbprint": cert.thumbprint,
             "FriendlyName": cert.friendly_name, "NotBefore": _when(cert.not_before),
             "NotAfter": _when(cert.not_after), "Extensions": _enum(["System.Security.Cryptography.Oid"] * f["ext"]),
             "HasPrivateKey": cert.has_private_key, "SerialNumber": _serial(cert), "DnsNameList": list(cert.dns_names)}
    return PSObject("System.Security.Cryptography.X509Certificates.X509Certificate2", props, STORE_VIEW,
                    text=f"[Subject]\n  {cert.subject}", source=cert)


CERT_STORES = {"my": "My", "request": "REQUEST"}


def cert_children(server, path: str) -> list | None:
    """What ``Get-ChildItem Cert:\\LocalMachine\\<store>`` lists, or None when the path is not a store."""
    parts = [p for p in path.replace("/", "\\").split("\\") if p][1:]   # after "Cert:"
    if len(parts) != 2 or parts[0].lower() != "localmachine" or parts[1].lower() not in CERT_STORES:
        return None
    store = CERT_STORES[parts[1].lower()]
    certs = [c for c in server.certificates if c.pending == (store == "REQUEST")]
    return [store_object(c, store) for c in certs]


_GCI = REGISTRY["get-childitem"]


def _gci_with_cert(ctx, args, items):
    paths = args.get("Path") or []
    if paths and all(str(p).lower().startswith("cert:") for p in paths):
        out = []
        for p in paths:
            found = cert_children(ctx.server, str(p))
            if found is None:
                ctx.error(f"Cannot find path '{p}' because it does not exist.", category="ObjectNotFound",
                          target=str(p), exception="ItemNotFoundException", error_id="PathNotFound",
                          token=ctx.token("Path"))
                continue
            out += found
        return out
    return _GCI.func(ctx, args, items)


# Get-ChildItem learns the Cert: drive without its module changing (same name, same parameters).
REGISTRY["get-childitem"] = CommandSpec(_GCI.name, _gci_with_cert, _GCI.params, _GCI.aliases, _GCI.module,
                                        _GCI.net_class, _GCI.native, _GCI.changes_state, _GCI.help)


# Get-Content -Encoding Byte -ReadCount 0: the byte[] the 2013 documentation pipes into -FileData.
_GC = REGISTRY["get-content"]


def _gc_with_bytes(ctx, args, items):
    if str(args.get("Encoding") or "").lower() == "byte":
        out = []
        for p in args["Path"]:
            srv, path = ctx.server, ctx.shell.resolve_fs_path(p)
            try:
                if str(p).strip().startswith("\\\\"):
                    srv, path = file_location(ctx.lab, ctx.server, p)
                data = cm.file_bytes(srv.fs.read(path))
            except (FileNotFoundError, CertificateError, LabError):
                ctx.error(f"Cannot find path '{path}' because it does not exist.", category="ObjectNotFound",
                          target=path, exception="ItemNotFoundException", error_id="PathNotFound",
                          token=ctx.token("Path"))
                continue
            out += [ByteArray(data)] if args.get("ReadCount") == 0 else list(data)
        return out
    return _GC.func(ctx, args, items)


if not any(p.name == "ReadCount" for p in _GC.params):
    REGISTRY["get-content"] = CommandSpec(_GC.name, _gc_with_bytes, _GC.params + (Param("ReadCount", "int64"),),
                                          _GC.aliases, _GC.module, _GC.net_class, _GC.native, _GC.changes_state,
                                          _GC.help)

__all__ = ["cert_object", "store_object", "file_location", "exchange_state"]
