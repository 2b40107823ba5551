"""A missing or freshly re-created virtual directory changes what the browser gets, on either site."""
from __future__ import annotations

import casl
from casl.shell.commands.exchange_admin import open_ems

OWA = "https://mail.contoso.com/owa"


def _lab():
    lab = casl.open_lab("bindings", state=None)
    open_ems(lab, "ServerA")
    return lab


def test_front_end_owa_removed_then_recreated_then_loaded():
    lab = _lab()
    lab.run("ServerA", "Remove-OwaVirtualDirectory 'ServerA\\owa (Default Web Site)' -Confirm:$false")
    gone = lab.browse("UserA", OWA)
    assert (gone.outcome, gone.status, gone.failed_hop.kind) == ("http-error", 404, "http")
    assert lab.browse("UserB", OWA).status == 404          # every user comes in through that front end
    lab.run("ServerA", "New-OwaVirtualDirectory -Server ServerA -Role ClientAccess -WebSiteName 'Default Web Site'")
    waiting = lab.browse("UserA", OWA)
    assert (waiting.outcome, waiting.status) == ("http-error", 503)
    lab.run("ServerA", "iisreset /noforce")
    assert lab.browse("UserA", OWA).outcome == "ok"


def test_back_end_owa_removed_hurts_only_mailboxes_on_that_server():
    lab = _lab()
    lab.run("ServerA", "Remove-OwaVirtualDirectory 'ServerA\\owa (Exchange Back End)' -Confirm:$false")
    a = lab.browse("UserA", OWA)
    assert (a.outcome, a.status, a.failed_hop.server) == ("http-error", 404, "ServerA")
    assert "Exchange Back End" in a.failed_hop.where
    assert lab.browse("UserB", OWA).outcome == "ok"
    lab.run("ServerA", "New-OwaVirtualDirectory -Server ServerA -Role Mailbox -WebSiteName 'Exchange Back End'")
    lab.run("ServerA", "Restart-WebAppPool MSExchangeOWAAppPool")
    assert lab.browse("UserA", OWA).outcome == "ok"


def test_other_protocols_are_not_touched():
    lab = _lab()
    lab.run("ServerA", "Remove-OwaVirtualDirectory 'ServerA\\owa (Default Web Site)' -Confirm:$false")
    assert lab.browse("UserA", "https://mail.contoso.com/ecp").outcome == "ok"
