"""Exercises of notebook 03 (netstat and PIDs): read who talks to whom in the mystery server's captures.

The expected answers are not written here: each check reads the captures in ``data/mystery-server/``
with casl's own parsers and joins them (:func:`casl.parse.flows.classify`), so a capture made again
with ``make.py`` keeps the exercises true.
"""
from __future__ import annotations

from functools import lru_cache

from casl.exercises import Check, Exercise, Incorrect, Wrong, normalise

NOTEBOOK = "03-netstat-pid"
SERVER_IP, OTHER_SERVER = "10.0.0.11", "10.0.0.12"
HMWORKER_PORT = 63582        # the [::1] source port whose owner exercise 2 asks for


@lru_cache(maxsize=1)
def mystery():
    """The mystery server's flows: netstat, tasklist and appcmd joined by PID, each flow classified."""
    from casl import parse
    from casl.paths import data_path

    def read(name):
        return data_path(f"mystery-server/{name}").read_text(encoding="utf-8")

    return parse.classify_flows(parse.read_netstat(read("netstat-anob.txt")),
                                parse.read_tasklist(read("tasklist-svc.txt")),
                                parse.read_appcmd_wp(read("appcmd-list-wp.txt")),
                                server_addresses=(SERVER_IP,), other_exchange_servers=(OTHER_SERVER,))


def _remote_flows():
    df = mystery()
    return df[(df.flow == "front-end-to-remote-back-end") & (df.state == "ESTABLISHED")]


def component(value: object) -> str:
    """What listens for IIS, spelled loosely: "http.sys", "HTTP.SYS", "httpsys"."""
    if not isinstance(value, str) or not value.strip():
        raise Incorrect('write the component as text, e.g. "svchost.exe"')
    return value.strip().lower().replace(" ", "").replace("httpsys", "http.sys")


# --- checks ---------------------------------------------------------------------------------
def _proxy_pid(proxy_pid):
    flows = _remote_flows()
    if proxy_pid not in set(flows.pid):
        if proxy_pid == 4:
            raise Incorrect("PID 4 is System: it owns the accepting end of connections (http.sys), never a proxy's "
                            "outgoing one")
        raise Incorrect(f"PID {proxy_pid} has no connection to {OTHER_SERVER}:444 in the capture")


def _proxy_pool(proxy_pool):
    pools = {str(p).lower() for p in _remote_flows().app_pool}
    if proxy_pool.lower() not in pools:
        raise Incorrect("appcmd list wp maps that worker's PID to another pool; look the PID up there")


def _probe_owner(probe_image):
    df = mystery()
    row = df[(df.local_port == HMWORKER_PORT) & (df.remote_port == 444)]
    owner = str(row.image.iloc[0]).lower()
    if probe_image != owner:
        if probe_image == "w3wp.exe":
            raise Incorrect("no worker process calls the back end over [::1]; find the PID on that row and look it up "
                            "in tasklist")
        raise Incorrect(f"{probe_image} is not the image tasklist shows for the PID on that row")


def _remote_count(remote_444_flows):
    want = len(_remote_flows())
    if remote_444_flows != want:
        raise Incorrect("count the ESTABLISHED rows whose remote end is another server's port 444; listeners, "
                        "local calls and TIME_WAIT rows do not count")


def _listener(listener):
    if listener != "http.sys":
        raise Incorrect(f"{listener} does not own IIS's listening sockets: PID 4 is the kernel, and the kernel-mode "
                        "HTTP driver listens for every IIS binding")


def _recycled(recycled_pool):
    df = mystery()
    pools = set(df.app_pool.dropna())
    if recycled_pool in pools:
        raise Incorrect(f"{recycled_pool}'s worker still has its connections; the recycled worker left only a "
                        "TIME_WAIT row with PID 0 behind, and its new worker has none yet")
    if recycled_pool.lower() != "msexchangeecpapppool":
        raise Incorrect("the TIME_WAIT row with PID 0 is the old worker's proxy to 444: which application did the "
                        "first user open?")


EXERCISES = (
    Exercise(
        id="netstat.proxy-pid",
        title="The worker that proxies to the other server",
        notebook=NOTEBOOK,
        kind="value",
        reads={"proxy_pid": normalise.pid, "proxy_pool": normalise.text},
        checks=(Check(1, _proxy_pid, "pid"), Check(1, _proxy_pool, "pool")),
        hints=("Find the ESTABLISHED row whose remote address is 10.0.0.12:444, and read its PID.",
               "appcmd list wp maps a w3wp PID to its application pool."),
        solution='proxy_pid = 1596\nproxy_pool = "MSExchangeOWAAppPool"',
        wrong=(
            Wrong({"proxy_pid": 4}, "PID 4 is System: it owns the accepting end of connections (http.sys), never a "
                                    "proxy's outgoing one", points=1),
            Wrong({"proxy_pool": "MSExchangeServicesAppPool"}, "appcmd list wp maps that worker's PID to another pool; "
                                                               "look the PID up there", points=1),
        ),
    ),
    Exercise(
        id="netstat.probe-owner",
        title="Who holds a 444 connection over [::1]",
        notebook=NOTEBOOK,
        kind="value",
        reads={"probe_image": normalise.image},
        check=_probe_owner,
        points=1,
        hints=(f"The row starts with [::1]:{HMWORKER_PORT}; its last column is the PID.",
               "tasklist /svc (or the -b lines under the row) names the process."),
        solution='probe_image = "MSExchangeHMWorker.exe"',
        wrong=(
            Wrong("w3wp.exe", "no worker process calls the back end over [::1]; find the PID on that row and look it "
                              "up in tasklist"),
        ),
    ),
    Exercise(
        id="netstat.remote-count",
        title="How many flows go to another server's back end",
        notebook=NOTEBOOK,
        kind="value",
        reads={"remote_444_flows": normalise.count},
        check=_remote_count,
        points=1,
        hints=("Only ESTABLISHED rows from this server to port 444 of a different address count.",),
        solution="remote_444_flows = 1",
        wrong=(
            Wrong(6, "count the ESTABLISHED rows whose remote end is another server's port 444; listeners, local "
                     "calls and TIME_WAIT rows do not count"),
        ),
    ),
    Exercise(
        id="netstat.pid4-listener",
        title="What listens behind PID 4",
        notebook=NOTEBOOK,
        kind="value",
        reads={"listener": component},
        check=_listener,
        points=1,
        hints=("tasklist calls PID 4 System: it is the kernel. Which kernel-mode driver accepts HTTP for IIS?",),
        solution='listener = "http.sys"',
        wrong=(
            Wrong("w3wp.exe", "w3wp.exe does not own IIS's listening sockets: PID 4 is the kernel, and the "
                              "kernel-mode HTTP driver listens for every IIS binding"),
            Wrong("inetinfo.exe", "inetinfo.exe does not own IIS's listening sockets: PID 4 is the kernel, and the "
                                  "kernel-mode HTTP driver listens for every IIS binding"),
        ),
    ),
    Exercise(
        id="netstat.recycled-pool",
        title="Which pool was recycled?",
        notebook=NOTEBOOK,
        kind="value",
        reads={"recycled_pool": normalise.text},
        check=_recycled,
        points=2,
        hints=("A recycled worker's connections end in TIME_WAIT with PID 0, and its new worker has none yet.",
               "The TIME_WAIT row goes to 444 over the server's own link-local address: a front end's proxy to its "
               "own back end. Which user's request was that?"),
        solution='recycled_pool = "MSExchangeECPAppPool"',
        wrong=(
            Wrong("MSExchangeOWAAppPool", "MSExchangeOWAAppPool's worker still has its connections; the recycled "
                                          "worker left only a TIME_WAIT row with PID 0 behind, and its new worker "
                                          "has none yet"),
        ),
    ),
)
