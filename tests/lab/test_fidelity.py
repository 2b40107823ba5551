"""The simulated server against a real Exchange 2013 multi-role applicationHost.config.

Every difference between the two is deliberate and listed here by name; anything else fails.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

import casl

# Pools the real file has and how the lab differs (nothing yet) — and the reverse.
DELIBERATE = {
    # The real capture is 2013 CU23; the lab is CU6. Both have the same sites, bindings, pools and
    # applications, so there is no deliberate difference in these four tables today.
}


@pytest.fixture(scope="module")
def real(fixtures_dir):
    root = ET.parse(fixtures_dir / "iis-config" / "exchange2013-multirole-applicationHost.config").getroot()
    return root.find("system.applicationHost")


@pytest.fixture(scope="module")
def server():
    return casl.open_lab("single-server", state=None).server("ServerA")


def test_sites_and_ids(real, server):
    want = {(s.get("name"), int(s.get("id"))) for s in real.find("sites").findall("site")}
    have = {(s.name, s.id) for s in server.iis.sites}
    assert have == want


def test_bindings_in_order(real, server):
    for s in real.find("sites").findall("site"):
        want = [(b.get("protocol"), b.get("bindingInformation")) for b in s.find("bindings")]
        have = [(b.protocol, b.binding_information) for b in server.iis.site(s.get("name")).bindings]
        assert have == want, s.get("name")


def test_app_pools(real, server):
    want = {p.get("name") for p in real.find("applicationPools").findall("add")}
    have = {p.name for p in server.iis.pools}
    assert have == want
    for p in real.find("applicationPools").findall("add"):
        pool = server.iis.pool(p.get("name"))
        if p.get("managedPipelineMode"):
            assert pool.pipeline == p.get("managedPipelineMode"), p.get("name")
        if p.get("queueLength"):
            assert pool.queue_length == int(p.get("queueLength")), p.get("name")


def test_applications_pools_and_paths(real, server):
    default_pool = real.find("sites").find("applicationDefaults").get("applicationPool")
    for s in real.find("sites").findall("site"):
        site = server.iis.site(s.get("name"))
        want = {}
        for a in s.findall("application"):
            root_vdir = next(v for v in a.findall("virtualDirectory") if v.get("path") == "/")
            want[a.get("path")] = (a.get("applicationPool") or default_pool, root_vdir.get("physicalPath"),
                                   a.get("enabledProtocols") or "http")
        have = {a.path: (a.pool, a.physical_path, a.enabled_protocols) for a in site.applications}
        assert have == want, s.get("name")


def test_virtual_directories_inside_applications(real, server):
    for s in real.find("sites").findall("site"):
        site = server.iis.site(s.get("name"))
        for a in s.findall("application"):
            want = sorted((v.get("path"), v.get("physicalPath")) for v in a.findall("virtualDirectory"))
            have = sorted((v.path, v.physical_path) for v in site.application(a.get("path")).vdirs)
            assert have == want, (s.get("name"), a.get("path"))


def test_most_pools_serve_both_sites(server):
    """The facts sheet's key point: one pool, both sites, for most protocols."""
    shared = {p.name for p in server.iis.pools
              if {s.name for s, _ in server.iis.applications_in(p.name)} == {"Default Web Site", "Exchange Back End"}}
    assert {"MSExchangeOWAAppPool", "MSExchangeECPAppPool", "MSExchangeServicesAppPool",
            "MSExchangeAutodiscoverAppPool", "MSExchangeSyncAppPool", "MSExchangeOABAppPool"} <= shared
    assert "MSExchangePowerShellFrontEndAppPool" not in shared


def test_no_deliberate_differences_left_unlisted():
    assert DELIBERATE == {}
