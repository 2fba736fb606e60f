"""Pure rules of the register of good models: fields, statuses, checks, periods and effects.

No database, no clock: services pass today's date in.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from engagement.core import limits
from engagement.core.errors import Invalid
from engagement.core.i18n import N_, Msg
from engagement.org.rules import fold

PROPOSED, RETURNED, RECOGNISED, PUBLISHED = "proposed", "returned", "recognised", "published"
ADOPTED, REPORTED = "adopted", "reported"
FILE_PURPOSE = "good-model"
MAX_RESULTS = 10
MAX_FILES = 10
MAX_MONTHS = 36
MAX_FIGURE = 1e12
#: Longer is refused, never cut (``core.limits``); the pages show the same limits as counters.
TITLE_MAX, TEXT_MAX, INDICATOR_MAX, MEASURE_MAX = 200, 8000, 200, 40
REASON_MAX, DECISION_REF_MAX, PLAN_MAX = 1000, 120, 2000

#: The fields (lĩnh vực) a model belongs to, as the register filters them.
FIELDS: dict[str, Msg] = {
    "admin_reform": N_("Administrative reform"),
    "digital": N_("Digital transformation"),
    "citizen_service": N_("Service to citizens and businesses"),
    "green_office": N_("Green, clean, beautiful office"),
    "culture": N_("Workplace culture and conduct"),
    "other": N_("Other"),
}

STATUS_LABELS: dict[str, Msg] = {
    PROPOSED: N_("Proposed"),
    RETURNED: N_("Returned"),
    RECOGNISED: N_("Recognised"),
    PUBLISHED: N_("Published"),
}

ADOPTION_LABELS: dict[str, Msg] = {
    ADOPTED: N_("Being replicated"),
    REPORTED: N_("Result reported"),
}


@dataclass(frozen=True)
class ResultInput:
    """One measurable result as entered: an indicator, its value before and after, the unit of measure."""

    indicator: str
    before: float | None
    after: float | None
    measure: str = ""


def title_key(title: str) -> str:
    """The key that makes two titles the same (no accents, case or extra spaces)."""
    return fold(title)[:200]


def search_key(*parts: str) -> str:
    """The folded text a search matches, accent- and case-insensitively."""
    return " | ".join(fold(p) for p in parts if p)


def check_proposal(*, title: str, summary: str, field: str, year: int, evidence: str = "") -> None:
    """Check a proposal's text.

    Raises:
        Invalid: no title, no description of the change, a text over its limit, an unknown field or a
            year out of range.
    """
    if not title.strip():
        raise Invalid("Give the model a title.", {"title": N_("Required")})
    limits.within(title.strip(), limit=TITLE_MAX, what=N_("model's title"), field="title")
    limits.within(summary.strip(), limit=TEXT_MAX, what=N_("description of the change"), field="summary")
    limits.within(evidence.strip(), limit=TEXT_MAX, what=N_("evidence"), field="evidence")
    if not summary.strip():
        raise Invalid("Describe what the model changed in the unit's work.", {"summary": N_("Required")})
    if field not in FIELDS:
        raise Invalid("Choose the model's field from the list.", {"field": N_("Required")})
    if not 2000 <= year <= 2100:
        raise Invalid("The year must be between 2000 and 2100.", {"year": N_("Out of range")})


def check_results(results: Sequence[ResultInput], *, required: bool) -> list[ResultInput]:
    """The results worth keeping (rows left fully empty are skipped), checked.

    Args:
        required: at least one result must be given (an adoption's report).

    Raises:
        Invalid: a row with an indicator but a missing or wrong figure, a figure without an
            indicator, too many rows, or none when ``required``.
    """
    kept: list[ResultInput] = []
    for n, row in enumerate(results, start=1):
        indicator, measure = row.indicator.strip(), row.measure.strip()
        if not indicator and row.before is None and row.after is None and not measure:
            continue
        if not indicator:
            raise Invalid("Result {n}: name the indicator the figures measure.", n=n)
        if row.before is None or row.after is None:
            raise Invalid("Result {n} (“{indicator}”): give the value before and after.", n=n, indicator=indicator)
        if abs(row.before) > MAX_FIGURE or abs(row.after) > MAX_FIGURE:
            raise Invalid("Result {n} (“{indicator}”): the figure is too large.", n=n, indicator=indicator)
        # Field names as the form's (``r1_indicator`` is result 1).
        limits.within(indicator, limit=INDICATOR_MAX, what=N_("indicator of result {n}", n=n),
                      field=f"r{n}_indicator")
        limits.within(measure, limit=MEASURE_MAX, what=N_("unit of measure of result {n}", n=n),
                      field=f"r{n}_measure")
        kept.append(ResultInput(indicator=indicator, before=float(row.before), after=float(row.after),
                                measure=measure))
    if len(kept) > MAX_RESULTS:
        raise Invalid("Give at most {most} results; keep the ones that matter most.", most=MAX_RESULTS)
    if required and not kept:
        raise Invalid("Report at least one measured result: an indicator with its value before and after.")
    return kept


def add_months(day: date, months: int) -> date:
    """``day`` moved ``months`` calendar months on (the 31st becomes the month's last day)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def check_adoption(*, starts_on: date | None, months: int, today: date) -> date:
    """Check an adoption's plan and return the day its report is due.

    Raises:
        Invalid: no start date, a start more than a year back, a period outside 1 to 36 months.
    """
    if starts_on is None:
        raise Invalid("Enter the day the unit starts applying the model.", {"starts_on": N_("Required")})
    if (today - starts_on).days > 366:
        raise Invalid("The start date is more than a year ago; enter when the unit really started.",
                      {"starts_on": N_("Too early")})
    if not 1 <= months <= MAX_MONTHS:
        raise Invalid("The planned period is between 1 and {most} months.", {"months": N_("Out of range")},
                      most=MAX_MONTHS)
    return add_months(starts_on, months)


def check_report(*, starts_on: date, today: date, status: str, start_text: str = "") -> None:
    """Whether an adoption's result can be reported today (``start_text``: the start date as the reader writes it).

    Raises:
        Invalid: the adoption has not started yet, or its result is already reported.
    """
    if status == REPORTED:
        raise Invalid("This adoption's result is already reported; results of record are not changed.")
    if today < starts_on:
        raise Invalid("The unit starts applying the model on {day}: report its result after it has started.",
                      day=start_text or starts_on.isoformat())


def effect(before: float, after: float) -> tuple[float, float | None]:
    """The change of an indicator: (after - before, the change in percent of before; None when before is 0)."""
    delta = after - before
    return delta, (None if before == 0 else 100.0 * delta / abs(before))


def report_due(*, due_on: date, today: date, status: str) -> bool:
    """Whether an adoption's report is due (or late) today."""
    return status == ADOPTED and today >= due_on
