"""Values that come from outside (a browser, a file, a hostile client): ids, dates, CSV rows.

One parser for ids and one range for dates, so that a value no database column can hold
("x", 2**63, the year 9999) gets the same clear message on SQLite and PostgreSQL instead of an
OverflowError, a ValueError or a PostgreSQL DataError from deep inside a query.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date
from typing import Any

from engagement.core.errors import Invalid
from engagement.core.i18n import N_, Msg

#: The largest id any table holds: PostgreSQL's ``integer`` (SQLite's is wider).
MAX_ID = 2**31 - 1
#: Dates a person can mean in this app (a campaign, a decision, a leave): outside, a typing slip.
FIRST_YEAR, LAST_YEAR = 1900, 2200


def _noun(what: str | Msg) -> Msg:
    return what if isinstance(what, Msg) else N_(what)


def parse_id(value: Any, what: str | Msg = N_("record")) -> int:
    """A record's id sent from outside: a whole number from 1 to ``MAX_ID``, else ``Invalid``.

    Accepts an int or its decimal text (surrounding spaces allowed); refuses booleans, floats,
    "x", 0, negative numbers and anything too large for an id column.

    Raises:
        Invalid: "Choose a {what} from the list."
    """
    number = 0
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.strip().isascii() and value.strip().isdigit() and len(value.strip()) <= 12:
        number = int(value.strip())
    if not 0 < number <= MAX_ID:
        raise Invalid("Choose a {what} from the list.", what=_noun(what))
    return number


def id_or_none(value: Any) -> int | None:
    """``parse_id`` for services that answer "not found" themselves: None instead of ``Invalid``."""
    try:
        return parse_id(value)
    except Invalid:
        return None


def bounded_day(day: date, what: str | Msg = N_("date"), *, field: str = "") -> date:
    """``day`` when its year is from ``FIRST_YEAR`` to ``LAST_YEAR``.

    Raises:
        Invalid: "The {what} must be a date from 1900 to 2200" (the year 9999 is a typing slip, and
            a day computed from it would not fit a timestamp).
    """
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        fields = {field: N_("Between {first} and {last}", first=FIRST_YEAR, last=LAST_YEAR)} if field else {}
        raise Invalid("The {what} must be a date from {first} to {last}; check the year.", fields, what=_noun(what),
                      first=FIRST_YEAR, last=LAST_YEAR)
    return day


def csv_rows(reader: Any) -> Iterator[list[str]]:
    """The rows of a ``csv.reader``, with a file csv cannot parse refused with the line to fix.

    Raises:
        Invalid: a cell over csv's field limit (128 KB; a 1 MB name), a quote never closed.
    """
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error:
            raise Invalid("Line {line} of the file cannot be read: a cell is far too long, or a quote is not "
                          "closed. Fix that line and upload the file again.", line=reader.line_num) from None
        yield values
