"""Exercises of notebook 01 (IIS layout): pools, processes, restarts, comparing listings, bindings.

Value exercises read names the learner assigns; action exercises look at the lab ServerA is in
after the learner's ``%%ps`` cell, compared with the same scenario as it starts
(:meth:`casl.labs.Lab.baseline`). Ports, site and pool names come from :mod:`casl.facts`.
"""
from __future__ import annotations

from casl.exercises import Check, Exercise, Incorrect, NotAttempted, Wrong, normalise
from casl.facts import exchange
from casl.facts.iis import APP_POOLS, SITES

NOTEBOOK = "01-iis-layout"
FRONT_SITE, BACK_SITE = (site.name for site in SITES)
OWA_POOL = "MSExchangeOWAAppPool"
BE_HTTP, FE_HTTP = exchange.BACK_END_HTTP_PORT, exchange.FRONT_END_HTTP_PORT
MOVED_TO = 8081   # where the lab's installer fault puts the back end's http binding (labs/iis-layout.toml)


def pool_name(value: object) -> str:
    """An application pool's name as IIS spells it, whatever the case the learner typed.

    >>> pool_name(" msexchangeowaapppool ")
    'MSExchangeOWAAppPool'
    """
    if not isinstance(value, str) or not value.strip():
        raise Incorrect("write the pool's name as text, e.g. \"DefaultAppPool\"")
    text = value.strip()
    for pool in APP_POOLS:
        if pool.name.lower() == text.lower():
            return pool.name
    raise Incorrect(f"there is no application pool called {text!r} on ServerA; "
                    "`Get-ChildItem IIS:\\AppPools` lists them")


def site_set(value: object) -> frozenset[str]:
    """A set (or list) of site names, each spelled as IIS does."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (set, frozenset, list, tuple)) or not value:
        raise Incorrect("give the sites as a set of names, e.g. {\"Default Web Site\"}")
    return frozenset(normalise.site_name(v) for v in value)


# --- value checks ---------------------------------------------------------------------------
def _owa_pool(owa_pool):
    if owa_pool != OWA_POOL:
        raise Incorrect(f"{owa_pool} serves other applications; look at the applicationPool of /owa")


def _owa_sites(owa_pool_sites):
    if owa_pool_sites != frozenset({FRONT_SITE, BACK_SITE}):
        missing = sorted({FRONT_SITE, BACK_SITE} - owa_pool_sites)
        raise Incorrect(f"recycling the pool also reaches {', '.join(missing)}: /owa exists on both sites "
                        "and both use the same pool")


def _config_process(config_process):
    if config_process != "inetinfo.exe":
        raise Incorrect(f"{config_process} does not host the IIS Admin Service; Get-Service IISADMIN and "
                        "tasklist /svc show which image does")


def _pool_process(pool_process):
    if pool_process != "w3wp.exe":
        raise Incorrect(f"{pool_process} does not run the applications' code; `appcmd list wp` lists the "
                        "processes that do")


def _moved_binding(changed_from, changed_to):
    if changed_from == changed_to:
        raise Incorrect("the two bindings are the same; one is from the healthy listing, one from the new one")
    if changed_from.port == MOVED_TO and changed_to.port == BE_HTTP:
        raise Incorrect("the two are swapped: <= marks a line only in the first (reference) listing, "
                        "=> a line only in the second")
    if changed_from.port != BE_HTTP:
        raise Incorrect(f"{changed_from} is still there after the installer ran; the <= line shows what it changed")
    if changed_to.port != MOVED_TO:
        raise Incorrect(f"{changed_to} is not in the listing you took after the installer ran; read the => line")


def _hands_off(hands_off_site):
    if hands_off_site != BACK_SITE:
        raise Incorrect(f"the {hands_off_site} is the site clients reach; adding a host name or a new "
                        "certificate there can be right. Which site does only Exchange talk to?")


# --- action checks --------------------------------------------------------------------------
def _workers(lab) -> tuple[dict[str, int], dict[str, int]]:
    """Pool -> w3wp PID, now and when the lab started."""
    def pids(server):
        return {p.app_pool: p.pid for p in server.windows.processes.values() if p.app_pool}
    return pids(lab.server("ServerA")), pids(lab.baseline().server("ServerA"))


def _inetinfo_pid(server) -> int | None:
    proc = server.windows.process_of("IISADMIN")
    return proc.pid if proc else None


def _owa_recycled(lab):
    now, start = _workers(lab)
    if OWA_POOL not in now:
        raise Incorrect(f"{OWA_POOL} has no worker process: it is stopped. Start it again "
                        f"(Start-WebAppPool {OWA_POOL})")
    if now[OWA_POOL] == start.get(OWA_POOL):
        raise NotAttempted(f"{OWA_POOL}'s w3wp.exe still has PID {now[OWA_POOL]}, as when the lab started: "
                           "nothing has reloaded OWA yet")


def _nothing_else(lab):
    _owa_recycled(lab)   # sparing the other pools earns nothing until OWA itself was reloaded
    now, start = _workers(lab)
    others = sorted(p for p in start if p != OWA_POOL and now.get(p) != start[p])
    if _inetinfo_pid(lab.server("ServerA")) != _inetinfo_pid(lab.baseline().server("ServerA")):
        raise Incorrect("inetinfo.exe has a new PID, so IIS itself was restarted (iisreset or the services): "
                        "every pool and every user was interrupted. Recycling the one pool was enough")
    if others:
        raise Incorrect(f"{len(others)} other pool(s) got new workers too ({', '.join(others[:3])}"
                        f"{', ...' if len(others) > 3 else ''}); only OWA needed reloading")


def _backend_http(lab):
    site = lab.server("ServerA").iis.site(BACK_SITE)
    rows = [normalise.binding(f"{b.protocol} {b.binding_information}") for b in site.bindings
            if b.protocol == "http"]
    if not rows:
        raise Incorrect(f"the {BACK_SITE} has no http binding left; put back the one it had")
    if [r.port for r in rows] == [MOVED_TO]:
        raise NotAttempted(f"the {BACK_SITE}'s http binding is still *:{MOVED_TO}:, as the installer left it")
    return rows


def _http_port(lab):
    ports = sorted({r.port for r in _backend_http(lab)})
    if FE_HTTP in ports:
        raise Incorrect(f"{FE_HTTP} belongs to the {FRONT_SITE}; the back end keeps its own http port")
    if ports != [BE_HTTP]:
        raise Incorrect(f"the back end's http binding is on {', '.join(map(str, ports))}; it was on "
                        f"{BE_HTTP} in the healthy listing")


def _http_all_unassigned(lab):
    _http_port(lab)   # the right shape on the wrong port is not half a repair
    if any(r.ip != "*" or r.host for r in _backend_http(lab)):
        raise Incorrect("the binding must look exactly as before: all unassigned addresses (*), no host name")


EXERCISES = (
    Exercise(
        id="iis.owa-pool",
        title="Which pool runs OWA, and where it reaches",
        notebook=NOTEBOOK,
        kind="value",
        reads={"owa_pool": pool_name, "owa_pool_sites": site_set},
        checks=(Check(1, _owa_pool, "pool"), Check(1, _owa_sites, "sites")),
        hints=(
            "Each application names its pool; list the applications of a site with their applicationPool.",
            "`Get-WebApplication | Select-Object path,applicationPool` on ServerA, then look at /owa.",
            "Run the same listing with `-Site 'Exchange Back End'`: is /owa there too, and in which pool?",
        ),
        solution=f'owa_pool = "{OWA_POOL}"\nowa_pool_sites = {{"{FRONT_SITE}", "{BACK_SITE}"}}',
        wrong=(
            Wrong({"owa_pool": "DefaultAppPool"}, "DefaultAppPool serves other applications; look at the "
                                                  "applicationPool of /owa", points=1),
            Wrong({"owa_pool": "MSExchangeOWACalendarAppPool"},
                  "MSExchangeOWACalendarAppPool serves other applications; look at the applicationPool of /owa",
                  points=1),
            Wrong({"owa_pool_sites": {FRONT_SITE}}, f"recycling the pool also reaches {BACK_SITE}: /owa "
                                                    "exists on both sites and both use the same pool", points=1),
        ),
    ),
    Exercise(
        id="iis.processes",
        title="Configuration process and worker processes",
        notebook=NOTEBOOK,
        kind="value",
        reads={"config_process": normalise.image, "pool_process": normalise.image},
        checks=(Check(1, _config_process, "config"), Check(1, _pool_process, "workers")),
        hints=(
            "One process keeps the IIS Admin Service; a different kind of process is started once per pool.",
            "`Get-Service IISADMIN, W3SVC` names the services; `appcmd list wp` lists the pool processes.",
        ),
        solution='config_process = "inetinfo.exe"\npool_process = "w3wp.exe"',
        wrong=(
            Wrong({"config_process": "w3wp.exe", "pool_process": "inetinfo.exe"},
                  "w3wp.exe does not host the IIS Admin Service; Get-Service IISADMIN and tasklist /svc show "
                  "which image does"),
            Wrong({"pool_process": "svchost.exe"}, "svchost.exe does not run the applications' code; "
                                                   "`appcmd list wp` lists the processes that do", points=1),
        ),
    ),
    Exercise(
        id="iis.gentle-reload",
        title="Reload OWA and nothing else",
        notebook=NOTEBOOK,
        kind="action",
        server="ServerA",
        checks=(Check(1, _owa_recycled, "owa reloaded"), Check(2, _nothing_else, "nothing else")),
        hints=(
            "OWA's code runs in one pool's worker process; replacing that process reloads it.",
            "The WebAdministration module has a cmdlet that recycles one application pool.",
            f"`Restart-WebAppPool {OWA_POOL}`",
        ),
        solution=f"Restart-WebAppPool {OWA_POOL}",
        wrong=(
            Wrong("iisreset", "inetinfo.exe has a new PID, so IIS itself was restarted", points=1),
            Wrong("Restart-Service W3SVC -Force", "other pool(s) got new workers too", points=1),
            Wrong(f"Stop-WebAppPool {OWA_POOL}", "it is stopped"),
        ),
    ),
    Exercise(
        id="iis.compare-listings",
        title="What the installer changed",
        notebook=NOTEBOOK,
        kind="value",
        reads={"changed_from": normalise.binding, "changed_to": normalise.binding},
        check=_moved_binding,
        points=2,
        hints=(
            "Save `Get-WebBinding | fl` to a second file now and compare it with the healthy one.",
            "`Compare-Object (Get-Content C:\\bindings-good.txt) (Get-Content C:\\bindings-now.txt)`",
            "Write each binding as protocol and bindingInformation, e.g. \"http *:80:\".",
        ),
        solution=f'changed_from = "http *:{BE_HTTP}:"\nchanged_to = "http *:{MOVED_TO}:"',
        wrong=(
            Wrong({"changed_from": f"http *:{MOVED_TO}:", "changed_to": f"http *:{BE_HTTP}:"},
                  "the two are swapped: <= marks a line only in the first (reference) listing, => a line only "
                  "in the second"),
            Wrong({"changed_from": f"https *:{exchange.BACK_END_HTTPS_PORT}:"},
                  f"https *:{exchange.BACK_END_HTTPS_PORT}: is still there after the installer ran; the <= line "
                  "shows what it changed"),
        ),
    ),
    Exercise(
        id="iis.restore-binding",
        title="Put the back end's http binding back",
        notebook=NOTEBOOK,
        kind="action",
        server="ServerA",
        checks=(Check(2, _http_port, "port"), Check(1, _http_all_unassigned, "exact binding")),
        hints=(
            "Set-WebBinding changes one property of one binding, found by its site and bindingInformation.",
            f"-Name '{BACK_SITE}' -BindingInformation '*:{MOVED_TO}:' -PropertyName Port -Value ...",
        ),
        solution=(f"Set-WebBinding -Name '{BACK_SITE}' -BindingInformation '*:{MOVED_TO}:' "
                  f"-PropertyName Port -Value {BE_HTTP}"),
        wrong=(
            Wrong(f"Set-WebBinding -Name '{BACK_SITE}' -BindingInformation '*:{MOVED_TO}:' -PropertyName Port "
                  f"-Value {FE_HTTP}", f"{FE_HTTP} belongs to the {FRONT_SITE}"),
            Wrong(f"Remove-WebBinding -Name '{BACK_SITE}' -BindingInformation '*:{MOVED_TO}:'",
                  "has no http binding left"),
        ),
    ),
    Exercise(
        id="iis.hands-off",
        title="The bindings to leave alone",
        notebook=NOTEBOOK,
        kind="value",
        reads={"hands_off_site": normalise.site_name},
        check=_hands_off,
        points=1,
        hints=(
            "Clients never connect to one of the two sites; only Exchange's own front end and probes do.",
            f"Which site listens on {exchange.BACK_END_HTTP_PORT} and {exchange.BACK_END_HTTPS_PORT}?",
        ),
        solution=f'hands_off_site = "{BACK_SITE}"',
        wrong=(
            Wrong(FRONT_SITE, f"the {FRONT_SITE} is the site clients reach; adding a host name or a new "
                              "certificate there can be right. Which site does only Exchange talk to?"),
        ),
    ),
)
