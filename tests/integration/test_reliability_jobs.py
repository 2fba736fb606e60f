"""Issue 17 §2: a job run killed mid-way does not stop its job for long, its history row is
closed as interrupted, and the mail it had claimed goes out: nothing lost."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from engagement.core import clock
from engagement.core.db import make_engine, unit_of_work
from engagement.jobs import queries as jobs_queries
from engagement.jobs import rules as job_rules
from engagement.jobs import runner
from engagement.jobs import service as jobs_service
from engagement.jobs.models import JobRun, SchedulerLease
from engagement.notify.models import OutboxMessage
from engagement.schema import metadata
from tests import factories as f
from tests.integration._smtp import Handler, SmtpServer

ROOT = Path(__file__).resolve().parents[2]
MESSAGES = 120


class SlowHandler(Handler):
    """Takes every message, a little slowly (so a run can be killed in the middle)."""

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(0.04)
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def slow_smtp():
    server = SmtpServer()
    server.handler = SlowHandler()
    server.controller.handler = server.handler
    server.start()
    yield server
    server.stop()


def _letters(i: int) -> str:
    return "".join(chr(ord("a") + int(d)) for d in str(i)).capitalize()


@pytest.fixture
def mail_db(tmp_path) -> Engine:
    """A SQLite file with MESSAGES e-mails waiting, one per recipient."""
    eng = make_engine(f"sqlite:///{tmp_path / 'mail.db'}")
    metadata.create_all(eng)
    now = clock.now()
    with Session(eng) as session:
        org = f.small_org(session, now)
        for i in range(MESSAGES):
            pid = f.person(session, org.admin, now, unit_id=org.b, name=f"Người Thứ {_letters(i)}",
                           email=f"p{i}@tinh.gov.vn")
            f.preference(session, person_id=pid, category="recognition", mode="email", now=now)
            f.notification(session, person_id=pid, now=now, subject_ref=f"recognition:{i}")
        session.commit()
    yield eng
    eng.dispose()


def _env(db: Path, smtp: SmtpServer) -> dict[str, str]:
    return {**os.environ, "ENGAGEMENT_DATABASE_URL": f"sqlite:///{db}", "ENGAGEMENT_SMTP_HOST": "127.0.0.1",
            "ENGAGEMENT_SMTP_PORT": str(smtp.port), "ENGAGEMENT_SMTP_SECURITY": "none",
            "ENGAGEMENT_SCHEDULER": "off", "PYTHONPATH": str(ROOT)}


VICTIM = """
from engagement.jobs import runner
runner.run_job("deliver-email", holder=runner.default_holder(), require_lease=False)
"""


def _statuses(engine: Engine) -> dict[str, int]:
    with Session(engine) as session:
        rows = session.exec(select(OutboxMessage.status).where(OutboxMessage.channel == "email")).all()
    out: dict[str, int] = {}
    for status in rows:
        out[status] = out.get(status, 0) + 1
    return out


def test_a_delivery_killed_mid_run_lets_mail_resume_at_once_and_loses_nothing(mail_db, tmp_path, slow_smtp,
                                                                              monkeypatch):
    db = tmp_path / "mail.db"
    victim = subprocess.Popen([sys.executable, "-c", VICTIM], env=_env(db, slow_smtp), cwd=ROOT)
    try:
        deadline = time.monotonic() + 60
        while len(slow_smtp.messages) < 10:
            assert time.monotonic() < deadline, "the delivery never started"
            assert victim.poll() is None, "the delivery ended before it could be killed"
            time.sleep(0.05)
        victim.send_signal(signal.SIGKILL)
        victim.wait(10)
    finally:
        if victim.poll() is None:
            victim.kill()
    killed_at = time.monotonic()
    before = _statuses(mail_db)
    assert before.get("sent", 0) < MESSAGES, "the run finished before the kill"
    assert before.get("sending", 0) > 0  # the dead run's claims
    with Session(mail_db) as session:
        lock = session.get(SchedulerLease, jobs_service.job_lock_name("deliver-email"))
        assert lock is not None and lock.expires_at > clock.now()  # still "held" by the dead run
        [dead] = session.exec(select(JobRun)).all()
        assert dead.finished_at is None

    # The next run, from the scheduler of this host: the lock's holder no longer exists.
    for name in ("ENGAGEMENT_DATABASE_URL", "ENGAGEMENT_SMTP_HOST", "ENGAGEMENT_SMTP_PORT",
                 "ENGAGEMENT_SMTP_SECURITY"):
        monkeypatch.setenv(name, _env(db, slow_smtp)[name])
    from engagement.settings import get_settings

    get_settings.cache_clear()
    try:
        sent = runner.run_job("deliver-email", holder="scheduler-2", engine=mail_db, require_lease=False)
    finally:
        get_settings.cache_clear()
    assert time.monotonic() - killed_at < 120
    assert sent is not None and sent > 0
    assert _statuses(mail_db) == {"sent": MESSAGES}
    received = {m.to for m in slow_smtp.messages}
    assert received == {f"p{i}@tinh.gov.vn" for i in range(MESSAGES)}
    with Session(mail_db) as session:
        runs = session.exec(select(JobRun).order_by(JobRun.id)).all()
    assert [(r.error, r.finished_at is not None) for r in runs] == [
        (job_rules.INTERRUPTED.msgid, True), ("", True)]


def test_a_lock_of_a_run_on_another_host_lapses_within_its_short_expiry(engine, now, monkeypatch):
    calls = []
    from engagement.jobs import registry

    monkeypatch.setitem(registry.JOBS, "deliver-email", registry.Job(
        id="deliver-email", label="x", schedule="x", cron={"minute": "*"},
        func=lambda **kw: calls.append(kw["holder"]) or 3))
    with unit_of_work(engine) as session:
        assert jobs_service.take_lease(session, name=jobs_service.job_lock_name("deliver-email"),
                                       holder="other-host:123:abcd#run", now=now, seconds=runner.JOB_LOCK_SECONDS)
        jobs_service.start_run(session, job_id="deliver-email", holder="other-host:123:abcd", now=now)
    assert runner.JOB_LOCK_SECONDS <= 60
    soon = now + timedelta(seconds=runner.JOB_LOCK_SECONDS - 1)
    with pytest.raises(runner.JobBusy) as busy:
        runner.run_job("deliver-email", holder="me", engine=engine, now_fn=lambda: soon, require_lease=False,
                       raise_busy=True)
    assert busy.value.since == now  # when the open run started, not a guess from the lock
    with Session(engine) as session:
        admin = f.small_org(session, now).admin
        session.commit()
        [row] = [j for j in jobs_queries.jobs_overview(session, actor=admin, now=soon) if j.job_id == "deliver-email"]
        assert row.last_error == ""  # still alive: its lock is fresh
        lapsed = now + timedelta(seconds=runner.JOB_LOCK_SECONDS)
        [row] = [j for j in jobs_queries.jobs_overview(session, actor=admin, now=lapsed)
                 if j.job_id == "deliver-email"]
        assert row.last_error == str(job_rules.INTERRUPTED)  # the page says so before the next run
    assert runner.run_job("deliver-email", holder="me", engine=engine, now_fn=lambda: lapsed,
                          require_lease=False) == 3
    with Session(engine) as session:
        runs = session.exec(select(JobRun).order_by(JobRun.id)).all()
    assert [(r.holder, r.error, r.finished_at) for r in runs] == [
        ("other-host:123:abcd", job_rules.INTERRUPTED.msgid, lapsed), ("me", "", lapsed)]


def test_a_live_run_keeps_its_lock_by_heartbeat(shared_engine, monkeypatch):
    """A run longer than its lock's expiry is never taken over while it lives."""
    import threading

    from engagement.jobs import registry

    gate, started = threading.Event(), threading.Event()

    def slow(**kw):
        started.set()
        assert gate.wait(30)
        return 1

    monkeypatch.setitem(registry.JOBS, "deliver-email", registry.Job(
        id="deliver-email", label="x", schedule="x", cron={"minute": "*"}, func=slow))
    result = {}
    t = threading.Thread(target=lambda: result.update(r=runner.run_job(
        "deliver-email", holder="long", engine=shared_engine, require_lease=False, lock_seconds=1,
        heartbeat_seconds=0.2)))
    t.start()
    assert started.wait(30)
    time.sleep(2.5)  # more than twice the lock's expiry
    with pytest.raises(runner.JobBusy):
        runner.run_job("deliver-email", holder="other", engine=shared_engine, require_lease=False, raise_busy=True)
    gate.set()
    t.join(30)
    assert result["r"] == 1


def test_a_new_scheduler_takes_the_lease_of_a_dead_one_on_this_host_at_once(engine, now):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    holder = f"{socket.gethostname()[:60]}:{dead.pid}:deadbeef"
    with unit_of_work(engine) as session:
        assert jobs_service.take_lease(session, holder=holder, now=now, seconds=runner.LEASE_SECONDS)
    fresh = runner.Scheduler(engine=engine, holder="new-one", now_fn=lambda: now)
    assert fresh.renew() is True
    # A holder not known to be dead (another host, a name) is never taken over before its lease lapses.
    alive = runner.Scheduler(engine=engine, holder=runner.default_holder(), now_fn=lambda: now)
    assert alive.renew() is False
