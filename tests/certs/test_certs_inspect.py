"""Reading real certificate files: every shared fixture, and bad input said plainly."""
from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest

from casl.certs.inspect import CertificateInfo, CertificateList, frame, inspect, inspect_all
from casl.certs.pki import lab_pki
from casl.errors import CertificateError


@pytest.fixture(scope="module")
def certs_dir(fixtures_dir):
    return fixtures_dir / "certs"


def all_fixture_files(root):
    return sorted(p for p in root.rglob("*") if p.suffix in (".pem", ".der"))


def test_every_fixture_reads(certs_dir):
    files = all_fixture_files(certs_dir)
    assert len(files) == 23
    for p in files:
        infos = inspect_all(p)
        assert infos, p
        for i in infos:
            assert re.fullmatch(r"[0-9A-F]{40}", i.thumbprint)
            assert i.not_before < i.not_after
            assert i.source == p.name


def test_exchange_thumbprints_match_file_names_and_the_clixml_export(certs_dir, fixtures_dir):
    # The file names carry the first 8 hex digits of the thumbprint Get-ExchangeCertificate showed.
    found = {}
    for p in sorted((certs_dir / "exchange-generated").glob("*.der")):
        info = inspect(p)
        assert info.thumbprint.startswith(p.stem.rsplit("-", 1)[1]), p.name
        found[info.thumbprint] = info
    export = (fixtures_dir / "exchange-cmdlets" / "exchange2016-Get-ExchangeCertificate.clixml.xml").read_text()
    listed = re.findall(r"Thumbprint\]_x000D__x000A_  ([0-9A-F]{40})", export)
    assert len(listed) == 3 and set(listed) <= set(found)


def test_exchange_self_signed_default(certs_dir):
    info = inspect(certs_dir / "exchange-generated" / "E16-1-823884A3.der")
    assert info.subject == "CN=Solo-E16A" and info.issuer == "CN=Solo-E16A"
    assert info.dns_names == ("Solo-E16A", "Solo-E16A.Solo.local")
    assert info.self_signed            # signed with SHA-1, still checked by hand
    assert info.signature_algorithm == "sha1WithRSAEncryption"
    assert info.enhanced_key_usage == ("Server Authentication (1.3.6.1.5.5.7.3.1)",)
    assert info.key_usage == ("DigitalSignature", "KeyEncipherment")
    assert info.key_size == 2048 and not info.has_private_key
    assert not info.in_date(datetime(2024, 1, 1, tzinfo=timezone.utc))   # expired 2023-11-24


def test_exchange_namespace_certificate_four_names(certs_dir):
    info = inspect(certs_dir / "exchange-generated" / "MEAC-E2k16-6-2759456D.der")
    assert info.subject == "CN=mail.contoso.lab"
    assert info.dns_names == ("mail.contoso.lab", "autodiscover.contoso.lab",
                              "e2k16-1.contoso.lab", "e2k16-2.contoso.lab")


def test_lets_encrypt(certs_dir):
    info = inspect(certs_dir / "public" / "x509-letsencrypt.pem")
    assert info.issuer == "CN=R3, O=Let's Encrypt, C=US"
    assert info.subject == "CN=tls.automattic.com"
    assert len(info.dns_names) == 50 and "tls.automattic.com" in info.dns_names
    assert not info.self_signed and not info.is_ca
    assert info.not_after == datetime(2022, 9, 13, 9, 19, 1, tzinfo=timezone.utc) or info.not_after.date().isoformat() == "2022-09-13"


def test_wildcard_san(certs_dir):
    info = inspect(certs_dir / "public" / "wildcard-san.pem")
    assert info.dns_names == ("*.langui.sh", "langui.sh", "*.saseliminator.com", "saseliminator.com")
    assert info.key_size == 4096
    assert "Trustwave" in info.issuer


def test_pem_bundle_gives_a_list(certs_dir):
    infos = inspect(certs_dir / "public" / "x509-multi-cert.pem")
    assert isinstance(infos, CertificateList)
    assert [i.subject.split(", ")[1] for i in infos] == ["CN=alice", "CN=bob", "CN=carol"]
    assert [i.index for i in infos] == [0, 1, 2]
    assert [i.serial_number for i in infos] == ["01", "02", "03"]
    df = infos.frame()
    assert list(df["SerialNumber"]) == ["01", "02", "03"]
    assert "Thumbprint" in df.columns and "CertificateDomains" in df.columns


def test_der_root(certs_dir):
    info = inspect(certs_dir / "public" / "x509-ca-cert.der")
    assert info.format == "DER" and info.is_ca and info.self_signed
    assert info.subject.startswith("CN=thawte Primary Root CA - G3")
    assert info.key_usage == ("KeyCertSign", "CrlSign")


def test_superfluous_bits_still_parses(certs_dir):
    # Its KeyUsage BIT STRING carries unused bits; the library accepts it, and its signature
    # does not check out with its own key, so it is self-issued but not self-signed.
    info = inspect(certs_dir / "public" / "x509-cert-superfluous-bits.pem")
    assert info.subject == "CN=cryptography.io"
    assert "KeyCertSign" in info.key_usage and len(info.key_usage) == 7
    assert info.self_issued and not info.self_signed


def test_frame_of_many(certs_dir):
    infos = [inspect(p) for p in sorted((certs_dir / "exchange-generated").glob("E1*.der"))]
    df = frame(infos)
    assert len(df) == 6 and df["PublicKeySize"].tolist() == [2048] * 6


def test_pem_with_its_key_has_private_key():
    from cryptography.hazmat.primitives import serialization
    c = lab_pki().get("mail-only")
    key = c.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                              serialization.NoEncryption()).decode()
    assert inspect(c.pem() + key).has_private_key
    assert not inspect(c.pem()).has_private_key


def test_markdown_view():
    md = inspect(lab_pki().get("wildcard").der())._repr_markdown_()
    assert "| CertificateDomains | *.contoso.com |" in md


# -- bad input --------------------------------------------------------------------------------------
def _lines(certs_dir):
    return (certs_dir / "public" / "x509-letsencrypt.pem").read_text().splitlines()


def test_bad_base64_character_names_line_and_column(certs_dir, tmp_path):
    lines = _lines(certs_dir)
    lines[5] = lines[5][:10] + "!" + lines[5][11:]
    p = tmp_path / "damaged.pem"
    p.write_text("\n".join(lines))
    with pytest.raises(CertificateError) as exc:
        inspect(p)
    assert str(exc.value) == "damaged.pem, line 6: character '!' at column 11 is not base64"
    assert exc.value.line == 6


def test_missing_end_line(certs_dir):
    with pytest.raises(CertificateError, match=r"line 1: BEGIN CERTIFICATE has no matching END line"):
        inspect("\n".join(_lines(certs_dir)[:-1]))


def test_truncated_pem_body(certs_dir):
    lines = _lines(certs_dir)
    with pytest.raises(CertificateError, match=r"line 1: the certificate starting here is corrupt: the data ends too early"):
        inspect("\n".join(lines[:4] + lines[-1:]))


def test_second_certificate_in_bundle_damaged_points_at_its_line(certs_dir):
    text = (certs_dir / "public" / "x509-multi-cert.pem").read_text().splitlines()
    begins = [n for n, t in enumerate(text, 1) if t.startswith("-----BEGIN CERTIFICATE")]
    second = begins[1]
    del text[second + 2]          # drop a base64 line inside the second certificate
    with pytest.raises(CertificateError, match=rf"line {second}: "):
        inspect("\n".join(text))


@pytest.mark.parametrize("cut, message", [
    (lambda d: d[:300], "DER certificate is corrupt: the data ends too early"),
    (lambda d: d + b"xx", "DER certificate is corrupt: there are extra bytes after the certificate"),
    (lambda d: d[:50] + b"\x00\x00\x00" + d[53:], "DER certificate is corrupt: a field is not the type"),
])
def test_corrupt_der(certs_dir, cut, message):
    data = (certs_dir / "exchange-generated" / "E16-1-823884A3.der").read_bytes()
    with pytest.raises(CertificateError, match=message):
        inspect(cut(data))


def test_pfx_problems():
    pfx = lab_pki().get("multi-name").pfx("right")
    with pytest.raises(CertificateError, match="wrong password for the PFX"):
        inspect(pfx, password="wrong")
    with pytest.raises(CertificateError, match="password-protected; pass password="):
        inspect(pfx)
    with pytest.raises(CertificateError, match="PFX file is truncated or corrupt"):
        inspect(pfx[:500], password="right")


def test_pfx_file_on_disk(tmp_path):
    p = tmp_path / "mail.pfx"
    p.write_bytes(lab_pki().get("mail-only").pfx("lab"))
    info = inspect(p, password="lab")
    assert isinstance(info, CertificateList)           # leaf + Fabrikam intermediate
    assert info[0].format == "PFX" and info[0].has_private_key and info[0].source == "mail.pfx"


@pytest.mark.parametrize("data, message", [
    (b"", "the file is empty"),
    (b"hello world, not a certificate", "not a certificate: no '-----BEGIN CERTIFICATE-----' line and not DER"),
    (bytes(range(256)), r"not DER \(first bytes 00 01 02 03\)"),
    ("-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n",
     "line 1: this is a certificate request"),
    ("-----BEGIN FOO-----\nMIIB\n-----END FOO-----\n", "'FOO' block is not a certificate"),
    ("-----BEGIN CERTIFICATE-----\nMIIB\n-----END X509 CRL-----\n", "line 3: END X509 CRL does not close BEGIN CERTIFICATE"),
])
def test_not_a_certificate(data, message):
    with pytest.raises(CertificateError, match=message):
        inspect(data)


def test_base64_without_armour(certs_dir):
    body = "\n".join(_lines(certs_dir)[1:-1]).encode()
    with pytest.raises(CertificateError, match="looks like base64 without the"):
        inspect(body)


def test_missing_file(tmp_path):
    with pytest.raises(CertificateError, match="no such file"):
        inspect(tmp_path / "nope.cer")


def test_key_only_pem():
    from cryptography.hazmat.primitives import serialization
    key = lab_pki().get("mail-only").key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    with pytest.raises(CertificateError, match=r"holds no certificate \(only a private key\)"):
        inspect(key)


def test_info_is_plain_data():
    info = inspect(lab_pki().get("multi-name").der())
    assert isinstance(info, CertificateInfo)
    assert info.row()["Thumbprint"] == lab_pki().get("multi-name").thumbprint
