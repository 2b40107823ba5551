"""The three questions as one stable call: ``three_questions(cert, name, trust, at)``.

Any form of certificate goes in: a path, bytes (PEM, DER), PEM text, a ``cryptography``
certificate or a lab certificate, or a list of those (leaf first, then its intermediates).
The answers come from :func:`casl.certs.trust.check` (``cryptography.x509.verification``) and
agree with OpenSSL's verdict on the same certificates at the same moment (tested against
Python's ``ssl`` in tests/certs/test_certs_live.py).

>>> from casl.certs.pki import lab_pki
>>> lab = lab_pki()
>>> r = three_questions(lab.get("multi-name"), "autodiscover.contoso.com",
...                     [lab.fabrikam_root.cert], lab.clock)
>>> r.trusted, r.in_date, r.name_matches, r.ok
(True, True, True, True)
>>> three_questions(lab.get("mail-only"), "autodiscover.contoso.com", [lab.fabrikam_root.cert], lab.clock)
autodiscover.contoso.com at 2014-10-02 09:30 UTC: FAILED name - autodiscover.contoso.com is not on the certificate (it has mail.contoso.com)
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from cryptography import x509

from casl.certs import trust as _trust
from casl.errors import CertificateError

# Question key (as casl.certs.trust names it) -> attribute here and the words a learner reads.
_QUESTIONS = (("issuer", "trusted", "trusted issuer"),
              ("dates", "in_date", "in date"),
              ("name", "name_matches", "name on certificate"))


@dataclass(frozen=True)
class ThreeAnswers:
    """The answers for one certificate, one name, one set of trusted roots and one moment.

    ``ok`` is all three. ``usage_ok`` (made for a TLS server) is reported beside them: OpenSSL
    also refuses a certificate without the serverAuth purpose.
    """
    name: str
    at: datetime
    trusted: bool
    in_date: bool
    name_matches: bool
    usage_ok: bool
    reasons: dict = field(default_factory=dict)
    subject: str = ""

    @property
    def ok(self) -> bool:
        return self.trusted and self.in_date and self.name_matches

    @property
    def failed(self) -> list[str]:
        """The failing questions, in question order: "issuer", "dates", "name"."""
        return [q for q, attr, _ in _QUESTIONS if not getattr(self, attr)]

    def summary(self) -> str:
        """One line naming the first failing question and why."""
        head = f"{self.name} at {self.at:%Y-%m-%d %H:%M} UTC: "
        if self.ok:
            line = head + "OK - trusted issuer, in date, name on certificate"
        else:
            first = self.failed[0]
            line = head + f"FAILED {', '.join(self.failed)} - {self.reasons.get(first, '')}"
        if not self.usage_ok:
            line += f" (also not made for a TLS server: {self.reasons.get('usage', '')})"
        return line

    def __str__(self) -> str:
        return self.summary()

    def __repr__(self) -> str:
        return self.summary()

    def rows(self) -> list[dict]:
        """One row per question: question, answer, why."""
        return [{"question": _trust.QUESTIONS[q], "answer": "yes" if getattr(self, attr) else "NO",
                 "why": self.reasons.get(q, "")} for q, attr, _ in _QUESTIONS]

    def _repr_markdown_(self) -> str:
        verdict = "**OK**" if self.ok else f"**FAILED** ({', '.join(self.failed)})"
        lines = [f"**{self.name}** at {self.at:%Y-%m-%d %H:%M} UTC: {verdict}", "",
                 "| question | answer | why |", "| --- | --- | --- |"]
        lines += [f"| {r['question']} | {r['answer']} | {r['why'].replace('|', '/')} |"
                  for r in self.rows()]
        if not self.usage_ok:
            lines += ["", f"Also not made for a TLS server: {self.reasons.get('usage', '')}"]
        return "\n".join(lines)


def three_questions(cert, name: str, trust, at: datetime | None = None) -> ThreeAnswers:
    """Is the issuer trusted, is it in date, is ``name`` on it? Answered for ``cert`` at ``at``.

    ``trust`` is a list of CA certificates (any form ``cert`` takes; a bundle file counts as
    all its certificates) or a store name from :data:`casl.certs.trust.STORES`. ``at`` is a
    datetime, naive meaning UTC, or a lab clock (default: the course clock).

    >>> from casl.certs.pki import lab_pki
    >>> lab = lab_pki()
    >>> three_questions(lab.get("internal-ca").pem(), "mail.contoso.com", [], lab.clock).failed
    ['issuer']
    """
    from casl.certs.pki import COURSE_CLOCK
    if not isinstance(name, str) or not name:
        raise CertificateError(f"name must be the host name a client connects to, got {name!r}")
    leaf, chain = _leaf_and_chain(cert)
    store = _trust_store(trust)
    at = COURSE_CLOCK if at is None else at
    if hasattr(at, "now") and not isinstance(at, datetime):     # a casl lab clock
        at = at.now()
    if not isinstance(at, datetime):
        raise CertificateError(f"at must be a datetime, got {type(at).__name__}")
    if at.tzinfo is None:
        at = at.replace(tzinfo=timezone.utc)
    r = _trust.check(leaf, name, store=store, intermediates=chain, at=at.astimezone(timezone.utc))
    trusted, reasons = r.trusted_issuer, dict(r.reasons)
    if not trusted and _never_all_valid([leaf, *chain]) and store.roots:
        # The path builder needs one moment when every link is valid; a chain with an expired
        # intermediate has none, and then "not trusted" would really be a date problem. Follow
        # the signatures instead, as OpenSSL does (it then reports "certificate has expired").
        trusted = _trust._signed_up_to_root(leaf, chain, store.roots)
        if trusted:
            reasons.pop("issuer", None)
    return ThreeAnswers(name=name, at=r.at, trusted=trusted, in_date=r.in_date,
                        name_matches=r.name_matches, usage_ok=r.right_usage,
                        reasons=reasons, subject=leaf.subject.rfc4514_string())


# -- reading any form of certificate --------------------------------------------------------------
def certificates(obj) -> list[x509.Certificate]:
    """Every certificate in ``obj``: a path, bytes, PEM text, a certificate, a lab certificate, or a list of them.

    A lab certificate brings its intermediates along (leaf first).

    >>> from casl.certs.pki import lab_pki
    >>> len(certificates(lab_pki().get("multi-name")))
    2
    """
    if isinstance(obj, x509.Certificate):
        return [obj]
    lab_cert = getattr(obj, "cert", None)
    if isinstance(lab_cert, x509.Certificate):
        return [lab_cert, *getattr(obj, "chain", ())]
    if isinstance(obj, (bytes, bytearray, memoryview, str, Path)):
        from casl.certs.inspect import inspect_all
        return [info.cert for info in inspect_all(obj)]
    if isinstance(obj, (list, tuple)):
        return [c for item in obj for c in certificates(item)]
    raise CertificateError(f"expected a certificate (path, bytes, PEM text or certificate object), "
                           f"got {type(obj).__name__}")


def _never_all_valid(certs) -> bool:
    return (max(c.not_valid_before_utc for c in certs) > min(c.not_valid_after_utc for c in certs))


def _leaf_and_chain(cert) -> tuple[x509.Certificate, list[x509.Certificate]]:
    certs = certificates(cert)
    if not certs:
        raise CertificateError("no certificate given")
    return certs[0], certs[1:]


def _trust_store(trust) -> _trust.TrustStore:
    if isinstance(trust, _trust.TrustStore):
        return trust
    if isinstance(trust, str) and trust in _trust.STORES and not Path(trust).exists():
        return _trust.trust_store(trust)
    if trust is None:
        raise CertificateError("trust must list the CA certificates the client trusts "
                               "(an empty list trusts nothing)")
    return _trust.TrustStore("given", tuple(certificates(trust)))
