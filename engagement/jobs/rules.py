"""Pure rules of the scheduled jobs: sending windows, reminder stages, digests, nudges.

No database, no clock: every function takes the facts and the time it needs. Texts are
written in the current language (``core.i18n``): the jobs call these under
``i18n.using(recipient_language)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from engagement.core import formats, i18n
from engagement.core.i18n import N_, Msg, _, _n


@dataclass(frozen=True)
class SendingWindow:
    """When reminders may go out, in the organisation's local time."""

    quiet_start: time = time(20, 0)
    quiet_end: time = time(7, 0)
    holidays: frozenset[date] = frozenset()

    def is_working_day(self, day: date) -> bool:
        """Monday to Friday and not a listed holiday."""
        return day.weekday() < 5 and day not in self.holidays

    def is_quiet(self, moment: time) -> bool:
        """Whether a local time of day falls in the quiet hours (the window may span midnight)."""
        if self.quiet_start == self.quiet_end:
            return False
        if self.quiet_start < self.quiet_end:
            return self.quiet_start <= moment < self.quiet_end
        return moment >= self.quiet_start or moment < self.quiet_end

    def may_send(self, local_moment: datetime) -> bool:
        """Whether a reminder may be sent at this local date and time."""
        return self.is_working_day(local_moment.date()) and not self.is_quiet(local_moment.time())

    def sending_time(self, now: datetime, tz: tzinfo) -> datetime | None:
        """``now`` in the organisation's local time ``tz`` when a message may go out then, else None."""
        local = now.astimezone(tz)
        return local if self.may_send(local) else None


def parse_holidays(raw: str) -> frozenset[date]:
    """Holidays from a setting like ``2026-01-01,2026-04-30``.

    Raises:
        ValueError: with the bad entry named, so the operator can fix the setting.
    """
    days: set[date] = set()
    for part in (p.strip() for p in raw.split(",")):
        if not part:
            continue
        try:
            days.add(date.fromisoformat(part))
        except ValueError as exc:
            msg = f"Holiday {part!r} is not a date like 2026-04-30"
            raise ValueError(msg) from exc
    return frozenset(days)


def parse_clock(raw: str) -> time:
    """A time of day from ``HH:MM``.

    Raises:
        ValueError: naming the bad value.
    """
    try:
        hours, minutes = raw.strip().split(":")
        return time(int(hours), int(minutes))
    except ValueError as exc:
        msg = f"{raw!r} is not a time like 20:00"
        raise ValueError(msg) from exc


# --- commitment campaign reminders ------------------------------------------------------------

ESCALATE = "escalate"


@dataclass(frozen=True)
class ReminderPolicy:
    """When a campaign reminds the people who have not signed.

    At launch; then every ``every_days`` days while unsigned; ``before_days`` days before the
    due date; on the due date; then on each of the first ``overdue_max`` working days
    overdue; after that the unit head gets the list instead (the person nothing more).
    """

    every_days: int = 3
    before_days: int = 3
    overdue_max: int = 3


def working_days_after(start: date, end: date, window: SendingWindow) -> int:
    """How many working days d with start < d <= end."""
    if end <= start:
        return 0
    return sum(1 for n in range(1, (end - start).days + 1)
               if window.is_working_day(start + timedelta(days=n)))


def campaign_stage(*, today: date, opens_on: date, due_on: date, policy: ReminderPolicy,
                   window: SendingWindow) -> str | None:
    """The reminder a person who has not signed is owed today (None before the campaign opens).

    A stage names one occurrence; the job sends each (person, campaign, stage) once, so a
    stage that fell on a weekend is sent the next working day unless a later one replaced it.

    Returns:
        ``launch``, ``every-<k>``, ``before-<n>``, ``due``, ``overdue-<k>`` or ``escalate``.
    """
    if today < opens_on:
        return None
    if today > due_on:
        late = working_days_after(due_on, today, window)
        if late == 0:
            return "due"
        return f"overdue-{late}" if late <= policy.overdue_max else ESCALATE
    if today == due_on:
        return "due"
    if policy.before_days > 0 and today >= due_on - timedelta(days=policy.before_days):
        return f"before-{policy.before_days}"
    k = (today - opens_on).days // max(1, policy.every_days)
    return "launch" if k == 0 else f"every-{k}"


def is_urgent(stage: str) -> bool:
    """Due-day and overdue reminders are mandatory notices (they ignore "off")."""
    return stage == "due" or stage.startswith("overdue-") or stage == ESCALATE


def reminder_line(*, campaign: str, stage: str, due_on: str, days_left: int) -> str:
    """One line of a person's reminder about one campaign (in the current language)."""
    if stage == "launch":
        return _("• {campaign}: now open; please sign by {due_on}.", campaign=campaign, due_on=due_on)
    if stage == "due":
        return _("• {campaign}: today ({due_on}) is the last day to sign.", campaign=campaign, due_on=due_on)
    if stage.startswith("overdue-"):
        return _("• {campaign}: was due on {due_on}; please sign as soon as you can.",
                 campaign=campaign, due_on=due_on)
    return _("• {campaign}: please sign by {due_on} ({days_left} day(s) left).",
             campaign=campaign, due_on=due_on, days_left=days_left)


def parse_policy(raw: str) -> ReminderPolicy:
    """A policy from a setting like ``every=3,before=3,overdue=3``.

    Raises:
        ValueError: naming the bad part.
    """
    values = {"every": 3, "before": 3, "overdue": 3}
    for part in (p.strip() for p in raw.split(",")):
        if not part:
            continue
        key, _, value = part.partition("=")
        if key.strip() not in values or not value.strip().isdigit():
            msg = f"Reminder setting {part!r} should look like every=3, before=3 or overdue=3"
            raise ValueError(msg)
        values[key.strip()] = int(value)
    return ReminderPolicy(every_days=max(1, values["every"]), before_days=values["before"],
                          overdue_max=values["overdue"])


# --- weekly and monthly digests ---------------------------------------------------------------

#: A monthly digest for last month goes out on the first working day it can, up to this day
#: of the month; later (the scheduler was down for ten days) it is old news and is skipped.
MONTHLY_DIGEST_LAST_DAY = 10


@dataclass(frozen=True)
class Span:
    """A closed range of local days with its key (``2026-W47``, ``2026-10``) and a label."""

    first: date
    last: date
    key: str
    #: A calendar month (labelled by its name) rather than a range of days.
    month: bool = False

    @property
    def label(self) -> str:
        """``16/11 – 22/11/2026`` or ``November 2026``, in the current language (read it per reader)."""
        if self.month:
            return formats.month_label(self.first.year, self.first.month)
        return f"{self.first.strftime('%d/%m')} – {self.last.strftime('%d/%m/%Y')}"


def previous_week(today: date) -> Span:
    """The ISO week (Monday to Sunday) before the one ``today`` is in."""
    first = today - timedelta(days=today.weekday() + 7)
    last = first + timedelta(days=6)
    year, week, _weekday = first.isocalendar()
    return Span(first=first, last=last, key=f"{year}-W{week:02d}")


def previous_month(today: date) -> Span:
    """The calendar month before ``today``'s."""
    last = today.replace(day=1) - timedelta(days=1)
    first = last.replace(day=1)
    return Span(first=first, last=last, key=f"{first.year:04d}-{first.month:02d}", month=True)


def monthly_digest_due(today: date, window: SendingWindow) -> bool:
    """Whether last month's digest may go out today (a working day early in the month)."""
    return today.day <= MONTHLY_DIGEST_LAST_DAY and window.is_working_day(today)


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st... in English; the bare number in another
    language (its messages put the word around it: "hạng {rank}")."""
    if i18n.current() != "en":
        return str(n)
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def excerpt(text: str, limit: int = 80) -> str:
    """One line of at most ``limit`` characters, cut at a word with an ellipsis."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit - 1].rsplit(" ", 1)[0] if " " in flat[:limit - 1] else flat[:limit - 1]
    return cut.rstrip(",.;:") + "…"


@dataclass(frozen=True)
class Received:
    """A recognition someone received, as a weekly digest lists it."""

    giver: str
    #: The level's label: a ``Msg`` (rendered in the reader's language) or a text.
    level: str | Msg
    message: str


@dataclass(frozen=True)
class WeeklyFacts:
    """What a person's week holds for their digest."""

    received: tuple[Received, ...]
    week_points: int
    month_label: str
    month_points: int
    year_label: str
    year_points: int


#: How many recognitions a weekly digest quotes (the rest are counted).
WEEKLY_QUOTES = 3


def weekly_digest(facts: WeeklyFacts, span: Span) -> tuple[str, str] | None:
    """(title, body) of a person's weekly digest in the current language, or None when the
    week held nothing for them."""
    n = len(facts.received)
    if n == 0 and facts.week_points == 0:
        return None
    week = f"{facts.week_points:+d}"
    parts = []
    if n:
        parts.append(_n("{n} recognition", "{n} recognitions", n))
    if facts.week_points:
        parts.append(_("{points} points", points=week))
    lines = [_("Your week ({span}):", span=span.label)]
    if n:
        lines.append(_n("• {n} recognition received:", "• {n} recognitions received:", n))
        lines.extend(_("  – {level} from {giver}: “{message}”", level=r.level, giver=r.giver,
                       message=excerpt(r.message))
                     for r in facts.received[:WEEKLY_QUOTES])
        if n > WEEKLY_QUOTES:
            lines.append(_("  – and {n} more", n=n - WEEKLY_QUOTES))
    lines.append(_("• Points: {week} this week; {month_points} in {month}, {year_points} in {year}.",
                   week=week, month_points=facts.month_points, month=facts.month_label,
                   year_points=facts.year_points, year=facts.year_label))
    return _("Your week: {summary}", summary=", ".join(parts)), "\n".join(lines)


@dataclass(frozen=True)
class CampaignProgress:
    """A commitment campaign's completion in one unit (sub-units included)."""

    name: str
    done: int
    total: int


@dataclass(frozen=True)
class UnitMonth:
    """What a unit head's monthly digest reports about one unit."""

    unit: str
    members: int
    points: int
    rank: int | None
    peers: int
    previous_rank: int | None
    recognitions: int
    green_activities: int
    campaigns: tuple[CampaignProgress, ...]


def _points_line(facts: UnitMonth) -> str:
    if facts.rank is None:
        return _("• Points: {points}", points=facts.points)
    rank, peers = ordinal(facts.rank), facts.peers
    if facts.previous_rank is None or facts.previous_rank == facts.rank:
        return _("• Points: {points} — {rank} of {peers} units at its level",
                 points=facts.points, rank=rank, peers=peers)
    moved, before = facts.previous_rank - facts.rank, ordinal(facts.previous_rank)
    if moved > 0:
        return _("• Points: {points} — {rank} of {peers} units at its level (up {moved} from {before})",
                 points=facts.points, rank=rank, peers=peers, moved=moved, before=before)
    return _("• Points: {points} — {rank} of {peers} units at its level (down {moved} from {before})",
             points=facts.points, rank=rank, peers=peers, moved=-moved, before=before)


def unit_digest(facts: UnitMonth, span: Span) -> tuple[str, str]:
    """(title, body) of a unit head's monthly digest for one unit, in the current language."""
    lines = [_n("{unit} in {month} ({n} member):", "{unit} in {month} ({n} members):", facts.members,
                unit=facts.unit, month=span.label),
             _points_line(facts),
             _("• Recognition received: {n}", n=facts.recognitions),
             _("• Green-office activities approved: {n}", n=facts.green_activities)]
    for c in facts.campaigns:
        percent = round(100 * c.done / c.total) if c.total else 0
        left = c.total - c.done
        if left:
            lines.append(_("• {campaign}: {done} of {total} signed or exempted ({percent}%), {left} not yet",
                           campaign=c.name, done=c.done, total=c.total, percent=percent, left=left))
        else:
            lines.append(_("• {campaign}: {done} of {total} signed or exempted ({percent}%)",
                           campaign=c.name, done=c.done, total=c.total, percent=percent))
    return _("{unit}: your month in review ({month})", unit=facts.unit, month=span.label), "\n".join(lines)


# --- nudges: unused recognition allowance, idle green members, campaigns closing soon ---------

#: How far to look for a working day before giving up (a year of holidays is a bad setting).
_MAX_SEARCH_DAYS = 366

def last_working_days(year: int, month: int, count: int, window: SendingWindow) -> tuple[date, ...]:
    """The last ``count`` working days of a month, in order (fewer if the month has fewer)."""
    first = date(year, month, 1)
    day = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
    found: list[date] = []
    while day >= first and len(found) < count:
        if window.is_working_day(day):
            found.append(day)
        day -= timedelta(days=1)
    return tuple(reversed(found))


def allowance_nudge_due(today: date, *, days: int, window: SendingWindow) -> bool:
    """Whether the unused-allowance nudge may go out today.

    Only on a working day among the last ``days`` working days of today's month: from the
    first of them on (so a missed first day is caught up on the next), and never in the next
    month, whose allowance is a new one.
    """
    if days <= 0 or not window.is_working_day(today):
        return False
    last = last_working_days(today.year, today.month, days, window)
    return bool(last) and today >= last[0]


def next_working_day(day: date, window: SendingWindow) -> date:
    """``day`` itself when it is a working day, else the first working day after it."""
    for n in range(_MAX_SEARCH_DAYS):
        candidate = day + timedelta(days=n)
        if window.is_working_day(candidate):
            return candidate
    return day


def previous_working_day(day: date, window: SendingWindow) -> date:
    """``day`` itself when it is a working day, else the last working day before it."""
    for n in range(_MAX_SEARCH_DAYS):
        candidate = day - timedelta(days=n)
        if window.is_working_day(candidate):
            return candidate
    return day


def idle_nudge(*, today: date, last_active: date, every_days: int, window: SendingWindow) -> int | None:
    """Which idle nudge (1, 2, 3...) a campaign member quiet since ``last_active`` is owed today.

    ``last_active`` is the day of their last activity in the campaign, or the campaign's
    first day when they have none. The first nudge falls due on the first working day after
    more than ``every_days`` quiet days (``last_active + every_days + 1`` or later); each
    next one ``every_days`` days after the previous due day, moved to a working day. So two
    nudges about one campaign are never fewer than ``every_days`` days apart, a nudge due on
    a weekend goes out on the next working day, and logging an activity (a new
    ``last_active``) starts the count again. The job keys a nudge by (``last_active``, number),
    so each is sent at most once.

    Returns:
        The number of the nudge whose period today falls in, or None (not idle long enough,
        or ``every_days`` is 0: nudges turned off).
    """
    if every_days <= 0:
        return None
    due = next_working_day(last_active + timedelta(days=every_days + 1), window)
    if today < due:
        return None
    number = 1
    while True:
        following = next_working_day(due + timedelta(days=every_days), window)
        if following > today or following <= due:
            return number
        due, number = following, number + 1


def closing_day(ends_on: date, *, days_before: int, window: SendingWindow) -> date:
    """The day a campaign's "closing soon" message is due: ``days_before`` days before its
    last day, or the working day before that when it is a weekend or holiday."""
    return previous_working_day(ends_on - timedelta(days=max(0, days_before)), window)


def closing_due(today: date, *, starts_on: date, ends_on: date, days_before: int,
                window: SendingWindow) -> bool:
    """Whether a campaign's "closing soon" message may go out today.

    From its closing day (``closing_day``) on, caught up on a later working day if missed,
    never after the campaign's last day and never before it has started.
    """
    if not window.is_working_day(today) or not starts_on <= today <= ends_on:
        return False
    return today >= closing_day(ends_on, days_before=days_before, window=window)


#: The error a run records until it finishes: what the admin reads when the process stopped
#: mid-run (stored as its message id, shown in the reader's language).
INTERRUPTED = N_("Interrupted before it finished (the process stopped).")


def job_busy(*, since: datetime, today: date) -> Msg:
    """What an admin reads when "Run now" finds the job already running (rendered for the reader).

    Args:
        since: when the running run started, in the organisation's local time.
        today: the local date now (an older start is shown with its date).
    """
    when = since.strftime("%H:%M") if since.date() == today else since.strftime("%d/%m/%Y %H:%M")
    return N_("This job is running now (since {when}); try again when it finishes.", when=when)


def job_busy_message(*, since: datetime, today: date) -> str:
    """``job_busy`` in the current language."""
    return job_busy(since=since, today=today).render()
