"""Reads of the scheduled-jobs layer: the jobs overview and who holds the scheduler lease."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import Session, select

from engagement.core import backup, formats
from engagement.core.access import Actor, Perm, require
from engagement.core.i18n import _
from engagement.jobs import backups, rules
from engagement.jobs.dto import BackupRow, BackupsOverview, JobRow
from engagement.jobs.models import JobRun, SchedulerLease
from engagement.jobs.registry import JOBS
from engagement.settings import get_settings


def _error(text: str) -> str:
    """A run's recorded error: the interruption notice in the reader's language, others as recorded."""
    return str(rules.INTERRUPTED) if text == rules.INTERRUPTED.msgid else text


def _lock_alive(session: Session, job_id: str, now: datetime) -> bool:
    """Whether some run holds the job's lock now (heartbeats keep a live run's lock fresh)."""
    row = session.get(SchedulerLease, f"job:{job_id}"[:40])
    return row is not None and row.expires_at > now


def jobs_overview(session: Session, *, actor: Actor | None, now: datetime) -> list[JobRow]:
    """Each scheduled job: schedule, last run, next run, last error, messages (system admin).

    Labels and schedules are in the current language (the reader's).

    Raises:
        NotAllowed: not a system admin.
    """
    require(actor, Perm.MANAGE_NOTIFICATIONS)
    result = []
    for job in JOBS.values():
        last = session.exec(select(JobRun).where(JobRun.job_id == job.id)
                            .order_by(JobRun.started_at.desc(), JobRun.id.desc())).first()
        nxt = job.trigger().get_next_fire_time(None, now)
        error = _error(last.error) if last else ""
        if last is not None and last.finished_at is None and not _lock_alive(session, job.id, now):
            error = str(rules.INTERRUPTED)  # its process stopped; the next run closes the row
        result.append(JobRow(
            job_id=job.id, label=str(job.label), schedule=str(job.schedule),
            last_run=formats.moment(last.started_at) if last else _("never"),
            last_finished=formats.moment(last.finished_at) if last and last.finished_at else "",
            next_run=formats.moment(nxt.astimezone(UTC)) if nxt else "", last_error=error,
            messages=last.messages if last else 0))
    return result


def lease_holder(session: Session, *, actor: Actor | None, now: datetime) -> str:
    """Who runs the scheduler now ("" when nobody holds a live lease) (system admin).

    Raises:
        NotAllowed: not a system admin.
    """
    require(actor, Perm.MANAGE_NOTIFICATIONS)
    row = session.get(SchedulerLease, "scheduler")
    return row.holder if row is not None and row.expires_at > now else ""


def _size(size: int) -> str:
    return _("{size} MB", size=formats.number(size / 1_000_000, 1)) if size >= 100_000 else _(
        "{size} kB", size=formats.number(size / 1000, 1))


def backups_overview(session: Session, *, actor: Actor | None, directory: str | None = None,
                     limit: int = 10) -> BackupsOverview:
    """The newest daily backups (time, size, rows, ok) and the backup runs that failed (system admin).

    A file that cannot be read as a backup is listed as failed with the reason.

    Raises:
        NotAllowed: not a system admin.
    """
    require(actor, Perm.MANAGE_NOTIFICATIONS)
    settings = get_settings()
    folder = directory or settings.backup_dir
    listed: list[tuple[datetime, BackupRow]] = []
    for f in backup.list_backups(Path(folder), limit=limit):
        when = f.taken_at or datetime.fromtimestamp(f.path.stat().st_mtime, UTC)
        listed.append((when, BackupRow(name=f.name, size=_size(f.size), taken=formats.moment(when), rows=f.rows,
                                       ok=f.ok, problem=f.problem)))
    for run in session.exec(select(JobRun).where(JobRun.job_id == backups.JOB_ID, JobRun.error != "")
                            .order_by(JobRun.started_at.desc()).limit(limit)):
        listed.append((run.started_at, BackupRow(name="", size="", taken=formats.moment(run.started_at), rows=0,
                                                 ok=False, problem=_error(run.error))))
    listed.sort(key=lambda pair: pair[0], reverse=True)
    return BackupsOverview(directory=folder, keep=settings.backup_keep, rows=[row for _when, row in listed[:limit]])
