"""Reads of the scheduled-jobs layer: the jobs overview and who holds the scheduler lease."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session, select

from engagement.core import formats
from engagement.core.access import Actor, Perm, require
from engagement.core.i18n import _
from engagement.jobs import rules
from engagement.jobs.dto import JobRow
from engagement.jobs.models import JobRun, SchedulerLease
from engagement.jobs.registry import JOBS


def _error(text: str) -> str:
    """A run's recorded error: the interruption notice in the reader's language, others as recorded."""
    return str(rules.INTERRUPTED) if text == rules.INTERRUPTED.msgid else text


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
        result.append(JobRow(
            job_id=job.id, label=str(job.label), schedule=str(job.schedule),
            last_run=formats.moment(last.started_at) if last else _("never"),
            last_finished=formats.moment(last.finished_at) if last and last.finished_at else "",
            next_run=formats.moment(nxt.astimezone(UTC)) if nxt else "", last_error=_error(last.error) if last else "",
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
