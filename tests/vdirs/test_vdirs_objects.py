"""Exchange virtual directory objects and cmdlets: identities, URLs, authentication, remove/new, remnants."""
from __future__ import annotations

import csv

import pytest

import casl
from casl.facts import vdirs as vf
from casl.model import vdirs as vm
from casl.shell.commands.exchange_admin import open_ems

SNAPIN = "Add-PSSnapin Microsoft.Exchange.Management.PowerShell.SnapIn"


@pytest.fixture
def lab():
    lab = casl.open_lab("two-servers", state=None)
    assert "failed" not in open_ems(lab, "ServerA")
    return lab


@pytest.fixture
def sh(lab):
    return lab.shell("ServerA")


def _fl(text: str) -> list[dict[str, str]]:
    from casl.parse.formatlist import parse_raw   # our own text must read back with the real-output reader
    return [{k: ("" if v is None else v) for k, v in r.items()} for r in parse_raw(text)]


def test_plain_console_does_not_know_exchange_cmdlets():
    sh = casl.open_lab("single-server", state=None).shell("ServerA")
    out = sh.run("Get-OwaVirtualDirectory")
    assert "'Get-OwaVirtualDirectory' is not recognized as the name of a cmdlet" in out
    sh.run(SNAPIN)
    assert "owa (Default Web Site)" in sh.run("Get-OwaVirtualDirectory")


def test_objects_per_site_match_the_facts_sheet(lab, domain_dir):
    rows = list(csv.DictReader((domain_dir / "vdirs.csv").open(encoding="utf-8")))
    expected = {(r["site"], r["ad_vdir_name"]) for r in rows if r["ad_vdir_name"]}
    got = {(v.site, v.name) for v in lab.server("ServerA").vdirs.items}
    # PushNotifications (back end only) has no cmdlet family in the workbook's scope
    assert got == {e for e in expected if not e[1].startswith("PushNotifications")}


def test_identity_metabase_path_and_physical_path(sh):
    rec = _fl(sh.run("Get-OwaVirtualDirectory -Server ServerA -ShowMailboxVirtualDirectories | fl"))
    fe, be = rec
    assert fe["Identity"] == r"SERVERA\owa (Default Web Site)"
    assert fe["MetabasePath"] == "IIS://ServerA.contoso.com/W3SVC/1/ROOT/owa"
    assert be["MetabasePath"] == "IIS://ServerA.contoso.com/W3SVC/2/ROOT/owa"
    assert fe["Path"] == r"C:\Program Files\Microsoft\Exchange Server\V15\FrontEnd\HttpProxy\owa"
    assert fe["InternalUrl"] == "https://ServerA.contoso.com/owa" and fe["ExternalUrl"] == ""
    assert fe["FormsAuthentication"] == "True" and fe["InternalAuthenticationMethods"] == "{Basic, Fba}"
    assert be["WindowsAuthentication"] == "True" and be["FormsAuthentication"] == "False"


def test_owa_format_list_order_is_the_real_one(sh):
    out = sh.run(r"Get-OwaVirtualDirectory 'ServerA\owa (Default Web Site)' | fl")
    names = list(_fl(out)[0])
    assert names[0] == "RunspaceId"          # a remote (EMS) session adds it first
    assert tuple(names[1:]) == vf.OWA_HEAD[:-3] + ("Name", "InternalAuthenticationMethods", "MetabasePath") + vf._AUTH + \
        vf._TAIL_WEB + ("AdminDisplayVersion", "Server", "InternalUrl", "ExternalUrl",
                        "ExternalAuthenticationMethods") + vf.ADMIN_PROPS


def test_ews_properties_follow_the_real_export(sh, fixtures_dir):
    from casl.parse import clixml
    real = clixml.read(fixtures_dir / "exchange-cmdlets" / "exchange2016-Get-WebServicesVirtualDirectory.clixml.xml")[0]
    real_names = [k for k in real.to_record() if k not in ("PSComputerName", "RunspaceId", "PSShowComputerName",
                                                           "SerializationData")]
    out = sh.run("Get-WebServicesVirtualDirectory -Server ServerA | fl")
    ours = list(_fl(out)[0])[1:]
    assert ours == real_names
    rec = _fl(out)[0]
    assert rec["InternalUrl"] == "https://ServerA.contoso.com/EWS/Exchange.asmx"
    assert rec["InternalAuthenticationMethods"] == "{" + ", ".join(real.to_record()["InternalAuthenticationMethods"]) + "}"


def test_front_end_only_by_default_and_mailbox_switch(sh):
    plain = sh.run("Get-EcpVirtualDirectory")
    both = sh.run("Get-EcpVirtualDirectory -ShowMailboxVirtualDirectories")
    assert "Exchange Back End" not in plain and plain.count("ecp (Default Web Site)") == 2
    assert both.count("ecp (Exchange Back End)") == 2
    assert "SERVERB" not in sh.run("Get-EcpVirtualDirectory -Server ServerA")


def test_default_table_view(sh):
    out = sh.run("Get-OwaVirtualDirectory -Server ServerA")
    assert out.splitlines()[1:4] == [
        "Name                           Server                         OwaVersion",
        "----                           ------                         ----------",
        "owa (Default Web Site)         SERVERA                        Exchange2013"]


def test_mapi_front_end_only_and_outlook_anywhere(sh):
    assert "Exchange Back End" not in sh.run("Get-MapiVirtualDirectory -ShowMailboxVirtualDirectories")
    rec = _fl(sh.run("Get-OutlookAnywhere -Server ServerA | fl"))[0]
    assert rec["Name"] == "Rpc (Default Web Site)" and rec["SSLOffloading"] == "True"
    sh.run("Set-OutlookAnywhere 'ServerA\\Rpc (Default Web Site)' -ExternalHostname mail.contoso.com "
           "-ExternalClientsRequireSsl $true")
    rec = _fl(sh.run("Get-OutlookAnywhere -Server ServerA | fl"))[0]
    assert rec["ExternalHostname"] == "mail.contoso.com" and rec["ExternalClientsRequireSsl"] == "True"


def test_not_found_error_in_exchange_words(sh):
    out = sh.run(r"Get-OwaVirtualDirectory 'ServerA\owx (Default Web Site)'")
    assert ("The operation couldn't be performed because object 'ServerA\\owx (Default Web Site)' couldn't be found "
            "on 'DC01.contoso.com'.") in out
    assert "ManagementObjectNotFoundException" in out and "PSComputerName        : servera.contoso.com" in out


def test_set_changes_ad_and_iis(lab, sh):
    sh.run(r"Set-OwaVirtualDirectory 'ServerA\owa (Default Web Site)' -BasicAuthentication $false "
           r"-WindowsAuthentication $true -ExternalUrl https://mail.contoso.com/owa")
    auth = lab.server("ServerA").iis.authentication("Default Web Site", "/owa")
    assert auth.basic is False and auth.windows is True
    rec = _fl(sh.run(r"Get-OwaVirtualDirectory 'ServerA\owa (Default Web Site)' | fl"))[0]
    assert rec["ExternalUrl"] == "https://mail.contoso.com/owa" and rec["BasicAuthentication"] == "False"


def test_ad_properties_only_leaves_iis_values_blank(sh):
    rec = _fl(sh.run(r"Get-OwaVirtualDirectory 'ServerA\owa (Default Web Site)' -ADPropertiesOnly | fl"))[0]
    assert rec["Path"] == "" and rec["WebSite"] == "" and rec["BasicAuthentication"] == "False"
    assert rec["InternalUrl"] == "https://ServerA.contoso.com/owa"


def test_remove_new_round_trip_loses_customisations(lab, sh):
    sh.run(r"Set-OwaVirtualDirectory 'ServerA\owa (Default Web Site)' -ExternalUrl https://mail.contoso.com/owa "
           r"-InternalUrl https://mail.contoso.com/owa -FormsAuthentication $false")
    guid = vm.find(lab.server("ServerA"), "owa", "Default Web Site").guid
    out = sh.run(r"Remove-OwaVirtualDirectory 'ServerA\owa (Default Web Site)'")
    assert "NonInteractive mode" in out and vm.find(lab.server("ServerA"), "owa", "Default Web Site")
    sh.run(r"Remove-OwaVirtualDirectory 'ServerA\owa (Default Web Site)' -Confirm:$false")
    srv = lab.server("ServerA")
    assert vm.find(srv, "owa", "Default Web Site") is None
    assert srv.iis.site("Default Web Site").application("/owa") is None
    assert srv.iis.site("Default Web Site").application("/owa/Calendar") is None
    out = sh.run("New-OwaVirtualDirectory -Server ServerA -Role ClientAccess -WebSiteName 'Default Web Site'")
    assert "will serve requests after IIS restarts" in out
    v = vm.find(srv, "owa", "Default Web Site")
    assert v.guid != guid
    rec = _fl(sh.run(r"Get-OwaVirtualDirectory 'ServerA\owa (Default Web Site)' | fl"))[0]
    assert rec["ExternalUrl"] == "" and rec["FormsAuthentication"] == "True"
    assert rec["InternalUrl"] == "https://ServerA.contoso.com/owa"
    assert srv.iis.site("Default Web Site").application("/owa/Calendar").pool == "MSExchangeOWACalendarAppPool"
    assert srv.iis.authentication("Default Web Site", "/owa/auth").anonymous is True


def test_new_with_options_and_already_exists(lab, sh):
    out = sh.run("New-OwaVirtualDirectory -Server ServerA -Role Mailbox")
    assert "The virtual directory 'owa' already exists under 'ServerA.contoso.com/Exchange Back End'." in out
    sh.run(r"Remove-EcpVirtualDirectory 'ServerA\ecp (Exchange Back End)' -Confirm:$false")
    sh.run("New-EcpVirtualDirectory -Server ServerA -Role Mailbox -WebSiteName 'Exchange Back End'")
    assert vm.find(lab.server("ServerA"), "ecp", "Exchange Back End").site == "Exchange Back End"


def test_remnant_error_when_only_the_ad_object_was_removed(lab, sh):
    srv = lab.server("ServerA")
    dn = vm.distinguished_name(srv, vm.find(srv, "owa", "Default Web Site"))
    sh.run(f"Remove-ADObject '{dn}' -Confirm:$false")
    out = sh.run("New-OwaVirtualDirectory -Server ServerA -Role ClientAccess")
    assert ("An error occurred while creating the IIS virtual directory "
            "'IIS://ServerA.contoso.com/W3SVC/1/ROOT/owa' on 'ServerA'.") in out
    assert "Cmdlet-InvalidOperationException" in out
    sh.run("appcmd delete app 'Default Web Site/owa'")
    out = sh.run("New-OwaVirtualDirectory -Server ServerA -Role ClientAccess -InternalUrl https://mail.contoso.com/owa")
    assert "error" not in out.lower()
    assert vm.find(srv, "owa", "Default Web Site").settings["InternalUrl"] == "https://mail.contoso.com/owa"


def test_recreated_directory_serves_after_iis_restart(lab, sh):
    srv = lab.server("ServerA")
    sh.run(r"Remove-EcpVirtualDirectory 'ServerA\ecp (Default Web Site)' -Confirm:$false")
    sh.run("New-EcpVirtualDirectory -Role ClientAccess")
    v = vm.find(srv, "ecp", "Default Web Site")
    assert vm.needs_restart(srv, v) and vm.for_url(srv, "Default Web Site", "/ecp/default.aspx") is v
    sh.run("Restart-WebAppPool MSExchangeECPAppPool")
    assert not vm.needs_restart(srv, v)


def test_pipeline_set_and_ambiguous_identity(lab, sh):
    sh.run("Get-OabVirtualDirectory | Set-OabVirtualDirectory -ExternalUrl https://mail.contoso.com/OAB")
    assert {v.settings["ExternalUrl"] for s in ("ServerA", "ServerB")
            for v in lab.server(s).vdirs.items if v.key == "oab" and v.site == "Default Web Site"} == \
        {"https://mail.contoso.com/OAB"}
    out = sh.run("Set-OabVirtualDirectory 'OAB (Default Web Site)' -InternalUrl https://x.contoso.com/OAB")
    assert "The operation couldn't be performed because 'OAB (Default Web Site)' matches multiple entries." in out
    assert "missing mandatory parameters: Identity" in sh.run("Set-OabVirtualDirectory -PollInterval 60")


def test_rows_for_a_dataframe_view(lab, sh):
    sh.run(r"Remove-EcpVirtualDirectory 'ServerA\ecp (Default Web Site)' -Confirm:$false")
    sh.run("New-EcpVirtualDirectory -Role ClientAccess")
    rows = vm.rows(lab.server("ServerA"))
    assert rows == sorted(rows, key=lambda r: (r["Site"] != "Default Web Site", r["Name"].lower()))
    ecp = next(r for r in rows if r["Name"] == "ecp (Default Web Site)")
    assert ecp["NeedsRestart"] is True and ecp["AppPool"] == "MSExchangeECPAppPool"
