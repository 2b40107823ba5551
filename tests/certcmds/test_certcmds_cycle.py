"""Request, issue, import, enable: the certificate cycle on the simulated servers, and its classic mistakes."""
from __future__ import annotations

import re

import pytest
from cryptography import x509

import casl
from casl.errors import LabError
from casl.model import certificates as cm

from certcmds_helpers import NAMES, ems, newest, request


def _complete(lab, sh, server="ServerA", issuer="contoso"):
    """Request on ``server``, let the CA sign, import the answer there; returns the imported record."""
    request(sh, rf"\\{server}\c$\certreq.req")
    out = lab.ca_issue(server, r"C:\certreq.req", issuer=issuer)
    assert out == r"C:\certreq.cer"
    text = sh.run(r"Import-ExchangeCertificate -FileData ([System.IO.File]::ReadAllBytes('C:\certreq.cer'))")
    assert "FullyQualifiedErrorId" not in text, text
    return newest(lab, server)


def test_request_is_a_real_csr_with_the_names_and_its_key_stays_on_the_server(two):
    sh = ems(two)
    shown = request(sh)
    srv = two.server("ServerA")
    text = srv.fs.read(r"C:\certreq.req")
    assert text.startswith("-----BEGIN NEW CERTIFICATE REQUEST-----\r\n")
    assert shown.strip().splitlines()[0] == "-----BEGIN NEW CERTIFICATE REQUEST-----"
    csr = cm.read_request(text)
    assert csr.is_signature_valid
    san = csr.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == NAMES.split(",")
    assert csr.subject.rfc4514_string() == "CN=mail.contoso.com,O=Contoso,C=US"
    assert csr.public_key().key_size == 2048
    pending = newest(two)
    assert pending.pending and len(srv.keys) == 1 and not two.server("ServerB").keys
    fl = sh.run(f"Get-ExchangeCertificate -Thumbprint {pending.thumbprint} | fl")
    assert re.search(r"^Status\s+: PendingRequest$", fl, re.M)
    assert re.search(r"^RootCAType\s+: Unknown$", fl, re.M)
    assert re.search(r"^Subject\s+: CN=mail\.contoso\.com, O=Contoso, C=US$", fl, re.M)


def test_full_cycle_ends_trusted_inside_and_warns_outside(two):
    sh = ems(two)
    assert two.browse("UserA", "https://mail.contoso.com/owa").outcome == "certificate-warning"   # self-signed
    cert = _complete(two, sh)
    assert cert.has_private_key and cert.der is not None and cert.root_ca_type == "Enterprise"
    assert not any(c.pending for c in two.server("ServerA").certificates)      # the request is complete
    assert sh.run(f"Enable-ExchangeCertificate -Thumbprint {cert.thumbprint} -Services IIS") == ""
    r = two.browse("UserA", "https://mail.contoso.com/owa", where="inside")
    assert r.outcome == "ok", [h for h in r.hops if not h.ok]
    tls = next(h for h in r.hops if h.kind == "tls")
    assert cert.thumbprint in tls.detail
    # UserB's mailbox is on ServerB: the proxy to ServerB's 444 still works
    assert two.browse("UserB", "https://mail.contoso.com/owa").outcome == "ok"
    # From the Internet the enterprise CA is unknown: the issuer question fails, by name
    out = two.browse("UserA", "https://mail.contoso.com/owa", where="outside")
    assert out.outcome == "certificate-warning"
    assert "Do I trust the issuer? NO" in out.hops[-1].detail
    # autodiscover is on the certificate, so only the issuer fails there too
    ad = two.browse("UserA", "https://autodiscover.contoso.com/owa", where="outside")
    assert "Is the name I connect to on it?" not in ad.hops[-1].detail


def test_public_ca_certificate_is_trusted_outside_too(two):
    sh = ems(two)
    cert = _complete(two, sh, issuer="fabrikam")
    assert cert.root_ca_type == "ThirdParty" and len(cert.chain_der) == 1
    sh.run(f"Enable-ExchangeCertificate -Thumbprint {cert.thumbprint} -Services IIS")
    assert two.browse("UserA", "https://mail.contoso.com/owa", where="outside").outcome == "ok"


def test_name_question_is_named_when_the_host_is_missing(two):
    sh = ems(two)
    cert = _complete(two, sh)
    sh.run(f"Enable-ExchangeCertificate -Thumbprint {cert.thumbprint} -Services IIS")
    r = two.browse("UserA", "https://servera.contoso.com/owa", where="inside")
    assert r.outcome == "certificate-warning"
    assert r.hops[-1].detail.startswith("Is the name I connect to on it? NO - servera.contoso.com is not on")


def test_enable_iis_moves_443_only_and_444_keeps_the_self_signed(two):
    sh = ems(two)
    srv = two.server("ServerA")
    self_signed = srv.ssl_certs["0.0.0.0:444"][0]
    cert = _complete(two, sh)
    sh.run(f"Get-ExchangeCertificate -Thumbprint {cert.thumbprint} | Enable-ExchangeCertificate -Services IIS")
    assert srv.ssl_certs["0.0.0.0:443"][0] == srv.ssl_certs["127.0.0.1:443"][0] == cert.thumbprint
    assert srv.ssl_certs["0.0.0.0:444"][0] == self_signed
    table = sh.run("Get-ExchangeCertificate")
    assert re.search(rf"^{self_signed}  IP\.WS\.\.    CN=ServerA$", table, re.M)      # still IIS: bound to 444
    assert re.search(rf"^{cert.thumbprint}  \.\.\.W\.\.\.    CN=mail", table, re.M)
    star = sh.run(f"Get-ExchangeCertificate {self_signed} | fl *")
    assert re.search(r"^IISServices\s+: \{IIS://ServerA/W3SVC/2\}$", star, re.M)
    star = sh.run(f"Get-ExchangeCertificate {cert.thumbprint} | fl *")
    assert re.search(r"^IISServices\s+: \{IIS://ServerA/W3SVC/1\}$", star, re.M)
    assert re.search(rf"^Identity\s+: ServerA\.contoso\.com\\{cert.thumbprint}$", star, re.M)


def test_smtp_asks_before_replacing_the_default_and_services_add_up(two):
    sh = ems(two)
    cert = _complete(two, sh)
    sh.run(f"Enable-ExchangeCertificate -Thumbprint {cert.thumbprint} -Services IIS")
    out = sh.run(f"Enable-ExchangeCertificate -Thumbprint {cert.thumbprint} -Services SMTP")
    assert "Overwrite the existing default SMTP certificate" in out and "NonInteractive" in out
    assert cm.services_of(two.server("ServerA"), cert) == ["IIS"]
    sh.run(f"Enable-ExchangeCertificate -Thumbprint {cert.thumbprint} -Services SMTP,POP -Force")
    assert cm.services_of(two.server("ServerA"), cert) == ["POP", "IIS", "SMTP"]
    bad = sh.run(f"Enable-ExchangeCertificate -Thumbprint {cert.thumbprint} -Services Web")
    assert "Unable to match the identifier name Web" in bad


def test_import_on_the_wrong_server_has_no_private_key_and_enable_fails(two):
    sh_a = ems(two, "ServerA")
    request(sh_a)
    two.ca_issue("ServerA", r"C:\certreq.req")
    sh_b = ems(two, "ServerB")
    out = sh_b.run(r"Import-ExchangeCertificate -FileData ([System.IO.File]::ReadAllBytes('\\ServerA\c$\certreq.cer'))")
    assert "FullyQualifiedErrorId" not in out, out
    cert = newest(two, "ServerB")
    assert not cert.has_private_key
    fl = sh_b.run(f"Get-ExchangeCertificate {cert.thumbprint} | fl")
    assert re.search(r"^HasPrivateKey\s+: False$", fl, re.M)
    assert re.search(r"^Status\s+: Valid$", fl, re.M)             # looks fine, which is the trap
    err = sh_b.run(f"Enable-ExchangeCertificate -Thumbprint {cert.thumbprint} -Services IIS")
    assert (f"The certificate with thumbprint {cert.thumbprint} was found but is not valid for use with Exchange "
            f"Server (reason: PrivateKeyMissing)." in err)
    assert two.server("ServerB").ssl_certs["0.0.0.0:443"][0] != cert.thumbprint
    # the pending request on ServerA is untouched and can still be completed there
    assert any(c.pending for c in two.server("ServerA").certificates)


def test_import_after_removing_the_pending_request_has_no_private_key(two):
    sh = ems(two)
    request(sh)
    pending = newest(two)
    two.ca_issue("ServerA", r"C:\certreq.req")
    ask = sh.run(f"Remove-ExchangeCertificate -Thumbprint {pending.thumbprint}")
    assert "-Confirm:$false" in ask and pending in two.server("ServerA").certificates
    sh.run(f"Remove-ExchangeCertificate -Thumbprint {pending.thumbprint} -Confirm:$false")
    assert pending not in two.server("ServerA").certificates and not two.server("ServerA").keys
    sh.run(r"Import-ExchangeCertificate -FileName C:\certreq.cer")
    cert = newest(two)
    assert not cert.has_private_key
    assert "reason: PrivateKeyMissing" in sh.run(f"Enable-ExchangeCertificate {cert.thumbprint} -Services IIS")
    # certutil cannot help: the key went with the request
    assert "NTE_BAD_KEYSET" in sh.run(f"certutil -repairstore my {cert.serial_number}")


def test_certutil_repairstore_links_the_key_still_on_the_server(two):
    sh = ems(two)
    request(sh)
    two.ca_issue("ServerA", r"C:\certreq.req")
    # Importing the bare .cer into My (not completing the request) leaves it without its key
    sh.run(r"Import-Certificate -FilePath C:\certreq.cer -CertStoreLocation Cert:\LocalMachine\My")
    cert = next(c for c in two.server("ServerA").certificates if c.der is not None)
    assert not cert.has_private_key
    out = sh.run(f"certutil -repairstore my {cert.serial_number}")
    assert "CertUtil: -repairstore command completed successfully." in out
    assert cert.has_private_key and cert.private_key_exportable
    assert sh.run(f"Enable-ExchangeCertificate {cert.thumbprint} -Services IIS") == ""


def test_removing_the_444_certificate_breaks_owa_at_the_tls_hop_to_444(two):
    # The classic tidy-up: the CA certificate serves 443, so the "old" self-signed one looks unused.
    sh = ems(two)
    srv = two.server("ServerA")
    cert = _complete(two, sh)
    sh.run(f"Enable-ExchangeCertificate -Thumbprint {cert.thumbprint} -Services IIS")
    assert two.browse("UserA", "https://mail.contoso.com/owa").outcome == "ok"
    thumb = srv.ssl_certs["0.0.0.0:444"][0]
    sh.run(f"Remove-ExchangeCertificate -Thumbprint {thumb} -Confirm:$false")
    assert srv.ssl_certs["0.0.0.0:444"][0] == thumb          # http.sys still names it
    r = two.browse("UserA", "https://mail.contoso.com/owa")
    assert r.outcome != "ok"
    assert [h.kind for h in r.hops if h.ok][-1] == "proxy"   # logon on the front end worked; the proxy broke
    bad = next(h for h in r.hops if not h.ok)
    assert bad.kind == "tls" and bad.action == "TLS handshake on 444"
    assert "not in the store" in bad.detail


def test_export_needs_an_exportable_key_and_makes_a_real_pfx(two):
    from casl.certs.inspect import inspect
    sh = ems(two)
    srv = two.server("ServerA")
    own = srv.ssl_certs["0.0.0.0:444"][0]
    pw = "(ConvertTo-SecureString -String 'P@ssw0rd' -AsPlainText -Force)"
    err = sh.run(rf"Export-ExchangeCertificate -Thumbprint {own} -BinaryEncoded -Password {pw} -FileName C:\own.pfx")
    assert "The private key couldn't be exported as PKCS-12" in err and not srv.fs.exists(r"C:\own.pfx")
    cert = _complete(two, sh)
    sh.run(rf"Export-ExchangeCertificate -Thumbprint {cert.thumbprint} -BinaryEncoded -Password {pw} "
           r"-FileName \\ServerA\c$\mail.pfx")
    data = cm.file_bytes(srv.fs.read(r"C:\mail.pfx"))
    assert inspect(data, password="P@ssw0rd").thumbprint == cert.thumbprint
    # ... and the PFX carries the key to ServerB, where the certificate then works
    sh_b = ems(two, "ServerB")
    sh_b.run(rf"Import-ExchangeCertificate -FileName \\ServerA\c$\mail.pfx -Password {pw}")
    on_b = two.server("ServerB").certificate(cert.thumbprint)
    assert on_b.has_private_key and not on_b.private_key_exportable
    sh_b.run(f"Enable-ExchangeCertificate {cert.thumbprint} -Services IIS")
    assert two.server("ServerB").ssl_certs["0.0.0.0:443"][0] == cert.thumbprint
    wrong = sh_b.run(r"Import-ExchangeCertificate -FileName \\ServerA\c$\mail.pfx -Password "
                     r"(ConvertTo-SecureString -String 'nope' -AsPlainText -Force)")
    assert "FullyQualifiedErrorId" in wrong


def test_non_exportable_request_cannot_be_exported(two):
    sh = ems(two)
    request(sh, exportable=False)
    two.ca_issue("ServerA", r"C:\certreq.req")
    sh.run(r"Import-ExchangeCertificate -FileData ([Byte[]](Get-Content -Path C:\certreq.cer -Encoding Byte -ReadCount 0))")
    cert = newest(two)
    assert cert.has_private_key and not cert.private_key_exportable
    out = sh.run(f"Export-ExchangeCertificate {cert.thumbprint} -BinaryEncoded -Password "
                 "(ConvertTo-SecureString 'x' -AsPlainText -Force)")
    assert "isn't exportable" in out


def test_cert_drive_lists_the_personal_store(two):
    sh = ems(two)
    request(sh)
    out = sh.run(r"Get-ChildItem Cert:\LocalMachine\My")
    assert "    Directory: Microsoft.PowerShell.Security\\Certificate::LocalMachine\\My" in out
    assert out.count("CN=") == 3                                     # the pending request is not in My
    req = sh.run(r"dir Cert:\LocalMachine\REQUEST")
    assert "CN=mail.contoso.com, O=Contoso, C=US" in req
    fl = sh.run(r"Get-ChildItem Cert:\LocalMachine\My | fl")
    assert re.search(r"^FriendlyName : Microsoft Exchange$", fl, re.M)
    assert "Cannot find path" in sh.run(r"Get-ChildItem Cert:\LocalMachine\Nope")


def test_exchange_cmdlets_need_the_exchange_shell(two):
    out = two.run("ServerA", "Get-ExchangeCertificate")
    assert "is not recognized as the name of a cmdlet" in out


def test_ca_refuses_missing_or_damaged_requests(two):
    with pytest.raises(LabError, match="no request file"):
        two.ca_issue("ServerA", r"C:\nothing.req")
    two.server("ServerA").fs.write(r"C:\bad.req", "-----BEGIN NEW CERTIFICATE REQUEST-----\r\nAAAA\r\n"
                                                   "-----END NEW CERTIFICATE REQUEST-----\r\n")
    with pytest.raises(LabError, match="the CA refused"):
        two.ca_issue("ServerA", r"C:\bad.req")
    assert two.journal == []


def test_journal_replay_gives_the_same_thumbprints(tmp_path):
    state = tmp_path / "state.json"
    lab = casl.open_lab("two-servers", state=state)
    sh = ems(lab)
    cert = _complete(lab, sh)
    sh.run(f"Enable-ExchangeCertificate -Thumbprint {cert.thumbprint} -Services IIS")
    before = [c.thumbprint for c in lab.server("ServerA").certificates]
    assert any(e[0] == "ca" for e in lab.journal)
    again = casl.open_lab("two-servers", state=state)
    assert [c.thumbprint for c in again.server("ServerA").certificates] == before
    assert again.server("ServerA").ssl_certs["0.0.0.0:443"][0] == cert.thumbprint
    assert again.server("ServerA").certificate(cert.thumbprint).has_private_key
    assert again.browse("UserA", "https://mail.contoso.com/owa").outcome == "ok"


def test_a_pending_request_on_the_other_server_does_not_lend_its_key(two):
    sh_a, sh_b = ems(two, "ServerA"), ems(two, "ServerB")
    request(sh_a)
    request(sh_b, r"\\ServerB\c$\certreq.req")
    a_keys = {k.label for k in two.server("ServerA").keys.values()}
    b_keys = {k.label for k in two.server("ServerB").keys.values()}
    assert a_keys and b_keys and not a_keys & b_keys
    two.ca_issue("ServerA", r"C:\certreq.req", out_path=r"\\ServerB\c$\from-a.cer")
    sh_b.run(r"Import-ExchangeCertificate -FileName C:\from-a.cer")
    assert not newest(two, "ServerB").has_private_key
    assert any(c.pending for c in two.server("ServerB").certificates)   # ServerB's own request is still waiting


def test_a_new_self_signed_certificate_bound_to_444_repairs_the_proxy(two):
    sh = ems(two)
    srv = two.server("ServerA")
    cert = _complete(two, sh)
    sh.run(f"Enable-ExchangeCertificate -Thumbprint {cert.thumbprint} -Services IIS")
    old = srv.ssl_certs["0.0.0.0:444"][0]
    sh.run(f"Remove-ExchangeCertificate -Thumbprint {old} -Confirm:$false")
    assert two.browse("UserA", "https://mail.contoso.com/owa").outcome != "ok"
    # The Exchange Management Shell on ServerA needs ServerA's 444 too: work from ServerB's
    assert "JobFailure" in sh.run("Get-ExchangeCertificate")
    sh_b = ems(two, "ServerB")
    # a bare New-ExchangeCertificate replaces the default SMTP certificate, so it asks first ...
    fresh = sh_b.run("New-ExchangeCertificate -Server ServerA")
    assert "FullyQualifiedErrorId" not in fresh      # the old default is gone: nothing to replace
    new = newest(two)
    assert (new.subject, new.dns_names, new.root_ca_type) == ("CN=ServerA", ("ServerA", "ServerA.contoso.com"),
                                                              "Registry")
    assert cm.services_of(srv, new) == ["IMAP", "POP", "SMTP"] and new.has_private_key
    again = sh_b.run("New-ExchangeCertificate -Server ServerA")
    assert "Overwrite the existing default SMTP certificate" in again and newest(two) is new
    # ... then 444 is bound to it the way the fix describes (netsh, as after KB2971270)
    sh.run("netsh http delete sslcert ipport=0.0.0.0:444")
    sh.run(f"netsh http add sslcert ipport=0.0.0.0:444 certhash={new.thumbprint} "
           "appid={4dc3e181-e14b-4a21-b022-59fc669b0914}")
    assert srv.ssl_certs["0.0.0.0:444"][0] == new.thumbprint
    assert two.browse("UserA", "https://mail.contoso.com/owa").outcome == "ok"
    star = sh.run(f"Get-ExchangeCertificate {new.thumbprint} | fl *")     # ServerA's own shell works again
    assert re.search(r"^Services\s+: IMAP, POP, IIS, SMTP$", star, re.M)
