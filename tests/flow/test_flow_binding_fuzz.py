"""Property-based: random binding edits never crash the flow, and putting the bindings back restores ok.

Edits are the commands an administrator (or an installer) really types: Set-WebBinding on a port,
an address or a host name, New-WebBinding and Remove-WebBinding, on either site of either server,
with ports that collide with the other site's on purpose. Restoring means typing the original
bindings back (not lab.reset): removing every http/https binding and adding the originals.
"""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import casl
from casl.facts.flow import OUTCOMES

SITES = ("Default Web Site", "Exchange Back End")
PORTS = (80, 81, 443, 444, 445, 8080)
ORIGINAL = {"Default Web Site": [("http", "*:80:"), ("https", ":443:"), ("http", "127.0.0.1:80:"),
                                 ("https", "127.0.0.1:443:")],
            "Exchange Back End": [("http", "*:81:"), ("https", "*:444:")]}


def _same(info: str) -> str:
    return "*" + info if info.startswith(":") else info    # IIS reads ":443:" and "*:443:" alike


def _web_bindings(lab, server, site):
    return [(b.protocol, b.binding_information) for b in lab.server(server).iis.site(site).bindings
            if b.protocol in ("http", "https")]


edit = st.one_of(
    st.tuples(st.just("port"), st.sampled_from(SITES), st.sampled_from(PORTS)),
    st.tuples(st.just("ip"), st.sampled_from(SITES), st.sampled_from(("10.0.0.11", "127.0.0.1", "*"))),
    st.tuples(st.just("host"), st.sampled_from(SITES), st.sampled_from(("mail.contoso.com", "intranet", ""))),
    st.tuples(st.just("new"), st.sampled_from(SITES), st.sampled_from(PORTS)),
    st.tuples(st.just("remove"), st.sampled_from(SITES), st.sampled_from(("http", "https"))),
    st.tuples(st.just("stop"), st.sampled_from(SITES), st.just(0)),
)


def _command(lab, server, step) -> str:
    kind, site, value = step
    rows = _web_bindings(lab, server, site)
    first = rows[0][1] if rows else "*:1:"
    prop = {"port": "Port", "ip": "IPAddress", "host": "HostHeader"}.get(kind)
    if prop:
        return f"Set-WebBinding -Name '{site}' -BindingInformation '{first}' -PropertyName {prop} -Value '{value}'"
    if kind == "new":
        return f"New-WebBinding -Name '{site}' -Protocol https -Port {value}"
    if kind == "remove":
        return f"Remove-WebBinding -Name '{site}' -Protocol {value}"
    return f"Stop-Website -Name '{site}'"


def _restore(lab, server) -> None:
    for site, originals in ORIGINAL.items():
        for protocol, info in _web_bindings(lab, server, site):
            lab.run(server, f"Remove-WebBinding -Name '{site}' -Protocol {protocol} -BindingInformation '{info}'")
        for protocol, info in originals:
            ip, port, host = info.split(":")
            lab.run(server, f"New-WebBinding -Name '{site}' -Protocol {protocol} -IPAddress '{ip or '*'}' "
                            f"-Port {port} -HostHeader '{host}'")
    # Only once every binding is back can a site that lost its endpoint to the other one start again.
    for site in ORIGINAL:
        lab.run(server, f"Start-Website -Name '{site}'")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(("ServerA", "ServerB")), edit), min_size=1, max_size=6))
def test_random_binding_edits_never_crash_and_restoring_restores_ok(steps):
    lab = casl.open_lab("bindings", state=None)
    for server, step in steps:
        lab.run(server, _command(lab, server, step))
        for user in ("UserA", "UserB"):
            result = lab.browse(user, "https://mail.contoso.com/owa")
            assert result.outcome in OUTCOMES
            assert (result.outcome == "ok") == all(h.ok for h in result.hops)
    for server in ("ServerA", "ServerB"):
        _restore(lab, server)
        for site, originals in ORIGINAL.items():
            assert sorted((p, _same(i)) for p, i in _web_bindings(lab, server, site)) == \
                sorted((p, _same(i)) for p, i in originals)
    for user in ("UserA", "UserB"):
        result = lab.browse(user, "https://mail.contoso.com/owa")
        assert result.outcome == "ok", result
