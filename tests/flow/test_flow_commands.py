"""Network commands answer as the real ones do, and their rules feed the request flow."""
from __future__ import annotations

from flow_helpers import open_two, owa

BLOCK = ("New-NetFirewallRule -DisplayName 'Block 444' -Direction Inbound -LocalPort 444 -Protocol TCP "
         "-Action Block")


def test_new_get_remove_firewall_rule():
    lab = open_two()
    b = lab.shell("ServerB")
    out = b.run(BLOCK)
    lines = [line.split(":", 1)[0].strip() for line in out.strip().splitlines()]
    assert lines[:3] == ["Name", "DisplayName", "Description"] and lines[-1] == "PolicyStoreSourceType"
    assert "Action                : Block" in out and "Direction             : Inbound" in out
    assert out.split("Name                  : ")[1].startswith("{")
    assert b.run("Get-NetFirewallRule -DisplayName 'Block 444' | Select-Object -ExpandProperty Action").strip() == "Block"
    assert owa(lab, "UserB").outcome == "http-error"
    assert b.run("Get-NetFirewallRule -DisplayName 'Block 444' | Remove-NetFirewallRule") == ""
    assert owa(lab, "UserB").outcome == "ok"
    err = b.run("Remove-NetFirewallRule -DisplayName 'Block 444'")
    assert "No MSFT_NetFirewallRule objects found with property 'DisplayName' equal to 'Block 444'." in err
    assert "CmdletizationQuery_NotFound_DisplayName,Remove-NetFirewallRule" in err


def test_firewall_rule_validation():
    sh = open_two().shell("ServerA")
    out = sh.run("New-NetFirewallRule -DisplayName x -Direction Sideways")
    assert "does not belong to the set \"Inbound,Outbound\"" in out
    assert "TCP or UDP" in sh.run("New-NetFirewallRule -DisplayName x -LocalPort 444")
    assert "MissingMandatoryParameter" in sh.run("New-NetFirewallRule -LocalPort 444 -Protocol TCP")


def test_outbound_block_on_the_front_end():
    lab = open_two()
    lab.run("ServerA", "New-NetFirewallRule -DisplayName 'No 444 out' -Direction Outbound -RemotePort 444 "
                       "-Protocol TCP -Action Block")
    r = owa(lab, "UserB")
    assert r.outcome == "blank-page" and "blocks outgoing" in r.failed_hop.detail
    assert owa(lab, "UserA").outcome == "ok"


def test_test_net_connection():
    lab = open_two()
    a = lab.shell("ServerA")
    ok = a.run("Test-NetConnection ServerB.contoso.com -Port 444")
    assert [line.split(":")[0].strip() for line in ok.strip().splitlines()] == [
        "ComputerName", "RemoteAddress", "RemotePort", "InterfaceAlias", "SourceAddress", "TcpTestSucceeded"]
    assert "TcpTestSucceeded : True" in ok and "RemoteAddress    : 10.0.0.12" in ok
    lab.run("ServerB", BLOCK)
    bad = a.run("Test-NetConnection ServerB.contoso.com -Port 444")
    assert bad.lstrip().startswith("WARNING: TCP connect to ServerB.contoso.com:444 failed")
    assert "PingSucceeded          : True" in bad and "TcpTestSucceeded       : False" in bad
    assert a.run("Test-NetConnection ServerB -Port 444 -InformationLevel Quiet").strip() == "False"
    assert "Name resolution of nosuch failed" in a.run("Test-NetConnection nosuch -Port 443")
    lab.inject("backend-https-445")
    assert "TcpTestSucceeded       : False" in a.run("Test-NetConnection ServerA -Port 444")
    assert "TcpTestSucceeded : True" in a.run("Test-NetConnection ServerA -Port 445")


def test_resolve_dns_name_and_nslookup():
    a = open_two().shell("ServerA")
    out = a.run("Resolve-DnsName mail.contoso.com")
    head, dashes, row = out.strip("\n").splitlines()
    assert head.split() == ["Name", "Type", "TTL", "Section", "IPAddress"] and head.index("Type") == 47
    assert row.split() == ["mail.contoso.com", "A", "3600", "Answer", "10.0.0.11"]
    err = a.run("Resolve-DnsName nosuch.contoso.com")
    assert err.startswith("Resolve-DnsName : nosuch.contoso.com : DNS name does not exist")
    assert "DNS_ERROR_RCODE_NAME_ERROR,Microsoft.DnsClient.Commands.ResolveDnsName" in err
    ns = a.run("nslookup serverb")
    assert ns.splitlines()[:2] == ["Server:  dc01.contoso.com", "Address:  10.0.0.10"]
    assert "Name:    serverb.contoso.com\nAddress:  10.0.0.12" in ns and "Non-authoritative" not in ns
    public = a.run("nslookup mail.contoso.com 192.0.2.53")
    assert "Non-authoritative answer:\nName:    mail.contoso.com\nAddress:  203.0.113.10" in public
    assert "*** dc01.contoso.com can't find nosuch: Non-existent domain" in a.run("nslookup nosuch")


def test_netsh_sslcert():
    lab = open_two()
    a = lab.shell("ServerA")
    show = a.run("netsh http show sslcert")
    assert show.count("IP:port") == 3 and "0.0.0.0:444" in show and "{4dc3e181-e14b-4a21-b022-59fc669b0914}" in show
    assert "successfully deleted" in a.run("netsh http delete sslcert ipport=0.0.0.0:444")
    assert "Error: 2" in a.run("netsh http delete sslcert ipport=0.0.0.0:444")
    assert "Error: 1312" in a.run("netsh http add sslcert ipport=0.0.0.0:444 certhash=00 "
                                  "appid={4dc3e181-e14b-4a21-b022-59fc669b0914}")
    assert owa(lab, "UserA").outcome == "blank-page"


def test_appcmd_binding_edit_in_powershell_needs_quotes():
    lab = open_two()
    out = lab.run("ServerA", "appcmd set site /site.name:\"Exchange Back End\" "
                             "\"/bindings.[protocol='https',bindingInformation='*:444:'].bindingInformation:*:445:\"")
    assert out.strip() == 'SITE object "Exchange Back End" changed'
    assert owa(lab, "UserA").outcome == "blank-page"


def test_appcmd_remove_and_add_the_back_end_binding():
    lab = open_two()
    drop = "appcmd set site /site.name:\"Exchange Back End\" \"/-bindings.[protocol='https',bindingInformation='*:444:']\""
    assert lab.run("ServerA", drop).strip() == 'SITE object "Exchange Back End" changed'
    assert owa(lab, "UserA").outcome == "blank-page"
    assert "Cannot find requested collection element" in lab.run("ServerA", drop)
    lab.run("ServerA", drop.replace("/-bindings", "/+bindings"))
    assert owa(lab, "UserA").outcome == "ok"
