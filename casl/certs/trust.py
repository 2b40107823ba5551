"""The three questions a client asks of a server certificate, answered with real X.509 path building.

1. **issuer** - do I trust whoever issued it (is there a path to a root in my trust store)?
2. **dates** - is it (and every CA certificate on the path) valid at this moment?
3. **name** - is the name I typed on the certificate (subjectAltName, RFC 6125 wildcards)?

A fourth, **usage**, catches certificates made from the wrong template (no serverAuth EKU, or a
key usage that does not allow a TLS key exchange). Every check is a separate run of
``cryptography.x509.verification`` with everything *except* the thing asked about held good, so
the answer names each failing question, not just the first error the library met.

>>> from casl.certs.pki import lab_pki
>>> lab = lab_pki()
>>> print(check(lab.get("mail-only"), "autodiscover.contoso.com", store="outside").summary())
autodiscover.contoso.com (outside): FAILED name - autodiscover.contoso.com is not on the certificate (it has mail.contoso.com)
>>> check(lab.get("internal-ca"), "mail.contoso.com", store="outside").failed
['issuer']
>>> check(lab.get("internal-ca"), "mail.contoso.com", store="domain-joined").ok
True
"""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Iterable, Sequence

from cryptography import x509
from cryptography.x509 import verification as v
from cryptography.x509.oid import NameOID

from casl.errors import CertificateError

QUESTIONS = {
    "issuer": "Do I trust the issuer?",
    "dates": "Is it within its dates?",
    "name": "Is the name I connect to on it?",
    "usage": "Is it made for a TLS server?",
}

# Which lab roots each kind of machine trusts. "exchange-server" adds the self-signed
# certificates Exchange servers in one organisation accept from each other.
STORES = {
    "domain-joined": ("contoso", "fabrikam"),
    "outside": ("fabrikam",),
    "exchange-server": ("contoso", "fabrikam", "self:ServerA", "self:ServerB"),
    "empty": (),
}

# The library's terse messages, said the way the Certificates console would.
_LIBRARY_WORDS = {
    "required EKU not found": "enhanced key usage lacks Server Authentication (1.3.6.1.5.5.7.3.1)",
}

# A TLS server key must allow one of these (RSA key exchange or ECDHE signatures).
_TLS_KEY_USAGES = ("digital_signature", "key_encipherment")


@dataclass(frozen=True)
class TrustStore:
    """A named set of trust anchors (root certificates)."""
    name: str
    roots: tuple[x509.Certificate, ...]

    def store(self) -> v.Store:
        return v.Store(list(self.roots))

    def __contains__(self, cert: x509.Certificate) -> bool:
        return cert in self.roots


def trust_store(name: str = "domain-joined", *, pki=None, extra: Iterable = ()) -> TrustStore:
    """A trust store by name ("domain-joined", "outside", "exchange-server", "empty"), plus ``extra`` roots.

    >>> [r.subject.rfc4514_string() for r in trust_store("outside").roots]
    ['CN=Fabrikam Public Root,O=Fabrikam Trust Services,C=US']
    """
    from casl.certs.pki import lab_pki
    if name not in STORES:
        raise CertificateError(f"unknown trust store {name!r}; choose one of {sorted(STORES)}")
    pki = pki or lab_pki()
    roots = []
    for entry in STORES[name]:
        if entry.startswith("self:"):
            roots.append(pki.get(f"exchange-self-signed-{entry[5:]}").cert)
        else:
            roots.extend(pki.roots([entry]))
    roots.extend(_as_cert(c) for c in extra)
    return TrustStore(name, tuple(roots))


@dataclass
class TrustResult:
    """The answers for one certificate, one host name, one trust store and one moment."""
    host: str
    store: str
    at: datetime
    trusted_issuer: bool
    in_date: bool
    name_matches: bool
    right_usage: bool
    failed: list[str]
    detail: str
    reasons: dict[str, str] = field(default_factory=dict)
    names: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.failed

    @property
    def first_failure(self) -> str | None:
        return self.failed[0] if self.failed else None

    def summary(self) -> str:
        """One line: ``host (store): OK`` or ``FAILED <questions> - <first reason>``.

        >>> from casl.certs.pki import lab_pki
        >>> check(lab_pki().get("expired"), "mail.contoso.com", store="outside").summary()
        'mail.contoso.com (outside): FAILED dates - certificate expired 2014-09-02 09:30 (now 2014-10-02 09:30)'
        """
        if self.ok:
            return f"{self.host} ({self.store}): OK - trusted issuer, in date, name on certificate"
        return f"{self.host} ({self.store}): FAILED {', '.join(self.failed)} - {self.detail}"

    def __str__(self) -> str:
        return self.summary()

    def rows(self) -> list[dict]:
        """One row per question: question, answer, why.

        >>> from casl.certs.pki import lab_pki
        >>> [r["answer"] for r in check(lab_pki().get("wildcard"), "contoso.com").rows()]
        ['yes', 'yes', 'NO', 'yes']
        """
        answers = {"issuer": self.trusted_issuer, "dates": self.in_date,
                   "name": self.name_matches, "usage": self.right_usage}
        return [{"question": QUESTIONS[q], "answer": "yes" if answers[q] else "NO",
                 "why": self.reasons.get(q, "")} for q in QUESTIONS]

    def _repr_markdown_(self) -> str:
        head = (f"**{self.host}** with the *{self.store}* trust store at "
                f"{self.at:%Y-%m-%d %H:%M} UTC: " + ("**OK**" if self.ok else
                                                      f"**FAILED** ({', '.join(self.failed)})"))
        lines = [head, "", "| question | answer | why |", "| --- | --- | --- |"]
        lines += [f"| {r['question']} | {r['answer']} | {r['why'].replace('|', '/')} |"
                  for r in self.rows()]
        return "\n".join(lines)


def check(leaf, host: str, *, store: str | TrustStore | Sequence = "domain-joined",
          intermediates: Sequence | None = None, at: datetime | None = None) -> TrustResult:
    """Ask the three questions (and usage) of ``leaf`` for a client connecting to ``host``.

    ``leaf`` is a :class:`~casl.certs.pki.LabCertificate` (its intermediates come along) or an
    ``x509.Certificate``; ``store`` a store name, a :class:`TrustStore` or a list of root
    certificates; ``at`` the moment (default: the course clock).

    >>> from casl.certs.pki import lab_pki
    >>> r = check(lab_pki().get("expired"), "mail.contoso.com", store="outside")
    >>> r.in_date, r.failed
    (False, ['dates'])
    """
    from casl.certs.pki import COURSE_CLOCK
    cert = _as_cert(leaf)
    if intermediates is None:
        intermediates = getattr(leaf, "chain", ())
    chain = [_as_cert(c) for c in intermediates]
    ts = _as_store(store, leaf)
    at = at or COURSE_CLOCK
    if at.tzinfo is None:
        at = at.replace(tzinfo=timezone.utc)
    subject = _server_name(host)
    names = _dns_names(cert)

    reasons: dict[str, str] = {}
    # 1. issuer: a moment when the leaf and its intermediates are all valid, a name that is on
    #    the leaf, so only path building to the trust store can fail.
    probe_time = _probe_time([cert, *chain])
    probe_name = _probe_name(cert)
    if not ts.roots:      # the library refuses an empty store; nothing can be trusted anyway
        trusted, why = False, f"the {ts.name} trust store holds no root certificates"
    elif probe_name is None:
        # The verifier insists on a subjectAltName; walk the signatures by hand instead.
        trusted = _signed_up_to_root(cert, chain, ts.roots)
        why = "" if trusted else (f"issuer {_cn(cert.issuer)!r} is not in the {ts.name} trust store "
                                  "(no usable subjectAltName, so checked by signature only)")
    else:
        err = _verify(ts.store(), cert, chain, probe_time, probe_name, _lenient_ee())
        trusted = err is None
        why = "" if trusted else _issuer_reason(cert, chain, ts, err)
    if not trusted:
        reasons["issuer"] = why

    # 2. dates: with a trusted path, the library checks every certificate on it at `at`;
    #    without one, the leaf and the intermediates we were given are checked directly.
    if trusted and probe_name is not None:
        err = _verify(ts.store(), cert, chain, at, probe_name, _lenient_ee())
        in_date = err is None
        if not in_date:
            top = chain[-1] if chain else cert
            anchors = [r for r in ts.roots if r.subject == top.issuer]
            reasons["dates"] = _date_reason([cert, *chain, *anchors], at) or _clean(err)
    else:
        bad = _date_reason([cert, *chain], at)
        in_date = not bad
        if bad:
            reasons["dates"] = bad

    # 3. name: the leaf anchored on itself, at a moment inside its dates: only the name can fail.
    leaf_only = v.Store([cert])
    err = _verify(leaf_only, cert, [], _probe_time([cert]), subject, _lenient_ee())
    name_ok = err is None
    if not name_ok:
        has = ", ".join(names) if names else "no DNS names"
        reasons["name"] = f"{host} is not on the certificate (it has {has})"

    # 4. usage: the library's own EE rules (serverAuth EKU) plus the key usage table.
    usage_reasons = []
    if probe_name is not None:
        err = _verify(leaf_only, cert, [], _probe_time([cert]), probe_name, _strict_ee())
        if err is not None:
            usage_reasons.append(_LIBRARY_WORDS.get(_clean(err), _clean(err)))
    usage_reasons += _key_usage_problems(cert)
    if usage_reasons:
        reasons["usage"] = "; ".join(usage_reasons)

    failed = [q for q in QUESTIONS if q in reasons]
    return TrustResult(host=host, store=ts.name, at=at, trusted_issuer=trusted, in_date=in_date,
                       name_matches=name_ok, right_usage=not usage_reasons, failed=failed,
                       detail=reasons[failed[0]] if failed else "all checks passed",
                       reasons=reasons, names=names)


def check_many(leaf, hosts: Iterable[str], stores: Iterable[str] = ("domain-joined", "outside"),
               at: datetime | None = None):
    """A DataFrame: one row per (store, host) with the answers.

    >>> from casl.certs.pki import lab_pki
    >>> df = check_many(lab_pki().get("mail-only"), ["mail.contoso.com", "autodiscover.contoso.com"])
    >>> list(df["ok"])
    [True, False, True, False]
    """
    import pandas as pd
    rows = []
    for s in stores:
        for h in hosts:
            r = check(leaf, h, store=s, at=at)
            rows.append({"store": s, "host": h, "issuer": r.trusted_issuer, "dates": r.in_date,
                         "name": r.name_matches, "usage": r.right_usage, "ok": r.ok,
                         "detail": r.detail})
    return pd.DataFrame(rows)


# -- helpers --------------------------------------------------------------------------------------
def _as_cert(obj) -> x509.Certificate:
    if isinstance(obj, x509.Certificate):
        return obj
    cert = getattr(obj, "cert", None)
    if isinstance(cert, x509.Certificate):
        return cert
    raise CertificateError(f"expected a certificate, got {type(obj).__name__}")


def _as_store(store, leaf) -> TrustStore:
    if isinstance(store, TrustStore):
        return store
    if isinstance(store, str):
        return trust_store(store)
    return TrustStore("custom", tuple(_as_cert(c) for c in store))


def _server_name(host: str):
    try:
        return v.IPAddress(ipaddress.ip_address(host))
    except ValueError:
        pass
    try:
        return v.DNSName(host)
    except ValueError:
        raise CertificateError(f"{host!r} is not a valid host name") from None


def _dns_names(cert: x509.Certificate) -> tuple[str, ...]:
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return ()
    return (tuple(san.get_values_for_type(x509.DNSName))
            + tuple(str(ip) for ip in san.get_values_for_type(x509.IPAddress)))


def _probe_name(cert: x509.Certificate):
    # A name the certificate certainly covers: a DNS name (a wildcard filled in) or an IP address,
    # skipping any the verifier would not accept as a host name (e.g. "m*.contoso.com").
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return None
    candidates = [v.DNSName("casl-probe" + n[1:] if n.startswith("*.") else n)
                  for n in san.get_values_for_type(x509.DNSName)]
    candidates += [v.IPAddress(ip) for ip in san.get_values_for_type(x509.IPAddress)]
    probe_store = v.Store([cert])
    for subject in candidates:
        try:
            v.PolicyBuilder().store(probe_store).build_server_verifier(subject)
        except ValueError:
            continue
        return subject
    return None


def _probe_time(certs: Sequence[x509.Certificate]) -> datetime:
    start = max(c.not_valid_before_utc for c in certs)
    end = min(c.not_valid_after_utc for c in certs)
    if start > end:   # no common moment: fall back to the leaf's own middle
        start, end = certs[0].not_valid_before_utc, certs[0].not_valid_after_utc
    return start + (end - start) / 2


def _lenient_ee() -> v.ExtensionPolicy:
    # Everything goes on the leaf except a missing subjectAltName (the verifier insists).
    return v.ExtensionPolicy.permit_all().require_present(
        x509.SubjectAlternativeName, v.Criticality.AGNOSTIC, None)


def _strict_ee() -> v.ExtensionPolicy:
    # The web PKI rules for a server leaf, but Exchange's self-signed certificates carry no
    # authorityKeyIdentifier, and that is not what the usage question is about.
    return v.ExtensionPolicy.webpki_defaults_ee().may_be_present(
        x509.AuthorityKeyIdentifier, v.Criticality.AGNOSTIC, None)


def _verify(store, cert, chain, at, subject, ee_policy) -> str | None:
    builder = (v.PolicyBuilder().store(store).time(at)
               .extension_policies(ca_policy=v.ExtensionPolicy.webpki_defaults_ca(), ee_policy=ee_policy))
    try:
        verifier = builder.build_server_verifier(subject)
    except ValueError:        # the library's own host-name rules (empty labels, trailing dot, ...)
        raise CertificateError(f"{str(subject.value)!r} is not a valid host name") from None
    try:
        verifier.verify(cert, list(chain))
    except v.VerificationError as exc:
        return str(exc)
    return None


def _clean(err: str) -> str:
    err = err.removeprefix("validation failed: ")
    return err.split(" (encountered processing")[0]


def _cn(name: x509.Name) -> str:
    cns = name.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(cns[0].value) if cns else name.rfc4514_string()


def _issuer_reason(cert, chain, ts: TrustStore, err: str) -> str:
    top = chain[-1] if chain else cert
    if cert.issuer == cert.subject:
        return f"self-signed certificate {_cn(cert.subject)!r} is not in the {ts.name} trust store"
    if "candidates exhausted" in err:
        if chain:
            return f"no path from {_cn(top.issuer)!r} to a root in the {ts.name} trust store"
        return (f"issuer {_cn(cert.issuer)!r} is not in the {ts.name} trust store, and no "
                "intermediate certificate was sent to link it to a root there")
    return f"path to the {ts.name} trust store rejected: {_clean(err)}"


def _date_reason(certs: Sequence[x509.Certificate], at: datetime) -> str:
    for c in certs:
        role = "certificate" if c is certs[0] else f"CA certificate {_cn(c.subject)!r}"
        if at < c.not_valid_before_utc:
            return f"{role} not valid until {c.not_valid_before_utc:%Y-%m-%d %H:%M} (now {at:%Y-%m-%d %H:%M})"
        if at > c.not_valid_after_utc:
            return f"{role} expired {c.not_valid_after_utc:%Y-%m-%d %H:%M} (now {at:%Y-%m-%d %H:%M})"
    return ""


def _signed_up_to_root(cert, chain, roots) -> bool:
    from casl.certs.inspect import _signature_checks_by
    current, pool = cert, list(chain)
    for _ in range(len(chain) + 2):
        if current in roots:
            return True
        anchors = [r for r in roots if r.subject == current.issuer and _signature_checks_by(current, r)]
        if anchors:
            return True
        nxt = [c for c in pool if c.subject == current.issuer and _signature_checks_by(current, c)]
        if not nxt:
            return False
        current = nxt[0]
        pool.remove(current)
    return False


def _key_usage_problems(cert: x509.Certificate) -> list[str]:
    try:
        ku = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return []
    if any(getattr(ku, flag) for flag in _TLS_KEY_USAGES):
        return []
    return ["key usage allows neither digitalSignature nor keyEncipherment"]
