"""What a request leaves behind: connections for netstat, log lines in the real formats, the journal."""
from __future__ import annotations

import csv
import io
import ntpath

import casl
from casl.facts import logs as lfacts

from flow_helpers import open_two, owa

W3C_HEADER = ("#Software: Microsoft Internet Information Services 8.5", "#Version: 1.0")


def files(lab, server: str, under: str) -> dict[str, str]:
    fs = lab.server(server).fs
    low = under.lower()
    return {f.path: f.text for k, f in fs.files.items() if k.startswith(low)}


def test_w3c_logs_on_both_sites(two):
    owa(two, "UserA")
    logs = files(two, "ServerA", r"C:\inetpub\logs\LogFiles")
    assert sorted(ntpath.basename(ntpath.dirname(p)) for p in logs) == ["W3SVC1", "W3SVC2"]
    for path, text in logs.items():
        assert ntpath.basename(path) == "u_ex141002.log"
        lines = text.splitlines()
        assert lines[:2] == list(W3C_HEADER)
        assert lines[2].startswith("#Date: 2014-10-02 09:30:")
        assert lines[3] == "#Fields: " + " ".join(lfacts.W3C_FIELDS)
        for row in lines[4:]:
            assert len(row.split(" ")) == 15, row
    fe = logs[r"C:\inetpub\logs\LogFiles\W3SVC1\u_ex141002.log"].splitlines()[4:]
    assert [r.split(" ")[3:5] for r in fe] == [["GET", "/owa"], ["GET", "/owa/auth/logon.aspx"],
                                               ["POST", "/owa/auth.owa"], ["GET", "/owa"]]
    assert [r.split(" ")[11] for r in fe] == ["302", "200", "302", "200"]
    assert fe[-1].split(" ")[7] == "CONTOSO\\UserA"
    assert "+like+Gecko" in fe[0]                       # spaces in the user agent become '+'
    be = logs[r"C:\inetpub\logs\LogFiles\W3SVC2\u_ex141002.log"].splitlines()[4:]
    fields = be[0].split(" ")
    # the local proxy comes in over IPv6 link-local on 444 (the real sample [S15] shows the same)
    assert fields[6] == "444" and fields[8].startswith("fe80::")


def test_httpproxy_log_has_the_69_columns_of_the_domain_file(two, domain_dir):
    expected = (domain_dir / "httpproxy_columns.txt").read_text().split()
    assert list(lfacts.HTTPPROXY_COLUMNS) == expected and len(expected) == 69
    owa(two, "UserB")
    two.inject("backend-https-445")
    owa(two, "UserA")
    logs = files(two, "ServerA", r"C:\Program Files\Microsoft\Exchange Server\V15\Logging\HttpProxy\Owa")
    assert list(map(ntpath.basename, logs)) == ["HttpProxy_2014100209-1.LOG"]
    text = next(iter(logs.values()))
    lines = text.splitlines()
    assert lines[0] == ",".join(expected)
    assert lines[1:5] == ["#Software: Microsoft Exchange Server", "#Version: 15.00.0995.029",
                          "#Log-type: HttpProxy Logs", lines[4]] and lines[4].startswith("#Date: 2014-10-02T09:")
    assert lines[5] == "#Fields: " + ",".join(expected)
    rows = list(csv.DictReader(io.StringIO("\n".join([lines[0]] + lines[6:]))))
    assert all(len(r) == 69 and None not in r for r in rows)
    proxied = [r for r in rows if r["ProxyAction"] == "Proxy"]
    assert [(r["AuthenticatedUser"], r["TargetServer"], r["HttpStatus"]) for r in proxied] == [
        ("userb@contoso.com", "ServerB.contoso.com", "200"), ("usera@contoso.com", "ServerA.contoso.com", "500")]
    assert "ConnectFailure" in proxied[1]["GenericErrors"]
    assert {r["BuildVersion"] for r in rows} == {"995"}


def test_httperr_log_for_a_stopped_pool(two):
    two.inject("owa-pool-stopped")
    owa(two, "UserA")
    text = two.server("ServerA").fs.read(lfacts.HTTPERR_FILE)
    assert text.splitlines()[0] == "#Software: Microsoft HTTP API 2.0"
    row = text.splitlines()[-1].split(" ")
    assert row[9] == "503" and row[11] == "AppOffline" and row[12] == "MSExchangeOWAAppPool"


def test_connections_with_processes_and_time_wait(two):
    first = owa(two, "UserB")
    a = two.server("ServerA")
    b = two.server("ServerB")
    browser = next(p for p in a.windows.processes.values() if p.image == "iexplore.exe")
    owa_worker = a.worker("MSExchangeOWAAppPool").pid
    est = {(c.local[1], c.remote[1], c.pid) for c in a.net.connections if c.state == "ESTABLISHED"}
    assert any(r == 443 and pid == browser.pid for _, r, pid in est)
    assert any(r == 444 and pid == owa_worker for _, r, pid in est)         # ServerA's w3wp -> ServerB:444
    assert any(c.local == ("10.0.0.12", 444) and c.pid == 4 for c in b.net.connections)
    assert first.hops[5].pid == owa_worker
    owa(two, "UserA")                                                       # the next request closes the old ones
    tw = [c for c in a.net.connections if c.state == "TIME_WAIT"]
    assert tw and all(c.pid == 0 for c in tw)
    assert not [c for c in b.net.connections if c.remote[0] == "10.0.0.11"]  # the passive end is gone
    # TIME_WAIT lasts four minutes of lab time
    two.clock.tick(241)
    assert not [c for c in a.net.current(two.clock.now()) if c.state == "TIME_WAIT"]


def test_netstat_shows_them_and_parses_back(two):
    from casl.parse import netstat
    owa(two, "UserB")
    text = two.run("ServerA", "netstat -ano")
    df = netstat.parse(text)
    listening = df[df.state == "LISTENING"]
    web = listening[listening.local_port.isin([80, 81, 443, 444])]
    assert set(web.local_port) == {80, 81, 443, 444} and set(web.pid) == {4}   # http.sys, not a w3wp
    w3wp = two.server("ServerA").worker("MSExchangeOWAAppPool").pid
    row = df[(df.remote_port == 444) & (df.state == "ESTABLISHED") & (df.remote_address == "10.0.0.12")]
    assert list(row.pid) == [w3wp]
    two.inject("backend-https-445")
    df2 = netstat.parse(two.run("ServerA", "netstat -an"))
    assert 444 not in set(df2[df2.state == "LISTENING"].local_port)
    assert 445 in set(df2[df2.state == "LISTENING"].local_port)   # SMB holds it anyway; now IIS asks for it too


def test_state_survives_save_and_reopen(tmp_path):
    state = tmp_path / "two.json"
    lab = casl.open_lab("two-servers", state=state)
    lab.inject("port-444-blocked")
    r1 = owa(lab, "UserB")
    r2 = owa(lab, "UserA")
    again = casl.open_lab("two-servers", state=state)
    assert again.journal == lab.journal and again.journal[-1][0] == "browse"
    assert again.clock.now() == lab.clock.now()
    a1, a2 = lab.server("ServerA"), again.server("ServerA")
    assert [vars(c) for c in a1.net.connections] == [vars(c) for c in a2.net.connections]
    assert {k: f.text for k, f in a1.fs.files.items()} == {k: f.text for k, f in a2.fs.files.items()}
    assert again.shell("ServerB").run("Get-NetFirewallRule").count("Block Exchange 444") == 1
    assert r1.outcome == "http-error" and r2.outcome == "ok"
    assert repr(owa(again, "UserB")) == repr(owa(lab, "UserB"))     # and they go on the same way


def test_two_runs_are_the_same():
    def session():
        lab = open_two()
        lab.inject("backend-https-445")
        out = [repr(owa(lab, u)) for u in ("UserA", "UserB")]
        out.append(repr(lab.browse("UserB", "https://mail.contoso.com/owa", where="outside", accept_warning=True)))
        out.append(lab.run("ServerA", "netstat -ano"))
        out += [f.text for _, f in sorted(lab.server("ServerA").fs.files.items())]
        return out, lab.clock.now()
    assert session() == session()


def test_clock_moves_by_fixed_steps(two):
    t0 = two.clock.now()
    owa(two, "UserA")
    t1 = two.clock.now()
    owa(two, "UserA")
    t2 = two.clock.now()
    assert t1 - t0 == t2 - t1 and (t1 - t0).total_seconds() >= 1
    two.inject("port-444-blocked")
    t3 = two.clock.now()
    owa(two, "UserB")
    assert (two.clock.now() - t3).total_seconds() >= 21     # the connect timeout takes its time
