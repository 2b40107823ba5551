"""Helpers for the request-flow tests: labs, the article's browser-on-the-server request, repairs."""
from __future__ import annotations

import pytest

import casl

OWA_ON_A = "https://servera.contoso.com/owa"   # the name on ServerA's self-signed certificate


def open_two(**kw):
    return casl.open_lab("two-servers", state=None, **kw)


def owa(lab, user: str):
    """UserX opening OWA through ServerA with a browser on ServerA (as in the article's demo)."""
    return lab.browse(user, OWA_ON_A, where="ServerA")


@pytest.fixture
def two():
    return open_two()


@pytest.fixture
def namespace_lab(tmp_path):
    """Two servers whose Default Web Site carries an enterprise-CA certificate for mail.contoso.com."""
    p = tmp_path / "ns.toml"
    p.write_text('[lab]\nname = "ns"\ntopology = "two-servers"\nseed = 2014\nclock = "2014-10-02T09:30:00"\n'
                 'namespace_certificate = true\n', encoding="utf-8")
    return casl.open_lab(p, state=None)
