"""A lab PKI that makes real, byte-for-byte repeatable X.509 certificates for contoso.com.

Two certificate authorities stand in for the two kinds a Client Access server meets:

* **Contoso Root CA** - the company's own enterprise CA; domain-joined machines trust it
  (Group Policy / AD publish it), machines outside the domain do not.
* **Fabrikam Public Root** with **Fabrikam Public Issuing CA 1** - a public-style CA that
  every machine trusts, the way a commercial CA is in every operating system's root store.

Keys are RSA 2048 (what Exchange requests) and come from ``data/certs/lab-only-keys.pem``, a
file of fixed keys published on purpose (**lab only, never use them for anything real**), so the
same request gives the same certificate, DER and SHA-1 thumbprint in every process. Dates come
from an explicit lab clock, never from the wall clock.

>>> lab = lab_pki()
>>> c = lab.issue(["mail.contoso.com", "autodiscover.contoso.com"], issuer="fabrikam")
>>> c.names
('mail.contoso.com', 'autodiscover.contoso.com')
>>> c.issuer_cn, len(c.thumbprint)
('Fabrikam Public Issuing CA 1', 40)
"""
from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterable, Sequence

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from casl.errors import CertificateError

#: The course clock: the moment the simulated organisation lives in.
COURSE_CLOCK = datetime(2014, 10, 2, 9, 30, tzinfo=timezone.utc)
KEY_FILE = Path(__file__).resolve().parents[2] / "data" / "certs" / "lab-only-keys.pem"
# Leaf key slots 0-15 belong to the catalogue below; ad-hoc requests hash onto 16-31.
_CATALOGUE_SLOTS = 16
_LEAF_SLOTS = 32

# What a certificate may be used for. "server" is what a CA issues for a web server; the other
# two are the mistakes the course shows (a certificate made from the wrong template).
PROFILES: dict[str, dict] = {
    "server": {
        "key_usage": {"digital_signature": True, "key_encipherment": True},
        "eku": (ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH),
        "doc": "TLS server certificate (Web Server template)",
    },
    "exchange-self-signed": {
        # As Exchange setup makes it: no SKI/AKI, serverAuth only (see the real fixtures).
        "key_usage": {"digital_signature": True, "key_encipherment": True},
        "eku": (ExtendedKeyUsageOID.SERVER_AUTH,),
        "doc": "Exchange's self-signed 'Microsoft Exchange' default",
    },
    "no-server-auth": {
        "key_usage": {"digital_signature": True, "key_encipherment": True},
        "eku": (ExtendedKeyUsageOID.CLIENT_AUTH,),
        "doc": "client-authentication only (User template): no serverAuth EKU",
    },
    "wrong-key-usage": {
        "key_usage": {"content_commitment": True},
        "eku": (ExtendedKeyUsageOID.SERVER_AUTH,),
        "doc": "key usage allows signing documents only, not a TLS key exchange",
    },
}

# The certification authorities: fixed dates so CA thumbprints never depend on the clock.
_CAS: dict[str, dict] = {
    "contoso-root": {"cn": "Contoso Root CA", "o": "Contoso", "parent": None,
                     "not_before": datetime(2012, 1, 1, tzinfo=timezone.utc), "days": 20 * 365},
    "fabrikam-root": {"cn": "Fabrikam Public Root", "o": "Fabrikam Trust Services", "parent": None,
                      "not_before": datetime(2006, 1, 1, tzinfo=timezone.utc), "days": 25 * 365},
    "fabrikam-issuing": {"cn": "Fabrikam Public Issuing CA 1", "o": "Fabrikam Trust Services",
                         "parent": "fabrikam-root",
                         "not_before": datetime(2010, 1, 1, tzinfo=timezone.utc), "days": 15 * 365},
}
# issuer= names a learner can use, and which CA signs.
ISSUERS = {"contoso": "contoso-root", "fabrikam": "fabrikam-issuing", "public": "fabrikam-issuing",
           "self": None}

# The standard lab certificates. Offsets are days relative to the lab clock.
CATALOGUE: dict[str, dict] = {
    "mail-only": dict(names=["mail.contoso.com"], issuer="fabrikam", nb=-90, days=730, slot=0,
                      doc="Example A: one name, mail.contoso.com"),
    "autodiscover-only": dict(names=["autodiscover.contoso.com"], issuer="fabrikam", nb=-90,
                              days=730, slot=1, doc="Example B: one name, autodiscover.contoso.com"),
    "multi-name": dict(names=["mail.contoso.com", "autodiscover.contoso.com"], issuer="fabrikam",
                       nb=-90, days=730, slot=2, doc="the usual public SAN certificate"),
    "wildcard": dict(names=["*.contoso.com"], issuer="fabrikam", nb=-90, days=730, slot=3,
                     doc="wildcard *.contoso.com"),
    "internal-ca": dict(names=["mail.contoso.com", "autodiscover.contoso.com"], issuer="contoso",
                        nb=-90, days=730, slot=4,
                        doc="issued by the enterprise CA: trusted only inside the domain"),
    "expired": dict(names=["mail.contoso.com", "autodiscover.contoso.com"], issuer="fabrikam",
                    nb=-760, days=730, slot=5, doc="ran out 30 days before the lab clock"),
    "not-yet-valid": dict(names=["mail.contoso.com", "autodiscover.contoso.com"],
                          issuer="fabrikam", nb=14, days=730, slot=6,
                          doc="valid from two weeks after the lab clock"),
    "exchange-self-signed-ServerA": dict(names=["ServerA", "ServerA.contoso.com"], issuer="self",
                                         nb=-200, days=5 * 365, slot=7,
                                         profile="exchange-self-signed",
                                         doc="Exchange setup's 'Microsoft Exchange' certificate"),
    "exchange-self-signed-ServerB": dict(names=["ServerB", "ServerB.contoso.com"], issuer="self",
                                         nb=-200, days=5 * 365, slot=8,
                                         profile="exchange-self-signed",
                                         doc="Exchange setup's 'Microsoft Exchange' certificate"),
    "no-server-auth": dict(names=["mail.contoso.com", "autodiscover.contoso.com"],
                           issuer="contoso", nb=-90, days=730, slot=9, profile="no-server-auth",
                           doc="made from the User template: no serverAuth EKU"),
    "wrong-key-usage": dict(names=["mail.contoso.com", "autodiscover.contoso.com"],
                            issuer="contoso", nb=-90, days=730, slot=10,
                            profile="wrong-key-usage", doc="signing-only key usage"),
}


@functools.lru_cache(maxsize=1)
def _key_texts() -> dict[str, bytes]:
    try:
        text = KEY_FILE.read_text()
    except OSError as exc:
        raise CertificateError(f"lab key file {KEY_FILE} could not be read: {exc}") from None
    blocks = re.findall(r"# name: (\S+)\n(-----BEGIN PRIVATE KEY-----.*?-----END PRIVATE KEY-----)",
                        text, re.S)
    return {name: pem.encode() for name, pem in blocks}


@functools.lru_cache(maxsize=None)
def lab_key(name: str) -> rsa.RSAPrivateKey:
    """One of the fixed lab keys, loaded once per process ("contoso-root", "leaf-07", ...).

    >>> lab_key("contoso-root").key_size
    2048
    """
    texts = _key_texts()
    if name not in texts:
        raise CertificateError(f"no lab key named {name!r} in {KEY_FILE.name}")
    # These keys are our own fixed lab keys, so the slow RSA consistency check (about 100 ms a
    # key) buys nothing: skip it.
    return serialization.load_pem_private_key(texts[name], password=None,
                                              unsafe_skip_rsa_key_validation=True)


def thumbprint(cert: x509.Certificate) -> str:
    """SHA-1 of the DER, upper-case hex: what Windows and ``Get-ExchangeCertificate`` show.

    >>> len(thumbprint(lab_pki().contoso_root.cert))
    40
    """
    return cert.fingerprint(hashes.SHA1()).hex().upper()


@dataclass(frozen=True)
class LabCertificate:
    """A certificate the lab PKI made, with its private key and the CA certificates above it.

    ``chain`` holds the intermediates (not the root); ``root`` is the trust anchor (``None`` for
    a self-signed certificate, which is its own anchor).
    """
    label: str
    cert: x509.Certificate
    key: rsa.RSAPrivateKey = field(repr=False)
    chain: tuple[x509.Certificate, ...] = field(default=(), repr=False)
    root: x509.Certificate | None = field(default=None, repr=False)

    @property
    def thumbprint(self) -> str:
        return thumbprint(self.cert)

    @property
    def names(self) -> tuple[str, ...]:
        """The subjectAltName entries: DNS names, then IP addresses."""
        try:
            san = self.cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        except x509.ExtensionNotFound:
            return ()
        return (tuple(san.get_values_for_type(x509.DNSName))
                + tuple(str(ip) for ip in san.get_values_for_type(x509.IPAddress)))

    @property
    def subject(self) -> str:
        return self.cert.subject.rfc4514_string()

    @property
    def issuer_cn(self) -> str:
        return self.cert.issuer.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value

    @property
    def not_before(self) -> datetime:
        return self.cert.not_valid_before_utc

    @property
    def not_after(self) -> datetime:
        return self.cert.not_valid_after_utc

    @property
    def self_signed(self) -> bool:
        return self.cert.issuer == self.cert.subject

    def der(self) -> bytes:
        """The certificate as DER (what a .cer file from Windows usually holds).

        >>> lab_pki().get("wildcard").der()[:1]
        b'0'
        """
        return self.cert.public_bytes(serialization.Encoding.DER)

    def pem(self, *, with_chain: bool = False) -> str:
        """The certificate as PEM text; ``with_chain=True`` appends the intermediates.

        >>> lab_pki().get("multi-name").pem(with_chain=True).count("BEGIN CERTIFICATE")
        2
        """
        certs = [self.cert, *(self.chain if with_chain else ())]
        return "".join(c.public_bytes(serialization.Encoding.PEM).decode() for c in certs)

    def pfx(self, password: str | bytes | None, *, friendly_name: str | None = None) -> bytes:
        """A PKCS#12 (.pfx) with key, certificate and intermediates, as Export-ExchangeCertificate makes.

        >>> c = lab_pki().get("multi-name")
        >>> from casl.certs.inspect import inspect
        >>> inspect(c.pfx("P@ssw0rd"), password="P@ssw0rd")[0].thumbprint == c.thumbprint
        True
        """
        pw = password.encode() if isinstance(password, str) else password
        enc = (serialization.BestAvailableEncryption(pw) if pw
               else serialization.NoEncryption())
        name = (friendly_name or self.label).encode()
        return pkcs12.serialize_key_and_certificates(name, self.key, self.cert,
                                                     list(self.chain) or None, enc)

    def to_store_record(self, *, friendly_name: str | None = None, services: str = "None",
                        root_ca_type: str | None = None):
        """The certificate as a machine-store record for the simulated servers.

        >>> rec = lab_pki().get("exchange-self-signed-ServerA").to_store_record(services="IMAP, POP, IIS, SMTP")
        >>> rec.subject, rec.root_ca_type, rec.dns_names
        ('CN=ServerA', 'Registry', ('ServerA', 'ServerA.contoso.com'))
        """
        from casl.model.certificates import Certificate
        if root_ca_type is None:
            root_ca_type = ("Registry" if self.self_signed else
                            "Enterprise" if self.issuer_cn == "Contoso Root CA" else "ThirdParty")
        return Certificate(
            thumbprint=self.thumbprint, subject=_windows_name(self.cert.subject),
            issuer=_windows_name(self.cert.issuer),
            friendly_name=friendly_name or ("Microsoft Exchange" if self.self_signed else self.label),
            dns_names=self.names, not_before=self.not_before, not_after=self.not_after,
            services=services, has_private_key=True, self_signed=self.self_signed,
            root_ca_type=root_ca_type, serial_number=f"{self.cert.serial_number:X}", der=self.der())


def _windows_name(name: x509.Name) -> str:
    # Windows writes the most specific part first, comma-space separated: "CN=x, O=y, C=US".
    return ", ".join(a.rfc4514_string() for a in reversed(list(name)))


class LabPki:
    """The lab's certification authorities and the certificates they issue, for one lab clock.

    >>> lab = lab_pki()
    >>> lab.get("wildcard").names
    ('*.contoso.com',)
    >>> sorted(lab.catalogue)[:3]
    ['autodiscover-only', 'exchange-self-signed-ServerA', 'exchange-self-signed-ServerB']
    """

    def __init__(self, clock: datetime = COURSE_CLOCK):
        if clock.tzinfo is None:
            clock = clock.replace(tzinfo=timezone.utc)
        self.clock = clock
        self._cas: dict[str, LabCertificate] = {}
        self._issued: dict[tuple, LabCertificate] = {}
        for label in _CAS:
            self._ca(label)

    # -- authorities --------------------------------------------------------------------------
    def _ca(self, label: str) -> LabCertificate:
        if label in self._cas:
            return self._cas[label]
        spec = _CAS[label]
        key = lab_key(label)
        name = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "US"),
                          x509.NameAttribute(NameOID.ORGANIZATION_NAME, spec["o"]),
                          x509.NameAttribute(NameOID.COMMON_NAME, spec["cn"])])
        parent = self._ca(spec["parent"]) if spec["parent"] else None
        issuer_name = parent.cert.subject if parent else name
        signing_key = parent.key if parent else key
        ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
        builder = (x509.CertificateBuilder()
                   .subject_name(name).issuer_name(issuer_name).public_key(key.public_key())
                   .serial_number(_serial("ca", label))
                   .not_valid_before(spec["not_before"])
                   .not_valid_after(spec["not_before"] + timedelta(days=spec["days"]))
                   .add_extension(x509.BasicConstraints(ca=True, path_length=None if parent is None else 0),
                                  critical=True)
                   .add_extension(_key_usage(key_cert_sign=True, crl_sign=True, digital_signature=True),
                                  critical=True)
                   .add_extension(ski, critical=False))
        if parent:
            builder = builder.add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(parent.key.public_key()),
                critical=False)
        cert = builder.sign(signing_key, hashes.SHA256())
        root = (parent.root or parent.cert) if parent else None
        self._cas[label] = LabCertificate(spec["cn"], cert, key, (), root)
        return self._cas[label]

    @property
    def contoso_root(self) -> LabCertificate:
        """The enterprise root CA (trusted by domain-joined machines)."""
        return self._cas["contoso-root"]

    @property
    def fabrikam_root(self) -> LabCertificate:
        """The public-style root CA (trusted everywhere)."""
        return self._cas["fabrikam-root"]

    @property
    def fabrikam_issuing(self) -> LabCertificate:
        """The public-style intermediate CA that signs Fabrikam server certificates."""
        return self._cas["fabrikam-issuing"]

    # -- certificates -------------------------------------------------------------------------
    def issue(self, names: Sequence[str] | str, issuer: str = "contoso", *,
              not_before: datetime | None = None, days: int = 730, profile: str = "server",
              subject: str | None = None, key: str | None = None,
              label: str | None = None) -> LabCertificate:
        """Issue a certificate for ``names`` (first name is the subject CN unless ``subject`` is given).

        ``issuer`` is "contoso" (enterprise CA), "fabrikam"/"public" (public-style intermediate) or
        "self" (self-signed). ``not_before`` defaults to 90 days before the lab clock. Same
        arguments, same certificate and thumbprint.

        >>> lab = lab_pki()
        >>> a = lab.issue("mail.contoso.com", issuer="contoso", days=365)
        >>> a.thumbprint == lab.issue(["mail.contoso.com"], issuer="contoso", days=365).thumbprint
        True
        """
        names = (names,) if isinstance(names, str) else tuple(names)
        if not names:
            raise CertificateError("a certificate needs at least one name")
        if issuer not in ISSUERS:
            raise CertificateError(f"unknown issuer {issuer!r}; choose one of {sorted(ISSUERS)}")
        if profile not in PROFILES:
            raise CertificateError(f"unknown profile {profile!r}; choose one of {sorted(PROFILES)}")
        if not_before is None:
            not_before = self.clock - timedelta(days=90)
        if not_before.tzinfo is None:
            not_before = not_before.replace(tzinfo=timezone.utc)
        not_before = not_before.replace(microsecond=0)
        cn = subject or names[0]
        request = (names, issuer, not_before.isoformat(), days, profile, cn)
        if key is None:
            digest = hashlib.sha256(repr(request).encode()).digest()
            key = f"leaf-{_CATALOGUE_SLOTS + digest[0] % (_LEAF_SLOTS - _CATALOGUE_SLOTS):02d}"
        cache_key = (*request, key)
        if cache_key in self._issued:
            return self._issued[cache_key]
        private = lab_key(key)
        subject_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
        ca = self._ca(ISSUERS[issuer]) if ISSUERS[issuer] else None
        prof = PROFILES[profile]
        builder = (x509.CertificateBuilder()
                   .subject_name(subject_name)
                   .issuer_name(ca.cert.subject if ca else subject_name)
                   .public_key(private.public_key())
                   .serial_number(_serial("leaf", *cache_key))
                   .not_valid_before(not_before)
                   .not_valid_after(not_before + timedelta(days=days))
                   .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                   .add_extension(_key_usage(**prof["key_usage"]), critical=True)
                   .add_extension(x509.ExtendedKeyUsage(list(prof["eku"])), critical=False)
                   .add_extension(x509.SubjectAlternativeName([_general_name(n) for n in names]),
                                  critical=False))
        if ca is not None:
            builder = (builder
                       .add_extension(x509.SubjectKeyIdentifier.from_public_key(private.public_key()),
                                      critical=False)
                       .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                           ca.key.public_key()), critical=False))
        cert = builder.sign(ca.key if ca else private, hashes.SHA256())
        if ca is None:
            chain, root = (), None
        elif ca.root is None:          # signed straight by a root
            chain, root = (), ca.cert
        else:
            chain, root = (ca.cert, *ca.chain), ca.root
        made = LabCertificate(label or ", ".join(names), cert, private, chain, root)
        self._issued[cache_key] = made
        return made

    @property
    def catalogue(self) -> dict[str, str]:
        """The standard lab certificates: label -> what it shows."""
        return {label: spec["doc"] for label, spec in CATALOGUE.items()}

    def get(self, label: str) -> LabCertificate:
        """A standard lab certificate by label (see :attr:`catalogue`).

        >>> lab_pki().get("expired").not_after < lab_pki().clock
        True
        """
        if label not in CATALOGUE:
            raise CertificateError(f"no lab certificate {label!r}; choose one of {sorted(CATALOGUE)}")
        spec = CATALOGUE[label]
        return self.issue(spec["names"], spec["issuer"],
                          not_before=self.clock + timedelta(days=spec["nb"]), days=spec["days"],
                          profile=spec.get("profile", "server"), key=f"leaf-{spec['slot']:02d}",
                          label=label)

    def all(self) -> list[LabCertificate]:
        """Every standard certificate, in catalogue order.

        >>> [c.label for c in lab_pki().all()][:2]
        ['mail-only', 'autodiscover-only']
        """
        return [self.get(label) for label in CATALOGUE]

    def roots(self, which: Iterable[str] = ("contoso", "fabrikam")) -> list[x509.Certificate]:
        """Root certificates by short name ("contoso", "fabrikam").

        >>> [r.subject.rfc4514_string() for r in lab_pki().roots(["contoso"])]
        ['CN=Contoso Root CA,O=Contoso,C=US']
        """
        table = {"contoso": self.contoso_root.cert, "fabrikam": self.fabrikam_root.cert}
        return [table[w] for w in which]

    def write(self, folder: str | Path, *, password: str = "lab",
              formats: Sequence[str] = (".cer", ".pem", ".pfx")) -> list[Path]:
        """Write every standard certificate as .cer (DER), .pem (with chain) and .pfx, plus the CA certificates.

        Returns the files written, sorted. PFX files are not byte-identical between runs
        (PKCS#12 encryption uses a random salt); the certificates inside are.

        >>> import tempfile
        >>> len(lab_pki().write(tempfile.mkdtemp(), formats=(".cer",)))
        14
        """
        out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        written = []
        for ca in self._cas.values():
            p = out / (ca.label.replace(" ", "-") + ".cer")
            p.write_bytes(ca.der())
            written.append(p)
        for c in self.all():
            makers = {".cer": c.der, ".pem": lambda: c.pem(with_chain=True).encode(),
                      ".pfx": lambda: c.pfx(password)}
            for suffix in formats:
                data = makers[suffix]()
                p = out / (c.label + suffix)
                p.write_bytes(data)
                written.append(p)
        return sorted(written)


def _general_name(name: str) -> x509.GeneralName:
    # "10.0.0.5" belongs in an iPAddress entry; everything else is a dNSName.
    import ipaddress
    try:
        return x509.IPAddress(ipaddress.ip_address(name))
    except ValueError:
        return x509.DNSName(name)


def _key_usage(**on: bool) -> x509.KeyUsage:
    flags = dict(digital_signature=False, content_commitment=False, key_encipherment=False,
                 data_encipherment=False, key_agreement=False, key_cert_sign=False,
                 crl_sign=False, encipher_only=False, decipher_only=False)
    flags.update(on)
    return x509.KeyUsage(**flags)


def _serial(*parts: object) -> int:
    # Positive, under 20 bytes, and a function of the request only: same request, same serial.
    return int.from_bytes(hashlib.sha256(repr(parts).encode()).digest()[:16], "big") >> 1 | 1


@functools.lru_cache(maxsize=8)
def _cached_pki(clock: datetime) -> LabPki:
    return LabPki(clock)


def lab_pki(clock: datetime | str | None = None) -> LabPki:
    """The lab PKI for a lab clock (default the course clock 2014-10-02T09:30Z), cached per process.

    >>> lab_pki() is lab_pki("2014-10-02T09:30:00")
    True
    """
    if clock is None:
        clock = COURSE_CLOCK
    elif isinstance(clock, str):
        clock = datetime.fromisoformat(clock)
    elif hasattr(clock, "now") and not isinstance(clock, datetime):   # a casl LabClock
        clock = clock.now()
    if clock.tzinfo is None:
        clock = clock.replace(tzinfo=timezone.utc)
    return _cached_pki(clock)
