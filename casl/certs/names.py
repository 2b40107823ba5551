"""Which clients work with which names on the certificate: namespaces, split DNS, SCP and SRV.

Everything here is computed from the rule tables below (clients, Autodiscover methods, services)
and the real trust checks of :mod:`casl.certs.trust`; no outcome is written down.

* A client looks up Autodiscover with the methods its row lists, in order. A method whose host
  has no DNS record, or answers but is not Exchange, passes to the next method. A host that is
  the Client Access server is checked with the three questions; a certificate problem then ends
  the search with the client's own reaction (Outlook and browsers warn, devices fail).
* Domain-joined Outlook starts with the SCP in Active Directory; clients outside the domain
  try ``https://<domain>/autodiscover/...``, ``https://autodiscover.<domain>/...``, the plain-HTTP
  redirect, then the ``_autodiscover._tcp`` SRV record.
* ActiveSync devices have no SCP. Microsoft documents SRV as part of EAS Autodiscover, but
  whether a given device does it varies (the facts sheet leaves "devices skip SRV" unconfirmed);
  casl follows the article's devices and skips it unless ``eas_srv=True``.

>>> rows = evaluate(example_a())
>>> sorted({(r["client"], r["status"]) for r in rows if r["service"] == "Autodiscover"})
[('ActiveSync device', 'fails'), ('Outlook, domain-joined', 'works'), ('Outlook, outside the domain', 'warns')]
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

DOMAIN = "contoso.com"
STATUS_ORDER = {"works": 0, "warns": 1, "fails": 2}

# The Autodiscover methods: where each one connects (None: DNS-driven target).
METHODS = {
    "scp": {"url": "https://{scp}/Autodiscover/Autodiscover.xml",
            "how": "SCP in Active Directory"},
    "root-domain": {"url": "https://{domain}/autodiscover/autodiscover.xml",
                    "how": "https://<domain>"},
    "autodiscover-host": {"url": "https://autodiscover.{domain}/autodiscover/autodiscover.xml",
                          "how": "https://autodiscover.<domain>"},
    "http-redirect": {"url": "http://autodiscover.{domain}/autodiscover/autodiscover.xml",
                      "how": "HTTP redirect"},
    "srv": {"url": "_autodiscover._tcp.{domain}", "how": "DNS SRV record"},
}

# The clients. side: which DNS view they see; store: which roots they trust;
# on_cert_problem: what a failed trust check does to them.
CLIENTS = {
    "browser-inside": dict(label="Browser, inside", side="internal", store="domain-joined",
                           on_cert_problem="warns", autodiscover=(), services=("owa",)),
    "browser-outside": dict(label="Browser, outside", side="external", store="outside",
                            on_cert_problem="warns", autodiscover=(), services=("owa",)),
    "outlook-domain": dict(label="Outlook, domain-joined", side="internal", store="domain-joined",
                           on_cert_problem="warns",
                           autodiscover=("scp", "root-domain", "autodiscover-host",
                                         "http-redirect", "srv"),
                           services=("outlook_anywhere", "ews", "oab")),
    "outlook-outside": dict(label="Outlook, outside the domain", side="external", store="outside",
                            on_cert_problem="warns",
                            autodiscover=("root-domain", "autodiscover-host", "http-redirect", "srv"),
                            services=("outlook_anywhere", "ews", "oab")),
    "activesync": dict(label="ActiveSync device", side="external", store="outside",
                       on_cert_problem="fails",
                       autodiscover=("root-domain", "autodiscover-host", "http-redirect"),
                       services=("eas",), manual_server=True),
}

# The services and their paths (the namespace supplies the host).
SERVICES = {
    "owa": ("OWA", "/owa"),
    "outlook_anywhere": ("Outlook Anywhere", "/rpc/rpcproxy.dll"),
    "ews": ("EWS", "/EWS/Exchange.asmx"),
    "oab": ("OAB", "/OAB"),
    "eas": ("ActiveSync", "/Microsoft-Server-ActiveSync"),
}

# What a DNS name can point at.
CAS, WEBSITE = "CAS", "website"


@dataclass(frozen=True)
class Deployment:
    """An organisation's naming: the certificate on the CAS, URLs, DNS views, SCP, SRV, redirect."""
    certificate: object
    internal_urls: dict[str, str]
    external_urls: dict[str, str]
    internal_dns: dict[str, str]
    external_dns: dict[str, str]
    scp: str
    srv: str | None = None
    http_redirect: str | None = None
    domain: str = DOMAIN
    eas_srv: bool = False
    title: str = ""
    notes: tuple[str, ...] = field(default=())


def deployment(cert_names: Sequence[str] | object, namespace: str = "mail.contoso.com", *,
               publish_autodiscover: bool = True, srv: str | None = None,
               http_redirect: str | None = None, eas_srv: bool = False, title: str = "",
               pki=None) -> Deployment:
    """A split-DNS deployment where every service uses ``namespace`` inside and out.

    ``cert_names`` is a list of names (a public-CA certificate is issued for them) or a
    certificate. ``publish_autodiscover`` adds ``autodiscover.<domain>`` to DNS, pointing at the
    CAS; ``srv`` makes ``_autodiscover._tcp.<domain>`` point at that host.

    >>> d = deployment(["mail.contoso.com"], srv="mail.contoso.com", publish_autodiscover=False)
    >>> d.srv, "autodiscover.contoso.com" in d.external_dns
    ('mail.contoso.com', False)
    """
    if isinstance(cert_names, (list, tuple)) and all(isinstance(n, str) for n in cert_names):
        from casl.certs.pki import lab_pki
        cert = (pki or lab_pki()).issue(list(cert_names), issuer="fabrikam")
    else:
        cert = cert_names
    urls = {svc: namespace for svc in SERVICES}
    dns = {namespace: CAS, DOMAIN: WEBSITE}
    if publish_autodiscover:
        dns[f"autodiscover.{DOMAIN}"] = CAS
    internal = {**dns, "ServerA.contoso.com": CAS, "ServerB.contoso.com": CAS}
    return Deployment(cert, urls, dict(urls), internal, dict(dns), scp=namespace, srv=srv,
                      http_redirect=http_redirect, eas_srv=eas_srv, title=title)


def example_a(*, srv: bool = False, eas_srv: bool = False) -> Deployment:
    """One name on the certificate, mail.contoso.com, used for everything (split DNS).

    With ``srv=True`` the usual SRV set-up: ``_autodiscover._tcp`` points at mail.contoso.com and
    autodiscover.contoso.com is not published (otherwise clients meet it first).

    >>> summary(example_a(srv=True))["Outlook, outside the domain"]
    'works'
    """
    from casl.certs.pki import lab_pki
    return deployment(lab_pki().get("mail-only"), "mail.contoso.com",
                      publish_autodiscover=not srv, srv="mail.contoso.com" if srv else None,
                      eas_srv=eas_srv, title="Example A" + (" + SRV record" if srv else ""))


def example_b() -> Deployment:
    """One name on the certificate, autodiscover.contoso.com, used for everything (split DNS).

    >>> summary(example_b())["Browser, outside"]
    'works'
    """
    from casl.certs.pki import lab_pki
    return deployment(lab_pki().get("autodiscover-only"), "autodiscover.contoso.com",
                      title="Example B")


def evaluate(dep: Deployment, *, at=None) -> list[dict]:
    """One row per (client, service): status works/warns/fails, the URL used, how, and why.

    >>> [r["url"] for r in evaluate(example_b()) if r["service"] == "OWA"][0]
    'https://autodiscover.contoso.com/owa'
    """
    rows = []
    for key, client in CLIENTS.items():
        methods = list(client["autodiscover"])
        if key == "activesync" and dep.eas_srv:
            methods.append("srv")
        if methods:
            rows.append(_autodiscover(dep, client, methods, at))
        found = rows[-1]["status"] != "fails" if methods else True
        for svc in client["services"]:
            rows.append(_service(dep, client, svc, at, found))
    return rows


def summary(dep: Deployment, *, at=None) -> dict[str, str]:
    """The worst status per client: ``{"Browser, inside": "works", ...}``.

    >>> summary(example_a())["ActiveSync device"]
    'fails'
    """
    out: dict[str, str] = {}
    for r in evaluate(dep, at=at):
        prev = out.get(r["client"], "works")
        out[r["client"]] = max(prev, r["status"], key=STATUS_ORDER.__getitem__)
    return out


def frame(dep: Deployment, *, at=None):
    """:func:`evaluate` as a pandas DataFrame.

    >>> frame(example_b())["status"].unique().tolist()
    ['works']
    """
    import pandas as pd
    return pd.DataFrame(evaluate(dep, at=at))


# -- the rules ------------------------------------------------------------------------------------
def _dns(dep: Deployment, client: dict) -> dict[str, str]:
    return dep.internal_dns if client["side"] == "internal" else dep.external_dns


def _connect(dep: Deployment, client: dict, host: str, at) -> tuple[str, str]:
    """(status, why) for an HTTPS connection from ``client`` to ``host``; status may be 'next'."""
    from casl.certs.trust import check
    target = _dns(dep, client).get(host)
    if target is None:
        return "next", f"{host}: no DNS record"
    if target != CAS:
        return "next", f"{host}: answers, but it is the {target}, not Exchange"
    result = check(dep.certificate, host, store=client["store"], at=at)
    if result.ok:
        return "works", f"{host}: certificate OK"
    return client["on_cert_problem"], f"{host}: {result.detail}"


def _autodiscover(dep: Deployment, client: dict, methods: list[str], at) -> dict:
    trail = []
    for m in methods:
        spec = METHODS[m]
        host, url = None, spec["url"].format(scp=dep.scp, domain=dep.domain)
        if m == "scp":
            host = dep.scp
        elif m in ("root-domain",):
            host = dep.domain
        elif m == "autodiscover-host":
            host = f"autodiscover.{dep.domain}"
        elif m == "http-redirect":
            if f"autodiscover.{dep.domain}" not in _dns(dep, client) or not dep.http_redirect:
                trail.append(f"{spec['how']}: no redirect published")
                continue
            host = dep.http_redirect
            url = f"https://{host}/autodiscover/autodiscover.xml"
        elif m == "srv":
            if not dep.srv:
                trail.append(f"{spec['how']}: none")
                continue
            host = dep.srv
            url = f"https://{host}/autodiscover/autodiscover.xml"
        status, why = _connect(dep, client, host, at)
        trail.append(f"{spec['how']}: {why}")
        if status != "next":
            return _row(client, "Autodiscover", url, status, spec["how"], trail)
    note = "no method found Autodiscover"
    if client.get("manual_server"):
        note += "; the user must type the server name"
    return _row(client, "Autodiscover", "", "fails", "none", trail + [note])


def _service(dep: Deployment, client: dict, svc: str, at, autodiscover_found: bool) -> dict:
    name, path = SERVICES[svc]
    urls = dep.internal_urls if client["side"] == "internal" else dep.external_urls
    host = urls[svc]
    status, why = _connect(dep, client, host, at)
    if status == "next":
        status = "fails"
    how = "URL from Autodiscover" if client["autodiscover"] and autodiscover_found else (
        "server name typed by the user" if client.get("manual_server") else "URL typed by the user")
    url = f"https://{host}{path}"
    trail = [why] + ([f"users open {url}"] if svc == "owa" else [])
    return _row(client, name, url, status, how, trail)


def _row(client: dict, service: str, url: str, status: str, how: str, trail: list[str]) -> dict:
    return {"client": client["label"], "service": service, "status": status, "url": url,
            "how": how, "why": " | ".join(trail)}


__all__ = ["Deployment", "deployment", "example_a", "example_b", "evaluate", "summary", "frame",
           "CLIENTS", "METHODS", "SERVICES"]
