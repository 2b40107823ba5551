"""The request flow: what happens, hop by hop, when a user opens an Exchange URL.

DNS (split views) -> TCP to the front end (firewall, http.sys listeners) -> TLS (golden rules) ->
http.sys routing to a site and its pool's w3wp -> OWA forms logon on the front end -> the front
end's proxy to 444 on the server holding the user's active database -> the back end's w3wp ->
RPC Client Access -> the Information Store. Each step is a :class:`~casl.flow.result.Hop`; the
first failure decides the outcome. Connections and log lines are left in the model, as a real
server would keep them, and the lab clock moves by fixed steps so two runs are the same.
"""
from __future__ import annotations

import random
import uuid
from datetime import timedelta
from urllib.parse import quote, urlsplit

from casl.errors import LabError
from casl.facts import exchange as xfacts
from casl.facts import flow as ffacts
from casl.facts import iis as ifacts
from casl.flow import tls
from casl.flow.result import FlowResult, Hop
from casl.model import logs, network

FRONT_END, BACK_END = ifacts.SITES[0].name, ifacts.SITES[1].name
FBA_PATHS = ("/owa", "/ecp")          # forms logon happens on the front end for these
LOGON_PAGE = "/owa/auth/logon.aspx"
NAT_PORTS = (80, 443)                 # what the perimeter firewall forwards to the namespace's server


class _Stop(Exception):
    """The request cannot go on: carries what the user sees."""

    def __init__(self, outcome: str, status: int | None = None):
        super().__init__(outcome)
        self.outcome, self.status = outcome, status


class _Machine:
    """Where a connection starts: a client computer or a server (browser on it, or its w3wp)."""

    def __init__(self, name: str, address: str, inside: bool, net, server=None):
        self.name, self.address, self.inside, self.net, self.server = name, address, inside, net, server


class _Run:
    def __init__(self, org, user: str, url: str, client: str, where: str, accept_warning: bool):
        if client not in ffacts.CLIENT_PROGRAMS:
            raise LabError(f"the lab's flow knows these clients: {', '.join(ffacts.CLIENT_PROGRAMS)}; "
                           f"'{client}' is not one of them yet")
        parts = urlsplit(url)
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            raise LabError(f"'{url}' is not a web address the lab can open: give it as https://host/path")
        self.org, self.url, self.client, self.where = org, url, client, where
        self.accept_warning = accept_warning
        self.mailbox = org.mailbox(user)
        if where not in ffacts.PLACES and not any(where.lower() == n.lower() for n in org.servers):
            # Checked before anything moves, so a refused call leaves no trace the journal would miss.
            raise LabError(f"browse from 'inside', 'outside' or a server ({', '.join(org.servers)}); "
                           f"'{where}' is none of them")
        self.user = self.mailbox.user
        self.scheme = parts.scheme.lower()
        self.host = parts.hostname.lower()
        self.port = parts.port or (443 if self.scheme == "https" else 80)
        self.path = parts.path or "/"
        self.program = ffacts.CLIENT_PROGRAMS[client]
        self.hops: list[Hop] = []
        self.logs: list[str] = []
        org.requests += 1
        self.request = org.requests
        self._ids = random.Random(org.pids.seed * 1_000_003 + self.request)
        self._last = org.clock.elapsed      # when the previous logged request ended (time-taken)

    # --- small helpers ----------------------------------------------------------------------
    def hop(self, where, kind, action, ok, detail="", server="", pid=None) -> Hop:
        h = Hop(where, kind, action, ok, detail, server, pid)
        self.hops.append(h)
        return h

    def now(self):
        return self.org.clock.now()

    def spend(self, ms: float) -> None:
        self.org.clock.tick(ms / 1000)

    def request_id(self) -> str:
        return str(uuid.UUID(int=self._ids.getrandbits(128), version=4))

    def log(self, server, path: str) -> None:
        entry = f"{server.name}:{path}"
        if entry not in self.logs:
            self.logs.append(entry)


def _machine(run: _Run) -> tuple[_Machine, int]:
    """The computer the browser runs on, and the browser's PID (started once, then kept)."""
    org, where = run.org, run.where
    image = run.program.image
    if where in ffacts.PLACES:
        name, address, inside = ffacts.PLACES[where]
        cl = org.clients.get(name)
        if cl is None:
            cl = network.Client(name, address, inside, network.NetState(network.PortSource(org.pids.seed, name)))
            org.clients[name] = cl
        if image not in cl.processes:
            cl.processes[image] = org.pids.next()
        return _Machine(name, address, inside, cl.net, None), cl.processes[image]
    try:
        srv = org.server(where)
    except LabError:
        raise LabError(f"browse from 'inside', 'outside' or a server ({', '.join(org.servers)}); "
                       f"'{where}' is none of them") from None
    # A browser on the server itself, as in the article's demonstration (a console session).
    proc = next((p for p in srv.windows.processes.values() if p.image == image), None)
    if proc is None:
        proc = srv.windows.spawn(image, session="Console", session_id=1, user=f"{ffacts.NETBIOS_DOMAIN}\\Administrator")
    return _Machine(srv.name, srv.ipv4, True, srv.net, srv), proc.pid


def _resolve(run: _Run, m: _Machine, name: str) -> str | None:
    org = run.org
    if all(part.isdigit() for part in name.split(".")) and name.count(".") == 3:
        return name
    view = org.dns_internal if m.inside else org.dns_external
    candidates = [name] if "." in name or not m.inside else [f"{name}.{org.domain}"]   # DNS suffix inside only
    if m.server is not None and name in (m.server.name.lower(), m.server.fqdn.lower()):
        return m.server.ipv4     # a computer always knows its own name
    return next((view[c] for c in candidates if c in view), None)


def _connect(run: _Run, src: _Machine, src_ip: str, pid: int, dst, dst_ip: str, port: int):
    """Open a TCP connection: (local port, "") or (None, why: forbidden, timeout or refused)."""
    local = src.server is dst
    if not local:
        # Windows Firewall does not filter what a machine sends to itself; between machines a
        # Block rule silently drops the SYN (inbound) or refuses the socket (outbound).
        if src.server is not None and network.firewall_blocks(src.server.net.firewall, "Outbound",
                                                              local_port=0, remote_port=port):
            return None, "forbidden"
        rule = network.firewall_blocks(dst.net.firewall, "Inbound", local_port=port, remote_port=0)
        if rule is not None:
            return None, "timeout"
    if port not in network.listening_ports(dst):
        return None, "refused"
    eph = src.net.ports.next()
    at = run.now()
    src.net.open((src_ip, eph), (dst_ip, port), pid, at, run.request)
    # The accepting end belongs to http.sys: netstat -ano shows it under PID 4 (System).
    dst.net.open((dst_ip, port), (src_ip, eph), 4, at, run.request, initiator=False)
    return eph, ""


def _where_worker(server, site, pool: str, pid: int | None) -> str:
    return f"{server.name} / {site.name} / w3wp.exe ({pool}) PID {pid}"


def _protocol(path: str) -> tuple[str, str]:
    """(description, HttpProxy folder) of the Exchange protocol a path belongs to."""
    low = path.lower().rstrip("/") or "/"
    best = ("", "")
    best_len = -1
    for prefix, value in ifacts.PROTOCOLS.items():
        p = prefix.lower()
        if (low == p or low.startswith(p + "/")) and len(p) > best_len:
            best, best_len = value, len(p)
    return best


def browse(org, user: str, url: str, client: str = "browser", where: str = "inside", *,
           accept_warning: bool = False) -> FlowResult:
    """Run one request through the organisation; see :meth:`casl.labs.Lab.browse`."""
    run = _Run(org, user, url, client, where, accept_warning)
    for net in [s.net for s in org.servers.values()] + [c.net for c in org.clients.values()]:
        net.close_before(run.request, run.now())
    try:
        _flow(run)
        outcome, status = "ok", 200
    except _Stop as stop:
        outcome, status = stop.outcome, stop.status
    # Round the clock up to the next whole second so later shell steps stay on whole seconds.
    frac = run.org.clock.elapsed % 1
    if frac:
        run.org.clock.tick(1 - frac)
    return FlowResult(run.user, url, client, where, outcome, status, run.hops, run.logs)


def _flow(run: _Run) -> None:
    org = run.org
    m, browser_pid = _machine(run)
    me = f"{m.name} / {run.program.image} PID {browser_pid}"

    # --- DNS -------------------------------------------------------------------------------
    dns_name, dns_ip = ffacts.DNS_SERVER if m.inside else ffacts.PUBLIC_DNS_SERVER
    run.spend(ffacts.STEP_MS["dns"])
    address = _resolve(run, m, run.host)
    if address is None:
        run.hop(me, "dns", f"resolve {run.host} (asks {dns_name}, {dns_ip})", False,
                "the name does not exist in this DNS view (DNS_ERROR_RCODE_NAME_ERROR 9003)", m.name)
        raise _Stop("name-not-resolved")
    view = "internal" if m.inside else "external"
    run.hop(me, "dns", f"resolve {run.host} ({view} DNS, {dns_name})", True, address, m.name)

    # --- TCP to the front end ---------------------------------------------------------------
    target_ip = address
    if not m.inside and address in org.nat:
        if run.port not in NAT_PORTS:
            run.spend(ffacts.TCP_CONNECT_TIMEOUT_S * 1000)
            run.hop(me, "tcp", f"connect to {address}:{run.port}", False,
                    f"the perimeter firewall forwards only ports {', '.join(map(str, NAT_PORTS))}", m.name)
            raise _Stop("connection-timeout")
        target_ip = org.nat[address]
    fe = org.server_by_address(target_ip)
    if fe is None:
        run.spend(ffacts.TCP_CONNECT_TIMEOUT_S * 1000)
        run.hop(me, "tcp", f"connect to {address}:{run.port}", False,
                f"no answer after {ffacts.TCP_CONNECT_TIMEOUT_S:.0f} s: no Exchange server has address {target_ip}",
                m.name)
        raise _Stop("connection-timeout")
    src_ip = m.address if m.server is None else m.server.ipv4
    client_ip = m.address           # what the server sees (NAT keeps the client's address)
    eph, why = _connect(run, m, src_ip, browser_pid, fe, target_ip, run.port)
    if why:
        if why == "timeout":
            run.spend(ffacts.TCP_CONNECT_TIMEOUT_S * 1000)
            run.hop(me, "tcp", f"connect to {fe.name} {target_ip}:{run.port}", False,
                    f"no answer after {ffacts.TCP_CONNECT_TIMEOUT_S:.0f} s: a Windows Firewall rule on {fe.name} "
                    f"drops port {run.port}", m.name)
            raise _Stop("connection-timeout")
        run.hop(me, "tcp", f"connect to {fe.name} {target_ip}:{run.port}", False,
                f"connection refused (RST): nothing on {fe.name} listens on port {run.port}"
                + _why_silent(fe, run.port), m.name)
        raise _Stop("connection-refused")
    run.spend(ffacts.STEP_MS["connect"])
    run.hop(me, "tcp", f"connect to {fe.name} {target_ip}:{run.port}", True,
            f"{src_ip}:{eph} -> {target_ip}:{run.port} ESTABLISHED (http.sys, PID 4, accepts)", m.name, browser_pid)

    # --- TLS with the front end -------------------------------------------------------------
    if run.scheme == "https":
        run.spend(ffacts.STEP_MS["tls"])
        cert, problem = tls.server_certificate(fe, target_ip, run.port)
        if cert is None:
            run.hop(f"{fe.name} / http.sys (System, PID 4)", "tls", f"TLS handshake on {run.port}", False,
                    f"{problem}; http.sys resets the connection", fe.name, 4)
            raise _Stop("connection-refused")
        trusted = set(org.trusted_inside if m.inside else org.trusted_outside)
        if m.server is not None and cert.self_signed and m.server is fe:
            trusted.add(cert.issuer)    # Exchange's self-signed certificate is a trusted root on its own server
        problems = tls.browser_problems(cert, run.host, run.now(), trusted)
        if problems and not run.accept_warning:
            run.hop(me, "tls", f"check the certificate of {run.host} ({cert.subject})", False,
                    "; ".join(problems), m.name, browser_pid)
            raise _Stop("certificate-warning")
        detail = f"{cert.subject}, thumbprint {cert.thumbprint}"
        if problems:
            detail += f" (warning accepted: {'; '.join(problems)})"
        run.hop(me, "tls", f"check the certificate of {run.host}", True, detail, m.name, browser_pid)

    # --- the front end's site and worker ---------------------------------------------------
    site = network.route(fe, run.port, target_ip, run.host, run.scheme)
    if site is None:
        logs_at = logs.write_httperr(fe.fs, run.now(), {
            "c-ip": client_ip, "c-port": eph, "s-ip": target_ip, "s-port": run.port, "cs-method": "GET",
            "cs-uri": run.path, "sc-status": 400, "s-siteid": "-", "s-reason": "Hostname", "s-queuename": "-"})
        run.log(fe, logs_at)
        run.hop(f"{fe.name} / http.sys (System, PID 4)", "http", f"GET {run.path}", False,
                f"no site is bound to {target_ip}:{run.port} for host {run.host}: 400 Bad Request - Invalid Hostname",
                fe.name, 4)
        raise _Stop("http-error", 400)
    if site.name != FRONT_END:
        run.hop(f"{fe.name} / {site.name}", "http", f"GET {run.path}", False,
                f"port {run.port} reached the {site.name} site: its applications expect requests from a "
                f"front end (Windows authentication), not from a browser: 401", fe.name)   # UNCONFIRMED status
        raise _Stop("http-error", 401)
    owa_like = any(run.path.lower().rstrip("/") == p or run.path.lower().startswith(p + "/") for p in FBA_PATHS)
    fe_path = LOGON_PAGE if owa_like else run.path
    if _protocol(run.path)[0]:
        problem = _vdir_problem(fe, site, run.path)
        if problem:
            status, detail = problem
            _w3c(run, fe, site, target_ip, run.port, "GET", run.path, "-", "-", client_ip, status)
            run.hop(f"{fe.name} / {site.name}", "http", f"GET {run.path}", False, detail, fe.name)
            raise _Stop("http-error", status)
    pool, pid = _front_worker(run, fe, site, fe_path, client_ip, eph, target_ip)
    fe_where = _where_worker(fe, site, pool, pid)
    protocol, folder = _protocol(run.path)

    if run.scheme == "http":
        auth = fe.iis.authentication(site.name, run.path)
        if "Ssl" in auth.ssl_flags.split(", "):
            _w3c(run, fe, site, target_ip, run.port, "GET", run.path, "-", "-", client_ip, 403, 4, 5)
            run.hop(fe_where, "http", f"GET {run.path} over http", False,
                    "403.4 SSL required: this application accepts https only", fe.name, pid)
            raise _Stop("http-error", 403)

    if not protocol:
        # Not an Exchange application: IIS serves the site root, nothing else.
        status = 200 if run.path == "/" else 404
        _w3c(run, fe, site, target_ip, run.port, "GET", run.path, "-", "-", client_ip, status, 0, 2 if status == 404 else 0)
        run.hop(fe_where, "http", f"GET {run.path}", status == 200, f"{status}", fe.name, pid)
        if status != 200:
            raise _Stop("http-error", status)
        return

    user_logon = f"{ffacts.NETBIOS_DOMAIN}\\{run.user}"
    if owa_like:
        target_url = f"https://{run.host}{run.path}"
        query = f"url={quote(target_url, safe='').lower()}&reason=0"
        run.spend(ffacts.STEP_MS["direct"])
        _w3c(run, fe, site, target_ip, run.port, "GET", run.path, "-", "-", client_ip, 302)
        _proxy_log(run, fe, folder, "GET", run.path, "", 302, client_ip, authenticated=False)
        run.spend(ffacts.STEP_MS["logon-page"])
        _w3c(run, fe, site, target_ip, run.port, "GET", LOGON_PAGE, query, "-", client_ip, 200)
        run.hop(fe_where, "http", f"GET {run.path} -> 302 to the logon page; GET {LOGON_PAGE}", True,
                "200: the forms logon page comes from the front end (no proxy yet)", fe.name, pid)
        run.spend(ffacts.STEP_MS["credentials"])
        _w3c(run, fe, site, target_ip, run.port, "POST", "/owa/auth.owa", "-", "-", client_ip, 302)
        _proxy_log(run, fe, "Owa", "POST", "/owa/auth.owa", "", 302, client_ip, authenticated=False)
        run.hop(fe_where, "auth", f"POST /owa/auth.owa as {user_logon}", True,
                f"credentials checked against Active Directory; 302 back to {run.path} with the session cookies",
                fe.name, pid)
    else:
        run.hop(fe_where, "auth", f"authenticate {user_logon} for {protocol}", True,
                "the front end authenticates the user before it proxies", fe.name, pid)

    if fe_path != run.path:
        # The page after logon may live in another pool (ECP's): that worker serves the proxied request.
        pool, pid = _front_worker(run, fe, site, run.path, client_ip, eph, target_ip)

    # --- the proxy to the back end on 444 ---------------------------------------------------
    _proxy(run, fe, site, pool, pid, client_ip, target_ip, protocol, folder, user_logon)


def _vdir_problem(server, site, path: str) -> tuple[int, str] | None:
    """Why the Exchange application a URL needs cannot serve it on ``site``, or None.

    A removed virtual directory leaves no IIS application, so the site root answers 404; one
    re-created but not yet loaded (IIS not restarted since) fails until its pool gets a new worker.
    """
    from casl.model import vdirs

    first = "/" + path.strip("/").split("/")[0]
    app = site.application_for(path)
    if app is None or app.path.strip("/") == "":
        return 404, f"there is no {first} application on the {site.name}: 404 Not Found"
    v = vdirs.for_url(server, site.name, path)
    if v is not None and vdirs.needs_restart(server, v):
        # UNCONFIRMED: the status a re-created, not yet loaded directory answers with
        return 503, (f"{first} was re-created on the {site.name} but IIS has not been restarted since: "
                     "503 Service Unavailable")
    return None


def _front_worker(run: _Run, fe, site, path: str, client_ip: str, eph: int, local_ip: str):
    app = site.application_for(path)
    pool_name = app.pool if app else ""
    worker = fe.worker(pool_name) if pool_name else None
    if worker is None:
        at = logs.write_httperr(fe.fs, run.now(), {
            "c-ip": client_ip, "c-port": eph, "s-ip": local_ip, "s-port": run.port, "cs-method": "GET",
            "cs-uri": path, "sc-status": 503, "s-siteid": site.id, "s-reason": "AppOffline", "s-queuename": pool_name})
        run.log(fe, at)
        run.hop(f"{fe.name} / http.sys (System, PID 4)", "worker", f"hand GET {path} to {pool_name}", False,
                f"the application pool {pool_name} is stopped: http.sys answers 503 Service Unavailable", fe.name, 4)
        raise _Stop("http-error", 503)
    return pool_name, worker.pid


def _proxy(run: _Run, fe, site, pool: str, pid: int, client_ip: str, fe_ip: str, protocol: str, folder: str,
           user_logon: str) -> None:
    org = run.org
    db = org.databases[run.mailbox.database]
    be = org.active_server(db.name)
    fe_where = _where_worker(fe, site, pool, pid)
    port = xfacts.BACK_END_HTTPS_PORT
    local = be is fe
    if local:
        # On one server the proxy reaches its own name over IPv6 link-local (a real W3SVC2 log shows
        # c-ip fe80::...%12 with s-port 444 [S15]).
        src_ip = dst_ip = fe.ipv6
    else:
        src_ip, dst_ip = fe.ipv4, org.dns_internal.get(be.fqdn.lower(), be.ipv4)
    fe_machine = _Machine(fe.name, fe.ipv4, True, fe.net, fe)
    eph, why = _connect(run, fe_machine, src_ip, pid, be, dst_ip, port)
    action = f"proxy {run.path} for {run.mailbox.smtp} (database {db.name}) to https://{be.fqdn}:{port}"
    if why:
        fail = ffacts.PROXY_FAILURES[why]
        if why == "timeout":
            run.spend(ffacts.TCP_CONNECT_TIMEOUT_S * 1000)
            detail = (f"no answer from {dst_ip}:{port} after {ffacts.TCP_CONNECT_TIMEOUT_S:.0f} s: a Windows Firewall "
                      f"rule on {be.name} drops port {port}")
        elif why == "forbidden":
            detail = f"a Windows Firewall rule on {fe.name} blocks outgoing connections to port {port}"
        else:
            detail = f"connection refused (RST): nothing on {be.name} listens on port {port}" + _why_silent(be, port)
        _fail_after_proxy(run, fe, site, fe_ip, client_ip, protocol, folder, user_logon, be, fail, "")
        run.hop(fe_where, "proxy", action, False, detail + f"; the browser gets {_shown(fail)}", fe.name, pid)
        raise _Stop(fail.outcome, fail.status)
    run.spend(ffacts.STEP_MS["proxy"])
    run.hop(fe_where, "proxy", action, True, f"{_ep(src_ip, eph)} -> {_ep(dst_ip, port)} ESTABLISHED", fe.name, pid)

    # TLS to 444: encryption only; the front end does not check the back end's name or issuer [S9].
    cert, problem = tls.server_certificate(be, dst_ip, port)
    if cert is not None:
        problem = tls.proxy_problem(cert, run.now())
    if problem:
        fail = ffacts.PROXY_FAILURES["tls"]
        _fail_after_proxy(run, fe, site, fe_ip, client_ip, protocol, folder, user_logon, be, fail, "")
        run.hop(f"{be.name} / http.sys (System, PID 4)", "tls", f"TLS handshake on {port}", False,
                f"{problem}; the browser gets {_shown(fail)}", be.name, 4)
        raise _Stop(fail.outcome, fail.status)
    run.hop(f"{be.name} / http.sys (System, PID 4)", "tls", f"TLS handshake on {port}", True,
            f"{cert.subject}, thumbprint {cert.thumbprint} (name not checked by the proxy)", be.name, 4)

    be_site = network.route(be, port, dst_ip, be.fqdn, "https")
    if be_site is None:
        fail = ffacts.PROXY_FAILURES["invalid-hostname"]
        at = logs.write_httperr(be.fs, run.now(), {
            "c-ip": src_ip, "c-port": eph, "s-ip": dst_ip, "s-port": port, "cs-method": "GET", "cs-uri": run.path,
            "sc-status": 400, "s-siteid": "-", "s-reason": "Hostname", "s-queuename": "-"})
        run.log(be, at)
        _fail_after_proxy(run, fe, site, fe_ip, client_ip, protocol, folder, user_logon, be, fail, "400")
        run.hop(f"{be.name} / http.sys (System, PID 4)", "http", f"GET {run.path} on {port}", False,
                f"no site is bound to {dst_ip}:{port} (the proxy comes in on that address): 400 Bad Request - "
                f"Invalid Hostname", be.name, 4)
        raise _Stop(fail.outcome, fail.status)
    if be_site.name == FRONT_END:
        fail = ffacts.PROXY_FAILURES["loop"]
        _fail_after_proxy(run, fe, site, fe_ip, client_ip, protocol, folder, user_logon, be, fail, "")
        run.hop(f"{be.name} / {be_site.name}", "http", f"GET {run.path} on {port}", False,
                f"port {port} belongs to the {FRONT_END} here: the request meets the front end's proxy again "
                f"instead of the mailbox back end", be.name)
        raise _Stop(fail.outcome, fail.status)
    problem = _vdir_problem(be, be_site, run.path)
    if problem:
        status, detail = problem
        _be_w3c(run, be, be_site, dst_ip, src_ip, user_logon, status)
        run.hop(f"{be.name} / {be_site.name}", "http", f"GET {run.path} (back end)", False,
                f"{detail}; the front end relays the error", be.name)
        raise _Stop("http-error", status)   # UNCONFIRMED: the status the browser sees when the back end has no vdir
    app = be_site.application_for(run.path)
    be_pool = app.pool if app else ""
    be_worker = be.worker(be_pool) if be_pool else None
    if be_worker is None:
        fail = ffacts.PROXY_FAILURES["pool-stopped"]
        at = logs.write_httperr(be.fs, run.now(), {
            "c-ip": src_ip, "c-port": eph, "s-ip": dst_ip, "s-port": port, "cs-method": "GET", "cs-uri": run.path,
            "sc-status": 503, "s-siteid": be_site.id, "s-reason": "AppOffline", "s-queuename": be_pool})
        run.log(be, at)
        _fail_after_proxy(run, fe, site, fe_ip, client_ip, protocol, folder, user_logon, be, fail, "503")
        run.hop(f"{be.name} / http.sys (System, PID 4)", "worker", f"hand GET {run.path} to {be_pool}", False,
                f"the application pool {be_pool} is stopped on {be.name}: 503 Service Unavailable", be.name, 4)
        raise _Stop(fail.outcome, fail.status)
    be_where = _where_worker(be, be_site, be_pool, be_worker.pid)
    run.hop(be_where, "worker", f"GET {run.path} (back end)", True,
            "same worker process as the front end's" if local and be_worker.pid == pid else "", be.name,
            be_worker.pid)

    # RPC Client Access, then the Information Store (the article's last two hops).
    rpc = be.windows.process_of("MSExchangeRPC")
    store = be.windows.process_of("MSExchangeIS")
    mailbox_fail = ffacts.PROXY_FAILURES["mailbox"]
    if rpc is None:
        _be_w3c(run, be, be_site, dst_ip, src_ip, user_logon, 500)
        _fail_after_proxy(run, fe, site, fe_ip, client_ip, protocol, folder, user_logon, be, mailbox_fail, "500")
        run.hop(f"{be.name} / MSExchangeRPC", "rpc", "RPC to Microsoft Exchange RPC Client Access", False,
                "the service is not running", be.name)
        raise _Stop(mailbox_fail.outcome, mailbox_fail.status)
    run.hop(f"{be.name} / {rpc.image} PID {rpc.pid}", "rpc", "RPC to Microsoft Exchange RPC Client Access", True,
            "", be.name, rpc.pid)
    if store is None or not db.mounted:
        _be_w3c(run, be, be_site, dst_ip, src_ip, user_logon, 500)
        _fail_after_proxy(run, fe, site, fe_ip, client_ip, protocol, folder, user_logon, be, mailbox_fail, "500")
        run.hop(f"{be.name} / MSExchangeIS", "store", f"MAPI to the Information Store ({db.name})", False,
                "the Information Store is not running" if store is None else f"{db.name} is dismounted", be.name)
        raise _Stop(mailbox_fail.outcome, mailbox_fail.status)
    run.spend(ffacts.STEP_MS["mailbox"])
    run.hop(f"{be.name} / {store.image} PID {store.pid}", "store", f"MAPI to the Information Store ({db.name})",
            True, f"{run.mailbox.smtp}: mailbox opened", be.name, store.pid)
    _be_w3c(run, be, be_site, dst_ip, src_ip, user_logon, 200)
    _w3c(run, fe, site, fe_ip, run.port, "GET", run.path, "-", user_logon, client_ip, 200)
    _proxy_log(run, fe, folder, "GET", run.path, be.fqdn, 200, client_ip, authenticated=True, backend_status="200")


def _why_silent(server, port: int) -> str:
    """What keeps a port closed, in the words of the place a person would look."""
    if not server.web_running():
        return " (the World Wide Web Publishing Service is stopped)"
    for site in sorted(server.iis.sites, key=lambda s: s.id):
        if any(b.port == port for b in site.web_bindings()):
            if site.name in server.failed_sites:
                return f" ({server.failed_sites[site.name]})"
            return f" (the {site.name} site, which has a binding on {port}, is stopped)"
    return f" (no site has a binding on port {port})"


# --- log lines ---------------------------------------------------------------------------------

def _ep(ip: str, port: int) -> str:
    return f"[{ip}]:{port}" if ":" in ip else f"{ip}:{port}"


def _shown(fail: ffacts.Failure) -> str:
    return f"{fail.outcome} (HTTP {fail.status})" if fail.status else fail.outcome


def _elapsed_ms(run: _Run, consume: bool = True) -> int:
    """Milliseconds since the previous front-end request of this browse ended: this request's time-taken."""
    taken = max(int(round((run.org.clock.elapsed - run._last) * 1000)), 1)
    if consume:
        run._last = run.org.clock.elapsed
        run._last_taken = taken
    return taken


def _w3c(run: _Run, server, site, s_ip: str, port: int, method: str, stem: str, query: str, user: str,
         c_ip: str, status: int, substatus: int = 0, win32: int = 0, *, front: bool = True) -> None:
    path = logs.write_w3c(server.fs, site.id, run.now(), {
        "s-ip": s_ip, "cs-method": method, "cs-uri-stem": stem, "cs-uri-query": query, "s-port": port,
        "cs-username": user, "c-ip": c_ip, "cs(User-Agent)": run.program.user_agent, "cs(Referer)": "-",
        "sc-status": status, "sc-substatus": substatus, "sc-win32-status": win32,
        # The back end's share excludes the front end's own work before it proxied.
        "time-taken": _elapsed_ms(run) if front else max(_elapsed_ms(run, consume=False) - ffacts.STEP_MS["proxy"], 1)})
    run.log(server, path)


def _be_w3c(run: _Run, be, be_site, s_ip: str, c_ip: str, user: str, status: int) -> None:
    _w3c(run, be, be_site, s_ip, xfacts.BACK_END_HTTPS_PORT, "GET", run.path, "-", user, c_ip, status, front=False)


def _proxy_log(run: _Run, fe, folder: str, method: str, stem: str, target: str, status: int, client_ip: str, *,
               authenticated: bool, backend_status: str = "", error_code: str = "", generic_errors: str = "") -> None:
    at = run.now()
    major, minor, build, rev = xfacts.BUILD.split(".")
    stamp = logs.iso_ms(at)
    begun = logs.iso_ms(at - timedelta(milliseconds=getattr(run, "_last_taken", 1)))
    path = logs.write_httpproxy(fe.fs, folder or "Owa", at, {
        "DateTime": stamp, "RequestId": run.request_id(), "MajorVersion": major, "MinorVersion": minor,
        "BuildVersion": build, "RevisionVersion": rev, "Protocol": folder or "Owa", "UrlHost": run.host,
        "UrlStem": stem, "AuthenticationType": "FBA" if folder in ("Owa", "Ecp") else "Basic",
        "IsAuthenticated": "true" if authenticated else "false",
        "AuthenticatedUser": run.mailbox.smtp if authenticated else "",
        "AnchorMailbox": f"Smtp~{run.mailbox.smtp}" if authenticated else "",
        "UserAgent": run.program.user_agent, "ClientIpAddress": client_ip, "ServerHostName": fe.name.upper(),
        "HttpStatus": status, "BackEndStatus": backend_status, "ErrorCode": error_code, "Method": method,
        "ProxyAction": "Proxy" if target else "", "TargetServer": target,
        "TargetServerVersion": ffacts.STORE_VERSION if target else "",
        "RoutingType": "IntraForest" if target else "", "RoutingHint": "WindowsIdentity" if target else "",
        "RequestBytes": 0 if method == "GET" else 96, "ResponseBytes": 0, "TargetOutstandingRequests": 0,
        "TotalRequestTime": getattr(run, "_last_taken", 1),   # the front end's W3C line was just written
        "GenericInfo": f"BeginRequest={begun};CorrelationID=<empty>;ProxyState-Run=None;EndRequest={stamp};",
        "GenericErrors": generic_errors,
    })
    run.log(fe, path)


def _fail_after_proxy(run: _Run, fe, site, fe_ip, client_ip, protocol, folder, user_logon, be, fail, be_status):
    _w3c(run, fe, site, fe_ip, run.port, "GET", run.path, "-", user_logon, client_ip, fail.status or 500)
    _proxy_log(run, fe, folder, "GET", run.path, be.fqdn, fail.status or 500, client_ip, authenticated=True,
               backend_status=be_status, error_code=fail.error_code, generic_errors=fail.generic_errors)
