"""Pure rules of notifications: channels from preferences, back-off, sending windows, reminders.

No database, no clock: every function takes the facts and the time it needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum


class Mode(StrEnum):
    """How a person wants a category of messages."""

    IN_APP = "in_app"
    EMAIL = "email"
    OFF = "off"


MODE_LABELS: dict[Mode, str] = {
    Mode.IN_APP: "In the app only",
    Mode.EMAIL: "In the app and by e-mail",
    Mode.OFF: "Off",
}

#: The categories a person can set, with their labels (order is the page's order).
CATEGORIES: dict[str, str] = {
    "commitments": "Commitments (reminders to sign)",
    "recognition": "Recognition and citizens' thanks",
    "green": "Green office",
    "commendations": "Commendations",
    "digests": "Digests of work waiting for me",
}

#: Used when a person has not chosen.
DEFAULT_MODE = Mode.IN_APP

IN_APP = "in_app"
EMAIL = "email"

#: Outbox statuses.
PENDING = "pending"
SENDING = "sending"
SENT = "sent"
FAILED = "failed"


def channels(mode: Mode | str | None, *, mandatory: bool, has_email: bool) -> tuple[str, ...]:
    """The channels a message goes on for a person's chosen mode.

    Args:
        mode: the person's choice for the message's category (None: the default).
        mandatory: a notice the person must get whatever they chose (still in-app at least).
        has_email: whether the person has an e-mail address on record.

    Returns:
        ``()`` (nothing), ``("in_app",)`` or ``("in_app", "email")``.
    """
    chosen = Mode(mode) if mode else DEFAULT_MODE
    if chosen is Mode.OFF:
        return (IN_APP,) if mandatory else ()
    if chosen is Mode.EMAIL and has_email:
        return (IN_APP, EMAIL)
    return (IN_APP,)


def backoff(attempts: int, *, base_seconds: int = 60, cap_seconds: int = 6 * 3600) -> timedelta:
    """How long to wait after the ``attempts``-th failed try (1, 2, 4, 8... minutes, capped)."""
    exponent = max(0, attempts - 1)
    return timedelta(seconds=min(cap_seconds, base_seconds * (2 ** min(exponent, 30))))


def give_up(attempts: int, *, max_attempts: int) -> bool:
    """Whether a message that failed ``attempts`` times is failed for good."""
    return attempts >= max_attempts


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
    """One line of a person's reminder about one campaign."""
    if stage == "launch":
        return f"• {campaign}: now open; please sign by {due_on}."
    if stage == "due":
        return f"• {campaign}: today ({due_on}) is the last day to sign."
    if stage.startswith("overdue-"):
        return f"• {campaign}: was due on {due_on}; please sign as soon as you can."
    return f"• {campaign}: please sign by {due_on} ({days_left} day(s) left)."


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


def job_busy_message(*, since: datetime, today: date) -> str:
    """What an admin reads when "Run now" finds the job already running.

    Args:
        since: when the running run started, in the organisation's local time.
        today: the local date now (an older start is shown with its date).
    """
    when = since.strftime("%H:%M") if since.date() == today else since.strftime("%d/%m/%Y %H:%M")
    return f"This job is running now (since {when}); try again when it finishes."
