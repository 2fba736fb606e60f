"""Issue 17 §4: what the database asks to retry is retried; crediting several people in one
transaction takes its locks in one global order, so it never deadlocks against single credits."""

from __future__ import annotations

import random
import sqlite3
import threading
from datetime import datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from engagement.core import db
from engagement.core.clock import local_day
from engagement.core.errors import Busy, DomainError
from engagement.org.models import Unit
from engagement.recognition import service as recognition_service
from engagement.scoring import models as scoring_models
from engagement.scoring import service as scoring
from engagement.scoring.rules import Source, month_key
from engagement.settings import get_settings
from tests import factories


def _locked(text: str = "database is locked") -> sa.exc.OperationalError:
    return sa.exc.OperationalError("BEGIN IMMEDIATE", {}, sqlite3.OperationalError(text))


def test_a_busy_transaction_is_run_again_and_its_result_returned(engine: Engine):
    tries = []

    def work(session: Session) -> int:
        tries.append(1)
        session.execute(sa.text("SELECT 1"))
        if len(tries) < 3:
            raise _locked()
        return 42

    assert db.run_in_transaction(work, engine, base_delay=0.001) == 42
    assert len(tries) == 3


def test_still_busy_after_every_try_reaches_the_user_as_one_clear_message(engine: Engine):
    tries = []

    def work(session: Session) -> None:
        tries.append(1)
        raise _locked()

    with pytest.raises(Busy) as refused:
        db.run_in_transaction(work, engine, attempts=3, base_delay=0.001)
    assert len(tries) == 3
    assert isinstance(refused.value, DomainError)
    assert refused.value.render("en") == "The system is busy; your change was not saved, try again."


def test_other_errors_are_not_retried(engine: Engine):
    tries = []

    def work(session: Session) -> None:
        tries.append(1)
        raise ValueError("a bug")

    with pytest.raises(ValueError):
        db.run_in_transaction(work, engine, base_delay=0.001)
    assert len(tries) == 1


def test_unit_of_work_turns_a_deadlock_into_the_busy_message(engine: Engine):
    class Deadlock(Exception):
        sqlstate = "40P01"

    with pytest.raises(Busy), db.unit_of_work(engine):
        raise sa.exc.OperationalError("UPDATE", {}, Deadlock("deadlock detected"))


def test_the_one_call_path_of_the_pages_retries_a_busy_database(app_db, monkeypatch):
    """A handler's ``_call`` runs its service through ``run_in_transaction``."""
    from engagement.org import sessions as org_sessions
    from engagement.ui.auth import AuthState

    calls = []
    real = org_sessions.set_language

    def flaky(session, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise _locked()
        return real(session, **kwargs)

    monkeypatch.setattr(org_sessions, "set_language", flaky)
    monkeypatch.setattr(db, "RETRY_ATTEMPTS", 3)
    state = factories.app_state(app_db, AuthState, "admin")
    import asyncio

    asyncio.run(state._call(flaky, language="en"))
    assert len(calls) == 2


def _org(engine: Engine, now: datetime, people: int = 8) -> list[int]:
    """People spread over units that share ancestors (two levels under the root)."""
    with Session(engine) as session:
        org = factories.small_org(session, now)
        units = [org.a, org.a1, org.b]
        ids = [factories.person(session, org.admin, now, unit_id=units[i % 3]) for i in range(people)]
        session.commit()
    return ids


def test_a_forced_deadlock_is_retried_and_both_transactions_succeed(shared_engine: Engine, now: datetime):
    if shared_engine.dialect.name != "postgresql":
        pytest.skip("row-lock deadlocks are a PostgreSQL matter (SQLite has one writer at a time)")
    with Session(shared_engine) as session:
        org = factories.small_org(session, now)
        session.commit()
    first, second = org.a, org.b
    barrier = threading.Barrier(2, timeout=10)
    tries: list[str] = []
    errors: list[BaseException] = []

    def crosswise(mine: int, theirs: int, name: str) -> None:
        def work(session: Session) -> None:
            tries.append(name)
            session.execute(sa.select(Unit).where(Unit.id == mine).with_for_update())
            if tries.count(name) == 1:
                barrier.wait()
            session.execute(sa.select(Unit).where(Unit.id == theirs).with_for_update())
            session.execute(sa.update(Unit).where(Unit.id == theirs).values(name=Unit.name + "."))

        try:
            db.run_in_transaction(work, shared_engine, base_delay=0.01)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=crosswise, args=(first, second, "x")),
               threading.Thread(target=crosswise, args=(second, first, "y"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    assert len(tries) == 3  # one of the two was chosen as the deadlock victim and ran again
    with Session(shared_engine) as session:
        names = [session.get(Unit, first).name, session.get(Unit, second).name]
    assert all(name.endswith(".") for name in names)


def test_eight_writers_crediting_overlapping_people_never_fail(shared_engine: Engine, now: datetime):
    """Recognitions with several receivers against single credits, at once: no operation fails,
    even without any retry (plain unit_of_work), and the stored totals equal the ledger."""
    people = _org(shared_engine, now)
    failures: list[str] = []
    done = [0]
    lock = threading.Lock()
    seq = iter(range(1, 10**6))

    def writer(n: int) -> None:
        rnd = random.Random(n)
        for _ in range(25):
            with lock:
                ref = next(seq)
            try:
                with db.unit_of_work(shared_engine) as session:
                    if n % 2:
                        receivers = rnd.sample(people, 3)
                        recognition_service._record_points(
                            session, recognition_id=ref, person_ids=receivers, unit_id=None, quantity=1,
                            occurred_at=now, now=now)
                    else:
                        scoring.record_points(session, person_id=rnd.choice(people), source=Source.GREEN,
                                              source_ref=f"single:{ref}", occurred_at=now, now=now)
                with lock:
                    done[0] += 1
            except Exception as exc:
                failures.append(f"{type(exc).__name__}: {exc.__cause__ or exc}")

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert failures == []
    assert done[0] == 8 * 25
    with Session(shared_engine) as session:
        ledger = session.exec(select(sa.func.sum(scoring_models.PointEntry.points))
                              .where(scoring_models.PointEntry.person_id.is_not(None))).one()
        month = month_key(local_day(now, get_settings().tz))
        stored = session.exec(select(sa.func.sum(scoring_models.PersonPoints.points))
                              .where(scoring_models.PersonPoints.period == month)).one()
    assert ledger and stored == ledger


def test_a_sqlite_write_lock_held_longer_than_the_busy_timeout_is_waited_out(tmp_path, now):
    """Another process holds the write lock for 6.5 s (the busy timeout is 5 s): BEGIN IMMEDIATE is
    tried again instead of failing the action with "database is locked"."""
    import time

    from engagement.core.db import make_engine
    from engagement.schema import metadata

    engine = make_engine(f"sqlite:///{tmp_path / 'busy.db'}")
    metadata.create_all(engine)
    with Session(engine) as session:
        org = factories.small_org(session, now)
        session.commit()
    holder = make_engine(f"sqlite:///{tmp_path / 'busy.db'}")
    locked = threading.Event()

    def hold() -> None:
        with holder.connect() as conn:
            conn.execute(sa.text("UPDATE unit SET name = name WHERE id = :id"), {"id": org.a})
            locked.set()
            time.sleep(6.5)
            conn.commit()

    t = threading.Thread(target=hold)
    t.start()
    assert locked.wait(10)
    started = time.monotonic()
    with db.unit_of_work(engine) as session:
        session.execute(sa.update(Unit).where(Unit.id == org.b).values(name="Phòng Tài vụ"))
    waited = time.monotonic() - started
    t.join(20)
    assert waited > 5
    with Session(engine) as session:
        assert session.get(Unit, org.b).name == "Phòng Tài vụ"
    engine.dispose()
    holder.dispose()
