"""The binding editor widget: edits are real Set-WebBinding commands, Refresh runs a real request."""
from __future__ import annotations

import casl
from casl.render.widgets import binding_editor


def _rows(editor):
    return {row.children[0].value: row for row in editor.children[0].children[1:]}


def test_editing_a_port_runs_set_webbinding_and_refresh_shows_the_outcome():
    lab = casl.open_lab("bindings", state=None)
    editor = binding_editor(lab, "ServerA", user="UserA")
    rows = _rows(editor)
    assert set(rows) == {"Default Web Site · http", "Default Web Site · https", "Exchange Back End · http",
                         "Exchange Back End · https"}
    back = [r for label, r in rows.items() if label == "Exchange Back End · https"][0]
    assert back.children[4].value.endswith("...")            # the 444 certificate is shown
    back.children[2].value = 445
    back.children[5].click()
    assert "Set-WebBinding -Name 'Exchange Back End' -BindingInformation '*:444:' -PropertyName Port" \
        in editor.children[1].value
    assert [e[2] for e in lab.journal if e[0] == "ps"][-1].endswith("-Value '445'")
    assert [b.port for b in lab.server("ServerA").iis.site("Exchange Back End").bindings
            if b.protocol == "https"] == [445]
    editor.children[2].click()                               # Refresh browser
    assert lab.journal[-1][:2] == ["browse", "UserA"]
    shown = editor.children[3].outputs[-1]["data"]["text/markdown"]
    assert "**blank-page** (HTTP 500)" in shown and "```mermaid" in shown


def test_an_unchanged_row_changes_nothing():
    lab = casl.open_lab("bindings", state=None)
    editor = binding_editor(lab, "ServerB")
    list(_rows(editor).values())[0].children[5].click()
    assert editor.children[1].value == "nothing changed" and lab.journal == []
