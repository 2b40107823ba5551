"""Labs: a scenario (topology, seed, clock, faults) opened by name, whose state survives restarts.

A lab's state is the scenario plus a journal of what the learner did (commands typed, faults
injected). Opening a lab replays its journal, so the state file stays small and readable, and
the same journal always gives the same world (PIDs and all).

>>> lab = open_lab("two-servers", state=None)
>>> lab.server("ServerB").iis.site("Exchange Back End").id
2
"""
from __future__ import annotations

import hashlib
import json
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from casl.errors import LabError
from casl.paths import labs_dir

STATE_DIR = ".casl"
STATE_VERSION = 1
_CURRENT: "Lab | None" = None


@dataclass(frozen=True)
class Fault:
    name: str
    title: str
    symptom: str
    server: str
    commands: tuple[str, ...]


@dataclass(frozen=True)
class Scenario:
    name: str
    title: str
    topology: str
    seed: int
    clock: str
    faults: tuple[str, ...] = ()
    source: str = ""          # the TOML text, for the state file's fingerprint
    own_faults: tuple[Fault, ...] = ()   # faults declared in the lab file itself ([faults.NAME])
    setup: tuple[tuple[str, str], ...] = ()  # (server, command) run before the faults, e.g. a saved listing
    namespace_certificate: bool = False      # bind an enterprise-CA mail/autodiscover certificate to 443

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256(self.source.encode()).hexdigest()[:16]


def _read_toml(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise LabError(f"{path.name}: not valid TOML ({exc})") from None


def _faults_from(data: dict, origin: str) -> dict[str, Fault]:
    out = {}
    for name, f in data.items():
        if not isinstance(f, dict) or "title" not in f or not f.get("commands"):
            raise LabError(f"{origin}: fault '{name}' needs a title and a list of commands")
        out[name] = Fault(name, f["title"], f.get("symptom", ""), f.get("server", "ServerA"),
                          tuple(f["commands"]))
    return out


def load_faults() -> dict[str, Fault]:
    """Every fault the labs can inject, from ``labs/faults.toml``."""
    return _faults_from(_read_toml(labs_dir() / "faults.toml"), "faults.toml")


def load_scenario(name_or_path: str | os.PathLike) -> Scenario:
    """A scenario by name (``labs/<name>.toml``) or from a TOML file path."""
    p = Path(name_or_path)
    if p.suffix != ".toml":
        p = labs_dir() / f"{name_or_path}.toml"
    if not p.exists():
        known = sorted(x.stem for x in labs_dir().glob("*.toml") if x.stem != "faults")
        raise LabError(f"there is no lab called '{name_or_path}'; labs: {', '.join(known)}")
    text = p.read_text(encoding="utf-8")
    whole = _read_toml(p)
    data = whole.get("lab")
    if not isinstance(data, dict):
        raise LabError(f"{p.name}: a lab file needs a [lab] table")
    own = tuple(_faults_from(whole.get("faults", {}), p.name).values())
    setup = data.get("setup", [])
    if not all(isinstance(x, list) and len(x) == 2 and all(isinstance(y, str) for y in x) for x in setup):
        raise LabError(f"{p.name}: setup is a list of [server, command] pairs")
    try:
        return Scenario(data["name"], data.get("title", data["name"]), data["topology"], int(data["seed"]),
                        data["clock"], tuple(data.get("faults", ())), text, own,
                        tuple((srv, cmd) for srv, cmd in setup), bool(data.get("namespace_certificate")))
    except KeyError as exc:
        raise LabError(f"{p.name}: the [lab] table needs '{exc.args[0]}'") from None


def _notebook_stem() -> str:
    """Which notebook this kernel serves (state is kept per notebook)."""
    name = os.environ.get("JPY_SESSION_NAME", "")
    if not name:
        try:
            from IPython import get_ipython
            ip = get_ipython()
            name = ip.user_ns.get("__session__", "") if ip is not None else ""
        except ImportError:
            name = ""
    return Path(name).stem if name else "default"


class Lab:
    """An opened lab: the organisation, a shell per server, the journal and its state file."""

    def __init__(self, scenario: Scenario, state_path: Path | None):
        self.scenario = scenario
        self.state_path = state_path
        self.journal: list[list] = []
        self.changes = 0
        self.messages: list[str] = []
        self._replaying = False
        self._build()

    # --- building and replaying -------------------------------------------------------------
    def _build(self) -> None:
        from casl.model.org import build_topology
        sc = self.scenario
        self.org = build_topology(sc.topology, seed=sc.seed, start=sc.clock)
        if sc.namespace_certificate:
            from casl.model.org import bind_namespace_certificate
            bind_namespace_certificate(self.org)   # the lab starts with mail.contoso.com on 443
        self._shells: dict[str, object] = {}
        self.changes = 0
        self._replaying = True
        try:
            for server, cmd in sc.setup:
                out = self.shell(server).run(cmd)
                if "FullyQualifiedErrorId" in out:
                    raise LabError(f"lab '{sc.name}': setup command failed on {server}: {out.strip()}")
            for f in sc.faults:
                self._apply_fault(f)
        finally:
            self._replaying = False

    def _replay(self, journal: list[list]) -> None:
        self._replaying = True
        try:
            for entry in journal:
                kind = entry[0]
                if kind == "ps":
                    self.shell(entry[1]).run(entry[2])
                elif kind == "fault":
                    self._apply_fault(entry[1])
                elif kind == "browse":
                    self._browse(*entry[1:])
                elif kind == "eac":
                    self._eac(*entry[1:])
                elif kind == "ca":
                    self._ca_issue(*entry[1:])
                else:
                    raise LabError(f"unknown journal entry '{kind}'")
                self.journal.append(entry)
        finally:
            self._replaying = False

    # --- what notebooks use -----------------------------------------------------------------
    @property
    def name(self) -> str:
        return self.scenario.name

    @property
    def clock(self):
        return self.org.clock

    def server(self, name: str):
        """The model of a server: ``lab.server("ServerA").iis.site("Exchange Back End")``."""
        return self.org.server(name)

    @property
    def servers(self) -> list[str]:
        return list(self.org.servers)

    def shell(self, server: str = ""):
        """A PowerShell session on ``server`` (one per server, kept for the lab's life)."""
        from casl.shell.session import Shell
        srv = self.org.server(server or self.servers[0])
        if srv.name not in self._shells:
            self._shells[srv.name] = Shell(self, srv.name)
        return self._shells[srv.name]

    def run(self, server: str, command: str) -> str:
        """Shorthand for ``lab.shell(server).run(command)``."""
        return self.shell(server).run(command)

    def table(self, what: str, server: str = ""):
        """A DataFrame of one collection: sites, bindings, applications, pools, services, processes.

        >>> open_lab("single-server", state=None).table("pools").shape[1]
        8
        """
        from casl.render import frames
        kinds = ("sites", "bindings", "applications", "pools", "services", "processes")
        if what not in kinds:
            raise LabError(f"no table called '{what}'; tables: {', '.join(kinds)}")
        return getattr(frames, what)(self.org.server(server or self.servers[0]))

    def browse(self, user: str, url: str, client: str = "browser", where: str = "inside", *,
               accept_warning: bool = False):
        """Open ``url`` as ``user`` and follow the request hop by hop (see :mod:`casl.flow`).

        ``where`` is "inside" (a domain-joined workstation), "outside" (the Internet) or a server
        name (a browser on that server). The result has ``.outcome``, ``.status``, ``.hops`` and
        ``.mermaid()``; the connections and log lines it made stay in the lab.

        >>> lab = open_lab("single-server", state=None)
        >>> lab.browse("UserA", "https://ServerA/owa", where="ServerA").outcome
        'ok'
        """
        result = self._browse(user, url, client, where, accept_warning)
        self._record(["browse", user, url, client, where, accept_warning])
        return result

    def _browse(self, user, url, client="browser", where="inside", accept_warning=False):
        from casl.flow import browse
        return browse(self.org, user, url, client, where, accept_warning=accept_warning)

    def eac_reset_virtual_directory(self, server: str, identity: str, backup_path: str | None = None) -> str:
        r"""The admin center's Reset of a virtual directory: back up its settings, remove it, re-create it.

        Refuses without a backup path (UNC like ``\\ServerA\c$\Backup`` or local); returns the backup
        file's path. The new directory has default settings and serves after ``iisreset /noforce``.

        >>> lab = open_lab("single-server", state=None)
        >>> lab.server("ServerA").fs.mkdir(r"C:\Backup")      # or: lab.run("ServerA", r"mkdir C:\Backup")
        >>> print(lab.eac_reset_virtual_directory("ServerA", r"ServerA\owa (Default Web Site)", r"\\ServerA\c$\Backup"))
        \\ServerA\c$\Backup\owa (Default Web Site).txt
        """
        out = self._eac("reset-vdir", server, identity, backup_path)
        self._record(["eac", "reset-vdir", server, identity, backup_path])
        return out

    def _eac(self, action: str, *args):
        from casl.shell.commands.exchange_vdirs import eac_reset
        if action != "reset-vdir":
            raise LabError(f"unknown admin center action '{action}'")
        return eac_reset(self, *args)

    def ca_issue(self, server: str, request_path: str, issuer: str = "contoso", out_path: str | None = None) -> str:
        r"""Send a certificate request to a CA and save its answer: the lab's stand-in for the CA's web page.

        Reads the CSR (``New-ExchangeCertificate -GenerateRequest -RequestFile ...``) from ``server``'s
        disk (or the server a ``\\ServerB\c$\...`` path names), signs it with the lab PKI - "contoso"
        (the enterprise CA domain-joined machines trust) or "fabrikam" (a public CA everyone trusts) -
        and writes the certificate as Base64 .cer next to the request unless ``out_path`` says where.
        Returns the path written. Journaled, so the lab replays it.

        >>> lab = open_lab("single-server", state=None)
        >>> from casl.shell.commands.exchange_admin import open_ems
        >>> _ = open_ems(lab, "ServerA")
        >>> _ = lab.run("ServerA", 'New-ExchangeCertificate -GenerateRequest -SubjectName "cn=mail.contoso.com" '
        ...             '-DomainName mail.contoso.com -RequestFile C:\\mail.req')
        >>> lab.ca_issue("ServerA", r"C:\mail.req")
        'C:\\mail.cer'
        """
        out = self._ca_issue(server, request_path, issuer, out_path)
        self._record(["ca", server, request_path, issuer, out_path])
        return out

    def _ca_issue(self, server, request_path, issuer="contoso", out_path=None):
        import ntpath
        from casl.errors import CertificateError
        from casl.model import certificates as cm
        from casl.shell.commands.certificates import file_location
        try:
            src, path = file_location(self.org, self.org.server(server), request_path)
            try:
                text = src.fs.read(path)
            except FileNotFoundError:
                raise LabError(f"there is no request file {path} on {src.name}") from None
            der, _chain = cm.sign_request(text, issuer, self.clock.now())
            dst, target = (src, ntpath.splitext(path)[0] + ".cer") if out_path is None else \
                file_location(self.org, src, out_path)
        except CertificateError as exc:
            raise LabError(f"the CA refused: {exc}") from None
        if not dst.fs.is_dir(ntpath.dirname(target)):
            raise LabError(f"the folder {ntpath.dirname(target)} does not exist on {dst.name}")
        dst.fs.write(target, cm.pem_text(der, ("-----BEGIN CERTIFICATE-----", "-----END CERTIFICATE-----")),
                     when=self.clock.now())
        self.clock.tick()
        return target if out_path is None or not str(out_path).startswith("\\\\") else str(out_path)

    def inject(self, fault: str) -> str:
        """Break the lab on purpose with a named fault from ``labs/faults.toml``; returns its title."""
        f = self._apply_fault(fault)
        self._record(["fault", fault])
        return f.title

    def copy(self) -> "Lab":
        """This lab as it is now, kept nowhere: checks try requests on it without touching the original.

        >>> lab = open_lab("single-server", state=None)
        >>> _ = lab.run("ServerA", "Stop-Website -Name 'Exchange Back End'")
        >>> lab.copy().server("ServerA").iis.site("Exchange Back End").state
        'Stopped'
        """
        twin = Lab(self.scenario, None)
        twin._replay([list(entry) for entry in self.journal])
        return twin

    def baseline(self) -> "Lab":
        """The same scenario as it starts, kept nowhere: what checks compare the learner's lab with.

        >>> lab = open_lab("single-server", state=None)
        >>> lab.baseline().server("ServerA").worker("MSExchangeOWAAppPool").pid == \\
        ...     lab.server("ServerA").worker("MSExchangeOWAAppPool").pid
        True
        """
        return Lab(self.scenario, None)

    def reset(self) -> "Lab":
        """Back to the scenario's start. The old state file is kept as a numbered backup."""
        if self.state_path is not None and self.state_path.exists():
            backup = _next_free(self.state_path, "bak")
            os.replace(self.state_path, backup)
            self.messages.append(f"Previous state kept in {backup.name}.")
        self.journal = []
        self._build()
        self._save()
        return self

    def __repr__(self) -> str:
        return f"<Lab {self.name!r}: {', '.join(self.servers)}; {len(self.journal)} steps taken>"

    # --- journal ----------------------------------------------------------------------------
    def _apply_fault(self, name: str) -> Fault:
        faults = load_faults() | {f.name: f for f in self.scenario.own_faults}
        if name not in faults:
            raise LabError(f"unknown fault '{name}'; faults: {', '.join(sorted(faults))}")
        f = faults[name]
        was = self._replaying
        self._replaying = True
        try:
            sh = self.shell(f.server)
            for cmd in f.commands:
                out = sh.run(cmd)
                if "FullyQualifiedErrorId" in out or out.startswith("ERROR"):
                    raise LabError(f"fault '{name}' could not be applied: {out.strip()}")
        finally:
            self._replaying = was
        return f

    def _after_command(self, server: str, text: str) -> None:
        if not self._replaying:
            self._record(["ps", server, text])

    def note_change(self, server: str) -> None:
        self.changes += 1
        self.org.server(server).sync_http()   # W3SVC follows each configuration change at once

    def _record(self, entry: list) -> None:
        self.journal.append(entry)
        self._save()

    def _save(self) -> None:
        if self.state_path is None:
            return
        data = {"casl_state": STATE_VERSION, "lab": self.name, "scenario": self.scenario.fingerprint,
                "journal": self.journal}
        self.state_path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.state_path.with_suffix(".json.tmp")
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=1)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.state_path)


def _next_free(path: Path, tag: str) -> Path:
    n = 1
    while True:
        cand = path.with_name(f"{path.name}.{tag}-{n}")
        if not cand.exists():
            return cand
        n += 1


def open_lab(name_or_path: str | os.PathLike = "single-server", *, fresh: bool = False,
             state: str | os.PathLike | None = "auto") -> Lab:
    """Open a lab by name (``"bindings"``) or TOML path; restores its saved state if there is one.

    ``fresh=True`` starts over (the old state is kept as a backup). ``state=None`` keeps nothing
    on disk; ``state="auto"`` keeps it in ``.casl/<notebook>/<lab>.json`` beside the notebook.

    >>> lab = open_lab("single-server", state=None); lab.servers
    ['ServerA']
    """
    global _CURRENT
    scenario = load_scenario(name_or_path)
    if state == "auto":
        # CASL_STATE_DIR lets test runs keep their state away from the learner's
        root = Path(os.environ.get("CASL_STATE_DIR") or Path.cwd() / STATE_DIR)
        path: Path | None = root / _notebook_stem() / f"{scenario.name}.json"
    else:
        path = Path(state) if state is not None else None
    lab = Lab(scenario, path)
    if path is not None and path.exists():
        if fresh:
            lab.reset()
        else:
            _restore(lab, path)
    _CURRENT = lab
    for m in lab.messages:
        print(m)
    lab.messages.clear()
    return lab


def _restore(lab: Lab, path: Path) -> None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("casl_state") != STATE_VERSION or not isinstance(data.get("journal"), list):
            raise ValueError("not a casl lab state file of this version")
        lab._replay(data["journal"])
        lab.messages.append(f"Restored lab '{lab.name}' with {len(lab.journal)} earlier steps "
                            f"(start over with lab.reset()).")
    except Exception as exc:  # any damage: keep the file aside, start clean, say so
        aside = _next_free(path, "unreadable")
        os.replace(path, aside)
        lab.journal = []
        lab._build()
        lab.messages.append(f"The saved state of lab '{lab.name}' could not be read ({exc}); it was kept as "
                            f"{aside.name} and the lab starts fresh.")


def current_lab() -> Lab:
    """The lab most recently opened in this kernel."""
    if _CURRENT is None:
        raise LabError("no lab is open yet: run lab = casl.open_lab(...) first")
    return _CURRENT
