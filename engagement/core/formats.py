"""How dates, times and numbers read on pages, in messages and in exports: one place for every format.

Stored times are aware UTC; they are shown in the organisation's zone. Every format follows
the current language (``core.i18n.current``, the reader's or the recipient's): days read
``dd/mm/yyyy`` in both languages (the British and the Vietnamese convention), numbers
``1.234,5`` in Vietnamese and ``1,234.5`` in English, month and weekday names translated.
"""

from __future__ import annotations

from datetime import date, datetime

from babel.dates import get_day_names, get_month_names
from babel.numbers import format_decimal

from engagement.core import i18n
from engagement.core.zones import local
from engagement.settings import get_settings

DAY = "%d/%m/%Y"
MOMENT = "%d/%m/%Y %H:%M"


def _locale(lang: str | None = None) -> str:
    return i18n.LOCALES.get(lang or i18n.current(), "en_GB")


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


def number(value: float | int | None, digits: int = 1, *, fixed: bool = False) -> str:
    """A number in the reader's convention, at most ``digits`` decimals (``1.234,5`` in Vietnamese);
    ``fixed``: always ``digits`` decimals (``4,0``)."""
    if value is None:
        return ""
    pattern = "#,##0" + ("." + ("0" if fixed else "#") * digits if digits > 0 else "")
    return format_decimal(value, format=pattern, locale=_locale())


def month_name(month: int) -> str:
    """The name of a month (1-12): "tháng 12", "December"."""
    return str(get_month_names("wide", "stand-alone", locale=_locale())[month])


def weekday_name(weekday: int) -> str:
    """The name of a weekday (Monday = 0): "Thứ Hai", "Monday"."""
    return str(get_day_names("wide", "stand-alone", locale=_locale())[weekday])


def month_label(year: int, month: int) -> str:
    """A month as a period label: "Tháng 12/2026", "December 2026"."""
    return i18n._("{month_name} {year}", month_name=month_name(month).capitalize(), year=year)


def long_day(value: date) -> str:
    """A day written out, for letters and certificates: "ngày 01 tháng 12 năm 2026", "01 December 2026"."""
    name = get_month_names("wide", "format", locale=_locale())[value.month]
    return i18n._("{day} {month_name} {year}", day=str(value.day).zfill(2), month_name=name, year=value.year)
