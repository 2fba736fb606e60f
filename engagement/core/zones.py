"""Stored times and the organisation's time zone: pure helpers, no clock read (``core.clock`` reads it).

Pure modules (rules, formats) use these; ``core.clock`` re-exports them for the rest.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo


def ensure_aware(value: datetime) -> datetime:
    """Treat a naive datetime read back from SQLite as UTC (SQLite drops the offset)."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def local(value: datetime, zone: tzinfo) -> datetime:
    """Show a stored UTC time in the organisation's zone."""
    return ensure_aware(value).astimezone(zone)


def local_day(value: datetime, zone: tzinfo) -> date:
    """The calendar day ``value`` falls on in ``zone``: the organisation's "today" at ``now``
    (``local_day(now, get_settings().tz)``), or the day an event counts in."""
    return local(value, zone).date()
