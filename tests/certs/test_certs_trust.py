"""The three questions: each fails for the certificate that breaks it, and only that one."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from casl.certs.pki import lab_pki
from casl.certs.trust import TrustStore, check, check_many, trust_store
from casl.errors import CertificateError

LAB = lab_pki()


@pytest.mark.parametrize("label, host, store, failed", [
    ("multi-name", "mail.contoso.com", "outside", []),
    ("multi-name", "autodiscover.contoso.com", "domain-joined", []),
    ("internal-ca", "mail.contoso.com", "domain-joined", []),
    ("internal-ca", "mail.contoso.com", "outside", ["issuer"]),
    ("expired", "mail.contoso.com", "outside", ["dates"]),
    ("not-yet-valid", "autodiscover.contoso.com", "domain-joined", ["dates"]),
    ("mail-only", "autodiscover.contoso.com", "outside", ["name"]),
    ("autodiscover-only", "mail.contoso.com", "outside", ["name"]),
    ("exchange-self-signed-ServerA", "ServerA.contoso.com", "domain-joined", ["issuer"]),
    ("exchange-self-signed-ServerA", "ServerA.contoso.com", "exchange-server", []),
    ("exchange-self-signed-ServerA", "mail.contoso.com", "outside", ["issuer", "name"]),
    ("expired", "owa.contoso.com", "outside", ["dates", "name"]),
    ("no-server-auth", "mail.contoso.com", "domain-joined", ["usage"]),
    ("wrong-key-usage", "mail.contoso.com", "domain-joined", ["usage"]),
    ("no-server-auth", "mail.contoso.com", "outside", ["issuer", "usage"]),
])
def test_each_question_fails_for_the_right_certificate(label, host, store, failed):
    r = check(LAB.get(label), host, store=store, at=LAB.clock)
    assert r.failed == failed
    assert r.ok is (not failed)
    assert (r.trusted_issuer, r.in_date, r.name_matches, r.right_usage) == tuple(
        q not in failed for q in ("issuer", "dates", "name", "usage"))


@pytest.mark.parametrize("host, ok", [
    ("mail.contoso.com", True),
    ("AUTODISCOVER.Contoso.com", True),       # names compare without case
    ("contoso.com", False),                   # the wildcard needs a label to stand for
    ("a.b.contoso.com", False),               # ... and exactly one
    ("mail.fabrikam.com", False),
])
def test_wildcard_matches_one_label(host, ok):
    assert check(LAB.get("wildcard"), host, store="outside").name_matches is ok


def test_missing_intermediate_is_an_issuer_problem():
    r = check(LAB.get("multi-name"), "mail.contoso.com", store="outside", intermediates=[])
    assert r.failed == ["issuer"]
    assert "Fabrikam Public Issuing CA 1" in r.detail and "no intermediate" in r.detail


def test_expired_intermediate_is_a_dates_problem():
    c = LAB.issue(["mail.contoso.com"], issuer="fabrikam",
                  not_before=datetime(2024, 6, 1, tzinfo=timezone.utc), days=365)
    r = check(c, "mail.contoso.com", store="outside", at=datetime(2025, 3, 1, tzinfo=timezone.utc))
    assert r.failed == ["dates"]
    assert "Fabrikam Public Issuing CA 1" in r.reasons["dates"]


def test_time_is_explicit_not_the_wall_clock():
    c = LAB.get("multi-name")
    assert check(c, "mail.contoso.com", store="outside", at=datetime(2015, 1, 1)).ok
    assert check(c, "mail.contoso.com", store="outside", at=datetime(2017, 1, 1)).failed == ["dates"]


def test_summary_and_markdown():
    r = check(LAB.get("mail-only"), "autodiscover.contoso.com", store="outside")
    assert r.summary() == ("autodiscover.contoso.com (outside): FAILED name - autodiscover.contoso.com "
                           "is not on the certificate (it has mail.contoso.com)")
    md = r._repr_markdown_()
    assert "| Is the name I connect to on it? | NO |" in md
    assert "| Do I trust the issuer? | yes |" in md
    ok = check(LAB.get("multi-name"), "mail.contoso.com", store="outside")
    assert ok.summary().endswith("OK - trusted issuer, in date, name on certificate")


def test_custom_trust_store_and_extra_roots():
    c = LAB.get("exchange-self-signed-ServerB")
    assert check(c, "ServerB", store=[c.cert]).ok
    assert check(c, "ServerB", store=trust_store("outside", extra=[c])).ok
    assert check(c, "ServerB", store=TrustStore("nothing", ())).failed == ["issuer"]


def test_check_many_frame():
    df = check_many(LAB.get("internal-ca"), ["mail.contoso.com"])
    assert df[["store", "ok"]].values.tolist() == [["domain-joined", True], ["outside", False]]


def test_bad_inputs():
    with pytest.raises(CertificateError, match="not a valid host name"):
        check(LAB.get("multi-name"), "mail..contoso.com")
    with pytest.raises(CertificateError, match="unknown trust store"):
        check(LAB.get("multi-name"), "mail.contoso.com", store="intranet")
    with pytest.raises(CertificateError, match="expected a certificate"):
        check("mail.pem", "mail.contoso.com")


# -- the three questions on real certificates ------------------------------------------------------
def test_real_exchange_self_signed(fixtures_dir):
    from casl.certs.inspect import inspect
    cert = inspect(fixtures_dir / "certs" / "exchange-generated" / "E16-1-823884A3.der").cert
    in_life = datetime(2020, 1, 1, tzinfo=timezone.utc)
    assert check(cert, "Solo-E16A.Solo.local", store="domain-joined", at=in_life).failed == ["issuer"]
    assert check(cert, "Solo-E16A.Solo.local", store=[cert], at=in_life).ok
    later = check(cert, "mail.contoso.com", store=[cert], at=datetime(2025, 1, 1, tzinfo=timezone.utc))
    assert later.failed == ["dates", "name"]
    assert "expired 2023-11-24" in later.reasons["dates"]


def test_real_auth_certificate_has_no_names(fixtures_dir):
    from casl.certs.inspect import inspect
    cert = inspect(fixtures_dir / "certs" / "exchange-generated" / "E16-0-92E196F3.der").cert
    r = check(cert, "mail.contoso.com", store=[cert], at=datetime(2020, 1, 1, tzinfo=timezone.utc))
    assert r.failed == ["name"] and "it has no DNS names" in r.detail


def test_real_lets_encrypt_without_its_intermediate(fixtures_dir):
    from casl.certs.inspect import inspect
    cert = inspect(fixtures_dir / "certs" / "public" / "x509-letsencrypt.pem").cert
    r = check(cert, "tls.automattic.com", store="outside", at=datetime(2022, 7, 1, tzinfo=timezone.utc))
    assert r.failed == ["issuer"] and "'R3'" in r.detail
    assert check(cert, "www.giuman.me", store="outside").name_matches


@pytest.mark.parametrize("on_cert, host, ok", [
    ("m*.contoso.com", "mail.contoso.com", False),     # partial-label wildcards are not honoured
    ("*.*.contoso.com", "a.b.contoso.com", False),     # nor more than one wildcard
    ("10.0.0.5", "10.0.0.5", True),                    # an iPAddress entry matches the address
    ("10.0.0.5", "10.0.0.6", False),
])
def test_unusual_names(on_cert, host, ok):
    c = LAB.issue([on_cert], issuer="fabrikam")
    r = check(c, host, store="outside")
    assert r.name_matches is ok and r.trusted_issuer and r.in_date


def test_expired_root_is_a_dates_problem_naming_the_root():
    c = LAB.issue(["mail.contoso.com"], issuer="contoso",
                  not_before=datetime(2031, 6, 1, tzinfo=timezone.utc), days=365)
    r = check(c, "mail.contoso.com", store="domain-joined", at=datetime(2032, 1, 15, tzinfo=timezone.utc))
    assert r.failed == ["dates"]
    assert r.reasons["dates"].startswith("CA certificate 'Contoso Root CA' expired 2031-12-27")
