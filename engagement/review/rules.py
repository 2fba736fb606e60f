"""Pure figure-building of the movement's review report (báo cáo tổng kết phong trào).

No database, no clock: ``queries.py`` reads each feature's aggregates (per unit, the unit the
records belong to) and passes plain numbers here. This module chooses the periods, rolls the
figures up the unit tree, derives the percentages and averages, groups units by unit group and
compares each figure with the previous period of equal length.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from engagement.core.errors import Invalid
from engagement.core.i18n import N_, Msg

#: The 2019-2025 plan of the workplace-culture movement, and its mid-term review (the first half).
PLAN_START, PLAN_END = date(2019, 1, 1), date(2025, 12, 31)
MIDTERM_END = date(2022, 6, 30)
MAX_DAYS = 366 * 12

YEAR, PLAN, MIDTERM, CUSTOM = "year", "plan", "midterm", "custom"
PERIOD_KINDS: dict[str, Msg] = {
    YEAR: N_("A calendar year"),
    PLAN: N_("The 2019-2025 plan"),
    MIDTERM: N_("Mid-term review of the 2019-2025 plan"),
    CUSTOM: N_("Dates I choose"),
}

#: Every raw figure, per unit: the features' counts, added up the tree.
COUNTS = (
    "people", "commit_done", "commit_total", "recognitions", "thanks", "thanks_score", "green_activities",
    "green_people", "visits", "items_checked", "items_passed", "actions_opened", "actions_closed",
    "actions_overdue", "models_proposed", "models_recognised", "adoptions", "adoptions_reported", "awards",
)
Counts = dict[str, float]


@dataclass(frozen=True)
class Period:
    """A span of days, both ends included."""

    start: date
    end: date

    @property
    def days(self) -> int:
        """How many days it holds."""
        return (self.end - self.start).days + 1


def period_for(kind: str, *, year: int | None = None, start: date | None = None, end: date | None = None) -> Period:
    """The period an officer chose.

    Raises:
        Invalid: an unknown kind, a missing or impossible year or dates, an end before the start,
            a period longer than twelve years.
    """
    if kind == YEAR:
        if year is None or not 2000 <= year <= 2100:
            raise Invalid("Choose the year of the report (2000 to 2100).", {"year": N_("Required")})
        return Period(date(year, 1, 1), date(year, 12, 31))
    if kind == PLAN:
        return Period(PLAN_START, PLAN_END)
    if kind == MIDTERM:
        return Period(PLAN_START, MIDTERM_END)
    if kind != CUSTOM:
        raise Invalid("Choose the kind of period from the list.")
    if start is None or end is None:
        raise Invalid("Enter the first and the last day of the period.", {"start": N_("Required")})
    if end < start:
        raise Invalid("The last day is before the first day; swap them.", {"end": N_("Before the start")})
    if (end - start).days + 1 > MAX_DAYS:
        raise Invalid("A report covers at most twelve years; choose a shorter period.", {"end": N_("Too long")})
    return Period(start, end)


def _months_between(start: date, end: date) -> int | None:
    """How many whole calendar months [start, end] spans, when it starts on a 1st and ends on a month's last day."""
    if start.day != 1 or end.day != calendar.monthrange(end.year, end.month)[1]:
        return None
    return (end.year - start.year) * 12 + end.month - start.month + 1


def _shift_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def previous(period: Period) -> Period:
    """The period of equal length just before ``period``: the same number of calendar months when
    it is made of whole months (a year before a year, a quarter before a quarter), else of days."""
    months = _months_between(period.start, period.end)
    if months is not None:
        start = _shift_months(period.start, months)
        return Period(start, period.start - timedelta(days=1))
    end = period.start - timedelta(days=1)
    return Period(end - timedelta(days=period.days - 1), end)


def empty() -> Counts:
    """Every figure at zero."""
    return dict.fromkeys(COUNTS, 0.0)


def roll_up(own: Mapping[int, Mapping[str, float]], paths: Mapping[int, str]) -> dict[int, Counts]:
    """Each unit's figures including every unit below it (materialised paths like ``/1/4/9/``).

    Figures of a unit that is not in ``paths`` (deleted, unknown) are left out.
    """
    out: dict[int, Counts] = {unit_id: empty() for unit_id in paths}
    for unit_id, counts in own.items():
        path = paths.get(unit_id)
        if path is None:
            continue
        for part in path.strip("/").split("/"):
            ancestor = int(part)
            if ancestor in out:
                target = out[ancestor]
                for key, value in counts.items():
                    target[key] = target.get(key, 0.0) + value
    return out


def total(rows: Iterable[Mapping[str, float]]) -> Counts:
    """The sum of several units' figures."""
    out = empty()
    for row in rows:
        for key, value in row.items():
            out[key] = out.get(key, 0.0) + value
    return out


def percent(part: float, whole: float) -> float | None:
    """``part`` of ``whole`` in percent, None when there is nothing to divide."""
    return None if not whole else 100.0 * part / whole


@dataclass(frozen=True)
class Line:
    """The derived figures of one unit (or group, or the organisation) in one period."""

    people: int
    completion: float | None  # commitments signed or exempted, percent of the audience
    recognitions: int
    thanks: int
    rating: float | None  # citizens' average, 1 to 5
    green_activities: int
    green_people: int
    visits: int
    compliance: float | None  # inspection items passed, percent of items checked
    actions_opened: int
    actions_closed: int
    actions_overdue: int
    models_proposed: int
    models_recognised: int
    adoptions: int
    adoptions_reported: int
    awards: int


def line(c: Mapping[str, float]) -> Line:
    """The figures a report shows, derived from the raw counts."""
    def n(key: str) -> int:
        return round(float(c.get(key, 0.0)))

    return Line(
        people=n("people"), completion=percent(c.get("commit_done", 0), c.get("commit_total", 0)),
        recognitions=n("recognitions"), thanks=n("thanks"),
        rating=(c.get("thanks_score", 0) / c["thanks"]) if c.get("thanks") else None,
        green_activities=n("green_activities"), green_people=n("green_people"), visits=n("visits"),
        compliance=percent(c.get("items_passed", 0), c.get("items_checked", 0)),
        actions_opened=n("actions_opened"), actions_closed=n("actions_closed"), actions_overdue=n("actions_overdue"),
        models_proposed=n("models_proposed"), models_recognised=n("models_recognised"), adoptions=n("adoptions"),
        adoptions_reported=n("adoptions_reported"), awards=n("awards"))


def change(current: float | None, before: float | None) -> float | None:
    """current - before; None when either is unknown."""
    return None if current is None or before is None else current - before


@dataclass(frozen=True)
class UnitLine:
    """A unit (or a total) in a section, this period and the previous one."""

    unit_id: int
    name: str
    now: Line
    before: Line


@dataclass(frozen=True)
class Section:
    """A unit group (peer cohort) with its member units and their total."""

    name: str
    units: list[UnitLine] = field(default_factory=list)
    total: UnitLine | None = None


def sections(
    groups: Sequence[tuple[str, Sequence[int]]], units: Mapping[int, tuple[str, int]],
    current: Mapping[int, Mapping[str, float]], before: Mapping[int, Mapping[str, float]],
    *, others_name: str,
) -> list[Section]:
    """One section per unit group, then the top units in no group.

    Args:
        groups: (group name, member unit ids) in the order to show.
        units: unit id -> (name, depth) of the active units.
        current, before: each unit's rolled-up counts in the period and the previous one.
        others_name: the heading of the units that belong to no group.
    """
    def unit_line(unit_id: int) -> UnitLine:
        return UnitLine(unit_id=unit_id, name=units[unit_id][0], now=line(current.get(unit_id, empty())),
                        before=line(before.get(unit_id, empty())))

    def section(name: str, ids: Sequence[int]) -> Section:
        members = [i for i in ids if i in units]
        members.sort(key=lambda i: units[i][0].casefold())
        now_total = total(current.get(i, empty()) for i in members)
        before_total = total(before.get(i, empty()) for i in members)
        return Section(name=name, units=[unit_line(i) for i in members],
                       total=UnitLine(unit_id=0, name=name, now=line(now_total), before=line(before_total)))

    out = [section(name, ids) for name, ids in groups if any(i in units for i in ids)]
    grouped = {i for _name, ids in groups for i in ids}
    top = min((depth for _name, depth in units.values()), default=0)
    others = [i for i, (_name, depth) in units.items() if depth == top + 1 and i not in grouped]
    if others:
        out.append(section(others_name, others))
    return out


def by_title(current: Iterable[tuple[str, str, int]], before: Iterable[tuple[str, str, int]]
             ) -> list[tuple[str, str, int, int]]:
    """Awards by title: (abbreviation, name, this period, previous period), in the order first seen."""
    order: dict[str, tuple[str, list[int]]] = {}
    for which, rows in ((0, current), (1, before)):
        for abbreviation, name, n in rows:
            entry = order.setdefault(abbreviation, (name, [0, 0]))
            entry[1][which] += n
    return [(abbreviation, name, counts[0], counts[1]) for abbreviation, (name, counts) in order.items()]
