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
