"""Real X.509 for the course: a lab PKI, the three trust questions, and reading certificate files.

Nothing heavy is imported here; each submodule imports ``cryptography`` when it is used.

>>> from casl.certs import pki, trust
>>> lab = pki.lab_pki()
>>> print(trust.check(lab.get("mail-only"), "autodiscover.contoso.com", store="outside"))
autodiscover.contoso.com (outside): FAILED name - autodiscover.contoso.com is not on the certificate (it has mail.contoso.com)

Two names stay stable for outside checks:

* ``casl.certs.inspect(path_or_bytes, password=None)`` reads a certificate file. The name is
  also the submodule :mod:`casl.certs.inspect`; that module is made callable, so
  ``casl.certs.inspect(path)``, ``casl.certs.inspect.inspect(path)`` and
  ``from casl.certs.inspect import inspect`` all work, whatever was imported first.
* ``casl.certs.three_questions(cert, name, trust, at)`` answers the three questions
  (see :mod:`casl.certs.api`).

>>> import casl.certs
>>> casl.certs.inspect(lab.get("wildcard").der()).dns_names
('*.contoso.com',)

Submodules: :mod:`casl.certs.pki` (make certificates), :mod:`casl.certs.trust` (do I trust it?),
:mod:`casl.certs.inspect` (read PEM/DER/PFX files), :mod:`casl.certs.names` (which clients work
with which names on the certificate), :mod:`casl.certs.live` (a real TLS handshake on
127.0.0.1 with Python's ``ssl``, i.e. OpenSSL).
"""
from __future__ import annotations

import sys
import types

__all__ = ["pki", "trust", "inspect", "names", "live", "api", "three_questions"]
_SUBMODULES = ("pki", "trust", "inspect", "names", "live", "api")
# Functions that live in a submodule but are offered here: name -> submodule.
_FUNCTIONS = {"three_questions": "api"}


class _CallableInspectModule(types.ModuleType):
    """The :mod:`casl.certs.inspect` module, callable as its own ``inspect`` function."""

    def __call__(self, path_or_bytes, password: str | bytes | None = None):
        return self.inspect(path_or_bytes, password=password)


def _callable(module):
    # Swapping a module's class keeps the very same object (and its sys.modules entry), so
    # nothing can hold a non-callable copy of it.
    if isinstance(module, types.ModuleType) and not isinstance(module, _CallableInspectModule):
        module.__class__ = _CallableInspectModule
    return module


class _CertsPackage(types.ModuleType):
    # The import system binds a freshly loaded submodule with setattr(package, name, module);
    # catching that one setattr makes ``casl.certs.inspect`` callable in every import order.
    def __setattr__(self, name, value):
        if name == "inspect" and getattr(value, "__name__", None) == "casl.certs.inspect":
            value = _callable(value)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _CertsPackage


def __getattr__(name: str):
    import importlib
    if name in _SUBMODULES:
        module = importlib.import_module(f"casl.certs.{name}")
        return _callable(module) if name == "inspect" else module
    if name in _FUNCTIONS:
        return getattr(importlib.import_module(f"casl.certs.{_FUNCTIONS[name]}"), name)
    raise AttributeError(f"module 'casl.certs' has no attribute '{name}'")


def __dir__():
    return sorted(set(globals()) | set(__all__))
