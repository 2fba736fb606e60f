"""The scale-out set (``scripts/cluster.py``) started for real: a built frontend, two app
processes, the scheduler and HAProxy, on a PostgreSQL database of its own and Redis.

Run this folder in its own pytest invocation (it builds the app, about a minute cold):
``TEST_POSTGRES_URL=... python -m pytest tests/cluster``; ``CLUSTER_TEST_BUILD=0`` reuses the
last build. Skipped, saying why, without PostgreSQL, Redis or HAProxy.
"""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]
POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "").strip()
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/5").strip()
START_TIMEOUT = 420  # seconds: a cold build on a busy 2-core machine


@dataclass
class Cluster:
    """A running set: where to reach it and how to read its state."""

    url: str
    app_ports: list[int]
    run_dir: Path
    database_url: str
    proc: subprocess.Popen

    def status(self) -> dict:
        """``cluster.json``: the supervisor's view of its children."""
        return json.loads((self.run_dir / "cluster.json").read_text())

    def haproxy_servers(self) -> dict[str, str]:
        """Each app server's status as HAProxy sees it (``UP``, ``DOWN``...)."""
        with socket.socket(socket.AF_UNIX) as s:
            s.connect(str(self.run_dir / "haproxy.sock"))
            s.sendall(b"show stat\n")
            data = b""
            while chunk := s.recv(65536):
                data += chunk
        rows = [line.split(",") for line in data.decode().splitlines() if line and not line.startswith("#")]
        return {r[1]: r[17] for r in rows if r[0] == "app" and r[1] not in {"FRONTEND", "BACKEND"}}


def _free_base(count: int) -> int:
    """A port such that it and the next ``count - 1`` are free."""
    for _ in range(200):
        base = random.randint(20000, 40000)
        try:
            for port in range(base, base + count):
                with socket.socket() as s:
                    s.bind(("127.0.0.1", port))
        except OSError:
            continue
        return base
    raise RuntimeError("no free ports")


def _pings(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/ping", timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


def _prerequisites() -> str | None:
    if not POSTGRES_URL:
        return "the scale-out set runs on PostgreSQL: set TEST_POSTGRES_URL"
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except Exception as exc:
        return f"no Redis at {REDIS_URL} ({exc}); set TEST_REDIS_URL"
    done = subprocess.run(["bash", str(ROOT / "scripts/ensure-debian-packages"), "haproxy=haproxy"],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        return f"HAProxy cannot be installed: {done.stderr.strip()}"
    return None


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    """A PostgreSQL database of the test's own, migrated, with the demo organisation."""
    problem = _prerequisites()
    if problem:
        pytest.skip(problem)
    name = f"cluster_test_{os.getpid()}"
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}")
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    url = sa.make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    env = {**os.environ, "ENGAGEMENT_DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    for step in (["migrate"], ["seed-demo"]):
        subprocess.run([sys.executable, "-m", "engagement.cli", *step], env=env, cwd=ROOT,
                       check=True, capture_output=True)
    yield url
    with admin.connect() as conn:
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    admin.dispose()


@pytest.fixture(scope="session")
def cluster(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """The set, started by the real script with two app processes; stopped with SIGTERM."""
    base = _free_base(3)
    run_dir = tmp_path_factory.mktemp("cluster")
    env = {**os.environ, "ENGAGEMENT_LANGUAGE": "en"}
    argv = [sys.executable, str(ROOT / "scripts/cluster.py"), "--apps", "2", "--workers", "1",
            "--port", str(base), "--app-port", str(base + 1), "--run-dir", str(run_dir),
            "--database-url", database_url, "--redis-url", REDIS_URL, "--no-migrate"]
    if os.environ.get("CLUSTER_TEST_BUILD", "1") == "0":
        argv.append("--no-build")  # reuse the last build (the sockets need no pages)
    log = (run_dir / "supervisor.log").open("wb")
    proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    found = Cluster(f"http://127.0.0.1:{base}", [base + 1, base + 2], run_dir, database_url, proc)
    deadline = time.monotonic() + START_TIMEOUT
    while not (all(_pings(f"http://127.0.0.1:{p}") for p in found.app_ports) and _pings(found.url)):
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"the set did not start: {(run_dir / 'supervisor.log').read_text()[-3000:]}")
        time.sleep(1)
    yield found
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
        log.close()
