"""Clients and namespaces: the article's two single-name examples, computed from the rule tables."""
from __future__ import annotations

import pytest

from casl.certs import names
from casl.certs.pki import lab_pki

ALL_WORK = {"Browser, inside": "works", "Browser, outside": "works",
            "Outlook, domain-joined": "works", "Outlook, outside the domain": "works",
            "ActiveSync device": "works"}


def _row(rows, client, service):
    [r] = [r for r in rows if r["client"] == client and r["service"] == service]
    return r


def test_example_a_everything_but_outside_outlook_and_device_autoconfiguration():
    s = names.summary(names.example_a())
    assert s == {**ALL_WORK, "Outlook, outside the domain": "warns", "ActiveSync device": "fails"}
    rows = names.evaluate(names.example_a())
    assert _row(rows, "ActiveSync device", "Autodiscover")["status"] == "fails"
    assert _row(rows, "ActiveSync device", "ActiveSync")["status"] == "works"   # server typed by hand
    assert "not on the certificate" in _row(rows, "Outlook, outside the domain", "Autodiscover")["why"]
    assert _row(rows, "Outlook, domain-joined", "Autodiscover")["how"] == "SCP in Active Directory"


def test_example_a_srv_rescues_outlook_not_activesync():
    d = names.example_a(srv=True)
    s = names.summary(d)
    assert s == {**ALL_WORK, "ActiveSync device": "fails"}
    r = _row(names.evaluate(d), "Outlook, outside the domain", "Autodiscover")
    assert r["how"] == "DNS SRV record" and r["url"] == "https://mail.contoso.com/autodiscover/autodiscover.xml"


def test_srv_does_not_help_while_autodiscover_name_still_answers():
    # Clients try https://autodiscover.<domain> before SRV and meet the name mismatch first.
    d = names.deployment(lab_pki().get("mail-only"), srv="mail.contoso.com")
    assert names.summary(d)["Outlook, outside the domain"] == "warns"


def test_a_device_that_follows_srv():
    assert names.summary(names.example_a(srv=True, eas_srv=True)) == ALL_WORK


def test_example_b_all_works_but_owa_lives_at_autodiscover():
    d = names.example_b()
    assert names.summary(d) == ALL_WORK
    owa = _row(names.evaluate(d), "Browser, outside", "OWA")
    assert owa["url"] == "https://autodiscover.contoso.com/owa"


def test_two_names_all_work():
    d = names.deployment(["mail.contoso.com", "autodiscover.contoso.com"])
    assert names.summary(d) == ALL_WORK


def test_enterprise_ca_certificate_outside():
    d = names.deployment(lab_pki().get("internal-ca"))
    s = names.summary(d)
    assert s["Browser, inside"] == "works" and s["Outlook, domain-joined"] == "works"
    assert s["Browser, outside"] == "warns" and s["ActiveSync device"] == "fails"
    assert "not in the outside trust store" in _row(names.evaluate(d), "Browser, outside", "OWA")["why"]


def test_expired_certificate_warns_browsers_and_fails_devices():
    s = names.summary(names.deployment(lab_pki().get("expired")))
    assert s["Browser, inside"] == "warns" and s["ActiveSync device"] == "fails"


def test_rules_are_tables():
    assert set(names.CLIENTS) == {"browser-inside", "browser-outside", "outlook-domain",
                                  "outlook-outside", "activesync"}
    assert "scp" not in names.CLIENTS["activesync"]["autodiscover"]
    assert names.CLIENTS["outlook-domain"]["autodiscover"][0] == "scp"


def test_frame():
    df = names.frame(names.example_a())
    assert list(df.columns) == ["client", "service", "status", "url", "how", "why"]
    assert len(df) == 12
