"""Writes of the scheduled-jobs layer: the scheduler lease, per-job locks and the run log."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from engagement.core import audit
from engagement.core.access import Actor, Perm, require
from engagement.core.errors import NotFound
from engagement.jobs import rules
from engagement.jobs.models import JobRun, SchedulerLease
from engagement.jobs.registry import JOBS

LEASE_NAME = "scheduler"


def job_lock_name(job_id: str) -> str:
    """The lease row that says one job is running (``job:<id>``; no extra table)."""
    return f"job:{job_id}"[:40]


def take_lease(session: Session, *, holder: str, now: datetime, seconds: int = 90,
               name: str = LEASE_NAME) -> bool:
    """Take or renew a lease; True when ``holder`` holds it until now + seconds.

    The scheduler lease (``scheduler``) says which process runs jobs; a job lock
    (``job:<id>``, see ``job_lock_name``) says that one run of that job is under way. Only
    one holder at a time: the UPDATE changes the row only when it is free (expired) or
    already ours, and the database applies one such UPDATE at a time.
    """
    until = now + timedelta(seconds=seconds)
    row = session.get(SchedulerLease, name)
    if row is None:
        try:
            with session.begin_nested():
                session.add(SchedulerLease(name=name, holder=holder[:120], expires_at=until))
                session.flush()
            return True
        except sa.exc.IntegrityError:
            pass
    result = session.execute(sa.update(SchedulerLease).where(
        SchedulerLease.name == name,
        sa.or_(SchedulerLease.holder == holder[:120], SchedulerLease.expires_at <= now))
        .values(holder=holder[:120], expires_at=until))
    session.expire_all()
    return (result.rowcount or 0) == 1


def release_lease(session: Session, *, holder: str, now: datetime, name: str = LEASE_NAME) -> None:
    """Give a lease up (on shutdown, at the end of a run) so another can take it at once."""
    session.execute(sa.update(SchedulerLease).where(
        SchedulerLease.name == name, SchedulerLease.holder == holder[:120])
        .values(expires_at=now))


def lease_expiry(session: Session, *, name: str, now: datetime) -> datetime | None:
    """When a live lease expires (None when nobody holds it at ``now``)."""
    expires = session.exec(select(SchedulerLease.expires_at).where(SchedulerLease.name == name)).first()
    return expires if expires is not None and expires > now else None


def lease_holder_of(session: Session, *, name: str, now: datetime) -> str:
    """Who holds a live lease ("" when nobody does at ``now``)."""
    row = session.exec(select(SchedulerLease.holder, SchedulerLease.expires_at)
                       .where(SchedulerLease.name == name)).first()
    return row[0] if row is not None and row[1] > now else ""


def open_run_started(session: Session, *, job_id: str) -> datetime | None:
    """When the newest run of a job that has not finished started (None: none open)."""
    return session.exec(select(JobRun.started_at).where(JobRun.job_id == job_id, JobRun.finished_at.is_(None))
                        .order_by(JobRun.started_at.desc()).limit(1)).first()


def close_open_runs(session: Session, *, job_id: str, now: datetime) -> list[tuple[int, str]]:
    """Close every unfinished run of a job as interrupted; returns their (id, holder).

    Called by the run that just took the job's lock: while it holds it no other run of the
    job is alive, so an open row belongs to a run whose process stopped.
    """
    runs = list(session.exec(select(JobRun).where(JobRun.job_id == job_id, JobRun.finished_at.is_(None))))
    for run in runs:
        run.finished_at, run.error = now, rules.INTERRUPTED.msgid
        session.add(run)
    session.flush()
    return [(run.id, run.holder) for run in runs]


def start_run(session: Session, *, job_id: str, holder: str, now: datetime) -> int:
    """Record that a job run started; returns the run's id."""
    run = JobRun(job_id=job_id[:60], holder=holder[:120], started_at=now)
    session.add(run)
    session.flush()
    return run.id


def finish_run(session: Session, *, run_id: int, now: datetime, messages: int = 0,
               error: str = "") -> None:
    """Record how a job run ended."""
    run = session.get(JobRun, run_id)
    run.finished_at, run.messages, run.error = now, messages, error[:1000]
    session.add(run)
    session.flush()


def authorise_run(session: Session, *, actor: Actor | None, job_id: str, now: datetime) -> str:
    """Check that the actor may run a job now and record who asked (system admin).

    The run itself happens outside this transaction (it opens its own); it needs no
    scheduler lease, but it does take the job's own lock, so it is refused while the
    scheduler (or another admin) runs the same job.

    Returns:
        The name to record the run under.

    Raises:
        NotAllowed: not a system admin.
        NotFound: no such job.
    """
    require(actor, Perm.MANAGE_NOTIFICATIONS)
    if job_id not in JOBS:
        raise NotFound("There is no such job; reload the page.")
    audit.record(session, actor=actor, action="notify.run_now", entity="job", entity_id=job_id,
                 now=now)
    return f"manual:{actor.username}"


def restore_statement() -> str:
    """The SQL ``engagement restore`` runs in the restored data: leases and job locks restored
    from the backup belong to processes of that time, so they are expired (a new scheduler takes
    the lease at once; the rows stay, so the restored counts still match the manifest)."""
    return "UPDATE scheduler_lease SET expires_at = '2000-01-01 00:00:00'"
