"""A learner's view: JupyterLab in headless Chromium runs all of notebook 01, solved.

The test starts its own JupyterLab on 127.0.0.1 (a port the OS picks, a random token, every
Jupyter folder in a temporary directory), opens the solved copy of ``01-iis-layout`` (the release's
answer cells hold placeholders, so its checks would rightly say "Not attempted"), clicks
Run > Run All Cells, and asserts that no cell shows an error, that the exercise feedback appears,
that the site explorer widget and the Mermaid diagram render. A screenshot is kept in
``test-artifacts/browser/`` and its path printed.
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
NOTEBOOK = "01-iis-layout"
ARTIFACTS = REPO / "test-artifacts" / "browser"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
                  "--disable-dev-shm-usage"]
EXERCISES = ("iis.owa-pool", "iis.processes", "iis.gentle-reload", "iis.compare-listings",
             "iis.restore-binding", "iis.hands-off")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str):
    with urllib.request.urlopen(url, timeout=5) as r:   # noqa: S310 (loopback only)
        return json.loads(r.read())


@pytest.fixture(scope="module")
def chromium():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("Chromium is not installed; scripts/setup.sh --browser installs it")
        pytest.skip("Chromium is not installed (run scripts/setup.sh --browser)")
    return CHROMIUM


@pytest.fixture(scope="module")
def jupyterlab(tmp_path_factory):
    root = tmp_path_factory.mktemp("lab")
    home = tmp_path_factory.mktemp("jupyter-home")
    solved = root / f"{NOTEBOOK}.ipynb"
    subprocess.run([sys.executable, "-m", "casl.cli", "solve", str(REPO / "notebooks" / f"{NOTEBOOK}.ipynb"),
                    "-o", str(solved)], check=True, cwd=REPO, timeout=300)
    settings = home / "settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    (settings / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    # Every cell in the page, not only those scrolled into view, so the test can count them all.
    notebook_settings = home / "settings" / "@jupyterlab" / "notebook-extension"
    notebook_settings.mkdir(parents=True)
    (notebook_settings / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
    env = dict(os.environ)
    for var, sub in (("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_DATA_DIR", "data"),
                     ("JUPYTER_RUNTIME_DIR", "runtime"), ("JUPYTERLAB_SETTINGS_DIR", "settings"),
                     ("JUPYTERLAB_WORKSPACES_DIR", "workspaces"), ("IPYTHONDIR", "ipython"),
                     ("XDG_CONFIG_HOME", "xdg-config"), ("XDG_CACHE_HOME", "xdg-cache"),
                     ("CASL_STATE_DIR", "casl-state")):
        env[var] = str(home / sub)
    port, token = _free_port(), secrets.token_hex(16)
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip", "127.0.0.1", f"--port={port}",
           "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
           # stops by itself if this test process dies without stopping it
           "--ServerApp.shutdown_no_activity_timeout=300", "--MappingKernelManager.cull_idle_timeout=300",
           "--MappingKernelManager.cull_interval=60", "--TerminalsExtensionApp.disabled=True"]
    if os.geteuid() == 0:
        cmd.append("--allow-root")
    log = open(home / "jupyterlab.log", "wb")
    proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                _get(f"{base}/api/status?token={token}")
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("JupyterLab did not start:\n" + (home / "jupyterlab.log").read_text()[-3000:])
                time.sleep(0.3)
        code_cells = sum(c["cell_type"] == "code" for c in json.loads(solved.read_text())["cells"])
        yield {"base": base, "token": token, "code_cells": code_cells}
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def _kernel_ready(server) -> bool:
    kernels = _get(f"{server['base']}/api/kernels?token={server['token']}")
    return any(k.get("execution_state") == "idle" and k.get("connections", 0) >= 1 for k in kernels)


def _run_all(page) -> None:
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_text("Run All Cells", exact=True).click()


def test_notebook_runs_in_jupyterlab(chromium, jupyterlab):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / f"{NOTEBOOK}.png"
    url = f"{jupyterlab['base']}/lab/tree/{NOTEBOOK}.ipynb?token={jupyterlab['token']}&reset"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(url, wait_until="domcontentloaded")
            page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=60_000)
            deadline = time.monotonic() + 60
            while not _kernel_ready(jupyterlab):
                assert time.monotonic() < deadline, "the notebook's kernel never became idle and connected"
                time.sleep(0.3)
            total = jupyterlab["code_cells"]
            assert total >= 20
            page.wait_for_function(
                "n => document.querySelectorAll('.jp-NotebookPanel .jp-CodeCell').length === n", arg=total,
                timeout=60_000)
            done = page.locator(".jp-NotebookPanel .jp-CodeCell .jp-InputPrompt")
            # "Run All" sent before the kernel's websocket is up is dropped: retry once
            for attempt in range(2):
                _run_all(page)
                try:
                    page.wait_for_function(
                        "() => [...document.querySelectorAll('.jp-NotebookPanel .jp-CodeCell .jp-InputPrompt')]"
                        ".some(e => /\\[\\d+\\]/.test(e.textContent))", timeout=20_000)
                    break
                except Exception:
                    if attempt:
                        raise
            page.wait_for_function(
                "n => [...document.querySelectorAll('.jp-NotebookPanel .jp-CodeCell .jp-InputPrompt')]"
                ".filter(e => /\\[\\d+\\]/.test(e.textContent)).length === n", arg=total, timeout=180_000)
            assert done.count() == total
            page.wait_for_selector(".jp-RenderedMermaid", timeout=30_000)
            page.screenshot(path=str(shot), full_page=False)
            print(f"\nscreenshot: {shot}")

            errors = page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')
            assert errors.count() == 0, "a cell shows an error:\n" + "\n---\n".join(errors.all_inner_texts())[:3000]
            outputs = page.locator(".jp-NotebookPanel .jp-OutputArea-output")
            for ex in EXERCISES:
                feedback = outputs.filter(has_text=ex).filter(has_text="Correct")
                assert feedback.count() >= 1, f"no Correct feedback shown for {ex}"
            assert page.locator(".jp-NotebookPanel .widget-dropdown select").count() >= 1, "the widget did not render"
            assert page.locator(".jp-NotebookPanel .widget-html-content table").count() >= 1, \
                "the widget's table did not render"
        finally:
            browser.close()
