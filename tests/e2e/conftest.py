"""End-to-end harness: the real app, built in production mode, on a fresh demo database.

One app per test session (a build takes ~30 s cold). Chromium is Debian's, never a
Playwright download. Run this folder in its own pytest invocation (see Makefile).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

# A 2-core CI machine building and serving the app is slow at times: wait up to 15 s for
# what a person would see, instead of Playwright's 5 s default.
expect.set_options(timeout=15_000)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """Debian's Chromium with the flags this closed network needs."""
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"],
    }


@pytest.fixture(scope="session")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Start the production app on a free port with a migrated, seeded SQLite database."""
    db = tmp_path_factory.mktemp("e2e") / "e2e.db"
    port = _free_port()
    bin_dir = Path(sys.executable).parent
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        "REFLEX_USE_NPM": "1",
        "REFLEX_TELEMETRY_ENABLED": "false",
        "ENGAGEMENT_DATABASE_URL": f"sqlite:///{db}",
        "ENGAGEMENT_PORT": str(port),
        # No embedded scheduler: an hourly reminder landing mid-journey would make the
        # journeys' "newest notification" checks depend on the clock. Jobs are run explicitly.
        "ENGAGEMENT_SCHEDULER": "off",
    }
    env.pop("REFLEX_REDIS_URL", None)
    subprocess.run([str(bin_dir / "engagement"), "migrate"], cwd=ROOT, env=env, check=True)
    subprocess.run([str(bin_dir / "engagement"), "seed-demo"], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)
    log = (tmp_path_factory.getbasetemp() / "app.log").open("w")
    proc = subprocess.Popen([str(bin_dir / "reflex"), "run", "--env", "prod", "--loglevel", "info"],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the app exited with {proc.returncode}; see {log.name}")
        try:
            with urllib.request.urlopen(url + "/ping", timeout=2) as r1, \
                    urllib.request.urlopen(url + "/login", timeout=2) as r2:
                if r1.status == 200 and r2.status == 200:
                    break
        except OSError:
            time.sleep(1)
    else:
        os.killpg(proc.pid, signal.SIGTERM)
        raise RuntimeError(f"the app did not start in 300 s; see {log.name}")
    yield url
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
    log.close()
