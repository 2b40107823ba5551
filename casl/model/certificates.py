"""Certificates as a server's machine store holds them (Cert:\\LocalMachine\\My), with pending requests and keys.

A record carries what Exchange and IIS show about a certificate; ``der`` holds the real
certificate when the lab PKI made one, so the same object can be inspected with real X.509 tools.

The store follows the rules the article teaches about requests (facts sheet 7.2):

* ``New-ExchangeCertificate -GenerateRequest`` makes a key pair on *that* server and keeps it with
  the pending request (a :class:`KeyContainer` in ``server.keys``, a record with ``request_der``);
* completing the request on the same server links the issued certificate to that key
  (``HasPrivateKey True``) and the pending request goes away;
* importing it anywhere else, or after the pending request was removed (its key goes with it),
  gives a certificate without a private key, which IIS cannot use.

Keys are the fixed lab keys of :mod:`casl.certs.pki` (slots ``leaf-16`` .. ``leaf-31``), picked by
a hash of the request, so the same commands give the same CSR and thumbprints in every process.
``cryptography`` is imported inside the functions that need it (``import casl`` stays cheap).

>>> from casl.model.clock import LabClock
>>> from casl.model.server import Server
>>> from casl.model.windows import Windows
>>> from casl.model.clock import PidSource
>>> s = Server("ServerA", "contoso.com", "10.0.0.11", "", LabClock.at("2014-10-02T09:30:00"), Windows(PidSource(1)))
>>> rec, pem = new_request(s, "c=US, o=Contoso, cn=mail.contoso.com", ["mail.contoso.com"], True, s.clock.now())
>>> rec.subject, rec.status_at(s.clock.now()), pem.splitlines()[0]
('CN=mail.contoso.com, O=Contoso, C=US', 'PendingRequest', '-----BEGIN NEW CERTIFICATE REQUEST-----')
"""
from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from casl.errors import CertificateError

# Exchange's service flags in enum order: how the Services property lists them, and the letter each
# has in ServicesStringForm / the default table ("IP.WS.." = IMAP, POP, IIS, SMTP).
# UNCONFIRMED: the letters for Federation (F) and UMCallRouter (C), the last two positions.
SERVICE_FLAGS: tuple[tuple[str, str], ...] = (
    ("IMAP", "I"), ("POP", "P"), ("UM", "U"), ("IIS", "W"), ("SMTP", "S"), ("Federation", "F"), ("UMCallRouter", "C"))
SERVICE_NAMES = tuple(n for n, _ in SERVICE_FLAGS)
# Which IIS site each https port belongs to on an Exchange 2013 multi-role server (facts 1.2, 1.3).
PORT_SITE = {443: 1, 444: 2}
# X.500 attribute short names New-ExchangeCertificate -SubjectName accepts -> how Windows shows them.
SUBJECT_KEYS = {"c": "C", "o": "O", "ou": "OU", "cn": "CN", "l": "L", "s": "S", "st": "S", "e": "E",
                "dc": "DC"}
REQUEST_PEM = ("-----BEGIN NEW CERTIFICATE REQUEST-----", "-----END NEW CERTIFICATE REQUEST-----")
# Ad-hoc lab key slots for requests (0-15 belong to the casl.certs catalogue).
_KEY_SLOTS = range(16, 32)
# The issuing CA backdates a certificate by ten minutes against clock skew (Microsoft CA default).
CA_BACKDATE = timedelta(minutes=10)
CA_DAYS = 730          # the Web Server template's two years


@dataclass
class Certificate:
    thumbprint: str
    subject: str
    issuer: str
    friendly_name: str
    dns_names: tuple[str, ...]
    not_before: datetime
    not_after: datetime
    services: str = "None"
    has_private_key: bool = True
    self_signed: bool = False
    root_ca_type: str = "None"
    private_key_exportable: bool = False
    serial_number: str = ""
    der: bytes | None = field(default=None, repr=False)
    # --- added for the certificate cmdlets (all optional, so older records stay valid) ---------
    key_id: str = ""                       # the KeyContainer (server.keys) this certificate is linked to
    request_der: bytes | None = field(default=None, repr=False)   # set on a pending request (PKCS#10)
    chain_der: tuple[bytes, ...] = field(default=(), repr=False)  # intermediates the server sends

    def in_date(self, at: datetime) -> bool:
        return self.not_before <= at <= self.not_after

    @property
    def pending(self) -> bool:
        """A certificate request waiting for the CA's answer (Exchange shows Status PendingRequest)."""
        return self.request_der is not None

    def status_at(self, at: datetime) -> str:
        """Exchange's Status: PendingRequest, DateInvalid, Untrusted or Valid (as the server sees it).

        A certificate without its private key still shows Valid: that is what makes the mistake hard to see.
        """
        if self.pending:
            return "PendingRequest"
        if not self.in_date(at):
            return "DateInvalid"
        if self.der is not None and not self.self_signed:
            from casl.certs import trust
            # The server is domain-joined: it trusts the enterprise CA and the public one.
            r = trust.check(self.x509(), self.dns_names[0] if self.dns_names else "localhost",
                            store="domain-joined", intermediates=self.chain(), at=at)
            if not r.trusted_issuer:
                return "Untrusted"
        return "Valid"

    def x509(self):
        """The real certificate (``cryptography.x509.Certificate``), or None for a record without DER."""
        if self.der is None:
            return None
        from cryptography import x509
        return x509.load_der_x509_certificate(self.der)

    def chain(self) -> list:
        from cryptography import x509
        return [x509.load_der_x509_certificate(d) for d in self.chain_der]


@dataclass
class KeyContainer:
    """A private key in the machine's key store (what the Certificates console calls the key container)."""
    name: str            # e.g. "casl-4F1E...": Windows uses a GUID-like container name
    pem: bytes = field(repr=False)   # PKCS#8, unencrypted: the lab's own fixed keys
    exportable: bool = False
    label: str = ""      # the lab key it holds ("leaf-17"), when it is one of casl.certs.pki's


def lab_thumbprint(*parts: object) -> str:
    """A stable 40-hex-digit thumbprint for a lab certificate record that has no DER yet.

    >>> len(lab_thumbprint("ServerA", "Microsoft Exchange"))
    40
    """
    return hashlib.sha1("/".join(map(str, parts)).encode()).hexdigest().upper()


# --- services --------------------------------------------------------------------------------------

def parse_services(text: str | list | tuple) -> list[str]:
    """Service names from "IMAP, POP, IIS" or a list; raises for a name Exchange does not know.

    >>> parse_services("iis,smtp")
    ['IIS', 'SMTP']
    """
    items = text if isinstance(text, (list, tuple)) else [text]
    out: list[str] = []
    for item in items:
        for part in re.split(r"[,\s]+", str(item).strip()):
            if not part or part.lower() == "none":
                continue
            name = next((n for n in SERVICE_NAMES if n.lower() == part.lower()), None)
            if name is None:
                raise CertificateError(f"'{part}' is not a certificate service; use {', '.join(SERVICE_NAMES)}")
            if name not in out:
                out.append(name)
    return sorted(out, key=SERVICE_NAMES.index)


def bound_ports(server, cert: Certificate) -> list[tuple[str, int]]:
    """The http.sys endpoints ("ip:port", port) that present ``cert``."""
    out = []
    for key, (thumb, _store) in sorted(server.ssl_certs.items()):
        if thumb.upper() == cert.thumbprint:
            out.append((key, int(key.rsplit(":", 1)[1])))
    return out


def iis_services(server, cert: Certificate) -> list[str]:
    """IISServices: the web sites whose https bindings use ``cert`` ("IIS://ServerA/W3SVC/1")."""
    sites = sorted({PORT_SITE[p] for _, p in bound_ports(server, cert) if p in PORT_SITE})
    return [f"IIS://{server.name}/W3SVC/{n}" for n in sites]


def services_of(server, cert: Certificate) -> list[str]:
    """The Services a certificate has: the ones recorded, with IIS read from the http.sys bindings.

    Exchange reads IIS from the web sites' bindings, so a certificate still bound to 444 keeps IIS
    after another one is enabled for the Default Web Site.
    """
    names = [n for n in parse_services(cert.services or "None") if n != "IIS"]
    if bound_ports(server, cert):
        names.append("IIS")
    return sorted(names, key=SERVICE_NAMES.index)


def services_text(names: list[str]) -> str:
    return ", ".join(names) if names else "None"


def services_string_form(names: list[str]) -> str:
    """The letters form: ``IP.WS..`` for IMAP, POP, IIS, SMTP.

    >>> services_string_form(["SMTP"])
    '....S..'
    """
    return "".join(letter if name in names else "." for name, letter in SERVICE_FLAGS)


# --- subjects and requests ------------------------------------------------------------------------

def parse_subject(text: str) -> list[tuple[str, str]]:
    """``"c=US, o=Contoso, cn=mail.contoso.com"`` -> [("C","US"), ("O","Contoso"), ("CN","mail.contoso.com")].

    >>> parse_subject("cn=mail.contoso.com")
    [('CN', 'mail.contoso.com')]
    """
    parts = [p.strip() for p in re.split(r",(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)", text or "") if p.strip()]
    if not parts:
        raise CertificateError("The subject name is empty; give it as \"c=US, o=Contoso, cn=mail.contoso.com\"")
    out = []
    for p in parts:
        key, eq, value = p.partition("=")
        k = SUBJECT_KEYS.get(key.strip().lower())
        if not eq or k is None or not value.strip():
            raise CertificateError(f"'{p}' in the subject name is not an X.500 attribute like cn=mail.contoso.com")
        out.append((k, value.strip().strip('"')))
    return out


def _x509_name(attrs: list[tuple[str, str]]):
    from cryptography import x509
    from cryptography.x509.oid import NameOID
    oids = {"C": NameOID.COUNTRY_NAME, "O": NameOID.ORGANIZATION_NAME, "OU": NameOID.ORGANIZATIONAL_UNIT_NAME,
            "CN": NameOID.COMMON_NAME, "L": NameOID.LOCALITY_NAME, "S": NameOID.STATE_OR_PROVINCE_NAME,
            "E": NameOID.EMAIL_ADDRESS, "DC": NameOID.DOMAIN_COMPONENT}
    return x509.Name([x509.NameAttribute(oids[k], v) for k, v in attrs])


def windows_name(name) -> str:
    """An x509.Name the way Windows shows it: most specific part first, "CN=x, O=y, C=US"."""
    short = {"ST": "S", "emailAddress": "E"}
    out = []
    for a in reversed(list(name)):
        k, _, v = a.rfc4514_string().partition("=")
        out.append(f"{short.get(k, k)}={a.value}")
    return ", ".join(out)


def _spki_id(public_key) -> str:
    from cryptography.hazmat.primitives import serialization
    der = public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha1(der).hexdigest().upper()


def _pick_key(server, seed: str, avoid) -> str:
    used = {c.label for c in server.keys.values()} | set(avoid)
    start = int(hashlib.sha256(seed.encode()).hexdigest(), 16) % len(_KEY_SLOTS)
    for i in range(len(_KEY_SLOTS)):
        name = f"leaf-{_KEY_SLOTS[(start + i) % len(_KEY_SLOTS)]:02d}"
        if name not in used:
            return name
    raise CertificateError(f"The lab has {len(_KEY_SLOTS)} request keys and all are in use; remove some pending "
                           "requests first.")


def new_request(server, subject: str, domains: list[str], exportable: bool, now: datetime,
                friendly_name: str = "", avoid=()) -> tuple[Certificate, str]:
    """Make a key pair on ``server`` and a real PKCS#10 request; returns (pending record, PEM text).

    The record goes into ``server.certificates`` (Status PendingRequest) and the key into
    ``server.keys``; nothing leaves the server but the text. ``avoid`` names lab keys other servers
    hold, so two servers never share a key (there are 16 request keys in the lab).
    """
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from casl.certs.pki import _general_name, lab_key
    attrs = parse_subject(subject)
    names = list(dict.fromkeys(d.strip() for d in domains if d and d.strip()))
    if not names:
        names = [v for k, v in attrs if k == "CN"]
    seed = "|".join([server.fqdn.lower(), subject, *names, now.isoformat()])
    key_label = _pick_key(server, seed, avoid)
    key = lab_key(key_label)
    csr = (x509.CertificateSigningRequestBuilder()
           .subject_name(_x509_name(attrs))
           .add_extension(x509.SubjectAlternativeName([_general_name(n) for n in names]), critical=False)
           .sign(key, hashes.SHA256()))   # RSA PKCS#1 v1.5 signatures are deterministic
    der = csr.public_bytes(serialization.Encoding.DER)
    kid = _spki_id(key.public_key())
    server.keys[kid] = KeyContainer(f"casl-{kid[:8]}-{key_label}", key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()), exportable,
        key_label)
    shown = windows_name(csr.subject)
    rec = Certificate(hashlib.sha1(der).hexdigest().upper(), shown, shown, friendly_name or "", tuple(names), now,
                      now + timedelta(days=365), "None", True, True, "Unknown", exportable,
                      f"{int.from_bytes(hashlib.sha1(der).digest()[:16], 'big'):032X}", None, key_id=kid,
                      request_der=der)
    server.certificates.append(rec)
    return rec, pem_text(der, REQUEST_PEM)


def new_self_signed(server, now: datetime, *, subject: str = "", domains: list[str] = (),
                    services: list[str] = ("IMAP", "POP", "SMTP"), exportable: bool = False,
                    friendly_name: str = "Microsoft Exchange", avoid=()) -> Certificate:
    """A bare ``New-ExchangeCertificate``: a real self-signed certificate CN=<Server> with the server's
    names, 5 years, RootCAType Registry, its key on this server (facts sheet 7.1).

    >>> from casl.model.clock import LabClock, PidSource
    >>> from casl.model.server import Server
    >>> from casl.model.windows import Windows
    >>> s = Server("ServerA", "contoso.com", "10.0.0.11", "", LabClock.at("2014-10-02T09:30:00"), Windows(PidSource(1)))
    >>> c = new_self_signed(s, s.clock.now()); c.subject, c.dns_names, c.has_private_key, c.services
    ('CN=ServerA', ('ServerA', 'ServerA.contoso.com'), True, 'IMAP, POP, SMTP')
    """
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from casl.certs import pki
    attrs = parse_subject(subject) if subject else [("CN", server.name)]
    names = list(dict.fromkeys(d.strip() for d in domains if d and d.strip())) or [server.name, server.fqdn]
    key_label = _pick_key(server, "|".join(["self", server.fqdn, *names, now.isoformat()]), avoid)
    key = pki.lab_key(key_label)
    name = _x509_name(attrs)
    nb = now.replace(microsecond=0)
    serial = int.from_bytes(hashlib.sha256(f"{server.fqdn}|{nb.isoformat()}|{names}".encode()).digest()[:16],
                            "big") >> 1 | 1
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(serial).not_valid_before(nb).not_valid_after(nb + timedelta(days=365 * 5))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(pki._key_usage(**pki.PROFILES["exchange-self-signed"]["key_usage"]), critical=True)
            .add_extension(x509.ExtendedKeyUsage(list(pki.PROFILES["exchange-self-signed"]["eku"])), critical=False)
            .add_extension(x509.SubjectAlternativeName([pki._general_name(n) for n in names]), critical=False)
            .sign(key, hashes.SHA256()))
    kid = _spki_id(key.public_key())
    server.keys[kid] = KeyContainer(f"casl-{kid[:8]}-{key_label}", key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()), exportable,
        key_label)
    rec = Certificate(cert.fingerprint(hashes.SHA1()).hex().upper(), windows_name(cert.subject),
                      windows_name(cert.issuer), friendly_name, tuple(names), cert.not_valid_before_utc,
                      cert.not_valid_after_utc, services_text([n for n in services if n != "IIS"]), True, True,
                      "Registry", exportable, f"{serial:X}", cert.public_bytes(serialization.Encoding.DER),
                      key_id=kid)
    server.certificates.append(rec)
    return rec


def pem_text(der: bytes, armour: tuple[str, str]) -> str:
    """Base64 in 64-character lines between the armour lines, CRLF as Windows writes it."""
    b64 = base64.b64encode(der).decode()
    lines = [armour[0], *(b64[i:i + 64] for i in range(0, len(b64), 64)), armour[1]]
    return "\r\n".join(lines) + "\r\n"


def read_request(data: bytes | str):
    """A CSR from PEM text (either armour) or DER; raises CertificateError for anything else."""
    from cryptography import x509
    raw = data.encode("latin-1") if isinstance(data, str) else data
    try:
        if b"-----BEGIN" in raw:
            body = re.search(rb"-----BEGIN (?:NEW )?CERTIFICATE REQUEST-----(.*?)-----END", raw, re.S)
            if body is None:
                raise ValueError("no certificate request block")
            raw = base64.b64decode(re.sub(rb"\s+", b"", body.group(1)))
        return x509.load_der_x509_csr(raw)
    except ValueError as exc:
        raise CertificateError(f"not a certificate request (PKCS#10): {exc}") from None


# --- the certification authority -------------------------------------------------------------------

def sign_request(request: bytes | str, issuer: str, now: datetime, *, days: int = CA_DAYS) -> tuple[bytes, tuple[bytes, ...]]:
    """The lab CA's answer to a CSR: (certificate DER, intermediate DERs). Same CSR and clock, same bytes.

    ``issuer`` is "contoso" (the enterprise CA, trusted inside the domain) or "fabrikam" (public-style,
    trusted everywhere). Subject and names are taken from the request, as the Web Server template does.
    """
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from casl.certs import pki
    csr = read_request(request)
    if not csr.is_signature_valid:
        raise CertificateError("the request's signature does not check: the file was changed after it was made")
    if issuer not in ("contoso", "fabrikam", "public"):
        raise CertificateError(f"unknown CA '{issuer}'; the lab has 'contoso' (enterprise) and 'fabrikam' (public)")
    lab = pki.lab_pki()
    ca = lab._ca(pki.ISSUERS[issuer])
    try:
        san = csr.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        san = None
    nb = (now - CA_BACKDATE).replace(microsecond=0)
    der_csr = csr.public_bytes(serialization.Encoding.DER)
    serial = int.from_bytes(hashlib.sha256(der_csr + issuer.encode() + nb.isoformat().encode()).digest()[:16],
                            "big") >> 1 | 1
    b = (x509.CertificateBuilder().subject_name(csr.subject).issuer_name(ca.cert.subject)
         .public_key(csr.public_key()).serial_number(serial)
         .not_valid_before(nb).not_valid_after(nb + timedelta(days=days))
         .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
         .add_extension(pki._key_usage(**pki.PROFILES["server"]["key_usage"]), critical=True)
         .add_extension(x509.ExtendedKeyUsage(list(pki.PROFILES["server"]["eku"])), critical=False)
         .add_extension(x509.SubjectKeyIdentifier.from_public_key(csr.public_key()), critical=False)
         .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()), critical=False))
    if san is not None:
        b = b.add_extension(san, critical=False)
    cert = b.sign(ca.key, hashes.SHA256())
    chain = tuple(c.public_bytes(serialization.Encoding.DER) for c in ((ca.cert, *ca.chain) if ca.root else ()))
    return cert.public_bytes(serialization.Encoding.DER), chain


def _chain_for(cert) -> tuple[bytes, ...]:
    # The server finds the intermediates of the lab's public CA (as Windows fetches them by AIA).
    from cryptography.hazmat.primitives import serialization
    from casl.certs import pki
    lab = pki.lab_pki()
    inter = lab.fabrikam_issuing
    if cert.issuer == inter.cert.subject:
        return (inter.cert.public_bytes(serialization.Encoding.DER),)
    return ()


# --- importing, linking, exporting ----------------------------------------------------------------

def read_certificate_data(data: bytes, password: str | None):
    """(x509 certificate, private key or None, intermediates) from .cer (DER or Base64) or .pfx bytes."""
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import pkcs12
    if b"CERTIFICATE REQUEST-----" in data:
        raise CertificateError("This is a certificate request, not the certificate the CA issued: send it to the "
                               "CA first and import the CA's answer.")
    if b"-----BEGIN CERTIFICATE-----" in data:
        return x509.load_pem_x509_certificate(data), None, []
    try:
        return x509.load_der_x509_certificate(data), None, []
    except ValueError:
        pass
    try:
        pw = password.encode() if password else None
        key, cert, extra = pkcs12.load_key_and_certificates(data, pw)
    except ValueError as exc:
        if "password" in str(exc).lower() or "mac" in str(exc).lower():
            raise CertificateError("The PKCS#12 password is not correct.") from None
        raise CertificateError("The data is not a certificate (.cer) or a PKCS#12 file (.pfx).") from None
    if cert is None:
        raise CertificateError("The PKCS#12 file holds no certificate.")
    return cert, key, list(extra or [])


def import_certificate(server, data: bytes, *, password: str | None = None, exportable: bool = False,
                       friendly_name: str = "", complete_requests: bool = True) -> Certificate:
    """Add a certificate to the server's Personal store, linking a private key if the server has it.

    From a .pfx the key comes with the file. From a .cer, the key is found only when a pending request
    on *this* server made it (``complete_requests``: Exchange's Import completes the request and the
    pending record goes); otherwise the certificate has no private key.
    """
    from cryptography.hazmat.primitives import hashes, serialization
    cert, key, extra = read_certificate_data(data, password)
    thumb = cert.fingerprint(hashes.SHA1()).hex().upper()
    if server.certificate(thumb) is not None:
        raise CertificateError(f"The certificate with thumbprint {thumb} already exists in the certificate store.")
    kid = _spki_id(cert.public_key())
    if key is not None:
        server.keys[kid] = KeyContainer(f"casl-{kid[:8]}-imported", key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()), exportable)
    pending = next((c for c in server.certificates if c.pending and c.key_id == kid), None)
    linked = kid in server.keys and (key is not None or (complete_requests and pending is not None))
    if linked and pending is not None and complete_requests:
        server.certificates.remove(pending)     # the request is complete
    self_signed = cert.issuer == cert.subject
    ca_cn = cert.issuer.rfc4514_string()
    root_type = ("Registry" if self_signed else
                 "Enterprise" if "Contoso Root CA" in ca_cn else "ThirdParty")
    rec = Certificate(
        thumbprint=thumb, subject=windows_name(cert.subject), issuer=windows_name(cert.issuer),
        friendly_name=friendly_name or (pending.friendly_name if pending else ""),
        dns_names=_san_names(cert), not_before=cert.not_valid_before_utc, not_after=cert.not_valid_after_utc,
        services="None", has_private_key=linked, self_signed=self_signed, root_ca_type=root_type,
        private_key_exportable=linked and server.keys[kid].exportable,
        serial_number=f"{cert.serial_number:X}", der=cert.public_bytes(serialization.Encoding.DER),
        key_id=kid if linked else "",
        chain_der=tuple(c.public_bytes(serialization.Encoding.DER) for c in extra) or _chain_for(cert))
    server.certificates.append(rec)
    return rec


def _san_names(cert) -> tuple[str, ...]:
    from cryptography import x509
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return ()
    return tuple(san.get_values_for_type(x509.DNSName)) + tuple(str(i) for i in san.get_values_for_type(x509.IPAddress))


def repair_key_link(server, cert: Certificate) -> KeyContainer | None:
    """``certutil -repairstore my <serial>``: link the key whose public half matches, if the server has one."""
    if cert.der is None:
        # Setup's own certificates (records without DER) were made with their keys and keep them.
        return KeyContainer(f"casl-{cert.thumbprint[:8]}-setup", b"", False) if cert.has_private_key else None
    kid = _spki_id(cert.x509().public_key())
    box = server.keys.get(kid)
    if box is not None:
        cert.key_id, cert.has_private_key, cert.private_key_exportable = kid, True, box.exportable
    return box


def remove_certificate(server, cert: Certificate) -> None:
    """Remove a certificate or pending request, and the key that belongs to it.

    http.sys keeps any binding that names the thumbprint: the binding now points at nothing.
    """
    server.certificates.remove(cert)
    if cert.key_id and not any(c.key_id == cert.key_id for c in server.certificates):
        server.keys.pop(cert.key_id, None)


def export_pfx(server, cert: Certificate, password: str | None) -> bytes:
    """The certificate with its key (and intermediates) as PKCS#12; CertificateError when the key cannot go.

    The bytes differ from run to run (PKCS#12 encryption takes a random salt); the certificate and key
    inside are always the same.
    """
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12
    box = server.keys.get(cert.key_id) if cert.key_id else None
    if cert.der is None or box is None or not cert.has_private_key or not box.exportable:
        raise CertificateError("The private key couldn't be exported as PKCS-12. It either couldn't be accessed "
                               "or isn't exportable.")
    key = serialization.load_pem_private_key(box.pem, None, unsafe_skip_rsa_key_validation=True)
    enc = serialization.BestAvailableEncryption(password.encode()) if password else serialization.NoEncryption()
    chain = [x509.load_der_x509_certificate(d) for d in cert.chain_der] or None
    return pkcs12.serialize_key_and_certificates((cert.friendly_name or cert.subject).encode(), key,
                                                 cert.x509(), chain, enc)


def bind_iis(server, cert: Certificate, ports: tuple[str, ...] = ("0.0.0.0:443", "127.0.0.1:443")) -> None:
    """Enable-ExchangeCertificate -Services IIS: the Default Web Site's https bindings use ``cert``; 444 stays."""
    for key in ports:
        server.ssl_certs[key] = (cert.thumbprint, "MY")


# --- files: bytes in the server's text file system ---------------------------------------------------

def file_bytes(text: str) -> bytes:
    """A file's bytes. Binary files (.pfx) are kept one character per byte; text files as UTF-8."""
    try:
        return text.encode("latin-1")
    except UnicodeEncodeError:
        return text.encode("utf-8")


def bytes_text(data: bytes) -> str:
    """How :mod:`casl.model.fs` keeps binary data: one character per byte (latin-1), read back exactly."""
    return data.decode("latin-1")
