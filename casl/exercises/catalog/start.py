"""Exercises of notebook 00 (start): the two web sites of a multi-role Exchange 2013 server.

Each exercise is answerable from what ``Get-Website`` and ``Get-WebBinding`` show on ServerA.
The facts come from :mod:`casl.facts`; nothing here writes a port or a site name as a literal
outside a solution or a wrong answer.
"""
from __future__ import annotations

from casl.exercises import Check, Exercise, Incorrect, Wrong, normalise
from casl.facts import exchange
from casl.facts.iis import SITES

FRONT_SITE, BACK_SITE = (site.name for site in SITES)
FE_HTTPS, BE_HTTPS = exchange.FRONT_END_HTTPS_PORT, exchange.BACK_END_HTTPS_PORT
FE_HTTP, BE_HTTP = exchange.FRONT_END_HTTP_PORT, exchange.BACK_END_HTTP_PORT


def _frontend_port(frontend_port):
    if frontend_port != FE_HTTPS:
        raise Incorrect(f"{frontend_port} is not among the Default Web Site's HTTPS bindings; "
                        "read the https rows of Get-WebBinding for that site")


def _backend_site(backend_site):
    if backend_site != BACK_SITE:
        raise Incorrect(f"there is no site called {backend_site!r} on ServerA; Get-Website lists two")


def _backend_port(backend_binding):
    if backend_binding.protocol != "https":
        raise Incorrect(f"{backend_binding.protocol or 'that'} is not the protocol of the binding the front end "
                        "proxies to; it speaks HTTPS")
    if backend_binding.port != BE_HTTPS:
        raise Incorrect(f"port {backend_binding.port} is not where the back end takes HTTPS")


def _backend_all_unassigned(backend_binding):
    if backend_binding.ip != "*":
        raise Incorrect(f"the back end's HTTPS binding is not tied to {backend_binding.ip}: "
                        "it answers on every address (All Unassigned)")


EXERCISES = (
    Exercise(
        id="start.frontend-https-port",
        title="Where clients connect",
        notebook="00-start",
        kind="value",
        reads={"frontend_port": normalise.port},
        check=_frontend_port,
        points=1,
        hints=(
            "Clients (browsers, Outlook, phones) only ever talk to the Default Web Site.",
            "Run `%ps ServerA Get-WebBinding` and read the https rows of the Default Web Site.",
        ),
        solution=f"frontend_port = {FE_HTTPS}",
        wrong=(
            Wrong(BE_HTTPS, f"{BE_HTTPS} belongs to the Exchange Back End site: only the front end connects "
                            "there, never a client"),
            Wrong(FE_HTTP, f"{FE_HTTP} is the Default Web Site's plain-HTTP binding; the question asks "
                           "about HTTPS"),
        ),
    ),
    Exercise(
        id="start.backend-site",
        title="The site behind the front end",
        notebook="00-start",
        kind="value",
        reads={"backend_site": normalise.site_name},
        check=_backend_site,
        points=1,
        hints=(
            "A multi-role server runs two IIS sites; one of them receives what the front end proxies.",
            "Run `%ps ServerA Get-Website`: the site with ID 2 is the one.",
        ),
        solution=f"backend_site = {BACK_SITE!r}",
        wrong=(
            Wrong(FRONT_SITE, f"the {FRONT_SITE} is the front end: it receives clients and proxies "
                              "them to the other site"),
            Wrong("back end", "describes the role a site plays, not its name"),
        ),
    ),
    Exercise(
        id="start.backend-https-binding",
        title="The back end's HTTPS binding",
        notebook="00-start",
        kind="value",
        reads={"backend_binding": lambda v: normalise.binding(v, protocol="https")},
        checks=(
            Check(1, _backend_port, "port"),
            Check(1, _backend_all_unassigned, "all unassigned"),
        ),
        hints=(
            "Write the binding as Get-WebBinding shows it: protocol, then ip:port:host.",
            "Look for the https row of the Exchange Back End site.",
            "An empty host and * for the address mean 'any name, any address'.",
        ),
        solution=f'backend_binding = "https *:{BE_HTTPS}:"',
        wrong=(
            Wrong(f"https *:{FE_HTTPS}:", f"{FE_HTTPS} is where the Default Web Site listens for clients; "
                                          "the back end must use a different port on the same machine",
                  points=1),
            Wrong(f"https 127.0.0.1:{BE_HTTPS}:", "a back-end binding tied to one address breaks proxying "
                                                  "from other front ends; it stays All Unassigned (*)",
                  points=1),
            Wrong(f"http *:{BE_HTTP}:", f"*:{BE_HTTP}: is the back end's plain-HTTP binding; the front end "
                                        "proxies over HTTPS", points=1),
        ),
    ),
)
