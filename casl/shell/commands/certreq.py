"""certreq.exe -submit: send a request to a certification authority and save its answer.

On a real domain, ``certreq -submit -config "DC01.contoso.com\\Contoso Root CA" req.req out.cer``
sends a request to an enterprise CA and writes the issued certificate. In the lab the CA named in
``-config`` picks the lab PKI's issuer (the enterprise "contoso" CA, or the public "fabrikam" one),
through the same code as :meth:`casl.labs.Lab.ca_issue`; as a typed command it is journaled with
everything else the learner types.
"""
from __future__ import annotations

from casl.errors import LabError
from casl.shell.registry import command

USAGE = ("Usage:\n  CertReq -submit [Options] [RequestFileIn [CertFileOut [CertChainFileOut [FullResponseFileOut]]]]\n"
         "  Submit a request to a Certification Authority.\n\n"
         "Options:\n  -config ConfigString -- Server\\CertificationAuthority\n")
# -config text -> lab issuer; the enterprise CA is the default, as on a domain with one CA
ISSUERS = (("fabrikam", "fabrikam"), ("contoso", "contoso"))
REQUEST_IDS = {"contoso": 12, "fabrikam": 4711}   # UNCONFIRMED: any number; fixed so output is stable


@command("certreq", native=True, changes_state=True)
def certreq(ctx, args, items):
    """certreq.exe: only -submit is modelled (the other verbs print the usage)."""
    words = list(args["args"])
    lowered = [w.lower() for w in words]
    if not lowered or lowered[0] not in ("-submit", "/submit"):
        return [USAGE]
    config, files, i = "", [], 1
    while i < len(words):
        if lowered[i] in ("-config", "/config") and i + 1 < len(words):
            config, i = words[i + 1], i + 2
            continue
        if lowered[i].startswith(("-", "/")):
            i += 1           # -attrib and the like: accepted, not modelled
            continue
        files.append(words[i])
        i += 1
    if not files:
        return ["Certificate Request Processor: The system cannot find the file specified. 0x80070002 "
                "(WIN32: 2 ERROR_FILE_NOT_FOUND)\n"]
    issuer = next((name for key, name in ISSUERS if key in config.lower()), "contoso")
    try:
        out = ctx.lab._ca_issue(ctx.server.name, files[0], issuer, files[1] if len(files) > 1 else None)
    except LabError as exc:
        return [f"Certificate Request Processor: {exc} 0x80070002 (WIN32: 2 ERROR_FILE_NOT_FOUND)\n"]
    rid = REQUEST_IDS[issuer]
    return [f'RequestId: {rid}\nRequestId: "{rid}"\nCertificate retrieved(Issued) Issued\n']
