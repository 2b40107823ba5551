"""Action exercises of the test course (notebook 91-actions), judged on the lab's state."""
from __future__ import annotations

from casl.exercises import Check, Exercise, Incorrect, NotAttempted, Wrong, normalise

BROKEN = "*:445:"     # what the notebook's setup cell does to the back end's https binding


def _https(server):
    rows = [b for b in server.iis.site("Exchange Back End").bindings if b.protocol == "https"]
    if not rows:
        raise Incorrect("the Exchange Back End has no https binding left; the front end cannot proxy to it")
    if [r.binding_information for r in rows] == [BROKEN]:
        raise NotAttempted("the back end's https binding is still *:445:, as the lab started")
    return normalise.binding(rows[0].binding_information, protocol="https")


def _port(server):
    binding = _https(server)
    if binding.port == 443:
        raise Incorrect("443 is taken by the Default Web Site; the back end needs its own port")
    if binding.port != 444:
        raise Incorrect(f"the back end's https binding is still on {binding.port}; the front end proxies to 444")


def _all_unassigned(server):
    if _https(server).ip != "*":
        raise Incorrect("the back end's https binding must answer on every address (*)")


EXERCISES = (
    Exercise(
        id="testcourse.fix-backend-port", title="Put the back end back on 444", notebook="91-actions",
        kind="action", server="ServerA",
        checks=(Check(2, _port, "port"), Check(1, _all_unassigned, "all unassigned")),
        hints=("Set-WebBinding changes one property of one binding.",),
        solution="Set-WebBinding -Name 'Exchange Back End' -BindingInformation '*:445:' -PropertyName Port -Value 444",
        wrong=(
            Wrong("Set-WebBinding -Name 'Exchange Back End' -BindingInformation '*:445:' -PropertyName Port -Value 443",
                  "443 is taken by the Default Web Site", points=1),
            Wrong("Set-WebBinding -Name 'Exchange Back End' -BindingInformation '*:445:' -PropertyName IPAddress "
                  "-Value 127.0.0.1", "still on 445"),
        ),
    ),
)
