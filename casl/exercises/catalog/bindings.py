"""Exercises of notebook 02 (bindings lab and the proxy flow): diagnose a hop, repair a binding,
follow UserB across servers, and unblock 444 between the servers.

Action checks never browse in the learner's lab (a request leaves connections and log lines
behind): they browse in :meth:`casl.labs.Lab.copy`, the same lab replayed into memory.
"""
from __future__ import annotations

from casl.errors import CaslError
from casl.exercises import Check, Exercise, Incorrect, NotAttempted, Wrong, normalise
from casl.facts import exchange
from casl.facts.iis import SITES

NOTEBOOK = "02-bindings-lab"
FRONT_SITE, BACK_SITE = (site.name for site in SITES)
BE_HTTPS, FE_HTTPS = exchange.BACK_END_HTTPS_PORT, exchange.FRONT_END_HTTPS_PORT
OWA = f"https://{exchange.NAMESPACE}/owa"
HOP_KINDS = ("dns", "tcp", "tls", "http", "auth", "proxy", "worker", "rpc", "store")
OUTCOMES = ("ok", "blank-page", "certificate-warning", "connection-refused", "connection-timeout", "http-error",
            "name-not-resolved")
SERVERS = ("ServerA", "ServerB")
USERS = ("UserA", "UserB")
BLOCK_RULE = "Block Exchange 444"     # the display name of the port-444-blocked fault's rule (labs/faults.toml)


def _one_of(options: tuple[str, ...], what: str):
    def norm(value: object) -> str:
        if not isinstance(value, str) or not value.strip():
            raise Incorrect(f"write the {what} as text, one of: {', '.join(options)}")
        for option in options:
            if option.lower() == value.strip().lower():
                return option
        raise Incorrect(f"{value.strip()!r} is not a {what}; the choices are {', '.join(options)}")
    return norm


hop_kind = _one_of(HOP_KINDS, "hop kind")
outcome_word = _one_of(OUTCOMES, "browser outcome")
server_name = _one_of(SERVERS, "server name")


def user_set(value: object) -> frozenset[str]:
    """A set of lab users, spelled as the lab spells them.

    >>> sorted(user_set(["usera", "UserB"]))
    ['UserA', 'UserB']
    """
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, (set, frozenset, list, tuple)):
        raise Incorrect('give the users as a set, e.g. {"UserA"}, or set() for nobody')
    return frozenset(_one_of(USERS, "user")(v) for v in items)


# --- value checks ---------------------------------------------------------------------------
def _failed_kind(failed_hop):
    feedback = {
        "tcp": "the browser did connect: the logon page came back from the front end",
        "tls": "the certificate on 443 was accepted; the trouble starts after you sign in",
        "auth": "signing in worked (the front end answered with the session cookies); look at the next hop",
        "http": "the front end served the logon page itself; follow the request after the logon",
        "worker": "the request never reached a back-end worker process",
        "dns": "the name resolved to ServerA, as it should",
    }
    if failed_hop != "proxy":
        raise Incorrect(feedback.get(failed_hop, f"the {failed_hop} hop is not where the request stopped; find "
                                                 "the first [FAIL] line"))


def _failed_server(failed_on):
    if failed_on != "ServerA":
        raise Incorrect(f"UserA's mailbox is on ServerA, so the front end on ServerA proxies to ServerA itself; "
                        f"nothing went to {failed_on}")


def _userb_backend(userb_backend):
    if userb_backend != "ServerB":
        raise Incorrect("UserB's database DB2 is mounted on ServerB: the front end sends the request to the back "
                        "end of the server holding the mailbox, not its own")


def _proxy_pool(proxy_pool):
    if proxy_pool != "MSExchangeOWAAppPool":
        raise Incorrect(f"{proxy_pool} is not the pool of /owa on the Default Web Site; the proxy runs inside the "
                        "front end's own worker process for the application")


def _failing_users(failing_users):
    if failing_users == frozenset(USERS):
        raise Incorrect("UserA's requests never leave ServerA, so a rule about traffic between the servers cannot "
                        "touch them")
    if failing_users != frozenset({"UserB"}):
        raise Incorrect("browse as both users and compare: whose mailbox sits behind the blocked port?")


def _blocked_on(blocked_on):
    if blocked_on != "ServerB":
        raise Incorrect("the rule drops traffic arriving on 444 from the other server; run Get-NetFirewallRule on "
                        "each server to see where it lives")


def _wrong_repair(outcome_after, stopped_site):
    if stopped_site != BACK_SITE:
        raise Incorrect(f"the {stopped_site} registered 443 first and keeps it; IIS refuses to start the site "
                        "that asks for the same endpoint second")
    if outcome_after != "blank-page":
        raise Incorrect(f"the logon page still comes from the front end, so it is not {outcome_after}; what does "
                        "the proxy get when the back end site is not running?")


# --- action checks --------------------------------------------------------------------------
def _browse(lab, user: str):
    """A request in a copy of the learner's lab (the learner's lab keeps no trace of it)."""
    return lab.copy().browse(user, OWA)


def _backend_https(lab, server: str) -> list:
    site = lab.server(server).iis.site(BACK_SITE)
    if site is None:
        raise Incorrect(f"the {BACK_SITE} site is gone from {server}")
    return [normalise.binding(f"https {b.binding_information}") for b in site.bindings if b.protocol == "https"]


def _usera_served(lab):
    rows = _backend_https(lab, "ServerA")
    if [b.port for b in rows] == [445]:
        raise NotAttempted(f"the {BACK_SITE}'s https binding on ServerA is still *:445:")
    result = _browse(lab, "UserA")
    if result.outcome != "ok":
        hop = result.failed_hop
        where = f" at the {hop.kind} hop ({hop.detail})" if hop else ""
        raise Incorrect(f"UserA still gets {result.outcome}{where}")


def _backend_exact(lab):
    _usera_served(lab)   # an exact binding that still fails is not half a repair
    rows = _backend_https(lab, "ServerA")
    if [(b.ip, b.port, b.host) for b in rows] != [("*", BE_HTTPS, "")]:
        shown = ", ".join(str(b) for b in rows)
        raise Incorrect(f"OWA works, but the binding is {shown}; the back end's https binding is exactly "
                        f"https *:{BE_HTTPS}: (All Unassigned, no host name)")


def _rule_gone(lab):
    names = [r.display_name for r in lab.server("ServerB").net.firewall]
    if BLOCK_RULE in names:
        raise NotAttempted(f"the rule '{BLOCK_RULE}' is still on ServerB")


def _userb_served(lab):
    _rule_gone(lab)
    result = _browse(lab, "UserB")
    if result.outcome != "ok":
        raise Incorrect(f"UserB still gets {result.outcome}; is anything else in the way of 444 on ServerB?")
    if _browse(lab, "UserA").outcome != "ok":
        raise Incorrect("UserB works now, but UserA no longer does")


EXERCISES = (
    Exercise(
        id="bindings.failed-hop",
        title="Which hop failed after the logon?",
        notebook=NOTEBOOK,
        kind="value",
        reads={"failed_hop": hop_kind, "failed_on": server_name},
        checks=(Check(2, _failed_kind, "hop"), Check(1, _failed_server, "server")),
        hints=(
            "Read the hops of the failing request from the top; the first one marked FAIL is the answer.",
            "The logon page and the sign-in came from the Default Web Site. What does the front end do next?",
        ),
        solution='failed_hop = "proxy"\nfailed_on = "ServerA"',
        wrong=(
            Wrong({"failed_hop": "tcp"}, "the browser did connect: the logon page came back from the front end",
                  points=1),
            Wrong({"failed_hop": "auth"}, "signing in worked (the front end answered with the session cookies); "
                                          "look at the next hop", points=1),
            Wrong({"failed_on": "ServerB"}, "UserA's mailbox is on ServerA, so the front end on ServerA proxies to "
                                            "ServerA itself; nothing went to ServerB", points=2),
        ),
    ),
    Exercise(
        id="bindings.repair-445",
        title="Put the back end back on 444",
        notebook=NOTEBOOK,
        kind="action",
        server="ServerA",
        checks=(Check(2, _usera_served, "owa works"), Check(1, _backend_exact, "exact binding")),
        hints=(
            "Get-WebBinding -Name 'Exchange Back End' shows what the binding is now.",
            "Set-WebBinding changes one property of one binding: -Name, -BindingInformation, -PropertyName, -Value.",
            f"Set-WebBinding -Name '{BACK_SITE}' -BindingInformation '*:445:' -PropertyName Port -Value {BE_HTTPS}",
        ),
        solution=f"Set-WebBinding -Name '{BACK_SITE}' -BindingInformation '*:445:' -PropertyName Port -Value {BE_HTTPS}",
        wrong=(
            Wrong(f"Set-WebBinding -Name '{BACK_SITE}' -BindingInformation '*:445:' -PropertyName Port -Value "
                  f"{FE_HTTPS}", "UserA still gets blank-page"),
            Wrong(f"New-WebBinding -Name '{FRONT_SITE}' -Protocol https -Port {BE_HTTPS}",
                  "Back End's https binding on ServerA is still *:445:"),
            Wrong(f"Set-WebBinding -Name '{BACK_SITE}' -BindingInformation '*:445:' -PropertyName Port -Value "
                  f"{BE_HTTPS}\nSet-WebBinding -Name '{BACK_SITE}' -BindingInformation '*:{BE_HTTPS}:' "
                  "-PropertyName IPAddress -Value 10.0.0.11", "UserA still gets http-error"),
        ),
    ),
    Exercise(
        id="bindings.userb-path",
        title="Where UserB's request goes",
        notebook=NOTEBOOK,
        kind="value",
        reads={"userb_backend": server_name, "proxy_pool": normalise.text},
        checks=(Check(1, _userb_backend, "back end"), Check(1, _proxy_pool, "pool")),
        hints=(
            "Browse as UserB and read the proxy hop: it names the server and the worker process.",
            "The hop says which database the mailbox is in and where that database is mounted.",
        ),
        solution='userb_backend = "ServerB"\nproxy_pool = "MSExchangeOWAAppPool"',
        wrong=(
            Wrong({"userb_backend": "ServerA"}, "UserB's database DB2 is mounted on ServerB: the front end sends the "
                                                "request to the back end of the server holding the mailbox, not its "
                                                "own", points=1),
            Wrong({"proxy_pool": "DefaultAppPool"}, "DefaultAppPool is not the pool of /owa on the Default Web Site; "
                                                    "the proxy runs inside the front end's own worker process for "
                                                    "the application", points=1),
        ),
    ),
    Exercise(
        id="bindings.blocked-who",
        title="Who is hurt by a blocked 444?",
        notebook=NOTEBOOK,
        kind="value",
        reads={"failing_users": user_set, "blocked_on": server_name},
        checks=(Check(1, _failing_users, "users"), Check(1, _blocked_on, "server")),
        hints=(
            "Browse as UserA and as UserB in the blocked lab and compare the outcomes.",
            "`%%ps ServerB` then `Get-NetFirewallRule | Where-Object Action -eq Block`",
        ),
        solution='failing_users = {"UserB"}\nblocked_on = "ServerB"',
        wrong=(
            Wrong({"failing_users": {"UserA", "UserB"}}, "UserA's requests never leave ServerA, so a rule about "
                                                         "traffic between the servers cannot touch them", points=1),
            Wrong({"blocked_on": "ServerA"}, "the rule drops traffic arriving on 444 from the other server; run "
                                             "Get-NetFirewallRule on each server to see where it lives", points=1),
        ),
    ),
    Exercise(
        id="bindings.unblock-444",
        title="Let 444 through again",
        notebook=NOTEBOOK,
        kind="action",
        server="ServerB",
        checks=(Check(1, _rule_gone, "rule removed"), Check(2, _userb_served, "userb works")),
        hints=(
            "Find the rule first: Get-NetFirewallRule lists the rules with their DisplayName.",
            f"Remove-NetFirewallRule -DisplayName '{BLOCK_RULE}'",
        ),
        solution=f"Remove-NetFirewallRule -DisplayName '{BLOCK_RULE}'",
        wrong=(
            Wrong("Set-WebBinding -Name 'Exchange Back End' -BindingInformation '*:444:' -PropertyName Port -Value 445",
                  f"the rule '{BLOCK_RULE}' is still on ServerB"),
        ),
    ),
    Exercise(
        id="bindings.wrong-repair",
        title="The repair that makes it worse",
        notebook=NOTEBOOK,
        kind="value",
        reads={"outcome_after": outcome_word, "stopped_site": normalise.site_name},
        checks=(Check(1, _wrong_repair, "outcome and site"),),
        hints=(
            "Run the wrong-repair demonstration above and read Get-Website afterwards.",
            "Two started sites cannot both own 0.0.0.0:443; the one that came first keeps it.",
        ),
        solution=f'outcome_after = "blank-page"\nstopped_site = "{BACK_SITE}"',
        wrong=(
            Wrong({"stopped_site": FRONT_SITE}, f"the {FRONT_SITE} registered 443 first and keeps it; IIS refuses "
                                                "to start the site that asks for the same endpoint second"),
            Wrong({"outcome_after": "connection-refused"}, "the logon page still comes from the front end, so it is "
                                                           "not connection-refused; what does the proxy get when the "
                                                           "back end site is not running?"),
        ),
    ),
)

if len({e.id for e in EXERCISES}) != len(EXERCISES):   # pragma: no cover - a typo guard for authors
    raise CaslError("duplicate exercise id in the bindings catalog")
