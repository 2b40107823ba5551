"""Real TLS on 127.0.0.1: OpenSSL's verdicts on lab certificates, and three_questions agreeing with them."""
from __future__ import annotations

import socket
import tempfile
from datetime import datetime, timezone

import psutil
import pytest
from cryptography.hazmat.primitives import serialization

from casl.certs import live
from casl.certs.api import three_questions
from casl.certs.pki import lab_pki
from casl.errors import CertificateError

pytestmark = pytest.mark.xdist_group("certs-live")


@pytest.fixture(scope="module")
def now():
    # OpenSSL reads the real clock, so this is the one test module that does as well.
    return datetime.now(timezone.utc)


@pytest.fixture(scope="module")
def lab():
    return lab_pki()


def listening_ports() -> set[tuple[str, int]]:
    return {(c.laddr.ip, c.laddr.port) for c in psutil.Process().net_connections(kind="tcp")
            if c.status == psutil.CONN_LISTEN}


def test_server_listens_on_loopback_only_on_an_os_picked_port(lab, now):
    cert = live.issue_now(["mail.contoso.com"], now=now)
    with live.serve(cert) as a, live.serve(cert) as b:
        assert (a.host, b.host) == ("127.0.0.1", "127.0.0.1")
        assert a.port > 0 and b.port > 0 and a.port != b.port
        mine = {(ip, port) for ip, port in listening_ports() if port in (a.port, b.port)}
        assert mine == {("127.0.0.1", a.port), ("127.0.0.1", b.port)}
        assert a.running and b.running


def test_server_stops_at_context_exit(now):
    cert = live.issue_now(["mail.contoso.com"], now=now)
    with live.serve(cert) as srv:
        port = srv.port
    assert not srv.thread.is_alive()
    assert ("127.0.0.1", port) not in listening_ports()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()


def test_abandoned_server_stops_after_its_timeout(now):
    cert = live.issue_now(["mail.contoso.com"], now=now)
    ctx = live.serve(cert, timeout=0.3)
    srv = ctx.__enter__()           # nobody ever leaves this context
    assert srv.thread.daemon
    srv.thread.join(30)
    assert not srv.thread.is_alive()
    assert ("127.0.0.1", srv.port) not in listening_ports()


def test_key_files_are_gone_once_the_server_runs(now, tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    cert = live.issue_now(["mail.contoso.com"], now=now)
    with live.serve(cert) as srv:
        assert srv.running
        assert list(tmp_path.iterdir()) == []


def test_ok_handshake_completes_on_both_sides(lab, now):
    cert = live.issue_now(["mail.contoso.com", "autodiscover.contoso.com"], now=now)
    with live.serve(cert) as srv:
        r = live.connect(srv.port, "autodiscover.contoso.com", trust=[lab.contoso_root.cert])
    assert r.ok and r.question is None and r.verify_code is None
    assert r.tls_version.startswith("TLS")
    assert srv.handshakes == 1 and srv.failed_handshakes == 0
    assert str(r) == "OK: OpenSSL accepted the certificate for autodiscover.contoso.com"


# (names on the certificate, connect as, issuer, expired, trusted roots) -> OpenSSL's code and words
CASES = {
    "ok": (["mail.contoso.com"], "mail.contoso.com", "contoso", False, ["contoso"], None, None),
    "wrong name": (["mail.contoso.com"], "autodiscover.contoso.com", "contoso", False, ["contoso"], 62,
                   "Hostname mismatch, certificate is not valid for 'autodiscover.contoso.com'"),
    "wildcard apex": (["*.contoso.com"], "contoso.com", "contoso", False, ["contoso"], 62,
                      "Hostname mismatch"),
    "unknown issuer": (["mail.contoso.com"], "mail.contoso.com", "contoso", False, ["fabrikam"], 20,
                       "unable to get local issuer certificate"),
    "unknown public issuer": (["mail.contoso.com"], "mail.contoso.com", "fabrikam", False, ["contoso"], 20,
                              "unable to get local issuer certificate"),
    "self-signed": (["mail.contoso.com"], "mail.contoso.com", "self", False, [], 18, "self-signed certificate"),
    "self-signed trusted": (["mail.contoso.com"], "mail.contoso.com", "self", False, ["self"], None, None),
    "expired": (["mail.contoso.com"], "mail.contoso.com", "contoso", True, ["contoso"], 10,
                "certificate has expired"),
    # The lab's Fabrikam Public Issuing CA 1 ran out at the end of 2024 (real time).
    "expired intermediate": (["mail.contoso.com"], "mail.contoso.com", "fabrikam", False, ["fabrikam"], 10,
                             "certificate has expired"),
}
QUESTION_ATTR = {"issuer": "trusted", "dates": "in_date", "name": "name_matches"}


@pytest.mark.parametrize("case", sorted(CASES))
def test_openssl_verdict_and_three_questions_agree(case, lab, now):
    names, host, issuer, expired, trust, code, words = CASES[case]
    cert = live.issue_now(names, issuer=issuer, expired=expired, now=now)
    roots = [cert.cert if t == "self" else lab.roots([t])[0] for t in trust]
    with live.serve(cert) as srv:
        r = live.connect(srv.port, host, trust=roots)
    assert r.ok is (code is None)
    assert r.verify_code == code
    if words:
        assert words in r.message
        assert r.message.startswith("certificate verify failed: ")
        assert srv.failed_handshakes == 1
    answers = three_questions([cert.cert, *cert.chain], host, roots, now)
    assert answers.ok is r.ok
    if not r.ok:
        # The question OpenSSL stopped at is one that three_questions answers NO.
        assert getattr(answers, QUESTION_ATTR[r.question]) is False
        assert r.question in answers.failed


def test_lab_certificates_are_expired_for_openssl(lab, now):
    # The course clock is 2014: OpenSSL, on the real clock, calls the lab's multi-name certificate expired.
    cert = lab.get("internal-ca")
    with live.serve(cert) as srv:
        r = live.connect(srv.port, "mail.contoso.com", trust=[lab.contoso_root.cert])
    assert (r.ok, r.question, r.verify_code) == (False, "dates", 10)
    assert three_questions(cert, "mail.contoso.com", [lab.contoso_root.cert], now).failed == ["dates"]
    assert three_questions(cert, "mail.contoso.com", [lab.contoso_root.cert], lab.clock).ok


def test_demo_text_is_deterministic():
    first = live.demo(["mail.contoso.com"], "autodiscover.contoso.com")
    second = live.demo(["mail.contoso.com"], "autodiscover.contoso.com")
    assert str(first) == str(second) == (
        "certificate for mail.contoso.com issued by contoso; client trusts contoso; connects as "
        "autodiscover.contoso.com\n"
        "OpenSSL: FAILED (name): certificate verify failed: Hostname mismatch, certificate is not "
        "valid for 'autodiscover.contoso.com'.\n"
        "three questions: trusted issuer: yes, in date: yes, name on certificate: NO")
    assert first.agrees and not first.ok


def test_demo_expired_and_unknown_issuer():
    expired = live.demo("mail.contoso.com", "mail.contoso.com", expired=True)
    assert "OpenSSL: FAILED (dates): certificate verify failed: certificate has expired" in str(expired)
    unknown = live.demo("mail.contoso.com", "mail.contoso.com", trust=("fabrikam",))
    assert "FAILED (issuer): certificate verify failed: unable to get local issuer certificate" in str(unknown)
    assert expired.agrees and unknown.agrees
    with pytest.raises(CertificateError, match="unknown trust entry 'litware'"):
        live.demo("mail.contoso.com", "mail.contoso.com", trust=("litware",))


def test_no_private_key_in_any_text(lab, now):
    cert = live.issue_now(["mail.contoso.com"], now=now)
    key_pem = cert.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                     serialization.NoEncryption()).decode()
    key_body = "".join(key_pem.splitlines()[1:-1])
    secret = str(cert.key.private_numbers().d)
    with live.serve(cert) as srv:
        r = live.connect(srv.port, "mail.contoso.com", trust=[lab.contoso_root.cert])
        texts = [repr(srv), str(srv)]
    d = live.demo(["mail.contoso.com"], "mail.contoso.com")
    for obj in (r, d, d.openssl, d.answers):
        texts += [repr(obj), str(obj), obj.summary()]
    texts.append(d.answers._repr_markdown_())
    for text in texts:
        assert "PRIVATE KEY" not in text
        assert key_body[:40] not in text and key_body[-40:] not in text
        assert secret[:30] not in text


def test_connect_refuses_a_lab_clock_openssl_cannot_use(lab):
    with pytest.raises(CertificateError, match="real clock"):
        live.connect(1, "mail.contoso.com", trust=[lab.contoso_root.cert], at=lab.clock)


def test_connect_to_nothing_says_so(now):
    cert = live.issue_now(["mail.contoso.com"], now=now)
    with live.serve(cert) as srv:
        port = srv.port
    r = live.connect(port, "mail.contoso.com", trust=[])
    assert not r.ok and r.message.startswith("could not connect")


def test_serve_rejects_a_key_that_does_not_match(lab, now):
    cert = live.issue_now(["mail.contoso.com"], now=now)
    other = lab.contoso_root.key
    with pytest.raises(CertificateError, match="do not go together"):
        with live.serve(cert.cert, other):
            pass
    with pytest.raises(CertificateError, match="private key"):
        with live.serve(cert.cert):
            pass


def test_empty_trust_means_nothing_is_trusted_not_the_machine_store(lab, now):
    cert = live.issue_now(["mail.contoso.com"], now=now)
    with live.serve(cert) as srv:
        r = live.connect(srv.port, "mail.contoso.com", trust=[])
    assert (r.ok, r.question, r.verify_code) == (False, "issuer", 20)
