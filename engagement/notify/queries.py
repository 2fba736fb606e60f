"""Reads of one's own notifications, and of the outbox for the system admin."""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session, func, select

from engagement.core import formats, i18n
from engagement.core.access import Actor, Perm, require, require_login
from engagement.notify import rules
from engagement.notify.dto import NotificationPage, NotificationRow, OutboxPage, OutboxRow, PreferenceRow
from engagement.notify.models import Notification, NotifyPreference, OutboxMessage
from engagement.org.models import Account, Person
from engagement.settings import get_settings

MAX_PAGE_SIZE = 50
STATUSES = ("pending", "sending", "sent", "failed", "held", "discarded")


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
    rows = [
        NotificationRow(id=n.id, category=n.category, title=n.title, body=n.body, link=n.link,
                        at=formats.moment(n.created_at),
                        unread=n.read_at is None)
        for n in session.exec(select(Notification).where(*where)
                              .order_by(Notification.created_at.desc(), Notification.id.desc())
                              .offset((page - 1) * page_size).limit(page_size))
    ]
    return NotificationPage(rows=rows, total=total, unread=unread_count(session, actor=actor),
                            page=page, page_size=page_size)


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
                  next_attempt=formats.moment(m.next_attempt_at) if m.status == "pending" else "",
                  last_error=m.last_error, created=formats.moment(m.created_at), sent=formats.moment(m.sent_at))
        for m, name in session.exec(
            select(OutboxMessage, Person.full_name).join(Person, Person.id == OutboxMessage.recipient_id)
            .where(*where).order_by(OutboxMessage.id.desc())
            .offset((page - 1) * page_size).limit(page_size))
    ]
    return OutboxPage(rows=rows, total=total, pending=counts.get("pending", 0),
                      failed=counts.get("failed", 0), held=counts.get("held", 0), page=page, page_size=page_size,
                      smtp_configured=bool(get_settings().smtp_host))


def already_notified(session: Session, *, people: Iterable[int], kind: str, subject_ref: str,
                     period: str) -> set[int]:
    """Who among ``people`` already has this message (its in-app row: every message has one)."""
    return set(session.exec(select(OutboxMessage.recipient_id).where(
        OutboxMessage.recipient_id.in_(list(people)), OutboxMessage.channel == rules.IN_APP,
        OutboxMessage.kind == kind, OutboxMessage.subject_ref == subject_ref,
        OutboxMessage.period == period)).all())


def my_preferences(session: Session, *, actor: Actor | None) -> list[PreferenceRow]:
    """One's choice for every category (the default where none was made)."""
    me = require_login(actor)
    chosen = dict(session.exec(select(NotifyPreference.category, NotifyPreference.mode).where(
        NotifyPreference.person_id == me.person_id)).all())
    has_email = bool((session.get(Person, me.person_id).email or "").strip())
    return [PreferenceRow(category=cat, label=str(label), mode=chosen.get(cat, rules.DEFAULT_MODE.value),
                          has_email=has_email)
            for cat, label in rules.CATEGORIES.items()]


def languages(session: Session, person_ids: Iterable[int]) -> dict[int, str]:
    """Person -> the language messages to them are written in, for many people in one query.

    The language their account chose (``Account.language``); the organisation's default for
    "" and for a person without an account.
    """
    ids = sorted({int(p) for p in person_ids})
    if not ids:
        return {}
    chosen = dict(session.exec(select(Account.person_id, Account.language).where(
        Account.person_id.in_(ids))).all())
    return {pid: i18n.normalise(chosen.get(pid) or i18n.default_language()) for pid in ids}


def language(session: Session, person_id: int) -> str:
    """The language messages to one person are written in (see ``languages``)."""
    return languages(session, [person_id])[person_id]
