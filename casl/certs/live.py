"""A real TLS handshake on this machine: a lab certificate served on 127.0.0.1, checked by OpenSSL.

:func:`serve` runs a TLS server thread with a certificate and key; :func:`connect` opens a
connection with Python's ``ssl`` module (OpenSSL underneath) the way a client would, and gives
back OpenSSL's own verdict. :func:`demo` does both in one call for the notebook.

OpenSSL judges dates by the machine's real clock, not the lab clock, so :func:`demo` issues
its certificates around the real current time (this module is the one place that does). The
lab's standard certificates, dated around 2014, are all expired as far as OpenSSL is concerned.

>>> print(demo(["mail.contoso.com"], "autodiscover.contoso.com"))
certificate for mail.contoso.com issued by contoso; client trusts contoso; connects as autodiscover.contoso.com
OpenSSL: FAILED (name): certificate verify failed: Hostname mismatch, certificate is not valid for 'autodiscover.contoso.com'.
three questions: trusted issuer: yes, in date: yes, name on certificate: NO
"""
from __future__ import annotations

import contextlib
import os
import socket
import ssl
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Iterator, Sequence

from cryptography.hazmat.primitives import serialization

from casl.certs.api import ThreeAnswers, certificates, three_questions
from casl.errors import CertificateError

HOST = "127.0.0.1"
# OpenSSL's verify error codes (X509_V_ERR_*) -> the question a learner asks.
VERIFY_QUESTION = {
    2: "issuer",    # unable to get issuer certificate
    9: "dates",     # certificate is not yet valid
    10: "dates",    # certificate has expired
    18: "issuer",   # self-signed certificate
    19: "issuer",   # self-signed certificate in certificate chain
    20: "issuer",   # unable to get local issuer certificate
    21: "issuer",   # unable to verify the first certificate
    26: "usage",    # unsupported certificate purpose
    62: "name",     # hostname mismatch
    64: "name",     # IP address mismatch
}
# demo(trust=...) and demo(issuer=...) words -> which lab root.
_ROOTS = {"contoso": "contoso", "fabrikam": "fabrikam", "public": "fabrikam"}


# -- the server -----------------------------------------------------------------------------------
class Server:
    """A running TLS server on 127.0.0.1 (what :func:`serve` yields). Holds no key material."""

    def __init__(self, context: ssl.SSLContext, subject: str, timeout: float):
        self.subject = subject
        self.timeout = timeout
        self.handshakes = 0          # completed TLS handshakes
        self.failed_handshakes = 0   # the client hung up or refused the certificate
        self._context = context
        self._stop = threading.Event()
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind((HOST, 0))   # port 0: the OS picks a free one
        self._sock.listen(8)
        self._sock.settimeout(0.1)   # so the loop sees stop/deadline promptly
        self.host, self.port = self._sock.getsockname()[:2]
        self.thread = threading.Thread(target=self._run, name=f"casl-tls-{self.port}", daemon=True)

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return f"<casl TLS server {self.host}:{self.port} for {self.subject!r}, {state}>"

    @property
    def running(self) -> bool:
        return self.thread.is_alive()

    def stop(self, wait: float = 5.0) -> None:
        """Stop accepting and wait for the thread to end."""
        self._stop.set()
        if self.thread.is_alive() and threading.current_thread() is not self.thread:
            self.thread.join(wait)

    def _run(self) -> None:
        deadline = time.monotonic() + self.timeout
        try:
            while not self._stop.is_set() and time.monotonic() < deadline:
                try:
                    conn, _ = self._sock.accept()
                except (socket.timeout, BlockingIOError):
                    continue
                except OSError:
                    break
                self._handshake(conn, deadline)
        finally:
            self._sock.close()

    def _handshake(self, conn: socket.socket, deadline: float) -> None:
        conn.settimeout(max(0.1, min(5.0, deadline - time.monotonic())))
        try:
            with self._context.wrap_socket(conn, server_side=True) as tls:
                self.handshakes += 1
                with contextlib.suppress(OSError):
                    tls.sendall(b"casl lab TLS server: handshake complete\n")
        except (ssl.SSLError, OSError):
            self.failed_handshakes += 1
        finally:
            conn.close()


@contextlib.contextmanager
def serve(cert, key=None, chain: Sequence = (), *, timeout: float = 60.0) -> Iterator[Server]:
    """Serve ``cert`` (with ``key`` and intermediates ``chain``) over TLS on 127.0.0.1, an OS-picked port.

    ``cert`` is a lab certificate (its key and chain come along) or any certificate form with
    ``key`` a private key object or PEM bytes. The server stops at the end of the ``with``
    block, or by itself ``timeout`` seconds after it started.

    >>> from casl.certs.pki import lab_pki
    >>> with serve(issue_now(["mail.contoso.com"], now=datetime.now(timezone.utc))) as srv:
    ...     print(connect(srv.port, "mail.contoso.com", trust=[lab_pki().contoso_root.cert]))
    OK: OpenSSL accepted the certificate for mail.contoso.com
    """
    certs = certificates(cert)
    if not certs:
        raise CertificateError("serve() needs a certificate")
    key = key if key is not None else getattr(cert, "key", None)
    if key is None:
        raise CertificateError("serve() needs the certificate's private key")
    chain = list(chain) or certs[1:]
    context = _server_context(certs[0], key, certificates(chain))
    server = Server(context, certs[0].subject.rfc4514_string(), timeout)
    server.thread.start()
    try:
        yield server
    finally:
        server.stop()


def _server_context(leaf, key, chain) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    cert_pem = b"".join(c.public_bytes(serialization.Encoding.PEM) for c in [leaf, *chain])
    key_pem = _key_pem(key)
    # ssl wants files; they live only as long as loading takes, in a private directory.
    with tempfile.TemporaryDirectory(prefix="casl-tls-") as folder:
        cert_file, key_file = os.path.join(folder, "cert.pem"), os.path.join(folder, "key.pem")
        for path, data in ((cert_file, cert_pem), (key_file, key_pem)):
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
        try:
            ctx.load_cert_chain(cert_file, key_file)
        except ssl.SSLError as exc:
            raise CertificateError(f"the certificate and key do not go together ({exc.reason})") from None
    return ctx


def _key_pem(key) -> bytes:
    if isinstance(key, (bytes, str)):
        data = key.encode() if isinstance(key, str) else key
        if b"PRIVATE KEY-----" not in data:
            raise CertificateError("key must be a private key object or PEM text of one")
        return data
    if hasattr(key, "private_bytes"):
        return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                 serialization.NoEncryption())
    raise CertificateError(f"key must be a private key object or PEM text, got {type(key).__name__}")


# -- the client -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Handshake:
    """What OpenSSL said about one connection: ``ok``, its message, and which question failed."""
    server_name: str
    ok: bool
    message: str
    verify_code: int | None = None
    question: str | None = None      # "issuer", "dates", "name", "usage" (None when ok)
    tls_version: str | None = field(default=None, compare=False)

    def summary(self) -> str:
        """Deterministic text: no ports, no times, no thumbprints."""
        if self.ok:
            return f"OK: OpenSSL accepted the certificate for {self.server_name}"
        return f"FAILED ({self.question or 'connection'}): {self.message}"

    def __str__(self) -> str:
        return self.summary()

    def __repr__(self) -> str:
        return self.summary()


def connect(port: int, server_name: str, trust: Sequence = (), at: datetime | None = None,
            *, timeout: float = 10.0) -> Handshake:
    """Connect to 127.0.0.1:``port`` as a client of ``server_name`` trusting only ``trust``; OpenSSL decides.

    ``trust`` holds CA certificates in any form. OpenSSL always judges dates by the real
    clock; ``at`` may be given only as (about) the real time, to say so explicitly.
    """
    if at is not None:
        at = at if at.tzinfo else at.replace(tzinfo=timezone.utc)
        if abs(at - datetime.now(timezone.utc)) > timedelta(minutes=5):
            raise CertificateError(f"OpenSSL checks dates against this machine's real clock; it cannot "
                                   f"be asked about {at:%Y-%m-%d %H:%M} UTC (use three_questions for that)")
    roots = certificates(list(trust))
    if roots:
        pem = "".join(c.public_bytes(serialization.Encoding.PEM).decode() for c in roots)
        ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cadata=pem)
    else:    # create_default_context() would load the machine's roots; trust nothing instead
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = True
    ctx.verify_mode = ssl.CERT_REQUIRED
    try:
        with socket.create_connection((HOST, port), timeout=timeout) as raw:
            with ctx.wrap_socket(raw, server_hostname=server_name) as tls:
                return Handshake(server_name, True, "certificate verified",
                                 tls_version=tls.version())
    except ssl.SSLCertVerificationError as exc:
        message = f"certificate verify failed: {exc.verify_message}"
        return Handshake(server_name, False, message, exc.verify_code,
                         VERIFY_QUESTION.get(exc.verify_code, "other"))
    except ssl.SSLError as exc:
        return Handshake(server_name, False, f"TLS error: {exc.reason or exc.strerror}")
    except OSError as exc:
        return Handshake(server_name, False, f"could not connect: {exc.strerror or exc}")


# -- one call for the notebook --------------------------------------------------------------------
@dataclass(frozen=True)
class Demo:
    """A served certificate, OpenSSL's verdict on it and the three answers at the same moment."""
    names: tuple[str, ...]
    connect_as: str
    issuer: str
    trust: tuple[str, ...]
    expired: bool
    openssl: Handshake
    answers: ThreeAnswers = field(repr=False)

    @property
    def ok(self) -> bool:
        return self.openssl.ok

    @property
    def agrees(self) -> bool:
        """OpenSSL's verdict and the three questions say the same thing."""
        return self.openssl.ok == self.answers.ok

    def summary(self) -> str:
        """Deterministic lines for nbval: the certificate, OpenSSL's verdict, the three answers."""
        answers = ", ".join(f"{label}: {'yes' if getattr(self.answers, attr) else 'NO'}"
                            for label, attr in (("trusted issuer", "trusted"), ("in date", "in_date"),
                                                ("name on certificate", "name_matches")))
        return "\n".join([
            f"certificate for {', '.join(self.names)} issued by {self.issuer}"
            f"{' (expired)' if self.expired else ''}; client trusts {', '.join(self.trust) or 'nothing'}; "
            f"connects as {self.connect_as}",
            f"OpenSSL: {self.openssl.summary()}",
            f"three questions: {answers}",
        ])

    def __str__(self) -> str:
        return self.summary()

    def __repr__(self) -> str:
        return self.summary()


def demo(names_on_cert, connect_as: str, issuer: str = "contoso", expired: bool = False,
         trust: Sequence[str] = ("contoso",), *, timeout: float = 30.0) -> Demo:
    """Issue a certificate valid now (or expired), serve it on 127.0.0.1 and connect with OpenSSL.

    ``issuer`` is "contoso", "fabrikam" or "self"; ``trust`` names the roots the client trusts
    ("contoso", "fabrikam", and "self" for the self-signed certificate itself).
    """
    from casl.certs.pki import lab_pki
    names = (names_on_cert,) if isinstance(names_on_cert, str) else tuple(names_on_cert)
    trust = (trust,) if isinstance(trust, str) else tuple(trust)
    unknown = [t for t in trust if t not in (*_ROOTS, "self")]
    if unknown:
        raise CertificateError(f"unknown trust entry {unknown[0]!r}; use 'contoso', 'fabrikam' or 'self'")
    now = datetime.now(timezone.utc)
    cert = issue_now(names, issuer=issuer, expired=expired, now=now)
    lab = lab_pki()
    roots = [cert.cert if t == "self" else lab.roots([_ROOTS[t]])[0] for t in trust]
    with serve(cert, timeout=timeout) as server:
        verdict = connect(server.port, connect_as, trust=roots)
    answers = three_questions([cert.cert, *cert.chain], connect_as, roots, now)
    return Demo(names, connect_as, issuer, trust, expired, verdict, answers)


def issue_now(names, *, issuer: str = "contoso", expired: bool = False, now: datetime):
    """A lab certificate valid around ``now`` (the real time, for OpenSSL), or expired 30 days ago.

    Dates are whole days so repeated calls on one day reuse one certificate.
    """
    from casl.certs.pki import lab_pki
    day = now.astimezone(timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
    not_before = day - timedelta(days=120 if expired else 1)
    return lab_pki().issue(list(names), issuer=issuer, not_before=not_before, days=90,
                           label="live demo")
