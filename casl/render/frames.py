"""Every collection of a server as a pandas DataFrame, with stable sorted rows.

>>> import casl
>>> from casl.render import frames
>>> df = frames.bindings(casl.open_lab("single-server", state=None).server("ServerA"))
>>> list(df.columns[:4])
['site', 'site_id', 'protocol', 'binding_information']
"""
from __future__ import annotations

import pandas as pd


def _frame(rows: list[dict], sort: list[str], columns: list[str]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=columns)
    if len(df):
        df = df.sort_values(sort, kind="stable",
                            key=lambda c: c.str.lower() if c.dtype == object else c).reset_index(drop=True)
    return df


def sites(server) -> pd.DataFrame:
    """One row per site: id, name, state, physical path, bindings."""
    rows = [{"site_id": s.id, "site": s.name, "state": server.site_state(s), "physical_path": s.physical_path,
             "bindings": ", ".join(b.text() for b in s.bindings), "applications": len(s.applications)}
            for s in server.iis.sites]
    return _frame(rows, ["site_id"], ["site_id", "site", "state", "physical_path", "bindings", "applications"])


def bindings(server) -> pd.DataFrame:
    """One row per binding, with IP, port and host split out and the certificate http.sys holds."""
    rows = []
    for s in server.iis.sites:
        for n, b in enumerate(s.bindings):
            thumb, store = server.ssl_cert_for(b)
            rows.append({"site": s.name, "site_id": s.id, "protocol": b.protocol,
                         "binding_information": b.binding_information, "ip": b.ip if b.is_web else "",
                         "port": b.port, "host": b.host, "certificate": thumb, "store": store, "order": n})
    df = _frame(rows, ["site_id", "order"], ["site", "site_id", "protocol", "binding_information", "ip", "port",
                                             "host", "certificate", "store", "order"])
    df["port"] = df["port"].astype("Int64")
    return df.drop(columns="order")


def applications(server) -> pd.DataFrame:
    """One row per application: site, path, pool, physical path."""
    rows = [{"site": s.name, "site_id": s.id, "path": a.path, "app_pool": a.pool, "physical_path": a.physical_path,
             "protocols": a.enabled_protocols} for s in server.iis.sites for a in s.applications]
    return _frame(rows, ["site_id", "path"], ["site", "site_id", "path", "app_pool", "physical_path", "protocols"])


def pools(server) -> pd.DataFrame:
    """One row per application pool: state, identity, worker PID and how many applications use it."""
    rows = []
    for p in server.iis.pools:
        apps = server.iis.applications_in(p.name)
        rows.append({"app_pool": p.name, "state": server.pool_state(p), "identity": p.identity,
                     "runtime": p.runtime, "pipeline": p.pipeline, "worker_pid": p.worker_pid,
                     "applications": len(apps),
                     "sites": ", ".join(sorted({s.name for s, _ in apps}))})
    df = _frame(rows, ["app_pool"], ["app_pool", "state", "identity", "runtime", "pipeline", "worker_pid",
                                     "applications", "sites"])
    df["worker_pid"] = df["worker_pid"].astype("Int64")
    return df


def services(server) -> pd.DataFrame:
    """One row per Windows service: status, start type, process and PID."""
    rows = [{"service": s.name, "display_name": s.display_name, "status": s.status, "start_type": s.start_type,
             "image": s.image, "pid": s.pid} for s in server.windows.services.values()]
    df = _frame(rows, ["service"], ["service", "display_name", "status", "start_type", "image", "pid"])
    df["pid"] = df["pid"].astype("Int64")
    return df


def processes(server) -> pd.DataFrame:
    """One row per process: PID, image, services hosted, app pool (for w3wp.exe), memory."""
    rows = [{"pid": p.pid, "image": p.image, "services": ", ".join(p.services), "app_pool": p.app_pool,
             "user": p.user, "mem_kb": p.mem_kb} for p in server.windows.processes.values()]
    return _frame(rows, ["pid"], ["pid", "image", "services", "app_pool", "user", "mem_kb"])
