"""TLS as the lab evaluates it, over the model's certificate records.

The browser applies the three golden rules (issuer trusted? in date? name on it?). The front end's
proxy to 444 only needs a certificate the back end can use: it encrypts, it does not authenticate
the back end, so the name and the issuer are not checked [S9]; a missing, key-less or expired
certificate on 444 still breaks the proxy [S17][S18].

>>> name_matches("mail.contoso.com", ("*.contoso.com",)), name_matches("contoso.com", ("*.contoso.com",))
(True, False)
"""
from __future__ import annotations

from datetime import datetime

from casl.model.network import ssl_certificate


def name_matches(host: str, names: tuple[str, ...]) -> bool:
    """RFC 6125 matching: exact (case-insensitive) or a wildcard for exactly one left-most label."""
    host = host.lower().rstrip(".")
    for n in names:
        n = n.lower()
        if n == host:
            return True
        if n.startswith("*.") and "." in host and host.split(".", 1)[1] == n[2:]:
            return True
    return False


def server_certificate(server, local_ip: str, port: int):
    """(certificate, problem): what http.sys can present on this endpoint, or why it cannot."""
    thumb = ssl_certificate(server, local_ip, port)
    if not thumb:
        return None, f"http.sys has no SSL certificate binding for 0.0.0.0:{port}"
    cert = server.certificate(thumb)
    if cert is not None and getattr(cert, "pending", False):
        cert = None     # a pending request lives in the REQUEST store, not in My: http.sys cannot use it
    if cert is None:
        # The classic after a renewal: the binding points at a certificate no longer in the store
        # (the back end logs HttpEvent 15021) [S18].
        return None, f"the certificate {thumb} bound to 0.0.0.0:{port} is not in the store (HttpEvent 15021)"
    if not cert.has_private_key:
        return None, f"the certificate {thumb} bound to 0.0.0.0:{port} has no private key"
    return cert, ""


# The browser's checks, in the order a person is taught them. Each returns a problem or "".
def _issuer(cert, host, at, trusted) -> str:
    return "" if cert.issuer in trusted else f"the issuer '{cert.issuer}' is not trusted by this computer"


def _dates(cert, host, at, trusted) -> str:
    if at < cert.not_before:
        return f"the certificate is not valid until {cert.not_before:%Y-%m-%d}"
    if at > cert.not_after:
        return f"the certificate expired on {cert.not_after:%Y-%m-%d}"
    return ""


def _name(cert, host, at, trusted) -> str:
    return "" if name_matches(host, cert.dns_names) else \
        f"'{host}' is not on the certificate (names: {', '.join(cert.dns_names) or 'none'})"


GOLDEN_RULES = (("Do I trust the issuer?", _issuer), ("Is it in date?", _dates), ("Is the name on it?", _name))


def browser_problems(cert, host: str, at: datetime, trusted: set[str]) -> list[str]:
    """What the three golden rules find wrong with ``cert`` for ``host`` (empty: no warning).

    A record with real DER (made by the lab PKI, e.g. through ``lab.ca_issue``) is judged by
    :func:`casl.certs.trust.check` with real path building; the others by the record's fields.
    """
    if getattr(cert, "der", None) is not None:
        return x509_problems(cert, host, at, trusted)
    return [p for _, rule in GOLDEN_RULES if (p := rule(cert, host, at, trusted))]


def client_store(trusted: set[str]) -> str:
    """Which lab trust store a client has: the domain's machines trust the enterprise CA (its name is in
    ``org.trusted_inside``), machines on the Internet trust only public CAs."""
    from casl.facts import exchange as xfacts
    return "domain-joined" if xfacts.LAB_CA in trusted else "outside"


def x509_problems(cert, host: str, at: datetime, trusted: set[str]) -> list[str]:
    """The three questions (and usage) asked of a real certificate; each problem names its question.

    >>> from casl.certs.pki import lab_pki
    >>> rec = lab_pki().get("internal-ca").to_store_record()
    >>> x509_problems(rec, "mail.contoso.com", lab_pki().clock, set())
    ["Do I trust the issuer? NO - issuer 'Contoso Root CA' is not in the outside trust store, and no intermediate certificate was sent to link it to a root there"]
    """
    from casl.certs import trust
    leaf = cert.x509()
    store = client_store(trusted)
    extra = [leaf] if cert.self_signed and cert.issuer in trusted else []   # a server trusts its own self-signed
    ts = trust.trust_store(store, extra=extra)
    r = trust.check(leaf, host, store=ts, intermediates=cert.chain(), at=at)
    return [f"{trust.QUESTIONS[q]} NO - {r.reasons[q]}" for q in r.failed]


def proxy_problem(cert, at: datetime) -> str:
    """Why the front end's proxy cannot use the back end's certificate ("" = it can)."""
    return _dates(cert, "", at, set())
