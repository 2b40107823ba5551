"""casl.parse.flows on one invented server EX01 (10.0.0.21): netstat, tasklist and appcmd captures
written by us with matching PIDs (tests/parse/data/flows/README.md)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from casl.errors import CaslError
from casl.parse import appcmd, flows, netstat, tasklist

DATA = Path(__file__).parent / "data" / "flows"


def load(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def report() -> pd.DataFrame:
    return flows.classify(netstat.parse(load("ours-netstat-ano-ex2013.txt")),
                          tasklist.parse(load("ours-tasklist.txt")),
                          appcmd.parse_wp(load("ours-appcmd-list-wp.txt")),
                          other_exchange_servers=["10.0.0.22"])


# (local port, remote port, pid) -> flow, for every TCP row of the sample
EXPECTED = {
    (80, 0, 4): "listener", (81, 0, 4): "listener", (135, 0, 700): "listener",
    (443, 0, 4): "listener", (444, 0, 4): "listener", (445, 0, 4): "listener",
    (3389, 0, 1388): "listener",
    (443, 50211, 4): "client-to-front-end", (443, 50342, 4): "client-to-front-end",
    (443, 61022, 0): "client-to-front-end", (51100, 443, 4530): "client-to-front-end",
    (443, 51100, 4): "client-to-front-end",
    (49731, 444, 7816): "front-end-to-local-back-end", (444, 49731, 4): "front-end-to-local-back-end",
    (49802, 444, 8120): "front-end-to-remote-back-end", (49815, 444, 8644): "front-end-to-remote-back-end",
    (51130, 444, 9012): "front-end-to-remote-back-end",
    (50501, 444, 2840): "health-probe", (444, 50501, 4): "health-probe",
    (50420, 444, 2212): "health-probe", (444, 50420, 4): "health-probe",
    (50417, 444, 5120): "health-probe", (444, 50417, 4): "health-probe",
    (444, 51234, 4): "other", (3389, 53100, 1388): "other", (50990, 389, 1820): "other",
    (49672, 135, 0): "other",
}


def test_every_tcp_row_gets_the_expected_flow(report):
    tcp = report[report["proto"] == "TCP"]
    got = {(r.local_port, r.remote_port, r.pid): r.flow for r in tcp.itertuples()}
    assert got == EXPECTED
    assert (report.loc[report["proto"] == "UDP", "flow"] == "other").all()


def test_output_keeps_netstat_order_and_adds_columns(report):
    ns = netstat.parse(load("ours-netstat-ano-ex2013.txt"))
    assert report["line"].tolist() == ns["line"].tolist()
    assert list(report.columns) == list(ns.columns) + ["app_pool", "remote_side", "peer_pid", "flow", "why"]
    assert list(report["flow"].cat.categories) == list(flows.FLOWS)
    assert report["why"].notna().all() and not report["why"].str.contains(r"\{").any()


def test_why_names_the_process_pool_and_server(report):
    why = report.set_index(["local_port", "remote_port"])["why"]
    assert "MSExchangeServicesAppPool" in why[(49802, 444)] and "10.0.0.22" in why[(49802, 444)]
    assert "MSExchangeOWAAppPool" in why[(444, 49731)] and "7816" in why[(444, 49731)]
    assert "http.sys" in why[(443, 0)].iloc[0]
    assert "http.sys" not in why[(445, 0)]  # SMB, also PID 4, is not an IIS site
    assert "MSExchangeHMWorker.exe" in why[(50417, 444)] and "[::1]:444" in why[(50417, 444)]


def test_tasklist_names_cut_at_25_characters_are_expanded(report):
    images = report.set_index("pid")["image"]
    assert images[2212] == "Microsoft.Exchange.ServiceHost.exe"  # tasklist showed "Microsoft.Exchange.Servic"
    assert images[2840] == "MSExchangeMailboxAssistants.exe"


def test_images_from_netstat_b_without_tasklist():
    ns = netstat.parse(load("ours-netstat-anob-ex2013.txt"))
    out = flows.classify(ns, wp_df=appcmd.parse_wp(load("ours-appcmd-list-wp.txt")),
                         other_exchange_servers=["10.0.0.22"])
    tcp = out[out["proto"] == "TCP"]
    assert {(r.local_port, r.remote_port, r.pid): r.flow for r in tcp.itertuples()} == EXPECTED


def test_without_process_information_only_ports_decide():
    out = flows.classify(netstat.parse(load("ours-netstat-ano-ex2013.txt")))
    by = out.set_index(["local_port", "remote_port"])["flow"]
    assert by[(443, 50211)] == "client-to-front-end" and by[(443, 0)].iloc[0] == "listener"
    assert by[(49802, 444)] == "other"  # nothing says PID 8120 is a w3wp
    assert "PID 8120" in out.set_index(["local_port", "remote_port"])["why"][(49802, 444)]


def test_server_addresses_and_unlisted_servers():
    ns = netstat.parse("TCP 192.168.5.1:49802 192.168.5.9:444 ESTABLISHED 8120")
    tl = tasklist.parse('"w3wp.exe","8120","Services","0","1 K"')
    unknown = flows.classify(ns, tl)
    assert unknown.loc[0, "flow"] == "front-end-to-remote-back-end"
    assert unknown.loc[0, "remote_side"] == "remote"
    own = flows.classify(ns, tl, server_addresses=["192.168.5.9"])
    assert own.loc[0, "flow"] == "front-end-to-local-back-end"


def test_rules_table_is_consistent():
    features = {"proto", "listening", "system", "kind", "peer_kind", "local_port", "remote_port", "remote_side"}
    assert {rule.flow for rule in flows.RULES} == set(flows.FLOWS)
    assert all(set(rule.when) <= features for rule in flows.RULES)
    assert all(isinstance(v, tuple) for rule in flows.RULES for v in rule.when.values())
    assert flows.RULES[-1].when == {}  # a catch-all closes the table


def test_empty_and_wrong_input():
    empty = flows.classify(netstat.parse(""))
    assert empty.empty and "flow" in empty.columns
    with pytest.raises(CaslError, match="netstat_df to be a DataFrame from casl.parse.netstat"):
        flows.classify(tasklist.parse(load("ours-tasklist.txt")))
    with pytest.raises(CaslError, match="tasklist_df .* missing columns: \\['image'\\]"):
        flows.classify(netstat.parse(""), appcmd.parse_wp(load("ours-appcmd-list-wp.txt")))


@pytest.mark.parametrize("module", "flows".split())
def test_docstring_examples(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(f"casl.parse.{module}"), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


def test_short_names_in_casl_parse():
    import casl.parse as parse

    ns = parse.read_netstat(load("ours-netstat-ano-ex2013.txt"))
    out = parse.classify_flows(ns, parse.read_tasklist(load("ours-tasklist.txt")),
                               parse.read_appcmd_wp(load("ours-appcmd-list-wp.txt")),
                               other_exchange_servers=["10.0.0.22"])
    assert parse.read_netstat(load("ours-netstat-ano-ex2013.txt")).equals(ns)  # still callable after import
    assert (out["flow"] == "front-end-to-remote-back-end").sum() == 3
