"""Province-scale leaderboard benchmark: stored totals vs a plain GROUP BY over the ledger.

Generates (once per database) 1,000 units, 50,000 people and 5,000,000 point entries over
two years, with the stored totals the service keeps (computed with the same rules as
``scoring.service._apply_totals``; tests/integration/test_scoring_ledger.py proves the
service's totals equal a recomputation from the ledger). Then times, in one run, the real
leaderboard queries (top 50 units, top 50 units per member, top 50 individuals; month,
quarter, year; rank change included) against a plain GROUP BY over the ledger for the same
period, and prints a Markdown table.

    .venv/bin/python scripts/bench_leaderboards.py --db sqlite:////tmp/bench.db
    .venv/bin/python scripts/bench_leaderboards.py --db postgresql+psycopg://postgres@127.0.0.1:5432/test --schema bench
    (smaller: --people 5000 --units 200 --entries 200000)
"""

from __future__ import annotations

import argparse
import io
import random
import statistics
import sys
import time
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engagement.core.db import make_engine
from engagement.org.rules import sort_key
from engagement.schema import metadata
from engagement.scoring import leaderboard
from engagement.scoring.models import PointEntry
from engagement.scoring.rules import Source, parse_period, period_keys, previous_period

START = date(2025, 1, 1)
DAYS = 730
SOURCES = [Source.GREEN] * 5 + [Source.RECOGNITION] * 3 + [Source.CITIZEN] * 1 + [Source.COMMITMENT]


def _engine(url: str, schema: str | None, *, fresh: bool) -> sa.Engine:
    """The benchmark database; ``fresh`` starts from nothing (dropping tables of millions of
    rows one by one with SQLite's foreign keys on would take far longer)."""
    if url.startswith("postgresql"):
        admin = make_engine(url)
        with admin.begin() as conn:
            if fresh:
                conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
            conn.exec_driver_sql(f"CREATE SCHEMA IF NOT EXISTS {schema}")
        admin.dispose()
        return sa.create_engine(url, connect_args={"options": f"-csearch_path={schema}"})
    path = Path(url.removeprefix("sqlite:///"))
    if fresh:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    return make_engine(url)


def _has_data(engine: sa.Engine, entries: int) -> bool:
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text("SELECT COUNT(*) FROM point_entry")).scalar_one() >= entries
    except sa.exc.DBAPIError:
        return False


def _load(conn, table: str, columns: list[str], rows: list[tuple], postgres: bool) -> None:
    if postgres:
        raw = conn.connection.driver_connection
        with raw.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    placeholders = ", ".join("?" for _ in columns)
    conn.connection.driver_connection.executemany(
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})", rows)


def generate(engine: sa.Engine, *, units: int, people: int, entries: int, seed: int = 7) -> None:
    """Create the schema and fill it (the totals are accumulated while generating)."""
    postgres = engine.dialect.name == "postgresql"
    rng = random.Random(seed)
    metadata.create_all(engine)
    now = datetime(2026, 12, 31, tzinfo=UTC)
    ts = now.isoformat(sep=" ") if not postgres else now
    departments = max(1, units // 20)
    unit_rows, paths = [], {}
    unit_rows.append((1, "Tỉnh Benchmark", "ROOT", "province", None, "/1/", 0, True, ts, ts))
    paths[1] = "/1/"
    for i in range(2, units + 1):
        if i <= departments + 1:
            parent, depth = 1, 1
        else:
            parent, depth = rng.randint(2, departments + 1), 2
        paths[i] = f"{paths[parent]}{i}/"
        unit_rows.append((i, f"Đơn vị {i}", f"U{i:05d}", "office", parent, paths[i], depth, True, ts, ts))
    leaf_units = [u for u in paths if u > departments + 1] or [1]
    person_rows, person_unit = [], {}
    for pid in range(1, people + 1):
        uid = rng.choice(leaf_units)
        person_unit[pid] = uid
        person_rows.append((pid, f"NV{pid:06d}", f"Người {pid}", f"nguoi {pid}", sort_key(f"Người {pid}"),
                            "Chuyên viên", uid, rng.random() > 0.01, ts, ts))
    pp: dict[tuple[str, int], int] = defaultdict(int)
    ps: dict[tuple[str, int, str], int] = defaultdict(int)
    up: dict[tuple[str, int], list[int]] = defaultdict(lambda: [0, 0])
    us: dict[tuple[str, int, str], int] = defaultdict(int)
    ancestors = {u: [int(x) for x in p.strip("/").split("/")] for u, p in paths.items()}
    with engine.begin() as conn:
        _load(conn, "unit", ["id", "name", "code", "kind", "parent_id", "path", "depth", "is_active",
                             "created_at", "updated_at"], unit_rows, postgres)
        _load(conn, "person", ["id", "employee_code", "full_name", "name_key", "sort_key", "position", "unit_id",
                               "is_active", "created_at", "updated_at"], person_rows, postgres)
        if not postgres:
            for index in PointEntry.__table__.indexes:
                conn.exec_driver_sql(f"DROP INDEX IF EXISTS {index.name}")
        batch: list[tuple] = []
        cols = ["id", "entry_key", "person_id", "unit_id", "unit_path", "source", "source_ref", "points", "day",
                "occurred_at", "recorded_at", "reason"]
        for eid in range(1, entries + 1):
            pid = rng.randint(1, people)
            uid = person_unit[pid]
            source = rng.choice(SOURCES).value
            points = rng.randint(1, 10)
            day = START + timedelta(days=rng.randrange(DAYS))
            at = datetime(day.year, day.month, day.day, 2, tzinfo=UTC)
            at_v = at if postgres else at.isoformat(sep=" ")
            batch.append((eid, f"{source}|bench:{eid}|p:{pid}|credit", pid, uid, paths[uid], source, f"bench:{eid}",
                          points, day if postgres else day.isoformat(), at_v, at_v, ""))
            keys = period_keys(day)
            month = keys[0]
            for key in keys:
                pp[(key, pid)] += points
                for anc in ancestors[uid]:
                    cell = up[(key, anc)]
                    cell[1] += points
                    if anc == uid:
                        cell[0] += points
            ps[(month, pid, source)] += points
            us[(month, uid, source)] += points
            if len(batch) >= 100_000:
                _load(conn, "point_entry", cols, batch, postgres)
                batch = []
                print(f"  {eid:,} entries", file=sys.stderr)
        _load(conn, "point_entry", cols, batch, postgres)
        if not postgres:
            for index in PointEntry.__table__.indexes:
                index.create(conn)
        _load(conn, "person_points", ["period", "person_id", "points"],
              [(k[0], k[1], v) for k, v in pp.items()], postgres)
        _load(conn, "person_source_points", ["month", "person_id", "source", "points"],
              [(k[0], k[1], k[2], v) for k, v in ps.items()], postgres)
        _load(conn, "unit_points", ["period", "unit_id", "own_points", "total_points"],
              [(k[0], k[1], v[0], v[1]) for k, v in up.items()], postgres)
        _load(conn, "unit_source_points", ["month", "unit_id", "source", "points"],
              [(k[0], k[1], k[2], v) for k, v in us.items()], postgres)
    with engine.begin() as conn:
        if postgres:
            for table in ("unit", "person", "point_entry"):
                conn.exec_driver_sql(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                     f"(SELECT MAX(id) FROM {table}))")
        else:
            conn.exec_driver_sql("ANALYZE")
    if postgres:
        # The steady state autovacuum keeps: statistics and a visibility map (index-only scans).
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")


def _time(fn, repeat: int) -> list[float]:
    fn()  # warm caches once, as a running server would be
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _run_sql(session: Session, sql: sa.TextClause, params: dict) -> list:
    return session.execute(sql, params).all()


def bench(engine: sa.Engine, *, repeat: int, baseline_repeat: int) -> list[tuple]:
    """Time every board for a month, a quarter and a year; return table rows."""
    rows = []
    periods = [("month", "2026-06"), ("quarter", "2026-Q2"), ("year", "2026")]
    for kind, key in periods:
        _k, first, last = parse_period(key)
        prev = previous_period(key)
        with Session(engine) as session:
            common = {"keys": [key], "label": key, "prev_key": prev, "offset": 0, "limit": 50}
            boards = {
                "units, total": partial(leaderboard.unit_board, session, per_member=False, group_id=None, level=2,
                                        **common),
                "units, per member": partial(leaderboard.unit_board, session, per_member=True, group_id=None,
                                             level=2, **common),
                "individuals": partial(leaderboard.people_board, session, unit_id=None, **common),
            }
            baselines = {
                "units, total": sa.text(
                    "SELECT unit_id, SUM(points) AS pts FROM point_entry WHERE day BETWEEN :a AND :b "
                    "GROUP BY unit_id ORDER BY pts DESC LIMIT 50"),
                "units, per member": sa.text(
                    "SELECT e.unit_id, SUM(e.points) * 1.0 / MAX(h.n) AS pm FROM point_entry e "
                    "JOIN (SELECT unit_id, COUNT(*) AS n FROM person WHERE is_active GROUP BY unit_id) h "
                    "ON h.unit_id = e.unit_id WHERE e.day BETWEEN :a AND :b GROUP BY e.unit_id "
                    "ORDER BY pm DESC LIMIT 50"),
                "individuals": sa.text(
                    "SELECT e.person_id, SUM(e.points) AS pts FROM point_entry e JOIN person p ON p.id = e.person_id "
                    "WHERE p.is_active AND e.day BETWEEN :a AND :b GROUP BY e.person_id ORDER BY pts DESC LIMIT 50"),
            }
            for name, fn in boards.items():
                fast = _time(fn, repeat)
                sql = baselines[name]
                slow = _time(partial(_run_sql, session, sql, {"a": first, "b": last}), baseline_repeat)
                rows.append((name, kind, statistics.median(fast), _p95(fast), statistics.median(slow),
                             statistics.median(slow) / statistics.median(fast)))
                print(f"{name:18} {kind:8} stored p50 {rows[-1][2]:8.2f} ms p95 {rows[-1][3]:8.2f} ms | "
                      f"GROUP BY p50 {rows[-1][4]:9.1f} ms | x{rows[-1][5]:.0f}", file=sys.stderr)
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default="sqlite:////tmp/bench.db")
    parser.add_argument("--schema", default="bench", help="PostgreSQL schema to use")
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--people", type=int, default=50_000)
    parser.add_argument("--entries", type=int, default=5_000_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--baseline-repeat", type=int, default=3)
    parser.add_argument("--regenerate", action="store_true")
    args = parser.parse_args()
    engine = _engine(args.db, args.schema, fresh=False)
    if args.regenerate or not _has_data(engine, args.entries):
        engine.dispose()
        engine = _engine(args.db, args.schema, fresh=True)
        t0 = time.perf_counter()
        generate(engine, units=args.units, people=args.people, entries=args.entries)
        print(f"generated in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    rows = bench(engine, repeat=args.repeat, baseline_repeat=args.baseline_repeat)
    out = io.StringIO()
    out.write(f"{engine.dialect.name}: {args.units:,} units, {args.people:,} people, {args.entries:,} entries\n\n")
    out.write("| board | period | stored p50 ms | stored p95 ms | GROUP BY p50 ms | speed-up |\n")
    out.write("|---|---|---:|---:|---:|---:|\n")
    for name, kind, p50, p95, slow, ratio in rows:
        out.write(f"| {name} | {kind} | {p50:.2f} | {p95:.2f} | {slow:.0f} | {ratio:.0f}x |\n")
    sys.stdout.write(out.getvalue())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
