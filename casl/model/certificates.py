"""Certificates as a server's machine store holds them (Cert:\\LocalMachine\\My).

A record carries what Exchange and IIS show about a certificate; ``der`` holds the real
certificate when the lab PKI made one, so the same object can be inspected with real X.509 tools.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class Certificate:
    thumbprint: str
    subject: str
    issuer: str
    friendly_name: str
    dns_names: tuple[str, ...]
    not_before: datetime
    not_after: datetime
    services: str = "None"
    has_private_key: bool = True
    self_signed: bool = False
    root_ca_type: str = "None"
    private_key_exportable: bool = False
    serial_number: str = ""
    der: bytes | None = field(default=None, repr=False)

    def in_date(self, at: datetime) -> bool:
        return self.not_before <= at <= self.not_after


def lab_thumbprint(*parts: object) -> str:
    """A stable 40-hex-digit thumbprint for a lab certificate record that has no DER yet.

    >>> len(lab_thumbprint("ServerA", "Microsoft Exchange"))
    40
    """
    return hashlib.sha1("/".join(map(str, parts)).encode()).hexdigest().upper()
