"""How dates and times read on pages, in messages and in exports: one place for every format.

Stored times are aware UTC; they are shown in the organisation's zone. The language issue
makes these follow the reader's language; every caller already goes through here.
"""

from __future__ import annotations

from datetime import date, datetime

from engagement.core.clock import local
from engagement.settings import get_settings

DAY = "%d/%m/%Y"
MOMENT = "%d/%m/%Y %H:%M"


def day(value: date | datetime | None) -> str:
    """A calendar day (``dd/mm/yyyy``); a datetime is first put in the organisation's zone."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = local(value, get_settings().tz)
    return value.strftime(DAY)


def moment(value: datetime | None) -> str:
    """A stored time as ``dd/mm/yyyy hh:mm`` in the organisation's zone ("" for none)."""
    return local(value, get_settings().tz).strftime(MOMENT) if value else ""
