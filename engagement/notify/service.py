"""Writing notifications. Other features call ``notify`` inside their own transaction."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from engagement.core.access import Actor
from engagement.core.errors import NotAllowed
from engagement.notify.models import Notification


def safe_link(link: str) -> str:
    """A same-site path, or nothing (never an open redirect to another host)."""
    link = (link or "").strip()
    if not link.startswith("/") or link.startswith("//") or "\\" in link:
        return ""
    return link[:300]


def notify(
    session: Session, *, person_id: int, category: str, kind: str, subject_ref: str, title: str,
    body: str = "", link: str = "", now: datetime,
) -> bool:
    """Put a notification in ``person_id``'s list, once per (recipient, kind, subject).

    Called by services of other features in their own transaction (no actor: the calling
    service has already authorised its use case).

    Args:
        person_id: the recipient.
        category: a family for filtering and (issue 7) preferences, e.g. ``recognition``.
        kind: what happened, e.g. ``recognition.received``.
        subject_ref: the record it is about, e.g. ``recognition:42``.
        title: one line.
        body: a short text.
        link: a same-site path to open; anything else is dropped.
        now: when.

    Returns:
        True when a notification was added, False when this one already existed.
    """
    exists = session.exec(select(Notification.id).where(
        Notification.recipient_id == person_id, Notification.kind == kind[:60],
        Notification.subject_ref == subject_ref[:80])).first()
    if exists is not None:
        return False
    # A savepoint: a concurrent twin hitting the unique key must not undo the caller's work.
    try:
        with session.begin_nested():
            session.add(Notification(
                recipient_id=person_id, category=category[:40], kind=kind[:60],
                subject_ref=subject_ref[:80], title=title[:200], body=body[:1000],
                link=safe_link(link), created_at=now))
            session.flush()
    except sa.exc.IntegrityError:
        return False
    return True


def _me(actor: Actor | None) -> Actor:
    if actor is None:
        raise NotAllowed("Your session has ended. Please log in again.")
    return actor


def mark_read(session: Session, *, actor: Actor | None, notification_id: int, now: datetime) -> str:
    """Mark one of one's own notifications read; returns its link ("" for someone else's)."""
    me = _me(actor)
    row = session.exec(select(Notification).where(
        Notification.id == int(notification_id), Notification.recipient_id == me.person_id)).first()
    if row is None:
        return ""
    if row.read_at is None:
        row.read_at = now
        session.add(row)
        session.flush()
    return safe_link(row.link)


def mark_all_read(session: Session, *, actor: Actor | None, now: datetime) -> int:
    """Mark every unread notification of one's own read; returns how many."""
    me = _me(actor)
    result = session.execute(sa.update(Notification).where(
        Notification.recipient_id == me.person_id, Notification.read_at.is_(None))
        .values(read_at=now))
    session.flush()
    return result.rowcount or 0
