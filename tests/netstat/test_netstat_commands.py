"""tasklist's and Get-NetTCPConnection's forms and errors, as Windows answers them."""
from __future__ import annotations

import pytest

import casl
import casl.shell.commands.netstat  # noqa: F401  (registers netstat, tasklist, Get-NetTCPConnection)
from casl.model import sockets


@pytest.fixture
def two():
    lab = casl.open_lab("two-servers", state=None)
    lab.browse("UserB", "https://mail.contoso.com/owa", accept_warning=True)
    return lab


def test_tasklist_table_layout(two):
    lines = two.run("ServerA", "tasklist").split("\n")
    assert lines[0] == ""
    assert lines[1] == "Image Name                     PID Session Name        Session#    Mem Usage"
    assert lines[2] == "========================= ======== ================ =========== ============"
    assert lines[3] == "System Idle Process              0 Services                   0          4 K"
    # image names are cut at 25 characters
    topo = next(line for line in lines if line.startswith("Microsoft.Exchange.Direct "))
    assert topo[:25] == "Microsoft.Exchange.Direct" and topo[25] == " "


def test_tasklist_svc_wraps_services(two):
    lines = two.run("ServerA", "tasklist /svc").split("\n")
    assert lines[1] == "Image Name                     PID Services"
    i = next(k for k, line in enumerate(lines) if "AeLookupSvc" in line)
    assert lines[i].endswith("AeLookupSvc, BITS, CertPropSvc, gpsvc,")
    assert lines[i + 1] == " " * 35 + "IKEEXT, iphlpsvc, LanmanServer, ProfSvc,"
    assert all(len(line) <= 35 + 44 for line in lines)
    w3svc = next(line for line in lines if "W3SVC" in line)
    assert w3svc.split()[0] == "svchost.exe" and w3svc.endswith("W3SVC, WAS")


def test_tasklist_filters_and_errors(two):
    assert two.run("ServerA", 'tasklist /fi "PID eq 1"').strip() == \
        "INFO: No tasks are running which match the specified criteria."
    bad = two.run("ServerA", 'tasklist /fi "COLOUR eq red"')
    assert bad.strip() == "ERROR: The search filter cannot be recognized."
    assert two.run("ServerA", "tasklist /x").split("\n")[:2] == [
        "ERROR: Invalid argument/option - '/x'.", 'Type "TASKLIST /?" for usage.']
    csv = two.run("ServerA", 'tasklist /fi "IMAGENAME eq w3wp.exe" /fo csv /nh').split("\n")
    workers = sorted(p.worker_pid for p in two.server("ServerA").iis.pools if p.worker_pid)
    assert [int(line.split('","')[1]) for line in csv if line] == workers
    hm = two.run("ServerA", 'tasklist /fi "IMAGENAME eq MSExchangeHM*" /fo csv').split("\n")
    assert hm[0] == '"Image Name","PID","Session Name","Session#","Mem Usage"'
    assert {line.split('","')[0].strip('"') for line in hm[1:] if line} == {"MSExchangeHMHost.exe",
                                                                            "MSExchangeHMWorker.exe"}


def test_get_nettcpconnection_filters(two):
    out = two.run("ServerA", "Get-NetTCPConnection -RemotePort 444 -State Established")
    head = out.strip().split("\n")[0]
    assert head.split() == ["LocalAddress", "LocalPort", "RemoteAddress", "RemotePort", "State", "AppliedSetting",
                            "OwningProcess"]
    owa = two.server("ServerA").worker("MSExchangeOWAAppPool").pid
    row = next(line for line in out.split("\n") if "10.0.0.12" in line)
    assert row.split()[-1] == str(owa) and "Established" in row
    listen = two.run("ServerA", "Get-NetTCPConnection -LocalPort 444 -State Listen")
    assert [line.split()[-1] for line in listen.strip().split("\n")[2:]] == ["4", "4"]
    mine = two.run("ServerA", f"Get-NetTCPConnection -OwningProcess {owa}")
    assert mine.count("10.0.0.12") == 1
    none = two.run("ServerA", "Get-NetTCPConnection -LocalPort 4444")
    assert "No MSFT_NetTCPConnection objects found with property 'LocalPort' equal to '4444'." in none
    assert "CmdletizationQuery_NotFound_LocalPort,Get-NetTCPConnection" in none
    bad = two.run("ServerA", "Get-NetTCPConnection -State Open")
    assert "Unable to match the identifier name Open" in bad


def test_get_nettcpconnection_agrees_with_netstat(two):
    s = two.server("ServerA")
    rows = [r for r in sockets.sockets(two.org, s, two.clock.now()) if r.proto == "TCP"]
    out = two.run("ServerA", "Get-NetTCPConnection").strip().split("\n")[2:]
    assert [(line.split()[0], int(line.split()[1]), int(line.split()[-1])) for line in out] == \
        [(r.local_ip, r.local_port, r.pid) for r in rows]
