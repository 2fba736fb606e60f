"""Nudges (issue 7): unused recognition allowance at month end, idle green-campaign members,
green campaigns closing soon.

Each job reads who is owed a nudge in one set-based pass (a handful of queries whatever the
head count), then writes in batches of ``BATCH`` people per transaction. A batch first reads
which of its people already have the nudge (one indexed query on the outbox or the reminder
marks, by recipient), so an hourly rerun costs a few reads per batch and writes nothing. What
makes a nudge go out once is still the database: the outbox key (and, for idle nudges, the
``reminder_mark`` rows written with the message), so a crash mid-run, a rerun or two runs at
once neither repeat nor skip anyone. Nothing goes out on weekends, holidays or in quiet hours;
the next run in the window catches up. Each message is written in its recipient's language
(``notify.queries.languages``, read once per batch).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from engagement.core import formats, i18n, routes
from engagement.core.db import unit_of_work
from engagement.core.i18n import _, _n
from engagement.green import queries as green_queries
from engagement.jobs import rules
from engagement.jobs.models import ReminderMark
from engagement.jobs.reminders import Batch, Item, send_batch
from engagement.notify import queries as notify_queries
from engagement.notify import service as notify_service
from engagement.org.models import Account
from engagement.recognition import queries as recognition_queries
from engagement.recognition import rules as recognition_rules

#: People handled per transaction.
BATCH = 200

ALLOWANCE_KIND = "recognition.allowance"
IDLE_KIND = "green.idle"
CLOSING_KIND = "green.closing"


def _batches(items: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(items), BATCH):
        yield items[start:start + BATCH]


def _d(day: date) -> str:
    return formats.day(day)


def _sending_day(now: datetime, tz: ZoneInfo, setting: int | None, window: rules.SendingWindow) -> date | None:
    """The local date when a nudge whose setting is ``setting`` (None: off) may go out now, else None."""
    local = window.sending_time(now, tz)
    return None if setting is None or local is None else local.date()


# --- unused recognition allowance ---------------------------------------------------------------


def nudge_allowances(engine: Engine, *, now: datetime, tz: ZoneInfo, days: int | None,
                     window: rules.SendingWindow) -> int:
    """Remind everyone with allowance left, once a month, in the last ``days`` working days.

    Returns:
        How many messages were written (0 outside the window or with ``days`` None: off).
    """
    local = window.sending_time(now, tz)
    if days is None or local is None or not rules.allowance_nudge_due(local.date(), days=days, window=window):
        return 0
    month = recognition_rules.month_key(local)
    with unit_of_work(engine) as session:
        owed = dict(recognition_queries.unspent_allowances(session, month=month))
    written = 0
    for batch in _batches(sorted(owed)):
        with unit_of_work(engine) as session:
            done = notify_queries.already_notified(session, people=batch, kind=ALLOWANCE_KIND,
                                                   subject_ref="allowance", period=month)
            langs = notify_queries.languages(session, [pid for pid in batch if pid not in done])
            for pid in batch:
                if pid in done:
                    continue
                a = owed[pid]
                with i18n.using(langs[pid]):
                    label = formats.month_label(local.year, local.month)
                    title = _("You still have {left} of {total} recognition points to give in {month}",
                              left=a.left, total=a.total, month=label)
                    body = _("You still have {left} of {total} recognition points to give in {month}; they do "
                             "not carry over. Thank a colleague whose work made a difference.",
                             left=a.left, total=a.total, month=label)
                written += notify_service.notify(
                    session, person_id=pid, category="recognition", kind=ALLOWANCE_KIND,
                    subject_ref="allowance", period=month, title=title, body=body,
                    link=routes.RECOGNITION, now=now)
    return written


# --- green campaigns ----------------------------------------------------------------------------


def _with_accounts(session: Session, people: set[int]) -> set[int]:
    """Those of ``people`` who can log in (a nudge asks them to act in the app)."""
    found: set[int] = set()
    ids = sorted(people)
    for start in range(0, len(ids), 1000):
        found.update(session.exec(select(Account.person_id).where(
            Account.person_id.in_(ids[start:start + 1000]), Account.is_active.is_(True))).all())
    return found


def _green_audience(session: Session, campaign_ids: list[int]) -> dict[int, set[int]]:
    """campaign id -> the active people with an active account in its participating units."""
    members = green_queries.campaign_members(session, campaign_ids=campaign_ids)
    able = _with_accounts(session, {pid for _, pid in members})
    out: dict[int, set[int]] = defaultdict(set)
    for cid, pid in members:
        if pid in able:
            out[cid].add(pid)
    return out


def _campaigns_due(session: Session, today: date, due: Callable[[date, date], bool],
                   ) -> tuple[list[tuple[int, str, date, date]], dict[int, set[int]]]:
    """The campaigns running ``today`` whose (first day, last day) are ``due``, and who to nudge in each."""
    campaigns = [c for c in green_queries.running_campaigns(session, on_date=today) if due(c[2], c[3])]
    return campaigns, _green_audience(session, [c[0] for c in campaigns])


def _idle_line(campaign: str, started: date | None, since: date) -> str:
    """One campaign of an idle nudge, in the current language (``started``: nothing logged yet)."""
    if started is not None:
        return _("• {campaign}: nothing logged since it started on {day}", campaign=campaign, day=_d(started))
    return _("• {campaign}: your last activity was logged on {day}", campaign=campaign, day=_d(since))


def nudge_idle_green(engine: Engine, *, now: datetime, tz: ZoneInfo, idle_days: int | None,
                     closing_days: int | None, window: rules.SendingWindow) -> int:
    """Nudge campaign members who have logged nothing for more than ``idle_days`` days.

    For every running campaign, each member of its participating units whose last activity
    in it (pending or approved; the campaign's first day when none) is older than
    ``idle_days`` gets the nudge ``rules.idle_nudge`` says they are owed, at most one per
    ``idle_days`` days per campaign; one message per person lists every such campaign. From a
    campaign's "closing soon" day on, its members get that message instead.

    Returns:
        How many messages were written (one per person, listing all their idle campaigns).
    """
    today = _sending_day(now, tz, idle_days, window)
    if today is None:
        return 0
    with unit_of_work(engine) as session:
        campaigns, audience = _campaigns_due(session, today, lambda _starts_on, ends_on: (
            closing_days is None or today < rules.closing_day(ends_on, days_before=closing_days, window=window)))
        last = green_queries.last_activities(session, campaign_ids=[c[0] for c in campaigns])
    # (subject, stage, campaign, its first day or None when active before, last active day);
    # the lines are written in each recipient's language.
    owed: dict[int, list[tuple[str, str, str, date | None, date]]] = defaultdict(list)
    stage_of: dict[date, int | None] = {}  # many people share a last day; the rule loops
    for cid, name, starts_on, _ends_on in campaigns:
        for pid in audience.get(cid, ()):
            seen = last.get((cid, pid))
            since = starts_on
            if seen is not None:
                since = max(since, seen[0], seen[1].astimezone(tz).date())
            if since not in stage_of:
                stage_of[since] = rules.idle_nudge(today=today, last_active=since, every_days=idle_days,
                                                   window=window)
            number = stage_of[since]
            if number is None:
                continue
            owed[pid].append((f"campaign:{cid}", f"{since.isoformat()}#{number}", name,
                              starts_on if seen is None else None, since))
    written = 0
    for batch in _batches(sorted(owed)):
        with unit_of_work(engine) as session:
            marks = set(session.exec(select(ReminderMark.recipient_id, ReminderMark.subject_ref,
                                            ReminderMark.stage).where(
                ReminderMark.recipient_id.in_(batch), ReminderMark.kind == IDLE_KIND)).all())
            todo = {pid: new for pid in batch
                    if (new := [i for i in owed[pid] if (pid, i[0], i[1]) not in marks])}
            langs = notify_queries.languages(session, todo)
            for pid, new in todo.items():
                with i18n.using(langs[pid]):
                    items = [Item(subject_ref=ref, stage=stage, line=_idle_line(name, started, since))
                             for ref, stage, name, started, since in new]
                    message = Batch(
                        recipient_id=pid, category="green", kind=IDLE_KIND,
                        title=_("Your green-office campaigns miss you"),
                        intro=_n("You have logged no activity for more than {n} day in:",
                                 "You have logged no activity for more than {n} days in:", idle_days),
                        items=items, link=routes.GREEN, mandatory=False)
                written += send_batch(session, batch=message, now=now, today=today.isoformat())
    return written


def nudge_closing_green(engine: Engine, *, now: datetime, tz: ZoneInfo, days_before: int | None,
                        window: rules.SendingWindow) -> int:
    """Tell every member of a campaign's participating units, once, that it closes soon.

    Due ``days_before`` days before the campaign's last day (the working day before when that
    is a weekend or holiday), caught up on a later working day, never after the campaign ended.

    Returns:
        How many messages were written (one per person and campaign).
    """
    today = _sending_day(now, tz, days_before, window)
    if today is None:
        return 0
    with unit_of_work(engine) as session:
        campaigns, audience = _campaigns_due(session, today, lambda starts_on, ends_on: rules.closing_due(
            today, starts_on=starts_on, ends_on=ends_on, days_before=days_before, window=window))
    written = 0
    for cid, name, _starts_on, ends_on in campaigns:
        ref = f"campaign:{cid}"
        for batch in _batches(sorted(audience.get(cid, ()))):
            with unit_of_work(engine) as session:
                done = notify_queries.already_notified(session, people=batch, kind=CLOSING_KIND,
                                                       subject_ref=ref, period="")
                langs = notify_queries.languages(session, [pid for pid in batch if pid not in done])
                for pid in batch:
                    if pid in done:
                        continue
                    with i18n.using(langs[pid]):
                        title = _("Campaign {campaign} closes on {day}: log your activities before then",
                                  campaign=name, day=_d(ends_on))
                        body = _("The campaign “{campaign}” closes on {day}. Log the activities you have done "
                                 "before then, so that they count.", campaign=name, day=_d(ends_on))
                    written += notify_service.notify(
                        session, person_id=pid, category="green", kind=CLOSING_KIND, subject_ref=ref,
                        title=title, body=body, link=routes.GREEN, now=now)
    return written
