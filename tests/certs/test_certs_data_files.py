"""The lab files shipped in data/certs are exactly what the code makes (no drift)."""
from __future__ import annotations

import re
from pathlib import Path

from casl.certs.inspect import inspect, inspect_all
from casl.certs.pki import lab_pki
from casl.paths import data_path

LAB_DIR = data_path("certs/lab")


def test_shipped_files_match_the_code():
    lab = lab_pki()
    for c in lab.all():
        assert (LAB_DIR / f"{c.label}.cer").read_bytes() == c.der(), c.label
        assert (LAB_DIR / f"{c.label}.pem").read_text() == c.pem(with_chain=True), c.label
    assert (LAB_DIR / "Contoso-Root-CA.cer").read_bytes() == lab.contoso_root.der()


def test_readme_thumbprints_are_current():
    text = data_path("certs/README.md").read_text()
    lab = lab_pki()
    for c in lab.all():
        row = re.search(rf"^\| `{re.escape(c.label)}` \| ([0-9A-F]{{40}}) \|", text, re.M)
        assert row and row.group(1) == c.thumbprint, c.label


def test_key_file_is_marked_lab_only():
    head = data_path("certs/lab-only-keys.pem").read_text().splitlines()[0]
    assert "LAB ONLY - NEVER USE" in head


def test_shipped_files_read_back():
    for p in sorted(Path(LAB_DIR).glob("*.cer")):
        assert inspect(p).format == "DER"
    assert len(inspect_all(LAB_DIR / "multi-name.pem")) == 2
