"""Paths: the C: file system and the IIS: drive of the WebAdministration module.

The IIS: drive is a tree: ``IIS:\\Sites\\<site>\\<application>``, ``IIS:\\AppPools\\<pool>`` and
``IIS:\\SslBindings``. It exists only once the WebAdministration module is loaded.

>>> split_iis("IIS:\\\\Sites\\\\Default Web Site\\\\owa")
['Sites', 'Default Web Site', 'owa']
"""
from __future__ import annotations

import ntpath
import re
from dataclasses import dataclass

ROOTS = ("AppPools", "Sites", "SslBindings")


def split_iis(path: str) -> list[str]:
    rest = re.sub(r"^iis:", "", path, flags=re.I)
    return [p for p in re.split(r"[\\/]+", rest) if p]


@dataclass
class Node:
    kind: str                 # root, container, site, app, vdir, folder, pools, pool, sslbindings
    parts: list[str]          # canonical path parts below IIS:\
    obj: object = None
    site: object = None

    @property
    def path(self) -> str:
        return "IIS:\\" + "\\".join(self.parts)


def iis_node(server, parts: list[str]) -> Node | None:
    """The IIS: drive item at ``parts`` (canonical casing), or None when it does not exist."""
    if not parts:
        return Node("root", [])
    head = next((r for r in ROOTS if r.lower() == parts[0].lower()), None)
    if head is None:
        return None
    if head == "SslBindings":
        return Node("sslbindings", [head]) if len(parts) == 1 else None
    if head == "AppPools":
        if len(parts) == 1:
            return Node("pools", [head])
        pool = server.iis.pool(parts[1])
        if pool is None:
            return None
        if len(parts) == 2:
            return Node("pool", [head, pool.name], pool)
        if len(parts) == 3 and parts[2].lower() == "workerprocesses":
            return Node("workers", [head, pool.name, "WorkerProcesses"], pool)
        return None
    if len(parts) == 1:
        return Node("sites", [head])
    site = server.iis.site(parts[1])
    if site is None:
        return None
    if len(parts) == 2:
        return Node("site", [head, site.name], site, site)
    sub = "/" + "/".join(parts[2:])
    app = site.application(sub)
    if app is not None:
        return Node("app", [head, site.name, *app.path.strip("/").split("/")], app, site)
    for a in site.applications:
        for v in a.vdirs:
            full = (a.path.rstrip("/") + v.path).lower() if v.path != "/" else None
            if full == sub.lower():
                return Node("vdir", [head, site.name, *full.strip("/").split("/")], v, site)
    if len(parts) == 3:
        folder = next((f for f in site.folders if f.lower() == parts[2].lower()), None)
        if folder:
            return Node("folder", [head, site.name, folder], folder, site)
    return None


def resolve(shell, path: str) -> tuple[str, object]:
    """Resolve ``path`` against the shell's location: ("IIS", parts) or ("C", windows path)."""
    p = path.strip()
    loc = shell.location
    if re.match(r"^iis:", p, re.I):
        return "IIS", split_iis(p)
    if re.match(r"^[A-Za-z]:", p):
        if re.match(r"^[A-Za-z]:$", p):
            return "C", shell.fs_location if loc.drive == "IIS" else loc.path
        return "C", ntpath.normpath(p)
    if loc.drive == "IIS":
        parts = split_iis(loc.path)
        if p.startswith(("\\", "/")):
            parts = []
        for seg in re.split(r"[\\/]+", p):
            if seg in ("", "."):
                continue
            if seg == "..":
                parts = parts[:-1]
            else:
                parts.append(seg)
        return "IIS", parts
    if p.startswith(("\\", "/")):
        return "C", ntpath.normpath(loc.path[:2] + p)
    return "C", ntpath.normpath(ntpath.join(loc.path, p))
