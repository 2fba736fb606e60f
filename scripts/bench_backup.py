"""Backup and restore at province scale (issue 17): ``engagement backup`` / ``restore`` timed.

Builds (once; ``--reuse`` keeps it) the leaderboard benchmark's data: 1,000 units, 50,000
people and 5,000,000 point entries with their stored totals (``bench_leaderboards.generate``),
then times ``core.backup.backup`` of it and ``core.backup.restore`` into a fresh database,
and prints a Markdown row per database.

    .venv/bin/python scripts/bench_backup.py --sqlite /tmp/bench_backup/source.db
    .venv/bin/python scripts/bench_backup.py --pg postgresql+psycopg://postgres@127.0.0.1:5432/bench_backup_src
    (smaller: --people 5000 --units 200 --entries 200000)

On PostgreSQL the source is the given database (its ``public`` schema) and the restore goes
into ``<name>_restore`` beside it, created and dropped by the script.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_leaderboards

from engagement.core import audit, backup, clock
from engagement.core.db import make_engine, unit_of_work


def _entries(url: str) -> int:
    engine = sa.create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return conn.exec_driver_sql("SELECT count(*) FROM point_entry").scalar_one()
    except sa.exc.DBAPIError:
        return 0
    finally:
        engine.dispose()


def _ensure_data(url: str, args: argparse.Namespace) -> None:
    if args.reuse and _entries(url) >= args.entries:
        return
    schema = "public" if url.startswith("postgresql") else None
    engine = bench_leaderboards._engine(url, schema, fresh=True)
    started = time.perf_counter()
    bench_leaderboards.generate(engine, units=args.units, people=args.people, entries=args.entries)
    engine.dispose()
    print(f"data generated in {time.perf_counter() - started:.0f} s", file=sys.stderr)


def _pg_target(url: str) -> str:
    parsed = make_url(url)
    name = f"{parsed.database}_restore"
    admin = sa.create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as conn:
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    admin.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)


def _drop_pg(url: str) -> None:
    parsed = make_url(url)
    admin = sa.create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as conn:
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {parsed.database} WITH (FORCE)")
    admin.dispose()


class Writer(threading.Thread):
    """Commits one small transaction (an audit entry) every 10 ms while the backup runs: the app
    keeps writing, and the slowest commit says whether the backup got in its way."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.engine = make_engine(url)
        self.stop = threading.Event()
        self.latencies: list[float] = []

    def run(self) -> None:
        while not self.stop.wait(0.01):
            started = time.perf_counter()
            with unit_of_work(self.engine) as session:
                audit.record(session, actor=None, action="bench.write", entity="bench", now=clock.now())
            self.latencies.append(time.perf_counter() - started)

    def finish(self) -> tuple[int, float]:
        self.stop.set()
        self.join()
        self.engine.dispose()
        return len(self.latencies), max(self.latencies, default=0.0) * 1000


def run(url: str, target: str, folder: Path) -> str:
    """Back up ``url`` while a writer commits, restore into ``target``; one Markdown row."""
    file = folder / "bench.backup"
    writer = Writer(url)
    writer.start()
    started = time.perf_counter()
    manifest = backup.backup(url, file, now=clock.now())
    took_backup = time.perf_counter() - started
    writes, slowest = writer.finish()
    started = time.perf_counter()
    report = backup.restore(target, file, force=True, migrate_older=False)
    took_restore = time.perf_counter() - started
    size = file.stat().st_size
    file.unlink()
    entries = manifest.tables.get("point_entry", 0)
    return (f"| {manifest.dialect} | {manifest.tables.get('person', 0):,} | {entries:,} | {manifest.rows:,} | "
            f"{size / 1e6:,.0f} | {took_backup:.1f} | {writes:,} | {slowest:.0f} | {took_restore:.1f} | "
            f"{report.tables_checked} |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sqlite", default="", help="the source SQLite file (generated when missing)")
    parser.add_argument("--pg", default="", help="a PostgreSQL URL of the source database (generated when empty)")
    parser.add_argument("--reuse", action="store_true", help="keep the data of an earlier run")
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--people", type=int, default=50_000)
    parser.add_argument("--entries", type=int, default=5_000_000)
    args = parser.parse_args()
    print("| database | people | point entries | rows in all | file MB | backup s | commits during it | "
          "slowest commit ms | restore s | tables checked |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    if args.sqlite:
        source = Path(args.sqlite).absolute()
        url = f"sqlite:///{source}"
        _ensure_data(url, args)
        target = source.with_name(source.stem + "-restored.db")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        print(run(url, f"sqlite:///{target}", source.parent), flush=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
    if args.pg:
        _ensure_data(args.pg, args)
        target = _pg_target(args.pg)
        try:
            print(run(args.pg, target, Path(os.environ.get("TMPDIR", "/tmp"))), flush=True)
        finally:
            _drop_pg(target)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
