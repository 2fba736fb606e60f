"""The scheduler that runs the jobs of ``registry.JOBS``, and the lease that keeps it single.

Every process may start a ``Scheduler`` (the web app does, in its lifespan; ``engagement
scheduler`` does, standalone): each job first takes or renews the database lease, so only
the lease holder runs jobs, and each run holds its job's own lock, so a manual "Run now"
never overlaps the scheduler's run of the same job. Jobs are idempotent anyway (the
outbox key), so a second runner or a restart never writes a message twice.

A process can die at any moment (``kill -9``, a power cut). So every lock is short and kept
alive while its holder lives: a run renews its job lock from a heartbeat thread every
``HEARTBEAT_SECONDS`` for ``JOB_LOCK_SECONDS``; the scheduler renews its lease every
``RENEW_SECONDS`` for ``LEASE_SECONDS``. A dead holder's lock lapses within a minute, and at
once when the holder was a process of this same host that no longer exists. The next run
of the job closes the dead run's history row as interrupted and, for the mail job, puts the
messages the dead run had claimed back in the queue.
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

import sqlalchemy as sa
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

#: The scheduler lease: renewed every RENEW_SECONDS, so three renewals in a row may fail (a
#: slow database) before another process takes over; a dead scheduler is replaced within it.
LEASE_SECONDS = 45
RENEW_SECONDS = 10
#: How long a run's job lock lasts without a heartbeat: a run killed without giving it back
#: blocks its job this long at most. A live run renews it every HEARTBEAT_SECONDS.
JOB_LOCK_SECONDS = 60
HEARTBEAT_SECONDS = 15


def default_holder() -> str:
    """This process's name in the lease and the run log: host, pid and a random tag."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class JobBusy(Conflict):
    """The job is already running (the scheduler's run or another admin's "Run now")."""

    def __init__(self, job_id: str, since: datetime, message: str | Msg) -> None:
        super().__init__(message)
        self.job_id, self.since = job_id, since


def _holder_is_dead(holder: str) -> bool:
    """Whether a lease holder named by ``default_holder`` is a process of this host that is gone.

    Only a process on this same host can be known dead (its pid no longer exists); anything
    else (another host, a manual run's name, a pid that exists) counts as alive and its lock
    lapses by expiry instead. A pid reused by another process only delays the take-over.
    """
    host, _, rest = holder.partition(":")
    pid_text = rest.split(":", 1)[0].split("#", 1)[0]
    if host != socket.gethostname()[:60] or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _take(session: Session, *, name: str, holder: str, now: datetime, seconds: int) -> bool:
    """``service.take_lease``, and take over at once a live-looking lock whose holder is dead."""
    if service.take_lease(session, name=name, holder=holder, now=now, seconds=seconds):
        return True
    current = service.lease_holder_of(session, name=name, now=now)
    if current and _holder_is_dead(current):
        log.warning("lock %s held by %s, a process that no longer exists: taken over", name, current)
        service.release_lease(session, name=name, holder=current, now=now)
        return service.take_lease(session, name=name, holder=holder, now=now, seconds=seconds)
    return False


def _busy(session: Session, job_id: str, now: datetime, lock_seconds: int) -> JobBusy:
    since = service.open_run_started(session, job_id=job_id)
    if since is None:
        expires = service.lease_expiry(session, name=service.job_lock_name(job_id), now=now) or now
        since = expires - timedelta(seconds=lock_seconds)
    tz = get_settings().tz
    return JobBusy(job_id, since, rules.job_busy(since=since.astimezone(tz), today=now.astimezone(tz).date()))


class _Heartbeat:
    """Renews a run's job lock from a thread until stopped (so a live run never loses it)."""

    def __init__(self, *, engine: Engine, lock: str, holder: str, now_fn: Callable[[], datetime],
                 seconds: int, every: float) -> None:
        self.engine, self.lock, self.holder, self.now_fn = engine, lock, holder, now_fn
        self.seconds, self.every = seconds, every
        self.stop = threading.Event()
        self.lost = False
        self.thread = threading.Thread(target=self._run, name=f"heartbeat {lock}", daemon=True)

    def _run(self) -> None:
        while not self.stop.wait(self.every):
            try:
                with unit_of_work(self.engine) as session:
                    kept = service.take_lease(session, name=self.lock, holder=self.holder, now=self.now_fn(),
                                              seconds=self.seconds)
            except Exception:
                log.exception("could not renew %s", self.lock)
                continue
            if not kept and not self.lost:
                self.lost = True
                log.error("%s was taken over while this run is still alive (renewals failed too long)", self.lock)

    def __enter__(self) -> _Heartbeat:
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop.set()
        self.thread.join(timeout=self.every + 5)


def _after_interrupted(session: Session, job_id: str, runs: list[tuple[int, str]], now: datetime) -> None:
    """What a run killed mid-way left behind, put right by the next run of its job."""
    if job_id != "deliver-email":
        return
    from engagement.notify import rules as notify_rules
    from engagement.notify.models import OutboxMessage

    # The dead run claimed messages under "<holder[:40]>:<random>"; with its job lock gone no
    # delivery of it runs, so its claims go back to the queue now instead of in CLAIM_SECONDS.
    for _run_id, holder in runs:
        session.execute(sa.update(OutboxMessage).where(
            OutboxMessage.status == notify_rules.SENDING,
            OutboxMessage.claimed_by.startswith(f"{holder[:40]}:", autoescape=True))
            .values(status=notify_rules.PENDING, claimed_by=None, claimed_until=None))


def run_job(job_id: str, *, holder: str, engine: Engine | None = None,
            now_fn: Callable[[], datetime] = clock.now, require_lease: bool = True,
            raise_busy: bool = False, lock_seconds: int | None = None,
            heartbeat_seconds: float | None = None) -> int | None:
    """Run one job once, recording the run; None when it did not run or failed.

    Every run, scheduled or manual, first takes the job's own lock (``job:<id>`` in the
    lease table, for ``JOB_LOCK_SECONDS``), renews it from a heartbeat thread while it runs
    and gives it back at the end, so one job never runs twice at once; a run killed without
    giving it back blocks the job only until the lock lapses (at once when its process, on
    this host, is gone). Taking the lock closes the history rows of runs of the job left open
    by a dead process, as interrupted. Scheduled runs (``require_lease``) also need the
    scheduler lease. A job's failure is recorded on its run (and logged), never raised into
    the scheduler.

    Args:
        job_id: a key of ``JOBS``.
        holder: names this process (or the admin) in the lease and the run log.
        engine: the database (default: the app's).
        now_fn: the clock.
        require_lease: run only while this process holds the scheduler lease.
        raise_busy: raise ``JobBusy`` (instead of returning None) when the job is running.
        lock_seconds: how long the job lock lasts between heartbeats (default ``JOB_LOCK_SECONDS``).
        heartbeat_seconds: how often it is renewed (default ``HEARTBEAT_SECONDS``).

    Returns:
        How many messages the run wrote; None when it did not run or failed.

    Raises:
        JobBusy: with ``raise_busy``, when another run of the job holds its lock.
    """
    job = JOBS[job_id]
    engine = engine or get_engine()
    lock = service.job_lock_name(job.id)
    lock_seconds = lock_seconds or JOB_LOCK_SECONDS
    beat = heartbeat_seconds or min(HEARTBEAT_SECONDS, lock_seconds / 3)
    # Unique per run: two runs under one name (one admin, two tabs) must not share the lock.
    run_holder = f"{holder[:100]}#{uuid.uuid4().hex[:12]}"
    busy: JobBusy | None = None
    with unit_of_work(engine) as session:
        now = now_fn()
        if require_lease and not _take(session, name=service.LEASE_NAME, holder=holder, now=now,
                                       seconds=LEASE_SECONDS):
            return None
        if _take(session, name=lock, holder=run_holder, now=now, seconds=lock_seconds):
            # Holding the lock, no other run of this job is alive: an open row is a dead run's.
            interrupted = service.close_open_runs(session, job_id=job.id, now=now)
            if interrupted:
                log.warning("job %s: %s run(s) of a stopped process closed as interrupted", job.id,
                            len(interrupted))
                _after_interrupted(session, job.id, interrupted, now)
            run_id = service.start_run(session, job_id=job.id, holder=holder, now=now)
        else:
            busy = _busy(session, job.id, now, lock_seconds)
    if busy is not None:
        log.info("job %s not started: another run holds its lock", job.id)
        if raise_busy:
            raise busy
        return None
    messages: int | None = None
    error = rules.INTERRUPTED.msgid
    try:
        with _Heartbeat(engine=engine, lock=lock, holder=run_holder, now_fn=now_fn, seconds=lock_seconds,
                        every=beat):
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
        """Take or renew the lease; True while this process is the one running jobs.

        A lease whose holder is a process of this host that no longer exists is taken at once.
        """
        with unit_of_work(self.engine or get_engine()) as session:
            return _take(session, name=service.LEASE_NAME, holder=self.holder, now=self.now_fn(),
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
