"""Connections follow the processes: seeded background flows, recycles, restarts, replays."""
from __future__ import annotations

import pytest

import casl
import casl.shell.commands.netstat  # noqa: F401  (registers netstat, tasklist, Get-NetTCPConnection)
from casl.model import sockets
from casl.parse import netstat


@pytest.fixture
def two():
    lab = casl.open_lab("two-servers", state=None)
    lab.browse("UserB", "https://mail.contoso.com/owa", accept_warning=True)
    return lab


def rows(lab, server="ServerA"):
    return netstat.parse(lab.run(server, "netstat -ano"))


def test_background_flows_exist_from_the_start():
    lab = casl.open_lab("single-server", state=None)
    df = rows(lab)
    s = lab.server("ServerA")
    hm = next(p.pid for p in s.windows.processes.values() if p.image == "MSExchangeHMWorker.exe")
    probes = df[(df.pid == hm) & (df.remote_port == 444)]
    assert len(probes) == 2 and set(probes.remote_address) == {"::1"}
    # each probe's other end is http.sys (PID 4) on [::1]:444
    for port in probes.local_port:
        assert len(df[(df.local_port == 444) & (df.remote_port == port) & (df.pid == 4)]) == 1
    assert not len(df[df.state == "TIME_WAIT"])


def test_same_seed_same_table_and_replay_gives_it_again(two):
    other = casl.open_lab("two-servers", state=None)
    other.browse("UserB", "https://mail.contoso.com/owa", accept_warning=True)
    assert two.run("ServerA", "netstat -anob") == other.run("ServerA", "netstat -anob")
    two.run("ServerA", "Restart-WebAppPool MSExchangeOWAAppPool")
    two.run("ServerA", "netstat -ano")
    twin = two.copy()       # replays the journal, netstat runs included
    assert [vars(c) for c in twin.server("ServerA").net.connections] == \
        [vars(c) for c in two.server("ServerA").net.connections]


def test_a_recycle_closes_the_workers_connections(two):
    s = two.server("ServerA")
    old = s.worker("MSExchangeOWAAppPool").pid
    before = rows(two)
    proxy = before[(before.pid == old) & (before.remote_port == 444)]
    assert len(proxy) == 1
    port = int(proxy.local_port.iloc[0])
    assert len(rows(two, "ServerB").query("local_port == 444 and remote_port == @port")) == 1
    two.run("ServerA", "Restart-WebAppPool MSExchangeOWAAppPool")
    new = s.worker("MSExchangeOWAAppPool").pid
    after = rows(two)
    assert new != old and old not in set(after.pid) and new not in set(after.pid)   # no flows until a request
    gone = after[after.local_port == port]
    assert list(gone.state) == ["TIME_WAIT"] and list(gone.pid) == [0]
    assert not len(rows(two, "ServerB").query("remote_port == @port"))             # the back end's end is gone
    # the browser's connection to 443 belongs to http.sys, which a recycle does not touch
    assert len(after[(after.local_port == 443) & (after.remote_address == "10.0.0.50") & (after.pid == 4)]) == 1
    two.browse("UserB", "https://mail.contoso.com/owa", accept_warning=True)
    again = rows(two)
    assert list(again[(again.remote_port == 444) & (again.remote_address == "10.0.0.12")
                      & (again.state == "ESTABLISHED")].pid) == [new]


def test_time_wait_ends_after_four_minutes(two):
    two.run("ServerA", "Restart-WebAppPool MSExchangeOWAAppPool")
    assert len(rows(two).query("state == 'TIME_WAIT'")) == 1
    two.clock.tick(241)
    assert not len(rows(two).query("state == 'TIME_WAIT'"))


def test_iisreset_replaces_every_worker_but_not_the_background(two):
    s = two.server("ServerA")
    hm_rows = rows(two).query("remote_port == 444 and remote_address == '::1'")
    two.run("ServerA", "iisreset /noforce")
    df = rows(two)
    workers = {p.worker_pid for p in s.iis.pools if p.worker_pid}
    assert not (set(df.pid) & workers)
    kept = df.query("remote_port == 444 and remote_address == '::1'")
    assert list(zip(kept.local_port, kept.pid)) == list(zip(hm_rows.local_port, hm_rows.pid))


def test_restarting_a_background_process_remakes_its_flows_on_new_ports(two):
    s = two.server("ServerA")
    before = rows(two)
    svc = s.windows.service("MSExchangeServiceHost")
    old_pid = svc.pid
    old = before[(before.pid == old_pid) & (before.remote_port == 444)]
    two.run("ServerA", "Restart-Service MSExchangeServiceHost")
    after = rows(two)
    new = after[(after.pid == svc.pid) & (after.remote_port == 444)]
    assert svc.pid != old_pid and len(new) == len(old) == 1
    assert set(new.local_port).isdisjoint(set(old.local_port))
    closed = after[after.local_port.isin(old.local_port)]
    assert list(closed.state) == ["TIME_WAIT"] and list(closed.pid) == [0]


def test_a_stopped_site_takes_its_listeners_and_flows(two):
    two.run("ServerA", "Stop-Website 'Exchange Back End'")
    df = rows(two)
    assert not len(df[(df.local_port == 444)]) and not len(df[(df.remote_port == 444) & (df.remote_address == "::1")])
    assert 443 in set(df[df.state == "LISTENING"].local_port)
    two.run("ServerA", "Start-Website 'Exchange Back End'")
    assert len(rows(two).query("remote_port == 444 and remote_address == '::1'")) == 2


def test_base_processes_are_seeded_and_below_the_model_pids(two):
    s = two.server("ServerA")
    base = sockets.base_processes(s)
    assert all(p % 4 == 0 and 200 <= p < 1000 for p in base)
    assert not set(base) & set(s.windows.processes)
    assert base == sockets.base_processes(casl.open_lab("two-servers", state=None).server("ServerA"))
    other = sockets.base_processes(two.server("ServerB"))
    assert sorted(p.image for p in other.values()) == sorted(p.image for p in base.values()) and other != base
