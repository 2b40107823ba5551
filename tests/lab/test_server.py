"""The rules of the simulated server: workers, recycling, services, iisreset and lost changes."""
from __future__ import annotations

import casl
from casl.model.iis import STOPPED


def lab():
    return casl.open_lab("two-servers", state=None)


def test_one_worker_per_serving_pool_and_system_listener():
    s = lab().server("ServerA")
    w3wp = [p for p in s.windows.processes.values() if p.image == "w3wp.exe"]
    serving = [p for p in s.iis.pools if s.iis.applications_in(p.name)]
    assert len(w3wp) == len(serving) == 16
    assert {p.app_pool for p in w3wp} == {p.name for p in serving}
    assert s.windows.processes[4].image == "System"
    assert all(p.pid % 4 == 0 for p in s.windows.processes.values())


def test_pids_come_from_the_seed():
    a, b = lab(), lab()
    assert a.table("processes").equals(b.table("processes"))
    assert a.server("ServerA").worker("MSExchangeOWAAppPool").pid != a.server("ServerB").worker(
        "MSExchangeOWAAppPool").pid


def test_inetinfo_hosts_iisadmin_and_w3svc_shares_svchost_with_was():
    s = lab().server("ServerA")
    assert s.windows.process_of("IISADMIN").image == "inetinfo.exe"
    assert s.windows.process_of("W3SVC") is s.windows.process_of("WAS")
    assert sorted(s.windows.process_of("W3SVC").services) == ["W3SVC", "WAS"]


def test_recycle_gives_a_new_pid_for_both_sites():
    s = lab().server("ServerA")
    old = s.worker("MSExchangeOWAAppPool").pid
    others = {p.name: p.worker_pid for p in s.iis.pools if p.name != "MSExchangeOWAAppPool"}
    s.recycle_pool("MSExchangeOWAAppPool")
    new = s.worker("MSExchangeOWAAppPool").pid
    assert new != old and old not in s.windows.processes
    assert {p.name: p.worker_pid for p in s.iis.pools if p.name != "MSExchangeOWAAppPool"} == others
    # the same worker serves /owa on the front end and on the back end
    assert {site.name for site, _ in s.iis.applications_in("MSExchangeOWAAppPool")} == {"Default Web Site",
                                                                                          "Exchange Back End"}


def test_stopping_w3svc_stops_every_worker_and_sites_show_stopped():
    s = lab().server("ServerA")
    s.stop_service("W3SVC")
    assert not [p for p in s.windows.processes.values() if p.image == "w3wp.exe"]
    assert {s.site_state(x) for x in s.iis.sites} == {STOPPED}
    s.start_service("W3SVC")
    assert s.worker("MSExchangeOWAAppPool") is not None


def test_was_cannot_stop_without_force_while_w3svc_runs():
    sh = lab().shell("ServerA")
    out = sh.run("Restart-Service WAS")
    assert "ServiceHasDependentServices" in out
    assert "It can only be stopped if the Force flag is set." in out
    assert sh.run("Restart-Service WAS -Force") == ""


def test_forced_reset_loses_unsaved_changes_and_noforce_keeps_them():
    loc = "-Location 'Default Web Site/owa'"
    flt = "-Filter system.webServer/security/authentication/windowsAuthentication -Name enabled"
    for reset, kept in (("iisreset", False), ("iisreset /noforce", True), ("Restart-Service IISADMIN", True)):
        sh = lab().shell("ServerA")
        sh.run(f"Set-WebConfigurationProperty {flt} -Value $true {loc}")
        assert "True" in sh.run(f"Get-WebConfigurationProperty {flt} {loc}")
        sh.run(reset)
        after = sh.run(f"Get-WebConfigurationProperty {flt} {loc}")
        assert ("True" in after) is kept, reset


def test_recycling_or_restarting_a_site_does_not_touch_iis_admin():
    sh = lab().shell("ServerA")
    pid = sh.server.windows.process_of("IISADMIN").pid
    sh.run("Restart-WebAppPool MSExchangeOWAAppPool; Stop-Website 'Default Web Site'; Start-Website 'Default Web Site'")
    assert sh.server.windows.process_of("IISADMIN").pid == pid


def test_iisreset_gives_every_pool_a_new_worker_and_new_inetinfo():
    sh = lab().shell("ServerA")
    before = {p.name: p.worker_pid for p in sh.server.iis.pools if p.worker_pid}
    inet = sh.server.windows.process_of("IISADMIN").pid
    sh.run("iisreset /noforce")
    after = {p.name: p.worker_pid for p in sh.server.iis.pools if p.worker_pid}
    assert before.keys() == after.keys()
    assert all(before[k] != after[k] for k in before)
    assert sh.server.windows.process_of("IISADMIN").pid != inet


def test_iisreset_stop_then_start():
    sh = lab().shell("ServerA")
    assert "successfully stopped" in sh.run("iisreset /stop")
    assert "Stopped" in sh.run("iisreset /status")
    assert not sh.server.web_running()
    assert "successfully started" in sh.run("iisreset /start")
    assert sh.server.web_running()


def test_second_site_on_443_cannot_start():
    sh = lab().shell("ServerA")
    sh.run("New-WebBinding -Name 'Exchange Back End' -Protocol https -Port 443")
    sh.run("Stop-Website 'Exchange Back End'")
    out = sh.run("Start-Website 'Exchange Back End'")
    assert "0x800700B7" in out
    assert sh.server.site_state(sh.server.iis.site("Exchange Back End")) == STOPPED
