"""Reads of the movement's review report: every feature's figures for a period and the one before.

Each feature is read through its own ``queries`` (aggregates grouped by unit, never per-person
rows); the units and groups come from ``org``. The number of statements depends on the number
of commitment campaigns in the two periods, never on the number of units or people.
Inspections come from ``engagement.supervision.queries.period_summary`` when that module is
installed; without it the report says there is no inspection data.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlmodel import Session, func, select

from engagement.commendations import queries as commendation_queries
from engagement.commitments import queries as commitment_queries
from engagement.core import formats, i18n
from engagement.core.access import Actor, Perm, require
from engagement.core.i18n import _
from engagement.good_models import queries as model_queries
from engagement.green import queries as green_queries
from engagement.green.rules import IMPACT_UNITS
from engagement.org.models import Person, Unit, UnitGroup, UnitGroupMember
from engagement.recognition import queries as recognition_queries
from engagement.review import documents, rules
from engagement.review.dto import Report
from engagement.review.rules import Counts, Period
from engagement.settings import get_settings

try:  # the spot checks are another feature's; the report does without them
    from engagement.supervision import queries as _supervision
except ImportError:  # pragma: no cover - depends on what is installed
    _supervision = None

InspectionReader = Callable[..., dict[int, dict[str, Any]]]


def inspection_reader() -> InspectionReader | None:
    """``supervision.queries.period_summary`` when it exists, else None."""
    return getattr(_supervision, "period_summary", None) if _supervision is not None else None


def _bounds(period: Period) -> tuple[datetime, datetime]:
    tz = get_settings().tz
    return (datetime.combine(period.start, time(0), tzinfo=tz).astimezone(UTC),
            datetime.combine(period.end + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC))


def _unit_of_path(path: str) -> int | None:
    parts = path.strip("/").split("/")
    return int(parts[-1]) if parts and parts[-1].isdigit() else None


def _own_counts(session: Session, period: Period, *, now: datetime,
                inspections: InspectionReader | None) -> tuple[dict[int, Counts], list, list]:
    """Each unit's own figures of one period (not rolled up), awards by title and the green impact."""
    start, end = _bounds(period)
    own: dict[int, Counts] = {}

    def add(unit_id: int | None, key: str, value: float) -> None:
        if unit_id is not None and value:
            own.setdefault(unit_id, rules.empty())[key] += value

    for unit_id, (done, total) in commitment_queries.completion_between(session, start=start, end=end,
                                                                         now=now).items():
        add(unit_id, "commit_done", done)
        add(unit_id, "commit_total", total)
    for path, n in recognition_queries.received_by_unit(session, start=start, end=end):
        add(_unit_of_path(path), "recognitions", n)
    for unit_id, (n, score) in recognition_queries.citizen_ratings_by_unit(session, start=start, end=end).items():
        add(unit_id, "thanks", n)
        add(unit_id, "thanks_score", score)
    green, impact = green_queries.approved_between(session, start=period.start, end=period.end)
    for unit_id, (activities, people) in green.items():
        add(unit_id, "green_activities", activities)
        add(unit_id, "green_people", people)
    if inspections is not None:
        for unit_id, row in inspections(session, start=period.start, end=period.end).items():
            for key, source in (("visits", "visits"), ("items_checked", "items_checked"),
                                ("items_passed", "items_passed"), ("actions_opened", "actions_opened"),
                                ("actions_closed", "actions_closed"), ("actions_overdue", "actions_overdue")):
                add(int(unit_id), key, float(row.get(source, 0) or 0))
    for unit_id, row in model_queries.period_summary(session, start=period.start, end=period.end).items():
        add(unit_id, "models_proposed", row["proposed"])
        add(unit_id, "models_recognised", row["recognised"])
        add(unit_id, "adoptions", row["adopted"])
        add(unit_id, "adoptions_reported", row["reported"])
    awards = commendation_queries.awards_between(session, start=period.start, end=period.end)
    for unit_id, _abbr, _name, n in awards:
        add(unit_id, "awards", n)
    return own, [(abbr, name, n) for _u, abbr, name, n in awards], impact


def _impact_rows(now: list[tuple[str, float, int]], before: list[tuple[str, float, int]]) -> list[tuple[str, str, str]]:
    merged: dict[str, list[tuple[float, int]]] = {}
    for which, rows in ((0, now), (1, before)):
        for code, amount, n in rows:
            merged.setdefault(code, [(0.0, 0), (0.0, 0)])[which] = (amount, n)
    out = []
    for code in sorted(merged, key=lambda c: (c == "", c)):
        (a_now, n_now), (a_before, n_before) = merged[code]
        if code and code in IMPACT_UNITS:
            label = IMPACT_UNITS[code].render()
            out.append((_("Impact ({unit})", unit=label), formats.number(a_now, 1), formats.number(a_before, 1)))
        else:
            out.append((_("Activities without a measured amount"), formats.number(n_now, 0),
                        formats.number(n_before, 0)))
    return out


def period_title(kind: str, period: Period) -> str:
    """The report's heading line for the period, in the current language."""
    if kind == rules.YEAR:
        return _("Review of the workplace-culture movement, year {year}", year=period.start.year)
    if kind == rules.PLAN:
        return _("Final review of the 2019-2025 plan of the workplace-culture movement")
    if kind == rules.MIDTERM:
        return _("Mid-term review of the 2019-2025 plan of the workplace-culture movement")
    return _("Review of the workplace-culture movement, {first} to {last}", first=formats.day(period.start),
             last=formats.day(period.end))


def build(session: Session, *, actor: Actor | None, kind: str, period: Period, now: datetime,
          inspections: InspectionReader | None = None, use_installed: bool = True) -> Report:
    """The whole report for ``period`` and the previous period of equal length.

    Args:
        inspections: the inspection summary reader (tests pass a fake); by default the
            supervision feature's, when installed (``use_installed``).

    Raises:
        NotAllowed: not an emulation officer.
    """
    require(actor, Perm.VIEW_REVIEW)
    reader = inspections if inspections is not None else (inspection_reader() if use_installed else None)
    before = rules.previous(period)
    units = {uid: (name, path, depth) for uid, name, path, depth in session.exec(
        select(Unit.id, Unit.name, Unit.path, Unit.depth).where(Unit.is_active.is_(True)))}
    paths = {uid: path for uid, (_n, path, _d) in units.items()}
    people = {uid: n for uid, n in session.exec(select(Person.unit_id, func.count())
                                                  .where(Person.is_active.is_(True)).group_by(Person.unit_id))}
    own_now, awards_now, impact_now = _own_counts(session, period, now=now, inspections=reader)
    own_before, awards_before, impact_before = _own_counts(session, before, now=now, inspections=reader)
    for own in (own_now, own_before):
        for uid, n in people.items():
            own.setdefault(uid, rules.empty())["people"] += n
    rolled_now, rolled_before = rules.roll_up(own_now, paths), rules.roll_up(own_before, paths)
    members: dict[int, list[int]] = {}
    for group_id, unit_id in session.exec(select(UnitGroupMember.group_id, UnitGroupMember.unit_id)):
        members.setdefault(group_id, []).append(unit_id)
    groups = [(name, members.get(gid, [])) for gid, name in session.exec(
        select(UnitGroup.id, UnitGroup.name).where(UnitGroup.is_active.is_(True)).order_by(UnitGroup.name))]
    sections = rules.sections(groups, {uid: (name, depth) for uid, (name, _p, depth) in units.items()},
                              rolled_now, rolled_before, others_name=_("Units in no group"))
    settings = get_settings()
    return Report(
        org_name=settings.org_name, period=period, before=before, title=period_title(kind, period),
        generated=formats.moment(now), org_now=rules.line(rules.total(own_now.values())),
        org_before=rules.line(rules.total(own_before.values())), sections=sections,
        awards=rules.by_title(awards_now, awards_before), impact=_impact_rows(impact_now, impact_before),
        models=model_queries.recognised_between(session, start=period.start, end=period.end),
        has_inspections=reader is not None)



def export(session: Session, *, actor: Actor | None, kind: str, year: int | None = None, start: date | None = None,
           end: date | None = None, fmt: str = "pdf", now: datetime,
           inspections: InspectionReader | None = None) -> tuple[bytes, str]:
    """The report as a file (PDF or XLSX) in the organisation's language, and its file name.

    Raises:
        NotAllowed: not an emulation officer.
        Invalid: a bad period.
    """
    require(actor, Perm.VIEW_REVIEW)
    period = rules.period_for(kind, year=year, start=start, end=end)
    with i18n.using(i18n.default_language()):
        report = build(session, actor=actor, kind=kind, period=period, now=now, inspections=inspections)
        if fmt == "xlsx":
            data = documents.render_xlsx(report)
        else:
            fmt, data = "pdf", documents.render_pdf(report)
    return data, f"review-{period.start.isoformat()}-{period.end.isoformat()}.{fmt}"
