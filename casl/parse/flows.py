"""Classify the TCP flows of a Client Access server from ``netstat``, ``tasklist`` and ``appcmd list wp``.

Joins the netstat rows with the process image (from ``netstat -b`` itself or from ``tasklist``)
and the IIS application pool (from ``appcmd list wp``) by PID, finds the other end of each
connection when both ends are on this server, and gives every row one flow from :data:`FLOWS`
with a short ``why``. The decisions are the rows of :data:`RULES`, tried in order.

>>> from casl.parse import netstat, appcmd, tasklist
>>> ns = netstat.parse('''
...   TCP    0.0.0.0:443            0.0.0.0:0              LISTENING       4
...   TCP    10.0.0.21:443          10.0.1.57:50211        ESTABLISHED     4
...   TCP    10.0.0.21:49802        10.0.0.22:444          ESTABLISHED     8120
... ''')
>>> wp = appcmd.parse_wp('WP "8120" (applicationPool:MSExchangeServicesAppPool)')
>>> tl = tasklist.parse('"w3wp.exe","8120","Services","0","276,904 K"')
>>> for row in classify(ns, tl, wp, other_exchange_servers=["10.0.0.22"]).itertuples():
...     print(row.flow, "|", row.why)
listener | PID 4 is System: http.sys listens on 0.0.0.0:443 for the IIS sites
client-to-front-end | 10.0.1.57 is a client of the front end on port 443
front-end-to-remote-back-end | w3wp.exe (MSExchangeServicesAppPool) proxies to the back end of Exchange server 10.0.0.22 on 444
"""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Iterable

import pandas as pd

from casl.errors import CaslError

FLOWS = (
    "client-to-front-end", "front-end-to-local-back-end", "front-end-to-remote-back-end",
    "health-probe", "listener", "other",
)
FRONT_END_PORTS = (80, 443)
BACK_END_PORTS = (444,)
IIS_PORTS = (80, 81, 443, 444)  # the two Exchange sites' bindings, served by http.sys

# What each process image means for the flows (lower case). Exchange's own processes that call
# the back end on 444: Managed Availability's worker runs the probes; the service host and the
# mailbox assistants call back-end web services too.
IMAGE_KINDS: dict[str, str] = {
    "w3wp.exe": "worker",
    "msexchangehmworker.exe": "health",
    "microsoft.exchange.servicehost.exe": "health",
    "msexchangemailboxassistants.exe": "health",
}
# tasklist's table cuts image names to 25 characters; these are expanded back.
KNOWN_IMAGES = (
    "Microsoft.Exchange.ServiceHost.exe", "MSExchangeMailboxAssistants.exe", "MSExchangeHMWorker.exe",
    "Microsoft.Exchange.Directory.TopologyService.exe", "Microsoft.Exchange.Diagnostics.Service.exe",
    "Microsoft.Exchange.RpcClientAccess.Service.exe", "MSExchangeFrontendTransport.exe",
    "MSExchangeMailboxReplication.exe", "Microsoft.Exchange.Search.Service.exe",
    "Microsoft.Exchange.Store.Service.exe", "Microsoft.Exchange.Store.Worker.exe",
)
TASKLIST_IMAGE_WIDTH = 25
# Windows' fixed process ids: netstat shows http.sys connections and listeners under PID 4.
FIXED_PIDS = {0: "System Idle Process", 4: "System"}


@dataclass(frozen=True)
class Rule:
    """One classification: when every feature in ``when`` has one of the listed values."""

    flow: str
    when: dict = field(default_factory=dict)
    why: str = ""


# The rules, first match wins. Features (computed per row in _features):
#   proto, listening (bool), system (PID 4), kind / peer_kind (IMAGE_KINDS of this end / of the other
#   end, "other" if unknown; peer_kind is "none" when the other end is not in the capture),
#   local_port, remote_port, remote_side ("this-server", "exchange", "remote", "none" for * and
#   wildcard addresses).
RULES: tuple[Rule, ...] = (
    Rule("other", {"proto": ("UDP", "UDPv6")},
         "UDP has no connections to classify ({image_or_pid} on port {local_port})"),
    Rule("listener", {"listening": (True,), "system": (True,), "local_port": IIS_PORTS},
         "PID 4 is System: http.sys listens on {local_endpoint} for the IIS sites"),
    Rule("listener", {"listening": (True,), "system": (True,)},
         "PID 4 is System: a kernel-mode listener on {local_endpoint} (not an IIS site port)"),
    Rule("listener", {"listening": (True,)},
         "{image_or_pid} listens on {local_endpoint}"),
    Rule("health-probe", {"kind": ("health",), "remote_port": BACK_END_PORTS},
         "{image} calls the back end on {remote_endpoint} (probe or service call)"),
    Rule("front-end-to-local-back-end",
         {"kind": ("worker",), "remote_port": BACK_END_PORTS, "remote_side": ("this-server",)},
         "{image} ({app_pool}) proxies to this server's own back end on 444"),
    Rule("front-end-to-remote-back-end",
         {"kind": ("worker",), "remote_port": BACK_END_PORTS, "remote_side": ("exchange",)},
         "{image} ({app_pool}) proxies to the back end of Exchange server {remote_address} on 444"),
    Rule("front-end-to-remote-back-end",
         {"kind": ("worker",), "remote_port": BACK_END_PORTS, "remote_side": ("remote",)},
         "{image} ({app_pool}) proxies to {remote_endpoint}, another server's back end"),
    Rule("front-end-to-local-back-end", {"local_port": BACK_END_PORTS, "peer_kind": ("worker",)},
         "back-end end (port 444) of the proxy connection from w3wp.exe PID {peer_pid} ({peer_app_pool})"),
    Rule("health-probe", {"local_port": BACK_END_PORTS, "peer_kind": ("health",)},
         "back-end end (port 444) of a call from {peer_image} PID {peer_pid}"),
    Rule("client-to-front-end", {"local_port": FRONT_END_PORTS, "remote_side": ("this-server",),
                                 "peer_kind": ("worker", "health", "other")},
         "{peer_image_or_pid} on this server is a client of the front end on port {local_port}"),
    Rule("client-to-front-end", {"local_port": FRONT_END_PORTS},
         "{remote_address} is a client of the front end on port {local_port}"),
    Rule("client-to-front-end", {"remote_port": FRONT_END_PORTS, "remote_side": ("this-server",)},
         "{image_or_pid} on this server is a client of its own front end on port {remote_port}"),
    Rule("other", {"local_port": BACK_END_PORTS, "remote_side": ("exchange", "remote")},
         "{remote_address} calls this server's back end on 444 (another front end or probe)"),
    Rule("other", {}, "not Client Access traffic: {image_or_pid} to {remote_endpoint}"),
)

_NETSTAT_COLUMNS = ("proto", "local_address", "local_port", "remote_address", "remote_port", "state", "pid")


def classify(netstat_df: pd.DataFrame, tasklist_df: pd.DataFrame | None = None,
             wp_df: pd.DataFrame | None = None, *, server_addresses: Iterable[str] = (),
             other_exchange_servers: Iterable[str] = ()) -> pd.DataFrame:
    """Classify every netstat row into a flow of :data:`FLOWS`, with a ``why`` for each.

    ``netstat_df`` comes from :func:`casl.parse.netstat.parse`, ``tasklist_df`` from
    :func:`casl.parse.tasklist.parse`, ``wp_df`` from :func:`casl.parse.appcmd.parse_wp`.
    ``server_addresses`` are this server's own addresses (loopback and the addresses netstat shows
    locally count already); ``other_exchange_servers`` the addresses of the other Exchange servers.
    Returns the netstat columns plus ``app_pool``, ``remote_side``, ``peer_pid``, ``flow``, ``why``,
    in the netstat order; ``image`` is filled from tasklist where netstat had none, with names
    tasklist cut at 25 characters expanded (:data:`KNOWN_IMAGES`).

    >>> from casl.parse import netstat, tasklist
    >>> classify(netstat.parse("TCP [::1]:50417 [::1]:444 ESTABLISHED 5120 "),
    ...          tasklist.parse('"MSExchangeHMWorker.exe","5120","Services","0","402,776 K"')).loc[0, "flow"]
    'health-probe'
    """
    _require(netstat_df, _NETSTAT_COLUMNS, "netstat_df", "casl.parse.netstat")
    _require(tasklist_df, ("pid", "image"), "tasklist_df", "casl.parse.tasklist")
    _require(wp_df, ("pid", "app_pool"), "wp_df", "casl.parse.appcmd.parse_wp")
    df = netstat_df.copy().reset_index(drop=True)
    if "image" not in df.columns:
        df["image"] = pd.Series(pd.NA, index=df.index, dtype="string")
    df["image"] = df["image"].astype("string").fillna(df["pid"].map(_images(tasklist_df)).astype("string"))
    df["image"] = df["image"].map(_expand_truncated, na_action="ignore").astype("string")
    df["app_pool"] = df["pid"].map(_app_pools(wp_df)).astype("string")
    own = _own_addresses(df, server_addresses)
    others = {_normal(a) for a in other_exchange_servers}
    df["remote_side"] = df["remote_address"].map(lambda a: _side(a, own, others)).astype("string")
    df = _with_peer(df)
    features = _features(df)
    flow = pd.Series(pd.NA, index=df.index, dtype="object")
    why = pd.Series(pd.NA, index=df.index, dtype="object")
    for rule in RULES:
        hit = flow.isna()
        for feature, allowed in rule.when.items():
            hit &= features[feature].isin(allowed)
        for i in df.index[hit]:
            flow[i] = rule.flow
            why[i] = rule.why.format_map(_Words(df.loc[i]))
    out = df.drop(columns=["peer_image", "peer_app_pool"])
    out["flow"] = pd.Categorical(flow, categories=list(FLOWS))
    out["why"] = why.astype("string")
    return out


def _require(df, columns: tuple[str, ...], name: str, maker: str) -> None:
    if df is None and name != "netstat_df":
        return
    missing = [c for c in columns if c not in getattr(df, "columns", ())]
    if missing:
        raise CaslError(f"classify() needs {name} to be a DataFrame from {maker}; missing columns: {missing}")


def _images(tasklist_df: pd.DataFrame | None) -> dict[int, str]:
    images = dict(FIXED_PIDS)
    if tasklist_df is not None and len(tasklist_df):
        pairs = tasklist_df.dropna(subset=["pid", "image"]).drop_duplicates("pid")
        images.update(zip(pairs["pid"].astype(int), pairs["image"].astype(str)))
    return images


def _app_pools(wp_df: pd.DataFrame | None) -> dict[int, str]:
    if wp_df is None or not len(wp_df):
        return {}
    pairs = wp_df.dropna(subset=["pid", "app_pool"]).drop_duplicates("pid")
    return dict(zip(pairs["pid"].astype(int), pairs["app_pool"].astype(str)))


def _expand_truncated(image: str) -> str:
    if len(image) == TASKLIST_IMAGE_WIDTH:
        for known in KNOWN_IMAGES:
            if known.lower().startswith(image.lower()):
                return known
    return image


def _normal(address: str) -> str:
    return str(address).strip("[]").lower()


def _own_addresses(df: pd.DataFrame, extra: Iterable[str]) -> set[str]:
    seen = {_normal(a) for a in df["local_address"].dropna()}
    return (seen - {"0.0.0.0", "::", "*"}) | {_normal(a) for a in extra}


def _side(address, own: set[str], others: set[str]) -> str:
    if address is None or address is pd.NA or address in ("*", "0.0.0.0", "::"):
        return "none"
    text = _normal(address)
    try:
        if ipaddress.ip_address(text.split("%")[0]).is_loopback:
            return "this-server"
    except ValueError:
        pass  # a host name or an anonymised literal: compare as text
    if text in own:
        return "this-server"
    return "exchange" if text in others else "remote"


def _with_peer(df: pd.DataFrame) -> pd.DataFrame:
    """Add the PID, image and pool of the other end when that end is also in this capture."""
    ends = df[df["state"].astype("string") != "LISTENING"]
    key = ["local_address", "local_port", "remote_address", "remote_port"]
    peers = ends[key + ["pid", "image", "app_pool"]].dropna(subset=["local_port", "remote_port"])
    peers = peers.sort_values("pid", na_position="last").drop_duplicates(key)
    peers.columns = ["remote_address", "remote_port", "local_address", "local_port",
                     "peer_pid", "peer_image", "peer_app_pool"]
    merged = df.merge(peers, how="left", on=key, sort=False)
    merged.index = df.index
    return merged


def _features(df: pd.DataFrame) -> pd.DataFrame:
    def kind(images: pd.Series) -> pd.Series:
        return images.str.lower().map(IMAGE_KINDS).fillna("other").astype(object)

    return pd.DataFrame({
        "proto": df["proto"].astype(object),
        "listening": (df["state"].astype("string") == "LISTENING").fillna(False).astype(bool),
        "system": (df["pid"] == 4).fillna(False).astype(bool),
        "kind": kind(df["image"]),
        "peer_kind": kind(df["peer_image"].astype("string")).where(df["peer_pid"].notna(), "none"),
        "local_port": df["local_port"].astype(object),
        "remote_port": df["remote_port"].astype(object),
        "remote_side": df["remote_side"].astype(object),
    }, index=df.index)


class _Words(dict):
    """Values for a ``why`` template; a missing value reads as '?' instead of failing."""

    def __init__(self, row: pd.Series):
        values = {k: ("?" if pd.isna(v) else v) for k, v in row.items()}
        if values.get("image", "?") != "?":
            values["image_or_pid"] = values["image"]
        else:
            values["image_or_pid"] = f"PID {values.get('pid', '?')}"
        peer = values.get("peer_image", "?")
        values["peer_image_or_pid"] = peer if peer != "?" else f"PID {values.get('peer_pid', '?')}"
        for end in ("local", "remote"):
            address, port = values.get(f"{end}_address", "?"), values.get(f"{end}_port", "?")
            address = f"[{address}]" if ":" in str(address) else address
            values[f"{end}_endpoint"] = f"{address}:{'*' if port == '?' else port}"
        if values.get("app_pool") == "?":
            values["app_pool"] = "pool unknown"
        if values.get("peer_app_pool") == "?":
            values["peer_app_pool"] = "pool unknown"
        super().__init__(values)

    def __missing__(self, key: str) -> str:
        return "?"
