"""Demo data for notifications: a staff member who wants e-mail, a few queued e-mails (the demo
has no mail server, so they wait in the outbox), and one that failed."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, select

from engagement.core import routes
from engagement.core.i18n import N_
from engagement.notify import service
from engagement.notify.models import NotifyPreference, OutboxMessage
from engagement.org.models import Account, Person


def seed_demo(session: Session, *, now: datetime) -> dict[str, int]:
    """Add the notification slice of the demo; returns counts for the summary line."""
    staff = session.exec(select(Account.person_id).where(Account.username == "staff")).first()
    if staff is None:
        return {"outbox": 0}
    person = session.get(Person, staff)
    if not (person.email or "").strip():
        person.email = "hoa.ly@snv.demo.gov.vn"
        session.add(person)
    for category in ("recognition", "commitments"):
        session.add(NotifyPreference(person_id=staff, category=category, mode="email", updated_at=now))
    session.flush()
    service.notify(session, person_id=staff, category="recognition", kind="demo.welcome",
                   subject_ref="demo:1", title=N_("Welcome to the {year} emulation movement", year=2026),
                   body=N_("See the leaderboards and recognise your colleagues."), link=routes.LEADERBOARDS,
                   now=now - timedelta(hours=2))
    service.notify(session, person_id=staff, category="commitments", kind="demo.commitment",
                   subject_ref="demo:2", title=N_("Your commitment is waiting for your signature"),
                   body=N_("Please sign your conduct commitment."), link=routes.COMMITMENTS,
                   now=now - timedelta(hours=1))
    failed = session.exec(select(OutboxMessage).where(OutboxMessage.recipient_id == staff,
                                                      OutboxMessage.kind == "demo.welcome",
                                                      OutboxMessage.channel == "email")).first()
    if failed is not None:
        failed.status, failed.attempts = "failed", 6
        failed.last_error = "SMTPRecipientsRefused: {'hoa.ly@snv.demo.gov.vn': (550, b'Mailbox unavailable')}"
        session.add(failed)
    session.flush()
    return {"outbox": len(session.exec(select(OutboxMessage.id)).all())}
