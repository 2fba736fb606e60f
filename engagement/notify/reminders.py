"""Scheduled reminders: commitment campaigns and green-office duties (issue 7).

Each run looks at who has not signed, works out the stage each person is at
(``rules.campaign_stage``), and sends ONE message per person listing all their pending
campaigns, only when at least one of them reached a new stage. The marks of the stages a
message covered are written in the same transaction as its outbox rows: a crash leaves
either both or neither, so a rerun neither repeats nor skips anyone; two runs at once
collide on the marks' unique key and only one writes.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from engagement.commitments import queries as commitments_queries
from engagement.commitments.dto import Unsigned
from engagement.core.db import unit_of_work
from engagement.green import queries as green_queries
from engagement.notify import rules, service
from engagement.notify.models import ReminderMark
from engagement.org.models import Account, Person, RoleGrant, Unit

#: People handled per transaction.
BATCH = 200

REMINDER_KIND = "commitments.reminder"
ESCALATION_KIND = "commitments.escalation"


@dataclass(frozen=True)
class Item:
    """One line of a batched message and the mark that says it was sent."""

    subject_ref: str
    stage: str
    line: str


def send_batch(session: Session, *, recipient_id: int, category: str, kind: str, title: str,
               intro: str, items: list[Item], link: str, mandatory: bool, now: datetime,
               today: str) -> bool:
    """One message listing ``items``, if any of them reached a stage not yet sent.

    Returns:
        True when a message was written (False: nothing new, or another run wrote it).
    """
    done = set(session.exec(select(ReminderMark.subject_ref, ReminderMark.stage).where(
        ReminderMark.recipient_id == recipient_id, ReminderMark.kind == kind,
        ReminderMark.subject_ref.in_([i.subject_ref for i in items]))).all())
    new = [i for i in items if (i.subject_ref, i.stage) not in done]
    if not new:
        return False
    digest = hashlib.sha256("|".join(sorted(f"{i.subject_ref}:{i.stage}" for i in new)).encode())
    period = f"{today}:{digest.hexdigest()[:12]}"
    try:
        with session.begin_nested():
            for i in new:
                session.add(ReminderMark(recipient_id=recipient_id, kind=kind, subject_ref=i.subject_ref,
                                         stage=i.stage, created_at=now))
            session.flush()
            service.notify(session, person_id=recipient_id, category=category, kind=kind,
                           subject_ref=kind.split(".")[0], period=period, title=title,
                           body="\n".join([intro, *[i.line for i in items]]), link=link, now=now,
                           mandatory=mandatory)
    except sa.exc.IntegrityError:
        # Another run reminded this person of these stages at the same moment.
        return False
    return True


def _heads(session: Session) -> list[tuple[str, int]]:
    """(unit path, person id) of every current unit head, deepest units first."""
    rows = session.exec(select(Unit.path, Account.person_id)
                        .join(RoleGrant, RoleGrant.unit_id == Unit.id)
                        .join(Account, Account.id == RoleGrant.account_id)
                        .where(RoleGrant.role == "unit_head", RoleGrant.revoked_at.is_(None),
                               Account.is_active.is_(True))).all()
    return sorted(rows, key=lambda r: -len(r[0]))


def _head_for(heads: list[tuple[str, int]], item: Unsigned) -> int | None:
    for path, person_id in heads:
        if item.unit_path.startswith(path) and person_id != item.person_id:
            return person_id
    return None


def _day(value: datetime, tz: ZoneInfo) -> str:
    return value.astimezone(tz).strftime("%d/%m/%Y")


def remind_commitments(engine: Engine, *, now: datetime, tz: ZoneInfo, policy: rules.ReminderPolicy,
                       window: rules.SendingWindow) -> int:
    """Send the commitment reminders due at ``now``; returns how many messages were written.

    Nothing is sent on weekends, holidays or in quiet hours (the next run in the window
    catches up). Signed and exempted people are never reminded; people who declined are
    left to their unit head.
    """
    local = now.astimezone(tz)
    if not window.may_send(local):
        return 0
    today = local.date()
    with unit_of_work(engine) as session:
        pending = commitments_queries.unsigned_in_open_campaigns(session, now=now)
        heads = _heads(session)
    per_person: dict[int, list[Item]] = defaultdict(list)
    urgent: set[int] = set()
    per_head: dict[int, list[Unsigned]] = defaultdict(list)
    for u in pending:
        due_on = (u.due_at - timedelta(seconds=1)).astimezone(tz).date()
        stage = rules.campaign_stage(today=today, opens_on=u.opens_at.astimezone(tz).date(),
                                     due_on=due_on, policy=policy, window=window)
        if stage is None:
            continue
        if stage == rules.ESCALATE:
            head = _head_for(heads, u)
            if head is not None:
                per_head[head].append(u)
            continue
        if u.status == "declined":
            continue
        per_person[u.person_id].append(Item(
            subject_ref=f"campaign:{u.campaign_id}", stage=stage,
            line=rules.reminder_line(campaign=u.campaign_name, stage=stage,
                                     due_on=due_on.strftime("%d/%m/%Y"),
                                     days_left=(due_on - today).days)))
        if rules.is_urgent(stage):
            urgent.add(u.person_id)
    written = 0
    people = sorted(per_person)
    for start in range(0, len(people), BATCH):
        with unit_of_work(engine) as session:
            for pid in people[start:start + BATCH]:
                items = per_person[pid]
                written += send_batch(
                    session, recipient_id=pid, category="commitments", kind=REMINDER_KIND,
                    title="Your commitment is waiting for your signature",
                    intro="Please sign your conduct commitment:", items=items, link="/commitments",
                    mandatory=pid in urgent, now=now, today=today.isoformat())
    if per_head:
        with unit_of_work(engine) as session:
            names = dict(session.exec(select(Person.id, Person.full_name).where(
                Person.id.in_({u.person_id for rows in per_head.values() for u in rows}))).all())
            for head, rows in sorted(per_head.items()):
                items = [Item(subject_ref=f"campaign:{u.campaign_id}:person:{u.person_id}",
                              stage=rules.ESCALATE,
                              line=f"• {names.get(u.person_id, '?')} — {u.campaign_name}, due "
                                   f"{_day(u.due_at - timedelta(seconds=1), tz)}"
                                   f"{' (declined)' if u.status == 'declined' else ''}")
                         for u in sorted(rows, key=lambda r: (r.campaign_id, names.get(r.person_id, "")))]
                written += send_batch(
                    session, recipient_id=head, category="commitments", kind=ESCALATION_KIND,
                    title="People in your unit have not signed their commitment",
                    intro="These people are past their due date and have not signed:", items=items,
                    link="/commitments/campaigns", mandatory=True, now=now, today=today.isoformat())
    return written


# --- green office duty rosters ----------------------------------------------------------------

DUTY_KIND = "green.duty"


def days_ahead(today: date, window: rules.SendingWindow) -> list[date]:
    """The days a run today reminds of: tomorrow, and on to the next working day.

    On a Friday that is Saturday, Sunday and Monday, so nobody is reminded on a weekend and
    a Monday duty is announced the working day before.
    """
    out = []
    day = today
    for _ in range(14):
        day += timedelta(days=1)
        out.append(day)
        if window.is_working_day(day):
            break
    return out


def remind_duties(engine: Engine, *, now: datetime, tz: ZoneInfo, window: rules.SendingWindow) -> int:
    """Remind everyone on a green-office duty the working day before; returns messages written."""
    local = now.astimezone(tz)
    if not window.may_send(local):
        return 0
    written = 0
    with unit_of_work(engine) as session:
        for day in days_ahead(local.date(), window):
            for person_id, title, on in green_queries.duties_due(session, on_date=day):
                when = "tomorrow" if on == local.date() + timedelta(days=1) else on.strftime("%A %d/%m")
                written += service.notify(
                    session, person_id=person_id, category="green", kind=DUTY_KIND,
                    subject_ref=f"duty:{on.isoformat()}",
                    period=hashlib.sha256(title.encode()).hexdigest()[:12],
                    title=f"Green-office duty {when}: {title}",
                    body=f"You are on the duty roster “{title}” on {on.strftime('%d/%m/%Y')}.",
                    link="/green", now=now)
    return written
