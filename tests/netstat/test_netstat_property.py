"""Property: whatever a learner does (browse, recycle, iisreset, restart), netstat's text parses and
says what the model holds."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import casl
import casl.shell.commands.netstat  # noqa: F401  (registers netstat, tasklist, Get-NetTCPConnection)
from casl.model import sockets
from casl.parse import netstat, tasklist

STEPS = st.lists(st.one_of(
    st.tuples(st.just("browse"), st.sampled_from(["UserA", "UserB"]), st.sampled_from(["inside", "ServerA"])),
    st.tuples(st.just("ps"), st.sampled_from(["ServerA", "ServerB"]), st.sampled_from([
        "Restart-WebAppPool MSExchangeOWAAppPool", "appcmd recycle apppool MSExchangeOWAAppPool",
        "iisreset /noforce", "Restart-Service MSExchangeHM -Force", "Restart-Service MSExchangeServiceHost",
        "Stop-Website 'Exchange Back End'", "Start-Website 'Exchange Back End'"])),
    st.tuples(st.just("wait"), st.integers(1, 300), st.just("")),
    st.tuples(st.just("fault"), st.sampled_from(["backend-https-445", "port-444-blocked"]), st.just("")),
), max_size=8)
FORMS = ("netstat -ano", "netstat -an", "netstat -anob", "netstat -ano -p tcp", "netstat -ano | findstr 444")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(STEPS, st.sampled_from(["ServerA", "ServerB"]))
def test_any_history_gives_parseable_netstat(steps, server):
    lab = casl.open_lab("two-servers", state=None)
    injected = set()
    for kind, a, b in steps:
        if kind == "browse":
            url = "https://mail.contoso.com/owa" if b == "inside" else "https://servera.contoso.com/owa"
            lab.browse(a, url, where=b, accept_warning=True)
        elif kind == "ps":
            lab.run(a, b)
        elif kind == "fault":
            if not injected:          # one fault per history: some faults undo what another needs
                lab.inject(a)
                injected.add(a)
        else:
            lab.clock.tick(a)
    for form in FORMS:
        df = netstat.parse(lab.run(server, form), source=form)
        assert len(df) > 0 or "findstr" in form      # 444 may be gone (a stopped back end)
    df = netstat.parse(lab.run(server, "netstat -ano"))
    s = lab.server(server)
    model = [(r.local_ip, r.local_port, r.pid) for r in sockets.sockets(lab.org, s, lab.clock.now())]
    assert list(zip(df.local_address, df.local_port, df.pid)) == model
    procs = sockets.processes(s)
    assert set(df.pid) - {0} <= set(procs)          # every owner is a process tasklist shows
    assert list(tasklist.parse(lab.run(server, "tasklist /svc")).pid) == list(procs)
    # no two live rows share a local endpoint and a remote endpoint
    live = df[df.state.astype("string") != "TIME_WAIT"]
    assert not live.duplicated(["proto", "local_address", "local_port", "remote_address", "remote_port"]).any()
