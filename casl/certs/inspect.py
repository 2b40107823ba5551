"""Read real certificate files (PEM, DER, PFX, PEM bundles) and show what ``Get-ExchangeCertificate | fl`` would.

>>> from casl.certs.pki import lab_pki
>>> info = inspect(lab_pki().get("multi-name").der())
>>> info.subject, info.dns_names, info.key_size
('CN=mail.contoso.com', ('mail.contoso.com', 'autodiscover.contoso.com'), 2048)
>>> inspect(b"hello")
Traceback (most recent call last):
...
casl.errors.CertificateError: <bytes>: not a certificate: no '-----BEGIN CERTIFICATE-----' line and not DER (first bytes 68 65 6C 6C)
"""
from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID

from casl.errors import CertificateError

# How the Certificates console and Get-ExchangeCertificate name the usual EKUs.
EKU_NAMES = {
    ExtendedKeyUsageOID.SERVER_AUTH: "Server Authentication",
    ExtendedKeyUsageOID.CLIENT_AUTH: "Client Authentication",
    ExtendedKeyUsageOID.CODE_SIGNING: "Code Signing",
    ExtendedKeyUsageOID.EMAIL_PROTECTION: "Secure Email",
    ExtendedKeyUsageOID.TIME_STAMPING: "Time Stamping",
    ExtendedKeyUsageOID.OCSP_SIGNING: "OCSP Signing",
    ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE: "Any Purpose",
}
# KeyUsage attribute -> the name Windows shows.
KEY_USAGE_NAMES = {
    "digital_signature": "DigitalSignature", "content_commitment": "NonRepudiation",
    "key_encipherment": "KeyEncipherment", "data_encipherment": "DataEncipherment",
    "key_agreement": "KeyAgreement", "key_cert_sign": "KeyCertSign", "crl_sign": "CrlSign",
}
# PEM block labels that are not certificates, and what to tell the learner instead.
OTHER_PEM = {
    "CERTIFICATE REQUEST": "a certificate request (CSR), not a certificate: the CA has to issue it first",
    "NEW CERTIFICATE REQUEST": "a certificate request (CSR), not a certificate: the CA has to issue it first",
    "X509 CRL": "a certificate revocation list, not a certificate",
    "PUBLIC KEY": "a bare public key, not a certificate",
    "PKCS7": "a PKCS#7 (.p7b) container: export the certificates from it as .cer or PEM first",
}
# The ASN.1 parser's error kinds, in words.
ASN1_WORDS = {
    "ShortData": "the data ends too early (truncated file?)",
    "ExtraData": "there are extra bytes after the certificate",
    "UnexpectedTag": "a field is not the type a certificate has there",
    "InvalidValue": "a field holds an invalid value",
    "InvalidLength": "a length byte is wrong",
    "IntegerOverflow": "a number is too large",
}
_KEY_LABELS = ("PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "ENCRYPTED PRIVATE KEY")


@dataclass(frozen=True)
class CertificateInfo:
    """What one certificate says about itself, named as Windows and Exchange show it.

    ``self_signed`` means the signature checks with the certificate's own key; ``self_issued``
    only that subject and issuer are the same name.
    """
    subject: str
    issuer: str
    serial_number: str
    not_before: datetime
    not_after: datetime
    dns_names: tuple[str, ...]
    other_names: tuple[str, ...]
    thumbprint: str
    key_usage: tuple[str, ...]
    enhanced_key_usage: tuple[str, ...]
    has_private_key: bool
    self_signed: bool
    self_issued: bool
    is_ca: bool
    key_algorithm: str
    key_size: int | None
    signature_algorithm: str
    format: str
    source: str
    index: int = 0
    friendly_name: str | None = None
    cert: x509.Certificate | None = field(default=None, repr=False, compare=False)

    def in_date(self, at: datetime) -> bool:
        """True if ``at`` lies within NotBefore..NotAfter.

        >>> from casl.certs.pki import lab_pki
        >>> info = inspect(lab_pki().get("expired").der())
        >>> info.in_date(lab_pki().clock)
        False
        """
        return self.not_before <= at <= self.not_after

    def row(self) -> dict:
        """The Get-ExchangeCertificate | fl properties as a dict (for a DataFrame row)."""
        return {
            "Thumbprint": self.thumbprint, "Subject": self.subject, "Issuer": self.issuer,
            "NotBefore": self.not_before, "NotAfter": self.not_after,
            "CertificateDomains": ", ".join(self.dns_names), "HasPrivateKey": self.has_private_key,
            "IsSelfSigned": self.self_signed, "PublicKeySize": self.key_size,
            "SerialNumber": self.serial_number, "KeyUsage": ", ".join(self.key_usage),
            "EnhancedKeyUsageList": ", ".join(self.enhanced_key_usage),
            "SignatureAlgorithm": self.signature_algorithm, "Source": self.source,
        }

    def summary(self) -> str:
        """One line: thumbprint, subject, names and dates.

        >>> from casl.certs.pki import lab_pki
        >>> inspect(lab_pki().get("wildcard").der()).summary()
        'BD5778C400CC1D527B7B4F9D44E8AEF744B08451  CN=*.contoso.com  [*.contoso.com]  2014-07-04 .. 2016-07-03'
        """
        names = ", ".join(self.dns_names) or "no DNS names"
        return (f"{self.thumbprint}  {self.subject}  [{names}]  "
                f"{self.not_before:%Y-%m-%d} .. {self.not_after:%Y-%m-%d}")

    def _repr_markdown_(self) -> str:
        lines = ["| property | value |", "| --- | --- |"]
        for k, val in self.row().items():
            lines.append(f"| {k} | {str(val).replace('|', '/')} |")
        return "\n".join(lines)


class CertificateList(list):
    """Several certificates from one file (a PEM bundle or a PFX with its chain)."""

    def frame(self):
        """A pandas DataFrame, one row per certificate, Get-ExchangeCertificate columns."""
        return frame(self)

    def _repr_html_(self) -> str:
        return self.frame()._repr_html_()


def frame(infos):
    """A DataFrame of certificates (one row each), columns as ``Get-ExchangeCertificate | fl``.

    >>> from casl.certs.pki import lab_pki
    >>> frame([inspect(lab_pki().get("wildcard").der())])["CertificateDomains"].tolist()
    ['*.contoso.com']
    """
    import pandas as pd
    if isinstance(infos, CertificateInfo):
        infos = [infos]
    return pd.DataFrame([i.row() for i in infos])


def inspect(path_or_bytes, password: str | bytes | None = None):
    """Read a certificate file: one :class:`CertificateInfo`, or a :class:`CertificateList` if it holds several.

    Accepts a path, raw bytes or PEM text; PEM, DER, PFX/PKCS#12 (give ``password``) and
    PEM bundles. Problems raise :class:`~casl.errors.CertificateError` saying what was wrong.

    >>> from casl.certs.pki import lab_pki
    >>> inspect(lab_pki().get("exchange-self-signed-ServerA").pem()).self_signed
    True
    """
    infos = inspect_all(path_or_bytes, password=password)
    return infos[0] if len(infos) == 1 else infos


def inspect_all(path_or_bytes, password: str | bytes | None = None) -> CertificateList:
    """Like :func:`inspect` but always a list (the leaf first for a PFX).

    >>> from casl.certs.pki import lab_pki
    >>> c = lab_pki().get("multi-name")
    >>> [i.subject for i in inspect_all(c.pfx("lab"), password="lab")]
    ['CN=mail.contoso.com', 'CN=Fabrikam Public Issuing CA 1, O=Fabrikam Trust Services, C=US']
    """
    data, source = _read(path_or_bytes)
    if not data.strip():
        raise CertificateError(f"{source}: the file is empty")
    if b"-----BEGIN" in data:
        return _from_pem(data, source)
    if data[:1] == b"\x30":
        kind = _der_kind(data)
        if kind == "pfx":
            return _from_pfx(data, source, password)
        return _from_der(data, source)
    if _looks_base64(data):
        # A .cer saved as "Base-64 encoded X.509" without its BEGIN/END lines.
        raise CertificateError(f"{source}: looks like base64 without the "
                               "'-----BEGIN CERTIFICATE-----' and '-----END CERTIFICATE-----' lines")
    head = " ".join(f"{b:02X}" for b in data[:4])
    raise CertificateError(f"{source}: not a certificate: no '-----BEGIN CERTIFICATE-----' line "
                           f"and not DER (first bytes {head})")


# -- readers --------------------------------------------------------------------------------------
def _read(obj) -> tuple[bytes, str]:
    if isinstance(obj, (bytes, bytearray, memoryview)):
        return bytes(obj), "<bytes>"
    if isinstance(obj, str) and "-----BEGIN" in obj:
        return obj.encode(), "<text>"
    if isinstance(obj, (str, Path)):
        p = Path(obj)
        try:
            return p.read_bytes(), p.name
        except FileNotFoundError:
            raise CertificateError(f"{p}: no such file") from None
        except OSError as exc:
            raise CertificateError(f"{p}: cannot be read ({exc.strerror})") from None
    raise CertificateError(f"expected a path, bytes or PEM text, got {type(obj).__name__}")


_PEM_LINE = re.compile(r"^-----(BEGIN|END) ([A-Z0-9 #]+)-----\s*$")


def _from_pem(data: bytes, source: str) -> CertificateList:
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise _err(source, line, f"byte 0x{data[exc.start]:02X} is not PEM text") from None
    certs: list[tuple[x509.Certificate, int]] = []
    keys = []
    open_label, open_line, body = None, 0, []
    for n, line in enumerate(text.splitlines(), start=1):
        m = _PEM_LINE.match(line.strip())
        if m and m.group(1) == "BEGIN":
            if open_label:
                raise _err(source, n, f"BEGIN {m.group(2)} inside the {open_label} block opened on line {open_line}")
            open_label, open_line, body = m.group(2), n, []
        elif m:
            if m.group(2) != open_label:
                raise _err(source, n, f"END {m.group(2)} does not close "
                           + (f"BEGIN {open_label} (line {open_line})" if open_label else "any BEGIN line"))
            der = _decode_body(body, source)
            if open_label in ("CERTIFICATE", "X509 CERTIFICATE", "TRUSTED CERTIFICATE"):
                try:
                    certs.append((x509.load_der_x509_certificate(der), open_line))
                except ValueError as exc:
                    raise _err(source, open_line, f"the certificate starting here is corrupt: {_asn1(exc)}") from None
            elif open_label in _KEY_LABELS:
                keys.append(_load_key_pem(line_text(open_label, body), source, open_line))
            elif open_label in OTHER_PEM:
                raise _err(source, open_line, f"this is {OTHER_PEM[open_label]}")
            else:
                raise _err(source, open_line, f"'{open_label}' block is not a certificate")
            open_label = None
        elif open_label:
            body.append((n, line.strip()))
    if open_label:
        raise _err(source, open_line, f"BEGIN {open_label} has no matching END line")
    if not certs:
        raise CertificateError(f"{source}: PEM file holds no certificate"
                               + (" (only a private key)" if keys else ""))
    key_pubs = [k.public_key().public_bytes(serialization.Encoding.DER,
                                            serialization.PublicFormat.SubjectPublicKeyInfo)
                for k in keys if k is not None]
    out = CertificateList()
    for i, (c, _line) in enumerate(certs):
        out.append(_info(c, fmt="PEM", source=source, index=i,
                         has_key=_spki(c) in key_pubs))
    return out


def line_text(label: str, body) -> bytes:
    lines = [f"-----BEGIN {label}-----", *(t for _, t in body), f"-----END {label}-----"]
    return ("\n".join(lines) + "\n").encode()


def _decode_body(body, source: str) -> bytes:
    for n, t in body:
        if ":" in t:          # RFC 1421 headers (Proc-Type, DEK-Info) of an encrypted key
            continue
        bad = re.search(r"[^A-Za-z0-9+/=]", t)
        if bad:
            raise _err(source, n, f"character {bad.group()!r} at column {bad.start() + 1} is not base64")
    joined = "".join(t for _, t in body if ":" not in t)
    try:
        return base64.b64decode(joined, validate=True)
    except binascii.Error as exc:
        first = body[0][0] if body else 0
        raise _err(source, first, f"the base64 text starting here is damaged ({exc})") from None


def _load_key_pem(pem: bytes, source: str, line: int):
    try:
        return serialization.load_pem_private_key(pem, password=None)
    except TypeError:
        return None           # encrypted key: present, but we cannot match it without a password
    except ValueError as exc:
        raise _err(source, line, f"the private key starting here is corrupt ({exc})") from None


def _from_der(data: bytes, source: str) -> CertificateList:
    try:
        cert = x509.load_der_x509_certificate(data)
    except ValueError as exc:
        raise CertificateError(f"{source}: DER certificate is corrupt: {_asn1(exc)}") from None
    return CertificateList([_info(cert, fmt="DER", source=source)])


def _from_pfx(data: bytes, source: str, password) -> CertificateList:
    pw = password.encode() if isinstance(password, str) else password
    try:
        p12 = pkcs12.load_pkcs12(data, pw)
    except ValueError as exc:
        if not _der_complete(data):
            raise CertificateError(f"{source}: PFX file is truncated or corrupt") from None
        if pw is None:
            raise CertificateError(f"{source}: the PFX is password-protected; pass password=...") from None
        raise CertificateError(f"{source}: wrong password for the PFX (or the file is damaged): {exc}") from None
    if p12.cert is None and not p12.additional_certs:
        raise CertificateError(f"{source}: the PFX holds no certificate")
    out = CertificateList()
    key_pub = (p12.key.public_key().public_bytes(serialization.Encoding.DER,
                                                  serialization.PublicFormat.SubjectPublicKeyInfo)
               if p12.key is not None else None)
    items = ([p12.cert] if p12.cert is not None else []) + list(p12.additional_certs)
    for i, item in enumerate(items):
        fn = item.friendly_name.decode(errors="replace") if item.friendly_name else None
        out.append(_info(item.certificate, fmt="PFX", source=source, index=i,
                         has_key=key_pub is not None and _spki(item.certificate) == key_pub,
                         friendly_name=fn))
    return out


# -- DER structure, just enough to tell a certificate from a PFX -----------------------------------
def _der_header(data: bytes, pos: int) -> tuple[int, int, int]:
    """(tag, header length, content length) at ``pos``; ValueError if it does not fit."""
    if pos + 2 > len(data):
        raise ValueError("short")
    tag, first = data[pos], data[pos + 1]
    if first < 0x80:
        return tag, 2, first
    n = first & 0x7F
    if n == 0 or n > 4 or pos + 2 + n > len(data):
        raise ValueError("bad length")
    return tag, 2 + n, int.from_bytes(data[pos + 2:pos + 2 + n], "big")


def _der_kind(data: bytes) -> str:
    # A certificate's outer SEQUENCE starts with another SEQUENCE (tbsCertificate);
    # a PFX's starts with INTEGER 3 (the version).
    try:
        _, hl, _ = _der_header(data, 0)
        return "pfx" if data[hl] == 0x02 else "cert"
    except (ValueError, IndexError):
        return "cert"


def _der_complete(data: bytes) -> bool:
    try:
        _, hl, ln = _der_header(data, 0)
    except ValueError:
        return False
    return hl + ln == len(data)


def _looks_base64(data: bytes) -> bool:
    return bool(re.fullmatch(rb"[A-Za-z0-9+/=\s]{64,}", data.strip()))


# -- one certificate ------------------------------------------------------------------------------
def _info(cert: x509.Certificate, *, fmt: str, source: str, index: int = 0,
          has_key: bool = False, friendly_name: str | None = None) -> CertificateInfo:
    ext = cert.extensions if _extensions_ok(cert) else None
    dns, other = _sans(ext)
    pub = cert.public_key()
    return CertificateInfo(
        subject=_windows_name(cert.subject), issuer=_windows_name(cert.issuer),
        serial_number=_serial_hex(cert), not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc, dns_names=dns, other_names=other,
        thumbprint=cert.fingerprint(hashes.SHA1()).hex().upper(),
        key_usage=_key_usage(ext), enhanced_key_usage=_eku(ext), has_private_key=has_key,
        self_signed=_self_signed(cert), self_issued=cert.issuer == cert.subject,
        is_ca=_is_ca(ext),
        key_algorithm=type(pub).__name__.removeprefix("_").replace("PublicKey", "") or "unknown",
        key_size=getattr(pub, "key_size", None),
        signature_algorithm=_sig_alg(cert), format=fmt, source=source, index=index,
        friendly_name=friendly_name, cert=cert)


def _extensions_ok(cert) -> bool:
    try:
        cert.extensions
        return True
    except ValueError:     # an extension the library cannot decode: show the rest
        return False


def _windows_name(name: x509.Name) -> str:
    parts = []
    for attr in reversed(list(name)):
        s = attr.rfc4514_string()
        parts.append(s.replace("1.2.840.113549.1.9.1=", "E="))
    return ", ".join(parts)


def _serial_hex(cert: x509.Certificate) -> str:
    n = cert.serial_number
    length = max(1, (n.bit_length() + 8) // 8)   # DER keeps a leading zero when the top bit is set
    return n.to_bytes(length, "big", signed=True).hex().upper()


def _sans(ext) -> tuple[tuple[str, ...], tuple[str, ...]]:
    if ext is None:
        return (), ()
    try:
        san = ext.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return (), ()
    dns = tuple(san.get_values_for_type(x509.DNSName))
    other = tuple(f"IP:{ip}" for ip in san.get_values_for_type(x509.IPAddress))
    other += tuple(f"Email:{e}" for e in san.get_values_for_type(x509.RFC822Name))
    other += tuple(f"URI:{u}" for u in san.get_values_for_type(x509.UniformResourceIdentifier))
    return dns, other


def _key_usage(ext) -> tuple[str, ...]:
    if ext is None:
        return ()
    try:
        ku = ext.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return ()
    return tuple(name for attr, name in KEY_USAGE_NAMES.items() if getattr(ku, attr))


def _eku(ext) -> tuple[str, ...]:
    if ext is None:
        return ()
    try:
        eku = ext.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        return ()
    return tuple(f"{EKU_NAMES.get(oid, oid._name if oid._name != 'Unknown OID' else 'Unknown')} "
                 f"({oid.dotted_string})" for oid in eku)


def _is_ca(ext) -> bool:
    if ext is None:
        return False
    try:
        return ext.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        return False


def _self_signed(cert: x509.Certificate) -> bool:
    if cert.issuer != cert.subject:
        return False
    try:
        cert.verify_directly_issued_by(cert)
        return True
    except ValueError:
        # The library refuses SHA-1 signatures, which Exchange's own certificates still use:
        # check the signature by hand so they still count as self-signed.
        return _signature_checks(cert)
    except Exception:      # bad signature: another key that happens to use the same name
        return False


def _signature_checks(cert: x509.Certificate) -> bool:
    return _signature_checks_by(cert, cert)


def _signature_checks_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    """True if ``issuer``'s key made ``cert``'s signature (RSA PKCS#1 v1.5 or ECDSA, SHA-1 allowed)."""
    from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
    key, algo = issuer.public_key(), cert.signature_hash_algorithm
    if algo is None:
        return False
    try:
        if isinstance(key, rsa.RSAPublicKey):
            key.verify(cert.signature, cert.tbs_certificate_bytes, padding.PKCS1v15(), algo)
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(cert.signature, cert.tbs_certificate_bytes, ec.ECDSA(algo))
        else:
            return False
    except Exception:
        return False
    return True


def _sig_alg(cert: x509.Certificate) -> str:
    oid = cert.signature_algorithm_oid
    return oid._name if oid._name != "Unknown OID" else oid.dotted_string


def _spki(cert: x509.Certificate) -> bytes:
    return cert.public_key().public_bytes(serialization.Encoding.DER,
                                          serialization.PublicFormat.SubjectPublicKeyInfo)


def _asn1(exc: Exception) -> str:
    msg = str(exc)
    m = re.search(r"kind: (\w+)", msg)
    loc = re.search(r"location: \[([^\]]*)\]", msg)
    if m:
        where = f" in {loc.group(1).replace(chr(34), '')}" if loc and loc.group(1) else ""
        return f"{ASN1_WORDS.get(m.group(1), 'ASN.1 error ' + m.group(1))}{where}"
    return msg


def _err(source: str, line: int, message: str) -> CertificateError:
    exc = CertificateError(f"{source}, line {line}: {message}")
    exc.line = line
    return exc
