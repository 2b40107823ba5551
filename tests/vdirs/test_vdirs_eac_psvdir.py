"""The admin center's reset, the PowerShell directory's modules, the remote shell, persistence."""
from __future__ import annotations

import json

import pytest

import casl
from casl.errors import LabError
from casl.model import vdirs as vm
from casl.model.psvdir import remote_shell_status
from casl.shell.commands.exchange_admin import open_ems

OWA = r"ServerA\owa (Default Web Site)"
EMS = ("$s = New-PSSession -ConfigurationName Microsoft.Exchange -ConnectionUri http://ServerA.contoso.com/PowerShell/ "
       "-Authentication Kerberos")


@pytest.fixture
def lab():
    return casl.open_lab("two-servers", state=None)


# --- EAC reset ------------------------------------------------------------------------------------

def test_eac_reset_refuses_without_a_backup_path(lab):
    with pytest.raises(LabError, match="needs a path"):
        lab.eac_reset_virtual_directory("ServerA", OWA, "")
    with pytest.raises(LabError, match="doesn't exist"):
        lab.eac_reset_virtual_directory("ServerA", OWA, r"\\ServerA\c$\Backup")
    assert lab.journal == []


def test_eac_reset_backs_up_recreates_and_needs_restart(lab):
    sh = lab.shell("ServerA")
    open_ems(lab, "ServerA")
    sh.run(f"Set-OwaVirtualDirectory '{OWA}' -ExternalUrl https://mail.contoso.com/owa")
    sh.run(r"mkdir C:\Backup")
    path = lab.eac_reset_virtual_directory("ServerA", OWA, r"\\ServerA\c$\Backup")
    assert path == r"\\ServerA\c$\Backup\owa (Default Web Site).txt"
    srv = lab.server("ServerA")
    backup = sh.run(r"Get-Content 'C:\Backup\owa (Default Web Site).txt'")
    assert "ExternalUrl" in backup and "https://mail.contoso.com/owa" in backup
    v = vm.find(srv, "owa", "Default Web Site")
    assert v.settings["ExternalUrl"] is None and vm.needs_restart(srv, v)
    sh.run("iisreset /noforce")
    assert not vm.needs_restart(srv, v)
    # restore from the backup with Set-*
    from casl.parse.formatlist import parse
    saved = parse(srv.fs.read(r"C:\Backup\owa (Default Web Site).txt"))[0]
    sh.run(f"Set-OwaVirtualDirectory '{OWA}' -ExternalUrl {saved['ExternalUrl']}")
    assert v.settings["ExternalUrl"] == "https://mail.contoso.com/owa"


def test_eac_reset_to_a_file_on_another_server(lab):
    lab.run("ServerB", r"mkdir C:\Saved")
    out = lab.eac_reset_virtual_directory("ServerA", r"ServerA\ecp (Exchange Back End)", r"\\ServerB\c$\Saved\ecp.txt")
    assert out == r"\\ServerB\c$\Saved\ecp.txt"
    assert "ecp (Exchange Back End)" in lab.server("ServerB").fs.read(r"C:\Saved\ecp.txt")


# --- the PowerShell directory and the remote shell ---------------------------------------------

BREAKS = [
    # (break, fix, code)
    ("Remove-WebGlobalModule kerbauth",
     r'New-WebGlobalModule -Name kerbauth -Image "C:\Program Files\Microsoft\Exchange Server\V15\Bin\kerbauth.dll"',
     "content-type"),
    ("Enable-WebGlobalModule kerbauth -PSPath 'IIS:\\Sites\\Default Web Site'",
     "Disable-WebGlobalModule kerbauth -PSPath 'IIS:\\Sites\\Default Web Site'", "content-type"),
    ('appcmd delete module kerbauth /app.name:"Default Web Site/PowerShell"',
     'appcmd add module /name:kerbauth /app.name:"Default Web Site/PowerShell"', "content-type"),
    ('appcmd uninstall module WSMan',
     r'New-WebGlobalModule -Name WSMan -Image C:\Windows\system32\wsmsvc.dll', "content-type"),
    ("Set-PowerShellVirtualDirectory 'ServerA\\PowerShell (Default Web Site)' -RequireSSL $true",
     "Set-PowerShellVirtualDirectory 'ServerA\\PowerShell (Default Web Site)' -RequireSSL $false", "403"),
    ('appcmd set vdir "Default Web Site/PowerShell/" /physicalPath:C:\\inetpub\\PowerShell',
     'appcmd set vdir "Default Web Site/PowerShell/" '
     '"/physicalPath:C:\\Program Files\\Microsoft\\Exchange Server\\V15\\FrontEnd\\HttpProxy\\PowerShell"', "500"),
    ('appcmd set config "Default Web Site/PowerShell" -section:system.webServer/security/access '
     '"/sslFlags:Ssl,SslNegotiateCert" /commit:apphost',
     'appcmd set config "Default Web Site/PowerShell" -section:system.webServer/security/access '
     '/sslFlags:SslNegotiateCert /commit:apphost', "403"),
    ("Stop-WebAppPool MSExchangePowerShellAppPool", "Start-WebAppPool MSExchangePowerShellAppPool", "refused"),
    ("Stop-Service W3SVC", "Start-Service W3SVC", "url"),
    ("Remove-WebBinding -Name 'Default Web Site' -Protocol http -Port 80 -IPAddress *",
     "New-WebBinding -Name 'Default Web Site' -Protocol http -Port 80 -IPAddress *", "url"),
    ("Stop-WebAppPool MSExchangePowerShellFrontEndAppPool", "Start-WebAppPool MSExchangePowerShellFrontEndAppPool",
     "503"),
    ('icacls "C:\\Program Files\\Microsoft\\Exchange Server\\V15\\ClientAccess\\PowerShell-Proxy" '
     '/deny "NT AUTHORITY\\SYSTEM:(OI)(CI)F"',
     'icacls "C:\\Program Files\\Microsoft\\Exchange Server\\V15\\ClientAccess\\PowerShell-Proxy" /reset', "500"),
]


@pytest.mark.parametrize("brk,fix,code", BREAKS)
def test_each_break_gives_its_winrm_error_and_the_fix_restores_the_shell(lab, brk, fix, code):
    sh = lab.shell("ServerA")
    sh.run("Add-PSSnapin Microsoft.Exchange.Management.PowerShell.SnapIn")   # the snap-in survives breaks
    assert "error" not in sh.run(brk).lower() or "icacls" in brk
    status = remote_shell_status(lab, "ServerA")
    assert not status.ok and status.code == code, status
    out = sh.run(EMS)
    assert "Connecting to remote server ServerA.contoso.com failed with the following error message : " in out
    assert status.message in out and f"{status.error_id},PSSessionOpenFailed" in out
    sh.run(fix)
    assert remote_shell_status(lab, "ServerA").ok
    assert "failed" not in sh.run(EMS + "\nImport-PSSession $s")


def test_444_certificate_gone_breaks_the_shell(lab):
    del lab.server("ServerA").ssl_certs["0.0.0.0:444"]
    assert remote_shell_status(lab, "ServerA").code == "500"
    assert remote_shell_status(lab, "ServerB").ok


def test_snapin_works_when_remote_powershell_is_broken(lab):
    sh = lab.shell("ServerA")
    sh.run("Remove-WebGlobalModule kerbauth")
    assert "failed" in open_ems(lab, "ServerA")
    assert "is not recognized" in sh.run("Get-PowerShellVirtualDirectory")
    sh.run("Add-PSSnapin Microsoft.Exchange.Management.PowerShell.SnapIn")
    out = sh.run("Get-PowerShellVirtualDirectory -Server ServerA")
    assert "PowerShell (Default Web Site)" in out and "RunspaceId" not in sh.run("Get-PowerShellVirtualDirectory | fl")
    assert "Microsoft.Exchange.Management.PowerShell.SnapIn" in sh.run("Get-PSSnapin")


def test_imported_session_breaks_with_the_directory(lab):
    sh = lab.shell("ServerA")
    open_ems(lab, "ServerA")
    assert "owa" in sh.run("Get-OwaVirtualDirectory")
    sh.run("Set-PowerShellVirtualDirectory 'ServerA\\PowerShell (Default Web Site)' -RequireSSL $true")
    assert "403" in sh.run("Get-OwaVirtualDirectory")


def test_compare_module_listings_of_two_servers(lab):
    lab.run("ServerB", 'appcmd delete module kerbauth /app.name:"Default Web Site/PowerShell"')
    for s in ("ServerA", "ServerB"):
        lab.run(s, r'appcmd list modules /app.name:"Default Web Site/PowerShell" > C:\mods.txt')
        lab.run(s, r"Get-WebGlobalModule > C:\global.txt")
    text_b = lab.server("ServerB").fs.read(r"C:\mods.txt")
    lab.server("ServerA").fs.write(r"C:\modsB.txt", text_b)
    out = lab.run("ServerA", r"Compare-Object (Get-Content C:\mods.txt) (Get-Content C:\modsB.txt)")
    assert 'MODULE "kerbauth" ( type:, preCondition: )' in out and "<=" in out
    assert out.count("<=") == 1 and "=>" not in out


def test_module_listing_text(lab):
    out = lab.run("ServerA", 'appcmd list modules /app.name:"Exchange Back End/PowerShell"')
    lines = out.splitlines()
    assert 'MODULE "WSMan" ( type:, preCondition: )' in lines
    assert any('"ServiceModel-4.0"' in x for x in lines)     # the back end removes only ServiceModel
    front = lab.run("ServerA", 'appcmd list modules /app.name:"Default Web Site/PowerShell"')
    assert '"ServiceModel-4.0"' not in front and 'MODULE "kerbauth" ( type:, preCondition: )' in front
    assert "kerbauth" not in out
    out = lab.run("ServerA", "Get-WebConfiguration system.webServer/modules -PSPath 'IIS:\\Sites\\Default Web Site\\PowerShell'")
    assert "kerbauth" in out and "HttpProxy" in out


def test_acl_and_av_exclusions(lab):
    path = r"C:\Program Files\Microsoft\Exchange Server\V15\FrontEnd\HttpProxy\PowerShell"
    out = lab.run("ServerA", f"Get-Acl '{path}' | Format-List")
    assert "NT AUTHORITY\\SYSTEM Allow  FullControl" in out and "Owner" in out
    lab.run("ServerB", r"Remove-MpPreference -ExclusionPath '%SystemRoot%\System32\Inetsrv'")
    a = lab.run("ServerA", "Get-MpPreference | Select-Object -ExpandProperty ExclusionPath")
    b = lab.run("ServerB", "Get-MpPreference | Select-Object -ExpandProperty ExclusionPath")
    assert r"%SystemRoot%\System32\Inetsrv" in a and r"%SystemRoot%\System32\Inetsrv" not in b


# --- persistence and determinism ------------------------------------------------------------------

def test_state_survives_reopening(tmp_path):
    state = tmp_path / "lab.json"
    lab = casl.open_lab("single-server", state=state)
    open_ems(lab, "ServerA")
    lab.run("ServerA", f"Set-OwaVirtualDirectory '{OWA}' -ExternalUrl https://mail.contoso.com/owa")
    lab.run("ServerA", r"mkdir C:\Backup")
    lab.eac_reset_virtual_directory("ServerA", OWA, r"C:\Backup")
    lab.run("ServerA", "Remove-WebGlobalModule kerbauth")
    assert any(e[0] == "eac" for e in json.loads(state.read_text())["journal"])
    again = casl.open_lab("single-server", state=state)
    srv, old = again.server("ServerA"), lab.server("ServerA")
    assert [(v.identity, v.guid, v.settings) for v in srv.vdirs.items] == \
        [(v.identity, v.guid, v.settings) for v in old.vdirs.items]
    assert "mail.contoso.com" in srv.fs.read(r"C:\Backup\owa (Default Web Site).txt")
    assert remote_shell_status(again, "ServerA").code == "content-type"


def test_same_commands_same_output():
    def run():
        lab = casl.open_lab("two-servers", state=None)
        out = open_ems(lab, "ServerA")
        out += lab.run("ServerA", "Get-OwaVirtualDirectory -ShowMailboxVirtualDirectories | fl")
        out += lab.run("ServerA", "New-OwaVirtualDirectory -Role ClientAccess")
        return out
    assert run() == run()


def test_copy_replays_the_admin_center_reset(lab):
    lab.run("ServerA", r"mkdir C:\Backup")      # a journalled command, so the copy has the folder too
    lab.eac_reset_virtual_directory("ServerA", OWA, r"C:\Backup")
    twin = lab.copy()
    assert vm.find(twin.server("ServerA"), "owa", "Default Web Site").guid == \
        vm.find(lab.server("ServerA"), "owa", "Default Web Site").guid
