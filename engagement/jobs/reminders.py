"""Scheduled reminders: commitment campaigns and green-office duties (issue 7).

Each run looks at who has not signed, works out the stage each person is at
(``rules.campaign_stage``), and sends ONE message per person listing all their pending
campaigns, only when at least one of them reached a new stage. Each message is written in its
recipient's language (``notify.queries.languages``, read once per batch of people). The marks of the stages a
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
from engagement.core import formats, i18n, routes
from engagement.core.db import unit_of_work
from engagement.core.i18n import _
from engagement.green import queries as green_queries
from engagement.jobs import rules
from engagement.jobs.models import ReminderMark
from engagement.notify import queries as notify_queries
from engagement.notify import service as notify_service
from engagement.org.models import Account, Person, RoleGrant, Unit

#: People handled per transaction, one at a time (``bulk=False``).
BATCH = 200
#: People handled per transaction on the bulk path (a few statements per 500 of them).
BULK_BATCH = 2000

REMINDER_KIND = "commitments.reminder"
ESCALATION_KIND = "commitments.escalation"


@dataclass(frozen=True)
class Item:
    """One line of a batched message and the mark that says it was sent."""

    subject_ref: str
    stage: str
    line: str


@dataclass(frozen=True)
class Batch:
    """One recipient's message for one run: the lines it lists and what it is about."""

    recipient_id: int
    category: str
    kind: str
    title: str
    intro: str
    items: list[Item]
    link: str
    mandatory: bool


def _period(today: str, new: list[Item]) -> str:
    digest = hashlib.sha256("|".join(sorted(f"{i.subject_ref}:{i.stage}" for i in new)).encode())
    return f"{today}:{digest.hexdigest()[:12]}"


def _message(b: Batch, period: str) -> notify_service.Message:
    return notify_service.Message(person_id=b.recipient_id, category=b.category, kind=b.kind,
                           subject_ref=b.kind.split(".")[0], period=period, title=b.title,
                           body="\n".join([b.intro, *[i.line for i in b.items]]), link=b.link,
                           mandatory=b.mandatory)


def send_batch(session: Session, *, batch: Batch, now: datetime, today: str) -> bool:
    """One message listing the batch's items, if any of them reached a stage not yet sent.

    Returns:
        True when a message was written (False: nothing new, or another run wrote it).
    """
    b = batch
    done = set(session.exec(select(ReminderMark.subject_ref, ReminderMark.stage).where(
        ReminderMark.recipient_id == b.recipient_id, ReminderMark.kind == b.kind,
        ReminderMark.subject_ref.in_([i.subject_ref for i in b.items]))).all())
    new = [i for i in b.items if (i.subject_ref, i.stage) not in done]
    if not new:
        return False
    m = _message(b, _period(today, new))
    try:
        with session.begin_nested():
            for i in new:
                session.add(ReminderMark(recipient_id=b.recipient_id, kind=b.kind,
                                         subject_ref=i.subject_ref, stage=i.stage, created_at=now))
            session.flush()
            notify_service.notify(session, person_id=m.person_id, category=m.category, kind=m.kind,
                           subject_ref=m.subject_ref, period=m.period, title=m.title, body=m.body,
                           link=m.link, now=now, mandatory=m.mandatory)
    except sa.exc.IntegrityError:
        # Another run reminded this person of these stages at the same moment.
        return False
    return True


def send_batches(session: Session, batches: list[Batch], *, now: datetime, today: str) -> int:
    """``send_batch`` for many recipients in a few statements: the same marks and messages.

    The marks already sent are read for a whole chunk of recipients, the new marks are
    inserted in one statement and the messages go through ``notify_service.notify_many``. If another
    run wrote one of the same marks meanwhile (unique key), that chunk is rolled back to its
    savepoint and sent one recipient at a time by ``send_batch``, which skips exactly what
    the other run covered.

    Returns:
        How many recipients got a message.
    """
    written = 0
    for start in range(0, len(batches), notify_service.BULK_CHUNK):
        chunk = batches[start:start + notify_service.BULK_CHUNK]
        done = set(session.exec(select(ReminderMark.recipient_id, ReminderMark.kind,
                                       ReminderMark.subject_ref, ReminderMark.stage).where(
            notify_service.recipient_range(ReminderMark.recipient_id, {b.recipient_id for b in chunk}),
            ReminderMark.kind.in_({b.kind for b in chunk}))).all())
        todo = []
        for b in chunk:
            new = [i for i in b.items if (b.recipient_id, b.kind, i.subject_ref, i.stage) not in done]
            if new:
                todo.append((b, new))
        if not todo:
            continue
        try:
            with session.begin_nested():
                session.execute(sa.insert(ReminderMark.__table__), [
                    {"recipient_id": b.recipient_id, "kind": b.kind, "subject_ref": i.subject_ref,
                     "stage": i.stage, "created_at": now} for b, new in todo for i in new])
                notify_service.notify_many(session, [_message(b, _period(today, new)) for b, new in todo],
                                    now=now)
            written += len(todo)
        except sa.exc.IntegrityError:
            written += sum(send_batch(session, batch=b, now=now, today=today) for b, _ in todo)
    return written


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
    return formats.day(value.astimezone(tz).date())


def _escalation_line(*, person: str, campaign: str, due_on: str, declined: bool) -> str:
    """One line of a unit head's escalation, in the current language."""
    if declined:
        return _("• {person} — {campaign}, due {due_on} (declined)", person=person, campaign=campaign,
                 due_on=due_on)
    return _("• {person} — {campaign}, due {due_on}", person=person, campaign=campaign, due_on=due_on)


def _send(session: Session, batches: list[Batch], *, bulk: bool, now: datetime, today: str) -> int:
    if bulk:
        return send_batches(session, batches, now=now, today=today)
    return sum(send_batch(session, batch=b, now=now, today=today) for b in batches)


def remind_commitments(engine: Engine, *, now: datetime, tz: ZoneInfo, policy: rules.ReminderPolicy,
                       window: rules.SendingWindow, bulk: bool = True) -> int:
    """Send the commitment reminders due at ``now``; returns how many messages were written.

    Nothing is sent on weekends, holidays or in quiet hours (the next run in the window
    catches up). Signed and exempted people are never reminded; people who declined are
    left to their unit head. ``bulk=False`` sends one recipient at a time (``send_batch``,
    about ten statements each): the same result, kept for the benchmark's comparison and
    as the fallback when a concurrent run collides.
    """
    local = window.sending_time(now, tz)
    if local is None:
        return 0
    today = local.date()
    with unit_of_work(engine) as session:
        pending = commitments_queries.unsigned_in_open_campaigns(session, now=now)
        heads = _heads(session)
    # (subject, stage, campaign, due day, days left): the lines are written per recipient's language.
    per_person: dict[int, list[tuple[str, str, str, date, int]]] = defaultdict(list)
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
        per_person[u.person_id].append((f"campaign:{u.campaign_id}", stage, u.campaign_name, due_on,
                                        (due_on - today).days))
        if rules.is_urgent(stage):
            urgent.add(u.person_id)
    written = 0
    people = sorted(per_person)
    size = BULK_BATCH if bulk else BATCH
    for start in range(0, len(people), size):
        with unit_of_work(engine) as session:
            chunk = people[start:start + size]
            langs = notify_queries.languages(session, chunk)
            batches = []
            for pid in chunk:
                with i18n.using(langs[pid]):
                    items = [Item(subject_ref=ref, stage=stage,
                                  line=rules.reminder_line(campaign=name, stage=stage, due_on=formats.day(due_on),
                                                           days_left=left))
                             for ref, stage, name, due_on, left in per_person[pid]]
                    batches.append(Batch(recipient_id=pid, category="commitments", kind=REMINDER_KIND,
                                         title=_("Your commitment is waiting for your signature"),
                                         intro=_("Please sign your conduct commitment:"), items=items,
                                         link=routes.COMMITMENTS, mandatory=pid in urgent))
            written += _send(session, batches, bulk=bulk, now=now, today=today.isoformat())
    if per_head:
        with unit_of_work(engine) as session:
            names = dict(session.exec(select(Person.id, Person.full_name).where(
                Person.id.in_({u.person_id for rows in per_head.values() for u in rows}))).all())
            langs = notify_queries.languages(session, per_head)
            batches = []
            for head, rows in sorted(per_head.items()):
                with i18n.using(langs[head]):
                    items = [Item(subject_ref=f"campaign:{u.campaign_id}:person:{u.person_id}",
                                  stage=rules.ESCALATE, line=_escalation_line(
                                      person=names.get(u.person_id, "?"), campaign=u.campaign_name,
                                      due_on=_day(u.due_at - timedelta(seconds=1), tz),
                                      declined=u.status == "declined"))
                             for u in sorted(rows, key=lambda r: (r.campaign_id, names.get(r.person_id, "")))]
                    batches.append(Batch(
                        recipient_id=head, category="commitments", kind=ESCALATION_KIND,
                        title=_("People in your unit have not signed their commitment"),
                        intro=_("These people are past their due date and have not signed:"), items=items,
                        link=routes.CAMPAIGNS, mandatory=True))
            written += _send(session, batches, bulk=bulk, now=now, today=today.isoformat())
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
    for _step in range(14):
        day += timedelta(days=1)
        out.append(day)
        if window.is_working_day(day):
            break
    return out


def remind_duties(engine: Engine, *, now: datetime, tz: ZoneInfo, window: rules.SendingWindow) -> int:
    """Remind everyone on a green-office duty the working day before; returns messages written."""
    local = window.sending_time(now, tz)
    if local is None:
        return 0
    today = local.date()
    written = 0
    with unit_of_work(engine) as session:
        duties = [d for day in days_ahead(today, window) for d in green_queries.duties_due(session, on_date=day)]
        langs = notify_queries.languages(session, {person_id for person_id, _title, _on in duties})
        for person_id, title, on in duties:
            with i18n.using(langs[person_id]):
                if on == today + timedelta(days=1):
                    heading = _("Green-office duty tomorrow: {roster}", roster=title)
                else:
                    heading = _("Green-office duty {weekday} {day}: {roster}", roster=title,
                                weekday=formats.weekday_name(on.weekday()), day=on.strftime("%d/%m"))
                body = _("You are on the duty roster “{roster}” on {day}.", roster=title, day=formats.day(on))
            written += notify_service.notify(
                session, person_id=person_id, category="green", kind=DUTY_KIND,
                subject_ref=f"duty:{on.isoformat()}",
                period=hashlib.sha256(title.encode()).hexdigest()[:12],
                title=heading, body=body, link=routes.GREEN, now=now)
    return written
