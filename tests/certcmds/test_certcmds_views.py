"""What Get-ExchangeCertificate prints, against the facts sheet and the 2013 sample; determinism across processes."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from casl.parse.formatlist import parse

from certcmds_helpers import ems, newest, request

SAMPLE = Path(__file__).resolve().parents[1] / "parse" / "data" / "formatlist" / "ex01-Get-ExchangeCertificate.txt"


def test_default_table_has_thumbprint_services_subject(two):
    sh = ems(two)
    lines = sh.run("Get-ExchangeCertificate").strip("\n").splitlines()
    assert lines[0] == "Thumbprint                                Services   Subject"
    assert lines[1] == "----------                                --------   -------"
    rows = {ln.split()[2]: ln.split()[1] for ln in lines[2:]}
    # the self-signed default, the Auth certificate, WMSvc (facts 1.3 and 7.1)
    assert rows == {"CN=ServerA": "IP.WS..", "CN=Microsoft": "....S..", "CN=WMSvc-ServerA": "......."}


def test_format_list_matches_the_2013_sample_field_for_field(two):
    sh = ems(two)
    ours = parse(sh.run("Get-ExchangeCertificate | fl"))
    sample = parse(SAMPLE.read_text(encoding="utf-8"))
    assert [list(o) for o in ours] == [list(o) for o in sample]
    mine = next(o for o in ours if o["Subject"] == "CN=ServerA")
    theirs = next(o for o in sample if o["Subject"] == "CN=EX01")
    for field in ("HasPrivateKey", "IsSelfSigned", "PublicKeySize", "RootCAType", "Services", "Status"):
        assert mine[field] == theirs[field], field
    # the wrapped collection: the same three console lines as the sample
    block = sh.run("Get-ExchangeCertificate | fl").splitlines()[1:4]
    assert block == SAMPLE.read_text(encoding="utf-8").splitlines()[2:5]


def test_format_list_star_adds_the_facts_sheet_fields(two, domain_dir):
    sh = ems(two)
    request(sh)
    star = parse(sh.run(f"Get-ExchangeCertificate {newest(two).thumbprint} | fl *"))[0]
    facts = (domain_dir / "exchange2013-facts.md").read_text(encoding="utf-8")
    line = next(ln for ln in facts.splitlines() if "`| fl *` adds" in ln)
    extra = re.search(r"`\| fl \*` adds (.*?)\. CONFIRMED", line).group(1)
    wanted = [w.split(" (")[0].strip() for w in extra.split(", ")]
    assert set(wanted) <= set(star), set(wanted) - set(star)
    assert star["Status"] == "PendingRequest" and star["RootCAType"] == "Unknown"
    assert star["CertificateRequest"].startswith("MII")


def test_same_commands_same_bytes_in_two_fresh_processes(tmp_path):
    script = r'''
import json, sys
sys.path.insert(0, sys.argv[1])
import casl
from certcmds_helpers import ems, request
lab = casl.open_lab("two-servers", state=None)
sh = ems(lab)
request(sh)
lab.ca_issue("ServerA", r"C:\certreq.req", issuer="fabrikam")
sh.run(r"Import-ExchangeCertificate -FileName C:\certreq.cer")
srv = lab.server("ServerA")
print(json.dumps({"req": srv.fs.read(r"C:\certreq.req"), "cer": srv.fs.read(r"C:\certreq.cer"),
                  "thumbs": [c.thumbprint for c in srv.certificates], "table": sh.run("Get-ExchangeCertificate")}))
'''
    here = str(Path(__file__).resolve().parent)
    runs = [subprocess.run([sys.executable, "-c", script, here], capture_output=True, text=True, check=True,
                           cwd=tmp_path).stdout for _ in range(2)]
    a, b = (json.loads(r) for r in runs)
    assert a == b
    assert a["cer"].startswith("-----BEGIN CERTIFICATE-----")
    assert len(a["thumbs"]) == 4


def test_the_certificates_lab_starts_with_setup_certificates_only():
    import casl
    lab = casl.open_lab("certificates", state=None)
    sh = ems(lab)
    assert [c.subject for c in lab.server("ServerB").certificates] == [
        "CN=ServerB", "CN=Microsoft Exchange Server Auth Certificate", "CN=WMSvc-ServerB"]
    assert "PendingRequest" not in sh.run("Get-ExchangeCertificate | fl")
    assert lab.browse("UserA", "https://mail.contoso.com/owa").outcome == "certificate-warning"


def test_documented_byte_reading_forms_read_the_same_bytes(two):
    sh = ems(two, "ServerB")
    two.server("ServerA").fs.write(r"C:\share\x.cer", "-----BEGIN CERTIFICATE-----\r\nAAAA\r\n")
    one = sh.run(r"$a = [System.IO.File]::ReadAllBytes('\\ServerA\c$\share\x.cer'); $a.Count")
    two_ = sh.run(r"$b = [Byte[]](Get-Content -Encoding Byte -Path \\ServerA\c$\share\x.cer -ReadCount 0); $b.Count")
    assert one.strip() == two_.strip() == "35"
    assert "Cannot find path" in sh.run(r"Get-Content -Encoding Byte -Path \\ServerA\c$\nope.cer -ReadCount 0")
