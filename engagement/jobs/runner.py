"""The scheduler that runs the jobs of ``registry.JOBS``, and the lease that keeps it single.

Every process may start a ``Scheduler`` (the web app does, in its lifespan; ``engagement
scheduler`` does, standalone): each job first takes or renews the database lease, so only
the lease holder runs jobs, and each run holds its job's own lock, so a manual "Run now"
never overlaps the scheduler's run of the same job. Jobs are idempotent anyway (the
outbox key), so a second runner or a restart never sends a message twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import threading
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy.engine import Engine
from sqlmodel import Session

from engagement.core import clock
from engagement.core.db import get_engine, unit_of_work
from engagement.core.errors import Conflict
from engagement.core.i18n import Msg
from engagement.jobs import rules, service
from engagement.jobs.registry import JOBS
from engagement.settings import get_settings

log = logging.getLogger(__name__)

LEASE_SECONDS = 90
RENEW_SECONDS = 30
#: How long a run's job lock lasts: a run that crashed without giving it back blocks its job
#: this long at most. Every job finishes far sooner (docs/BENCHMARKS.md).
JOB_LOCK_SECONDS = 30 * 60


def default_holder() -> str:
    """This process's name in the lease and the run log: host, pid and a random tag."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class JobBusy(Conflict):
    """The job is already running (the scheduler's run or another admin's "Run now")."""

    def __init__(self, job_id: str, since: datetime, message: str | Msg) -> None:
        super().__init__(message)
        self.job_id, self.since = job_id, since


def _busy(session: Session, job_id: str, now: datetime) -> JobBusy:
    expires = service.lease_expiry(session, name=service.job_lock_name(job_id), now=now) or now
    since = expires - timedelta(seconds=JOB_LOCK_SECONDS)
    tz = get_settings().tz
    return JobBusy(job_id, since, rules.job_busy(since=since.astimezone(tz), today=now.astimezone(tz).date()))


def run_job(job_id: str, *, holder: str, engine: Engine | None = None,
            now_fn: Callable[[], datetime] = clock.now, require_lease: bool = True,
            raise_busy: bool = False) -> int | None:
    """Run one job once, recording the run; None when it did not run or failed.

    Every run, scheduled or manual, first takes the job's own lock (``job:<id>`` in the
    lease table, for ``JOB_LOCK_SECONDS``) and gives it back at the end, so one job never
    runs twice at once; a run that crashed without giving it back blocks the job only
    until the lock expires. Scheduled runs (``require_lease``) also need the scheduler
    lease. A job's failure is recorded on its run (and logged), never raised into the
    scheduler.

    Args:
        job_id: a key of ``JOBS``.
        holder: names this process (or the admin) in the lease and the run log.
        engine: the database (default: the app's).
        now_fn: the clock.
        require_lease: run only while this process holds the scheduler lease.
        raise_busy: raise ``JobBusy`` (instead of returning None) when the job is running.

    Returns:
        How many messages the run wrote; None when it did not run or failed.

    Raises:
        JobBusy: with ``raise_busy``, when another run of the job holds its lock.
    """
    job = JOBS[job_id]
    engine = engine or get_engine()
    lock = service.job_lock_name(job.id)
    # Unique per run: two runs under one name (one admin, two tabs) must not share the lock.
    run_holder = f"{holder[:100]}#{uuid.uuid4().hex[:12]}"
    busy: JobBusy | None = None
    with unit_of_work(engine) as session:
        now = now_fn()
        if require_lease and not service.take_lease(session, holder=holder, now=now,
                                                    seconds=LEASE_SECONDS):
            return None
        if service.take_lease(session, name=lock, holder=run_holder, now=now,
                              seconds=JOB_LOCK_SECONDS):
            run_id = service.start_run(session, job_id=job.id, holder=holder, now=now)
        else:
            busy = _busy(session, job.id, now)
    if busy is not None:
        log.info("job %s not started: another run holds its lock", job.id)
        if raise_busy:
            raise busy
        return None
    messages: int | None = None
    error = rules.INTERRUPTED.msgid
    try:
        messages = job.func(engine=engine, now=now_fn(), holder=holder)
    except Exception as exc:
        log.exception("job %s failed", job.id)
        error = f"{type(exc).__name__}: {exc}"
    finally:
        # Also on BaseException (a worker shutting down): the lock goes back at once.
        with unit_of_work(engine) as session:
            end = now_fn()
            service.finish_run(session, run_id=run_id, now=end, messages=messages or 0,
                               error=error if messages is None else "")
            service.release_lease(session, name=lock, holder=run_holder, now=end)
    return messages


class Scheduler:
    """An APScheduler 3 background scheduler whose jobs run only while this process holds the lease."""

    def __init__(self, *, engine: Engine | None = None, holder: str | None = None,
                 now_fn: Callable[[], datetime] = clock.now) -> None:
        self.engine = engine
        self.holder = holder or default_holder()
        self.now_fn = now_fn
        self._scheduler: BackgroundScheduler | None = None
        self._lock = threading.Lock()

    def renew(self) -> bool:
        """Take or renew the lease; True while this process is the one running jobs."""
        with unit_of_work(self.engine or get_engine()) as session:
            return service.take_lease(session, holder=self.holder, now=self.now_fn(),
                                      seconds=LEASE_SECONDS)

    def start(self) -> None:
        """Start the background thread (idempotent)."""
        with self._lock:
            if self._scheduler is not None:
                return
            scheduler = BackgroundScheduler(
                timezone=get_settings().tz,
                # APScheduler 3 drops a run more than 1 s late by default; a busy box is later.
                job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300})
            scheduler.add_job(self.renew, "interval", seconds=RENEW_SECONDS, id="scheduler-lease",
                              replace_existing=True, next_run_time=self.now_fn())
            for job in JOBS.values():
                scheduler.add_job(run_job, job.trigger(), id=job.id, name=job.label.msgid,
                                  replace_existing=True,
                                  kwargs={"job_id": job.id, "holder": self.holder,
                                          "engine": self.engine, "now_fn": self.now_fn})
            scheduler.start()
            self._scheduler = scheduler

    def shutdown(self) -> None:
        """Stop the thread and hand the lease over at once."""
        with self._lock:
            if self._scheduler is None:
                return
            self._scheduler.shutdown(wait=True)
            self._scheduler = None
        try:
            with unit_of_work(self.engine or get_engine()) as session:
                service.release_lease(session, holder=self.holder, now=self.now_fn())
        except Exception:
            log.exception("could not release the scheduler lease")


@contextlib.asynccontextmanager
async def lifespan() -> AsyncIterator[None]:
    """The embedded scheduler, for the web app's lifespan (``ENGAGEMENT_SCHEDULER=off`` to skip).

    Every worker starts one; the lease lets only one of them run jobs at a time, and another
    takes over within ``LEASE_SECONDS`` when that worker stops.
    """
    if not get_settings().scheduler_embedded:
        yield
        return
    scheduler = Scheduler()
    await asyncio.to_thread(scheduler.start)
    try:
        yield
    finally:
        await asyncio.to_thread(scheduler.shutdown)


def run_standalone() -> int:
    """``engagement scheduler``: run the jobs in this process until SIGINT / SIGTERM."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    scheduler = Scheduler()
    scheduler.start()
    log.info("scheduler started as %s", scheduler.holder)
    try:
        while not stop.wait(1.0):
            pass
    finally:
        scheduler.shutdown()
        log.info("scheduler stopped")
    return 0
