"""Reads for the leaderboard pages, 'why this score', charts and lobby screens.

Each page read checks the actor, then asks the leaderboard engine (``leaderboard``) for a
board, which reads the stored totals. Only 'why this score' reads entries, one page at a time.

The reads run in the reader's language (``core.i18n.using``, set by the page's state): the
labels they write (sources, boards, periods, dates, numbers) are rendered here with ``_``,
never kept from one request to the next.
"""

from __future__ import annotations

import re
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session, select

from engagement.core import formats
from engagement.core.access import Actor, Perm, can, require
from engagement.core.errors import Invalid, NotAllowed, NotFound
from engagement.core.i18n import N_, _
from engagement.core.security import hash_token
from engagement.org.models import Person, Unit, UnitGroup
from engagement.scoring import models, rules
from engagement.scoring.dto import (
    Board,
    Breakdown,
    CriteriaVersion,
    DisplayRow,
    EntryRow,
    MonthPoint,
    SourceTotal,
    Standing,
)
from engagement.scoring.leaderboard import people_board, resolve_period, top_unit_rank, unit_board
from engagement.scoring.rules import BOARDS, SOURCE_LABELS, Source, decode_criteria

MAX_LIMIT = 200
#: An export reads the whole board in one query (never page by page).
EXPORT_LIMIT = 50_000
PERIOD_KIND_LABELS = {"month": N_("This month"), "quarter": N_("This quarter"), "year": N_("This year")}
#: The reason the ledger stores for a capped event (in English, see ``service._credit``).
_CAPPED = re.compile(r"^Monthly cap of (\d+) reached$")


def _reason_text(reason: str) -> str:
    """An entry's reason for the reader: the ledger's own reasons (stored in English) in the
    current language; an officer's or a feature's reason (what a person wrote) as it is."""
    capped = _CAPPED.match(reason or "")
    if capped:
        return _("Monthly cap of {cap} reached", cap=formats.number(int(capped.group(1)), 0))
    if reason == "Reversed":
        return _("Reversed")
    return reason


def _signed(points: int) -> str:
    """Points with their sign for an entry: "+10", "-3", "0"."""
    return ("+" if points > 0 else "") + formats.number(points, 0)


def options(session: Session) -> models.ScoringOptions:
    """The organisation's switches (defaults when never set)."""
    return session.get(models.ScoringOptions, 1) or models.ScoringOptions()


def individual_boards_visible(session: Session, actor: Actor | None) -> bool:
    """Whether ``actor`` may see individual rankings and other people's scores: individual
    boards are switched on, or the actor is an officer (MANAGE_SCORING). With no actor (a
    lobby screen), only when switched on."""
    return options(session).individual_boards or can(actor, Perm.MANAGE_SCORING)


def individual_boards_on(session: Session, *, actor: Actor | None) -> bool:
    """The organisation's individual-boards switch, for the officers' page.

    Raises:
        NotAllowed: not an emulation officer or admin.
    """
    require(actor, Perm.MANAGE_SCORING)
    return options(session).individual_boards


def leaderboard(
    session: Session,
    *,
    actor: Actor | None,
    board: str,
    today: date,
    period: str | None = None,
    start: str | None = None,
    end: str | None = None,
    group_id: int | None = None,
    level: int | None = None,
    unit_id: int | None = None,
    offset: int = 0,
    limit: int = 50,
    export: bool = False,
) -> Board:
    """A page of a leaderboard for the actor (``export``: the whole board, up to EXPORT_LIMIT rows).

    Args:
        board: ``units`` (subtree points), ``units_per_member``, or ``people``.
        period: a month, quarter or year key (default: this month); or ``start``/``end``
            months for a custom range.
        group_id: units of one peer cohort (unit boards). ``level``: otherwise units at this
            depth of the tree (default 1, the units directly under the organisation).
        unit_id: people of this unit and its sub-units (people board).

    Raises:
        NotAllowed: not logged in, or individual boards switched off (officers still see them).
        Invalid: a bad period or board.
    """
    require(actor, Perm.VIEW_SCORES)
    if board not in BOARDS:
        raise Invalid("Choose a leaderboard.")
    offset = max(0, int(offset))
    limit = EXPORT_LIMIT if export else min(MAX_LIMIT, max(1, int(limit)))
    keys, label, prev_key = resolve_period(period, start, end, today)
    if board == "people":
        if not individual_boards_visible(session, actor):
            raise NotAllowed("Individual rankings are switched off for the organisation; unit rankings remain.")
        return people_board(session, keys=keys, label=label, prev_key=prev_key, unit_id=unit_id,
                            offset=offset, limit=limit)
    return unit_board(session, keys=keys, label=label, prev_key=prev_key, per_member=board == "units_per_member",
                      group_id=group_id, level=level, offset=offset, limit=limit)


def _months_of(keys: list[str]) -> list[str]:
    months: list[str] = []
    for key in keys:
        _kind, first, last = rules.parse_period(key)
        y, m = first.year, first.month
        while date(y, m, 1) <= last:
            months.append(rules.month_key(date(y, m, 1)))
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return months


def _bounds(keys: list[str]) -> tuple[date, date]:
    spans = [rules.parse_period(k) for k in keys]
    return min(s[1] for s in spans), max(s[2] for s in spans)


def _entry_rows(session: Session, where: list, offset: int, limit: int) -> tuple[list[EntryRow], int]:
    total = session.exec(select(sa.func.count()).select_from(models.PointEntry).where(*where)).one()
    rows = session.exec(
        select(models.PointEntry, Person.full_name).join(Person, Person.id == models.PointEntry.person_id, isouter=True)
        .where(*where).order_by(models.PointEntry.day.desc(), models.PointEntry.id.desc()).offset(offset).limit(limit)
    ).all()
    out = [EntryRow(id=e.id, day=formats.day(e.day), source=e.source, label=SOURCE_LABELS[Source(e.source)].render(),
                    ref=e.source_ref, points=e.points, person=name or _("(whole unit)"),
                    reason=_reason_text(e.reason), reversal=e.reverses_id is not None,
                    points_text=_signed(e.points)) for e, name in rows]
    return out, total


def breakdown(
    session: Session,
    *,
    actor: Actor | None,
    subject: str,
    subject_id: int,
    today: date,
    period: str | None = None,
    start: str | None = None,
    end: str | None = None,
    offset: int = 0,
    limit: int = 20,
) -> Breakdown:
    """Why a person or unit has its score: totals by source, and the entries themselves for
    those who may see them (the person, their unit heads, officers).

    Raises:
        NotAllowed: not logged in; someone else's individual score while individual boards are off.
        NotFound: no such person or unit.
    """
    actor = require(actor, Perm.VIEW_SCORES)
    keys, label, _prev = resolve_period(period, start, end, today)
    months = _months_of(keys)
    first, last = _bounds(keys)
    offset = max(0, int(offset))
    limit = min(100, max(1, int(limit)))
    if subject == "person":
        person = session.get(Person, subject_id)
        if person is None:
            raise NotFound("This person does not exist.")
        unit = session.get(Unit, person.unit_id)
        own = actor.person_id == person.id
        if not own and not individual_boards_visible(session, actor):
            raise NotAllowed("Individual scores are switched off for the organisation.")
        by_source = session.exec(
            select(models.PersonSourcePoints.source, sa.func.sum(models.PersonSourcePoints.points))
            .where(models.PersonSourcePoints.person_id == person.id, models.PersonSourcePoints.month.in_(months))
            .group_by(models.PersonSourcePoints.source)
        ).all()
        visible = own or can(actor, Perm.MANAGE_SCORING) or can(actor, Perm.VIEW_PEOPLE, unit_path=unit.path)
        where = [models.PointEntry.person_id == person.id,
                 models.PointEntry.day >= first, models.PointEntry.day <= last]
        name = person.full_name
    elif subject == "unit":
        unit = session.get(Unit, subject_id)
        if unit is None:
            raise NotFound("This unit does not exist.")
        by_source = session.exec(
            select(models.UnitSourcePoints.source, sa.func.sum(models.UnitSourcePoints.points))
            .join(Unit, Unit.id == models.UnitSourcePoints.unit_id)
            .where(Unit.path.startswith(unit.path), models.UnitSourcePoints.month.in_(months))
            .group_by(models.UnitSourcePoints.source)
        ).all()
        visible = can(actor, Perm.MANAGE_SCORING) or can(actor, Perm.VIEW_PEOPLE, unit_path=unit.path)
        where = [models.PointEntry.unit_path.startswith(unit.path),
                 models.PointEntry.day >= first, models.PointEntry.day <= last]
        name = unit.name
    else:
        raise Invalid("Choose a person or a unit.")
    totals = {src: int(pts or 0) for src, pts in by_source}
    sources = [SourceTotal(source=s.value, label=SOURCE_LABELS[s].render(), points=totals.get(s.value, 0),
                           points_text=formats.number(totals.get(s.value, 0), 0))
               for s in Source if totals.get(s.value)]
    entries, count = _entry_rows(session, where, offset, limit) if visible else ([], 0)
    points = sum(totals.values())
    return Breakdown(subject=subject, subject_id=subject_id, name=name, period_label=label,
                     points=points, by_source=sources, entry_rows=entries, entries_visible=visible,
                     entries_total=count, offset=offset, points_text=formats.number(points, 0))


def history(
    session: Session, *, actor: Actor | None, subject: str, subject_id: int, today: date, months: int = 12,
) -> list[MonthPoint]:
    """Points per month by source over the last ``months`` months (oldest first), for charts.

    Raises:
        NotAllowed / NotFound: as ``breakdown``.
    """
    actor = require(actor, Perm.VIEW_SCORES)
    months = min(36, max(1, int(months)))
    keys = []
    y, m = today.year, today.month
    for _i in range(months):
        keys.append(rules.month_key(date(y, m, 1)))
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    keys.reverse()
    if subject == "person":
        person = session.get(Person, subject_id)
        if person is None:
            raise NotFound("This person does not exist.")
        if actor.person_id != person.id and not individual_boards_visible(session, actor):
            raise NotAllowed("Individual scores are switched off for the organisation.")
        rows = session.exec(
            select(models.PersonSourcePoints.month, models.PersonSourcePoints.source, models.PersonSourcePoints.points)
            .where(models.PersonSourcePoints.person_id == person.id, models.PersonSourcePoints.month.in_(keys))
        ).all()
    elif subject == "unit":
        unit = session.get(Unit, subject_id)
        if unit is None:
            raise NotFound("This unit does not exist.")
        rows = session.exec(
            select(models.UnitSourcePoints.month, models.UnitSourcePoints.source,
                   sa.func.sum(models.UnitSourcePoints.points))
            .join(Unit, Unit.id == models.UnitSourcePoints.unit_id)
            .where(Unit.path.startswith(unit.path), models.UnitSourcePoints.month.in_(keys))
            .group_by(models.UnitSourcePoints.month, models.UnitSourcePoints.source)
        ).all()
    else:
        raise Invalid("Choose a person or a unit.")
    grid: dict[str, dict[str, int]] = {k: {} for k in keys}
    for month, source, pts in rows:
        if pts:
            grid[month][source] = int(pts)
    return [MonthPoint(month=k, total=sum(v.values()), by_source=v, label=rules.period_label(k).render())
            for k, v in grid.items()]


def display_board(session: Session, *, token: str, today: date) -> Board:
    """The leaderboard a lobby-screen link shows (no login; the link is the credential).

    Raises:
        NotFound: unknown or revoked link.
    """
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        raise NotFound("This screen link is not valid. Ask the emulation officer for a new one.")
    row = session.exec(select(models.ScoreDisplay).where(models.ScoreDisplay.token_hash == hash_token(token))).first()
    if row is None or row.revoked_at is not None:
        raise NotFound("This screen link is not valid. Ask the emulation officer for a new one.")
    key = rules.period_key(rules.PeriodKind(row.period_kind), today)
    prev = rules.previous_period(key)
    label = rules.period_label(key).render()
    if row.board == "people":
        if not individual_boards_visible(session, None):  # no actor: only when switched on
            raise NotFound("Individual rankings are switched off for the organisation.")
        return people_board(session, keys=[key], label=label, prev_key=prev, unit_id=None, offset=0, limit=20,
                            title=row.title)
    return unit_board(session, keys=[key], label=label, prev_key=prev, per_member=row.board == "units_per_member",
                      group_id=row.group_id, level=None, offset=0, limit=20, title=row.title)


def displays(session: Session, *, actor: Actor | None) -> list[DisplayRow]:
    """Lobby screens, newest first (officers)."""
    require(actor, Perm.MANAGE_SCORING)
    rows = session.exec(
        select(models.ScoreDisplay, UnitGroup.name)
        .join(UnitGroup, UnitGroup.id == models.ScoreDisplay.group_id, isouter=True)
        .order_by(models.ScoreDisplay.id.desc()).limit(100)
    ).all()
    return [DisplayRow(id=d.id, title=d.title, board=_label(BOARDS, d.board),
                       period_kind=_label(PERIOD_KIND_LABELS, d.period_kind), group=g or _("Top-level units"),
                       created_at=formats.day(d.created_at), active=d.revoked_at is None) for d, g in rows]


def _label(table: dict, code: str) -> str:
    """The label of a code in the current language (the code itself when unknown)."""
    label = table.get(code)
    return label.render() if label is not None else code


def criteria_versions(session: Session, *, actor: Actor | None, year: int) -> list[CriteriaVersion]:
    """Every published version of a year's criteria, newest first; the defaults when none."""
    require(actor, Perm.VIEW_SCORES)
    rows = session.exec(
        select(models.ScoringCriteria).where(models.ScoringCriteria.year == year)
        .order_by(models.ScoringCriteria.version.desc())
    ).all()
    out = [CriteriaVersion(year=r.year, version=r.version, effective_from=formats.day(r.effective_from), note=r.note,
                           rules={s.value: (c.weight, c.monthly_cap) for s, c in decode_criteria(r.rules).items()})
           for r in rows]
    if not out:
        defaults = {s.value: (c.weight, c.monthly_cap) for s, c in rules.DEFAULT_CRITERIA.items()}
        out.append(CriteriaVersion(year=year, version=0, effective_from=formats.day(date(year, 1, 1)),
                                   note=_("Defaults"), rules=defaults))
    return out


def my_standing(session: Session, *, actor: Actor | None, today: date) -> Standing:
    """My points this month and this year, and where my top-level unit stands this month."""
    actor = require(actor, Perm.VIEW_SCORES)
    month, year = rules.month_key(today), rules.year_key(today)
    mine = dict(session.exec(
        select(models.PersonPoints.period, models.PersonPoints.points)
        .where(models.PersonPoints.person_id == actor.person_id, models.PersonPoints.period.in_([month, year]))
    ).all())
    parts = [int(p) for p in actor.unit_path.strip("/").split("/") if p]
    top_id = parts[1] if len(parts) > 1 else None
    mine_month, mine_year = mine.get(month, 0), mine.get(year, 0)
    texts = {"my_points_text": formats.number(mine_month, 0), "my_year_points_text": formats.number(mine_year, 0)}
    if top_id is None:
        return Standing(month=month, my_points=mine_month, my_year_points=mine_year, **texts)
    place = top_unit_rank(session, key=month, unit_id=top_id)
    if place is not None:
        name, rank, count = place
        return Standing(month=month, my_points=mine_month, my_year_points=mine_year,
                        unit_name=name, unit_rank=rank, unit_count=count, **texts)
    return Standing(month=month, my_points=mine_month, my_year_points=mine_year, **texts)



# --- for the digests (scheduled jobs, no actor) ------------------------------------------------


def points_between(session: Session, *, person_ids: list[int], first: date, last: date) -> dict[int, int]:
    """Each person's points from entries dated first..last (reversals included), by index range."""
    if not person_ids:
        return {}
    return dict(session.exec(
        select(models.PointEntry.person_id, sa.func.sum(models.PointEntry.points))
        .where(models.PointEntry.person_id.in_(person_ids), models.PointEntry.day >= first,
               models.PointEntry.day <= last)
        .group_by(models.PointEntry.person_id)).all())


def person_totals(session: Session, *, person_ids: list[int], periods: list[str]) -> dict[tuple[int, str], int]:
    """(person, period) -> stored total, for the given people and periods."""
    if not person_ids:
        return {}
    return {(pid, period): points for pid, period, points in session.exec(
        select(models.PersonPoints.person_id, models.PersonPoints.period, models.PersonPoints.points)
        .where(models.PersonPoints.period.in_(periods), models.PersonPoints.person_id.in_(person_ids))).all()}

