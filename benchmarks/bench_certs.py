"""Speed of the lab PKI, the trust checks and certificate reading, each against a baseline from this run.

Run standalone: ``python benchmarks/bench_certs.py``.
"""
from __future__ import annotations

from _timing import median as _median  # (importing _timing also puts the repository on sys.path)



def run() -> list[dict]:
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509 import verification as v

    from casl.certs import pki, trust
    from casl.certs.inspect import inspect_all

    def cold_pki():
        pki.lab_key.cache_clear()
        pki._key_texts.cache_clear()
        pki.LabPki(pki.COURSE_CLOCK).all()

    def one_rsa_key():
        rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def warm_pki():
        pki.LabPki(pki.COURSE_CLOCK).all()

    lab = pki.lab_pki()
    leaf = lab.get("multi-name")
    store = v.Store([lab.fabrikam_root.cert])

    def raw_verify():
        (v.PolicyBuilder().store(store).time(lab.clock)
         .build_server_verifier(v.DNSName("mail.contoso.com")).verify(leaf.cert, list(leaf.chain)))

    def three_questions():
        trust.check(leaf, "mail.contoso.com", store="outside")

    bundle = "".join(c.pem() for c in lab.all()).encode()

    def raw_load():
        x509.load_pem_x509_certificates(bundle)

    def casl_inspect():
        inspect_all(bundle)

    from casl.certs import three_questions as stable_three_questions

    serial = iter(range(10**6))

    def issue_and_ask():
        host = f"host{next(serial)}.contoso.com"    # a new name each time: no certificate comes from a cache
        cert = lab.issue([host, "autodiscover.contoso.com"], issuer="contoso")
        stable_three_questions(cert, host, "domain-joined", lab.clock)

    rsa_s = _median(one_rsa_key, 9)
    return [
        {"name": "issue a lab certificate + casl.certs.three_questions", "median_s": _median(issue_and_ask, 20),
         "baseline": "generate one RSA-2048 key", "baseline_median_s": rsa_s, "target": "< 1x baseline"},
        {"name": "lab PKI cold build (3 CAs + 11 certificates, keys loaded from file)",
         "median_s": _median(cold_pki, 5), "baseline": "generate one RSA-2048 key",
         "baseline_median_s": rsa_s, "target": "< 1x baseline: the whole PKI costs less than generating one key"},
        {"name": "lab PKI warm build (keys cached in the process)",
         "median_s": _median(warm_pki, 5), "baseline": "generate one RSA-2048 key",
         "baseline_median_s": rsa_s, "target": "< 0.5x baseline"},
        {"name": "trust.check: three questions + usage (4 path verifications)",
         "median_s": _median(three_questions, 30), "baseline": "one ServerVerifier.verify",
         "baseline_median_s": _median(raw_verify, 30), "target": "< 10x baseline"},
        {"name": "inspect_all on an 11-certificate PEM bundle",
         "median_s": _median(casl_inspect, 20), "baseline": "x509.load_pem_x509_certificates",
         "baseline_median_s": _median(raw_load, 20), "target": "< 50x baseline (it also checks signatures)"},
    ]


if __name__ == "__main__":
    for row in run():
        ratio = row["median_s"] / row["baseline_median_s"] if row["baseline_median_s"] else float("nan")
        print(f"{row['name']}: {row['median_s'] * 1000:.2f} ms | {row['baseline']}: "
              f"{row['baseline_median_s'] * 1000:.2f} ms | x{ratio:.1f} | target {row['target']}")
