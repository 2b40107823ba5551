"""The shell answers as a Server 2012 R2 console would: outputs, binding rules, errors."""
from __future__ import annotations

import pytest

import casl


@pytest.fixture
def sh():
    return casl.open_lab("two-servers", state=None).shell("ServerA")


def test_get_webbinding_default_view(sh):
    out = sh.run("Get-WebBinding -Name 'Exchange Back End'")
    assert out == (
        "\nprotocol bindingInformation sslFlags\n"
        "-------- ------------------ --------\n"
        "http     *:81:                     0\n"
        "https    *:444:                    0\n"
        "net.pipe *                         0\n\n")


def test_get_service_view(sh):
    assert sh.run("Get-Service W3SVC").splitlines()[1:4] == [
        "Status   Name               DisplayName",
        "------   ----               -----------",
        "Running  W3SVC              World Wide Web Publishing Service"]


@pytest.mark.parametrize("line", [
    "Get-WebBinding -Name 'Exchange Back End' -Port 444",
    "get-webbinding -name 'Exchange Back End' -port 444",
    "Get-WebBinding 'Exchange Back End' -Po 444",
    'Get-WebBinding -Name:"Exchange Back End" -Port:444',
    "Get-WebBinding -Port 444 -Name Exchange` Back` End",
])
def test_parameter_binding_forms(sh, line):
    out = sh.run(line)
    assert "*:444:" in out and "*:81:" not in out, line


def test_unknown_command_error_text_and_position(sh):
    out = sh.run("Get-WebBindings")
    assert out.startswith("Get-WebBindings : The term 'Get-WebBindings' is not recognized as the name of a cmdlet")
    assert "At line:1 char:1" in out and "+ ~~~~~~~~~~~~~~~" in out
    assert "FullyQualifiedErrorId : CommandNotFoundException" in out


def test_unknown_parameter_points_at_it(sh):
    out = sh.run("Get-WebBinding -Nmae x")
    lines = out.splitlines()
    assert lines[0] == "Get-WebBinding : A parameter cannot be found that matches parameter name 'Nmae'."
    assert lines[1] == "At line:1 char:16"
    assert lines[3] == "+                ~~~~~"


def test_ambiguous_prefix_lists_matches(sh):
    assert "Possible matches include: -Protocol -Port -PipelineVariable." in sh.run("Get-WebBinding -P 1")


def test_type_conversion_error(sh):
    out = sh.run("Get-WebBinding -Port abc")
    assert 'Cannot convert value "abc" to type "System.UInt32"' in out
    assert "CannotConvertArgumentNoMessage" in out


def test_missing_argument_and_positional(sh):
    assert "Missing an argument for parameter 'Name'." in sh.run("Get-WebBinding -Name")
    assert "A positional parameter cannot be found that accepts argument 'b'." in sh.run("Get-WebBinding a b")


def test_parse_errors_come_first_with_position(sh):
    out = sh.run("Get-WebBinding |")
    assert out.splitlines()[0] == "At line:1 char:16"
    assert "An empty pipe element is not allowed." in out
    assert "The string is missing the terminator: '." in sh.run("Get-Service 'W3SVC")


def test_alias_shows_in_error_header(sh):
    out = sh.run("gsv nosuchservice")
    assert out.startswith("gsv : Cannot find any service with service name 'nosuchservice'.")
    assert "[Get-Service], ServiceCommandException" in out


def test_iis_drive_navigation_like_folders(sh):
    assert "Cannot find drive. A drive with the name 'IIS' does not exist." in sh.run("cd IIS:\\")
    sh.run("Import-Module WebAdministration")
    sh.run("cd IIS:\\Sites")
    assert sh.prompt == "PS IIS:\\Sites> "
    sh.run('cd "Default Web Site"')
    listing = sh.run("dir")
    assert "application      owa" in listing and "directory        aspnet_client" in listing
    sh.run("cd ..")
    assert sh.location.path == "IIS:\\Sites"
    sh.run("cd ..\\AppPools")
    assert "MSExchangeOWAAppPool" in sh.run("dir")


def test_export_and_compare_listings(sh):
    sh.run("Get-WebBinding | fl > C:\\good.txt")
    sh.run("Set-WebBinding -Name 'Exchange Back End' -BindingInformation '*:444:' -PropertyName Port -Value 445")
    sh.run("Get-WebBinding | fl > C:\\broken.txt")
    out = sh.run("Compare-Object (Get-Content C:\\good.txt) (Get-Content C:\\broken.txt)")
    rows = [line.split() for line in out.splitlines() if line.strip().endswith(("=>", "<="))]
    # Moving the port leaves http.sys's certificate binding behind on 0.0.0.0:444, so the new
    # binding shows no certificate: each line pairs with one equal line on the other side.
    thumb = sh.server.ssl_certs["0.0.0.0:444"][0][:33] + "..."   # the InputObject column cuts it, as the console does
    assert sorted(map(tuple, rows)) == sorted([
        ("bindingInformation", ":", "*:445:", "=>"), ("bindingInformation", ":", "*:444:", "<="),
        ("certificateHash", ":", "=>"), ("certificateHash", ":", thumb, "<="),
        ("certificateStoreName", ":", "=>"), ("certificateStoreName", ":", "MY", "<=")])
    assert sh.run("$a = Get-Content C:\\good.txt; $b = Get-Content C:\\good.txt; Compare-Object $a $b") == ""


def test_redirect_append_and_missing_folder(sh):
    sh.run("Get-Service W3SVC > C:\\s.txt")
    sh.run("Get-Service WAS >> C:\\s.txt")
    text = sh.server.fs.read("C:\\s.txt")
    assert "W3SVC" in text and "WAS " in text
    out = sh.run("Get-Service W3SVC > C:\\nofolder\\s.txt")
    assert "Could not find a part of the path 'C:\\nofolder\\s.txt'." in out


def test_where_select_sort_findstr(sh):
    out = sh.run("Get-WebBinding | Where-Object { $_.protocol -eq 'https' -and $_.bindingInformation -like '*44*' }"
                 " | Select-Object -ExpandProperty bindingInformation")
    assert out.split() == [":443:", "127.0.0.1:443:", "*:444:"]
    assert sh.run("Get-Service | Where-Object Status -eq Stopped | Sort-Object Name -Descending | "
                  "Select-Object -First 1 -ExpandProperty Name").strip() == "wsbexchange"
    assert sh.run("appcmd list apppool | findstr /i owa").count("APPPOOL") == 2


def test_appcmd_list_wp_matches_model(sh):
    lines = sh.run("appcmd list wp").splitlines()
    pool = sh.server.iis.pool("MSExchangeOWAAppPool")
    assert f'WP "{pool.worker_pid}" (applicationPool:MSExchangeOWAAppPool)' in lines


def test_whatif_changes_nothing(sh):
    out = sh.run("Stop-Website 'Default Web Site' -WhatIf")
    assert out.startswith('What if: Performing the operation "Stop-Website"')
    assert sh.server.iis.site("Default Web Site").state == "Started"


def test_confirm_false_is_accepted(sh):
    assert sh.run("Restart-Service W3SVC -Confirm:$false") == ""


def test_variables_and_count(sh):
    assert sh.run("$b = Get-WebBinding; $b.Count").strip() == "11"


def test_files_on_another_server_through_its_admin_share():
    lab = casl.open_lab("two-servers", state=None)
    lab.run("ServerB", "Get-Service W3SVC > C:\\b.txt")
    assert "W3SVC" in lab.run("ServerA", "Get-Content \\\\ServerB\\c$\\b.txt")
    lab.run("ServerA", "Get-Service WAS > \\\\ServerB.contoso.com\\c$\\a.txt")
    assert "WAS" in lab.server("ServerB").fs.read("C:\\a.txt") and not lab.server("ServerA").fs.exists("C:\\a.txt")
    assert "Cannot find path '\\\\ServerB\\share\\b.txt'" in lab.run("ServerA", "Get-Content \\\\ServerB\\share\\b.txt")
    assert "Could not find a part of the path '\\\\ServerB\\c$\\no\\a.txt'" in \
        lab.run("ServerA", "Get-Service WAS | Out-File \\\\ServerB\\c$\\no\\a.txt")
    assert "Could not find a part of the path '\\\\ServerB\\share\\a.txt'" in \
        lab.run("ServerA", "Get-Service WAS | Out-File \\\\ServerB\\share\\a.txt")
