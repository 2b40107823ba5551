"""Labs: scenarios from TOML, state that survives a restart, resets that keep backups."""
from __future__ import annotations

import json

import pytest

import casl
from casl.errors import LabError
from casl.labs import open_lab

BACKEND_445 = "Set-WebBinding -Name 'Exchange Back End' -BindingInformation '*:444:' -PropertyName Port -Value 445"


def _https_ports(lab, server="ServerA"):
    site = lab.server(server).iis.site("Exchange Back End")
    return [b.port for b in site.bindings if b.protocol == "https"]


def test_state_comes_back_after_a_restart(tmp_path):
    state = tmp_path / "lab.json"
    lab = open_lab("single-server", state=state)
    lab.run("ServerA", BACKEND_445)
    pids = {p.pid for p in lab.server("ServerA").windows.processes.values()}
    again = open_lab("single-server", state=state)          # a new kernel opens the same lab
    assert _https_ports(again) == [445]
    assert {p.pid for p in again.server("ServerA").windows.processes.values()} == pids
    assert json.loads(state.read_text())["journal"] == [["ps", "ServerA", BACKEND_445]]


def test_fresh_and_reset_keep_the_old_state_as_a_backup(tmp_path, capsys):
    state = tmp_path / "lab.json"
    open_lab("single-server", state=state).run("ServerA", BACKEND_445)
    lab = open_lab("single-server", state=state, fresh=True)
    assert _https_ports(lab) == [444]
    backup = tmp_path / "lab.json.bak-1"
    assert json.loads(backup.read_text())["journal"][0][2] == BACKEND_445
    assert "lab.json.bak-1" in capsys.readouterr().out
    lab.run("ServerA", BACKEND_445)
    lab.reset()
    assert _https_ports(lab) == [444]
    assert (tmp_path / "lab.json.bak-2").exists()


def test_an_unreadable_state_file_is_kept_aside_with_a_message(tmp_path, capsys):
    state = tmp_path / "lab.json"
    state.write_text("{ this is not json")
    lab = open_lab("single-server", state=state)
    assert _https_ports(lab) == [444]
    aside = tmp_path / "lab.json.unreadable-1"
    assert aside.read_text() == "{ this is not json"
    out = capsys.readouterr().out
    assert "could not be read" in out and aside.name in out


def test_state_is_written_atomically(tmp_path):
    state = tmp_path / "lab.json"
    lab = open_lab("single-server", state=state)
    lab.run("ServerA", "Stop-Website -Name 'Exchange Back End'")
    assert not list(tmp_path.glob("*.tmp"))
    assert json.loads(state.read_text())["casl_state"] == 1


def test_auto_state_goes_to_casl_state_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("CASL_STATE_DIR", str(tmp_path))
    lab = open_lab("single-server")
    lab.run("ServerA", BACKEND_445)
    assert (tmp_path / "default" / "single-server.json").exists()


def test_unknown_lab_and_fault_name_the_choices():
    with pytest.raises(LabError, match="no lab called 'nope'.*single-server"):
        open_lab("nope", state=None)
    with pytest.raises(LabError, match="unknown fault 'nope'"):
        open_lab("single-server", state=None).inject("nope")


def test_lab_file_setup_and_own_faults(tmp_path):
    lab = open_lab("iis-layout-exercises", state=None)
    srv = lab.server("ServerA")
    assert "*:81:" in srv.fs.read(r"C:\bindings-good.txt")              # setup ran before the fault
    assert [b.binding_information for b in srv.iis.site("Exchange Back End").bindings
            if b.protocol == "http"] == ["*:8081:"]
    base = lab.baseline()
    assert base.journal == [] and base.state_path is None


def test_a_bad_lab_file_is_reported_by_name(tmp_path):
    bad = tmp_path / "broken.toml"
    bad.write_text("[lab]\nname = 'broken'\n")
    with pytest.raises(LabError, match="broken.toml: the \\[lab\\] table needs 'topology'"):
        open_lab(bad, state=None)
    bad.write_text("[lab\n")
    with pytest.raises(LabError, match="broken.toml: not valid TOML"):
        open_lab(bad, state=None)
    bad.write_text("[lab]\nname='b'\ntopology='single-server'\nseed=1\nclock='2014-10-02T09:30:00'\n"
                   "[faults.x]\ntitle='no commands'\n")
    with pytest.raises(LabError, match="fault 'x' needs a title and a list of commands"):
        open_lab(bad, state=None)


def test_tables_are_sorted_and_stable():
    lab = casl.open_lab("two-servers", state=None)
    for kind in ("sites", "bindings", "applications", "pools", "services", "processes"):
        a, b = lab.table(kind, "ServerB"), casl.open_lab("two-servers", state=None).table(kind, "ServerB")
        assert a.equals(b) and len(a) > 0
    pools = lab.table("pools")
    assert list(pools["app_pool"]) == sorted(pools["app_pool"], key=str.lower)
    with pytest.raises(LabError, match="no table called 'nope'"):
        lab.table("nope")


def test_doctor_reports_every_check():
    report = casl.doctor()
    assert report.ok, str(report)
    names = [f.name for f in report.findings]
    assert names[0] == "python" and "lab" in names and "cryptography" in names
    assert str(report).splitlines()[-1] == "Ready: every check passed."


def test_site_explorer_reads_the_lab_each_time():
    from casl.render.widgets import site_explorer
    lab = casl.open_lab("single-server", state=None)
    box = site_explorer(lab, "ServerA")
    site, view, table = box.children
    site.value = "Exchange Back End"
    assert "*:444:" in table.value
    lab.run("ServerA", BACKEND_445)
    view.value = "applications"
    view.value = "bindings"
    assert "*:445:" in table.value and "*:444:" not in table.value
