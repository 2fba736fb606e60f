"""Reads of one's own notifications, and of the outbox and jobs for the system admin."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session, func, select

from engagement.core.access import Actor, Perm, require
from engagement.core.clock import local
from engagement.notify import jobs
from engagement.notify.dto import JobRow, NotificationPage, NotificationRow, OutboxPage, OutboxRow
from engagement.notify.models import JobRun, Notification, OutboxMessage, SchedulerLease
from engagement.org.models import Person
from engagement.settings import get_settings

MAX_PAGE_SIZE = 50
STATUSES = ("pending", "sending", "sent", "failed")


def unread_count(session: Session, *, actor: Actor | None) -> int:
    """How many of one's notifications are unread (0 for an anonymous caller)."""
    if actor is None:
        return 0
    return session.exec(select(func.count()).select_from(Notification).where(
        Notification.recipient_id == actor.person_id, Notification.read_at.is_(None))).one()


def my_notifications(session: Session, *, actor: Actor | None, page: int = 1,
                     page_size: int = 20, unread_only: bool = False) -> NotificationPage:
    """A page of one's notifications, newest first (empty for an anonymous caller)."""
    page = max(1, int(page))
    page_size = min(MAX_PAGE_SIZE, max(1, int(page_size)))
    if actor is None:
        return NotificationPage(rows=[], total=0, unread=0, page=1, page_size=page_size)
    where = [Notification.recipient_id == actor.person_id]
    if unread_only:
        where.append(Notification.read_at.is_(None))
    total = session.exec(select(func.count()).select_from(Notification).where(*where)).one()
    tz = get_settings().tz
    rows = [
        NotificationRow(id=n.id, category=n.category, title=n.title, body=n.body, link=n.link,
                        at=local(n.created_at, tz).strftime("%d/%m/%Y %H:%M"),
                        unread=n.read_at is None)
        for n in session.exec(select(Notification).where(*where)
                              .order_by(Notification.created_at.desc(), Notification.id.desc())
                              .offset((page - 1) * page_size).limit(page_size))
    ]
    return NotificationPage(rows=rows, total=total, unread=unread_count(session, actor=actor),
                            page=page, page_size=page_size)


def _fmt(value: datetime | None) -> str:
    return local(value, get_settings().tz).strftime("%d/%m/%Y %H:%M") if value else ""


def outbox(session: Session, *, actor: Actor | None, page: int = 1, page_size: int = 25,
           status: str = "") -> OutboxPage:
    """A page of the outbox, newest first, optionally one status (system admin).

    Raises:
        NotAllowed: not a system admin.
    """
    require(actor, Perm.MANAGE_NOTIFICATIONS)
    page = max(1, int(page))
    page_size = min(MAX_PAGE_SIZE, max(1, int(page_size)))
    where = [OutboxMessage.status == status] if status in STATUSES else []
    total = session.exec(select(func.count()).select_from(OutboxMessage).where(*where)).one()
    counts = dict(session.exec(select(OutboxMessage.status, func.count()).where(
        OutboxMessage.channel == "email").group_by(OutboxMessage.status)).all())
    rows = [
        OutboxRow(id=m.id, recipient=name, channel=m.channel, kind=m.kind,
                  subject=f"{m.subject_ref} {m.period}".strip(), title=m.title, status=m.status,
                  attempts=m.attempts,
                  next_attempt=_fmt(m.next_attempt_at) if m.status == "pending" else "",
                  last_error=m.last_error, created=_fmt(m.created_at), sent=_fmt(m.sent_at))
        for m, name in session.exec(
            select(OutboxMessage, Person.full_name).join(Person, Person.id == OutboxMessage.recipient_id)
            .where(*where).order_by(OutboxMessage.id.desc())
            .offset((page - 1) * page_size).limit(page_size))
    ]
    return OutboxPage(rows=rows, total=total, pending=counts.get("pending", 0),
                      failed=counts.get("failed", 0), page=page, page_size=page_size,
                      smtp_configured=bool(get_settings().smtp_host))


def jobs_overview(session: Session, *, actor: Actor | None, now: datetime) -> list[JobRow]:
    """Each scheduled job: schedule, last run, next run, last error, messages (system admin).

    Raises:
        NotAllowed: not a system admin.
    """
    require(actor, Perm.MANAGE_NOTIFICATIONS)
    result = []
    for job in jobs.JOBS.values():
        last = session.exec(select(JobRun).where(JobRun.job_id == job.id)
                            .order_by(JobRun.started_at.desc(), JobRun.id.desc())).first()
        nxt = job.trigger().get_next_fire_time(None, now)
        result.append(JobRow(
            job_id=job.id, label=job.label, schedule=job.schedule,
            last_run=_fmt(last.started_at) if last else "never",
            last_finished=_fmt(last.finished_at) if last and last.finished_at else "",
            next_run=_fmt(nxt.astimezone(UTC)) if nxt else "", last_error=last.error if last else "",
            messages=last.messages if last else 0))
    return result


def lease_holder(session: Session, *, now: datetime) -> str:
    """Who runs the scheduler now ("" when nobody holds a live lease)."""
    row = session.get(SchedulerLease, "scheduler")
    return row.holder if row is not None and row.expires_at > now else ""
