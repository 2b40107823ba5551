"""Helpers for the certificate cmdlet tests (a unique module name: tests/ is not a package)."""
from __future__ import annotations

import casl
import casl.shell.commands  # noqa: F401
import casl.shell.commands.exchange_admin  # noqa: F401
import casl.shell.commands.exchange_vdirs  # noqa: F401
import casl.shell.commands.certificates  # noqa: F401
from casl.shell.commands.exchange_admin import open_ems

SUBJECT = "c=US, o=Contoso, cn=mail.contoso.com"
NAMES = "mail.contoso.com,autodiscover.contoso.com"


def ems(lab, server: str = "ServerA"):
    """The Exchange Management Shell on ``server``, strict (casl bugs surface as exceptions)."""
    open_ems(lab, server)
    sh = lab.shell(server)
    sh.strict = True
    return sh


def request(sh, path: str = r"\\ServerA\c$\certreq.req", exportable: bool = True) -> str:
    return sh.run(f'New-ExchangeCertificate -GenerateRequest -SubjectName "{SUBJECT}" -DomainName {NAMES} '
                  f'-PrivateKeyExportable ${str(exportable).lower()} -RequestFile {path}')


def newest(lab, server: str = "ServerA"):
    return lab.server(server).certificates[-1]
