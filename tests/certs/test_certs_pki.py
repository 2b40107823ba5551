"""The lab PKI: repeatable certificates with the names, dates and usages the course needs."""
from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID

from casl.certs.inspect import inspect, inspect_all
from casl.certs.pki import CATALOGUE, COURSE_CLOCK, LabPki, lab_pki
from casl.errors import CertificateError

REPO = Path(__file__).resolve().parents[2]

_PRINT_THUMBPRINTS = """
import json
from casl.certs.pki import lab_pki
lab = lab_pki()
out = {c.label: c.thumbprint for c in lab.all()}
out.update({"contoso-root": lab.contoso_root.thumbprint, "fabrikam-root": lab.fabrikam_root.thumbprint,
            "fabrikam-issuing": lab.fabrikam_issuing.thumbprint,
            "adhoc": lab.issue(["owa.contoso.com"], issuer="contoso", days=365).thumbprint})
print(json.dumps(out))
"""


def _fresh_process_thumbprints() -> dict:
    done = subprocess.run([sys.executable, "-c", _PRINT_THUMBPRINTS], cwd=REPO, capture_output=True,
                          text=True, timeout=120, check=True)
    return json.loads(done.stdout)


def test_thumbprints_identical_in_two_fresh_processes():
    first, second = _fresh_process_thumbprints(), _fresh_process_thumbprints()
    assert first == second
    assert len(set(first.values())) == len(first)          # every certificate is distinct
    lab = lab_pki()
    assert first["multi-name"] == lab.get("multi-name").thumbprint
    assert all(len(t) == 40 and t == t.upper() for t in first.values())


def test_same_request_same_der_and_a_new_pki_object_agrees():
    a = LabPki(COURSE_CLOCK).get("wildcard")
    b = LabPki(COURSE_CLOCK).get("wildcard")
    assert a is not b and a.der() == b.der()


def test_clock_moves_leaf_dates_but_not_the_cas():
    early, late = lab_pki(), lab_pki(COURSE_CLOCK + timedelta(days=365))
    assert early.contoso_root.thumbprint == late.contoso_root.thumbprint
    assert early.get("multi-name").thumbprint != late.get("multi-name").thumbprint
    assert late.get("multi-name").not_before == early.get("multi-name").not_before + timedelta(days=365)


def test_lab_pki_accepts_iso_text_and_lab_clock():
    from casl.model.clock import LabClock
    assert lab_pki("2014-10-02T09:30:00") is lab_pki()
    assert lab_pki(LabClock.at("2014-10-02T09:30:00")) is lab_pki()


def test_catalogue_dates_relative_to_the_clock():
    lab = lab_pki()
    assert lab.get("expired").not_after < lab.clock
    assert lab.get("not-yet-valid").not_before > lab.clock
    c = lab.get("multi-name")
    assert c.not_before < lab.clock < c.not_after


def test_exchange_self_signed_looks_like_setup_made_it():
    c = lab_pki().get("exchange-self-signed-ServerA")
    assert c.subject == "CN=ServerA" and c.self_signed
    assert c.names == ("ServerA", "ServerA.contoso.com")
    assert c.cert.public_key().key_size == 2048
    assert (c.not_after - c.not_before).days == 5 * 365
    eku = c.cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(eku) == [ExtendedKeyUsageOID.SERVER_AUTH]
    with pytest.raises(x509.ExtensionNotFound):     # as the real fixtures: no AKI
        c.cert.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier)


def test_public_chain_root_intermediate_leaf():
    lab = lab_pki()
    c = lab.get("multi-name")
    assert c.issuer_cn == "Fabrikam Public Issuing CA 1"
    assert c.chain == (lab.fabrikam_issuing.cert,)
    assert c.root == lab.fabrikam_root.cert
    c.cert.verify_directly_issued_by(lab.fabrikam_issuing.cert)
    lab.fabrikam_issuing.cert.verify_directly_issued_by(lab.fabrikam_root.cert)
    internal = lab.get("internal-ca")
    assert internal.chain == () and internal.root == lab.contoso_root.cert
    internal.cert.verify_directly_issued_by(lab.contoso_root.cert)


def test_bad_usage_profiles():
    lab = lab_pki()
    eku = lab.get("no-server-auth").cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert ExtendedKeyUsageOID.SERVER_AUTH not in eku
    ku = lab.get("wrong-key-usage").cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert not ku.digital_signature and not ku.key_encipherment


def test_pfx_round_trip_with_chain_and_key():
    c = lab_pki().get("multi-name")
    infos = inspect_all(c.pfx("P@ssw0rd"), password="P@ssw0rd")
    assert [i.thumbprint for i in infos] == [c.thumbprint, lab_pki().fabrikam_issuing.thumbprint]
    assert infos[0].has_private_key and not infos[1].has_private_key
    assert infos[0].friendly_name == "multi-name"
    with pytest.raises(CertificateError, match="wrong password"):
        inspect(c.pfx("P@ssw0rd"), password="guess")


def test_pem_and_der_round_trip():
    c = lab_pki().get("wildcard")
    assert inspect(c.der()).thumbprint == c.thumbprint
    assert inspect(c.pem()).thumbprint == c.thumbprint
    bundle = inspect(c.pem(with_chain=True))
    assert [i.subject for i in bundle] == ["CN=*.contoso.com",
                                           "CN=Fabrikam Public Issuing CA 1, O=Fabrikam Trust Services, C=US"]


def test_store_record_for_the_simulated_servers():
    rec = lab_pki().get("internal-ca").to_store_record(services="IIS")
    assert rec.root_ca_type == "Enterprise" and rec.issuer == "CN=Contoso Root CA, O=Contoso, C=US"
    assert rec.der == lab_pki().get("internal-ca").der()


def test_write_all_files(tmp_path):
    files = lab_pki().write(tmp_path, password="lab")
    names = {p.name for p in files}
    assert {"Contoso-Root-CA.cer", "multi-name.pfx", "expired.pem", "wildcard.cer"} <= names
    assert inspect(tmp_path / "wildcard.cer").dns_names == ("*.contoso.com",)


@pytest.mark.parametrize("kwargs, message", [
    (dict(names=[]), "at least one name"),
    (dict(names=["x.contoso.com"], issuer="verisign"), "unknown issuer"),
    (dict(names=["x.contoso.com"], profile="codesign"), "unknown profile"),
])
def test_issue_rejects_bad_requests(kwargs, message):
    with pytest.raises(CertificateError, match=message):
        lab_pki().issue(**kwargs)


def test_unknown_catalogue_label():
    with pytest.raises(CertificateError, match="no lab certificate 'bogus'"):
        lab_pki().get("bogus")
    assert set(lab_pki().catalogue) == set(CATALOGUE)


def test_naive_not_before_is_utc():
    c = lab_pki().issue("x.contoso.com", not_before=datetime(2014, 1, 1), days=10)
    assert c.not_before == datetime(2014, 1, 1, tzinfo=timezone.utc)


def test_import_casl_certs_is_cheap():
    code = ("import sys, casl, casl.certs; "
            "print(any(m.startswith(('cryptography', 'pandas')) for m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True,
                          timeout=60, check=True)
    assert done.stdout.strip() == "False"
