"""Each fault gives its symptom at the right hop; the right repair restores OWA; the usual wrong ones do not."""
from __future__ import annotations

import pytest

from casl.flow.result import FlowResult
from casl.labs import load_faults

from flow_helpers import OWA_ON_A, open_two, owa



def self_signed(lab, server="ServerA"):
    return lab.server(server).certificates[0].thumbprint


# fault -> (user who fails, outcome, status, kind of the failing hop, words in its detail)
EXPECTED = {
    "backend-https-445": ("UserA", "blank-page", 500, "proxy", "listens on port 444"),
    "backend-https-deleted": ("UserA", "blank-page", 500, "proxy", "no site has a binding on port 444"),
    "backend-site-stopped": ("UserA", "blank-page", 500, "proxy", "Exchange Back End site"),
    "backend-https-443-too": ("UserA", "blank-page", 500, "proxy", "did not register the URL prefix https://*:443/"),
    "backend-cert-missing": ("UserA", "blank-page", 500, "tls", "0.0.0.0:444"),
    "owa-pool-stopped": ("UserA", "http-error", 503, "worker", "MSExchangeOWAAppPool is stopped"),
    "frontend-https-removed": ("UserA", "connection-refused", None, "tcp", "port 443"),
    "port-444-blocked": ("UserB", "http-error", 503, "proxy", "Windows Firewall rule on ServerB"),
}

REPAIRS = {
    "backend-https-445": [("ServerA", "Set-WebBinding -Name 'Exchange Back End' -BindingInformation '*:445:' "
                                      "-PropertyName Port -Value 444")],
    "backend-https-deleted": [("ServerA", "New-WebBinding -Name 'Exchange Back End' -Protocol https -Port 444")],
    "backend-site-stopped": [("ServerA", "Start-Website 'Exchange Back End'")],
    "backend-https-443-too": [("ServerA", "Remove-WebBinding -Name 'Exchange Back End' -Protocol https -Port 443"),
                              ("ServerA", "Start-Website -Name 'Exchange Back End'")],
    "backend-cert-missing": [("ServerA", "netsh http add sslcert ipport=0.0.0.0:444 certhash={thumb} "
                                         "appid={{4dc3e181-e14b-4a21-b022-59fc669b0914}}")],
    "owa-pool-stopped": [("ServerA", "Start-WebAppPool MSExchangeOWAAppPool")],
    "frontend-https-removed": [("ServerA", "New-WebBinding -Name 'Default Web Site' -Protocol https -Port 443")],
    "port-444-blocked": [("ServerB", "Remove-NetFirewallRule -DisplayName 'Block Exchange 444'")],
}


def test_every_fault_in_the_file_is_covered_here():
    assert set(load_faults()) == set(EXPECTED) | {"namespace-wrong-address"}


def test_baseline_works_for_both_users(two):
    for user in ("UserA", "UserB"):
        r = owa(two, user)
        assert (r.outcome, r.status, r.failed_hop) == ("ok", 200, None), r


@pytest.mark.parametrize("fault", sorted(EXPECTED))
def test_fault_symptom_and_failing_hop(fault):
    lab = open_two()
    lab.inject(fault)
    user, outcome, status, kind, words = EXPECTED[fault]
    r = owa(lab, user)
    assert (r.outcome, r.status) == (outcome, status), r
    assert r.failed_hop.kind == kind and words in r.failed_hop.detail, r


@pytest.mark.parametrize("fault", sorted(EXPECTED))
def test_logon_page_comes_from_the_front_end_when_only_the_back_end_is_broken(fault):
    lab = open_two()
    lab.inject(fault)
    r = owa(lab, EXPECTED[fault][0])
    logon = [h for h in r.hops if "logon.aspx" in h.action]
    if EXPECTED[fault][3] in ("proxy", "tls"):
        assert logon and logon[0].ok and logon[0].server == "ServerA"
    else:
        assert not any(h.ok for h in logon)


@pytest.mark.parametrize("fault", sorted(EXPECTED))
def test_the_right_repair_restores_ok(fault):
    lab = open_two()
    lab.inject(fault)
    for server, cmd in REPAIRS[fault]:
        out = lab.run(server, cmd.format(thumb=self_signed(lab)))
        assert "FullyQualifiedErrorId" not in out and "failed" not in out, out
    for user in ("UserA", "UserB"):
        r = owa(lab, user)
        assert r.outcome == "ok", r


def test_only_users_on_the_other_server_suffer_from_a_blocked_444():
    lab = open_two()
    lab.inject("port-444-blocked")
    a, b = owa(lab, "UserA"), owa(lab, "UserB")
    assert a.outcome == "ok"
    assert b.outcome == "http-error" and b.failed_hop.kind == "proxy"
    assert "21 s" in b.failed_hop.detail
    # the same rule on ServerA would not matter: a server's traffic to itself is not filtered
    lab.run("ServerA", "New-NetFirewallRule -DisplayName 'Block 444 here' -Direction Inbound -LocalPort 444 "
                       "-Protocol TCP -Action Block")
    assert owa(lab, "UserA").outcome == "ok"


def test_wrong_repair_443_on_the_back_end_keeps_it_broken():
    lab = open_two()
    lab.inject("backend-https-445")
    lab.run("ServerA", "Set-WebBinding -Name 'Exchange Back End' -BindingInformation '*:445:' -PropertyName Port "
                       "-Value 443")
    r = owa(lab, "UserA")
    assert r.outcome == "blank-page"
    assert "Exchange Back End" in lab.server("ServerA").failed_sites
    out = lab.run("ServerA", "Start-Website 'Exchange Back End'")
    assert "0x800700B7" in out


def test_wrong_repair_444_on_the_front_end_makes_a_proxy_loop():
    lab = open_two()
    lab.inject("backend-https-445")
    lab.run("ServerA", "New-WebBinding -Name 'Default Web Site' -Protocol https -Port 444")
    r = owa(lab, "UserA")
    assert r.outcome == "blank-page"
    assert "front end's proxy again" in r.failed_hop.detail


def test_wrong_repair_back_end_bound_to_one_ip_does_not_serve_the_local_proxy():
    lab = open_two()
    lab.inject("backend-https-445")
    lab.run("ServerA", "Remove-WebBinding -Name 'Exchange Back End' -Protocol https -Port 445")
    lab.run("ServerA", "New-WebBinding -Name 'Exchange Back End' -Protocol https -Port 444 -IPAddress 10.0.0.11")
    r = owa(lab, "UserA")
    assert (r.outcome, r.status) == ("http-error", 400)
    assert "Invalid Hostname" in r.failed_hop.detail and "fe80::" in r.failed_hop.detail
    assert owa(lab, "UserB").outcome == "ok"      # UserB's back end is ServerB, untouched


def test_443_on_both_sites_disables_the_second_one_until_restarted():
    lab = open_two()
    lab.inject("backend-https-443-too")
    server = lab.server("ServerA")
    assert "Exchange Back End" in server.failed_sites
    listing = lab.run("ServerA", "Get-Website")
    assert "Stopped" in listing
    # removing the clash alone does not bring the site back; an iisreset does (sites register in id order)
    lab.run("ServerA", "Remove-WebBinding -Name 'Exchange Back End' -Protocol https -Port 443")
    assert owa(lab, "UserA").outcome == "blank-page"
    lab.run("ServerA", "iisreset /noforce")
    assert owa(lab, "UserA").outcome == "ok"


def test_after_iisreset_the_default_web_site_wins_443():
    lab = open_two()
    lab.inject("backend-https-443-too")
    lab.run("ServerA", "iisreset /noforce")
    s = lab.server("ServerA")
    assert "Exchange Back End" in s.failed_sites and "Default Web Site" not in s.failed_sites


def test_faults_combine():
    lab = open_two()
    lab.inject("port-444-blocked")
    lab.inject("backend-https-445")
    assert owa(lab, "UserA").outcome == "blank-page"
    assert owa(lab, "UserB").outcome == "http-error"
    lab.inject("owa-pool-stopped")
    assert {owa(lab, u).status for u in ("UserA", "UserB")} == {503}


def test_wrong_address_for_the_namespace_times_out(namespace_lab):
    lab = namespace_lab
    assert lab.browse("UserB", "https://mail.contoso.com/owa").outcome == "ok"
    lab.inject("namespace-wrong-address")
    r = lab.browse("UserB", "https://mail.contoso.com/owa")
    assert r.outcome == "connection-timeout" and r.failed_hop.kind == "tcp" and "10.0.0.99" in r.failed_hop.detail
    lab.run("ServerA", "Remove-DnsServerResourceRecord -ZoneName contoso.com -RRType A -Name mail -Force")
    assert lab.browse("UserB", "https://mail.contoso.com/owa").outcome == "name-not-resolved"
    lab.run("ServerA", "Add-DnsServerResourceRecordA -ZoneName contoso.com -Name mail -IPv4Address 10.0.0.11")
    assert lab.browse("UserB", "https://mail.contoso.com/owa").outcome == "ok"


def test_certificate_golden_rules(two, namespace_lab):
    # a fresh install: the self-signed certificate on 443 has neither the namespace nor a trusted issuer
    r = two.browse("UserA", "https://mail.contoso.com/owa")
    assert r.outcome == "certificate-warning"
    assert "not trusted" in r.failed_hop.detail and "'mail.contoso.com' is not on the certificate" in r.failed_hop.detail
    assert two.browse("UserA", "https://mail.contoso.com/owa", accept_warning=True).outcome == "ok"
    # with the enterprise certificate: fine inside; outside the internal CA is not trusted
    assert namespace_lab.browse("UserA", "https://mail.contoso.com/owa").outcome == "ok"
    out = namespace_lab.browse("UserA", "https://mail.contoso.com/owa", where="outside")
    assert out.outcome == "certificate-warning" and "not trusted" in out.failed_hop.detail
    # the lab clock decides expiry
    namespace_lab.clock.tick(3 * 365 * 86400)
    late = namespace_lab.browse("UserA", "https://mail.contoso.com/owa")
    assert late.outcome == "certificate-warning" and "expired" in late.failed_hop.detail


def test_proxy_does_not_check_the_back_end_certificate_name(two):
    # 444 bound to another certificate that has its private key: the proxy only encrypts [S9]
    wmsvc = two.server("ServerA").certificates[2].thumbprint
    two.run("ServerA", "netsh http delete sslcert ipport=0.0.0.0:444")
    two.run("ServerA", f"netsh http add sslcert ipport=0.0.0.0:444 certhash={wmsvc} "
                       "appid={4dc3e181-e14b-4a21-b022-59fc669b0914}")
    assert owa(two, "UserA").outcome == "ok"
    # a binding pointing at a certificate no longer in the store breaks it (HttpEvent 15021)
    two.server("ServerA").certificates.pop(2)
    r = owa(two, "UserA")
    assert r.outcome == "blank-page" and "15021" in r.failed_hop.detail


def test_stopped_services_and_names():
    lab = open_two()
    assert lab.browse("UserA", "https://nosuch.contoso.com/owa").outcome == "name-not-resolved"
    assert lab.browse("UserA", "https://servera/owa", where="outside").outcome == "name-not-resolved"
    lab.run("ServerB", "Stop-Service MSExchangeRPC")
    r = owa(lab, "UserB")
    assert (r.outcome, r.failed_hop.kind) == ("http-error", "rpc")
    lab.run("ServerA", "Stop-Service W3SVC")
    r = owa(lab, "UserA")
    assert r.outcome == "connection-refused" and "World Wide Web Publishing Service" in r.failed_hop.detail


def test_result_shapes(two):
    r = owa(two, "UserB")
    assert isinstance(r, FlowResult)
    assert r.hops[0].kind == "dns" and r.hops[-1].kind == "store"
    assert repr(r).startswith("UserB -> " + OWA_ON_A)
    assert "```mermaid" in r._repr_markdown_()
    two.inject("backend-https-445")
    bad = owa(two, "UserA")
    mm = bad.mermaid()
    assert mm.startswith("flowchart TD") and "style h6 fill:#f8d7da" in mm
    assert sum(1 for line in mm.splitlines() if line.strip().startswith("style")) == 1


def test_unknown_inputs_are_clear_errors(two):
    from casl.errors import LabError
    with pytest.raises(LabError, match="no mailbox 'Nobody'"):
        two.browse("Nobody", OWA_ON_A)
    with pytest.raises(LabError, match="not a web address"):
        two.browse("UserA", "servera/owa")
    with pytest.raises(LabError, match="'inside', 'outside' or a server"):
        two.browse("UserA", OWA_ON_A, where="Mars")
    with pytest.raises(LabError, match="clients"):
        two.browse("UserA", OWA_ON_A, client="telnet")


def test_plain_http_to_owa_is_refused_by_ssl_required(two):
    r = two.browse("UserA", "http://servera.contoso.com/owa", where="ServerA")
    assert (r.outcome, r.status) == ("http-error", 403) and "403.4" in r.failed_hop.detail
    w3c = two.server("ServerA").fs.read(r"C:\inetpub\logs\LogFiles\W3SVC1\u_ex141002.log").splitlines()[-1].split()
    assert w3c[6] == "80" and w3c[11:13] == ["403", "4"]


def test_ecp_uses_the_owa_logon_page_and_its_own_pool(two):
    r = two.browse("UserB", "https://servera.contoso.com/ecp", where="ServerA")
    assert r.outcome == "ok"
    assert any("logon.aspx" in h.action for h in r.hops)
    proxy = next(h for h in r.hops if h.kind == "proxy")
    assert "MSExchangeECPAppPool" in proxy.where
    two.run("ServerB", "Stop-WebAppPool MSExchangeECPAppPool")
    r = two.browse("UserB", "https://servera.contoso.com/ecp", where="ServerA")
    assert (r.outcome, r.status) == ("http-error", 503)
    assert r.failed_hop.server == "ServerB" and "MSExchangeECPAppPool" in r.failed_hop.detail
    assert two.browse("UserA", "https://servera.contoso.com/ecp", where="ServerA").outcome == "ok"


def test_outside_comes_in_through_the_perimeter_to_servera(namespace_lab):
    r = namespace_lab.browse("UserB", "https://mail.contoso.com/owa", where="outside", accept_warning=True)
    assert r.outcome == "ok"
    assert r.hops[0].detail == "203.0.113.10" and "ServerA 10.0.0.11:443" in r.hops[1].action
    fe = namespace_lab.server("ServerA").fs.read(r"C:\inetpub\logs\LogFiles\W3SVC1\u_ex141002.log")
    assert " 198.51.100.23 " in fe.splitlines()[-1]      # port forwarding keeps the client's address
    assert namespace_lab.browse("UserB", "https://mail.contoso.com:8443/owa", where="outside").outcome == \
        "connection-timeout"


def test_only_the_loopback_443_left_gives_invalid_hostname(two):
    # http.sys still listens on 443 for every address (127.0.0.1:443 is registered), but no site
    # takes a request that came in on 10.0.0.11
    two.run("ServerA", "Remove-WebBinding -Name 'Default Web Site' -BindingInformation ':443:'")
    r = owa(two, "UserA")
    assert (r.outcome, r.status) == ("http-error", 400) and "Invalid Hostname" in r.failed_hop.detail
    httperr = two.server("ServerA").fs.read(r"C:\Windows\System32\LogFiles\HTTPERR\httperr1.log")
    assert httperr.splitlines()[-1].split()[9:12] == ["400", "-", "Hostname"]
