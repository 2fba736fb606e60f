"""Reads of one's own notifications."""

from __future__ import annotations

from sqlmodel import Session, func, select

from engagement.core.access import Actor
from engagement.core.clock import local
from engagement.notify.dto import NotificationPage, NotificationRow
from engagement.notify.models import Notification
from engagement.settings import get_settings

MAX_PAGE_SIZE = 50


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
