"""Province-scale eligibility benchmark (issue 14): every title for 50,000 people and 1,000 units.

Builds a database (or reuses one with ``--reuse``) with a province -> ~40 departments and
communes -> offices tree of 1,000 units and 50,000 people (1 % inactive); three past years of
ratings (people and units), registrations and titles in the register (LĐTT for every HTTNV or
better, CSTĐCS for part of HTXSNV, a steady 4 % who hold CSTĐCS every year, TTLĐTT and
TTLĐXS for units); initiatives for about 5 % of the people (some already used); a few hundred
discipline records and holds; and this year's ratings (90 %), registrations and unit ratings.
Everything is bulk inserted (executemany through SQLAlchemy core), the catalogue through
``service.ensure_catalogue``.

Then times ``queries.compute`` for ALL titles over the whole tree, cold (a fresh engine: new
connections, an empty SQLite page cache and no prepared statements) and warm (the same engine
again), several runs each; then the subtree of one office (~50 people, a unit head's view) and
``queries.rating_sheet`` of a department of about 1,000 people. Prints a Markdown table.

    .venv/bin/python scripts/bench_eligibility.py                        # SQLite, /tmp/bench_elig.db
    .venv/bin/python scripts/bench_eligibility.py --reuse                # same data again
    .venv/bin/python scripts/bench_eligibility.py --pg postgresql+psycopg://postgres@127.0.0.1:5432/test
    (smaller: --people 5000 --units 200; --profile prints the top of a cProfile of one warm compute)

On PostgreSQL the script creates its own database (``bench_elig``, via psycopg in autocommit)
next to the one named in the URL, and drops it at the end unless ``--reuse`` is given.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engagement.commendations import models, queries, rules, service
from engagement.core.access import Actor, Grant, Role
from engagement.core.db import make_engine
from engagement.org.models import Person, Unit
from engagement.org.rules import sort_key
from engagement.schema import metadata

YEAR = 2026
AS_OF = date(2026, 12, 15)
NOW = datetime(2026, 12, 15, 2, 0, tzinfo=UTC)
PG_DATABASE = "bench_elig"
BATCH = 20_000


# --- the database ----------------------------------------------------------------------------------


def _pg_database(url: str, *, fresh: bool) -> str:
    """Create (or keep) the benchmark's own database next to the one in ``url``; its URL."""
    import psycopg

    base = sa.engine.make_url(url)
    dsn = base.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (PG_DATABASE,)).fetchone()
        if exists and fresh:
            conn.execute(f'DROP DATABASE "{PG_DATABASE}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{PG_DATABASE}"')
    return base.set(database=PG_DATABASE).render_as_string(hide_password=False)


def _drop_pg_database(url: str) -> None:
    import psycopg

    dsn = sa.engine.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)')


def _has_data(engine: sa.Engine, people: int) -> bool:
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text("SELECT COUNT(*) FROM person")).scalar_one() >= people
    except sa.exc.DBAPIError:
        return False


def _insert(conn: sa.Connection, model: type, rows: list[dict]) -> None:
    table = model.__table__
    for start in range(0, len(rows), BATCH):
        conn.execute(table.insert(), rows[start:start + BATCH])


def _levels(rng: random.Random, strong: bool) -> str:
    if strong:
        return rules.EXCELLENT if rng.random() < 0.95 else rules.GOOD
    x = rng.random()
    if x < 0.11:
        return rules.EXCELLENT
    if x < 0.78:
        return rules.GOOD
    if x < 0.94:
        return rules.DONE
    if x < 0.98:
        return rules.FAILED
    return rules.NONE


def generate(engine: sa.Engine, *, units: int, people: int, seed: int = 14) -> dict[str, int]:
    """Create the schema and fill it; returns the row counts."""
    rng = random.Random(seed)
    metadata.create_all(engine)
    with Session(engine) as session:
        service.ensure_catalogue(session, now=NOW)
        session.commit()
        titles = dict(session.exec(select(models.Title.code, models.Title.id)).all())
    now = NOW
    tops = min(40, max(1, units // 25))
    unit_rows = [{"id": 1, "name": "Tỉnh Benchmark", "code": "ROOT", "kind": "province", "parent_id": None,
                  "path": "/1/", "depth": 0, "is_active": True, "created_at": now, "updated_at": now}]
    paths = {1: "/1/"}
    parent_of: dict[int, int] = {}
    for uid in range(2, units + 1):
        parent, depth = (1, 1) if uid <= tops + 1 else (2 + (uid - tops - 2) % tops, 2)
        paths[uid] = f"{paths[parent]}{uid}/"
        parent_of[uid] = parent
        kind = ("department" if uid % 3 else "commune") if depth == 1 else "office"
        unit_rows.append({"id": uid, "name": f"Đơn vị {uid}", "code": f"U{uid:05d}", "kind": kind, "parent_id": parent,
                          "path": paths[uid], "depth": depth, "is_active": True, "created_at": now,
                          "updated_at": now})
    offices = [u for u in paths if u > tops + 1] or [1]
    person_rows, person_unit, active = [], {}, []
    for pid in range(1, people + 1):
        uid = rng.choice(offices)
        person_unit[pid] = uid
        is_active = rng.random() > 0.01
        if is_active:
            active.append(pid)
        person_rows.append({"id": pid, "employee_code": f"NV{pid:06d}", "full_name": f"Người {pid}",
                            "name_key": f"nguoi {pid}", "sort_key": sort_key(f"Người {pid}"),
                            "position": "Chuyên viên", "unit_id": uid,
                            "is_active": is_active, "created_at": now, "updated_at": now})
    strong = set(rng.sample(active, len(active) // 25))
    years = [YEAR - 3, YEAR - 2, YEAR - 1]
    ratings, unit_ratings, registrations, awards = [], [], [], []
    level_of: dict[tuple[int, int], str] = {}

    def register(year: int, code: str, pid: int | None = None, uid: int | None = None) -> None:
        at = datetime(year, 1, 20, 2, tzinfo=UTC)
        registrations.append({"year": year, "title_id": titles[code], "person_id": pid, "unit_id": uid,
                              "subject_key": rules.person_key(pid) if pid else rules.unit_key(uid),
                              "status": rules.CONFIRMED, "registered_at": at, "confirmed_at": at})

    def award(year: int, code: str, pid: int | None = None, uid: int | None = None) -> None:
        awards.append({"year": year, "title_id": titles[code], "person_id": pid, "unit_id": uid,
                       "subject_key": rules.person_key(pid) if pid else rules.unit_key(uid),
                       "decision_ref": f"QĐ {len(awards) % 900 + 10}/QĐ-SNV", "decided_on": date(year + 1, 2, 10),
                       "decided_by": "Giám đốc Sở", "bonus_amount": 710_000, "source": "imported",
                       "created_at": now})

    for year in [*years, YEAR]:
        this_year = year == YEAR
        for pid in active:
            if this_year and rng.random() > 0.9:
                continue
            level = _levels(rng, pid in strong)
            level_of[(pid, year)] = level
            ratings.append({"person_id": pid, "year": year, "level": level,
                            "reason": "Công tác dưới 6 tháng" if level == rules.NONE else "",
                            "months_worked": None if level == rules.NONE else 12,
                            "absent_days": None if level == rules.NONE else rng.randint(0, 12),
                            "unit_id": person_unit[pid], "rated_at": datetime(year, 12, 10, 2, tzinfo=UTC)})
            if level != rules.NONE and rng.random() < 0.95:
                register(year, "LDTT", pid)
                if level == rules.EXCELLENT:
                    register(year, "CSTDCS", pid)
                    if pid in strong:
                        register(year, "CSTD_TINH", pid)
                if not this_year and rules.at_least(level, rules.GOOD):
                    award(year, "LDTT", pid)
                    if level == rules.EXCELLENT and (pid in strong or rng.random() < 0.5):
                        award(year, "CSTDCS", pid)
        for uid in paths:
            if this_year and rng.random() > 0.6:
                continue
            level = rng.choices((rules.EXCELLENT, rules.GOOD, rules.DONE), weights=(2, 7, 1))[0]
            unit_ratings.append({"unit_id": uid, "year": year, "level": level, "reason": "",
                                 "rated_at": datetime(year, 12, 12, 2, tzinfo=UTC)})
            if uid != 1 and rules.at_least(level, rules.GOOD) and rng.random() < 0.7:
                register(year, "TTLDTT", uid=uid)
                if not this_year:
                    award(year, "TTLDTT", uid=uid)
                    if level == rules.EXCELLENT and rng.random() < 0.2:
                        award(year, "TTLDXS", uid=uid)
    initiatives, authors = [], []
    writers = rng.sample(active, len(active) // 20)
    for n, pid in enumerate(writers, start=1):
        year = rng.choice([*years, YEAR])
        scope = rng.choices(rules.SCOPES, weights=(80, 12, 7, 1))[0]
        initiatives.append({"id": n, "title": f"Sáng kiến {n}", "title_key": f"sang kien {n}", "year": year,
                            "scope": scope, "decision_ref": f"QĐ {n}/QĐ-HĐSK",
                            "decided_on": min(date(year, 11, 1) + timedelta(days=n % 40), AS_OF),
                            "unit_id": parent_of.get(person_unit[pid], 1), "created_at": now})
        authors.append({"initiative_id": n, "person_id": pid})
        if rng.random() < 0.2:  # a co-author from the same office
            mates = [p for p in rng.sample(active, 50) if person_unit[p] == person_unit[pid] and p != pid]
            if mates:
                authors.append({"initiative_id": n, "person_id": mates[0]})
    disciplines = []
    for pid in rng.sample(active, 300):
        year = rng.choice([*years, YEAR])
        start = date(year, rng.randint(1, 10), 1)
        form = rng.choices(rules.DISCIPLINE_FORMS, weights=(60, 30, 6, 3, 1))[0]
        disciplines.append({"person_id": pid, "form": form, "starts_on": start,
                            "ends_on": start + timedelta(days=180 if form == "reprimand" else 365),
                            "decision_ref": f"QĐ {pid % 500}/QĐ-KL", "created_at": now})
    holds = []
    for n, pid in enumerate(rng.sample(active, 250)):
        holds.append({"person_id": pid, "reason": rules.HOLD_REASONS[n % 4], "starts_on": date(YEAR, 1 + n % 11, 1),
                      "ends_on": None if n % 3 else date(YEAR + 1, 6, 30), "created_at": now,
                      "lifted_at": now if n % 5 == 0 else None})
    t0 = time.perf_counter()
    with engine.begin() as conn:
        _insert(conn, Unit, unit_rows)
        _insert(conn, Person, person_rows)
        _insert(conn, models.Rating, ratings)
        _insert(conn, models.UnitRating, unit_ratings)
        _insert(conn, models.Registration, registrations)
        _insert(conn, models.Award, awards)
        # An initiative already used points at an award of its author (ids are known after insert).
        _insert(conn, models.Initiative, initiatives)
        _insert(conn, models.InitiativeAuthor, authors)
        _insert(conn, models.Discipline, disciplines)
        _insert(conn, models.Hold, holds)
        _insert(conn, models.Year, [{"year": YEAR, "registration_opens_on": date(YEAR, 1, 1),
                                      "registration_closes_on": date(YEAR, 12, 31), "excellent_cap_pct": 20,
                                      "updated_at": now}])
        conn.execute(sa.text(
            "UPDATE commend_initiative SET used_for_award_id = (SELECT MIN(a.id) FROM commend_award a "
            "JOIN commend_initiative_author ia ON ia.person_id = a.person_id "
            "WHERE ia.initiative_id = commend_initiative.id AND a.year = commend_initiative.year) "
            "WHERE id % 4 = 0 AND year < :y"), {"y": YEAR})
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            for table in ("unit", "person", "commend_initiative"):
                conn.exec_driver_sql(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                     f"(SELECT MAX(id) FROM {table}))")
        else:
            conn.exec_driver_sql("ANALYZE")
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    print(f"  inserted in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return {"units": len(unit_rows), "people": len(person_rows), "ratings": len(ratings),
            "unit_ratings": len(unit_ratings), "registrations": len(registrations), "awards": len(awards),
            "initiatives": len(initiatives), "disciplines": len(disciplines), "holds": len(holds)}


# --- timing ---------------------------------------------------------------------------------------


def _engine(url: str) -> sa.Engine:
    return make_engine(url) if url.startswith("sqlite") else sa.create_engine(url)


def _runs(fn: Callable[[], object], n: int) -> list[float]:
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def _cold(url: str, fn: Callable[[Session], object], n: int) -> list[float]:
    """``fn`` on a fresh engine each time (new connections, nothing cached in the process)."""
    out = []
    for _ in range(n):
        engine = _engine(url)
        with Session(engine) as session:
            t0 = time.perf_counter()
            fn(session)
            out.append(time.perf_counter() - t0)
        engine.dispose()
    return out


def _officer() -> Actor:
    return Actor(account_id=0, person_id=1, username="bench", full_name="Benchmark", unit_id=1, unit_path="/1/",
                 grants=(Grant(Role.EMULATION_OFFICER),))


def bench(url: str, *, cold_runs: int, warm_runs: int, profile: bool) -> list[tuple[str, str, list[float]]]:
    """Time the whole tree cold and warm, an office's subtree and a department's rating sheet."""
    engine = _engine(url)
    with Session(engine) as session:
        counts = dict(session.exec(select(Unit.depth, sa.func.count()).group_by(Unit.depth)).all())
        per_unit = dict(session.exec(select(Person.unit_id, sa.func.count()).where(Person.is_active.is_(True))
                                     .group_by(Person.unit_id)).all())
        tree = session.exec(select(Unit.id, Unit.path, Unit.depth)).all()
    size: dict[int, int] = {}
    for uid, path, _depth in tree:
        for anc in (int(x) for x in path.strip("/").split("/")):
            size[anc] = size.get(anc, 0) + per_unit.get(uid, 0)
    office = min((u for u, _p, d in tree if d == 2), key=lambda u: abs(size.get(u, 0) - 50))
    department = min((u for u, _p, d in tree if d == 1), key=lambda u: abs(size.get(u, 0) - 1000))
    path_of = {u: p for u, p, _d in tree}
    print(f"  tree: {counts}; office {office}: {size[office]} people; department {department}: "
          f"{size[department]} people", file=sys.stderr)

    def whole(session: Session) -> queries.Computation:
        return queries.compute(session, year=YEAR, root_path="/1/", as_of=AS_OF)

    results: list[tuple[str, str, list[float]]] = []
    label = f"compute, all titles, whole tree ({sum(per_unit.values())} people)"
    results.append((label, "cold", _cold(url, whole, cold_runs)))
    with Session(engine) as session:
        comp = whole(session)
        results.append((label, "warm", _runs(lambda: whole(session), warm_runs)))
        results.append((f"compute, all titles, one office ({size[office]} people)", "warm", _runs(
            lambda: queries.compute(session, year=YEAR, root_path=path_of[office], as_of=AS_OF), warm_runs)))
        actor = _officer()
        results.append((f"rating_sheet, page 1, one department ({size[department]} people)", "warm", _runs(
            lambda: queries.rating_sheet(session, actor=actor, unit_id=department, year=YEAR), warm_runs)))
        if profile:
            prof = cProfile.Profile()
            prof.enable()
            whole(session)
            prof.disable()
            out = io.StringIO()
            pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(30)
            print(out.getvalue(), file=sys.stderr)
    engine.dispose()
    statuses = {code: {s: o.count(s) for s in (rules.ELIGIBLE, rules.MISSING, rules.EXCLUDED, rules.HELD)}
                for code, o in comp.outcomes.items()}
    for code, c in statuses.items():
        print(f"  {code:12} {c}", file=sys.stderr)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sqlite", default="/tmp/bench_elig.db", help="SQLite file (used unless --pg)")
    parser.add_argument("--pg", default="", help="a PostgreSQL URL; the benchmark creates its own database beside it")
    parser.add_argument("--reuse", action="store_true", help="reuse the data of an earlier run (and keep it)")
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--people", type=int, default=50_000)
    parser.add_argument("--cold", type=int, default=3, help="cold runs")
    parser.add_argument("--warm", type=int, default=5, help="warm runs")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    if args.pg:
        url = _pg_database(args.pg, fresh=not args.reuse)
    else:
        url = f"sqlite:///{args.sqlite}"
        if not args.reuse:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{args.sqlite}{suffix}").unlink(missing_ok=True)
    engine = _engine(url)
    built = None
    if not (args.reuse and _has_data(engine, args.people)):
        t0 = time.perf_counter()
        built = generate(engine, units=args.units, people=args.people)
        print(f"generated in {time.perf_counter() - t0:.0f} s: {built}", file=sys.stderr)
    engine.dispose()
    try:
        results = bench(url, cold_runs=args.cold, warm_runs=args.warm, profile=args.profile)
    finally:
        if args.pg and not args.reuse:
            _drop_pg_database(args.pg)
    out = io.StringIO()
    out.write(f"{sa.engine.make_url(url).get_backend_name()}: {args.units:,} units, {args.people:,} people"
              f"{f'; {built}' if built else ''}\n\n")
    out.write("| query | cache | runs | min s | median s |\n|---|---|---:|---:|---:|\n")
    for name, kind, times in results:
        out.write(f"| {name} | {kind} | {len(times)} | {min(times):.3f} | {statistics.median(times):.3f} |\n")
    sys.stdout.write(out.getvalue())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
