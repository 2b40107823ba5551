"""netstat's text, line for line as Windows prints it (layouts checked against real captures)."""
from __future__ import annotations

import ipaddress

import pytest

import casl
import casl.shell.commands.netstat  # noqa: F401  (registers netstat, tasklist, Get-NetTCPConnection)
from casl.model import sockets
from casl.shell.commands.netstat import netstat_lines


@pytest.fixture
def two():
    lab = casl.open_lab("two-servers", state=None)
    lab.browse("UserB", "https://mail.contoso.com/owa", accept_warning=True)
    return lab


def _real(fixtures_dir, name):
    return (fixtures_dir / "netstat" / name).read_text(encoding="utf-8").replace("\r\n", "\n").split("\n")


def test_banner_and_header_are_the_real_ones(two, fixtures_dir):
    real_o, real_n = _real(fixtures_dir, "win10-netstat-aon.out"), _real(fixtures_dir, "win10-netstat-an.out")
    ours_o = two.run("ServerA", "netstat -ano").split("\n")
    ours_n = two.run("ServerA", "netstat -an").split("\n")
    assert ours_o[:4] == real_o[:4] and ours_n[:4] == real_n[:4]


@pytest.mark.parametrize("fixture, flags", [("win10-netstat-aon.out", "ano"), ("win10-netstat-an.out", "an")])
def test_rows_are_laid_out_as_real_rows(fixtures_dir, fixture, flags):
    """Re-print every row of a real capture from its values: the text must come out identical."""
    real = [line for line in _real(fixtures_dir, fixture) if line.startswith(("  TCP", "  UDP"))]
    rows = []
    for line in real:
        w = line.split()
        local_ip, _, local_port = w[1].rpartition(":")
        if w[0] == "TCP":
            remote_ip, _, remote_port = w[2].rpartition(":")
            rows.append(sockets.Socket("TCP", local_ip.strip("[]"), int(local_port), remote_ip.strip("[]"),
                                       int(remote_port), w[3], int(w[4]) if "o" in flags else 0))
        else:
            rows.append(sockets.Socket("UDP", local_ip.strip("[]"), int(local_port), None, None, None,
                                       int(w[3]) if "o" in flags else 0))
    assert netstat_lines(rows, set(flags))[4:] == real


def test_rows_come_in_netstat_order(two):
    """TCP before UDP, IPv4 before IPv6, then by local address (as numbers) and port, as the real order."""
    rows = [line.split() for line in two.run("ServerA", "netstat -ano").split("\n") if line.startswith("  ")][1:]

    def key(w):
        ip, _, port = w[1].rpartition(":")
        ip = ip.strip("[]")
        address = ipaddress.ip_address(ip.split("%")[0])
        return (w[0] != "TCP", address.version, int(address), int(port))
    assert [key(w) for w in rows] == sorted(key(w) for w in rows)
    assert rows[0][0] == "TCP" and rows[-1][0] == "UDP"


def test_anob_owner_lines(two):
    text = two.run("ServerA", "netstat -anob").split("\n")
    at = {line.split()[1]: i for i, line in enumerate(text) if line.startswith("  TCP    0.0.0.0:")}
    assert text[at["0.0.0.0:135"] + 1: at["0.0.0.0:135"] + 3] == ["  RpcSs", " [svchost.exe]"]
    assert text[at["0.0.0.0:443"] + 1] == " Can not obtain ownership information"      # http.sys, PID 4
    assert text[at["0.0.0.0:25"] + 1] == " [MSExchangeFrontendTransport.exe]"
    two.run("ServerA", "Restart-WebAppPool MSExchangeOWAAppPool")
    text = two.run("ServerA", "netstat -anob").split("\n")
    tw = [i for i, line in enumerate(text) if "TIME_WAIT" in line]
    assert tw and all(text[i + 1].startswith("  TCP") or text[i + 1].startswith("  UDP") for i in tw)


def test_an_keeps_netstat_trailing_blanks_and_no_pid(two):
    lines = two.run("ServerA", "netstat -an").split("\n")
    udp = next(line for line in lines if line.startswith("  UDP"))
    assert udp.endswith("*:*                    ") and len(udp) == 2 + 7 + 23 + 23
    listening = next(line for line in lines if "LISTENING" in line)
    assert listening.endswith("LISTENING")


def test_long_ipv6_pushes_the_columns_right(two):
    line = next(line for line in two.run("ServerA", "netstat -ano").split("\n") if "%12]:444  [fe80" in line)
    assert "]:444  [fe80::1c5:a8f2:1e3d:11%12]:" in line and line.split()[3] == "ESTABLISHED"


def test_options(two):
    tcp4 = two.run("ServerA", "netstat -ano -p tcp").split("\n")[4:]
    rows = [line for line in tcp4 if line.strip()]
    assert rows and all(line.startswith("  TCP") and "[" not in line.split()[1] for line in rows)
    v6 = [line for line in two.run("ServerA", "netstat -ano -p tcpv6").split("\n")[4:] if line.strip()]
    assert v6 and all(line.split()[1].startswith("[") for line in v6)
    no_a = [line for line in two.run("ServerA", "netstat -no").split("\n")[4:] if line.strip()]
    assert no_a and not any("LISTENING" in line or "UDP" in line for line in no_a)
    assert two.run("ServerA", "netstat -a -n -o") == two.run("ServerA", "netstat -ano") == \
        two.run("ServerA", "netstat /ano")
    assert two.run("ServerA", "netstat -abno") == two.run("ServerA", "netstat -anob")
    assert "Displays protocol statistics" in two.run("ServerA", "netstat -z")
    assert "Displays protocol statistics" in two.run("ServerA", "netstat -p")


def test_plain_netstat_names_hosts_and_ports(two):
    text = two.run("ServerA", "netstat")
    assert "10.0.0.11:https        WS01:" in text and "dc01:ldap" in text
    assert "LISTENING" not in text


def test_findstr_filters_the_rows(two):
    lines = [line for line in two.run("ServerA", "netstat -ano | findstr :444").split("\n") if line]
    assert lines and all(":444" in line and line.startswith("  TCP") for line in lines)
    assert any(line.split()[2] == "10.0.0.12:444" for line in lines)
