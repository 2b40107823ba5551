"""Real X.509 for the course: a lab PKI, the three trust questions, and reading certificate files.

Nothing heavy is imported here; each submodule imports ``cryptography`` when it is used.

>>> from casl.certs import pki, trust
>>> lab = pki.lab_pki()
>>> print(trust.check(lab.get("mail-only"), "autodiscover.contoso.com", store="outside"))
autodiscover.contoso.com (outside): FAILED name - autodiscover.contoso.com is not on the certificate (it has mail.contoso.com)

Submodules: :mod:`casl.certs.pki` (make certificates), :mod:`casl.certs.trust` (do I trust it?),
:mod:`casl.certs.inspect` (read PEM/DER/PFX files), :mod:`casl.certs.names` (which clients work
with which names on the certificate).
"""
from __future__ import annotations

__all__ = ["pki", "trust", "inspect", "names"]


def __getattr__(name: str):
    if name in __all__:
        import importlib
        return importlib.import_module(f"casl.certs.{name}")
    raise AttributeError(f"module 'casl.certs' has no attribute '{name}'")
