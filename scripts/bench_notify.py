"""Notification jobs at province scale: commitment reminders and the mail job.

Generates (once per database) 1,000 units, 50,000 people with e-mail addresses and
accounts, a unit head per office, message preferences (20 % e-mail, 5 % off) and one open
commitment campaign for everyone that 30 % have signed; then runs named scenarios, each
on an empty outbox, and prints a Markdown table.

    .venv/bin/python scripts/bench_notify.py --url sqlite:////tmp/bench_notify.db
    .venv/bin/python scripts/bench_notify.py --url postgresql+psycopg://postgres@127.0.0.1:5432/test \
        --schema bench_notify
    (smaller: --people 5000 --units 100; one scenario: --only reminders-bulk)

Other jobs (weekly digests, nudges...) add a scenario: a function taking a ``Bench`` and
returning ``Step`` timings, registered with ``@scenario("name", "what it measures")``. It
may add its own data in ``Bench.engine`` (the base data stays; notify tables are emptied
before each scenario) and reuse ``timed``. ``import scripts.bench_notify`` works too.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engagement.commitments.models import Campaign, CampaignUnit, CommitmentTemplate, Signature
from engagement.core.db import make_engine
from engagement.jobs import reminders
from engagement.jobs import rules as job_rules
from engagement.jobs.models import JobRun, ReminderMark
from engagement.notify import rules, service
from engagement.notify.models import Notification, NotifyPreference, OutboxMessage
from engagement.org.models import Account, Person, RoleGrant, Unit
from engagement.org.rules import sort_key
from engagement.schema import metadata

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
#: A Monday, 09:00 in the organisation's zone: the campaign opened at midnight.
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=TZ).astimezone(UTC)
OPENS = datetime(2026, 3, 2, 0, 0, tzinfo=TZ).astimezone(UTC)
DUE = datetime(2026, 3, 21, 0, 0, tzinfo=TZ).astimezone(UTC)
POLICY = job_rules.ReminderPolicy()
WINDOW = job_rules.SendingWindow()
NOTIFY_TABLES = (Notification, OutboxMessage, ReminderMark, JobRun)


@dataclass
class Bench:
    """What a scenario gets: the database and the facts of the generated organisation."""

    engine: sa.Engine
    people: int
    units: int
    now: datetime = NOW


@dataclass(frozen=True)
class Step:
    """One timed step of a scenario."""

    step: str
    seconds: float
    messages: int
    note: str = ""


@dataclass(frozen=True)
class Scenario:
    """A named, repeatable measurement."""

    name: str
    description: str
    run: Callable[[Bench], list[Step]]


#: Every scenario, in the order they run.
SCENARIOS: dict[str, Scenario] = {}


def scenario(name: str, description: str) -> Callable[[Callable[[Bench], list[Step]]], Callable]:
    """Register a scenario under ``name``."""
    def register(fn: Callable[[Bench], list[Step]]) -> Callable[[Bench], list[Step]]:
        SCENARIOS[name] = Scenario(name=name, description=description, run=fn)
        return fn
    return register


def timed(step: str, fn: Callable[[], int], note: str = "") -> Step:
    """Run ``fn`` once and time it; ``fn`` returns how many messages it wrote or sent."""
    t0 = time.perf_counter()
    messages = fn()
    seconds = time.perf_counter() - t0
    print(f"  {step:40} {seconds:8.2f} s  {messages:7,} messages {note}", file=sys.stderr)
    return Step(step=step, seconds=seconds, messages=messages, note=note)


def count(engine: sa.Engine, table: type, *where: sa.ColumnElement[bool]) -> int:
    """Rows of a model's table (matching ``where``)."""
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table.__table__).where(*where)).scalar_one()


# --- data -------------------------------------------------------------------------------------


def _engine(url: str, schema: str, *, fresh: bool) -> sa.Engine:
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


def _has_data(engine: sa.Engine, people: int) -> bool:
    try:
        return count(engine, Person) == people and count(engine, Campaign) == 1
    except sa.exc.DBAPIError:
        return False


def generate(engine: sa.Engine, *, units: int, people: int, seed: int = 7) -> None:
    """The organisation, accounts, heads, preferences, one open campaign, 30 % signed."""
    rng = random.Random(seed)
    metadata.create_all(engine)
    ts = NOW - timedelta(days=60)
    departments = max(1, units // 20)
    paths = {1: "/1/"}
    unit_rows = [{"id": 1, "name": "Tỉnh Benchmark", "code": "ROOT", "kind": "province", "parent_id": None,
                  "path": "/1/", "depth": 0, "is_active": True, "created_at": ts, "updated_at": ts}]
    for i in range(2, units + 1):
        parent, depth = (1, 1) if i <= departments + 1 else (rng.randint(2, departments + 1), 2)
        paths[i] = f"{paths[parent]}{i}/"
        unit_rows.append({"id": i, "name": f"Đơn vị {i}", "code": f"U{i:05d}", "kind": "office",
                          "parent_id": parent, "path": paths[i], "depth": depth, "is_active": True,
                          "created_at": ts, "updated_at": ts})
    offices = [u for u in paths if u > departments + 1] or [1]
    person_rows, account_rows, head_rows, pref_rows, sig_rows = [], [], [], [], []
    headed: set[int] = set()
    for pid in range(1, people + 1):
        uid = rng.choice(offices)
        person_rows.append({"id": pid, "employee_code": f"NV{pid:06d}", "full_name": f"Người {pid}",
                            "name_key": f"nguoi {pid}", "sort_key": sort_key(f"Người {pid}"),
                            "email": f"nv{pid}@benchmark.gov.vn", "phone": None,
                            "position": "Chuyên viên", "unit_id": uid, "union_branch_id": None,
                            "youth_branch_id": None, "is_active": True, "created_at": ts, "updated_at": ts})
        account_rows.append({"id": pid, "person_id": pid, "username": f"nv{pid}", "password_hash": "-",
                             "must_change_password": False, "is_active": True, "created_at": ts,
                             "password_changed_at": ts, "last_login_at": None})
        if uid not in headed:
            headed.add(uid)
            head_rows.append({"account_id": pid, "role": "unit_head", "unit_id": uid, "branch_id": None,
                              "granted_at": ts, "granted_by": None, "revoked_at": None})
        draw = rng.random()
        if draw < 0.25:
            pref_rows.append({"person_id": pid, "category": "commitments",
                              "mode": "email" if draw < 0.20 else "off", "updated_at": ts})
        if rng.random() < 0.30:
            n = len(sig_rows) + 1
            digest = hashlib.sha256(f"bench:{pid}".encode()).hexdigest()
            sig_rows.append({"id": n, "seq": n, "code": f"B{n:08d}", "campaign_id": 1, "template_id": 1,
                             "kind": "personal", "slot": f"p:{pid}", "person_id": pid, "unit_id": uid,
                             "parent_id": None, "signed_at": OPENS + timedelta(hours=8), "method": "online",
                             "typed_name": f"Người {pid}", "content": "", "pledges_json": "[]",
                             "client_ip": "", "user_agent": "", "recorded_by": None, "paper_reason": "",
                             "scan_file_id": None, "on_time": True, "prev_hash": "0" * 64,
                             "content_hash": digest})
    with engine.begin() as conn:
        conn.execute(Unit.__table__.insert(), unit_rows)
        conn.execute(Person.__table__.insert(), person_rows)
        conn.execute(Account.__table__.insert(), account_rows)
        conn.execute(RoleGrant.__table__.insert(), head_rows)
        conn.execute(NotifyPreference.__table__.insert(), pref_rows)
        conn.execute(CommitmentTemplate.__table__.insert(), [{
            "id": 1, "family": "bench", "version": 1, "kind": "personal", "title": "Cam kết",
            "preamble": "", "clauses_json": "[]", "published_at": ts, "published_by": None}])
        conn.execute(Campaign.__table__.insert(), [{
            "id": 1, "year": 2026, "name": "Cam kết năm 2026", "template_id": 1,
            "collective_template_id": None, "positions": "", "opens_at": OPENS, "due_at": DUE,
            "allow_late": False, "late_until": None, "closed_at": None, "created_at": ts, "created_by": None}])
        conn.execute(CampaignUnit.__table__.insert(), [{"campaign_id": 1, "unit_id": 1}])
        conn.execute(Signature.__table__.insert(), sig_rows)
        if engine.dialect.name == "postgresql":
            for table in ("unit", "person", "account", "commitment_template", "commitment_campaign",
                          "commitment_signature"):
                conn.exec_driver_sql(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                     f"(SELECT MAX(id) FROM {table}))")
    _analyse(engine)


def _analyse(engine: sa.Engine) -> None:
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    else:
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")


def reset_notify(engine: sa.Engine) -> None:
    """Empty the outbox, notices, reminder marks and job runs (the base data stays)."""
    with engine.begin() as conn:
        for model in NOTIFY_TABLES:
            conn.execute(model.__table__.delete())
    _analyse(engine)


# --- scenarios --------------------------------------------------------------------------------


def _remind(bench: Bench, *, bulk: bool, at: datetime) -> int:
    return reminders.remind_commitments(bench.engine, now=at, tz=TZ, policy=POLICY, window=WINDOW,
                                        bulk=bulk)


def _reminder_steps(bench: Bench, *, bulk: bool) -> list[Step]:
    first = timed("first run (everyone owed a reminder)", lambda: _remind(bench, bulk=bulk, at=bench.now))
    rerun = timed("rerun an hour later (nothing new)",
                  lambda: _remind(bench, bulk=bulk, at=bench.now + timedelta(hours=1)))
    emails = count(bench.engine, OutboxMessage, OutboxMessage.channel == rules.EMAIL)
    return [Step(first.step, first.seconds, first.messages, f"{emails:,} e-mails queued"), rerun]


@scenario("reminders-one-by-one", "commitment reminders, one recipient at a time (service.notify)")
def reminders_one_by_one(bench: Bench) -> list[Step]:
    return _reminder_steps(bench, bulk=False)


@scenario("reminders-bulk", "commitment reminders, the default bulk path (service.notify_many)")
def reminders_bulk(bench: Bench) -> list[Step]:
    return _reminder_steps(bench, bulk=True)


class _Accepting:
    """An SMTP server that accepts everything at once: what is left is the outbox's own cost."""

    def send(self, *, to: str, subject: str, body: str, message_id: str = "") -> None:
        return None

    def close(self) -> None:
        return None


@scenario("deliver-email", "the mail job over the reminders' e-mails: no SMTP host, then an instant one")
def deliver(bench: Bench) -> list[Step]:
    _remind(bench, bulk=True, at=bench.now)
    def run(sender):
        return service.deliver_email(bench.engine, sender=sender, now=bench.now, worker="bench").sent
    steps = [timed("no SMTP host (mail stays queued)", lambda: run(None))]
    steps.append(timed("instant SMTP, one run (at most 1,000)", lambda: run(_Accepting())))
    return steps


# --- main -------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="sqlite:////tmp/bench_notify.db")
    parser.add_argument("--schema", default="bench_notify", help="PostgreSQL schema to use")
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--people", type=int, default=50_000)
    parser.add_argument("--only", default="", help="comma-separated scenario names (default: all)")
    parser.add_argument("--regenerate", action="store_true")
    args = parser.parse_args()
    chosen = [n.strip() for n in args.only.split(",") if n.strip()] or list(SCENARIOS)
    unknown = [n for n in chosen if n not in SCENARIOS]
    if unknown:
        parser.error(f"unknown scenario(s) {', '.join(unknown)}; known: {', '.join(SCENARIOS)}")
    engine = _engine(args.url, args.schema, fresh=False)
    if args.regenerate or not _has_data(engine, args.people):
        engine.dispose()
        engine = _engine(args.url, args.schema, fresh=True)
        t0 = time.perf_counter()
        generate(engine, units=args.units, people=args.people)
        print(f"generated in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    bench = Bench(engine=engine, people=args.people, units=args.units)
    results: dict[str, list[Step]] = {}
    for name in chosen:
        print(f"{name}: {SCENARIOS[name].description}", file=sys.stderr)
        reset_notify(engine)
        results[name] = SCENARIOS[name].run(bench)
    unsigned = args.people - count(engine, Signature)
    lines = [f"{engine.dialect.name}: {args.units:,} units, {args.people:,} people, {unsigned:,} not signed",
             "", "| scenario | step | seconds | messages | note |", "|---|---|---:|---:|---|"]
    for name, steps in results.items():
        lines += [f"| {name} | {s.step} | {s.seconds:.2f} | {s.messages:,} | {s.note} |" for s in steps]
    if {"reminders-one-by-one", "reminders-bulk"} <= results.keys():
        before, after = results["reminders-one-by-one"], results["reminders-bulk"]
        lines += ["", "bulk path vs one by one: " + ", ".join(
            f"{b.step.split(' (')[0]} {b.seconds / a.seconds:.1f}x faster" for b, a in zip(before, after, strict=True))]
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
