"""data/mystery-server: written by casl, the same every time, and telling the story its README promises."""
from __future__ import annotations

import importlib.util

from casl.parse import appcmd, flows, netstat, tasklist
from casl.paths import data_dir

FOLDER = data_dir() / "mystery-server"


def _make():
    spec = importlib.util.spec_from_file_location("mystery_make", FOLDER / "make.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_files_are_what_make_py_writes():
    make = _make()
    for name, text in make.captures(make.build()).items():
        assert (FOLDER / name).read_bytes() == text.encode("ascii"), f"{name} is stale: run data/mystery-server/make.py"


def test_the_captures_tell_the_story():
    ns = netstat.parse((FOLDER / "netstat-anob.txt").read_text(encoding="ascii"))
    tl = tasklist.parse((FOLDER / "tasklist-svc.txt").read_text(encoding="ascii"))
    wp = appcmd.parse_wp((FOLDER / "appcmd-list-wp.txt").read_text(encoding="ascii"))
    df = flows.classify(ns, tl, wp, other_exchange_servers=["10.0.0.12"])
    remote = df[df.flow == "front-end-to-remote-back-end"]
    assert len(remote) == 1 and list(remote.app_pool) == ["MSExchangeOWAAppPool"]
    assert list(remote.image) == ["w3wp.exe"] and list(remote.remote_address) == ["10.0.0.12"]
    # the recycled pool's proxy connection: TIME_WAIT under PID 0, to this server's own 444
    tw = df[df.state == "TIME_WAIT"]
    assert list(tw.pid) == [0] and list(tw.remote_port) == [444] and list(tw.remote_side) == ["this-server"]
    ecp = int(wp[wp.app_pool == "MSExchangeECPAppPool"].pid.iloc[0])
    assert ecp not in set(df.pid)                                  # the new worker has no connections yet
    probes = df[df.flow == "health-probe"]
    assert {"MSExchangeHMWorker.exe", "Microsoft.Exchange.ServiceHost.exe",
            "MSExchangeMailboxAssistants.exe"} <= set(probes.image.dropna())
    assert set(df[(df.state == "LISTENING") & (df.pid == 4)].local_port) >= {80, 81, 443, 444}
