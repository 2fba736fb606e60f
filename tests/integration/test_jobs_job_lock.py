"""One run of a job at a time: the per-job lock taken by scheduled runs and "Run now" alike
(SQLite file / PostgreSQL, real threads)."""

from __future__ import annotations

import asyncio
import threading
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from engagement.core import clock
from engagement.core.db import unit_of_work
from engagement.jobs import registry, runner
from engagement.jobs import rules as job_rules
from engagement.jobs import service as jobs_service
from engagement.jobs.models import JobRun, SchedulerLease
from engagement.settings import get_settings
from tests import factories as f

JOB = "deliver-email"


class Blocking:
    """A job that says when it started and then waits until the test lets it finish."""

    def __init__(self) -> None:
        self.started = threading.Event()
        self.gate = threading.Event()
        self.calls: list[str] = []
        self.lock = threading.Lock()

    def __call__(self, *, engine, now, holder) -> int:
        with self.lock:
            self.calls.append(holder)
        self.started.set()
        assert self.gate.wait(30), "the test never let the job finish"
        return 7


@pytest.fixture
def blocking(monkeypatch):
    job = Blocking()
    monkeypatch.setitem(registry.JOBS, JOB, registry.Job(id=JOB, label="Send queued e-mails", schedule="Every minute",
                                                 cron={"minute": "*"}, func=job))
    yield job
    job.gate.set()


def _runs(engine) -> list[JobRun]:
    with Session(engine) as s:
        return list(s.exec(select(JobRun).order_by(JobRun.id)))


def test_a_manual_run_while_the_scheduler_runs_the_job_is_refused_with_when_it_started(
        shared_engine, now, blocking):
    results = {}
    scheduled = threading.Thread(target=lambda: results.update(sched=runner.run_job(
        JOB, holder="scheduler-1", engine=shared_engine, now_fn=lambda: now)))
    scheduled.start()
    assert blocking.started.wait(30)
    later = now + timedelta(seconds=30)  # within the job lock (heartbeats keep a live run's lock fresh)
    # The scheduler's run holds the job's lock: a manual run does not start, and says why.
    with pytest.raises(runner.JobBusy) as refused:
        runner.run_job(JOB, holder="manual:admin", engine=shared_engine, now_fn=lambda: later,
                     require_lease=False, raise_busy=True)
    # 02:00 UTC is 09:00 in Hanoi.
    assert refused.value.message == ("This job is running now (since 09:00); "
                                     "try again when it finishes.")
    assert refused.value.since == now
    # Without raise_busy (the scheduler's own path) it simply does not run.
    assert runner.run_job(JOB, holder="manual:admin", engine=shared_engine, now_fn=lambda: later,
                        require_lease=False) is None
    blocking.gate.set()
    scheduled.join(30)
    assert results["sched"] == 7
    assert blocking.calls == ["scheduler-1"]
    assert [(r.holder, r.messages, r.error) for r in _runs(shared_engine)] == [("scheduler-1", 7, "")]
    # The lock went back at the end: the next run starts at once.
    assert runner.run_job(JOB, holder="manual:admin", engine=shared_engine, now_fn=lambda: later,
                        require_lease=False, raise_busy=True) == 7
    assert blocking.calls == ["scheduler-1", "manual:admin"]


def test_of_four_runs_started_at_once_exactly_one_runs(shared_engine, now, blocking):
    barrier = threading.Barrier(4)
    results: list[int | None] = []
    done = threading.Semaphore(0)

    def go(name: str, scheduled: bool) -> None:
        barrier.wait()
        results.append(runner.run_job(JOB, holder=name, engine=shared_engine, now_fn=lambda: now,
                                    require_lease=scheduled))
        done.release()

    # Two schedulers (one holds the lease), two admins pressing "Run now".
    threads = [threading.Thread(target=go, args=(name, scheduled)) for name, scheduled in
               (("sched-a", True), ("sched-b", True), ("manual:a", False), ("manual:b", False))]
    for t in threads:
        t.start()
    # The three that lose return at once while the winner is still inside its job.
    for _ in range(3):
        assert done.acquire(timeout=30)
    assert results == [None, None, None]
    assert len(blocking.calls) == 1
    blocking.gate.set()
    for t in threads:
        t.join(30)
    assert sorted(results, key=str) == [7, None, None, None]
    assert len(_runs(shared_engine)) == 1


def test_a_lock_left_by_a_crashed_run_blocks_the_job_only_until_it_expires(session, engine, now, blocking):
    blocking.gate.set()
    lock = jobs_service.job_lock_name(JOB)
    crashed_at = now - timedelta(seconds=40)
    assert jobs_service.take_lease(session, name=lock, holder="dead-host:1#abc", now=crashed_at,
                              seconds=runner.JOB_LOCK_SECONDS)
    session.commit()
    with pytest.raises(runner.JobBusy, match=r"since 08:59\)"):
        runner.run_job(JOB, holder="manual:admin", engine=engine, now_fn=lambda: now,
                     require_lease=False, raise_busy=True)
    assert blocking.calls == []
    # A minute after the crashed run's last heartbeat, its lock has expired.
    at = crashed_at + timedelta(seconds=runner.JOB_LOCK_SECONDS)
    assert runner.run_job(JOB, holder="manual:admin", engine=engine, now_fn=lambda: at,
                        require_lease=False, raise_busy=True) == 7
    assert blocking.calls == ["manual:admin"]
    session.expire_all()
    row = session.get(SchedulerLease, lock)
    assert row.expires_at == at  # given back at the end of the run
    # The scheduler lease is a different row: a job lock never makes a process the scheduler.
    assert session.get(SchedulerLease, jobs_service.LEASE_NAME) is None


def test_a_failing_run_gives_its_lock_back(session, engine, now, monkeypatch):
    def broken(*, engine, now, holder):
        raise ValueError("boom")

    monkeypatch.setitem(registry.JOBS, JOB, registry.Job(id=JOB, label="x", schedule="x", cron={"minute": "*"},
                                                 func=broken))
    session.commit()
    assert runner.run_job(JOB, holder="m", engine=engine, now_fn=lambda: now, require_lease=False) is None
    assert runner.run_job(JOB, holder="m", engine=engine, now_fn=lambda: now, require_lease=False,
                        raise_busy=True) is None  # ran (and failed) again: not refused as busy
    assert [r.error for r in _runs(engine)] == ["ValueError: boom"] * 2


def test_busy_message_shows_the_date_when_the_run_started_another_day():
    from datetime import date, datetime

    assert job_rules.job_busy_message(since=datetime(2026, 3, 1, 23, 50), today=date(2026, 3, 2)) == (
        "This job is running now (since 01/03/2026 23:50); try again when it finishes.")


# --- the admin page's "Run now" ---------------------------------------------------------------


def test_run_now_while_the_job_runs_shows_a_toast_and_runs_nothing(app_db, blocking):
    from engagement.jobs.state import NotifyAdminState

    started = clock.now() - timedelta(seconds=40)
    with unit_of_work(app_db) as s:
        assert jobs_service.take_lease(s, name=jobs_service.job_lock_name(JOB), holder="scheduler-1#x",
                                  now=started, seconds=runner.JOB_LOCK_SECONDS)
    state = f.app_state(app_db, NotifyAdminState, "admin")  # the demo organisation's system admin
    spec = asyncio.run(NotifyAdminState.event_handlers["run_now"].fn(state, JOB))
    since = started.astimezone(get_settings().tz).strftime("%H:%M")
    text = repr(spec.args)
    assert '"warning"' in text
    assert f"This job is running now (since {since}); try again when it finishes." in text
    assert blocking.calls == []
    assert state.notice == ""
    assert _runs(app_db) == []
    # Once the run gave its lock back, the same button runs the job.
    with unit_of_work(app_db) as s:
        jobs_service.release_lease(s, name=jobs_service.job_lock_name(JOB), holder="scheduler-1#x", now=clock.now())
    blocking.gate.set()
    assert asyncio.run(NotifyAdminState.event_handlers["run_now"].fn(state, JOB)) is None
    assert state.notice == "The job ran: 7 message(s) sent."
    assert blocking.calls == ["manual:admin"]
