"""Value exercises of the test course (notebook 90-values)."""
from __future__ import annotations

from casl.exercises import Check, Exercise, Incorrect, Wrong, normalise


def _port(backend_port):
    if backend_port != 444:
        raise Incorrect(f"{backend_port} is not where the back end listens for HTTPS")


def _site(backend_site):
    if backend_site != "Exchange Back End":
        raise Incorrect(f"{backend_site!r} is not the site that listens on 444")


def _binding(backend_binding):
    if backend_binding.port != 444:
        raise Incorrect(f"port {backend_binding.port} is not the back end's HTTPS port")
    if backend_binding.ip != "*":
        raise Incorrect("the back end's binding answers on every address (*)")


def _san(san):
    missing = {"mail.contoso.com", "autodiscover.contoso.com"} - san
    if missing:
        raise Incorrect(f"the certificate also needs {', '.join(sorted(missing))}")
    extra = san - {"mail.contoso.com", "autodiscover.contoso.com"}
    if extra:
        raise Incorrect(f"{', '.join(sorted(extra))} does not belong on the certificate")


EXERCISES = (
    Exercise(
        id="testcourse.backend-port", title="The back end's HTTPS port", notebook="90-values", kind="value",
        reads={"backend_port": normalise.port}, check=_port, points=2,
        hints=("The back end is the Exchange Back End site.", "Look at its https binding."),
        solution="backend_port = 444",
        wrong=(Wrong(443, "443 is where the Default Web Site listens for clients"),
               Wrong("port 81", "81 is the back end's plain HTTP port")),
    ),
    Exercise(
        id="testcourse.backend-binding", title="Site and binding", notebook="90-values", kind="value",
        reads={"backend_site": normalise.site_name,
               "backend_binding": lambda v: normalise.binding(v, protocol="https")},
        checks=(Check(1, _site, "site"), Check(2, _binding, "binding")),
        hints=("Two names to answer.",),
        solution='backend_site = "Exchange Back End"\nbackend_binding = "https *:444:"',
        wrong=(Wrong({"backend_site": "front end"}, "describes the role a site plays", points=2),
               Wrong({"backend_binding": ":443:"}, "443 belongs to the Default Web Site", points=1)),
    ),
    Exercise(
        id="testcourse.san-names", title="Names on the certificate", notebook="90-values", kind="value",
        reads={"san": normalise.dns_names}, check=_san, points=1,
        hints=("Clients use two names.",),
        solution='san = ["mail.contoso.com", "autodiscover.contoso.com"]',
        wrong=(Wrong(["mail.contoso.com"], "also needs autodiscover.contoso.com"),),
    ),
)
