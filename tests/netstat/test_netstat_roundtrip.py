"""The simulation's own output reads back through casl.parse to the rows and PIDs the model holds."""
from __future__ import annotations

import pandas as pd
import pytest

import casl
import casl.shell.commands.netstat  # noqa: F401  (registers netstat, tasklist, Get-NetTCPConnection)
from casl.model import sockets
from casl.parse import appcmd, flows, netstat, tasklist


@pytest.fixture
def two():
    lab = casl.open_lab("two-servers", state=None)
    lab.browse("UserB", "https://mail.contoso.com/owa", accept_warning=True)
    return lab


def model_rows(lab, server="ServerA", keep=lambda s: True):
    s = lab.server(server)
    return [(r.proto, r.local_ip, r.local_port, r.remote_ip, r.remote_port, r.state, r.pid)
            for r in sockets.sockets(lab.org, s, lab.clock.now()) if keep(r)]


def parsed_rows(df, pids=True):
    out = []
    for r in df.itertuples():
        remote = None if r.remote_address == "*" else r.remote_address
        out.append((r.proto, r.local_address, r.local_port, remote,
                    None if remote is None else r.remote_port, None if r.proto == "UDP" else r.state,
                    int(r.pid) if pids else None))
    return out


def test_ano_and_an_read_back_to_the_model(two):
    assert parsed_rows(netstat.parse(two.run("ServerA", "netstat -ano"))) == model_rows(two)
    no_pid = [row[:-1] + (None,) for row in model_rows(two)]
    assert parsed_rows(netstat.parse(two.run("ServerA", "netstat -an")), pids=False) == no_pid


def test_anob_gives_images_and_services(two):
    df = netstat.parse(two.run("ServerA", "netstat -anob"))
    assert parsed_rows(df) == model_rows(two)
    procs = sockets.processes(two.server("ServerA"))
    for r in df.itertuples():
        if r.pid in (0, 4) or procs[r.pid].image in ("wininit.exe", "services.exe"):
            assert pd.isna(r.image)
        else:
            assert r.image == procs[r.pid].image
    rpc = df[df.local_port == 135].iloc[0]
    assert rpc.service == "RpcSs" and "RpcSs" in procs[int(rpc.pid)].services


def test_p_tcp_and_findstr(two):
    v4 = model_rows(two, keep=lambda r: r.proto == "TCP" and not r.ipv6)
    assert parsed_rows(netstat.parse(two.run("ServerA", "netstat -ano -p tcp"))) == v4
    on_444 = [r for r in model_rows(two) if ":444" in sockets._ep(r[1], r[2]) or
              (r[3] is not None and ":444" in sockets._ep(r[3], r[4]))]
    assert parsed_rows(netstat.parse(two.run("ServerA", "netstat -ano | findstr :444"))) == on_444


@pytest.mark.parametrize("command", ["tasklist", "tasklist /svc", "tasklist /fo csv", "tasklist /fo csv /nh",
                                     "tasklist /svc /fo csv"])
def test_tasklist_forms_read_back(two, command):
    df = tasklist.parse(two.run("ServerA", command))
    procs = sockets.processes(two.server("ServerA"))
    assert list(df.pid) == list(procs)
    full = "csv" in command
    assert list(df.image) == [p.image if full else p.image[:25] for p in procs.values()]
    if "/svc" in command:
        assert list(df.services) == [list(p.services) for p in procs.values()]
    else:
        assert list(df.mem_kb) == [p.mem_kb for p in procs.values()]
        assert list(df.session) == [p.session_id for p in procs.values()]


def test_tasklist_filters(two):
    w3wp = two.server("ServerA").worker("MSExchangeOWAAppPool").pid
    df = tasklist.parse(two.run("ServerA", f'tasklist /fi "PID eq {w3wp}"'))
    assert list(df.pid) == [w3wp] and list(df.image) == ["w3wp.exe"]
    assert len(tasklist.parse(two.run("ServerA", 'tasklist /fi "PID eq 1"'))) == 0
    svc = tasklist.parse(two.run("ServerA", 'tasklist /svc /fi "SERVICES eq W3SVC"'))
    assert len(svc) == 1 and "WAS" in svc.services[0]


def test_appcmd_wp_reads_back(two):
    df = appcmd.parse_wp(two.run("ServerA", "appcmd list wp"))
    pools = {p.name: p.worker_pid for p in two.server("ServerA").iis.pools if p.worker_pid}
    assert dict(zip(df.app_pool, df.pid)) == pools


def _classified(lab, server="ServerA", others=("10.0.0.12",)):
    ns = netstat.parse(lab.run(server, "netstat -ano"))
    tl = tasklist.parse(lab.run(server, "tasklist"))
    wp = appcmd.parse_wp(lab.run(server, "appcmd list wp"))
    return flows.classify(ns, tl, wp, other_exchange_servers=list(others))


def test_classify_after_userb_on_servera(two):
    df = _classified(two)
    s = two.server("ServerA")
    owa = s.worker("MSExchangeOWAAppPool").pid
    browser = df[(df.local_port == 443) & (df.remote_address == "10.0.0.50")]
    assert list(browser.pid) == [4] and set(browser.flow) == {"client-to-front-end"}
    remote = df[(df.remote_port == 444) & (df.remote_address == "10.0.0.12")]
    assert list(remote.pid) == [owa] and set(remote.flow) == {"front-end-to-remote-back-end"}
    assert set(remote.app_pool) == {"MSExchangeOWAAppPool"}
    probes = df[(df.remote_port == 444) & (df.remote_address != "10.0.0.12")]
    images = {str(i) for i in probes.image}
    assert set(probes.flow) == {"health-probe"}
    assert images == {"MSExchangeHMWorker.exe", "Microsoft.Exchange.ServiceHost.exe",
                      "MSExchangeMailboxAssistants.exe"}
    assert set(df[df.state == "LISTENING"].flow) == {"listener"}
    assert set(df[(df.state == "LISTENING") & (df.pid == 4)].local_port) >= {80, 81, 443, 444, 445}


def test_classify_local_back_end_after_usera(two):
    two.browse("UserA", "https://mail.contoso.com/owa", accept_warning=True)
    df = _classified(two)
    local = df[df.flow == "front-end-to-local-back-end"]
    owa = two.server("ServerA").worker("MSExchangeOWAAppPool").pid
    ipv6 = two.server("ServerA").ipv6
    # both ends of the proxy's own 444 connection: the w3wp's and http.sys's (PID 4)
    assert sorted(local.pid) == sorted([owa, 4]) and set(local.local_address) == {ipv6}
    # UserB's earlier proxy connection is closed: its end waits in TIME_WAIT under PID 0
    tw = df[(df.state == "TIME_WAIT") & (df.remote_address == "10.0.0.12")]
    assert list(tw.pid) == [0]


def test_get_process_id_matches_netstat(two):
    df = netstat.parse(two.run("ServerA", "netstat -ano"))
    pid = int(df[(df.remote_port == 444) & (df.remote_address == "10.0.0.12")].pid.iloc[0])
    assert two.run("ServerA", f"Get-Process -Id {pid}").rstrip().endswith(f"{pid} w3wp")
    lsass = int(df[df.local_port == 49155].pid.iloc[0])
    assert "lsass" in two.run("ServerA", f"Get-Process -Id {lsass}")
    err = two.run("ServerA", "Get-Process -Id 3")
    assert "Cannot find a process with the process identifier 3." in err and "NoProcessFoundForGivenId" in err
