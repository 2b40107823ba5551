"""Exercises of notebook 05 (certificates): the smallest name set, which golden question fails,
completing a request on the right server, binding IIS without touching 444, and reading a real file.

Action checks read the lab's certificate stores and http.sys bindings; requests are tried only in
:meth:`casl.labs.Lab.copy`.
"""
from __future__ import annotations

from casl.exercises import Check, Exercise, Incorrect, NotAttempted, Wrong, normalise

NOTEBOOK = "05-certificates"
NAMESPACE = frozenset({"mail.contoso.com", "autodiscover.contoso.com"})
QUESTIONS = ("issuer", "dates", "name")
FILE_NAMES = frozenset({"*.contoso.com"})          # data/certs/lab/wildcard.cer
FILE_ISSUER = "Fabrikam Public Issuing CA 1"


def question(value: object) -> str:
    """One of the three golden questions, by a keyword: issuer, dates or name.

    >>> question("Is the name on it?")
    'name'
    """
    if not isinstance(value, str) or not value.strip():
        raise Incorrect('answer with one word: "issuer", "dates" or "name"')
    text = value.strip().lower()
    for word, keys in (("issuer", ("issuer", "trust")), ("dates", ("date", "expired", "valid", "expir")),
                       ("name", ("name",))):
        if any(k in text for k in keys):
            return word
    raise Incorrect(f'{value.strip()!r} is none of the three questions: "issuer", "dates" or "name"')


# --- value checks ---------------------------------------------------------------------------
def _smallest(cert_names):
    missing, extra = NAMESPACE - cert_names, cert_names - NAMESPACE
    if "autodiscover.contoso.com" in missing:
        raise Incorrect("Outlook outside the domain and phones setting themselves up look for "
                        "autodiscover.contoso.com: without it on the certificate they warn or fail")
    if missing:
        raise Incorrect(f"every URL of the plan uses {', '.join(sorted(missing))}: it must be on the certificate")
    if extra:
        raise Incorrect(f"{', '.join(sorted(extra))} is not needed: no client of this plan connects with that name")


def _outlook_outside(outlook_outside):
    if outlook_outside != "name":
        raise Incorrect("the certificate comes from a CA the computer trusts and is within its dates; look at the "
                        "name Outlook connects to when it is outside the domain")


def _phone_selfsigned(phone_selfsigned):
    if phone_selfsigned != "issuer":
        raise Incorrect("the phone connects to mail.contoso.com and the dates are fine; but who issued a "
                        "self-signed certificate, and does the phone trust it?")


def _file_names(file_names):
    if file_names != FILE_NAMES:
        raise Incorrect("read the DNS names of the file (casl.certs.inspect(...).dns_names): a wildcard is written "
                        "with its star")


def _file_issuer(file_issuer):
    if file_issuer.lower().removeprefix("cn=") != FILE_ISSUER.lower():
        raise Incorrect("the issuer is the CA that signed it, not the certificate's own subject")


# --- action checks --------------------------------------------------------------------------
def _namespace_certs(lab, server: str):
    return [c for c in lab.server(server).certificates if not c.pending and frozenset(c.dns_names) == NAMESPACE]


def _completed(lab):
    done = _namespace_certs(lab, "ServerA")
    if not done:
        raise NotAttempted("ServerA has no completed certificate for mail and autodiscover yet: the request is "
                           "still pending")
    if not any(c.has_private_key for c in done):
        raise Incorrect("the certificate on ServerA has no private key: the answer was imported after its pending "
                        "request was removed. Request again, and leave the request alone until you import the answer")


def _iis_bound(lab):
    srv = lab.server("ServerA")
    good = {c.thumbprint for c in _namespace_certs(lab, "ServerA") if c.has_private_key}
    on_443 = srv.ssl_certs.get("0.0.0.0:443", ("", ""))[0]
    if on_443 not in good:
        if not good:
            raise NotAttempted("there is no usable namespace certificate on ServerA to enable yet")
        raise NotAttempted("443 still carries the self-signed certificate")
    selfsigned = {c.thumbprint for c in srv.certificates if c.self_signed}
    if srv.ssl_certs.get("0.0.0.0:444", ("", ""))[0] not in selfsigned:
        raise Incorrect("444 no longer has the self-signed certificate: leave the back end's certificate alone")
    result = lab.copy().browse("UserA", "https://mail.contoso.com/owa")
    if result.outcome != "ok":
        raise Incorrect(f"OWA inside the domain still gets {result.outcome}")


EXERCISES = (
    Exercise(
        id="certs.smallest-names",
        title="The smallest name set",
        notebook=NOTEBOOK,
        kind="value",
        reads={"cert_names": normalise.dns_names},
        check=_smallest,
        points=2,
        hints=(
            "List every name a client uses in the plan: typed URLs, URLs Autodiscover hands out, and the names "
            "clients try to find Autodiscover.",
            "Outlook outside the domain and phones look for autodiscover.<your domain>.",
        ),
        solution='cert_names = {"mail.contoso.com", "autodiscover.contoso.com"}',
        wrong=(
            Wrong({"mail.contoso.com"}, "Outlook outside the domain and phones setting themselves up look for "
                                        "autodiscover.contoso.com: without it on the certificate they warn or fail"),
            Wrong({"mail.contoso.com", "autodiscover.contoso.com", "servera.contoso.com"},
                  "servera.contoso.com is not needed: no client of this plan connects with that name"),
        ),
    ),
    Exercise(
        id="certs.which-question",
        title="Which golden question fails?",
        notebook=NOTEBOOK,
        kind="value",
        reads={"outlook_outside": question, "phone_selfsigned": question},
        checks=(Check(1, _outlook_outside, "example A"), Check(1, _phone_selfsigned, "self-signed")),
        hints=("Ask the three questions in order: trusted issuer? within its dates? the name on it?",
               "In Example A only mail.contoso.com is on a trusted, valid certificate."),
        solution='outlook_outside = "name"\nphone_selfsigned = "issuer"',
        wrong=(
            Wrong({"outlook_outside": "issuer"}, "the certificate comes from a CA the computer trusts and is within "
                                                 "its dates; look at the name Outlook connects to when it is outside "
                                                 "the domain", points=1),
            Wrong({"phone_selfsigned": "name"}, "the phone connects to mail.contoso.com and the dates are fine; but "
                                                "who issued a self-signed certificate, and does the phone trust it?",
                  points=1),
        ),
    ),
    Exercise(
        id="certs.complete-request",
        title="Complete the request on the right server",
        notebook=NOTEBOOK,
        kind="action",
        server="ServerA",
        checks=(Check(2, _completed, "completed with its key"),),
        hints=(
            "The answer from the CA is C:\\certreq.cer on ServerA, the server that made the request.",
            "Import-ExchangeCertificate -FileData ([System.IO.File]::ReadAllBytes('C:\\certreq.cer'))",
        ),
        solution="Import-ExchangeCertificate -FileData ([System.IO.File]::ReadAllBytes('C:\\certreq.cer'))",
        wrong=(
            Wrong("Get-ExchangeCertificate | Where-Object {$_.Status -eq 'PendingRequest'} | "
                  "Remove-ExchangeCertificate -Confirm:$false\n"
                  "Import-ExchangeCertificate -FileData ([System.IO.File]::ReadAllBytes('C:\\certreq.cer'))",
                  "the certificate on ServerA has no private key"),
        ),
    ),
    Exercise(
        id="certs.enable-iis",
        title="Bind the namespace certificate to IIS, and only to 443",
        notebook=NOTEBOOK,
        kind="action",
        server="ServerA",
        checks=(Check(2, _iis_bound, "443 bound, 444 untouched"),),
        hints=(
            "Enable-ExchangeCertificate with the new certificate's thumbprint and -Services IIS.",
            "Get-ExchangeCertificate -DomainName mail.contoso.com shows the thumbprint.",
        ),
        solution=("Import-ExchangeCertificate -FileData ([System.IO.File]::ReadAllBytes('C:\\certreq.cer'))\n"
                  "Get-ExchangeCertificate -DomainName autodiscover.contoso.com | "
                  "Enable-ExchangeCertificate -Services IIS"),
        wrong=(
            Wrong("Import-ExchangeCertificate -FileData ([System.IO.File]::ReadAllBytes('C:\\certreq.cer'))\n"
                  "Get-ExchangeCertificate -DomainName autodiscover.contoso.com | "
                  "Enable-ExchangeCertificate -Services IIS\n"
                  "netsh http delete sslcert ipport=0.0.0.0:444\n"
                  "$t = (Get-ExchangeCertificate -DomainName autodiscover.contoso.com).Thumbprint\n"
                  "netsh http add sslcert ipport=0.0.0.0:444 certhash=$t "
                  "appid='{4dc3e181-e14b-4a21-b022-59fc669b0914}'",
                  "444 no longer has the self-signed certificate"),
        ),
    ),
    Exercise(
        id="certs.read-file",
        title="Read a real certificate file",
        notebook=NOTEBOOK,
        kind="value",
        reads={"file_names": normalise.dns_names,
               "file_issuer": normalise.text},
        checks=(Check(1, _file_names, "names"), Check(1, _file_issuer, "issuer")),
        hints=("casl.certs.inspect.inspect(path) reads the file; look at dns_names and issuer.",),
        solution='file_names = {"*.contoso.com"}\nfile_issuer = "Fabrikam Public Issuing CA 1"',
        wrong=(
            Wrong({"file_issuer": "*.contoso.com"}, "the issuer is the CA that signed it, not the certificate's own "
                                                    "subject", points=1),
        ),
    ),
)
