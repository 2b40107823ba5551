"""The two names outside checks call: casl.certs.inspect(...) and casl.certs.three_questions(...)."""
from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest

import casl.certs
from casl.certs.pki import lab_pki
from casl.errors import CertificateError


@pytest.fixture(scope="module")
def cert_files(fixtures_dir):
    files = sorted(p for p in (fixtures_dir / "certs").rglob("*") if p.suffix in (".pem", ".der"))
    assert files
    return files


def run_fresh(code: str, *args: str) -> str:
    """Run ``code`` in a new interpreter, so the import order is the one the code chooses."""
    done = subprocess.run([sys.executable, "-c", code, *map(str, args)], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


ORDERS = {
    "package first": """
import sys, casl.certs
a = casl.certs.inspect(sys.argv[1]).thumbprint
import casl.certs.inspect as m
from casl.certs.inspect import inspect
print(a, casl.certs.inspect(sys.argv[1]).thumbprint, m.inspect(sys.argv[1]).thumbprint, inspect(sys.argv[1]).thumbprint)
""",
    "submodule first": """
import sys
import casl.certs.inspect as m
import casl.certs
from casl.certs.inspect import inspect
print(casl.certs.inspect(sys.argv[1]).thumbprint, m(sys.argv[1]).thumbprint, m.inspect(sys.argv[1]).thumbprint, inspect(sys.argv[1]).thumbprint)
""",
    "from-import first": """
import sys
from casl.certs.inspect import inspect
import casl.certs
print(casl.certs.inspect(sys.argv[1]).thumbprint, inspect(sys.argv[1]).thumbprint, casl.certs.inspect.inspect(sys.argv[1]).thumbprint, casl.certs.inspect(sys.argv[1], password=None).thumbprint)
""",
    "from casl.certs import inspect": """
import sys
from casl.certs import inspect
import casl.certs.inspect
print(inspect(sys.argv[1]).thumbprint, casl.certs.inspect(sys.argv[1]).thumbprint, inspect.inspect(sys.argv[1]).thumbprint, inspect.inspect_all(sys.argv[1])[0].thumbprint)
""",
}


@pytest.mark.parametrize("order", sorted(ORDERS))
def test_inspect_is_callable_in_every_import_order(order, fixtures_dir):
    path = fixtures_dir / "certs" / "public" / "wildcard-san.pem"
    expected = casl.certs.inspect.inspect(path).thumbprint
    assert run_fresh(ORDERS[order], path).split() == [expected] * 4


def test_inspect_reads_every_shared_fixture(cert_files):
    import casl.certs.inspect as module
    from casl.certs.inspect import inspect as function
    for path in cert_files:
        got = casl.certs.inspect(path)
        want = function(path)
        from_bytes = module(path.read_bytes())
        thumbs = [[i.thumbprint for i in (x if isinstance(x, list) else [x])]
                  for x in (got, want, from_bytes)]
        assert thumbs[0] == thumbs[1] == thumbs[2], path
    assert casl.certs.inspect is module


def test_inspect_errors_stay_certificate_errors():
    with pytest.raises(CertificateError, match="not a certificate"):
        casl.certs.inspect(b"hello")


def test_import_casl_certs_stays_cheap():
    out = run_fresh("import sys, casl, casl.certs; print('cryptography' in sys.modules, "
                    "any(m.startswith('casl.certs.') for m in sys.modules))")
    assert out == "False False"


def test_three_questions_is_a_package_name():
    from casl.certs import three_questions
    from casl.certs.api import three_questions as direct
    assert three_questions is direct is casl.certs.three_questions


# -- three_questions -----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def lab():
    return lab_pki()


def test_every_form_of_certificate_gives_the_same_answers(lab, tmp_path):
    c = lab.get("multi-name")
    pem_file = tmp_path / "multi.pem"
    pem_file.write_text(c.pem(with_chain=True))
    root_file = tmp_path / "root.cer"
    root_file.write_bytes(lab.fabrikam_root.der())
    forms = [c, [c.cert, *c.chain], str(pem_file), pem_file, c.pem(with_chain=True),
             c.pem(with_chain=True).encode(), [c.der(), c.chain[0]]]
    for form in forms:
        for trust in ([lab.fabrikam_root.cert], [root_file], str(root_file), "outside"):
            r = casl.certs.three_questions(form, "autodiscover.contoso.com", trust, lab.clock)
            assert (r.trusted, r.in_date, r.name_matches, r.ok) == (True, True, True, True), (form, trust)


def test_missing_intermediate_means_untrusted(lab):
    leaf = lab.get("multi-name").cert       # no Fabrikam Public Issuing CA 1 alongside
    r = casl.certs.three_questions(leaf, "mail.contoso.com", [lab.fabrikam_root.cert], lab.clock)
    assert (r.trusted, r.in_date, r.name_matches, r.ok) == (False, True, True, False)
    assert r.failed == ["issuer"]


@pytest.mark.parametrize("label, host, roots, failed", [
    ("mail-only", "autodiscover.contoso.com", ["fabrikam"], ["name"]),
    ("internal-ca", "mail.contoso.com", ["fabrikam"], ["issuer"]),
    ("internal-ca", "mail.contoso.com", ["contoso"], []),
    ("expired", "mail.contoso.com", ["fabrikam"], ["dates"]),
    ("not-yet-valid", "autodiscover.contoso.com", ["fabrikam"], ["dates"]),
    ("wildcard", "contoso.com", ["fabrikam"], ["name"]),
    ("wildcard", "mail.contoso.com", ["fabrikam"], []),
    ("expired", "owa.contoso.com", ["contoso"], ["issuer", "dates", "name"]),
])
def test_the_failing_question_is_named(lab, label, host, roots, failed):
    r = casl.certs.three_questions(lab.get(label), host, lab.roots(roots), lab.clock)
    assert r.failed == failed
    assert r.ok is (not failed)
    text, md = repr(r), r._repr_markdown_()
    if failed:
        assert f"FAILED {', '.join(failed)}" in text and f"**FAILED** ({', '.join(failed)})" in md
    else:
        assert "OK" in text and "**OK**" in md
    assert str(r) == text
    assert md.count("| NO |") == len(failed)


def test_naive_time_is_utc(lab):
    c = lab.get("expired")
    before = (c.not_after - timedelta(minutes=1)).replace(tzinfo=None)
    naive = casl.certs.three_questions(c, "mail.contoso.com", lab.roots(["fabrikam"]), before)
    aware = casl.certs.three_questions(c, "mail.contoso.com", lab.roots(["fabrikam"]),
                                       before.replace(tzinfo=timezone.utc))
    assert naive.in_date and aware.in_date and naive.at == aware.at
    after = casl.certs.three_questions(c, "mail.contoso.com", lab.roots(["fabrikam"]),
                                       datetime(2014, 9, 3, 0, 0))
    assert not after.in_date


def test_usage_is_reported_beside_the_three(lab):
    r = casl.certs.three_questions(lab.get("no-server-auth"), "mail.contoso.com", lab.roots(["contoso"]),
                                   lab.clock)
    assert r.ok and not r.usage_ok
    assert "not made for a TLS server" in repr(r)


def test_bad_input_is_a_certificate_error(lab):
    with pytest.raises(CertificateError, match="expected a certificate"):
        casl.certs.three_questions(42, "mail.contoso.com", [], lab.clock)
    with pytest.raises(CertificateError, match="no such file"):
        casl.certs.three_questions("/nonexistent/x.cer", "mail.contoso.com", [], lab.clock)
    with pytest.raises(CertificateError, match="at must be a datetime"):
        casl.certs.three_questions(lab.get("wildcard"), "mail.contoso.com", [], "2014-10-02")
    with pytest.raises(CertificateError, match="trust must list"):
        casl.certs.three_questions(lab.get("wildcard"), "mail.contoso.com", None, lab.clock)
    with pytest.raises(CertificateError, match="host name"):
        casl.certs.three_questions(lab.get("wildcard"), "", [], lab.clock)


@pytest.mark.parametrize("name", ["casl.certs", "casl.certs.api", "casl.certs.live"])
def test_docstring_examples(name):
    import doctest
    import importlib
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


def test_a_lab_clock_object_is_a_moment(lab):
    class Clock:
        def now(self):
            return datetime(2014, 9, 3, 0, 0, tzinfo=timezone.utc)
    r = casl.certs.three_questions(lab.get("expired"), "mail.contoso.com", lab.roots(["fabrikam"]), Clock())
    assert r.failed == ["dates"] and r.at == Clock().now()
